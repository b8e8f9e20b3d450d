"""Full-page screenshots of every kind of page, for reviewing the site by eye.

    python bench/screenshots.py [--site DIR] [--out DIR] [--widths 390 1366] [--only home agency]

Builds the starter catalogue (or takes a built site with ``--site``), serves it on loopback with
citycat's own server and, with Playwright driving Debian's Chromium (``/usr/bin/chromium``, as
the browser tests do), writes one PNG per page kind, language and width into ``--out``
(default ``bench/out/screenshots``): ``home-vi-390.png``, ``agency-en-1366.png``, …

Kinds: home, list, search (the list with a query), dataset, agency, theme, themes, agencies,
annex, 404, editions (when the site has official editions) and report (``citycat report
--format html`` of the catalogue, when it is made: not with ``--site`` unless ``--root`` is
given). Nothing is fetched from outside loopback: such requests are blocked and listed.
Not a test: it checks nothing, it only shows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
QUERY = {"vi": "giáo dục", "en": "school"}
KINDS = (
    "home",
    "list",
    "search",
    "dataset",
    "agency",
    "theme",
    "themes",
    "agencies",
    "sharing",
    "annex",
    "404",
    "editions",
    "report",
)


def paths(root: Path, site: Path) -> dict[str, str]:
    """Each kind's address below the language prefix (the agency and theme with most datasets)."""
    from citycat.source.load import load

    c = load(root).catalogue
    by_agency: dict[str, int] = {}
    by_theme: dict[str, int] = {}
    for d in c.datasets:
        by_agency[d.agency] = by_agency.get(d.agency, 0) + 1
        for t in d.themes:
            by_theme[t] = by_theme.get(t, 0) + 1
    ordered = sorted(c.datasets, key=lambda d: d.id)  # the browser tests' pick: a data dictionary and files
    richest = next((d for d in ordered if d.get("schema") and d.public_distributions()), ordered[0])
    out = {
        "home": "",
        "list": "datasets/",
        "search": "datasets/?q={q}",
        "dataset": f"datasets/{richest.id}/",
        "agency": f"agencies/{max(by_agency, key=lambda k: (by_agency[k], k))}/",
        "theme": f"themes/{max(by_theme, key=lambda k: (by_theme[k], k))}/",
        "themes": "themes/",
        "agencies": "agencies/",
        "sharing": "sharing/",
        "annex": "list/",
        "404": "no-such-page/",
    }
    if (site / "editions" / "index.html").is_file():
        out["editions"] = "editions/"
    return out


def reports(root: Path, folder: Path, today: dt.date) -> dict[str, Path]:
    """``citycat report --format html`` in each language, written into ``folder``."""
    made = {}
    for lang in ("vi", "en"):
        target = folder / f"report-{lang}.html"
        command = [sys.executable, "-m", "citycat", "report", "--root", str(root), "--format", "html"]
        command += ["--lang", lang, "--today", today.isoformat(), "--out", str(target)]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode == 0 and target.is_file():
            made[lang] = target
        else:
            print(f"report ({lang}) not made: {done.stderr.strip()[:300]}", file=sys.stderr)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the starter catalogue)")
    parser.add_argument("--root", type=Path, help="the catalogue (default: the starter, unless --site)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "screenshots")
    parser.add_argument("--widths", type=int, nargs="+", default=[390, 1366])
    parser.add_argument("--langs", nargs="+", default=["vi", "en"], choices=["vi", "en"])
    parser.add_argument("--only", nargs="+", choices=KINDS, help="only these kinds of page")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 7))
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from citycat.pipeline.build import build
    from citycat.pipeline.serve import make_server

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="citycat-shots-"))
    root = args.root or (None if args.site else ROOT)
    site = args.site
    if site is None:
        site = work / "site"
        build(root, site, args.today)
    kinds = paths(root or ROOT, site)
    want_report = root is not None and (not args.only or "report" in args.only)
    made_reports = reports(root, work, args.today) if want_report else {}
    if made_reports:
        kinds["report"] = "report"
    wanted = [k for k in KINDS if k in kinds and (not args.only or k in args.only)]
    args.out.mkdir(parents=True, exist_ok=True)

    server = make_server(site, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    base = f"http://{host}:{port}/"
    blocked: list[str] = []
    written = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for width in args.widths:
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.route(
                    lambda url: not url.startswith((base, "file:", "data:", "about:")),
                    lambda route: (blocked.append(route.request.url), route.abort("blockedbyclient")),
                )
                page = context.new_page()
                for lang in args.langs:
                    for kind in wanted:
                        if kind == "report":
                            url = made_reports[lang].as_uri() if lang in made_reports else None
                        else:
                            prefix = "en/" if lang == "en" else ""
                            url = base + prefix + kinds[kind].replace("{q}", QUERY[lang])
                        if url is None:
                            continue
                        page.goto(url, wait_until="networkidle")
                        page.evaluate("() => document.fonts.ready")
                        target = args.out / f"{kind}-{lang}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        written += 1
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    took = time.perf_counter() - started
    print(f"{written} screenshots of {len(wanted)} kinds of page into {args.out} in {took:.0f} s")
    for url in blocked:
        print(f"blocked (not loopback): {url}", file=sys.stderr)
    return 1 if blocked else 0


if __name__ == "__main__":
    sys.exit(main())
