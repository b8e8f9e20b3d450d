"""Time ``citycat release`` on generated catalogues: the whole command, then each of its stages.

    python bench/edition_bench.py [--sizes 1000 10000] [--keep DIR]

For each size: the wall time and peak memory of the real command (``citycat release`` in a
process of its own), the number of PDF pages and each file's size; then the stages timed in this
process (check the catalogue, make the annex, lay out and print the PDF with WeasyPrint, the DOCX,
the XLSX and CSV, the entries and changelog), so that it is clear where the time goes. The issue's
goal: an edition of 10,000 datasets in at most 60 s on this machine. No assertion: figures only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATE = dt.date(2026, 12, 31)
GOAL_SECONDS = 60


def timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    print(f"    {label:<34} {time.perf_counter() - started:7.1f} s")
    return value


def command(root: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "citycat",
            "release",
            "--root",
            str(root),
            "--date",
            DATE.isoformat(),
            "--decision",
            "123/QĐ-UBND",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"citycat release failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    verdict = "meets" if wall <= GOAL_SECONDS else "misses"
    print(
        f"  citycat release: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {after.ru_maxrss / 1024:.0f} MB "
        f"({verdict} the goal of {GOAL_SECONDS} s: {wall / GOAL_SECONDS:.2f}×)"
    )
    folder = root / "editions" / DATE.isoformat()
    pages = subprocess.run(["pdfinfo", str(folder / "annex.pdf")], capture_output=True, text=True).stdout
    count = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(folder.iterdir()))
    print(f"  {count} A4 pages; {sizes}")


def stages(root: Path) -> None:
    from citycat.edition import annex, changelog, paged, release, tables
    from citycat.edition import docx as docx_writer
    from citycat.pipeline.validate import validate
    from citycat.site import i18n
    from citycat.source.inputs import theme_for

    print("  stages, in this process:")
    result = timed("check and load the catalogue", validate, root, DATE, use_cache=False, need_catalogue=True)
    c = result.catalogue
    strings = i18n.load_strings(theme_for(root))
    meta = annex.Meta(DATE, "123/QĐ-UBND")
    vi = timed("the annex (vi, en)", lambda: annex.annex(c, meta, strings["vi"], "vi"))
    en = annex.annex(c, meta, strings["en"], "en")
    document = timed(
        "the annex's HTML",
        paged.html,
        "annex.html",
        a=vi,
        t=strings["vi"],
        words=annex.words(vi, strings["vi"]),
        widths=[w for _, w in annex.COLUMNS],
    )
    timed("PDF: WeasyPrint lays out and prints", paged.pdf, document)
    timed("DOCX: python-docx", docx_writer.docx, vi, strings["vi"])
    timed(
        "XLSX and CSV",
        lambda: (tables.xlsx_bytes({"vi": vi, "en": en}, strings), tables.csv_bytes(vi, strings["vi"])),
    )
    entries = timed("entries (datasets.json)", changelog.snapshot, c, vi)
    timed("changelog against itself", changelog.compare, entries, entries)
    timed("manifest and SHA-256", lambda: [release.sha256(document.encode())])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="keep the generated catalogues here")
    args = parser.parse_args(argv)
    base = args.keep or Path(tempfile.mkdtemp(prefix="citycat-edition-bench-"))
    print(f"citycat release: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    try:
        for n in args.sizes:
            root = base / f"n{n}"
            if not (root / "datasets.yaml").exists():
                subprocess.run(
                    [sys.executable, str(HERE / "generate.py"), str(n), str(root)],
                    check=True,
                    capture_output=True,
                )
            shutil.rmtree(root / "editions", ignore_errors=True)
            print(f"\n{n:,} datasets")
            command(root)
            stages(root)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
