"""HTTP benchmark of Rostra (SQLite and PostgreSQL), optionally beside Isso.

    .venv/bin/python bench/http_bench.py --backend both --isso /tmp/isso-venv

Seeds nested threads of 10, 100, 1,000 and 10,000 comments before the server
starts, runs `rostra serve --workers 2` on loopback, and measures with wrk (or a
Python client when wrk is missing) the first page of each thread, a 304
revalidation, counts for 50 pages and posting a comment. See bench/README.md.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu  # noqa: E402
import loadgen  # noqa: E402
import seed  # noqa: E402
import servers  # noqa: E402
from loadgen import Request, Result  # noqa: E402

API = "/api/v1"
FULL_SIZES = (10, 100, 1000, 10000)
QUICK_SIZES = (10, 100, 1000)
REFERENCE = 1000  # the thread the goals are stated for
WARMUP_SECONDS = 1.5
# A thread page slower than this per request is measured with sequential
# requests: wrk discards requests still running when its time is up.
SLOW_REQUEST_SECONDS = 0.05


@dataclass(frozen=True)
class Measured:
    name: str
    result: Result
    bytes: int
    status: int
    unloaded_ms: float  # median of single requests on an idle server: comparable across servers
    cpu: str = ""  # where the CPU went under load, per request
    cpu_ms: float = 0.0  # all of it, per request


@dataclass
class Options:
    duration: float
    connections: int
    sizes: tuple[int, ...]
    workers: int
    log_level: str
    uncached: bool
    model_off: bool = True


# --- scenarios -------------------------------------------------------------


def rostra_page(base: str, key: str, etag: str | None = None) -> Request:
    headers = {"If-None-Match": etag} if etag else {}
    return Request(
        f"{base}{API}/threads?{urlencode({'site': seed.SITE, 'key': key})}", headers=headers
    )


def rostra_counts(base: str) -> Request:
    query = urlencode([("site", seed.SITE)] + [("key", key) for key in seed.COUNT_KEYS])
    return Request(f"{base}{API}/counts?{query}")


def rostra_post(base: str, origin: str, form_token: str | None) -> Request:
    """A reader's comment: unique words and address per request (see loadgen.VARY)."""
    payload = {
        "site": seed.SITE,
        "thread": {"key": seed.POST_THREAD},
        "author": {"name": "Bench reader"},
        "body": f"A *benchmark* comment about{loadgen.VARY} with two sentences. "
        "It is about as long as a typical short comment on a news article.",
    }
    if form_token:
        payload["form_token"] = form_token
    headers = {"Content-Type": "application/json", "Origin": origin}
    return Request(f"{base}{API}/comments", "POST", headers, json.dumps(payload).encode(), True)


@dataclass(frozen=True)
class FormToken:
    token: str | None
    usable_at: float  # monotonic time from which the token passes the minimum delay


def fetch_form_token(base: str) -> FormToken:
    """What the comment form fetches when shown (servers without the endpoint need none)."""
    answer = servers.probe(Request(f"{base}{API}/form-token?site={seed.SITE}"))
    if answer.status != 200:
        return FormToken(None, time.monotonic())
    data = json.loads(answer.body)
    return FormToken(data["token"], time.monotonic() + data.get("min_seconds", 0) + 0.5)


def wait_until_usable(token: FormToken) -> None:
    time.sleep(max(0.0, token.usable_at - time.monotonic()))


def measure(name: str, request: Request, options: Options, expect: int) -> Measured:
    """Warm up (fills the page cache of every worker), check the answer, then load."""
    answer = servers.probe(request)
    if answer.status != expect:
        raise RuntimeError(f"{name}: expected {expect}, got {answer.status}: {answer.body[:300]!r}")
    loadgen.run_load(request, duration=WARMUP_SECONDS, connections=options.connections)
    unloaded = statistics.median(servers.probe(request).seconds for _ in range(5)) * 1000
    with cpu.measure() as use:
        result = loadgen.run_load(
            request, duration=options.duration, connections=options.connections
        )
    cpu_line, cpu_ms = use.summary(result.requests), use.total_ms(result.requests)
    return Measured(name, result, len(answer.body), answer.status, unloaded, cpu_line, cpu_ms)


