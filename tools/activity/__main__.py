"""`python -m tools.activity`: the command line of the synthetic activity generator."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

import httpx

from tools.activity import __doc__ as DOC
from tools.activity import plan as P
from tools.activity.run import Activity
from tools.client import Api, ApiError, Urls


def month_arg(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"a month looks like 2026-11, not {value!r}")
    return value


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m tools.activity",
        description=(DOC or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join((DOC or "").split("\n")[3:]),
    )
    ap.add_argument("--months", type=int, default=3, help="how many months to simulate (default 3)")
    ap.add_argument(
        "--start", type=month_arg, help="first month (default: the progress service's current month)"
    )
    ap.add_argument("--seed", type=int, default=1, help="decides everything generated (default 1)")
    ap.add_argument("--units", help="comma-separated unit codes (default: every registered unit)")
    ap.add_argument(
        "--projects-per-unit", type=int, default=2, help="(townships get one signed project more)"
    )
    ap.add_argument("--no-targets", action="store_true", help="do not set synthetic targets for townships")
    ap.add_argument("--reset-clocks", action="store_true", help="put the services' clocks back at the end")
    ap.add_argument("--concurrency", type=int, default=16, help="requests in flight at once")
    defaults = Urls()
    for name in ("registry", "progress", "escalation", "scoring"):
        ap.add_argument(f"--{name}-url", default=defaults.of(name), help=f"(default {defaults.of(name)})")
    return ap


async def main_async(args: argparse.Namespace) -> Activity:
    """Run the generator as the command line says; returns what it did."""
    urls = Urls(args.registry_url, args.progress_url, args.escalation_url, args.scoring_url)
    async with Api(urls, sub=P.SUB, max_connections=max(args.concurrency, 10)) as api:
        units = [
            P.Unit(u["code"], u["name"], u["kind"])
            for u in sorted(await api.all_pages("registry", "/units"), key=lambda u: u["code"])
        ]
        if args.units:
            wanted = set(args.units.split(","))
            missing = wanted - {u.code for u in units}
            if missing:
                raise SystemExit(f"not registered in the registry: {', '.join(sorted(missing))}")
            units = [u for u in units if u.code in wanted]
        if not units:
            raise SystemExit(
                "no units are registered: load the seeds first (python -m registry.entrypoints.seed)"
            )
        start = args.start
        if start is None:
            clock = await api.json("progress", "GET", "/ops/clock")
            start = clock["now"][:7]
        months = [P.add_months(start, n) for n in range(args.months)]
        print(f"simulating {', '.join(months)} for {len(units)} units, seed {args.seed}, labelled {P.LABEL}")
        activity = Activity(
            api=api,
            seed=args.seed,
            units=units,
            months=months,
            per_unit=args.projects_per_unit,
            concurrency=args.concurrency,
            set_targets=not args.no_targets,
        )
        await activity.run()
        if args.reset_clocks:
            for service in ("progress", "escalation", "scoring"):
                await api.reset_clock(service)
            print("clocks reset to the real time")
        else:
            print(f"the clocks stay at {P.add_months(months[-1], 1)}-03 (--reset-clocks puts them back)")
    return activity


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.months < 1:
        print("--months must be at least 1", file=sys.stderr)
        return 2
    try:
        tally = asyncio.run(main_async(args)).tally
    except (ApiError, httpx.HTTPError, TimeoutError) as exc:
        print(f"activity generator failed: {exc}", file=sys.stderr)
        return 1
    print("total: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
