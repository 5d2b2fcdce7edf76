"""Rate of `rostra moderation sweep` over freshly imported comments, on one core.

    python bench/sweep_bench.py [--size 5000] [--backends sqlite postgresql]

Imports a synthetic Disqus export (bench/gen_disqus.py) into a scratch
database, then times the sweep as its own process, pinned to one CPU (one worker) and
then on every core (a worker per core); --all, so both runs check everything.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_disqus import generate  # noqa: E402
from import_bench import ROSTRA, _database, _run  # noqa: E402


def bench(size: int, backend: str, workdir: Path) -> None:
    export = workdir / f"disqus-{size}.xml"
    if not export.exists():
        generate(size, str(export))
    url, cleanup = _database(backend, workdir)
    one_core = ["taskset", "-c", "0"] if os.path.exists("/usr/bin/taskset") else []
    try:
        _run(
            [ROSTRA, "site", "add", "bench", "--origin", "https://news.example", "--database", url]
        )
        _run([ROSTRA, "import", "disqus", str(export), "--site", "bench", "--database", url])
        os.environ["OMP_NUM_THREADS"] = "1"
        sweep = [ROSTRA, "moderation", "sweep", "--site", "bench", "--database", url]
        for cores, command in (("one core", one_core), ("all cores", [])):
            seconds, peak, output = _run([*command, *sweep, "--all"])
            _print(backend, cores, seconds, peak, output)
    finally:
        cleanup()


def _print(backend: str, cores: str, seconds: float, peak: int, output: str) -> None:
    checked = int(output.split("Checked ", 1)[1].split(" ", 1)[0])
    held = output.split("\n")[2].strip()
    print(
        f"{checked:>7,} comments  {backend:<10} {cores:<9}  {seconds:6.1f} s  "
        f"{checked / seconds:6,.0f} comments/s (process start and model load included)  "
        f"peak RSS {peak} MiB  {held}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends:
            bench(args.size, backend, Path(workdir))


if __name__ == "__main__":
    main()
