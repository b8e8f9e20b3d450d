"""Vietnamese typed without its marks: ``text-no-diacritics``.

"Danh sach diem phat wifi cong cong mien phi" reads as Vietnamese to nobody's search and to no
screen reader; it is what a keyboard without a Vietnamese input method types. A ``vi`` text of an
entry or of one of its distributions (title, description, keywords…) is flagged when it has at
least ``MIN_WORDS`` words and no letter carrying a Vietnamese mark. Codes, URLs, e-mail addresses,
acronyms and numbers are not words here: "API GIS QCVN 01:2021/BXD" is not flagged. A list
(keywords) is read as one text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from citycat.model.catalogue import Catalogue, Record
from citycat.model.findings import Finding

MIN_WORDS = 4
SHOWN = 60  # characters of the text shown in the message
# Latin letters with marks (Latin-1, Extended-A and B: ă đ ơ ư…; Extended Additional: ạ ế ữ…) and
# combining marks (text in NFD).
_MARKED = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\u0300-\u036f]")
_WORD = re.compile(r"^[A-Za-z]+$")
_EDGES = "\"'()[]{}«»“”‘’,;:!?…–—"


def check(catalogue: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    for d in catalogue.datasets:
        for record in (d, *d.distributions):
            out += _record(record, d.id)
    return out


def _record(record: Record, dataset: str) -> Iterator[Finding]:
    for name, value in record.fields.items():
        if not name.endswith(".vi") or not value:
            continue
        text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        if without_marks(text):
            shown = text if len(text) <= SHOWN else text[: SHOWN - 1].rstrip() + "…"
            yield Finding("text-no-diacritics", record.at(name), dataset, {"field": name, "text": shown})


def marked(text: str) -> bool:
    """Whether some letter carries a mark (a tone, a breve, a circumflex, a horn, đ)."""
    return _MARKED.search(text) is not None


def plain_words(text: str) -> list[str]:
    """The words of a text, without codes, URLs, e-mail addresses, acronyms and numbers."""
    found = []
    for chunk in text.split():
        if "://" in chunk or "@" in chunk or chunk.lower().startswith("www."):
            continue
        for part in chunk.strip(_EDGES).split("-"):
            part = part.strip(_EDGES)
            if _WORD.match(part) and not (len(part) > 1 and part.isupper()):
                found.append(part)
    return found


def without_marks(text: str) -> bool:
    """A text of ``MIN_WORDS`` words or more of which no letter carries a Vietnamese mark."""
    return not marked(text) and len(plain_words(text)) >= MIN_WORDS
