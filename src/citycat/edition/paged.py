"""Paged documents: HTML laid out on A4 as a Vietnamese administrative document, printed to PDF by
WeasyPrint (``@page`` margin boxes for the page number, repeated table headers, rows kept whole).

The typeface is Liberation Serif (Times New Roman's metrics, with Vietnamese glyphs since its
version 2: Debian's ``fonts-liberation2``), found through fontconfig and named by file in an
``@font-face`` rule, so that no other serif stands in for a missing glyph. WeasyPrint embeds the
subset of each font it uses. The PDF carries no date or random identifier: the same document gives
the same bytes.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"
FAMILY = "Liberation Serif"
FONT_PACKAGE = "fonts-liberation2"
VIETNAMESE = "\u1ea1\u1ebf\u01b0\u0111"  # ạ ế ư đ: in Liberation 2, not in Liberation 1
STYLES = {  # fontconfig style -> (font-weight, font-style)
    "Regular": ("normal", "normal"),
    "Bold": ("bold", "normal"),
    "Italic": ("normal", "italic"),
    "Bold Italic": ("bold", "italic"),
}


class MissingFont(Exception):
    """The serif with Vietnamese glyphs is not installed."""

    def __init__(self):
        super().__init__(
            f"the font {FAMILY} with Vietnamese glyphs is missing (Debian: apt-get install {FONT_PACKAGE})"
        )
        self.words = {
            "en": str(self),
            "vi": f"thiếu phông chữ {FAMILY} có dấu tiếng Việt (Debian: apt-get install {FONT_PACKAGE})",
        }


@functools.cache
def font_files() -> dict[str, str]:
    """Liberation Serif's files by style, those with Vietnamese glyphs (fontconfig's answer)."""
    try:
        found = subprocess.run(
            ["fc-list", f"{FAMILY}:lang=vi", "file", "style"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    out: dict[str, str] = {}
    for line in sorted(found.splitlines()):
        file, _, style = line.partition(":")  # "/path/x.ttf: :style=Bold"
        style = style.strip().removeprefix(":").removeprefix("style=").split(",")[0].strip()
        if style in STYLES and file.endswith((".ttf", ".otf")):
            out.setdefault(style, file)
    return out


def font_faces() -> str:
    """``@font-face`` rules naming each style's file."""
    files = font_files()
    if "Regular" not in files:
        raise MissingFont()
    rules = []
    for style, file in files.items():
        weight, slant = STYLES[style]
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; src: url("{Path(file).as_uri()}"); '
            f"font-weight: {weight}; font-style: {slant}; }}"
        )
    return "\n".join(rules)


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def css() -> str:
    return font_faces() + "\n" + (TEMPLATES / "paged.css").read_text("utf-8")


def html(template: str, **context) -> str:
    return environment().get_template(template).render(css=css(), **context)


def pdf(document: str) -> bytes:
    """The PDF of an HTML document. Nothing is fetched but the fonts' own files: an entry's text
    cannot make the writer read a file or the network."""
    import weasyprint  # a heavy import, for release and report --format pdf only

    class LocalFonts(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            if url not in {Path(f).as_uri() for f in font_files().values()}:
                raise ValueError(f"not fetched: {url}")
            return super().fetch(url, headers)

    return weasyprint.HTML(string=document, url_fetcher=LocalFonts()).write_pdf()
