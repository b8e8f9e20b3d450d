"""The list for people with a spreadsheet: ``datasets.csv``, ``en/datasets.csv``, ``datasets.xlsx``.

One row per dataset. The first nine columns are the printable annex's (``/list/``), named with
the same UI strings (``site/i18n``: ``col_no`` … ``col_status``); the others follow. The
Vietnamese CSV and sheet use Vietnamese headers and labels, the English ones English. Rows keep
the annex's Vietnamese alphabetical order in every file (row N is the same dataset in all of
them); in the internal edition, datasets the public edition does not list come after all others.
Each dataset the public edition lists also has its row on its own, ``dataset/{id}.csv`` (the
Vietnamese header without the running number, then the row): its page links that file, whose
address and content do not change when another dataset is added or retitled (a row number in
``datasets.csv`` would, and then thousands of pages with it).

- CSV: UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly), RFC 4180 (CRLF),
  dates ISO 8601 (yyyy-mm-dd).
- XLSX (``xlsxwrite``; see there why not pandas): sheets "Danh mục" (vi), "Tài nguyên" (vi, one
  row per distribution), "Datasets" and "Resources" (en); dates are real dates shown dd/mm/yyyy in
  the Vietnamese sheets and yyyy-mm-dd in the English ones; the same catalogue gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

from citycat.feeds import Link, common, xlsxwrite
from citycat.model import fields, policy
from citycat.model.catalogue import Catalogue, Dataset, Distribution
from citycat.model.policy import PUBLIC, in_display_order, safe_url

CSV_PATHS = {"vi": "datasets.csv", "en": "en/datasets.csv"}
XLSX_PATH = "datasets.xlsx"
ROW_PATH = common.DATASET_PATH + ".csv"  # one dataset's row on its own, beside its RDF files
SHEETS = ("sheet_datasets", "sheet_distributions")  # UI string keys of the sheet names
DATE_FORMATS = {"vi": "DD/MM/YYYY", "en": "YYYY-MM-DD"}
FIXED_TIME = dt.datetime(2000, 1, 1)  # the XLSX's document dates (the same catalogue, the same bytes)

Row = Callable[[Catalogue, Dataset, str, str], Any]  # (catalogue, dataset, language, edition)


def _label(register: str, field: str) -> Row:
    def get(c: Catalogue, d: Dataset, lang: str, edition: str) -> str:
        record = c.register(register).get(d.get(field))
        return record.label(lang) if record is not None else str(d.get(field) or "")

    return get


def _labels(register: str, field: str) -> Row:
    def get(c: Catalogue, d: Dataset, lang: str, edition: str) -> str:
        reg = c.register(register)
        return "; ".join(reg[k].label(lang) if k in reg else str(k) for k in d.items(field))

    return get


def _as_is(column: str) -> Row:
    """The value of the field the column holds (the field table's), as it is."""
    name = fields.by_column(column).name
    return lambda c, d, lang, ed: d.get(name, "")


def _date(field: str) -> Row:
    return lambda c, d, lang, ed: d.date(field)


def _yes_no(c: Catalogue, d: Dataset, lang: str, edition: str) -> str:
    t = common.strings(c)[lang]
    return t.get("answer_yes", "yes") if d.get("personal_data") is True else t.get("answer_no", "no")


def _formats(c: Catalogue, d: Dataset, lang: str, edition: str) -> str:
    return ", ".join(
        sorted({str(x.get("format")) for x in policy.distributions(d, edition) if x.get("format")})
    )


# (UI string key of the header, value). The first nine are the annex's columns, in its order.
COLUMNS: list[tuple[str, Row]] = [
    ("col_no", lambda c, d, lang, ed: None),  # filled with the row's number
    ("col_name", lambda c, d, lang, ed: d.text("title", lang)),
    ("col_agency", _label("agencies", "agency")),
    ("col_content", lambda c, d, lang, ed: d.text("description", lang)),
    ("col_access", _label("access_levels", "access")),
    ("col_methods", _labels("sharing_methods", "sharing.methods")),
    ("col_frequency", _label("frequencies", "frequency")),
    ("col_legal", _as_is("col_legal")),
    ("col_status", _label("statuses", "status")),
    ("col_id", lambda c, d, lang, ed: d.id),
    ("reference_code", _as_is("reference_code")),
    ("themes", _labels("themes", "themes")),
    (
        "keywords",
        lambda c, d, lang, ed: "; ".join(map(str, d.items(f"keywords.{lang}") or d.items("keywords.vi"))),
    ),
    ("data_class", _label("data_classes", "data_class")),
    ("personal_data", _yes_no),
    (
        "licence",
        lambda c, d, lang, ed: (
            c.licences[d.get("licence")].text("title", lang) if d.get("licence") in c.licences else ""
        ),
    ),
    ("due", _date("due")),
    ("issued", _date("issued")),
    ("modified", _date("modified")),
    ("col_temporal_start", _date("temporal.start")),
    ("col_temporal_end", _date("temporal.end")),
    ("contact", _as_is("contact")),
    ("col_contact_email", _as_is("col_contact_email")),
    ("consumers", _labels("agencies", "sharing.consumers")),
    ("formats", _formats),
    ("col_page", lambda c, d, lang, ed: policy.page_url(c, d.id, lang)),
    ("data_dictionary", lambda c, d, lang, ed: common.schema_url(c, d)),
]

DIST_COLUMNS: list[tuple[str, Callable[[Catalogue, Dataset, Distribution, str], Any]]] = [
    ("col_id", lambda c, d, x, lang: d.id),
    ("col_name", lambda c, d, x, lang: d.text("title", lang)),
    ("col_resource", lambda c, d, x, lang: x.text("title", lang)),
    ("format", lambda c, d, x, lang: x.get("format", "")),
    ("col_media_type", lambda c, d, x, lang: common.media_type(c, x)),
    ("col_download_url", lambda c, d, x, lang: safe_url(x.get("download_url"))),
    ("col_access_url", lambda c, d, x, lang: safe_url(x.get("access_url"))),
    ("size", lambda c, d, x, lang: x.get("byte_size") if isinstance(x.get("byte_size"), int) else None),
]


def ordered(c: Catalogue, edition: str) -> list[Dataset]:
    """The rows' order: the annex's (Vietnamese alphabetical), datasets only the internal
    edition lists last."""
    first = in_display_order(policy.listed_datasets(c, PUBLIC), "vi")
    if edition == PUBLIC:
        return first
    return first + in_display_order((d for d in c.datasets if not policy.listed(c, d, PUBLIC)), "vi")


def headers(c: Catalogue, lang: str, columns=COLUMNS) -> list[str]:
    t = common.strings(c)
    return [t[lang].get(key, key) for key, _ in columns]


class Sheets:
    """The rows of every table, in both languages, worked out once for the CSV and the XLSX."""

    def __init__(self, c: Catalogue, edition: str):
        self.c, self.edition = c, edition
        self.order = ordered(c, edition)
        self.rows = {lang: self._rows(lang) for lang in ("vi", "en")}
        self.distribution_rows = {lang: self._distribution_rows(lang) for lang in ("vi", "en")}

    def _rows(self, lang: str) -> list[list[Any]]:
        out = []
        for n, d in enumerate(self.order, start=1):
            row = [get(self.c, d, lang, self.edition) for _, get in COLUMNS]
            row[0] = n
            out.append(row)
        return out

    def _distribution_rows(self, lang: str) -> list[list[Any]]:
        return [
            [get(self.c, d, x, lang) for _, get in DIST_COLUMNS]
            for d in self.order
            for x in policy.distributions(d, self.edition)
        ]

    def csv(self, lang: str = "vi") -> bytes:
        return csv_bytes(headers(self.c, lang), self.rows[lang])

    def dataset_rows(self) -> Iterator[tuple[str, bytes]]:
        """Each publicly listed dataset's row on its own (Vietnamese), without the running
        number, which depends on every other dataset."""
        header = headers(self.c, "vi")[1:]
        for d, row in zip(self.order, self.rows["vi"], strict=True):
            if policy.listed(self.c, d, PUBLIC):
                yield ROW_PATH.format(id=d.id), csv_bytes(header, [row[1:]])

    def xlsx(self) -> bytes:
        t = common.strings(self.c)
        sheets = []
        for lang in ("vi", "en"):
            datasets_sheet, distributions_sheet = (t[lang].get(key, key) for key in SHEETS)
            sheets.append((datasets_sheet, headers(self.c, lang), self.rows[lang], DATE_FORMATS[lang]))
            sheets.append(
                (
                    distributions_sheet,
                    headers(self.c, lang, DIST_COLUMNS),
                    self.distribution_rows[lang],
                    DATE_FORMATS[lang],
                )
            )
        return xlsxwrite.workbook(sheets, title=self.c.settings.text("title", "vi"), created=FIXED_TIME)


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """A CSV file as the list's spreadsheets are written (BOM, CRLF, formula-safe cells); the
    official edition's annex uses it too."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as a formula


def _cell(value: Any) -> str:
    """A CSV cell. Text from the catalogue that a spreadsheet would run as a formula
    ("=HYPERLINK(…)") gets a leading apostrophe (OWASP's advice for CSV injection); the XLSX
    needs none, as its text cells are typed as text."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return str(value)


def files(c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    sheets = Sheets(c, edition)
    written = [(CSV_PATHS[lang], sheets.csv(lang)) for lang in ("vi", "en")]
    written.append((XLSX_PATH, sheets.xlsx()))
    written += sheets.dataset_rows()
    yield from written


def export(c: Catalogue, fmt: str, edition: str, lang: str) -> bytes:
    """``citycat export csv`` (in ``lang``) or ``xlsx`` (both languages)."""
    sheets = Sheets(c, edition)
    return sheets.xlsx() if fmt == "xlsx" else sheets.csv(lang)


def dataset_links(c: Catalogue, dataset_id: str) -> list[Link]:
    """The dataset's row on its own, for datasets the public edition lists."""
    d = common.find(c, dataset_id)
    if d is None or not policy.listed(c, d, PUBLIC):
        return []
    return [Link("feed_csv_row", ROW_PATH.format(id=d.id), "text/csv")]
