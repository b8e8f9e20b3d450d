"""Time ``citycat build`` on generated catalogues, and a rebuild after changing one entry, and
build the same datasets side by side as a JKAN-style Jekyll site and a Hugo site.

    python bench/build_bench.py [--sizes 1000 10000] [--keep DIR] [--no-peers]

Prints wall time, the number of pages and files written, and the size of the output folder,
beside the goals of the site issue (10,000 datasets built in under 10 s; a rebuild after one
change under 2 s). Then, for each size, a cold build by citycat, Debian's ``jekyll`` and
``hugo`` of the same datasets (``peers.py`` writes the two peer sites into a temporary folder):
wall and CPU seconds (user + system, the build's processes together), citycat's as ratios to
each peer's, peak memory (the largest process), output size and file count, and the largest
list page's HTML. No assertion: figures only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CITYCAT = [sys.executable, "-m", "citycat"]


def run(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    res = subprocess.run(CITYCAT + args, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if res.returncode != 0:
        raise SystemExit(f"citycat {' '.join(args)} failed:\n{res.stderr[-2000:]}")
    return elapsed, res.stdout.strip()


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="generate into DIR/<N> and reuse it")
    parser.add_argument("--breakdown", action="store_true", help="then CPU seconds by stage, largest size")
    parser.add_argument(
        "--serve", action="store_true", help="then rebuilds in citycat serve after edits, largest size"
    )
    parser.add_argument("--no-peers", action="store_true", help="leave out the Jekyll and Hugo builds")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="citycat-build-bench-"))
    os.environ["XDG_CACHE_HOME"] = str(base / "user-cache")  # where citycat build keeps its state
    print(
        f"{'datasets':>9} {'cold (s)':>9} {'keeping (s)':>12} {'warm (s)':>9} {'pages':>7} {'files':>7}"
        f" {'output (MB)':>12}"
    )
    for n in args.sizes:
        root = base / str(n)
        if not (root / "datasets.yaml").is_file():
            subprocess.run(
                [sys.executable, str(HERE / "generate.py"), str(n), str(root)],
                check=True,
                capture_output=True,
            )
        out = root.parent / f"{n}-site"
        day = ["--today", "2026-11-28"]
        cold, said = run(["build", "-C", str(root), "--out", str(out), *day])
        first, _ = run(["build", "-C", str(root), "--out", str(out), "--dirty", *day])  # keeps its state
        path = root / "datasets.yaml"
        text = path.read_text("utf-8")
        path.write_text(text.replace("Danh sách", "Danh mục", 1), "utf-8")  # change one entry
        try:
            again, _ = run(["build", "-C", str(root), "--out", str(out), "--dirty", *day])
        finally:
            path.write_text(text, "utf-8")
        words = said.split()
        pages, files = words[1], words[3]
        print(
            f"{n:>9,} {cold:>9.1f} {first:>12.1f} {again:>9.1f} {pages:>7} {files:>7}"
            f" {folder_size(out) / 1e6:>12.1f}"
        )
    print(
        "cold: citycat build; keeping: --dirty, a full build that keeps its state; warm: --dirty after one"
        " entry changed\ngoals at 10,000: cold ≤ 15 s, warm ≤ 3 s, output ≤ 600 MB and ≤ 50,000 files"
    )
    if not args.no_peers:
        side_by_side(base, args.sizes)
    if args.breakdown:
        breakdown(base / str(max(args.sizes)))
    if args.serve:
        serve_rebuilds(base / str(max(args.sizes)))


# ---------------------------------------------------------------------------------------------
# Side by side: citycat, a JKAN-style Jekyll site, a Hugo site


def timed(cmd: list[str], cwd: Path | None = None) -> dict:
    """Run ``cmd``; its wall seconds, CPU seconds (user + system, with the processes it waited
    for: ``wait4`` reports them together) and peak memory (MB, its largest process)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak": usage.ru_maxrss / 1024}