def measure_sequential(name: str, request: Request, duration: float, first: float) -> Measured:
    """For very slow servers: one connection, requests back to back until `duration`
    has passed; `first` is the time of a request already made (it counts)."""
    latencies = [first]
    errors = 0
    answer = None
    while sum(latencies) < duration:
        answer = servers.probe(request)
        latencies.append(answer.seconds)
        errors += answer.status >= 400
    answer = answer or servers.Answer(200, {}, b"", first)
    result = Result(
        len(latencies),
        sum(latencies),
        loadgen.percentile(latencies, 50) * 1000,
        loadgen.percentile(latencies, 99) * 1000,
        errors,
    )
    return Measured(name + " (sequential)", result, len(answer.body), answer.status, result.p50_ms)


# --- Rostra ----------------------------------------------------------------


def rostra_binary() -> str:
    beside = Path(sys.executable).parent / "rostra"
    found = str(beside) if beside.exists() else shutil.which("rostra")
    if not found:
        raise SystemExit("rostra not found: run with the project's .venv/bin/python")
    return found


def rostra_command(url: str, port: int, workers: int) -> list[str]:
    return [rostra_binary(), "serve", "--host", "127.0.0.1", "--port", str(port)] + [
        "--workers",
        str(workers),
        "--database",
        url,
    ]


def measure_all(
    scenarios: list[tuple[str, Request, int]], options: Options, problems: list[str]
) -> list[Measured]:
    """Measure each scenario; one that fails is reported and the others still run."""
    results = []
    for name, request, expect in scenarios:
        try:
            results.append(measure(name, request, options, expect))
        except (RuntimeError, OSError) as exc:
            problems.append(f"{name}: {exc}")
    return results


def rostra_scenarios(
    base: str, origin: str, options: Options, token: FormToken
) -> list[tuple[str, Request, int]]:
    scenarios = [
        (f"page {size}", rostra_page(base, f"thread-{size}"), 200) for size in options.sizes
    ]
    etag = servers.probe(rostra_page(base, f"thread-{REFERENCE}")).headers["etag"]
    scenarios.append((f"304 page {REFERENCE}", rostra_page(base, f"thread-{REFERENCE}", etag), 304))
    scenarios.append(("counts 50", rostra_counts(base), 200))
    scenarios.append(("post comment", rostra_post(base, origin, token.token), 201))
    return scenarios


def _settled_count(page: Request) -> servers.Answer:
    """Wait until queued posts finish: wrk stops sending, but the server still
    answers the requests that were in flight when the time was up."""
    answer = servers.probe(page)
    for _ in range(50):
        time.sleep(0.2)
        again = servers.probe(page)
        if again.headers["etag"] == answer.headers["etag"]:
            return again
        answer = again
    raise RuntimeError("the post-target thread kept changing after the post scenario")


def invalidation_check(base: str, origin: str, token: FormToken) -> str:
    """After a post, every fresh connection (any worker) must see the new count and ETag."""
    page = rostra_page(base, seed.POST_THREAD)
    before = _settled_count(page)
    count = json.loads(before.body)["thread"]["count"]
    posted_answer = servers.probe(rostra_post(base, origin, token.token))
    posted = posted_answer.status
    state = json.loads(posted_answer.body).get("status", "?") if posted < 300 else "refused"
    seen = [servers.probe(page) for _ in range(12)]
    fresh = [
        answer
        for answer in seen
        if json.loads(answer.body)["thread"]["count"] == count + 1
        and answer.headers["etag"] != before.headers["etag"]
    ]
    old_etag = rostra_page(base, seed.POST_THREAD, before.headers["etag"])
    revalidated = servers.probe(old_etag).status
    ok = posted == 201 and len(fresh) == len(seen) and revalidated == 200
    return (
        f"{'PASS' if ok else 'FAIL'}  cache invalidation across workers: post answered {posted} "
        f"({state}); "
        f"{len(fresh)}/{len(seen)} fresh connections saw the new comment and ETag; "
        f"the old ETag now answers {revalidated} (want 200)"
    )


