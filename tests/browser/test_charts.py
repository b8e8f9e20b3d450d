"""The charts as Chromium draws them: on the home page and an agency page, in both languages, on
a laptop and on a phone, every label inside its SVG (none cut off at the edge), every mark
coloured (a mark without a fill rule is drawn black), and the text big enough to read.

The HTML report (``citycat report --format html``) is not part of the built site, so it is not
here; its charts carry ``charts.css()`` and are checked in tests/test_report.py."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LANGS

WIDTHS = (1366, 390)
PAGES = ("home", "agency")
SMALLEST_PX = 11  # the labels' size on screen, at the least

# Each chart's SVG box, and for each of its text elements and marks what a reader would see.
MEASURE = """() => [...document.querySelectorAll('main svg')].map(svg => {
  const box = svg.getBoundingClientRect();
  const scale = svg.getScreenCTM().a;
  return {
    box: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
    texts: [...svg.querySelectorAll('text')].map(t => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
              px: parseFloat(getComputedStyle(t).fontSize) * scale};
    }),
    marks: [...svg.querySelectorAll('.chart-bar')].map(m => ({
      cls: m.getAttribute('class'), fill: getComputedStyle(m).fill, width: m.getBoundingClientRect().width,
    })),
  };
})"""


@pytest.fixture
def charts_on(tab, page_of):
    def open_(kind: str, lang: str, width: int) -> list[dict]:
        tab.page.set_viewport_size({"width": width, "height": 900})
        tab.goto(page_of(kind, lang))
        tab.settle()
        found = tab.page.evaluate(MEASURE)
        assert found, f"{kind} ({lang}, {width} px): no chart"
        return found

    return open_


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", PAGES)
def test_labels_lie_inside_their_chart(charts_on, kind, lang, width):
    cut = []
    for chart in charts_on(kind, lang, width):
        box = chart["box"]
        assert chart["texts"], f"{kind} ({lang}, {width} px): a chart without labels"
        for t in chart["texts"]:
            if (
                t["left"] < box["left"] - 0.5
                or t["right"] > box["right"] + 0.5
                or t["top"] < box["top"] - 0.5
                or t["bottom"] > box["bottom"] + 0.5
            ):
                cut.append(f"{t['text']!r} {t} outside {box}")
    assert not cut, f"{kind} ({lang}, {width} px): text cut off by its chart's edge:\n" + "\n".join(cut)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", PAGES)
def test_marks_are_coloured(charts_on, kind, lang, width):
    marks = [m for chart in charts_on(kind, lang, width) for m in chart["marks"]]
    assert marks, f"{kind} ({lang}, {width} px): no chart marks (class chart-bar)"
    black = [m for m in marks if m["fill"] in ("rgb(0, 0, 0)", "none", "")]
    assert not black, f"{kind} ({lang}, {width} px): marks drawn black or not at all: {black}"
    assert all(m["width"] > 0 for m in marks)
    assert len({m["fill"] for m in marks}) >= 2  # the statuses and levels told apart by colour


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", PAGES)
def test_labels_are_readable_on_a_phone(charts_on, kind, lang):
    small = [
        f"{t['text']!r}: {t['px']:.1f} px"
        for chart in charts_on(kind, lang, 390)
        for t in chart["texts"]
        if t["px"] < SMALLEST_PX
    ]
    assert not small, f"{kind} ({lang}, 390 px): labels under {SMALLEST_PX} px:\n" + "\n".join(small)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", PAGES)
def test_each_chart_lists_its_figures(tab, page_of, kind, lang):
    """The text equivalent: under each chart, a list with one item per bar, with its number."""
    tab.goto(page_of(kind, lang))
    figures = tab.page.evaluate(
        """() => [...document.querySelectorAll('main figure')].filter(f => f.querySelector('svg')).map(f => ({
          bars: f.querySelectorAll('svg text.chart-value').length,
          values: [...f.querySelectorAll('svg text.chart-value')].map(t => t.textContent.trim()),
          items: [...f.querySelectorAll('ul.chart-data li')].map(li => li.textContent.trim()),
          labelled: !!f.querySelector('svg[role=img] title') && !!f.querySelector('figcaption'),
        }))"""
    )
    assert figures, f"{kind} ({lang}): no chart"
    for f in figures:
        assert f["labelled"], f
        assert f["bars"] and len(f["items"]) == f["bars"], f
        assert [item.rsplit(":", 1)[1].strip() for item in f["items"]] == f["values"], f
