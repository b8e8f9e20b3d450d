"""``citycat build``: the files it writes, how it writes them, and what never leaks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

import pytest

from citycat.model import policy
from citycat.pipeline.build import MARKER, BuildError, build
from citycat.site import jsonld
from citycat.source.load import load
from tests.conftest import CASES, TODAY, assemble, need_module, starter_root, validators


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    build(starter_root(), out, TODAY)
    return out


@pytest.fixture(scope="module")
def intranet(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("intranet") / "internal"
    build(starter_root(), out, TODAY, edition="internal")
    return out


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[dict] = []
        self.inline_styles = 0
        self.meta_csp = None
        self.html_lang = None
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "style" in a:
            self.inline_styles += 1
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        if tag in ("script", "img") and a.get("src"):
            self.links.append(a["src"])
        if tag == "script":
            self.scripts.append(a)
            self._in_jsonld = a.get("type") == "application/ld+json"
        if tag == "style":
            self.inline_styles += 1
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.meta_csp = a.get("content")

    def handle_data(self, data):
        if self._in_jsonld and data.strip():
            self.jsonld.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text("utf-8"))
    return p


def test_every_page_and_file_is_written(site):
    c = load(starter_root()).catalogue
    for rel in (
        "index.html",
        "en/index.html",
        "datasets/index.html",
        "en/datasets/index.html",
        "list/index.html",
        "agencies/index.html",
        "themes/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "feed.atom",
        "en/feed.atom",
        "_headers",
        "static/style.css",
        MARKER,
    ):
        assert (site / rel).is_file(), rel
    for d in c.datasets:
        assert (site / "datasets" / d.id / "index.html").is_file()
        assert (site / "en" / "datasets" / d.id / "index.html").is_file()
    for a in c.agencies:
        assert (site / "agencies" / a / "index.html").is_file()


def test_links_and_anchors_resolve_inside_the_build(site):
    ids = {}
    broken = []
    for page in html_files(site):
        parsed = parse(page)
        ids[page] = parsed.ids
    for page in html_files(site):
        for link in parse(page).links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto") or link.startswith("//"):
                continue
            assert not parts.scheme, f"{page}: unexpected scheme in {link}"
            if not parts.path:
                target = page
            else:
                if parts.path.startswith("/"):  # the 404 page links from the site's root
                    target = (site / unquote(parts.path)[1:]).resolve()
                else:
                    target = (page.parent / unquote(parts.path)).resolve()
                if parts.path.endswith("/") or target.is_dir():
                    target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} → {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                if parts.fragment not in ids.get(target, parse(target).ids):
                    broken.append(f"{page.relative_to(site)} → {link} (no #{parts.fragment})")
    assert broken == []


def test_pages_have_language_csp_and_no_inline_code(site):
    for page in html_files(site):
        p = parse(page)
        rel = page.relative_to(site).as_posix()
        assert p.html_lang == ("en" if rel.startswith("en/") else "vi"), rel
        assert p.meta_csp and "script-src 'self'" in p.meta_csp and "unsafe-inline" not in p.meta_csp, rel
        assert p.inline_styles == 0, rel
        for script in p.scripts:
            assert script.get("src") or script.get("type") == "application/ld+json", f"inline script in {rel}"


def test_sitemap_lists_every_page_with_alternates(site):
    tree = ET.parse(site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = [e.text for e in tree.findall(".//s:loc", ns)]
    assert len(locs) == len(set(locs)) == len([p for p in html_files(site) if p.name == "index.html"])
    assert all(u.startswith("https://") for u in locs)
    assert len(tree.findall(".//x:link", ns)) == 2 * len(locs)


def test_atom_feeds_parse_and_name_datasets(site):
    for rel, lang in (("feed.atom", "vi"), ("en/feed.atom", "en")):
        root = ET.parse(site / rel).getroot()
        entries = root.findall("{http://www.w3.org/2005/Atom}entry")
        assert 0 < len(entries) <= 50
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang


def test_internal_values_never_reach_the_public_edition(site, intranet):
    c = load(starter_root()).catalogue
    secrets = set()
    for d in c.datasets:
        secrets |= {str(v) for v in d.internal.values() if len(str(v)) >= 6}
        secrets |= {x.url for x in d.distributions if x.internal}
    assert len(secrets) >= 6
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {path.relative_to(site)}"
            assert json.dumps(secret, ensure_ascii=True)[1:-1] not in text, path  # JSON-escaped form
    found = "".join(p.read_text("utf-8") for p in html_files(intranet))
    assert all(secret in found for secret in secrets), "the internal edition must show everything"
    assert (intranet / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"


def test_dataset_pages_embed_valid_schema_org_dataset(site):
    pyshacl = need_module("pyshacl")
    import rdflib

    shapes = rdflib.Graph().parse(validators("schemaorg") / "google-dataset.ttl")
    data = rdflib.Graph()
    every = sorted(site.glob("datasets/*/index.html")) + sorted(site.glob("en/datasets/*/index.html"))
    c = load(starter_root()).catalogue
    unlisted = {d.id for d in c.datasets if not policy.listed(c, d, policy.PUBLIC)}
    pages = [p for p in every if p.parent.name not in unlisted]  # (internal: named, no JSON-LD)
    assert unlisted and len(every) - len(pages) == 2 * len(unlisted)
    for page in every:
        blocks = parse(page).jsonld
        assert len(blocks) == (0 if page.parent.name in unlisted else 1), page
        if not blocks:
            continue
        doc = json.loads(blocks[0])
        assert doc["@context"] == jsonld.CONTEXT  # parsed offline: no remote context
        data.parse(data=blocks[0], format="json-ld")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
    assert conforms, text
    datasets = set(data.subjects(rdflib.RDF.type, rdflib.URIRef("http://schema.org/Dataset")))
    assert len(datasets) == len(pages)


def _weight(page: Path) -> int:
    """A page's bytes plus those of the style sheets and scripts it loads (its own, from static/)."""
    html = page.read_text("utf-8")
    own = re.findall(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"', html)
    assert own, page  # every page loads the style sheet at least
    return len(html.encode()) + sum((page.parent / ref.split("?")[0]).resolve().stat().st_size for ref in own)


def test_pages_stay_light(site):
    """What a phone downloads for a page: the page, its style sheet and scripts (the home and
    dataset pages load no script: each under 60 KB; the list page loads search.js)."""
    home = site / "index.html"
    biggest_dataset_page = max(site.glob("datasets/*/index.html"), key=lambda p: p.stat().st_size)
    for page in (home, biggest_dataset_page):
        assert _weight(page) < 60_000, page
    listing = site / "datasets" / "index.html"  # its cards, paged by 50 (issue 15: at most 150 KB)
    assert (site / "static" / "search.js").stat().st_size < _weight(listing) < 150_000


def test_a_catalogue_with_errors_is_not_built_and_the_last_site_stays(tmp_path, make_case):
    out = tmp_path / "public"
    good = assemble(tmp_path / "good", CASES / "good")
    build(good, out, TODAY)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    bad = make_case("reference-missing-agency")
    with pytest.raises(BuildError) as exc:
        build(bad, out, TODAY)
    assert exc.value.findings and all(f.level == "error" for f in exc.value.findings)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public")] == []


def test_build_refuses_to_replace_what_it_did_not_write(tmp_path):
    good = assemble(tmp_path / "good", CASES / "good")
    with pytest.raises(BuildError):
        build(good, good, TODAY)
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(BuildError):
        build(good, foreign, TODAY)
    assert (foreign / "notes.txt").read_text() == "mine"


def test_cli_build_reports_errors_without_traceback(tmp_path, make_case):
    bad = make_case("reference-missing-agency")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "citycat",
            "build",
            "-C",
            str(bad),
            "--out",
            str(tmp_path / "o"),
            "--today",
            "2026-11-28",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 1
    assert "reference-missing" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "o").exists()


