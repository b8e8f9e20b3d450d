"""How fast is ``citycat validate`` on a big catalogue, and where does the time go?

    python bench/validate_bench.py [--sizes 1000 10000] [--keep DIR] [--profile]

For each size: generate a synthetic catalogue (bench/generate.py), then measure
  - the bare ``yaml.compose`` of datasets.yaml with yaml.CSafeLoader, gc paused and gc on;
  - ``citycat validate --no-cache`` as a subprocess: wall clock and peak memory (each run in its
    own child, so ru_maxrss belongs to that run);
  - a repeat run on the unchanged catalogue (the cache filled by one run before);
  - the startup floor: ``citycat version``.
Then an in-process breakdown of the largest size (load, each check, output) and, with
``--profile``, a cProfile of one in-process validate.

It prints figures and ratios only: no timed assertions, nothing fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (bench/generate.py)

TODAY = "2026-11-28"
GOAL_SIZE = 10_000
GOAL_RATIO = 2.5  # validate ≤ 2.5 × bare compose (gc paused)
GOAL_VALIDATE = 5.0  # seconds
GOAL_REPEAT = 0.5  # seconds

# Runs one command in its own child and reports that child's wall clock and peak memory.
RUNNER = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, ru.ru_maxrss, p.returncode, ru.ru_utime + ru.ru_stime)
"""


def citycat_command() -> list[str]:
    exe = Path(sys.executable).parent / "citycat"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("citycat")
    return [found] if found else [sys.executable, "-m", "citycat"]


