"""Month-end burst (月底交账): N monthly reports posted through the HTTP API by concurrent clients.

    .venv/bin/python bench/month_end_burst.py --start                # a stack of its own (recommended)
    .venv/bin/python bench/month_end_burst.py                        # against `make run` (8001-8004)
    .venv/bin/python bench/month_end_burst.py --start --reports 100000

It registers units (bench-NN, departments: never ranked) and enough projects for N reports (months
of the year before the progress clock's), then:
0. ceiling: the burst's rows (report + outbox row) inserted by bare asyncpg into a scratch database
   with progress's tables, at the same concurrency, before the HTTP phases (and again after them);
1. latency: 100 reports at 10/s (unloaded), then the rest of the first 2,000 offered at --rate
   (200/s), each followed to scoring's projection (GET /api/v1/inputs/reports/{id}?wait_ms=…):
   POST → visible in scoring, p50/p99;
2. burst: the other reports by --concurrency clients as fast as they go: ingest reports/s, the
   ratio to the ceiling; one report in ten (at most --rate/s) followed to scoring;
3. catch-up: until every consumer group (progress, escalation, scoring) has committed every event
   and scoring's projection (and escalation's consumed-events counter) has every report.
It prints the CPU each process spent per report during the burst and the machine's load average.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench import cpu  # noqa: E402
from bench.bare_insert import bare_insert_rate  # noqa: E402
from bench.local_stack import LocalStack  # noqa: E402
from tools.client import Api, ApiError, LagProbe, Urls, eventually  # noqa: E402

UNITS = 20
MONTHS = 12
IDLE_RATE = 10.0  # reports/s of the unloaded latency sample
FOLLOW_MAX = 50  # burst reports followed to scoring at once, at most
SAMPLE_EVERY = 10


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`, in their unit."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


def spread(ms: list[float]) -> str:
    if not ms:
        return "no samples"
    return f"p50 {pct(ms, 50):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms ({len(ms)} reports)"


@dataclass
class Run:
    api: Api
    lag: LagProbe
    reports: int
    concurrency: int
    rate: float
    latency_reports: int
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    projects: list[tuple[str, str]] = field(default_factory=list)  # (project id, unit code)
    visible_ms: list[float] = field(default_factory=list)
    burst_visible_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    pipeline_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    followers: list[asyncio.Task[None]] = field(default_factory=list)
    accepted: int = 0  # reports answered 201
    year: int = 2025  # the months reported: the year before the progress clock's

    async def setup(self) -> list[tuple[dict[str, Any], str]]:
        """Units, projects (registered as their units' reporters) and the N report bodies."""
        units = [f"bench-{n:02d}" for n in range(1, UNITS + 1)]
        for code in units:
            await self.api.call(
                "registry",
                "POST",
                "/units",
                key=f"bench-unit-{code}",
                json={"code": code, "name": f"【压测】单位{code[-2:]}", "kind": "department"},
            )
        count = math.ceil(self.reports / MONTHS)
        started = time.perf_counter()
        gate = asyncio.Semaphore(self.concurrency)

        async def register(i: int) -> tuple[str, str]:
            unit = units[i % UNITS]
            async with gate:
                snap = await self.api.json(
                    "registry",
                    "POST",
                    "/projects",
                    role="reporter",
                    unit=unit,
                    json={
                        "code": f"bench-{self.tag}-{i}",
                        "name": f"【压测】项目{self.tag}-{i}",
                        "unit_code": unit,
                        "stage": "construction",
                        "build_type": "continuing",
                        "total_investment": 1000000,
                        "annual_plan_investment": 12000,
                        "plan_year": self.year,
                        "stats_registered": True,
                    },
                )
            return snap["project_id"], unit

        self.projects = list(await asyncio.gather(*(register(i) for i in range(count))))
        print(f"registered {count} projects in {time.perf_counter() - started:.1f} s", flush=True)
        await eventually(self.lag.settled, timeout=300, interval=0.2, what="progress learnt the projects")
        bodies = []
        for m in range(1, MONTHS + 1):  # month-major: a project's months are far apart in the queue
            for n, (pid, unit) in enumerate(self.projects):
                monthly = 100 + n % 50
                bodies.append(
                    (
                        {
                            "project_id": pid,
                            "month": f"{self.year}-{m:02d}",
                            "investment_month": monthly,
                            "investment_ytd": monthly * m,
                            "investment_cumulative": 5000 + monthly * m,
                            "construction_status": "resumed",
                            "stats_registered": True,
                            "narrative": "【压测】bench",
                        },
                        unit,
                    )
                )
        return bodies[: self.reports]

    async def post(self, body: dict[str, Any], unit: str) -> tuple[str, float] | None:
        t0 = time.perf_counter()
        try:
            r = await self.api.call("progress", "POST", "/reports", role="reporter", unit=unit, json=body)
        except (ApiError, httpx.HTTPError) as exc:
            self.errors.append(str(exc)[:300])
            return None
        self.post_ms.append((time.perf_counter() - t0) * 1000)
        self.accepted += 1
        return str(r.json()["report_id"]), t0

    async def follow(self, report_id: str, t0: float, into: list[float]) -> None:
        """Wait for the report in scoring's projection; record POST → visible in ms."""
        deadline = time.perf_counter() + 600
        while True:
            try:
                r = await self.api.call(
                    "scoring",
                    "GET",
                    f"/inputs/reports/{report_id}",
                    params={"wait_ms": 30000},
                    expect=(200, 404),
                )
            except (ApiError, httpx.HTTPError) as exc:
                self.errors.append(f"follow {report_id}: {str(exc)[:300]}")
                return
            if r.status_code == 200:
                break
            if time.perf_counter() > deadline:
                self.errors.append(f"follow {report_id}: not in scoring after 600 s")
                return
        into.append((time.perf_counter() - t0) * 1000)
        self.pipeline_ms.append(float(r.json()["lag_ms"]))

    async def steady(self, bodies: list[tuple[dict[str, Any], str]], rate: float, into: list[float]) -> float:
        """One report every 1/rate s, each followed to scoring; at most `concurrency` POSTs in flight
        (a system slower than `rate` is measured at the rate it accepts, which is returned)."""
        start = time.perf_counter()
        answered: list[float] = []
        gate = asyncio.Semaphore(self.concurrency)

        async def one(i: int, body: dict[str, Any], unit: str) -> None:
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            async with gate:
                posted = await self.post(body, unit)
            if posted:
                answered.append(time.perf_counter())
                await self.follow(*posted, into)

        await asyncio.gather(*(one(i, b, u) for i, (b, u) in enumerate(bodies)))
        return len(answered) / (max(answered) - start) if answered else 0.0

    async def burst(self, bodies: list[tuple[dict[str, Any], str]]) -> tuple[float, float]:
        """Phase 2: every report as fast as `concurrency` clients go; a sample at `rate` followed."""
        queue: asyncio.Queue[tuple[dict[str, Any], str]] = asyncio.Queue()
        for item in bodies:
            queue.put_nowait(item)
        start = time.perf_counter()
        next_sample = start

        n = 0

        async def client() -> None:
            nonlocal next_sample, n
            while not queue.empty():
                body, unit = queue.get_nowait()
                # A sample: at most `rate` per second and one report in SAMPLE_EVERY (following one
                # costs the client a request too), with a bounded number followed at once.
                n += 1
                pending = sum(not f.done() for f in self.followers[-FOLLOW_MAX:])
                sample = time.perf_counter() >= next_sample and n % SAMPLE_EVERY == 0 and pending < FOLLOW_MAX
                if sample:
                    next_sample += 1 / self.rate
                posted = await self.post(body, unit)
                if posted and sample:
                    self.followers.append(asyncio.create_task(self.follow(*posted, self.burst_visible_ms)))

        await asyncio.gather(*(client() for _ in range(self.concurrency)))
        return start, time.perf_counter()


CONSUMERS = ("registry", "progress", "escalation", "scoring")  # every service has an outbox


async def metric(client: httpx.AsyncClient, base: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples (with these labels) in a service's /metrics."""
    text = (await client.get(f"{base}/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


async def escalation_consumed(urls: Urls) -> float:
    """Events escalation's consumer has applied (reports are recorded as `ignored`: it needs none)."""
    async with httpx.AsyncClient(timeout=5) as c:
        return await metric(c, urls.escalation, "diaodu_events_consumed_total", consumer="escalation")


@dataclass
class CatchUp:
    """When each projection has caught up with the burst: its consumer group has committed every
    event of the topics it consumes (and, for progress's own outbox, every report is on its topic;
    for scoring, its projection counts every report)."""

    run: Run
    urls: Urls
    expect_escalation: float
    expect_scoring: int
    started: float
    behind: dict[str, float] = field(default_factory=dict)  # component → last time seen behind
    at: dict[str, float] = field(default_factory=dict)  # component → first time seen caught up
    last: dict[str, Any] = field(default_factory=dict)

    async def poll(self) -> bool:
        now = time.perf_counter()
        lag = await self.run.lag.lag()
        counts = await self.run.api.json("scoring", "GET", "/inputs/counts", params={"unit_prefix": "bench-"})
        consumed = await escalation_consumed(self.urls)
        async with httpx.AsyncClient(timeout=5) as c:
            backlog = {n: await metric(c, self.urls.of(n), "diaodu_outbox_backlog") for n in CONSUMERS}
        ok = {
            "progress": lag["progress ← registry"] == 0,
            "escalation": consumed >= self.expect_escalation
            and not any(v for k, v in lag.items() if k.startswith("escalation")),
            "scoring": counts["reports"] >= self.expect_scoring
            and not any(v for k, v in lag.items() if k.startswith("scoring")),
        }
        for name, good in ok.items():
            if not good:
                self.behind[name] = now
                self.at.pop(name, None)
            else:
                self.at.setdefault(name, now)
        self.last = {"lag": lag, "scoring reports": counts["reports"], "outbox backlog": backlog}
        return all(ok.values())

    async def wait(self, timeout: float) -> None:
        deadline, report = time.perf_counter() + timeout, time.perf_counter() + 10
        while not await self.poll():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"not caught up after {timeout:.0f} s: {self.last}")
            if time.perf_counter() > report:
                behind = sorted(set(self.behind) - set(self.at))
                print(
                    f"   … {time.perf_counter() - self.started:.0f} s: behind: {behind}; {self.last}",
                    flush=True,
                )
                report += 10
            await asyncio.sleep(0.2)

    def summary(self) -> str:
        return ", ".join(f"{name} {at - self.started:.1f} s" for name, at in self.at.items())


async def bench(
    args: argparse.Namespace, urls: Urls, bootstrap: str, admin_dsn: str, namespace: str, pids: dict[str, int]
) -> None:
    async with (
        Api(urls, sub="bench", timeout=120, max_connections=args.concurrency + 50) as api,
        LagProbe(bootstrap, namespace) as lag,
    ):
        latency_n = min(args.latency_reports, args.reports // 5)
        run = Run(api, lag, args.reports, args.concurrency, args.rate, latency_n)
        clock = await api.json("progress", "GET", "/ops/clock")
        run.year = int(clock["now"][:4]) - 1
        try:
            await api.call("scoring", "GET", "/inputs/counts", expect=(200,))
        except ApiError as exc:
            raise SystemExit(
                "scoring does not serve /api/v1/inputs: mount scoring/entrypoints/api/inputs.py in its "
                "main.py (or run with --start)"
            ) from exc
        bodies = await run.setup()
        rest = bodies[latency_n:]
        topic = f"{namespace}diaodu.progress.v1"
        print("phase 0: bare asyncpg insert of the burst's rows, same concurrency", flush=True)
        bare_before, _ = await bare_insert_rate(admin_dsn, rest, concurrency=args.concurrency, topic=topic)
        base_escalation = await escalation_consumed(urls)
        base_scoring = (await api.json("scoring", "GET", "/inputs/counts", params={"unit_prefix": "bench-"}))[
            "reports"
        ]
        idle_n = min(args.idle_reports, latency_n // 4)
        print(
            f"phase 1: {idle_n} reports at {IDLE_RATE:.0f}/s, {latency_n - idle_n} at {args.rate:.0f}/s, "
            "each followed to scoring",
            flush=True,
        )
        idle_visible: list[float] = []
        await run.steady(bodies[:idle_n], IDLE_RATE, idle_visible)
        idle_pipeline = list(run.pipeline_ms)
        run.pipeline_ms.clear()
        run.post_ms.clear()
        accepted_rate = await run.steady(bodies[idle_n:latency_n], args.rate, run.visible_ms)
        steady_visible = list(run.visible_ms)
        steady_pipeline = list(run.pipeline_ms)
        steady_post = list(run.post_ms)
        run.pipeline_ms.clear()
        run.post_ms.clear()
        await eventually(lag.settled, timeout=600, interval=0.2, what="caught up after phase 1")

        print(f"phase 2: {len(rest)} reports by {args.concurrency} concurrent clients", flush=True)
        before = run.accepted
        load_before, cpu_before = cpu.load(), cpu.snapshot(pids)
        first, last = await run.burst(rest)
        cpu_after, load_after = cpu.snapshot(pids), cpu.load()
        posted = run.accepted - before
        ingest = posted / (last - first)
        catch_up = CatchUp(run, urls, base_escalation + run.accepted, base_scoring + run.accepted, first)
        await catch_up.wait(args.catch_up_timeout)
        settled = max(catch_up.at.values())
        await asyncio.gather(*run.followers)

        print("phase 4: bare asyncpg insert again", flush=True)
        bare_after, _ = await bare_insert_rate(admin_dsn, rest, concurrency=args.concurrency, topic=topic)
        bare = max(bare_before, bare_after)

    print()
    print(
        f"== month-end burst: {args.reports} reports, {len(run.projects)} projects, {os.cpu_count()} CPUs =="
    )
    print(f"POST → visible in scoring, unloaded ({IDLE_RATE:.0f} reports/s): {spread(idle_visible)}")
    print(f"   event time → applied by scoring (server clocks): {spread(idle_pipeline)}")
    print(
        f"POST → visible in scoring at {args.rate:.0f} reports/s offered ({accepted_rate:.0f}/s accepted): "
        f"{spread(steady_visible)}"
    )
    print(f"   (target p50 ≤ 10 ms, p99 ≤ 30 ms); POST alone {spread(steady_post)}")
    print(f"   event time → applied by scoring (server clocks): {spread(steady_pipeline)}")
    print(f"burst ingest: {posted} reports in {last - first:.2f} s = {ingest:.0f} reports/s ")
    print(f"   ({args.concurrency} clients; POST {spread(run.post_ms)}; errors {len(run.errors)})")
    print(
        f"   POST → visible in scoring during the burst (1 report in {SAMPLE_EVERY}, ≤ {args.rate:.0f}/s): "
        f"{spread(run.burst_visible_ms)}"
    )
    print(
        f"caught up everywhere {settled - first:.1f} s after the burst's first POST "
        f"({settled - last:.1f} s after its last); after the first POST: {catch_up.summary()}"
    )
    print(f"   then: {catch_up.last}")
    print(f"   CPU per report during the burst: {cpu.per_item_ms(cpu_before, cpu_after, posted)}")
    print(f"   {load_before} before the burst, {load_after} after it")
    print(
        f"bare asyncpg insert of the same {len(rest)} rows (report + outbox row, {args.concurrency} "
        f"connections): {bare_before:.0f} rows/s before the HTTP phases, {bare_after:.0f} after them"
    )
    print(f"ingest / bare (the better) = {ingest:.0f} / {bare:.0f} = {ingest / bare:.2f} (target ≥ 0.80)")
    if run.errors:
        print("first errors:", *run.errors[:5], sep="\n  ")


def running_system(args: argparse.Namespace) -> tuple[str, str, str, dict[str, int]]:
    """Bootstrap, admin DSN, topic namespace and process ids of a running `make run` (.run/state.json)."""
    state_file = REPO_ROOT / ".run" / "state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    bootstrap = args.kafka_bootstrap or state.get("kafka", {}).get("bootstrap")
    admin = args.admin_dsn or state.get("postgres", {}).get("dsn")
    if not bootstrap or not admin:
        raise SystemExit("give --kafka-bootstrap and --admin-dsn (no .run/state.json from `make run`)")
    pids = {name: svc["pid"] for name, svc in state.get("services", {}).items()}
    if state.get("kafka", {}).get("pid"):
        pids["broker"] = state["kafka"]["pid"]
    return bootstrap, admin, args.namespace, pids


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument(
        "--concurrency", type=int, default=16, help="concurrent HTTP clients (and bare connections)"
    )
    ap.add_argument("--rate", type=float, default=200.0, help="reports/s of the latency phase and the sample")
    ap.add_argument("--latency-reports", type=int, default=2000, help="reports of the latency phase (≤ N/5)")
    ap.add_argument("--idle-reports", type=int, default=100, help="of which first at 10/s (unloaded)")
    ap.add_argument("--catch-up-timeout", type=float, default=900.0)
    ap.add_argument("--start", action="store_true", help="start PostgreSQL, the broker and the services here")
    ap.add_argument("--pool-size", type=int, default=10, help="with --start: DIAODU_DB_POOL_SIZE")
    defaults = Urls()
    for name in ("registry", "progress", "escalation", "scoring"):
        ap.add_argument(f"--{name}-url", default=defaults.of(name))
    ap.add_argument("--kafka-bootstrap", help="default: from .run/state.json")
    ap.add_argument(
        "--admin-dsn", help="PostgreSQL admin DSN for the scratch database (default: .run/state.json)"
    )
    ap.add_argument("--namespace", default="", help="the services' DIAODU_TOPIC_NAMESPACE")
    args = ap.parse_args(argv)
    if args.start:
        print("starting PostgreSQL, the broker and the four services …", flush=True)
        local = LocalStack.start(pool_size=args.pool_size)
        try:
            pids = {name: svc.process.pid for name, svc in local.stack.services.items()}
            assert local.kafka.proc is not None
            pids["broker"] = local.kafka.proc.pid
            urls = Urls.from_ports(local.ports)
            asyncio.run(bench(args, urls, local.kafka.bootstrap, local.postgres.admin_dsn, "", pids))
        finally:
            local.stop()
    else:
        urls = Urls(args.registry_url, args.progress_url, args.escalation_url, args.scoring_url)
        asyncio.run(bench(args, urls, *running_system(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
