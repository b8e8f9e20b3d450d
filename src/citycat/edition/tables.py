"""The annex as a spreadsheet (``annex.xlsx``) and as CSV (``annex.csv``): the annex's columns,
with the agency (each section's heading in the PDF) as a column of its own after the number.

The XLSX has the Vietnamese annex, then the same rows in English; the CSV is the Vietnamese annex
(UTF-8 with a byte-order mark so that Excel reads the diacritics, CRLF lines, RFC 4180). Both are
the same bytes for the same edition: the workbook's document dates are the edition's date.
"""

from __future__ import annotations

import datetime as dt

from citycat.edition.annex import Annex
from citycat.feeds import tables as feed_tables
from citycat.feeds import xlsxwrite

WIDTHS = (6, 24, 40, 60, 14, 22, 14, 36, 14, 18)  # characters, in the columns' order


def header(a: Annex, strings: dict[str, str]) -> list[str]:
    return [a.headers[0], strings.get("col_agency", "col_agency"), *a.headers[1:]]


def rows(a: Annex) -> list[list[object]]:
    out: list[list[object]] = []
    for section in a.sections:
        for r in section.rows:
            cells = r.cells()
            out.append([r.number, section.name, *cells[1:]])
    return out


def csv_bytes(a: Annex, strings: dict[str, str]) -> bytes:
    """The Vietnamese annex's rows, written as the list's CSV is (``feeds.tables.csv_bytes``:
    a cell a spreadsheet would run as a formula is defused)."""
    return feed_tables.csv_bytes(header(a, strings), rows(a))


def xlsx_bytes(annexes: dict[str, Annex], strings: dict[str, dict[str, str]]) -> bytes:
    """One sheet per language (the Vietnamese first), named by the annex's word for itself."""
    sheets = []
    for lang, a in annexes.items():
        sheets.append(
            (strings[lang].get("edition_annex", lang), header(a, strings[lang]), rows(a), "DD/MM/YYYY")
        )
    first = next(iter(annexes.values()))
    created = dt.datetime.combine(first.meta.date, dt.time())
    return xlsxwrite.workbook(
        sheets,
        title=first.title,
        created=created,
        widths=[WIDTHS] * len(sheets),
        creator=first.issuer,
    )