LIST_PAGES = {  # which pages of each output list datasets (citycat's annex, list/, is exempt)
    "citycat": re.compile(
        r"(en/)?((datasets|agencies|themes)/|(agencies|themes)/[^/]+/)?(page/\d+/)?index\.html"
    ),
    "jekyll": re.compile(r"(datasets|organizations)/index\.html"),
    "hugo": re.compile(r"datasets/index\.html"),
}


def output_figures(out: Path, lists: re.Pattern) -> dict:
    size = files = largest = 0
    largest_at = ""
    for folder, _, names in os.walk(out):
        for name in names:
            path = Path(folder, name)
            n = path.stat().st_size
            size, files = size + n, files + 1
            rel = path.relative_to(out).as_posix()
            if n > largest and lists.fullmatch(rel):
                largest, largest_at = n, rel
    return {"mb": size / 1e6, "files": files, "list_kb": largest / 1e3, "list_at": largest_at}


def side_by_side(base: Path, sizes: list[int]) -> None:
    """A cold build of each size by citycat, Jekyll (JKAN-style) and Hugo, and the ratios."""
    import peers  # (bench/peers.py, beside this script)

    tools = {"jekyll": shutil.which("jekyll"), "hugo": shutil.which("hugo")}
    print("\nSide by side, cold builds of the same datasets (ratios: citycat ÷ peer)")
    header = f"  {'datasets':>9} {'tool':<8} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'output MB':>10}"
    print(header + f" {'files':>7} {'largest list page':>18}   citycat ÷ peer: wall, CPU")
    for n in sizes:
        root = base / str(n)
        work = Path(tempfile.mkdtemp(prefix=f"citycat-peers-{n}-"))
        try:
            rows = {}
            out = work / "citycat"
            shutil.rmtree(root / ".citycat-cache", ignore_errors=True)
            rows["citycat"] = timed(
                [*CITYCAT, "build", "-C", str(root), "--out", str(out), "--today", "2026-11-28"]
            ) | output_figures(out, LIST_PAGES["citycat"])
            shutil.rmtree(out, ignore_errors=True)
            if tools["jekyll"]:
                src = peers.jekyll_site(root, work / "jekyll-src")
                out = work / "jekyll"
                rows["jekyll"] = timed(
                    [tools["jekyll"], "build", "--quiet", "-s", str(src), "-d", str(out)], cwd=work
                ) | output_figures(out, LIST_PAGES["jekyll"])
                shutil.rmtree(out, ignore_errors=True)
            if tools["hugo"]:
                src = peers.hugo_site(root, work / "hugo-src")
                out = work / "hugo"
                rows["hugo"] = timed(
                    [tools["hugo"], "--quiet", "--source", str(src), "--destination", str(out)], cwd=work
                ) | output_figures(out, LIST_PAGES["hugo"])
            mine = rows["citycat"]
            for tool, r in rows.items():
                ratio = (
                    ""
                    if tool == "citycat"
                    else f"   {mine['wall'] / r['wall']:.1f}×, {mine['cpu'] / r['cpu']:.1f}×"
                )
                page = f"{r['list_kb']:.0f} KB"
                print(
                    f"  {n:>9,} {tool:<8} {r['wall']:>7.1f} {r['cpu']:>7.1f} {r['peak']:>8.0f} {r['mb']:>10.1f}"
                    f" {r['files']:>7,} {page:>18}{ratio}"
                )
            print(
                f"  {'':>9} largest list pages: " + ", ".join(f"{t} {r['list_at']}" for t, r in rows.items())
            )
            missing = [t for t, path in tools.items() if not path]
            if missing:
                print(f"  (not found on PATH, left out: {', '.join(missing)})")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("goals: every list page ≤ 150 KB of HTML; a cold build of 1,000 datasets ≤ 3 s")


EDITS = {  # what a data officer does to one entry, as (label, old text, new text)
    "first edit after the build (warm-up)": ("trên địa bàn", "tại"),
    "a word in a description": ("trên địa bàn", "tại"),
    "a line added (later entries move)": ("    access: open\n", "    access: open\n    # checked\n"),
    "a title that moves in the order": ('vi: "Sổ', 'vi: "Ấn phẩm: Sổ'),
}


