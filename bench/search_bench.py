"""How large the list page's search index is, how long it takes to build, and how fast search.js
answers a keystroke in headless Chromium.

    python bench/search_bench.py                       # 10,000 datasets, in a temporary folder
    python bench/search_bench.py --size 1000 --keep bench/out   # generate into bench/out/1000, reuse
    python bench/search_bench.py --no-browser          # sizes and build times only

It generates a catalogue with bench/generate.py, builds ``citycat.site.searchindex.build_index`` for
both languages, and prints the index's size (raw and gzip, compact JSON as the build writes it),
next to the same data in a flat layout (every row repeating the agency and theme texts and the
facet ids) and as one object per dataset: the evidence for the chosen layout. The starter
catalogue's sizes are printed too.

Then, when Playwright's Python package and /usr/bin/chromium are present, it renders the real
site/templates/list.html (with stand-ins for base.html and partials/dataset_card.html, and the
page's real context from citycat.site.views), serves it with search.js and the index to headless
Chromium through request interception (no server, no network), and times keystrokes: each
prefix of each query is passed to ``window.citycatSearch.run(query)``, timed with
performance.now() around the call ("script") and again after forcing style and layout
(``document.body.offsetHeight``: "+layout"), and prints min / median / max. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402  (bench/generate.py)

from citycat.model import policy  # noqa: E402
from citycat.site import views  # noqa: E402
from citycat.site.searchindex import MULTI, build_index, records  # noqa: E402
from citycat.source.load import load  # noqa: E402

TODAY = dt.date(2026, 11, 28)
CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://citycat.test"
QUERIES = ["y te", "duong", "ha noi", "truong hoc", "Đường", "a", "x", "q", "z"]

STUB_BASE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'">
<title>{% block title %}{% endblock %}</title>
<link rel="stylesheet" href="{{ asset('style.css') }}">{% block scripts %}{% endblock %}</head>
<body><main id="main">{% block content %}{% endblock %}</main></body></html>
"""
# used when site/templates/partials/dataset_card.html cannot be rendered here
STUB_CARD = """<li class="card" data-id="{{ d.id }}">
  <h3><a href="{{ href('datasets/' ~ d.id ~ '/') }}">{{ d.title }}</a></h3>
  <p class="meta"><span>{{ d.agency.name }}</span> · <span>{{ d.access.label }}</span> ·
  <span>{{ d.status.label }}</span>{% for f in d.formats %} <span class="fmt">{{ f }}</span>{% endfor %}</p>
  <p>{{ d.description[:160] }}</p>
</li>
"""


