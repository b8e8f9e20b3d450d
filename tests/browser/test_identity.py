"""The site's identity as a browser and a link preview see it: each page's <title> names the
page, Open Graph tags describe it, its icons load (``/favicon.ico`` too, asked for without
reading any page), and no page logs a console or page error."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

LANGS = ("vi", "en")
KINDS = ("home", "list", "search", "dataset", "agencies", "agency", "themes", "theme", "annex", "404")
LOCALE = {"vi": "vi_VN", "en": "en_US"}


@pytest.fixture(scope="session")
def strings():
    from citycat.site import i18n

    return i18n.load_strings(ROOT / "site")


def address(page_of, kind: str, lang: str) -> str:
    if kind == "search":
        return page_of("list", lang) + "?q=" + ("giáo dục" if lang == "vi" else "school")
    if kind == "404":
        return "/no-such-page/"
    return page_of(kind, lang)


def page_name(kind: str, lang: str, catalogue, rich, strings) -> str:
    """What the page is called before the site's name in its title ("" for the home page)."""
    t = strings[lang]
    if kind == "dataset":
        return rich.text("title", lang)
    if kind == "agency":
        return catalogue.agencies[sorted(catalogue.agencies)[0]].text("name", lang)
    if kind == "theme":
        return catalogue.themes[sorted(catalogue.themes)[0]].text("name", lang)
    key = {
        "home": None,
        "list": "list_title",
        "search": "list_title",
        "agencies": "agencies_heading",
        "themes": "themes_heading",
        "annex": "nav_list",
        "404": "not_found_heading",
    }[kind]
    return t[key] if key else ""


def meta(tab, prop: str) -> list[str]:
    return tab.page.eval_on_selector_all(
        f'meta[property="{prop}"]', "ms => ms.map(m => m.getAttribute('content'))"
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_page_is_named_described_and_quiet(tab, page_of, catalogue, rich, strings, kind, lang):
    path = address(page_of, kind, lang)
    status = 404 if kind == "404" else 200
    tab.goto(path, expect_status=status)
    tab.settle()
    if kind == "404":
        lang = "vi"  # one 404 page answers every missing address, in the root language

    problems = tab.problems()
    if status == 404:  # Chromium logs the 404 of the page itself; anything else still counts
        own = f"status of 404 (Not Found) [{tab.url(path)}]"
        problems = [p for p in problems if not p.endswith(own)]
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)

    site = catalogue.settings.text("title", lang)
    name = page_name(kind, lang, catalogue, rich, strings)
    assert tab.page.title() == (f"{name} – {site}" if name else site), path

    assert meta(tab, "og:title") == [name or site], path
    assert meta(tab, "og:site_name") == [site]
    assert meta(tab, "og:type") == ["website"]
    assert meta(tab, "og:locale") == [LOCALE[lang]]
    assert meta(tab, "og:locale:alternate") == [LOCALE["en" if lang == "vi" else "vi"]]
    description = tab.page.get_attribute('meta[name="description"]', "content")
    assert description and meta(tab, "og:description") == [description]
    if kind == "404":
        assert meta(tab, "og:url") == []  # no address of its own
    else:
        base = catalogue.settings.get("base_url").rstrip("/") + "/"
        canonical = tab.page.get_attribute('link[rel="canonical"]', "href")
        own = path.split("?")[0].lstrip("/")
        assert meta(tab, "og:url") == [canonical] == [base + own], path

    icons = tab.page.eval_on_selector_all(
        'link[rel="icon"]', "ls => ls.map(l => [l.href, l.getAttribute('type') || ''])"
    )
    assert [kind for _, kind in icons] == ["image/svg+xml"], icons  # /favicon.ico: for those who ask
    for href, _ in icons:
        response = tab.page.request.get(href)
        assert response.status == 200, f"{path}: icon {href}: HTTP {response.status}"


def test_favicon_ico_is_an_icon_at_the_root(tab, site_dir):
    """Browsers and tools ask for /favicon.ico without reading a page: a 404 otherwise."""
    import struct

    response = tab.page.request.get(tab.url("/favicon.ico"))
    assert response.status == 200
    data = response.body()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count >= 1
    sizes = set()
    for i in range(count):
        w, h, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        assert offset + length <= len(data)
        sizes.add((w or 256, h or 256))
    assert {(16, 16), (32, 32)} <= sizes
    # the same bytes every build
    from citycat.site import favicon

    assert data == (site_dir / "favicon.ico").read_bytes() == favicon.ico()


def test_favicon_svg_is_drawn_by_chromium(tab):
    """The mark loads as an image under the site's CSP and has its size (a broken SVG has 0)."""
    tab.goto("/")
    size = tab.page.evaluate(
        """() => new Promise(done => {
            const img = new Image();
            img.onload = () => done([img.naturalWidth, img.naturalHeight]);
            img.onerror = () => done(null);
            img.src = document.querySelector('link[rel="icon"][type="image/svg+xml"]').href;
        })"""
    )
    assert size == [32, 32]
    mark = tab.page.locator(".site-title img.mark")
    assert mark.count() == 1 and mark.evaluate("img => img.complete && img.naturalWidth > 0")
    assert mark.get_attribute("alt") == ""  # the title beside it says what the link is
