"""The sharing page (``sharing/``) in Chromium: on a 390 px phone the page never scrolls sideways
(the matrix scrolls inside its own region), every label and number of the SVG is drawn inside the
SVG, and axe-core finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import check

PATHS = ("/sharing/", "/en/sharing/")
WIDTHS = (390, 1366)

# Every <text> of the matrix whose box reaches outside the SVG's box (by more than half a pixel)
OUTSIDE = """() => {
  const svg = document.querySelector('svg.sharing-matrix');
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('text')];
  const out = texts.filter(t => {
    const r = t.getBoundingClientRect();
    return r.left < box.left - 0.5 || r.right > box.right + 0.5
        || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
  }).map(t => t.textContent);
  return {count: texts.length, out};
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PATHS)
def test_the_page_fits_the_screen_and_the_matrix_its_region(tab, path, width):
    tab.page.set_viewport_size({"width": width, "height": 900})
    tab.goto(path)
    tab.settle()
    assert not tab.problems(), tab.problems()
    sideways = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, f"{path} at {width} px scrolls {sideways} px sideways"
    found = tab.page.evaluate(OUTSIDE)
    assert found["count"] > 17 and found["out"] == [], found  # the labels at least, none outside
    region = tab.page.evaluate(
        """() => { const r = document.querySelector('.sharing-scroll');
                   const s = r.querySelector('svg').getBoundingClientRect();
                   return {scroll: r.scrollWidth, client: r.clientWidth, svg: s.width}; }"""
    )
    if width == 390:  # drawn at its own size: the region scrolls to show all of it
        assert region["scroll"] > region["client"] and region["svg"] > region["client"], region
    else:  # room enough: no scrolling in the region either
        assert region["scroll"] <= region["client"], region


def test_the_svg_check_finds_a_label_drawn_outside(tab):
    """The check itself: a label moved beyond the SVG's edge is reported."""
    tab.goto("/en/sharing/")
    tab.settle()
    row_label = (
        "svg.sharing-matrix text[text-anchor='end']"  # right-aligned at x: 20 puts it past the left edge
    )
    tab.page.evaluate(f'() => document.querySelector("{row_label}").setAttribute("x", "20")')
    assert tab.page.evaluate(OUTSIDE)["out"], "a label drawn outside the SVG was not found"


@pytest.mark.parametrize("path", PATHS)
def test_no_wcag_violations_on_the_sharing_page(axe_tab, path):
    check(axe_tab, path)


@pytest.mark.parametrize("path", PATHS)
def test_no_wcag_violations_with_the_table_open(axe_tab, path):
    """The table of the same figures, opened, is checked too."""
    axe_tab.goto(path)
    axe_tab.settle()
    axe_tab.page.click(".sharing-table summary")
    violations = axe_tab.axe()
    assert not violations, [v["id"] for v in violations]
