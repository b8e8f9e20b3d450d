"""Charts as inline SVG, drawn at build time (no chart library in the browser).

The marks have their own classes: ``chart-bar`` and ``chart-<kind>`` (``chart-status-published``,
``chart-access-open``, ``chart-std-live``…), the text ``chart-label`` and ``chart-value``; the
site's style sheet colours them (its ``/* Charts */`` block follows ``PALETTE``), a standalone
page or a PDF carries ``css()`` (WeasyPrint draws an SVG with the styles inside it only).

Text is laid out here, without a browser: each label's width is estimated from its letters
(``text_width``, on the widths of DejaVu Sans, the widest of the usual sans-serif fonts, plus a
margin), the label column is as wide as the longest line, and a label longer than
``label_share`` of the chart wraps onto a second (third) line, so no label is cut off by the
edge of the SVG in either language. The font size is a presentation attribute of the ``svg``: it
scales with the chart (``viewBox``), so the style sheet must not set it.
"""

from __future__ import annotations

import unicodedata
from html import escape

# The fill of each kind of mark: 3:1 or more against white (WCAG 1.4.11), told apart by hue.
PALETTE = {
    "bar": "#5a6b7b",
    "status-published": "#1b7f3b",
    "status-confirmed": "#1f5fa8",
    "status-proposed": "#a35c00",
    "status-withdrawn": "#6b6b6b",
    "status-overdue": "#a4161a",
    "access-open": "#1b7f3b",
    "access-shared": "#1f5fa8",
    "access-internal": "#7a3b96",
    **{f"std-{k}": "#1f5fa8" for k in ("correct", "complete", "clean", "live", "consistent", "shared")},
}
TEXT_FILL = "#1b1b1b"

# Advance widths in em, by letter, of DejaVu Sans (Debian's system-ui and sans-serif); letters
# not listed are taken as 0.64 em (the lowercase average), capitals not listed as 0.78 em.
_NARROW = dict.fromkeys("iljI.,:;'!|", 0.3) | dict.fromkeys("frt()/-[] ", 0.42)
_WIDTHS = _NARROW | dict.fromkeys("csz", 0.55) | dict.fromkeys("mw", 0.98) | dict.fromkeys("MW%…—", 1.0)
BASELINE = 0.36  # from a line's middle down to its baseline, in em (half the capitals' height)
SAFETY = 1.06  # other fonts (Noto Sans, Segoe UI, Roboto, Liberation Serif) are narrower


def text_width(text: str, size: float) -> float:
    """An upper estimate of the width of ``text`` set at ``size`` (in the same units)."""
    em = 0.0
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue  # Vietnamese tone and vowel marks sit over their letter
        em += _WIDTHS.get(ch, 0.78 if ch.isupper() else 0.64)
    return em * size * SAFETY