def run_rostra(label: str, url: str, plan: dict, options: Options, workdir: Path) -> dict:
    port = servers.free_port()
    base = origin = f"http://127.0.0.1:{port}"
    print(f"\n== Rostra on {label}: seeding ...", flush=True)
    seconds = seed.seed_rostra(url, origin, plan)
    total = sum(len(c) for c in plan.values())
    print(
        f"   seeded {total} comments in {len(plan)} threads in {seconds:.1f} s ({total / seconds:.0f}/s through the service layer)"
    )
    env = {"ROSTRA_LOG_LEVEL": options.log_level}
    ready = rostra_counts(base)
    command = rostra_command(url, port, options.workers)
    problems: list[str] = []
    check = "FAIL  cache invalidation across workers: not checked"
    with servers.running(command, env, ready, workdir / f"rostra-{label}.log"):
        token = fetch_form_token(base)
        scenarios = rostra_scenarios(base, origin, options, token)
        results = measure_all(scenarios[:-1], options, problems)
        wait_until_usable(token)
        post = servers.probe(scenarios[-1][1])
        if post.status < 300:
            print(f"   a posted comment is {json.loads(post.body).get('status', '?')}")
        results += measure_all(scenarios[-1:], options, problems)
        check = invalidation_check(base, origin, token)
    if options.uncached:
        results += measure_uncached(
            base, command, env, options, workdir / f"rostra-{label}", problems
        )
    if options.model_off:
        results += measure_model_off(
            base, origin, command, env, options, workdir / f"rostra-{label}", problems
        )
    return {"label": label, "results": results, "check": check, "problems": problems}


def measure_restarted(
    base: str, command: list[str], env: dict, log: Path, problems: list[str],
    what: str, work: Callable[[], list[Measured]],
) -> list[Measured]:  # fmt: skip
    """Run `work` against the server started again with `env`; a server that
    fails to start is reported as a problem, and the other runs go on."""
    try:
        with servers.running(command, env, rostra_counts(base), log):
            return work()
    except RuntimeError as exc:
        problems.append(f"server {what}: {exc}")
        return []


def measure_uncached(
    base: str, command: list[str], env: dict, options: Options, log: Path, problems: list[str]
) -> list[Measured]:
    """Pages and a 304 with the page cache off: every request builds the page
    (or, for the 304, only looks up the thread's version). This shows whether
    building a page costs the same for any thread size, and what a
    revalidation saves over building."""

    def work() -> list[Measured]:
        pages = [
            (f"page {size}, no cache", rostra_page(base, f"thread-{size}"), 200)
            for size in sorted({REFERENCE, max(options.sizes)})
        ]
        etag = servers.probe(rostra_page(base, f"thread-{REFERENCE}")).headers["etag"]
        revalidate = rostra_page(base, f"thread-{REFERENCE}", etag)
        pages.append((f"304 page {REFERENCE}, no cache", revalidate, 304))
        return measure_all(pages, options, problems)

    env = {**env, "ROSTRA_PAGE_CACHE_ENTRIES": "0"}
    log = Path(f"{log}-nocache.log")
    return measure_restarted(base, command, env, log, problems, "without page cache", work)


def measure_model_off(
    base: str, origin: str, command: list[str], env: dict, options: Options, log: Path,
    problems: list[str],
) -> list[Measured]:  # fmt: skip
    """Posting with the toxicity model switched off (ROSTRA_TOXICITY_MODEL=false):
    the cost of the core write path, apart from the model's compute."""

    def work() -> list[Measured]:
        token = fetch_form_token(base)
        wait_until_usable(token)
        post = rostra_post(base, origin, token.token)
        return measure_all([("post comment, model off", post, 201)], options, problems)

    env = {**env, "ROSTRA_TOXICITY_MODEL": "false"}
    log = Path(f"{log}-model-off.log")
    return measure_restarted(base, command, env, log, problems, "with the model off", work)


def run_baseline(options: Options, workdir: Path) -> dict:
    """The same load against a bare ASGI app: the ceiling on this machine right now."""
    port = servers.free_port()
    uvicorn = Path(sys.executable).parent / "uvicorn"
    here = Path(__file__).resolve().parent
    command = [str(uvicorn), "--app-dir", str(here), "bare_asgi:app", "--port", str(port)]
    command += ["--workers", str(options.workers), "--log-level", "warning"]
    request = Request(f"http://127.0.0.1:{port}/")
    with servers.running(command, {}, request, workdir / "bare.log"):
        result = measure("bare ASGI, 50 KB", request, options, 200)
    return {"label": "baseline", "results": [result], "check": None, "problems": []}


