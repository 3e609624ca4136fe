"""Local demo accounts: one reporter per unit of the seed data, and one admin, supervisor and leader.

    python -m console.entrypoints.accounts_seed --url http://127.0.0.1:8000 [--token JWT] [--data-dir DIR]

It goes through the console's own API (POST /api/v1/accounts), as an admin would, so the password
rule, the audit log and every other check apply; without `--token` it mints a local development admin
token, which only a local or test console trusts. It refuses to run when DIAODU_ENV=production:
production has no demo accounts. The units are the rows of every CSV in data/seeds with the columns
单位编码 and 单位名称 (username = unit code). Running it again changes nothing: an account that exists
is left as it is. It prints the accounts and their demo passwords.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from diaodu_platform.auth import Role
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.tokens import dev_token
from diaodu_platform.topology import REPO_ROOT

CODE, NAME = "单位编码", "单位名称"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    unit_code: str | None = None

    @property
    def password(self) -> str:
        """A demo password that passes the rule (≥10 characters, not only digits, not the username)."""
        return f"{self.username}-demo-2023"


ROLE_ACCOUNTS = (
    DemoAccount("admin", "项目推进中心（管理员）", Role.admin),
    DemoAccount("supervisor", "县政府办督查室", Role.supervisor),
    DemoAccount("leader", "包联领导（演示）", Role.leader),
)


class SeedError(RuntimeError):
    """The console refused an account, or could not be reached."""


def seeds_folder(given: Path | None) -> Path:
    return given or Path(os.environ.get("DIAODU_SEEDS_DIR") or REPO_ROOT / "data" / "seeds")


def unit_accounts(folder: Path) -> list[DemoAccount]:
    """A reporter account per unit named in the seed CSVs (first spelling of a code wins)."""
    found: dict[str, DemoAccount] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                code, name = (row.get(CODE) or "").strip(), (row.get(NAME) or "").strip()
                if code and name and code not in found:
                    found[code] = DemoAccount(code, name, Role.reporter, code)
    return list(found.values())


async def _ensure(client: httpx.AsyncClient, account: DemoAccount) -> str:
    """'created' or 'unchanged' (an existing account keeps whatever it has)."""
    existing = await client.get(f"/api/v1/accounts/{account.username}")
    if existing.status_code == 200:
        return "unchanged"
    if existing.status_code != 404:
        raise SeedError(f"{account.username}: HTTP {existing.status_code}: {existing.text}")
    body = {
        "username": account.username,
        "display_name": account.display_name,
        "role": str(account.role),
        "password": account.password,
        "unit_code": account.unit_code,
    }
    headers = {"Idempotency-Key": f"accounts-seed-{account.username}"}
    created = await client.post("/api/v1/accounts", json=body, headers=headers)
    if created.status_code != 201:
        raise SeedError(f"{account.username}: HTTP {created.status_code}: {created.text}")
    return "created"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: Iterable[tuple[str, ...]]) -> list[str]:
    """Rows as aligned columns (Chinese characters take two columns in a terminal)."""
    rows = list(rows)
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


async def seed_accounts(
    client: httpx.AsyncClient, *, data_dir: Path | None = None, out: Callable[[str], None] = print
) -> dict[str, str]:
    """Create the demo accounts through `client` (base URL and admin token set); username → outcome."""
    accounts = [*ROLE_ACCOUNTS, *unit_accounts(seeds_folder(data_dir))]
    outcomes = {a.username: await _ensure(client, a) for a in accounts}
    header = ("用户名 username", "名称", "角色 role", "单位 unit", "演示密码 password", "")
    lines = [
        (a.username, a.display_name, str(a.role), a.unit_code or "", a.password, outcomes[a.username])
        for a in accounts
    ]
    for line in table([header, *lines]):
        out(line)
    created = sum(1 for o in outcomes.values() if o == "created")
    out(f"{created} account(s) created, {len(outcomes) - created} unchanged")
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m console.entrypoints.accounts_seed", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the console's base URL")
    parser.add_argument(
        "--token", default=os.environ.get("DIAODU_TOKEN"), help="admin JWT (default: mint locally)"
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="folder of the seed CSVs")
    args = parser.parse_args(argv)
    if os.environ.get("DIAODU_ENV", "local") == "production":
        print("accounts_seed: DIAODU_ENV=production has no demo accounts; nothing was done", file=sys.stderr)
        return 2
    token = args.token or dev_token(ServiceSettings(), sub="accounts-seed", role=Role.admin, ttl_hours=1)

    async def run() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=args.url, headers=headers, timeout=60) as client:
            await seed_accounts(client, data_dir=args.data_dir)

    try:
        asyncio.run(run())
    except (SeedError, httpx.HTTPError) as exc:
        print(f"accounts_seed failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
