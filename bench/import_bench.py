"""Import rate and peak memory of `rostra import disqus` into SQLite and PostgreSQL,
and the time to export the imported site again in both formats.

    python bench/import_bench.py [--sizes 100000 1000000] [--backends sqlite postgresql]

Generates the synthetic exports (bench/gen_disqus.py) once under --workdir,
then runs each import as its own process and reads that process's peak RSS
from the kernel (wait4), so the figure covers the parser, the writer and the
body-rendering workers' parent. PostgreSQL uses ROSTRA_TEST_POSTGRES (an
admin URL, as the tests do) to create and drop a scratch database.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from gen_disqus import generate  # noqa: E402

ROSTRA = str(Path(sys.executable).with_name("rostra"))
POSTGRES_ADMIN = os.environ.get("ROSTRA_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


def run_command(args: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MiB, and standard output of one command."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as errors:  # progress lines, and why it failed
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors, text=True)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)  # reaped here, for its peak RSS
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args)} failed:\n{output}{errors.read()}")
    return time.monotonic() - started, usage.ru_maxrss // 1024, output


def add_bench_site(url: str) -> None:
    """The site every import benchmark imports into."""
    run_command(
        [ROSTRA, "site", "add", "bench", "--origin", "https://news.example", "--database", url]
    )


def scratch_database(backend: str, workdir: Path) -> tuple[str, object]:
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        return str(path), lambda: [p.unlink(missing_ok=True) for p in workdir.glob(f"{path.name}*")]
    name = f"rostra_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}", drop


def _reads(url: str) -> str:
    """Milliseconds (best of five) of reads that must not grow with the site: a
    thread's feed, the site's feed, and moderators' queues."""
    from rostra.admin.accounts import Moderator, Role
    from rostra.admin.queue import queue_page
    from rostra.service.feeds import site_feed, thread_feed
    from rostra.store.database import open_database

    db = open_database(url)
    admin = Moderator(1, "bench", Role.ADMIN, frozenset())

    def queue(name: str):
        # As /admin shows it: the page's items with their authors' records.
        queue_page(db, admin, name, None, 1)

    reads = {
        "thread feed": lambda: thread_feed(db, "bench", "article-1", None, "http://127.0.0.1"),
        "site feed": lambda: site_feed(db, "bench", "http://127.0.0.1"),
        **{
            f"{name} queue": (lambda name=name: queue(name))
            for name in ("held", "reported", "recent", "rejected")
        },
    }
    best = {}
    for name, read in reads.items():
        times = []
        for _ in range(5):
            started = time.perf_counter()
            read()
            times.append(time.perf_counter() - started)
        best[name] = min(times) * 1000
    db.dispose()
    return ", ".join(f"{name} {ms:.1f} ms" for name, ms in best.items())


def bench(size: int, backend: str, workdir: Path) -> None:
    export = workdir / f"disqus-{size}.xml"
    if not export.exists():
        generate(size, str(export))
    url, cleanup = scratch_database(backend, workdir)
    try:
        add_bench_site(url)
        seconds, peak, output = run_command(
            [
                ROSTRA,
                "import",
                "disqus",
                str(export),
                "--site",
                "bench",
                "--database",
                url,
                "--json",
            ]
        )
        again, _, _ = run_command(
            [ROSTRA, "import", "disqus", str(export), "--site", "bench", "--database", url]
        )
        exports = {
            form: run_command(
                [ROSTRA, "export", "--site", "bench", "--format", form, "--database", url,
                 "--output", str(workdir / f"export.{form}")]
            )[:2]
            for form in ("rostra", "disqus")
        }  # fmt: skip
        reads = _reads(url)
        # The generated comments are years old: the first hourly retention pass
        # clears every IP hash and email the import brought.
        pruned, _, pruned_output = run_command([ROSTRA, "privacy", "prune", "--database", url])
    finally:
        cleanup()
        for form in ("rostra", "disqus"):
            (workdir / f"export.{form}").unlink(missing_ok=True)
    # The import's own timer leaves out the interpreter's start and the site lookup.
    inside = json.loads(output)["seconds"]
    print(
        f"{size:>9,} comments  {backend:<10}  {seconds:7.1f} s  {size / seconds:8,.0f} comments/s"
        f"  (import's own timer {inside:.1f} s, {size / inside:,.0f}/s)"
        f"  peak RSS {peak:4d} MiB  (re-import, nothing new: {again:.1f} s)",
        flush=True,
    )
    print(f"           reads of the imported site: {reads}", flush=True)
    print(
        "           exported again: "
        + ", ".join(f"{form} {t:.1f} s (peak RSS {m} MiB)" for form, (t, m) in exports.items()),
        flush=True,
    )
    print(
        f"           retention pass after it: {pruned:.1f} s ({pruned_output.strip()})", flush=True
    )
    if "--verbose" in sys.argv:
        print(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/rostra-import-bench"))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"cores: {len(os.sched_getaffinity(0))}, load: {os.getloadavg()[0]:.1f}")
    for size in args.sizes:
        for backend in args.backends:
            bench(size, backend, args.workdir)


if __name__ == "__main__":
    main()