def run_child(cmd: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", RUNNER, *cmd], capture_output=True, text=True, check=True)
    wall, rss_kb, rc, cpu = out.stdout.split()
    return {"wall": float(wall), "rss_mb": int(rss_kb) / 1024, "rc": int(rc), "cpu": float(cpu)}


def best_child(cmd: list[str], repeat: int) -> dict:
    runs = [run_child(cmd) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["wall"])
    return {**best, "rss_mb": max(r["rss_mb"] for r in runs), "rcs": sorted({r["rc"] for r in runs})}


def time_compose(text: str, repeat: int, paused: bool) -> float:
    loader = yaml.CSafeLoader
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        enabled = gc.isenabled()
        if paused:
            gc.disable()
        try:
            t = time.perf_counter()
            node = yaml.compose(text, Loader=loader)
            elapsed = time.perf_counter() - t
        finally:
            if enabled:
                gc.enable()
        del node
        best = min(best, elapsed)
    gc.collect()
    return best


def prepare(n: int, base: Path, fresh: bool) -> Path:
    folder = base / str(n)
    if fresh or not (folder / "datasets.yaml").exists():
        t = time.perf_counter()
        generate.generate(n, folder)
        print(f"  generated {n:,} datasets in {time.perf_counter() - t:.1f} s → {folder}", file=sys.stderr)
    else:
        print(f"  reusing {folder}", file=sys.stderr)
    return folder


def counts(root: Path, citycat: list[str]) -> tuple[int, int]:
    """Run validate once with the cache on (this fills it); return errors and warnings."""
    out = subprocess.run(
        [*citycat, "validate", "--root", str(root), "--today", TODAY, "--format", "json"],
        capture_output=True,
        text=True,
    )
    try:
        data = json.loads(out.stdout)
        return int(data["errors"]), int(data["warnings"])
    except (ValueError, KeyError):
        return -1, -1


def measure(n: int, root: Path, citycat: list[str], repeat: int) -> dict:
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    m = {"n": n, "mb": path.stat().st_size / 1e6}
    m["compose_paused"] = time_compose(text, repeat, paused=True)
    m["compose_gc"] = time_compose(text, repeat, paused=False)
    del text
    print(f"  {n:,}: compose done; validate --no-cache ×{repeat}…", file=sys.stderr)
    base = [*citycat, "validate", "--root", str(root), "--today", TODAY]
    cold = best_child([*base, "--no-cache"], repeat)
    m["validate"], m["validate_rss"], m["validate_cpu"], m["validate_rcs"] = (
        cold["wall"],
        cold["rss_mb"],
        cold["cpu"],
        cold["rcs"],
    )
    shutil.rmtree(root / ".citycat-cache", ignore_errors=True)
    m["errors"], m["warnings"] = counts(root, citycat)  # fills the cache
    warm = best_child(base, repeat)
    m["repeat"], m["repeat_rss"] = warm["wall"], warm["rss_mb"]
    m["floor"] = best_child([*citycat, "version"], repeat)["wall"]
    m["ratio"] = m["validate"] / m["compose_paused"]
    return m


def mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_table(results: list[dict]) -> None:
    w = 17
    print()
    print(f"{'':40}" + "".join(f"{r['n']:>{w},}" for r in results))
    print("-" * (40 + w * len(results)))

    def row(label: str, cells: list[str]) -> None:
        print(f"{label:40}" + "".join(f"{c:>{w}}" for c in cells))

    row("datasets.yaml (MB)", [f"{r['mb']:.2f}" for r in results])
    row("yaml.compose, gc paused (s)", [f"{r['compose_paused']:.3f}" for r in results])
    row("yaml.compose, gc on (s)", [f"{r['compose_gc']:.3f}" for r in results])
    row("  gc on / gc paused", [f"{r['compose_gc'] / r['compose_paused']:.2f}x" for r in results])
    row(
        "validate --no-cache, wall (s)",
        [f"{r['validate']:.2f} {mark(r['validate'] < GOAL_VALIDATE)}" for r in results],
    )
    row("  CPU user+sys (s)", [f"{r['validate_cpu']:.2f}" for r in results])
    row("  peak memory (MB)", [f"{r['validate_rss']:.0f}" for r in results])
    row("  errors / warnings", [f"{r['errors']} / {r['warnings']}" for r in results])
    row(
        "validate / compose (gc paused)",
        [f"{r['ratio']:.1f}x {mark(r['ratio'] <= GOAL_RATIO)}" for r in results],
    )
    row(
        "repeat run, cache warm (s)",
        [f"{r['repeat']:.3f} {mark(r['repeat'] < GOAL_REPEAT)}" for r in results],
    )
    row("  peak memory (MB)", [f"{r['repeat_rss']:.0f}" for r in results])
    row("startup floor: citycat version (s)", [f"{r['floor']:.3f}" for r in results])
    print()
    goal = next((r for r in results if r["n"] == GOAL_SIZE), None)
    note = ""
    if goal is None:
        goal, note = results[-1], f" (no {GOAL_SIZE:,} run: shown for {results[-1]['n']:,})"
    print(
        f"Goals: {GOAL_SIZE:,} entries validated in at most {GOAL_RATIO}x the bare compose time (gc paused) "
        f"and under {GOAL_VALIDATE:g} s; repeat run under {GOAL_REPEAT} s{note}"
    )
    limit = GOAL_RATIO * goal["compose_paused"]
    print(
        f"  validate ≤ {GOAL_RATIO}x compose  {goal['validate']:8.2f} s vs {limit:.2f} s "
        f"({goal['ratio']:.1f}x)   {mark(goal['ratio'] <= GOAL_RATIO)}"
    )
    print(
        f"  validate < {GOAL_VALIDATE:g} s         {goal['validate']:8.2f} s   {mark(goal['validate'] < GOAL_VALIDATE)}"
    )
    print(
        f"  repeat run < {GOAL_REPEAT} s      {goal['repeat']:8.3f} s   {mark(goal['repeat'] < GOAL_REPEAT)}"
    )
    for r in results:
        if r["errors"] != 0 or r["validate_rcs"] != [0]:
            print(
                f"  NOTE: the {r['n']:,} catalogue is not valid (errors {r['errors']}, exit {r['validate_rcs']}): "
                "the figures measure error reporting too"
            )


def timed(fn, *args):
    t = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - t, value


def breakdown(root: Path, warmup: Path) -> None:
    """One in-process validate, stage by stage, as citycat runs it (gc on) and with gc paused.

    A validate of a tiny catalogue (``warmup``) runs first, so first-use costs (imports,
    Frictionless's plugin set-up) are shown on their own line and not charged to a stage.
    """
    today = dt.date.fromisoformat(TODAY)
    t_import, _ = timed(lambda: __import__("citycat.pipeline.validate"))
    from citycat import checks
    from citycat.checks import fields, files, output, rules, tables
    from citycat.pipeline import validate
    from citycat.source.load import load
    from citycat.source.tables import build_tables
    from citycat.source.yamlsafe import load_bytes

    t_fric, _ = timed(lambda: __import__("frictionless"))
    data = (root / "datasets.yaml").read_bytes()
    rows: list[tuple[str, float, float | None]] = []

    def stage(label: str, fn, *args, paused_too: bool = True):
        gc.collect()
        t_on, value = timed(fn, *args)
        t_off = None
        if paused_too:
            del value  # free the first result: the second run must not pay for a bigger heap
            gc.collect()
            gc.disable()
            try:
                t_off, value = timed(fn, *args)
            finally:
                gc.enable()
        rows.append((label, t_on, t_off))
        return value

    rows.append(("import citycat (first import)", t_import, None))
    rows.append(("import frictionless (first import)", t_fric, None))
    if not (warmup / "datasets.yaml").exists():
        generate.generate(20, warmup)
    rows.append(
        ("warm-up: validate 20 datasets (first use)", timed(validate.validate, warmup, today, False)[0], None)
    )
    stage("validate.content_key (cache key hash)", validate.content_key, root, today, paused_too=False)
    stage("yamlsafe.load_bytes(datasets.yaml)", load_bytes, data, "datasets.yaml")
    loaded = stage("load.load (all files → Catalogue)", load, root)
    cat = loaded.catalogue
    found = list(loaded.findings)
    found += stage("checks.fields.check", fields.check, cat)
    stage("  tables.build_tables (part of next)", build_tables, cat)
    found += stage("checks.tables.check (Frictionless)", tables.check, cat)
    found += stage("checks.rules.check", rules.check, cat, today)
    found += stage("checks.files.check", files.check, cat)
    stage("checks.run (all four)", checks.run, cat, today, paused_too=False)

    def finish():
        unique = {
            (f.code, f.loc, f.dataset, json.dumps(f.params, sort_keys=True, default=str)): f for f in found
        }
        return tuple(sorted(unique.values(), key=lambda f: f.sort_key()))

    findings = stage("dedupe + sort findings", finish)
    count = len(cat.datasets)
    stage(
        "output.text (render findings)",
        lambda: sum(1 for _ in output.text(findings, root, "vi", False, count)),
    )
    del loaded, cat
    gc.collect()
    total = stage("validate.validate(use_cache=False) total", validate.validate, root, today, False)
    del total

    print(f"\nIn-process breakdown, {root.name} datasets (one run each; s)")
    print(f"{'stage':44}{'gc on':>10}{'gc paused':>12}")
    print("-" * 66)
    for label, on, off in rows:
        print(f"{label:44}{on:>10.3f}{(f'{off:.3f}' if off is not None else '-'):>12}")


def profile(root: Path, top: int = 25) -> None:
    import cProfile
    import io
    import pstats

    import frictionless  # noqa: F401  (import cost is not what we profile)

    from citycat.pipeline import validate

    today = dt.date.fromisoformat(TODAY)
    prof = cProfile.Profile()
    prof.enable()
    validate.validate(root, today, use_cache=False)
    prof.disable()
    for key, n in (("cumulative", top), ("tottime", 15)):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(n)
        text = buf.getvalue()
        start = text.find("   ncalls")
        print(f"\ncProfile of one in-process validate, {root.name} datasets: top {n} by {key}")
        print(text[start:].rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="generate into DIR/<size> and keep it; reuse it next time")
    parser.add_argument("--fresh", action="store_true", help="with --keep: generate again even if present")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing, best taken (default 3)")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one in-process validate of the largest size"
    )
    parser.add_argument("--no-breakdown", action="store_true", help="skip the in-process breakdown")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress (stderr) and figures (stdout) in order
    sizes = sorted(set(args.sizes))
    citycat = citycat_command()
    tmp = None
    if args.keep:
        base = args.keep.resolve()
        base.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="citycat-bench-")
        base = Path(tmp.name)
    try:
        print(
            f"citycat validate benchmark — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
            f"PyYAML {yaml.__version__} (libyaml {'yes' if yaml.__with_libyaml__ else 'NO'}), today={TODAY}",
            flush=True,
        )
        results = []
        for n in sizes:
            root = prepare(n, base, args.fresh)
            results.append(measure(n, root, citycat, args.repeat))
        print_table(results)
        largest = base / str(sizes[-1])
        if not args.no_breakdown:
            breakdown(largest, base / "warmup-20")
        if args.profile:
            profile(largest)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
