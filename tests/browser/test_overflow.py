"""Phones first: no page scrolls sideways, and a dataset page shows its downloads above the fold.

Every page type, in both languages, at 360, 390 and 768 px wide: the page is no wider than the
window (``document.scrollingElement.scrollWidth <= innerWidth``). A wide table may scroll inside
its own region (``.table-wrap``), never the page. The inspection committee's HTML report
(``citycat report --format html``, a standalone page) is held to the same. On a phone a dataset's
resources are cards, each with a visible download or access button inside the window; at
1366×900 the downloads box starts within the first screen.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import LANGS, lang_path, served
from tests.conftest import TODAY, starter_root

WIDTHS = (360, 390, 768)
PAGES = ("home", "list", "search", "dataset", "dataset-resources", "agency", "theme", "annex", "not-found")

# what sticks out of the window (outside any region that scrolls or clips it): the innermost last
WIDEST = """() => {
    const w = innerWidth;
    const clipped = e => {  // an absolute box is clipped only from its containing block out
        let free = getComputedStyle(e).position === 'absolute';
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            const style = getComputedStyle(a);
            if (free && style.position === 'static') continue;
            free = false;
            if (style.overflowX !== 'visible') return true;
        }
        return false;
    };
    return [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 0.5 && !clipped(e))
        .map(e => e.outerHTML.slice(0, 80) + ' right=' + Math.round(e.getBoundingClientRect().right))
        .slice(-4);
}"""


def several_resources(catalogue):
    """The first open dataset (by id) with the most public distributions."""
    open_ = [d for d in sorted(catalogue.datasets, key=lambda d: d.id) if d.get("access") == "open"]
    return max(open_, key=lambda d: len(d.public_distributions()))


@pytest.fixture(scope="session")
def paths(catalogue, rich, page_of):
    several = several_resources(catalogue)
    assert len(several.public_distributions()) >= 3, "the starter catalogue has no dataset with 3 resources"
    agency = sorted(catalogue.agencies)[0]
    theme = sorted(catalogue.themes)[0]

    def of(kind: str, lang: str) -> tuple[str, int]:
        en = lang == "en"
        return {
            "home": (lang_path(lang, ""), 200),
            "list": (lang_path(lang, "datasets/"), 200),
            "search": (lang_path(lang, "datasets/?q=" + ("population" if en else "dan+cu")), 200),
            "dataset": (lang_path(lang, f"datasets/{rich.id}/"), 200),
            "dataset-resources": (lang_path(lang, f"datasets/{several.id}/"), 200),
            "agency": (lang_path(lang, f"agencies/{agency}/"), 200),
            "theme": (lang_path(lang, f"themes/{theme}/"), 200),
            "annex": (lang_path(lang, "list/"), 200),
            "not-found": (lang_path(lang, "no-such-page/"), 404),
        }[kind]

    return of


def assert_fits(tab, where: str, width: int) -> None:
    tab.settle()
    sizes = tab.page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert sizes[1] == width, f"{where}: the window is {sizes[1]} px wide, expected {width}"
    if sizes[0] > sizes[1]:
        wide = tab.page.evaluate(WIDEST)
        pytest.fail(f"{where}: the page is {sizes[0]} px wide in a {width} px window; too wide: {wide}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", PAGES)
def test_page_does_not_scroll_sideways(tab, paths, kind, lang, width):
    path, status = paths(kind, lang)
    tab.page.set_viewport_size({"width": width, "height": 844})
    tab.goto(path, expect_status=status)
    if kind == "search":
        tab.page.wait_for_function("() => document.getElementById('search').dataset.ready === 'true'")
        shown = tab.page.eval_on_selector_all(
            "#datasets > li[data-id]", "lis => lis.filter(li => li.offsetParent).length"
        )
        assert shown >= 1, f"{path}: the search found nothing, so the results were not measured"
    assert_fits(tab, path, width)


@pytest.fixture(scope="session")
def reports(tmp_path_factory) -> Path:
    """The committee's HTML report of the starter catalogue, as ``citycat report`` writes it."""
    out = tmp_path_factory.mktemp("report")
    for lang in LANGS:
        args = ["report", "-C", str(starter_root()), "--today", TODAY.isoformat(), "--format", "html"]
        args += ["--lang", lang, "--out", str(out / f"report-{lang}.html")]
        res = subprocess.run([sys.executable, "-m", "citycat", *args], capture_output=True, timeout=300)
        assert res.returncode == 0, res.stderr.decode()
    return out