def compact(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sizes(index: dict) -> dict[str, tuple[int, int]]:
    """Raw and gzip bytes of the chosen layout and of two alternatives holding the same data."""
    recs = records(index)
    facets = views.FACETS
    flat_fields = ["id", "title", "title_folded", "other_folded", "keywords_folded"]
    flat_fields += ["agency_folded", "themes_folded", *facets, "overdue", "modified", "due"]
    flat_rows = [
        [
            r["id"],
            r["title"],
            r["title_folded"],
            r["other_folded"],
            r["keywords_folded"],
            r["agency_folded"],
            " ".join(r["themes_folded"]),
            *(r[f] for f in facets),
            int(r["overdue"]),
            *(r[f].isoformat() if r[f] else None for f in ("modified", "due")),
        ]
        for r in recs
    ]
    flat = {"fields": flat_fields, "rows": flat_rows}
    objects = [dict(zip(flat_fields, row, strict=True)) for row in flat_rows]
    out = {}
    for name, data in (("chosen (rows + value tables)", index), ("flat rows", flat), ("objects", objects)):
        raw = compact(data)
        out[name] = (len(raw), len(gzip.compress(raw, 9)))
    return out


def kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MB"


def report_index(label: str, catalogue) -> dict[str, dict]:
    indexes = {}
    for lang in ("vi", "en"):
        t0 = time.perf_counter()
        index = build_index(catalogue, lang, TODAY)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        compact(index)
        dumped = time.perf_counter() - t0
        indexes[lang] = index
        print(
            f"{label} [{lang}] {len(index['rows']):,} rows: build_index {built:.2f} s, json.dumps {dumped:.2f} s"
        )
        for name, (r, g) in sizes(index).items():
            print(
                f"    {name:30} {kb(r):>10} raw  {kb(g):>10} gzip   {r / max(1, len(index['rows'])):6.0f} B/row"
            )
    return indexes


def render_page(catalogue, lang: str, real_card: bool = True) -> str:
    """list.html with the page's real context, base.html stood in for (a frame with the real
    stylesheet and the build's Content-Security-Policy), and the real dataset card if it renders."""
    import jinja2

    ordered = [
        views.dataset_view(d, catalogue, lang, TODAY, policy.PUBLIC)
        for d in views.sorted_datasets(catalogue.datasets, lang)
    ]
    context = {"datasets": ordered, "facets": views.facets(catalogue, ordered, lang)}
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.DictLoader(
                    {
                        "base.html": STUB_BASE,
                        **({} if real_card else {"partials/dataset_card.html": STUB_CARD}),
                    }
                ),
                jinja2.FileSystemLoader(ROOT / "site" / "templates"),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    strings = ROOT / "site" / "i18n" / f"{lang}.yaml"
    t = {}
    if strings.exists():
        import yaml

        t = yaml.safe_load(strings.read_text("utf-8")) or {}
    page_url = views.url_path(lang, "datasets/")
    env.globals.update(
        lang=lang,
        other_lang="en" if lang == "vi" else "vi",
        t=t,
        site={"title": catalogue.settings.text("title", lang)},
        href=lambda path: views.relative(page_url, views.url_path(lang, path)),
        href_lang=lambda other, path: views.relative(page_url, views.url_path(other, path)),
        asset=lambda name: views.relative(page_url, "/static/" + name),
        root_file=lambda name: views.relative(page_url, "/" + name),
    )
    try:
        return env.get_template("list.html").render(context)
    except jinja2.TemplateError as exc:
        if not real_card:
            raise
        print(f"(the real dataset card does not render here: {exc!r}; a stand-in is used)")
        return render_page(catalogue, lang, real_card=False)


def browser_bench(catalogue, indexes: dict[str, dict]) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("\nPlaywright's Python package is not installed: keystroke timings skipped.")
        return
    if not Path(CHROMIUM).exists():
        print(f"\n{CHROMIUM} is not there: keystroke timings skipped.")
        return

    kinds = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    files: dict[str, tuple[bytes, str]] = {
        "/static/" + f.relative_to(ROOT / "site" / "static").as_posix(): (
            f.read_bytes(),
            kinds.get(f.suffix, "application/octet-stream"),
        )
        for f in (ROOT / "site" / "static").rglob("*")
        if f.is_file()
    }
    for lang in ("vi", "en"):
        t0 = time.perf_counter()
        html = render_page(catalogue, lang)
        print(f"\nlist.html [{lang}] rendered in {time.perf_counter() - t0:.2f} s: {kb(len(html.encode()))}")
        files[views.url_path(lang, "datasets/")] = (html.encode("utf-8"), "text/html; charset=utf-8")
        files[views.url_path(lang, "search-index.json")] = (compact(indexes[lang]), "application/json")

    def serve(route):
        path = "/" + route.request.url.split(ORIGIN, 1)[1].lstrip("/").split("?", 1)[0]
        if path in files:
            body, kind = files[path]
            route.fulfill(status=200, body=body, headers={"content-type": kind})
        else:
            route.fulfill(status=404, body=b"not found")

    profile = tempfile.mkdtemp(prefix="citycat-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            context.route(f"{ORIGIN}/**", serve)
            page = context.pages[0] if context.pages else context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
            for lang in ("vi", "en"):
                bench_page(page, lang, errors)
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def bench_page(page, lang: str, errors: list[str]) -> None:
    url = ORIGIN + views.url_path(lang, "datasets/")
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("#search[data-ready]", timeout=60_000)
    loaded = time.perf_counter() - t0
    state = page.get_attribute("#search", "data-ready")
    shown = page.eval_on_selector_all("#datasets > li", "els => els.length")
    print(f"\n[{lang}] page + index ready in {loaded:.2f} s (search {state}), {shown} cards in the list")
    keystrokes = []
    for query in QUERIES:
        steps = []
        for i in range(1, len(query) + 1):
            steps.append(
                page.evaluate(
                    """q => { const t0 = performance.now(); const n = window.citycatSearch.run(q);
                        const t1 = performance.now(); document.body.offsetHeight;
                        return [performance.now() - t0, t1 - t0, n]; }""",
                    query[:i],
                )
            )
        keystrokes += steps
        print(
            f"  {query!r:14} {len(steps)} keystrokes: results "
            + " ".join(str(s[2]) for s in steps)
            + "; ms (+layout) "
            + " ".join(f"{s[0]:.1f}" for s in steps)
        )
    # clearing the box, keystroke by keystroke (the results grow back)
    for q in ("ha no", "ha n", "ha ", "ha", "h", ""):
        keystrokes.append(
            page.evaluate(
                """q => { const t0 = performance.now(); const n = window.citycatSearch.run(q);
                    const t1 = performance.now(); document.body.offsetHeight;
                    return [performance.now() - t0, t1 - t0, n]; }""",
                q,
            )
        )
    full = [s[0] for s in keystrokes]
    script = [s[1] for s in keystrokes]
    print(
        f"  per keystroke ({len(full)}): script min {min(script):.1f} / median {statistics.median(script):.1f}"
        f" / max {max(script):.1f} ms; +layout min {min(full):.1f} / median {statistics.median(full):.1f}"
        f" / max {max(full):.1f} ms"
    )
    # ticking facet checkboxes (change event), timed the same way
    ticks = page.evaluate(
        """() => { const out = [];
            for (const name of ['theme', 'access', 'format', 'agency']) {
              const box = document.querySelector(`#search input[name="${name}"]`);
              if (!box) continue;
              for (const on of [true, false]) {
                const t0 = performance.now(); box.checked = on;
                box.dispatchEvent(new Event('change', {bubbles: true}));
                document.body.offsetHeight; out.push(performance.now() - t0);
              } }
            return out; }"""
    )
    if ticks:
        print(
            f"  facet ticks ({len(ticks)}): min {min(ticks):.1f} / median {statistics.median(ticks):.1f}"
            f" / max {max(ticks):.1f} ms (+layout)"
        )
    if errors:
        print("  page errors: " + " | ".join(errors[:5]))
        errors.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="generate into KEEP/<size> and reuse it next time")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = parser.parse_args(argv)

    report_index("starter catalogue", load(ROOT).catalogue)

    tmp = None
    if args.keep:
        target = args.keep / str(args.size)
    else:
        tmp = tempfile.mkdtemp(prefix="citycat-search-")
        target = Path(tmp) / str(args.size)
    try:
        if not (target / "datasets.yaml").exists():
            t0 = time.perf_counter()
            generate.generate(args.size, target)
            print(f"\ngenerated {args.size:,} datasets in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        catalogue = load(target).catalogue
        print(f"loaded {len(catalogue.datasets):,} datasets in {time.perf_counter() - t0:.1f} s")
        indexes = report_index(f"synthetic {args.size:,}", catalogue)
        multi = ", ".join(MULTI)
        print(f"(facet columns hold positions in the value tables; {multi} hold lists of them)")
        if args.no_browser:
            print("\n--no-browser: keystroke timings skipped.")
        else:
            browser_bench(catalogue, indexes)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
