"""The image's HEALTHCHECK: GET /healthz of the service this container serves (exit 0 = healthy)."""

from __future__ import annotations

import os
import sys
import urllib.request

from diaodu_platform.topology import SERVICES


def main() -> int:
    info = SERVICES.get(os.environ.get("DIAODU_SERVICE", ""))
    if info is None:
        return 1
    port = os.environ.get("DIAODU_HTTP_PORT", str(info.port))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
