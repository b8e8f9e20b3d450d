"""The site's mark: a catalogue on a tile (three entries, each a gold bullet and a white line, on
the theme's red), drawn once here as rectangles and written two ways by the build:
``static/favicon.svg`` (linked from every page's head) and ``/favicon.ico`` (asked for by
browsers and tools that do not read the page: a 404 on every page otherwise).

A theme replaces either by shipping its own ``static/favicon.svg`` or ``static/favicon.ico``.
Pure and deterministic: the same bytes every build (integer geometry, an uncompressed icon).
"""

from __future__ import annotations

import functools
import struct

UNITS = 32  # the drawing's grid: a 32 px icon is drawn pixel for pixel, a 16 px one at half
TILE = "#8b1a1a"  # the theme's --brand
GOLD = "#ffbf47"  # the theme's --focus
WHITE = "#ffffff"

# (x, y, width, height, corner radius, colour), bottom first. Every edge falls on an even unit,
# so both sizes of the icon are sharp.
SHAPES: tuple[tuple[int, int, int, int, int, str], ...] = (
    (0, 0, 32, 32, 6, TILE),
    (6, 6, 4, 4, 0, GOLD),
    (14, 6, 12, 4, 0, WHITE),
    (6, 14, 4, 4, 0, GOLD),
    (14, 14, 12, 4, 0, WHITE),
    (6, 22, 4, 4, 0, GOLD),
    (14, 22, 8, 4, 0, WHITE),
)
ICO_SIZES = (16, 32)
SAMPLES = 4  # per pixel and axis: the tile's rounded corners are shaded by coverage


def svg() -> bytes:
    rects = []
    for x, y, w, h, r, colour in SHAPES:
        corner = f' rx="{r}"' if r else ""
        rects.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}"{corner} fill="{colour}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {UNITS} {UNITS}" width="{UNITS}" '
        f'height="{UNITS}">' + "".join(rects) + "</svg>\n"
    ).encode()


def _inside(px: float, py: float, shape) -> bool:
    x, y, w, h, r, _ = shape
    if not (x <= px <= x + w and y <= py <= y + h):
        return False
    if not r:
        return True
    dx = max(x + r - px, 0, px - (x + w - r))
    dy = max(y + r - py, 0, py - (y + h - r))
    return dx * dx + dy * dy <= r * r


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def pixels(size: int) -> list[list[tuple[int, int, int, int]]]:
    """The mark at ``size`` × ``size`` pixels: rows top down of (red, green, blue, alpha)."""
    scale = UNITS / size
    n = SAMPLES
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            hits = []
            for j in range(n):
                for i in range(n):
                    sx, sy = (px + (i + 0.5) / n) * scale, (py + (j + 0.5) / n) * scale
                    top = next((s for s in reversed(SHAPES) if _inside(sx, sy, s)), None)
                    if top is not None:
                        hits.append(_rgb(top[5]))
            if not hits:
                row.append((0, 0, 0, 0))
                continue
            k = len(hits)
            red, green, blue = ((sum(c[ch] for c in hits) * 2 // k + 1) // 2 for ch in range(3))
            row.append((red, green, blue, (255 * k * 2 // (n * n) + 1) // 2))
        rows.append(row)
    return rows


def _bitmap(size: int) -> bytes:
    """One image of the icon: a BITMAPINFOHEADER, 32-bit BGRA rows bottom up, then the 1-bit
    AND mask (all 0: the alpha channel decides), each mask row padded to 4 bytes."""
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    body = b"".join(bytes((b, g, r, a)) for row in reversed(pixels(size)) for r, g, b, a in row)
    mask = bytes(((size + 31) // 32) * 4 * size)
    return header + body + mask


@functools.cache
def ico() -> bytes:
    """``favicon.ico``: the mark at 16 and 32 pixels, uncompressed (about 5 KB)."""
    images = [_bitmap(size) for size in ICO_SIZES]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, data in zip(ICO_SIZES, images, strict=True):
        out += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(images)
