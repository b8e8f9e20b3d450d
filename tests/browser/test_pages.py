"""Every page type loads in Chromium, under the site's own CSP, without a console or page error."""

from __future__ import annotations

import pytest

LANGS = ("vi", "en")
PAGE_TYPES = ("home", "list", "dataset", "agencies", "agency", "themes", "theme", "annex")


def load_cleanly(tab, path: str, status: int = 200) -> None:
    tab.goto(path, expect_status=status)
    tab.settle()
    problems = tab.problems()
    if status == 404:  # Chromium logs the 404 of the page itself; anything else still counts
        own = f"status of 404 (Not Found) [{tab.url(path)}]"
        problems = [p for p in problems if not p.endswith(own)]
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_loads_without_errors(tab, page_of, kind, lang):
    path = page_of(kind, lang)
    load_cleanly(tab, path)
    assert tab.page.evaluate("document.documentElement.lang") == lang
    assert tab.page.locator("h1").count() == 1, f"{path}: expected exactly one <h1>"
    # the theme's stylesheet applied (a blocked or missing one leaves the browser default margin)
    assert tab.page.evaluate("document.styleSheets.length") >= 1
    assert tab.page.evaluate("[...document.styleSheets].every(s => s.cssRules.length > 0)"), (
        f"{path}: a stylesheet is empty or was not applied"
    )


def test_list_page_fetches_its_own_language_index(tab):
    seen = []
    tab.page.on("request", lambda r: seen.append(r.url))
    load_cleanly(tab, "/en/datasets/")
    assert any(u.endswith("/en/search-index.json") for u in seen), seen


@pytest.mark.parametrize("path", ["/404.html", "/no-such-page/", "/datasets/no-such-dataset/"])
def test_not_found_page_loads_without_errors(tab, path):
    """The 404 page, served for any missing address, brings its stylesheet and links from there."""
    load_cleanly(tab, path, 200 if path == "/404.html" else 404)
    assert tab.page.locator("h1").count() == 1
    home = tab.page.locator("main a").first
    assert home.count() == 1, "the 404 page links nowhere"
    response = tab.page.request.get(home.evaluate("a => a.href"))
    assert response.status == 200, f"the 404 page's first link leads to {response.url}: {response.status}"


def test_offsite_requests_are_blocked_and_reported(axe_tab):
    """The harness itself: a request to another host never leaves Chromium, and is recorded."""
    axe_tab.goto("/404.html")  # the axe context bypasses the CSP, which would stop the fetch first
    outcome = axe_tab.page.evaluate(
        "() => fetch('http://offsite.invalid/probe').then(() => 'reached', e => 'blocked: ' + e)"
    )
    assert outcome.startswith("blocked"), outcome
    assert axe_tab.guard.offsite == ["GET http://offsite.invalid/probe"]
    axe_tab.guard.offsite.clear()  # expected here: must not fail this test
