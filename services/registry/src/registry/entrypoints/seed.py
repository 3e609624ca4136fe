"""Load the demo data set (data/seeds) through the HTTP import endpoint, as an office would.

    python -m registry.entrypoints.seed --url http://127.0.0.1:8001 [--token JWT] [--data-dir data/seeds]

Each file is dry-run first and its report printed; then it is committed. The Yangcheng targets as
written name 麟河镇, which is not a registered unit: the dry run reports it (蟒河镇 suggested) and
the loader then applies the office's recorded decision, yangcheng_unit_aliases.csv (蟒河镇 with
alias 麟河镇), before committing. Running it again changes nothing (every row comes back unchanged).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from diaodu_platform.auth import Role
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.tokens import dev_token
from diaodu_platform.topology import REPO_ROOT


@dataclass(frozen=True)
class Step:
    kind: str
    file: str
    resolve_with: tuple[str, str] | None = None  # (kind, file) the office imports when errors remain


PLAN = (
    Step("campaigns", "yangcheng_campaign.csv"),
    Step("campaigns", "yangquan_2025_campaign.csv"),
    Step("units", "yangcheng_units.csv"),
    Step("targets", "yangcheng_targets.csv", resolve_with=("units", "yangcheng_unit_aliases.csv")),
    Step("targets", "yangquan_2025_targets.csv"),
)


class SeedError(RuntimeError):
    """A seed file still has errors after its resolution; nothing of it was saved."""


def default_data_dir() -> Path:
    return Path(os.environ.get("DIAODU_SEEDS_DIR", REPO_ROOT / "data" / "seeds"))


def describe(report: dict[str, Any]) -> list[str]:
    """A report as lines a person reads in a terminal."""
    mode = "dry run" if report["dry_run"] else ("committed" if report["committed"] else "NOT committed")
    lines = [
        f"{report['kind']} {report['filename']} ({mode}): {report['error_count']} error(s), "
        f"{report['warning_count']} warning(s)"
    ]
    for sheet in report["sheets"]:
        lines.append(
            f"  {sheet['rows']} rows: {sheet['created']} new, {sheet['updated']} changed, "
            f"{sheet['unchanged']} unchanged"
        )
    for issue in report["issues"]:
        where = f"row {issue['row']}" if issue["row"] else "file"
        column = f" [{issue['column']}]" if issue["column"] else ""
        lines.append(f"  {issue['severity'].upper():7} {where}{column}: {issue['message']}")
    return lines


async def _post(client: httpx.AsyncClient, kind: str, path: Path, *, dry_run: bool) -> dict[str, Any]:
    mime = "text/csv" if path.suffix == ".csv" else "application/octet-stream"
    response = await client.post(
        f"/api/v1/imports/{kind}",
        params={"dry_run": str(dry_run).lower()},
        files={"file": (path.name, path.read_bytes(), mime)},
    )
    if response.status_code not in (200, 422) or "error_count" not in response.json():
        raise SeedError(f"{kind} {path.name}: HTTP {response.status_code}: {response.text}")
    report: dict[str, Any] = response.json()
    return report


async def _import(
    client: httpx.AsyncClient, kind: str, path: Path, out: Callable[[str], None]
) -> dict[str, Any]:
    """Dry run, print, commit, print; raises SeedError when the commit is refused."""
    dry = await _post(client, kind, path, dry_run=True)
    for line in describe(dry):
        out(line)
    if dry["error_count"]:
        raise SeedError(f"{kind} {path.name} has {dry['error_count']} error(s); nothing was saved")
    done = await _post(client, kind, path, dry_run=False)
    if not done["committed"]:
        raise SeedError(f"{kind} {path.name} was refused on commit: {describe(done)}")
    for line in describe(done)[: 1 + len(done["sheets"])]:
        out(line)
    return done


async def load_seeds_with(
    client: httpx.AsyncClient, *, data_dir: Path | None = None, out: Callable[[str], None] = print
) -> list[dict[str, Any]]:
    """Import every seed file through `client` (base URL and admin token set); returns the commit reports."""
    base = data_dir or default_data_dir()
    reports = []
    for step in PLAN:
        path = base / step.file
        if step.resolve_with:
            dry = await _post(client, step.kind, path, dry_run=True)
            if dry["error_count"]:
                out("— the file as written —")
                for line in describe(dry):
                    out(line)
                kind, file = step.resolve_with
                out(f"— the office's resolution: {file} —")
                reports.append(await _import(client, kind, base / file, out))
        out(f"— {step.file} —")
        reports.append(await _import(client, step.kind, path, out))
    return reports


def local_token() -> str:
    """An admin token minted with the local settings (refused in production, as `diaodu token` is)."""
    settings = ServiceSettings()
    if settings.env == "production":
        raise SeedError("no --token given, and tokens are not minted locally in production")
    return dev_token(settings, sub="seed-loader", role=Role.admin, ttl_hours=1)


def load_seeds(
    base_url: str,
    token: str | None = None,
    *,
    data_dir: Path | None = None,
    out: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Load the seeds into the registry at `base_url`; idempotent."""

    async def run() -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {token or local_token()}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120) as client:
            return await load_seeds_with(client, data_dir=data_dir, out=out)

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m registry.entrypoints.seed", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--url", default="http://127.0.0.1:8001", help="the registry's base URL")
    parser.add_argument(
        "--token", default=os.environ.get("DIAODU_TOKEN"), help="admin JWT (default: mint locally)"
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="folder of the seed files")
    args = parser.parse_args(argv)
    try:
        load_seeds(args.url, args.token, data_dir=args.data_dir)
    except (SeedError, httpx.HTTPError) as exc:
        print(f"seed loading failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
