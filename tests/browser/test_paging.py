"""The dataset list cut into pages (views.paged), in Chromium: the pager leads to every dataset
without JavaScript; with it, a search from any page looks through the whole catalogue (cards made
for the results not on the page) and clearing it brings the page back; no WCAG violation.

The starter catalogue fits on one page of 50, so this module builds it with 5 to a page (49
datasets: 10 pages) and serves that site instead of the shared one.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, TODAY, require_browser_parts, served
from tests.browser.test_accessibility import check
from tests.browser.test_search import (  # noqa: F401 (index: a fixture)
    expected,
    facet_box,
    index,
    open_list,
    shown,
    type_query,
)

PER_PAGE = 5


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    require_browser_parts()
    from citycat.pipeline.build import build
    from citycat.site import views

    out = tmp_path_factory.mktemp("browser-paged") / "out"
    saved, views.PER_PAGE = views.PER_PAGE, PER_PAGE
    try:
        build(ROOT, out, TODAY)
    finally:
        views.PER_PAGE = saved
    return out


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> str:
    with served(site_dir, "citycat-paged") as url:
        yield url


def big_agency(catalogue) -> str:
    agency, n = Counter(d.agency for d in catalogue.datasets).most_common(1)[0]
    assert n > PER_PAGE, "the starter catalogue should have an agency with more than PER_PAGE datasets"
    return agency


@pytest.mark.parametrize("start", ["/datasets/", "/en/datasets/"])
def test_without_javascript_next_leads_to_every_dataset(nojs_tab, catalogue, start):
    tab, seen, pages = nojs_tab, [], 0
    tab.goto(start)
    while True:
        pages += 1
        seen += tab.page.eval_on_selector_all(
            "#datasets > li[data-id]", "lis => lis.map(li => li.dataset.id)"
        )
        pager = tab.page.locator("nav.pager")
        assert pager.is_visible()
        assert pager.locator('[aria-current="page"]').inner_text().strip().endswith(str(pages))
        nxt = tab.page.locator('nav.pager a[rel="next"]')
        if not nxt.count():
            break
        nxt.click()
        tab.page.wait_for_load_state()
    assert pages == -(-len(catalogue.datasets) // PER_PAGE)
    assert sorted(seen) == sorted(d.id for d in catalogue.datasets)


def test_a_search_from_a_later_page_finds_in_the_whole_catalogue(tab, catalogue, index):  # noqa: F811 - the fixture imported above
    open_list(tab, "/datasets/page/3/")
    own = shown(tab)
    assert len(own) == PER_PAGE and tab.page.locator("nav.pager").is_visible()
    type_query(tab, "y te")
    first, rest = expected(index["vi"], "y te")
    results = shown(tab)
    assert results == first + rest
    assert not set(results) <= set(own), "the results should reach beyond this page"
    assert not tab.page.locator("nav.pager").is_visible()
    # a card made here for a dataset of another page shows its title, agency and link
    other = next(i for i in results if i not in own)
    card = tab.page.locator(f'#datasets > li[data-id="{other}"]')
    d = catalogue.dataset(other)
    assert card.locator(".card-title a").inner_text() == d.text("title", "vi")
    assert card.locator(".card-agency").inner_text() == catalogue.agencies[d.agency].text("name", "vi")
    assert re.search(
        r"\bbadge access-" + re.escape(d.access) + r"\b", card.locator(".badge").first.get_attribute("class")
    )
    card.locator(".card-title a").click()
    tab.page.wait_for_url(f"**/datasets/{other}/")
    tab.page.go_back()
    open_list(tab, "/datasets/page/3/")
    type_query(tab, "y te")
    type_query(tab, "")
    assert shown(tab) == own
    assert tab.page.locator("nav.pager").is_visible()


def test_a_filter_from_a_later_page_shows_the_whole_catalogues_matches(tab, catalogue):
    agency = big_agency(catalogue)
    open_list(tab, "/en/datasets/page/2/")
    facet_box(tab, "agency", agency).check()
    got = shown(tab)
    assert sorted(got) == sorted(d.id for d in catalogue.datasets if d.agency == agency)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_later_pages_have_no_wcag_violations(axe_tab, catalogue, lang):
    prefix = "/en" if lang == "en" else ""
    check(axe_tab, f"{prefix}/datasets/page/2/")
    check(axe_tab, f"{prefix}/agencies/{big_agency(catalogue)}/page/2/")
