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


def stacked(title: str, rows: list[tuple[str, list[tuple[int, str, str]]]]) -> str:
    """A horizontal stacked bar chart with a legend. ``rows``: (label, [(value, css class,
    part name), …]); every row has the same parts in the same order. Accessible like ``bars``."""
    width, bar_x, row_h, line_h = 520, 230, 24, 20
    top = max((sum(v for v, _, _ in parts) for _, parts in rows), default=0) or 1
    cid = "chart-" + "".join(ch for ch in title.lower() if ch.isalnum())[:24]
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{name} {value}" for value, _, name in parts) for label, parts in rows
    )
    legend, x, y = [], 0, 4
    for _, css, name in rows[0][1] if rows else []:
        item = 16 + 7 * len(name) + 16  # a swatch, the name (about 7 px a letter), a gap
        if x and x + item > width:
            x, y = 0, y + line_h
        legend.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" class="bar {escape(css)}"/>'
            f'<text x="{x + 16}" y="{y + 11}" class="chart-label">{escape(name)}</text>'
        )
        x += item
    top_y = y + line_h + 4
    height = top_y + row_h * len(rows) + 8
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{cid}-t {cid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>',
        *legend,
    ]
    for i, (label, parts) in enumerate(rows):
        y = top_y + i * row_h
        short = label if len(label) <= 32 else label[:31] + "…"
        out.append(
            f'<text x="{bar_x - 6}" y="{y + 16}" text-anchor="end" class="chart-label">{escape(short)}</text>'
        )
        x = float(bar_x)
        for value, css, _ in parts:
            w = (width - bar_x - 40) * value / top
            if w > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" class="bar {escape(css)}"/>'
                )
            x += w
        out.append(
            f'<text x="{x + 4:.1f}" y="{y + 16}" class="chart-value">{sum(v for v, _, _ in parts)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
