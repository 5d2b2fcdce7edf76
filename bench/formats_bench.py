"""Import rate and peak memory of every importer on the same synthetic site.

    python bench/formats_bench.py [--size 100000] [--backends sqlite postgresql]

Writes bench/synthetic.py's site of --size comments once per format under
--workdir (bench/gen_formats.py; Rostra's own export is made by importing the
Disqus file and exporting it), then imports each file as its own process into
a new database, reading that process's peak RSS from the kernel, and imports
it again to time a re-import that finds nothing new. Each import must account
for every comment in the file.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_formats import WRITERS  # noqa: E402
from import_bench import ROSTRA, add_bench_site, run_command, scratch_database  # noqa: E402

FORMATS = ("disqus", "wordpress", "isso", "remark42", "commento", "rostra")


def _rostra_export(size: int, workdir: Path, target: Path) -> None:
    disqus = _export(size, "disqus", workdir)
    url, cleanup = scratch_database("sqlite", workdir)
    try:
        add_bench_site(url)
        run_command([ROSTRA, "import", "disqus", str(disqus), "--site", "bench", "--database", url])
        run_command([ROSTRA, "export", "--site", "bench", "--format", "rostra", "--output",
                     str(target), "--database", url])  # fmt: skip
    finally:
        cleanup()


def _export(size: int, form: str, workdir: Path) -> Path:
    path = workdir / f"{form}-{size}.export"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        if form == "rostra":
            _rostra_export(size, workdir, partial)
        else:
            WRITERS[form](size, str(partial), 1)
        partial.rename(path)
    return path


def _import(form: str, export: Path, url: str) -> list[str]:
    return [ROSTRA, "import", form, str(export), "--site", "bench", "--database", url, "--json"]


def bench(size: int, form: str, backend: str, workdir: Path) -> None:
    export = _export(size, form, workdir)
    url, cleanup = scratch_database(backend, workdir)
    try:
        add_bench_site(url)
        seconds, peak, output = run_command(_import(form, export, url))
        again, _, second = run_command(_import(form, export, url))
    finally:
        cleanup()
    report, unchanged = json.loads(output)["comments"], json.loads(second)["comments"]
    accounted = report["imported"] + report["updated"] + sum(report["skipped"].values())
    if accounted != report["seen"] or unchanged["imported"] or unchanged["updated"]:
        raise SystemExit(f"{form}: the import did not account for every comment: {output}")
    print(
        f"{form:<10} {backend:<10} {report['seen']:>9,} comments {seconds:7.1f} s"
        f" {report['seen'] / seconds:8,.0f}/s  (own timer {json.loads(output)['seconds']:.1f} s)"
        f"  peak RSS {peak:4d} MiB  file {export.stat().st_size / 2**20:6.1f} MiB"
        f"  (re-import, nothing new: {again:.1f} s)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/rostra-formats-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for form in args.formats:
        for backend in args.backends:
            bench(args.size, form, backend, args.workdir)


if __name__ == "__main__":
    main()
