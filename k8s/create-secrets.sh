#!/bin/sh
# Create the secrets diaodu needs in a namespace, with random values, unless they exist already:
#   diaodu-jwt (DIAODU_JWT_SECRET) and diaodu-<service>-db (username, password; CNPG basic-auth).
# Usage: k8s/create-secrets.sh diaodu        (needs kubectl and openssl)
set -eu
ns="${1:?usage: $0 <namespace>}"

if ! kubectl -n "$ns" get secret diaodu-jwt >/dev/null 2>&1; then
  kubectl -n "$ns" create secret generic diaodu-jwt \
    --from-literal=DIAODU_JWT_SECRET="$(openssl rand -hex 32)"
fi
for service in registry progress escalation scoring; do
  name="diaodu-$service-db"
  if ! kubectl -n "$ns" get secret "$name" >/dev/null 2>&1; then
    # Hex: the password is placed into DIAODU_DATABASE_URL without escaping.
    kubectl -n "$ns" create secret generic "$name" --type=kubernetes.io/basic-auth \
      --from-literal=username="diaodu_$service" --from-literal=password="$(openssl rand -hex 24)"
    kubectl -n "$ns" label secret "$name" cnpg.io/reload=true
  fi
done
