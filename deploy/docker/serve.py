"""Serve one diaodu service in the image: `DIAODU_SERVICE=registry python serve.py`.

The service picks the ASGI app and the default port from `diaodu_platform.topology`, so the image,
compose and Kubernetes never repeat the module paths. Migrations are not run here: they are the
one-shot `diaodu migrate <service>` (compose `migrate-*`, Kubernetes Job `diaodu-migrate`).
"""

from __future__ import annotations

import os
import sys

from diaodu_platform.topology import SERVICES

# Longer than a request; shorter than the pod's terminationGracePeriodSeconds minus the preStop
# sleep and the Kafka client's shutdown (k8s/base/<service>.yaml explains the budget).
GRACEFUL_SHUTDOWN_S = 30


def command(service: str, env: dict[str, str]) -> list[str]:
    """The uvicorn command line for one service."""
    info = SERVICES[service]
    return [
        "uvicorn",
        info.app,
        "--host",
        env.get("DIAODU_HTTP_HOST", "0.0.0.0"),
        "--port",
        env.get("DIAODU_HTTP_PORT", str(info.port)),
        "--no-access-log",
        "--timeout-graceful-shutdown",
        str(GRACEFUL_SHUTDOWN_S),
    ]


def main() -> None:
    service = os.environ.get("DIAODU_SERVICE", "")
    if service not in SERVICES:
        sys.exit(f"set DIAODU_SERVICE to one of {', '.join(SERVICES)} (got {service!r})")
    argv = command(service, dict(os.environ))
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main()
