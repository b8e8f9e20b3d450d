"""``citycat export FORMAT``: one standard export of the catalogue as a single file.

The bytes are exactly what ``citycat build`` publishes (the same feed modules); the data package
is one zip (``datapackage.json`` and ``data/*.csv``) because a folder cannot go to standard
output, and ``frictionless validate`` reads the zip as it is.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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


def write(data: bytes, out: Path) -> None:
    """Write ``data`` to ``out`` atomically: a temporary file beside it, then a rename, so a
    reader never sees half a file and a failure leaves the old one."""
    out = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent or Path("."))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
