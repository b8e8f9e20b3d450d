"""Charts as inline SVG, drawn at build time (no chart library in the browser)."""

from __future__ import annotations

from html import escape


def bars(title: str, rows: list[tuple[str, int, str]], unit: str = "") -> str:
    """A horizontal bar chart. ``rows``: (label, value, css class). Accessible: role="img" with a
    title and a description listing every value, so a screen reader hears the numbers."""
    width, bar_x, row_h = 320, 130, 26
    top = max((v for _, v, _ in rows), default=0) or 1
    height = row_h * len(rows) + 8
    cid = "chart-" + "".join(ch for ch in title.lower() if ch.isalnum())[:24]
    desc = "; ".join(f"{label}: {value}{unit}" for label, value, _ in rows)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{cid}-t {cid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>',
    ]
    for i, (label, value, css) in enumerate(rows):
        y = 4 + i * row_h
        w = round((width - bar_x - 40) * value / top)
        parts.append(
            f'<text x="{bar_x - 6}" y="{y + 17}" text-anchor="end" class="chart-label">{escape(label)}</text>'
            f'<rect x="{bar_x}" y="{y + 4}" width="{max(w, 1)}" height="{row_h - 8}" class="bar {escape(css)}"/>'
            f'<text x="{bar_x + w + 4}" y="{y + 17}" class="chart-value">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
