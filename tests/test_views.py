"""Page views: links that work under any base path, URLs that are safe, totals that add up."""

from __future__ import annotations

import datetime as dt

from citycat.model.policy import INTERNAL, PUBLIC, safe_url
from citycat.site.views import Page, dataset_view, pages, progress, relative
from citycat.source.load import load
from tests.conftest import ROOT, TODAY, starter_root


def test_relative_links_between_pages():
    from urllib.parse import urljoin

    pairs = [
        ("/", "/datasets/"),
        ("/datasets/x/", "/datasets/"),
        ("/datasets/x/", "/en/datasets/x/"),
        ("/en/", "/"),
        ("/datasets/x/", "/static/style.css"),
        ("/", "/"),
        ("/en/agencies/so-y-te/", "/feed.atom"),
    ]
    for here, there in pairs:
        for base in ("https://dulieu.hanoi.gov.vn", "https://example.github.io/catalogue"):
            link = relative(here, there)
            assert not link.startswith("/")
            assert urljoin(base + here, link) == base + there, (here, there, link)


def test_page_files():
    assert Page("", "vi", "home.html").file == "index.html"
    assert Page("datasets/a/", "en", "dataset.html").file == "en/datasets/a/index.html"


def test_only_web_urls_are_linked():
    assert safe_url("https://a.vn/x") == "https://a.vn/x"
    assert safe_url(" javascript:alert(1)") == ""
    assert safe_url("data:text/html,x") == ""
    assert safe_url(None) == ""


def test_progress_adds_up():
    c = load(starter_root()).catalogue
    p = progress(c, TODAY)
    assert p["total"] == 49 == sum(p["by_status"].values()) == sum(p["by_access"].values())
    assert p["days_left"] == (dt.date(2026, 12, 31) - TODAY).days == 33
    assert p["overdue"] == sum(1 for d in c.datasets if d.is_overdue(TODAY)) > 0


def test_internal_values_only_in_the_internal_edition():
    c = load(starter_root()).catalogue
    d = next(d for d in c.datasets if d.internal and any(x.internal for x in d.distributions))
    public = dataset_view(d, c, "vi", TODAY, PUBLIC)
    internal = dataset_view(d, c, "vi", TODAY, INTERNAL)
    assert public["internal"] == {} and internal["internal"] == dict(d.internal)
    assert len(internal["distributions"]) > len(public["distributions"])
    assert all(not x["internal"] for x in public["distributions"])


def test_every_dataset_has_a_page_in_both_languages():
    c = load(starter_root()).catalogue
    files = {p.file for p in pages(c, TODAY)}
    for d in c.datasets:
        assert f"datasets/{d.id}/index.html" in files and f"en/datasets/{d.id}/index.html" in files


def test_every_ui_string_exists_in_both_languages():
    from citycat.site.i18n import load_strings

    strings = load_strings(ROOT / "site")
    assert set(strings["vi"]) == set(strings["en"]) and len(strings["vi"]) > 100
    for lang, table in strings.items():
        empty = [k for k, v in table.items() if not str(v).strip()]
        assert empty == [], f"{lang}: empty strings {empty}"
    assert strings["vi"]["nav_datasets"] != strings["en"]["nav_datasets"]


def test_templates_use_only_strings_that_exist():
    import re

    from citycat.site.i18n import load_strings

    keys = set(load_strings(ROOT / "site")["vi"])
    used = set()
    for path in (ROOT / "site" / "templates").rglob("*.html"):
        text = path.read_text("utf-8")
        used |= set(re.findall(r"\bt\.([a-z_][a-z0-9_]*)", text))
        used |= set(re.findall(r"""\bt\.get\(\s*['"]([a-z0-9_]+)['"]""", text))
    used.discard("get")
    assert sorted(used - keys) == []


# ---------------------------------------------------------------------------------------------
# Lists cut into pages (views.paged)


def test_a_short_list_is_one_page_without_a_pager():
    from citycat.site.views import paged

    assert paged("datasets/", list(range(50)), 50) == [("datasets/", list(range(50)), None)]
    assert paged("datasets/", [], 50) == [("datasets/", [], None)]


def test_a_long_list_is_cut_into_pages_that_lead_to_every_item():
    from citycat.site.views import paged

    items = list(range(1, 124))
    got = paged("agencies/a/", items, 50)
    assert [path for path, _, _ in got] == ["agencies/a/", "agencies/a/page/2/", "agencies/a/page/3/"]
    assert [x for _, shown, _ in got for x in shown] == items
    first, second, last = (pager for _, _, pager in got)
    assert (first["prev"], first["next"]) == (None, "agencies/a/page/2/")
    assert (second["prev"], second["next"]) == ("agencies/a/", "agencies/a/page/3/")
    assert (last["prev"], last["next"]) == ("agencies/a/page/2/", None)
    assert (last["first"], last["last"], last["total"], last["count"]) == (101, 123, 123, 3)
    # following "next" from the first page visits every page once
    by_path = {path: pager for path, _, pager in got}
    seen, at = [], "agencies/a/"
    while at:
        seen.append(at)
        at = by_path[at]["next"]
    assert seen == list(by_path)