def wrap(text: str, room: float, size: float, most: int = 3) -> list[str]:
    """``text`` in lines of at most ``room`` wide, broken between words; at most ``most`` lines
    (the last one shortened with "…" when even that is not enough)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(lines[-1] + " " + word, size) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
    if lines and text_width(lines[-1], size) > room * 1.4:  # one very long word, or the rest
        last = lines[-1]
        while len(last) > 1 and text_width(last + "…", size) > room * 1.4:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines or [""]


def css(font_family: str = "") -> str:
    """The charts' style rules, for a page or an SVG that does not load the site's style sheet."""
    family = f"font-family: {font_family}; " if font_family else ""
    rules = [f".chart-label, .chart-value {{ {family}fill: {TEXT_FILL}; }}"]
    rules += [f".chart-{kind} {{ fill: {colour}; }}" for kind, colour in PALETTE.items()]
    return " ".join(rules)


def _n(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _id(title: str) -> str:
    return "chart-" + "".join(ch for ch in title.lower() if ch.isalnum())[:24]


def _opening(title: str, desc: str, width: float, height: float, font: float) -> str:
    cid = _id(title)
    return (
        f'<svg class="chart-svg" viewBox="0 0 {_n(width)} {_n(height)}" width="100%" '
        f'font-size="{_n(font)}" role="img" aria-labelledby="{cid}-t {cid}-d" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>'
    )


def _label(lines: list[str], x: float, middle: float, line_h: float, font: float) -> str:
    """A right-aligned label of one or more lines, centred on ``middle``."""
    first = middle - line_h * (len(lines) - 1) / 2 + BASELINE * font
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(first + i * line_h)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text text-anchor="end" class="chart-label">{spans}</text>'


def _mark(x: float, y: float, w: float, h: float, kind: str) -> str:
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" class="chart-bar chart-{escape(kind)}"/>'


def _rows(labels: list[str], values: list[str], width: float, font: float, label_share: float):
    """The label lines and the geometry shared by both charts: (lines per row, label column's
    right edge, where the bars start, the longest a bar may be, line height)."""
    pad, gap = 2.0, 0.5 * font
    line_h = 1.2 * font
    room = width * label_share
    lines = [wrap(label, room, font) for label in labels]
    column = max((text_width(line, font) for rows in lines for line in rows), default=0.0)
    value_w = max((text_width(v, font) for v in values), default=0.0)
    right = pad + column
    bar_x = right + gap
    longest = max(width - bar_x - gap - value_w - pad, width * 0.15)
    return lines, right, bar_x, longest, line_h


def bars(
    title: str,
    rows: list[tuple[str, int, str]],
    unit: str = "",
    *,
    width: float = 360,
    font: float = 14,
    label_share: float = 0.45,
) -> str:
    """A horizontal bar chart. ``rows``: (label, value, kind: the mark's colour, ``PALETTE``).
    Accessible: role="img" with a title and a description listing every value, so a screen
    reader hears the numbers."""
    top = max((v for _, v, _ in rows), default=0) or 1
    desc = "; ".join(f"{label}: {value}{unit}" for label, value, _ in rows)
    lines, right, bar_x, longest, line_h = _rows(
        [r[0] for r in rows], [str(r[1]) for r in rows], width, font, label_share
    )
    parts, y = [], 4.0
    for (_, value, kind), label in zip(rows, lines, strict=True):
        row_h = max(1.9 * font, line_h * len(label) + 0.7 * font)
        middle = y + row_h / 2
        w = longest * value / top
        parts.append(_label(label, right, middle, line_h, font))
        parts.append(_mark(bar_x, middle - 0.6 * font, max(w, 1), 1.2 * font, kind))
        parts.append(
            f'<text x="{_n(bar_x + max(w, 1) + 0.3 * font)}" y="{_n(middle + BASELINE * font)}" '
            f'class="chart-value">{value}</text>'
        )
        y += row_h
    return _opening(title, desc, width, y + 4, font) + "".join(parts) + "</svg>"


def stacked(
    title: str,
    rows: list[tuple[str, list[tuple[int, str, str]]]],
    *,
    width: float = 360,
    font: float = 14,
    label_share: float = 0.45,
) -> str:
    """A horizontal stacked bar chart with a legend. ``rows``: (label, [(value, kind, part
    name), …]); every row has the same parts in the same order. Accessible like ``bars``."""
    top = max((sum(v for v, _, _ in parts) for _, parts in rows), default=0) or 1
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{name} {value}" for value, _, name in parts) for label, parts in rows
    )
    line_h, swatch = 1.5 * font, 0.9 * font
    legend, x, y = [], 2.0, 4.0
    for _, kind, name in rows[0][1] if rows else []:
        item = swatch + 0.4 * font + text_width(name, font) + font
        if x > 2 and x + item > width:
            x, y = 2.0, y + line_h
        legend.append(_mark(x, y + (line_h - swatch) / 2, swatch, swatch, kind))
        legend.append(
            f'<text x="{_n(x + swatch + 0.4 * font)}" y="{_n(y + line_h / 2 + BASELINE * font)}" '
            f'class="chart-label">{escape(name)}</text>'
        )
        x += item
    y += line_h + 0.5 * font
    totals = [sum(v for v, _, _ in parts) for _, parts in rows]
    lines, right, bar_x, longest, line_h = _rows(
        [r[0] for r in rows], [str(t) for t in totals], width, font, label_share
    )
    out = []
    for (_, parts), label, total in zip(rows, lines, totals, strict=True):
        row_h = max(1.6 * font, line_h * len(label) + 0.4 * font)
        middle = y + row_h / 2
        out.append(_label(label, right, middle, line_h, font))
        x = bar_x
        for value, kind, _ in parts:
            w = longest * value / top
            if w > 0:
                out.append(_mark(x, middle - 0.5 * font, w, font, kind))
            x += w
        out.append(
            f'<text x="{_n(x + 0.3 * font)}" y="{_n(middle + BASELINE * font)}" '
            f'class="chart-value">{total}</text>'
        )
        y += row_h
    return _opening(title, desc, width, y + 4, font) + "".join(legend) + "".join(out) + "</svg>"
