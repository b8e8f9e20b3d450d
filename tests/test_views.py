"""Page views: links that work under any base path, URLs that are safe, totals that add up."""

from __future__ import annotations

import datetime as dt

from citycat.site.views import INTERNAL, PUBLIC, Page, dataset_view, pages, progress, relative, safe_url
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
