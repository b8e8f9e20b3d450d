"""``citycat.site.charts``: the SVG it draws, and the site's style sheet colouring every mark."""

from __future__ import annotations

import re

from citycat.site import charts
from tests.conftest import ROOT


def test_the_style_sheet_colours_every_kind_of_mark_as_the_palette_does():
    css = (ROOT / "site" / "static" / "style.css").read_text("utf-8")
    block = css[css.index("/* Charts") :]
    fills = {}
    for selectors, colour in re.findall(r"([^{}]+)\{\s*fill:\s*(#[0-9a-f]{6});\s*\}", block):
        for selector in selectors.split(","):
            fills[selector.strip()] = colour
    assert {f".chart-{kind}": colour for kind, colour in charts.PALETTE.items()}.items() <= fills.items()


def test_long_labels_wrap_instead_of_being_cut():
    label = "Trung tâm Phục vụ hành chính công Thành phố"
    svg = charts.bars("t", [(label, 3, "status-proposed"), ("Open", 9, "access-open")])
    lines = re.findall(r"<tspan [^>]*>([^<]*)</tspan>", svg)
    assert " ".join(lines[:-1]) == label and len(lines) > 2  # every word, on lines of its own
    column = float(re.search(r'<tspan x="([\d.]+)"', svg).group(1))
    assert column < 360 * 0.5  # the label column: at most about its share of the width
    assert 'class="chart-bar chart-status-proposed"' in svg and ' class="bar' not in svg


def test_the_label_column_is_as_wide_as_the_longest_label():
    short = charts.bars("t", [("Open", 1, "access-open")])
    longer = charts.bars("t", [("Internal to one body", 1, "access-internal")])
    x = [float(re.search(r'<rect x="([\d.]+)"', svg).group(1)) for svg in (short, longer)]
    assert x[0] < 60 < x[1]
    assert charts.text_width("Dữ liệu dùng riêng", 10) == charts.text_width("Du lieu dung rieng", 10)