@pytest.fixture(scope="session")
def reports_url(reports):
    with served(reports, "citycat-report") as url:
        yield url


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_report_does_not_scroll_sideways(tab, reports_url, lang, width):
    tab.base_url = reports_url
    tab.page.set_viewport_size({"width": width, "height": 844})
    tab.goto(f"/report-{lang}.html")
    assert tab.page.locator("table").count() >= 3, "the report has lost its tables"
    assert_fits(tab, f"report-{lang}.html", width)


@pytest.mark.parametrize("lang", LANGS)
def test_resources_are_cards_with_a_button_on_a_phone(tab, catalogue, lang):
    d = several_resources(catalogue)
    tab.page.set_viewport_size({"width": 360, "height": 800})
    tab.goto(lang_path(lang, f"datasets/{d.id}/"))
    tab.settle()
    rows = tab.page.locator(".resources tbody tr")
    assert rows.count() == len(d.public_distributions())
    for i, x in enumerate(d.public_distributions()):
        card = rows.nth(i)
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, f"card {i} is not inside the window: {box}"
        text = card.inner_text()
        assert x.text("title", lang) in text and str(x.get("format")) in text
        button = card.locator(f'a.button[href="{x.url}"]')
        assert button.is_visible(), f"card {i}: no visible button to {x.url}"
        b = button.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 360, f"card {i}: the button is off-screen: {b}"
        assert b["height"] >= 44, f"card {i}: the button is {b['height']} px high, under a 44 px target"
    # a card, not a row: the cells stack, so the title is above the button
    first = rows.nth(0)
    assert first.locator("th").bounding_box()["y"] < first.locator("a.button").bounding_box()["y"] - 10


def with_downloads(catalogue):
    """Open datasets with a download, among them the one with the longest description (which
    pushes the box down furthest)."""
    open_ = [
        d
        for d in catalogue.datasets
        if d.get("access") == "open" and any(x.url for x in d.public_distributions())
    ]
    open_.sort(key=lambda d: d.id)
    longest = max(open_, key=lambda d: max(len(d.text("description", lang)) for lang in LANGS))
    return list({d.id: d for d in (open_[0], several_resources(catalogue), longest)}.values())


@pytest.mark.parametrize("lang", LANGS)
def test_downloads_box_is_above_the_fold_on_a_laptop(tab, catalogue, lang):
    tab.page.set_viewport_size({"width": 1366, "height": 900})
    for d in with_downloads(catalogue):
        path = lang_path(lang, f"datasets/{d.id}/")
        tab.goto(path)
        tab.settle()
        box = tab.page.locator(".get-data")
        assert box.count() == 1, f"{path}: no downloads box (.get-data)"
        top = box.bounding_box()["y"]
        assert top < 900, f"{path}: the downloads box starts at {top:.0f} px, below the first 900"
        # nothing the reader came for sits above it that belongs below: scores, dictionary, metadata
        for below in ("#score-h", "#dict-h", "#about-h"):
            other = tab.page.locator(below)
            if other.count():
                assert other.bounding_box()["y"] > top, f"{path}: {below} comes before the downloads"
        first = box.locator("a.button").first
        assert first.is_visible(), f"{path}: the downloads box shows no button"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("access", ["shared", "internal"])
def test_access_box_says_how_to_get_data_that_is_not_open(tab, catalogue, lang, access):
    d = next(d for d in sorted(catalogue.datasets, key=lambda d: d.id) if d.get("access") == access)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.goto(lang_path(lang, f"datasets/{d.id}/"))
    box = tab.page.locator(".get-data")
    assert box.count() == 1
    assert box.locator("a[href^='mailto:']").count() >= 1, "the access box names no one to write to"
    for below in ("#score-h", "#about-h"):
        if tab.page.locator(below).count():
            assert tab.page.locator(below).bounding_box()["y"] > box.bounding_box()["y"]