def settle() -> None:
    """Let the disk catch up (the replaced site being deleted, the feeds' writes flushed) so a
    rebuild is timed on its own, not against the last one's leftovers."""
    import os

    os.sync()
    while subprocess.run(["pgrep", "-f", "rm -rf -- .*old-"], capture_output=True).returncode == 0:
        time.sleep(0.5)
    time.sleep(1)


def serve_rebuilds(root: Path) -> None:
    """``citycat serve``'s rebuild after one edit (``citycat.pipeline.rebuild.Session``), in this
    process: the site (what the page shows), then the feeds (written in the background)."""
    import datetime as dt

    from citycat.pipeline.rebuild import Session

    out = root.parent / f"{root.name}-serve"
    session = Session(root, out, dt.date(2026, 11, 28), "public")
    started = time.perf_counter()
    session.build()
    print(f"\ncitycat serve, {root.name} datasets: first build {time.perf_counter() - started:.1f} s")
    session.feeds_ready.wait()
    settle()
    path = root / "datasets.yaml"
    original = path.read_text("utf-8")
    print(f"  {'edit':<36} {'site (s)':>9} {'feeds (s)':>10} {'entries':>8} {'pages':>6} {'files':>6}")
    try:
        for label, (old, new) in [*EDITS.items(), ("the same edit undone", (None, None))]:
            text = path.read_text("utf-8")
            path.write_text(original if old is None else text.replace(old, new, 1), "utf-8")
            started = time.perf_counter()
            built, report = session.rebuild()
            site = time.perf_counter() - started
            session.feeds_ready.wait()
            feeds_done = time.perf_counter() - started
            how = "full" if report.full else f"{report.changed:>8} {report.rendered:>6} {report.written:>6}"
            print(f"  {label:<36} {site:>9.2f} {feeds_done:>10.1f} {how}")
            print("      " + ", ".join(f"{k} {v:.2f}" for k, v in report.stages.items()))
            settle()
            if built is None:
                raise SystemExit("the edit made an error: " + str(report.findings[:1]))
    finally:
        path.write_text(original, "utf-8")
    print("goal: a rebuild after one change ≤ 1 s")


def breakdown(root: Path) -> None:
    """CPU seconds of each stage of a build, in this process, one after the other (what the
    build spreads over the cores), and the size of what each writes."""
    import datetime as dt

    from citycat import feeds
    from citycat.pipeline import stages
    from citycat.pipeline.validate import validate
    from citycat.quality import scores
    from citycat.site import views
    from citycat.site.render import Renderer
    from citycat.source.inputs import default_theme

    today = dt.date(2026, 11, 28)
    clock = time.process_time
    print(f"\nCPU seconds by stage, {root.name} datasets, one process:")

    def stage(label: str, started: float, size: int | None = None) -> float:
        extra = f" {size / 1e6:>8.1f} MB" if size is not None else ""
        print(f"  {label:<34} {clock() - started:>7.2f}{extra}")
        return clock()

    t = clock()
    result = validate(root, today, use_cache=False, need_catalogue=True, workers=1)
    t = stage("validate (load + checks)", t)
    c = result.catalogue
    scored = scores.score_all(c, result.findings, today)
    t = stage("scores", t)
    pages = views.pages(c, today, "public", scored)
    t = stage("views.pages", t)
    renderer = Renderer(c, default_theme(), today, "public", scored)
    size = sum(len(b) for _, b in renderer.datasets(c.datasets))
    t = stage("dataset pages, cards, annex rows", t, size)
    for name in feeds.names():
        size = sum(len(b) for _, b in feeds.module_files(name, c, today, "public"))
        t = stage(f"feed {name}", t, size)
    size = sum(len(b) for _, b in stages.site_files(renderer, (), pages, pages))
    stage("list pages, indexes, sitemap, Atom", t, size)


if __name__ == "__main__":
    main()
