"""Write the dashboards as JSON: `python -m ops.dashboards.generate [--check]` from the repo root.

Grafana provisions deploy/grafana/dashboards/ (compose); k8s/base/dashboards/ holds the same files
for the ConfigMap the Grafana sidecar loads. Edit the Python, regenerate, commit both.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grafana_foundation_sdk.cog.encoder import JSONEncoder

from diaodu_platform.topology import REPO_ROOT
from ops.dashboards import campaign, pipeline, red
from ops.dashboards.common import number_panels

TARGETS = [REPO_ROOT / "deploy" / "grafana" / "dashboards", REPO_ROOT / "k8s" / "base" / "dashboards"]


def render() -> dict[str, str]:
    """File name → JSON text of every dashboard."""
    out = {}
    for module in (red, pipeline, campaign):
        board = json.loads(json.dumps(module.build().build(), cls=JSONEncoder))
        text = json.dumps(number_panels(board), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        out[f"{board['uid']}.json"] = text
    return out


def differences() -> list[Path]:
    """Checked-in files that differ from the generator's output (or are missing, or extra)."""
    wanted = render()
    stale = []
    for folder in TARGETS:
        present = {p.name for p in folder.glob("*.json")} if folder.exists() else set()
        for name in sorted(present | set(wanted)):
            path = folder / name
            if name not in wanted or not path.exists() or path.read_text(encoding="utf-8") != wanted[name]:
                stale.append(path)
    return stale


def write() -> list[Path]:
    written = []
    for folder in TARGETS:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.json"):
            stale.unlink()
        for name, text in render().items():
            (folder / name).write_text(text, encoding="utf-8")
            written.append(folder / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the checked-in JSON differs")
    args = parser.parse_args(argv)
    if args.check:
        stale = differences()
        for path in stale:
            print(f"differs: {path.relative_to(REPO_ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    for path in write():
        print(f"wrote: {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
