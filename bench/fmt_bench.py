"""``citycat fmt`` and ``fmt --check`` on generated lists: where the time goes.

    python bench/fmt_bench.py [N ...]     (default: 1000 10000)

For each N, a generated list (bench/generate.py: every entry needs formatting, as its keys
come in another order) is formatted with ``format_text`` (ruamel round-trip load and dump, then
citycat's own loader twice to prove the meaning is unchanged), and the start of the diff that
``fmt --check`` prints is computed two ways: the whole diff cut to 200 lines (the old way) and
``diff_start`` (the window that grows). Prints seconds and the ratio; the issue's goal for
1,000 entries is under 2 s.
"""

from __future__ import annotations

import difflib
import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from citycat.editing.fmt import diff_start, format_text  # noqa: E402


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [1000, 10000]
    print(
        f"{'entries':>8} {'MB':>6} {'format_text':>12} {'diff, whole':>12} {'diff_start':>11} {'fmt --check':>12}"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            text = generate(n, Path(tmp)).read_text("utf-8")
        t0 = time.perf_counter()
        done = format_text(text, "datasets.yaml")
        t1 = time.perf_counter()
        old = "skipped"
        if n <= 2000:  # quadratic: minutes at 10,000
            whole = difflib.unified_diff(done.before.splitlines(True), done.after.splitlines(True), "d", "d")
            list(itertools.islice(list(whole), 200))
            old = f"{time.perf_counter() - t1:.1f} s"
        t2 = time.perf_counter()
        diff_start(done.before, done.after, "d")
        t3 = time.perf_counter()
        total = (t1 - t0) + (t3 - t2)
        print(
            f"{n:>8} {len(text) / 1e6:>6.1f} {t1 - t0:>10.1f} s {old:>12} {t3 - t2:>9.2f} s {total:>10.1f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