# --- PostgreSQL -----------------------------------------------------------


def _pg_admin(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def with_postgresql(server: str, name: str, work: Callable[[str], dict]) -> dict:
    """Run `work` on a scratch database that is dropped afterwards, whatever happens."""
    _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(server, f'CREATE DATABASE "{name}"')
    try:
        return work(f"{server}/{name}")
    finally:
        _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Isso ------------------------------------------------------------------

ISSO_CONFIG = """[general]
dbpath = {db}
host = http://127.0.0.1:{port}
[server]
listen = http://127.0.0.1:{port}
[guard]
enabled = false
[moderation]
enabled = false
"""


def isso_page(base: str, size: int) -> Request:
    # What Isso's embed.js asks for by default: all top-level comments, 5 replies each.
    return Request(f"{base}/?{urlencode({'uri': f'/thread-{size}', 'nested_limit': 5})}")


def isso_counts(base: str) -> Request:
    body = json.dumps([f"/{key}" for key in seed.COUNT_KEYS]).encode()
    return Request(f"{base}/count", "POST", {"Content-Type": "application/json"}, body)


def run_isso(venv: Path, plan: dict, options: Options, workdir: Path) -> dict:
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    config = workdir / "isso.cfg"
    config.write_text(ISSO_CONFIG.format(db=workdir / "isso.db", port=port))
    print("\n== Isso: seeding ...", flush=True)
    seeder = Path(__file__).resolve().parent / "isso_seed.py"
    subprocess.run(
        [str(venv / "bin" / "python"), str(seeder), str(config)],
        input=seed.plan_json(plan),
        text=True,
        check=True,
    )
    command = [str(venv / "bin" / "isso"), "-c", str(config), "run"]
    results = []
    with servers.running(command, {}, isso_counts(base), workdir / "isso.log"):
        slow = Options(options.duration, min(options.connections, 4), options.sizes, 1, "", False)
        for size in options.sizes:
            request = isso_page(base, size)
            warm = servers.probe(request)  # the first request fills Isso's caches
            timed = servers.probe(request)
            if timed.seconds > SLOW_REQUEST_SECONDS:
                measured = measure_sequential(
                    f"page {size}", request, options.duration, timed.seconds
                )
                results.append(replace(measured, bytes=len(warm.body)))
            else:
                results.append(measure(f"page {size}", request, slow, 200))
        results.append(measure("counts 50", isso_counts(base), slow, 200))
    return {"label": "Isso", "results": results, "check": None, "problems": []}


def check_isso_venv(venv: Path) -> None:
    if not (venv / "bin" / "isso").exists():
        raise SystemExit(
            f"no Isso in {venv}: python3 -m venv {venv} && {venv}/bin/pip install isso"
        )


# --- report ------------------------------------------------------------------


def print_table(title: str, rows: list[Measured]) -> None:
    print(f"\n{title}")
    print(
        f"{'scenario':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'1 req ms':>10}"
        f"{'bytes':>10}{'errors':>8}{'CPU ms':>8}"
    )
    for row in rows:
        r = row.result
        print(
            f"{row.name:<28}{r.rps:>10.1f}{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}{row.unloaded_ms:>10.2f}"
            f"{row.bytes:>10}{r.errors:>8}{row.cpu_ms:>8.2f}"
        )


def _find(rows: list[Measured], name: str) -> Measured | None:
    return next((row for row in rows if row.name == name or row.name.startswith(name + " (")), None)


def goal_lines(rows: list[Measured], sizes: tuple[int, ...]) -> list[str]:
    lines = []

    def verdict(ok: bool, text: str) -> None:
        lines.append(f"{'PASS' if ok else 'FAIL'}  {text}")

    page = _find(rows, f"page {REFERENCE}")
    large = _find(rows, f"page {max(sizes)}")
    revalidate = _find(rows, f"304 page {REFERENCE}")
    post = _find(rows, "post comment")
    if page:
        r = page.result
        verdict(
            r.rps >= 3000 and r.p99_ms < 50,
            f"page {REFERENCE}: {r.rps:.0f} req/s (goal >= 3000), p99 {r.p99_ms:.1f} ms (goal < 50)",
        )
        verdict(r.rps >= 10000, f"page {REFERENCE} stretch: {r.rps:.0f} req/s (aim 10000)")
    if page and large and large is not page:
        ratio = large.result.rps / page.result.rps
        verdict(
            ratio >= 0.8,
            f"page {max(sizes)} vs {REFERENCE}: {ratio:.0%} of the req/s (goal >= 80%)",
        )
        growth = large.bytes / page.bytes
        # Informational: a page holds at most 20 top-level comments with their
        # first replies, so its size depends on how busy those are, not on the thread.
        lines.append(
            f"INFO  page size {max(sizes)} vs {REFERENCE}: {large.bytes} vs {page.bytes} bytes "
            f"({growth:.2f}x); bounded by the page parameters, not by the thread"
        )
    built = _find(rows, f"page {REFERENCE}, no cache")
    built_revalidate = _find(rows, f"304 page {REFERENCE}, no cache")
    if built and built_revalidate:
        ratio = built_revalidate.result.rps / built.result.rps
        verdict(
            ratio >= 2,
            f"304 vs full page as built (page cache off): {ratio:.2f}x the req/s (goal >= 2x)",
        )
    if page and revalidate:
        ratio = revalidate.result.rps / page.result.rps
        lines.append(
            f"INFO  304 vs full page from the page cache: {ratio:.2f}x the req/s; a cached page "
            "costs about what a 304 does, both near the bare-ASGI ceiling above"
        )
    core_post = _find(rows, "post comment, model off")
    if core_post:
        verdict(
            core_post.result.rps >= 300,
            f"posting, toxicity model off: {core_post.result.rps:.0f} comments/s (goal >= 300)",
        )
        lines.append(f"INFO  posting, model off: {core_post.cpu}")
    if post:
        lines.append(
            f"INFO  posting with the on-device toxicity model on (the default): "
            f"{post.result.rps:.0f} comments/s; {post.cpu}"
        )
    errors = sum(row.result.errors for row in rows)
    verdict(errors == 0, f"no errors or 4xx/5xx answers under load ({errors} seen)")
    return lines


def ratio_lines(rostra: dict, isso: dict) -> list[str]:
    """Throughput ratios under load, and single-request latency ratios (the
    loaded p50s are not comparable: Isso runs with fewer connections)."""
    lines = [f"\nRostra ({rostra['label']}) vs Isso"]
    for row in isso["results"]:
        base_name = row.name.split(" (")[0]
        mine = _find(rostra["results"], base_name)
        if mine is None or not row.result.rps or not mine.unloaded_ms:
            continue
        rps = mine.result.rps / row.result.rps
        latency = row.unloaded_ms / mine.unloaded_ms
        lines.append(
            f"  {base_name:<12} req/s {mine.result.rps:>8.0f} vs {row.result.rps:>7.1f}"
            f" = {rps:>7.1f}x   one request {mine.unloaded_ms:>6.2f} ms vs"
            f" {row.unloaded_ms:>8.2f} ms ({latency:.1f}x)"
        )
    return lines


def report(runs: list[dict], options: Options) -> None:
    client = "wrk -t1" if loadgen.have_wrk() else "Python asyncio client"
    baseline = next((run for run in runs if run["label"] == "baseline"), None)
    if baseline and baseline["results"]:
        row = baseline["results"][0]
        print(f"\nbaseline, {client}, {options.connections} connections: {row.name}")
        print(
            f"  {row.result.rps:.0f} req/s, p50 {row.result.p50_ms:.2f} ms, p99 {row.result.p99_ms:.2f} ms"
        )
        print(f"  {row.cpu}")
        print("  (the most this machine serves right now: compare runs at similar baselines)")
    runs = [run for run in runs if run["label"] != "baseline"]
    for run in runs:
        title = f"{run['label']}: {client}, {options.connections} connections, {options.duration:g} s per scenario"
        if run["label"] == "Isso":
            title = f"Isso (werkzeug, 1 process): {client}, up to 4 connections or sequential"
        print_table(title, run["results"])
        pages = [
            row
            for row in run["results"]
            if row.name.startswith("page ") and "no cache" not in row.name
        ]
        print(
            "page sizes: "
            + ", ".join(f"{row.name.split()[1]} comments: {row.bytes} B" for row in pages)
        )
        if run["label"] != "Isso":
            note = (
                ""
                if run["label"].startswith("SQLite")
                else "  (goals are set for SQLite; shown for reference)"
            )
            print("checks vs goals" + note)
            for line in goal_lines(run["results"], options.sizes) + [run["check"]]:
                print("  " + line)
        for problem in run["problems"]:
            print(f"  FAIL  {problem}")
    isso = next((run for run in runs if run["label"] == "Isso"), None)
    for run in runs:
        if isso and run is not isso:
            print("\n".join(ratio_lines(run, isso)))


def warn_if_busy() -> None:
    """The figures are only comparable on an otherwise idle machine."""
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    print(f"{cores} cores, load average {load:.2f} before the run")
    if load > 0.5:
        print("warning: the machine is busy; figures will be lower and noisier", file=sys.stderr)


def attempt(runs: list[dict], label: str, work: Callable[[], dict]) -> None:
    """A backend that cannot be measured is reported; the others still run."""
    try:
        runs.append(work())
    except Exception as exc:  # noqa: BLE001 - any failure becomes a line in the report
        print(f"{label} failed: {exc}", file=sys.stderr)
        runs.append({"label": label, "results": [], "check": None, "problems": [str(exc)]})


# --- main --------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--duration", type=float, default=10, help="seconds per scenario [10]")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections [32]")
    parser.add_argument("--workers", type=int, default=2, help="rostra serve --workers [2]")
    parser.add_argument("--isso", type=Path, help="an Isso virtualenv to run beside Rostra")
    parser.add_argument("--quick", action="store_true", help="small seed, 2 s runs: a smoke check")
    parser.add_argument(
        "--pg-server", default="postgresql://127.0.0.1", help="PostgreSQL server URL (trust auth)"
    )
    parser.add_argument(
        "--pg-database", default="rostra_bench", help="scratch database, dropped at the end"
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        help="server log level; info adds an access log line per request",
    )
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the runs with the page cache off"
    )
    parser.add_argument(
        "--no-model-off", action="store_true", help="skip posting with the toxicity model off"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work directory (databases, logs)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.isso:
        check_isso_venv(args.isso)
    if not loadgen.have_wrk():
        print(loadgen.WRK_MISSING + "; using the Python client", file=sys.stderr)
    options = Options(
        duration=2 if args.quick else args.duration,
        connections=args.connections,
        sizes=QUICK_SIZES if args.quick else FULL_SIZES,
        workers=args.workers,
        log_level=args.log_level,
        uncached=not args.no_uncached,
        model_off=not args.no_model_off,
    )
    warn_if_busy()
    plan = seed.planned_threads(options.sizes)
    print("seed plan:\n" + "\n".join(seed.describe_plan(plan)))
    workdir = Path(tempfile.mkdtemp(prefix="rostra-bench-"))
    runs: list[dict] = []
    sqlite_label = f"SQLite, {options.workers} workers"
    pg_label = f"PostgreSQL, {options.workers} workers"
    try:
        attempt(runs, "baseline", lambda: run_baseline(options, workdir))
        if args.backend in ("sqlite", "both"):
            url = str(workdir / "rostra.db")
            attempt(
                runs, sqlite_label, lambda: run_rostra(sqlite_label, url, plan, options, workdir)
            )
        if args.backend in ("postgresql", "both"):
            attempt(
                runs,
                pg_label,
                lambda: with_postgresql(
                    args.pg_server,
                    args.pg_database,
                    lambda url: run_rostra(pg_label, url, plan, options, workdir),
                ),
            )
        if args.isso:
            attempt(runs, "Isso", lambda: run_isso(args.isso, plan, options, workdir))
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report(runs, options)


if __name__ == "__main__":
    main()
