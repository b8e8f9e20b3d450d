"""The annex of an official edition: what the People's Committee's decision carries as its list.

``annex(c, meta)`` turns a loaded catalogue into an ``Annex``: the heading block (issuing body,
national heading, title, the decision it goes with), then one ``Section`` per agency that owns a
listed dataset, in the order of the agencies register, each with its rows in Vietnamese
alphabetical order, numbered across the whole annex. Every writer (PDF, DOCX, XLSX, CSV) lays
out this one value; none of them decides which datasets are in it or in which order.

Which datasets: those the public edition lists (``policy.listed``: open and shared data, not
*dữ liệu dùng riêng*). The words come from the catalogue's settings (``edition:`` — the issuing
body, the title, the place) and the theme's UI strings (``edition_*``, ``col_*``): nothing here
is written for one city.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset
from citycat.model.policy import PUBLIC

# The annex's columns: (UI string key of the header, relative width). The agency is each
# section's heading, so it has no column; the page address is not in the body (an official
# document prints no URL): the short code in "col_code" finds the dataset on the site.
COLUMNS: tuple[tuple[str, float], ...] = (  # the widths add up to 100 (a share of the text width)
    ("col_no", 4),
    ("col_name", 16.5),
    ("col_content", 30),
    ("col_access", 6.5),
    ("col_methods", 10),
    ("col_frequency", 6),
    ("col_legal", 12),
    ("col_status", 6),
    ("col_code", 9),
)

# Settings the heading needs (dotted keys of catalogue/settings.yaml).
REQUIRED_SETTINGS = ("edition.issuer.vi", "edition.issuer_short.vi", "edition.title.vi")


@dataclass(frozen=True)
class Meta:
    """What the release command is told: the edition's date, the decision it goes with."""

    date: dt.date
    decision: str
    signed: dt.date | None = None  # the decision's signing date (the edition's date when absent)
    number: int = 1  # the edition's running number

    @property
    def signed_date(self) -> dt.date:
        return self.signed or self.date


@dataclass(frozen=True)
class Row:
    number: int
    id: str
    code: str  # the reference code when the entry has one, else its id
    title: str
    content: str
    access: str
    methods: str
    frequency: str
    legal: str
    status: str

    def cells(self) -> tuple[str, ...]:
        """The row's cells in ``COLUMNS`` order."""
        return (
            str(self.number),
            self.title,
            self.content,
            self.access,
            self.methods,
            self.frequency,
            self.legal,
            self.status,
            self.code,
        )


@dataclass(frozen=True)
class Section:
    numeral: str  # I, II, III…
    agency: str  # the agency's id
    name: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Annex:
    lang: str
    draft: bool
    issuer: str
    issuer_short: str
    title: str
    meta: Meta
    headers: tuple[str, ...]
    sections: tuple[Section, ...]
    base_url: str

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(r for s in self.sections for r in s.rows)


def missing_settings(c: Catalogue) -> list[str]:
    """The settings an edition's heading needs that the catalogue lacks."""
    return [key for key in REQUIRED_SETTINGS if not str(c.settings.get(key) or "").strip()]


def is_draft(c: Catalogue) -> bool:
    """A catalogue whose settings carry a draft notice is a draft: its editions say so."""
    return bool(c.settings.get("draft_notice.vi") or c.settings.get("draft_notice.en"))


def roman(n: int) -> str:
    out = []
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def grouped(c: Catalogue) -> list[tuple[str, list[Dataset]]]:
    """The listed datasets by agency: agencies in the register's order (an agency the register
    does not know comes last, by id), datasets in Vietnamese alphabetical order."""
    by_agency: dict[str, list[Dataset]] = {}
    for d in policy.in_display_order(policy.listed_datasets(c, PUBLIC), "vi"):
        by_agency.setdefault(str(d.get("agency") or ""), []).append(d)
    order = [r.id for r in c.register_lists.get("agencies", ())]
    known = [a for a in dict.fromkeys(order) if a in by_agency]
    unknown = sorted(a for a in by_agency if a not in set(order))
    return [(a, by_agency[a]) for a in known + unknown]


def _label(c: Catalogue, register: str, value, lang: str) -> str:
    record = c.register(register).get(value) if isinstance(value, str) else None
    return record.label(lang) if record is not None else str(value or "")


def _row(c: Catalogue, d: Dataset, number: int, lang: str) -> Row:
    methods = "; ".join(_label(c, "sharing_methods", m, lang) for m in d.items("sharing.methods"))
    return Row(
        number=number,
        id=d.id,
        code=str(d.get("ref") or d.id),
        title=d.text("title", lang),
        content=d.text("description", lang),
        access=_label(c, "access_levels", d.get("access"), lang),
        methods=methods,
        frequency=_label(c, "frequencies", d.get("frequency"), lang),
        legal=str(d.get("legal_basis") or ""),
        status=_label(c, "statuses", d.get("status"), lang),
    )


def annex(c: Catalogue, meta: Meta, strings: dict[str, str], lang: str = "vi") -> Annex:
    """The annex of the edition ``meta`` of ``c`` in ``lang`` (the official one is Vietnamese)."""
    sections = []
    number = 0
    for i, (agency, datasets) in enumerate(grouped(c), start=1):
        rows = []
        for d in datasets:
            number += 1
            rows.append(_row(c, d, number, lang))
        sections.append(Section(roman(i), agency, _label(c, "agencies", agency, lang), tuple(rows)))
    return Annex(
        lang=lang,
        draft=is_draft(c),
        issuer=c.settings.text("edition.issuer", lang),
        issuer_short=c.settings.text("edition.issuer_short", lang),
        title=c.settings.text("edition.title", lang),
        meta=meta,
        headers=tuple(strings.get(key, key) for key, _ in COLUMNS),
        sections=tuple(sections),
        base_url=policy.base_url(c),
    )


def _host(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


def words(a: Annex, strings: dict[str, str]) -> dict[str, str]:
    """The annex's sentences in its language: the decision it goes with, the total, the note on
    the code column. Every writer prints these same words."""
    signed = a.meta.signed_date
    date = {"day": f"{signed.day:02d}", "month": f"{signed.month:02d}", "year": str(signed.year)}
    return {
        "decision": strings.get("edition_decision", "")
        .replace("{decision}", a.meta.decision)
        .replace("{day}", date["day"])
        .replace("{month}", date["month"])
        .replace("{year}", date["year"])
        .replace("{issuer}", a.issuer_short),
        "total": strings.get("edition_total", "")
        .replace("{n}", str(len(a.rows)))
        .replace("{agencies}", str(len(a.sections))),
        # the site's host, not a URL: an official document prints no link
        "code_note": strings.get("edition_code_note", "").replace("{url}", _host(a.base_url)),
    }
