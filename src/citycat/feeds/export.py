"""``citycat export FORMAT``: one standard export of the catalogue as a single file.

The bytes are exactly what ``citycat build`` publishes (the same feed modules); the data package
is one zip (``datapackage.json`` and ``data/*.csv``) because a folder cannot go to standard
output, and ``frictionless validate`` reads the zip as it is.
"""

from __future__ import annotations

from citycat import feeds
from citycat.model.catalogue import Catalogue


def names() -> tuple[str, ...]:
    """The formats, as ``citycat export`` takes them (the feed registry's exports)."""
    return tuple(feeds.exports())


def default_file(fmt: str) -> str:
    return feeds.exports()[fmt][1].file


def about(fmt: str) -> str:
    return feeds.exports()[fmt][1].about


def render(c: Catalogue, fmt: str, edition: str, lang: str = "vi") -> bytes:
    feed, _ = feeds.exports()[fmt]
    return feed.export(c, fmt, edition, lang if lang in ("vi", "en") else "vi")
