#!/bin/sh
# Create the secrets diaodu needs in a namespace, with random values, unless they exist already:
#   diaodu-<service>-db (username, password; CNPG basic-auth) for every service, and
#   diaodu-console-signing-keys (<date>.pem: an Ed25519 private key the console signs tokens with;
#   the services verify them against the console's JWKS, so they need no secret of their own).
# Usage: k8s/create-secrets.sh diaodu        (needs kubectl and openssl 1.1.1+)
set -eu
ns="${1:?usage: $0 <namespace>}"

for service in registry progress escalation scoring console; do
  name="diaodu-$service-db"
  if ! kubectl -n "$ns" get secret "$name" >/dev/null 2>&1; then
    # Hex: the password is placed into DIAODU_DATABASE_URL without escaping.
    kubectl -n "$ns" create secret generic "$name" --type=kubernetes.io/basic-auth \
      --from-literal=username="diaodu_$service" --from-literal=password="$(openssl rand -hex 24)"
    kubectl -n "$ns" label secret "$name" cnpg.io/reload=true
  fi
done

if ! kubectl -n "$ns" get secret diaodu-console-signing-keys >/dev/null 2>&1; then
  # Named by date: the key whose name sorts last signs, so a rotation adds a later one
  # (ops/RUNBOOK.md "Rotating the console's signing key").
  keys="$(mktemp -d)"
  trap 'rm -rf "$keys"' EXIT
  key="$keys/$(date -u +%Y-%m-%d).pem"
  openssl genpkey -algorithm ed25519 -out "$key"
  kubectl -n "$ns" create secret generic diaodu-console-signing-keys --from-file="$key"
fi