def test_a_pager_shows_the_ends_and_the_pages_around_the_current_one():
    from citycat.site.views import pager_links

    assert pager_links(1, 3) == [1, 2, 3]
    assert pager_links(1, 20) == [1, 2, 3, None, 20]
    assert pager_links(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert pager_links(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]  # a gap of one number shows it
    assert pager_links(20, 20) == [1, None, 18, 19, 20]


def _small_pages(monkeypatch, per_page: int):
    from citycat.site import views

    monkeypatch.setattr(views, "PER_PAGE", per_page)


def test_every_list_page_is_in_the_sitemap_with_rel_prev_and_next(tmp_path, monkeypatch):
    import re

    from citycat.pipeline.build import build

    _small_pages(monkeypatch, 10)  # 49 datasets: 5 pages
    out = tmp_path / "site"
    build(ROOT, out, TODAY, parts=1)
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    for lang_dir in ("", "en/"):
        listed: list[str] = []
        at = out / lang_dir / "datasets/index.html"
        pages_seen = 0
        while True:
            html = at.read_text("utf-8")
            pages_seen += 1
            listed += re.findall(r'<li class="card" data-id="([^"]+)"', html)
            assert html.count('aria-current="page"') >= 1
            assert re.search(r'<nav class="pager" aria-label="[^"]+">', html)
            nxt = re.search(r'<link rel="next" href="([^"]+)">', html)
            if not nxt:
                break
            at = (at.parent / nxt.group(1) / "index.html").resolve()
            assert at.is_file()
            assert at.parent.relative_to(out.resolve()).as_posix() + "/" in sitemap
        assert pages_seen == 5
        c = load(ROOT).catalogue
        assert sorted(listed) == sorted(d.id for d in c.datasets)  # every dataset, once
    page2 = (out / "datasets/page/2/index.html").read_text("utf-8")
    assert '<link rel="prev" href="../../../datasets/">' in page2
    assert '<a href="../../../datasets/page/2/" aria-current="page">' in page2
    # a card on a deeper page links where the same card on the first page links
    link = re.search(r'<h3 class="card-title"><a href="([^"]+)"', page2).group(1)
    assert (out / "datasets/page/2" / link / "index.html").resolve().is_file()


def test_later_cards_are_the_cards_rendered_at_their_depth(monkeypatch):
    from citycat.site.render import Renderer
    from citycat.source.inputs import default_theme

    c = load(ROOT).catalogue
    made = Renderer(c, default_theme(), TODAY)
    made_fresh = Renderer(c, default_theme(), TODAY, like=made)
    for d in c.datasets[:5]:
        for lang, shallow, deep in (("vi", 1, 3), ("vi", 1, 4), ("en", 2, 5)):
            made.card(d, lang, shallow)  # as the build makes them: the list's depth first
            assert made.card(d, lang, deep) == made_fresh._fragment(
                made_fresh._card, made_fresh.view(d, lang), lang, deep
            )


def test_a_rebuild_adds_and_removes_later_pages_as_a_full_build(tmp_path, monkeypatch):
    from citycat.pipeline import rebuild
    from tests.test_rebuild import FIRST, assert_same_as_full_build, copy_catalogue, entry_text

    _small_pages(monkeypatch, 7)  # 49 datasets: exactly 7 pages; one more makes an 8th
    root = copy_catalogue(tmp_path / "catalogue")
    session = rebuild.Session(root, tmp_path / "site", TODAY, "public", parts=1)
    session.build()
    path = root / "datasets.yaml"
    original = path.read_text("utf-8")
    copy = entry_text(session, FIRST).replace(f"id: {FIRST}", "id: co-so-kham-benh-ban-sao")
    copy = copy.replace("Danh sách cơ sở khám bệnh", "Bản sao: cơ sở khám bệnh").replace(
        "HN-SYT-001", "HN-SYT-901"
    )
    copy = copy.replace("Licensed health-care", "Copied health-care")  # (as tests.test_rebuild adds one)
    path.write_text(original + copy, "utf-8")
    built, report = session.rebuild()
    assert built is not None and not report.full, (
        report.reason,
        [f for f in report.findings if f.level == "error"],
    )
    assert (session.out / "datasets/page/8/index.html").is_file()
    assert_same_as_full_build(session, tmp_path)
    path.write_text(original, "utf-8")
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert not (session.out / "datasets/page/8").exists()
    assert_same_as_full_build(session, tmp_path)
