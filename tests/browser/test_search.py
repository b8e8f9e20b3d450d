"""The dataset list page's search and filters (site/static/search.js), driven as a reader would.

DOM contract (site/templates/list.html): form#search[data-ready] once the index is loaded, input#q,
checkboxes name=<facet> value=<id>, #count, ol#datasets > li[data-id] (only the results are in it).
What each query should find is worked out here from the catalogue and citycat's own search index
(``citycat.site.searchindex``): a dataset matches when every folded word of the query occurs in its
title, other-language title, agency, keywords or themes; title matches come first, each group in
the list's display order.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest

from citycat.model.vietnamese import fold
from citycat.site.searchindex import build_index, records

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="session")
def index(catalogue):
    """``index[lang]``: the list page's rows, in display order, as the search sees them."""
    return {lang: records(build_index(catalogue, lang, TODAY)) for lang in ("vi", "en")}


def expected(rows: list[dict], query: str) -> tuple[list[str], list[str]]:
    """(title matches, other matches) for ``query``, each in display order."""
    words = [w for w in dict.fromkeys(fold(query).split()) if w]
    first, rest = [], []
    for r in rows:
        hay = "\n".join(
            [
                r["title_folded"],
                r["other_folded"],
                r["agency_folded"],
                r["keywords_folded"],
                *r["themes_folded"],
            ]
        )
        if all(w in hay for w in words):
            (first if all(w in r["title_folded"] for w in words) else rest).append(r["id"])
    return first, rest


def wait_ready(tab) -> None:
    """Until search.js has its index (data-ready="true"), or gave up on it ("error")."""
    tab.page.wait_for_function("() => document.getElementById('search').dataset.ready")
    state = tab.page.locator("form#search").get_attribute("data-ready")
    assert state == "true", f"search.js could not load its index (data-ready={state!r}): {tab.problems()}"


def open_list(tab, path: str = "/datasets/") -> None:
    tab.goto(path)
    wait_ready(tab)


def shown(tab) -> list[str]:
    """The ids of the datasets the list shows now, top to bottom."""
    return tab.page.eval_on_selector_all(
        "#datasets > li[data-id]",
        "lis => lis.filter(li => li.offsetParent !== null).map(li => li.dataset.id)",
    )


def count_number(tab) -> int:
    text = tab.page.locator("#count").inner_text()
    digits = re.sub(r"[^\d]", "", text)
    assert digits, f"#count shows no number: {text!r}"
    return int(digits)


def type_query(tab, query: str) -> None:
    box = tab.page.locator("#q")
    box.fill("")
    box.press_sequentially(query)


def facet_box(tab, name: str, value: str):
    """The checkbox of one facet value, brought into sight as a reader would: the filters opened
    (closed on a phone) and the facet's "show more" opened when the value is among the others."""
    box = tab.page.locator(f'input[name="{name}"][value="{value}"]')
    for details in box.locator("xpath=ancestor::details").all():  # the outermost first
        if not details.evaluate("d => d.open"):
            details.locator(":scope > summary").click()
    return box


def title(catalogue, dataset_id: str, lang: str = "vi") -> str:
    return catalogue.dataset(dataset_id).text("title", lang)