def test_untrusted_text_is_escaped(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    path = root / "datasets.yaml"
    evil = '<script>alert(1)</script> & "quotes" <img src=x onerror=alert(2)>'
    text = path.read_text("utf-8").replace("en: Licensed pharmacies and drug counters", f"en: '{evil}'", 1)
    path.write_text(text, "utf-8")
    out = tmp_path / "out"
    build(root, out, TODAY)
    page = (out / "en" / "datasets" / "danh-sach-nha-thuoc" / "index.html").read_text("utf-8")
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for path in out.rglob("*.html"):
        assert not re.search(r"<script>alert|<img src=x", path.read_text("utf-8")), path


def test_rendering_in_parts_writes_the_same_site(tmp_path):
    """A large catalogue is rendered by one process per core; the site must not change."""
    root = assemble(tmp_path / "c", CASES / "good")
    one, three = tmp_path / "one", tmp_path / "three"
    build(root, one, TODAY, parts=1)
    build(root, three, TODAY, parts=3)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(three) for p in three.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (three / f).read_bytes() for f in files)
    assert len(files) > 20


def test_a_rebuild_replaces_the_site_and_the_old_one_goes(tmp_path):
    import time

    root = assemble(tmp_path / "c", CASES / "good")
    out = tmp_path / "public"
    build(root, out, TODAY)
    (out / "stale.txt").write_text("from an older build")
    build(root, out, TODAY)
    assert (out / "index.html").is_file() and not (out / "stale.txt").exists()
    deadline = time.monotonic() + 30
    while [p for p in tmp_path.iterdir() if p.name.startswith(".public.old")] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public")] == []


def test_results_on_dataset_agency_and_home_pages(site):
    """The scores (citycat.quality.scores) as the site shows them: a dataset's six standards with the
    points withheld, an agency's scorecard and rank, the ranking on the home page."""
    import re
    from html import unescape

    from citycat.pipeline.validate import validate
    from citycat.quality import scores

    result = validate(starter_root(), TODAY, use_cache=False, need_catalogue=True)
    c = result.catalogue
    all_scores = scores.score_all(c, result.findings, TODAY)
    for d in c.datasets[:10]:
        s = all_scores[d.id]
        for lang, prefix in (("vi", ""), ("en", "en/")):
            html = (site / prefix / "datasets" / d.id / "index.html").read_text("utf-8")
            meters = re.findall(r'<meter min="0" max="100"[^>]* value="(\d+)"', html)
            assert [int(m) for m in meters] == [x.score for x in s.standards], d.id
            assert f"{s.overall}<small>/100</small>" in html
            text = unescape(html)
            for crit in s.losses():
                assert f"−{round(crit.lost)} {crit.title(lang)}: {crit.message(lang)}" in text
    cards = {x["id"]: x for x in scores.agencies(c, all_scores, TODAY)}
    health = (site / "agencies" / "so-y-te" / "index.html").read_text("utf-8")
    ranked = sum(1 for x in cards.values() if x["rank"])
    assert f"Xếp thứ {cards['so-y-te']['rank']}/{ranked} cơ quan" in health
    home = (site / "index.html").read_text("utf-8")
    rows = re.findall(r'<tr><td class="num">(\d+)</td><th scope="row"><a href="agencies/([^/]+)/">', home)
    assert [int(r) for r, _ in rows] == list(range(1, ranked + 1))
    assert [a for _, a in rows] == [x["id"] for x in sorted(cards.values(), key=lambda x: x["rank"] or 99)][
        :ranked
    ]