def nfc_lower(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


# ---------------------------------------------------------------------------------------------
# Search


def test_y_te_finds_the_titles_with_y_te_first(tab, catalogue, index):
    open_list(tab)
    everything = shown(tab)
    assert len(everything) == len(catalogue.datasets)
    assert count_number(tab) == len(catalogue.datasets)
    count_before = tab.page.locator("#count").inner_text()

    type_query(tab, "y te")
    results = shown(tab)
    with_y_te = [i for i in everything if "y tế" in nfc_lower(title(catalogue, i))]
    assert with_y_te, "the starter catalogue should have a title with 'Y tế'"
    first, rest = expected(index["vi"], "y te")
    assert set(with_y_te) <= set(first)
    assert results == first + rest
    assert results[: len(first)] == first, "title matches must rank first"
    assert 0 < len(results) < len(everything), "the search should narrow the list"
    assert count_number(tab) == len(results)
    assert tab.page.locator("#count").inner_text() != count_before


@pytest.mark.parametrize(
    "query, words",
    [
        ("dat", ["đất"]),  # "Thửa đất…", "Bảng giá đất…"
        ("diem", ["điểm"]),  # "Điểm tập kết…" (capital Đ) and "…điểm dừng…", "…điểm chuẩn…"
        ("dan cu", ["dân cư"]),
    ],
)
def test_words_with_d_stroke_are_found_without_it(tab, catalogue, index, query, words):
    open_list(tab)
    everything = shown(tab)
    wanted = [i for i in everything if all(w in nfc_lower(title(catalogue, i)) for w in words)]
    assert wanted, f"the starter catalogue should have a title with {words}"
    type_query(tab, query)
    results = shown(tab)
    first, rest = expected(index["vi"], query)
    assert set(wanted) <= set(first), f"titles with {words} should be title matches of {query!r}"
    assert results == first + rest, "title matches first, then the others, each in display order"
    assert count_number(tab) == len(results)


@pytest.mark.parametrize(
    "plain, marked",
    [("y te", "y tế"), ("y te", "Y TẾ"), ("dat", "đất"), ("diem", "ĐIỂM"), ("dan cu", "dân cư")],
)
def test_query_with_diacritics_finds_the_same(tab, plain, marked):
    open_list(tab)
    type_query(tab, plain)
    without = shown(tab)
    count_without = tab.page.locator("#count").inner_text()
    type_query(tab, marked)
    assert shown(tab) == without
    assert tab.page.locator("#count").inner_text() == count_without


def test_decomposed_input_finds_the_same(tab):
    """Text typed as base letters plus combining marks (NFD) finds what NFC text finds."""
    open_list(tab)
    type_query(tab, "y tế")
    composed = shown(tab)
    tab.page.locator("#q").fill(unicodedata.normalize("NFD", "y tế"))
    tab.page.locator("#q").dispatch_event("input")
    assert shown(tab) == composed


def test_no_match_says_so(tab):
    open_list(tab)
    type_query(tab, "zzzz khong co")
    assert shown(tab) == []
    assert count_number(tab) == 0
    assert tab.page.locator("#no-results").is_visible()
    type_query(tab, "")
    assert not tab.page.locator("#no-results").is_visible()


def test_english_list_searches_english_titles(tab, catalogue, index):
    open_list(tab, "/en/datasets/")
    type_query(tab, "health")
    results = shown(tab)
    first, rest = expected(index["en"], "health")
    assert first, "an English title should contain 'health'"
    assert all("health" in title(catalogue, i, "en").lower() for i in first)
    assert results == first + rest


# ---------------------------------------------------------------------------------------------
# Facets and the address


def ids_where(index_rows, **facets) -> list[str]:
    def ok(r):
        return all(
            (r[f] in v) if isinstance(r[f], str) else bool(set(r[f]) & set(v)) for f, v in facets.items()
        )

    return [r["id"] for r in index_rows if ok(r)]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_agency_checkbox_filters_to_that_agency(tab, catalogue, index):
    open_list(tab)
    agency = "so-y-te"
    own = [d.id for d in catalogue.datasets if d.agency == agency]
    assert 0 < len(own) < len(catalogue.datasets)
    facet_box(tab, "agency", agency).check()
    results = shown(tab)
    assert sorted(results) == sorted(own)
    assert results == ids_where(index["vi"], agency=[agency])
    assert count_number(tab) == len(own)
    tab.page.wait_for_function("() => location.search.includes('agency=')")
    assert query_of(tab.page.url) == {"agency": [agency]}

    facet_box(tab, "agency", agency).uncheck()
    assert len(shown(tab)) == len(catalogue.datasets)


def test_access_checkbox_filters_to_that_level(tab, catalogue, index):
    open_list(tab)
    internal = [d.id for d in catalogue.datasets if d.access == "internal"]
    assert internal
    facet_box(tab, "access", "internal").check()
    assert sorted(shown(tab)) == sorted(internal)
    # two values of one facet: either; two facets: both
    facet_box(tab, "access", "shared").check()
    either = [d.id for d in catalogue.datasets if d.access in ("internal", "shared")]
    assert sorted(shown(tab)) == sorted(either)
    facet_box(tab, "agency", "so-y-te").check()
    both = [d.id for d in catalogue.datasets if d.access in ("internal", "shared") and d.agency == "so-y-te"]
    assert both
    assert sorted(shown(tab)) == sorted(both)
    assert count_number(tab) == len(both)


def test_address_keeps_and_restores_the_view(tab, base_url, catalogue, index):
    open_list(tab)
    facet_box(tab, "agency", "so-y-te").check()
    type_query(tab, "benh")
    view = shown(tab)
    first, rest = expected([r for r in index["vi"] if r["agency"] == "so-y-te"], "benh")
    assert view == first + rest
    assert 0 < len(view) < len([d for d in catalogue.datasets if d.agency == "so-y-te"])
    tab.page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'benh'")
    params = query_of(tab.page.url)
    assert params == {"q": ["benh"], "agency": ["so-y-te"]}
    shared = tab.page.url

    tab.page.goto("about:blank")
    tab.page.goto(shared)
    wait_ready(tab)
    assert tab.page.locator("#q").input_value() == "benh"
    assert tab.page.locator('input[name="agency"][value="so-y-te"]').is_checked()
    assert tab.page.locator('input[name="agency"]:checked').count() == 1
    assert shown(tab) == view
    assert count_number(tab) == len(view)


# ---------------------------------------------------------------------------------------------
# Language switch


def test_language_switch_leads_to_the_same_dataset(tab, catalogue, rich):
    tab.goto(f"/datasets/{rich.id}/")
    assert tab.page.evaluate("document.documentElement.lang") == "vi"
    assert tab.page.locator("h1").inner_text().strip() == rich.text("title", "vi")

    tab.page.locator('.lang-switch a[hreflang="en"]').click()
    tab.page.wait_for_url(f"**/en/datasets/{rich.id}/")
    assert urlsplit(tab.page.url).path == f"/en/datasets/{rich.id}/"
    assert tab.page.evaluate("document.documentElement.lang") == "en"
    assert tab.page.locator("h1").inner_text().strip() == rich.text("title", "en")

    tab.page.locator('.lang-switch a[hreflang="vi"]').click()
    tab.page.wait_for_url(lambda url: urlsplit(url).path == f"/datasets/{rich.id}/")
    assert tab.page.evaluate("document.documentElement.lang") == "vi"
    assert tab.page.locator("h1").inner_text().strip() == rich.text("title", "vi")


# ---------------------------------------------------------------------------------------------
# Results first: the count under the search box, the filters beside (desktop) or folded (phone)

DESKTOP, PHONE = (1366, 900), (390, 844)


def lang_path(lang: str, path: str = "datasets/") -> str:
    return ("/en/" if lang == "en" else "/") + path


def top_of(tab, selector: str) -> float:
    """Where the element's box starts, in CSS pixels from the top of the page."""
    box = tab.page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not rendered"
    return box["y"] + tab.page.evaluate("window.scrollY")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("size, limit", [(DESKTOP, 400), (PHONE, 700)], ids=["desktop", "phone"])
def test_the_result_count_is_near_the_top(tab, index, lang, size, limit):
    tab.page.set_viewport_size({"width": size[0], "height": size[1]})
    open_list(tab, lang_path(lang))
    type_query(tab, "dan cu")
    first, rest = expected(index[lang], "dan cu")
    assert count_number(tab) == len(first + rest) > 0
    tab.page.evaluate("window.scrollTo(0, 0)")
    top = top_of(tab, "#count")
    assert top <= limit, f"the result count starts at y={top:.0f} at {size[0]}×{size[1]}, beyond {limit}"
    assert top < top_of(tab, "#datasets")


def test_filters_are_folded_on_a_phone(tab):
    tab.page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    open_list(tab)
    filters = tab.page.locator("details#filters")
    box = tab.page.locator('input[name="access"][value="open"]')
    assert not filters.evaluate("d => d.open") and not box.is_visible()
    assert top_of(tab, "#filters") < top_of(tab, "#datasets"), "the folded filters come before the results"
    filters.locator(":scope > summary").click()
    assert box.is_visible()
    box.check()
    assert tab.page.locator("#filters-on").inner_text() == "(1)", "the summary says a filter is on"


def test_filters_are_a_sidebar_on_a_desktop(tab):
    tab.page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    open_list(tab)
    assert tab.page.locator("details#filters").evaluate("d => d.open")
    assert tab.page.locator('input[name="access"][value="open"]').is_visible()
    side = tab.page.locator("#filters").bounding_box()
    results = tab.page.locator("#datasets").bounding_box()
    assert side["x"] + side["width"] <= results["x"], "the filters should be beside the results"
    assert side["y"] < results["y"] + results["height"] and results["y"] < side["y"] + side["height"]
    # no facet scrolls inside itself, cutting values in half: a long one has "show more"
    cut = tab.page.eval_on_selector_all(
        "#filters ul", "uls => uls.filter(u => u.scrollHeight > u.clientHeight + 1).length"
    )
    assert cut == 0
    more = tab.page.locator("#facet-agency details.facet-more")
    assert more.count() == 1 and not more.evaluate("d => d.open")
    hidden = more.locator("input").first
    assert not hidden.is_visible()
    more.locator(":scope > summary").click()
    assert hidden.is_visible()


def test_filters_are_reachable_without_javascript(nojs_tab):
    tab = nojs_tab
    tab.page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    tab.goto("/datasets/")
    box = tab.page.locator('input[name="theme"]').first
    assert not box.is_visible()
    tab.page.locator("details#filters > summary").click()
    assert box.is_visible()
    assert tab.page.locator("#sort-box").is_hidden(), "no sort control that cannot sort"


def in_order(rows: list[dict], ids: list[str], sort: str) -> list[str]:
    """``ids`` in the order ``sort`` shows them: ties and missing dates in display order, the
    datasets without the date last; relevance is ``expected`` (title matches first)."""
    at = {r["id"]: i for i, r in enumerate(rows)}
    by_id = {r["id"]: r for r in rows}
    if sort == "title":
        return sorted(ids, key=at.__getitem__)
    if sort == "modified":
        return sorted(
            ids,
            key=lambda i: (
                by_id[i]["modified"] is None,
                -(by_id[i]["modified"] or dt.date.min).toordinal(),
                at[i],
            ),
        )
    if sort == "due":
        return sorted(ids, key=lambda i: (by_id[i]["due"] is None, by_id[i]["due"] or dt.date.min, at[i]))
    return ids


@pytest.mark.parametrize("lang, query", [("vi", "du lieu"), ("vi", ""), ("en", "data")])
def test_each_sort_order(tab, index, lang, query):
    rows = index[lang]
    first, rest = expected(rows, query)
    matches = first + rest
    orders = {sort: in_order(rows, matches, sort) for sort in ("relevance", "title", "modified", "due")}
    assert len(set(map(tuple, orders.values()))) >= 3, "the orders should differ, or this test proves little"
    open_list(tab, lang_path(lang))
    assert tab.page.locator("#sort").input_value() == "relevance"
    if query:
        type_query(tab, query)
    for sort in ("title", "modified", "due", "relevance"):
        tab.page.select_option("#sort", sort)
        assert shown(tab) == orders[sort], sort
        assert count_number(tab) == len(matches)
        if sort != "relevance":
            tab.page.wait_for_function(f"() => location.search.includes('sort={sort}')")
    # a shared address keeps the order
    tab.page.select_option("#sort", "due")
    tab.page.wait_for_function("() => location.search.includes('sort=due')")
    tab.page.goto(tab.page.url)
    wait_ready(tab)
    assert tab.page.locator("#sort").input_value() == "due"
    assert shown(tab) == orders["due"]


# ---------------------------------------------------------------------------------------------
# A list cut into pages: the search still covers every dataset, each result linking to its page

PER_PAGE = 5


@pytest.fixture(scope="module")
def paged_url(tmp_path_factory):
    """The starter catalogue built with PER_PAGE datasets to a list page, served."""
    from citycat.pipeline.build import build
    from citycat.site import views
    from tests.browser.conftest import served
    from tests.conftest import TODAY as BUILT
    from tests.conftest import starter_root

    out = tmp_path_factory.mktemp("browser-search-paged") / "out"
    saved, views.PER_PAGE = views.PER_PAGE, PER_PAGE
    try:
        build(starter_root(), out, BUILT)
    finally:
        views.PER_PAGE = saved
    with served(out, "citycat-search-paged") as url:
        yield url


def links(tab) -> dict[str, str]:
    """Each shown card's id and the path its title links to."""
    return dict(
        tab.page.eval_on_selector_all(
            "#datasets > li[data-id]",
            "lis => lis.map(li => [li.dataset.id, new URL(li.querySelector('.card-title a').href).pathname])",
        )
    )


def test_results_cover_the_later_pages(tab, index, paged_url):
    rows = index["vi"]
    page2 = [r["id"] for r in rows[PER_PAGE : 2 * PER_PAGE]]
    tab.page.goto(paged_url + "/datasets/")
    wait_ready(tab)
    assert shown(tab) == [r["id"] for r in rows[:PER_PAGE]]
    assert tab.page.locator("nav.pager").is_visible()

    # a query for a title on page 2 finds it from page 1, linked to its own page
    target = next(r for r in rows[PER_PAGE : 2 * PER_PAGE] if len(r["title_folded"].split()) >= 2)
    query = " ".join(target["title_folded"].split()[:3])
    type_query(tab, query)
    first, rest = expected(rows, query)
    assert target["id"] in first and shown(tab) == first + rest
    assert not tab.page.locator("nav.pager").is_visible()
    assert links(tab) == {i: f"/datasets/{i}/" for i in first + rest}

    # a date order with no query shows the whole catalogue, page 2 included
    type_query(tab, "")
    assert tab.page.locator("nav.pager").is_visible()
    tab.page.select_option("#sort", "modified")
    every = in_order(rows, [r["id"] for r in rows], "modified")
    assert shown(tab) == every[: len(shown(tab))] and len(shown(tab)) == len(rows)
    assert set(page2) <= set(shown(tab))
    assert not tab.page.locator("nav.pager").is_visible()
    assert links(tab) == {r["id"]: f"/datasets/{r['id']}/" for r in rows}
    tab.page.locator(f'#datasets > li[data-id="{page2[0]}"] .card-title a').click()
    tab.page.wait_for_url(f"**/datasets/{page2[0]}/")
    assert tab.page.locator("h1").inner_text().strip() == next(
        r["title"] for r in rows if r["id"] == page2[0]
    )
