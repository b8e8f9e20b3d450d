"""``citycat import xlsx FILE``: an agency's list as a spreadsheet, in the printable annex's columns.

The columns are those ``datasets.xlsx`` has (``citycat.feeds.tables``: the annex's nine, then the
others), named with the site's UI strings in Vietnamese or English (``site/i18n``); a header is
recognised ignoring case and marks, and may sit below a title row. A sheet with the annex's
columns is a list of datasets; a sheet with a resource, format and URL columns holds the
distributions (rows tied to a dataset by its id). With both languages' sheets (as
``datasets.xlsx`` has them), the English one gives the ``.en`` texts.

Values are read back through the registers: labels (or ids) of agencies, themes, access levels,
frequencies, statuses, sharing methods and licences in either language; dates as real dates,
``dd/mm/yyyy`` or ISO; yes/no as Có/Không.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from citycat.imports.ckan import MEDIA
from citycat.imports.common import (
    API_FORMATS,
    Cleaner,
    Ids,
    ImportError_,
    Mapped,
    Source,
    Target,
    boolean,
    date,
    finish,
    integer,
    ordered_unique,
    split_list,
    words,
)
from citycat.imports.datajson import own_schema
from citycat.model import fields
from citycat.model.vietnamese import fold

ANNEX = ("col_no", "col_name", "col_agency", "col_content", "col_access", "col_methods", "col_frequency",
         "col_legal", "col_status")  # fmt: skip
NEEDED = ("col_name", "col_agency")  # without these a sheet is no list of datasets
DATASET_KEYS = (*ANNEX, "col_id", "reference_code", "themes", "keywords", "data_class", "personal_data",
                "licence", "due", "issued", "modified", "col_temporal_start", "col_temporal_end", "contact",
                "col_contact_email", "consumers", "formats", "col_page", "data_dictionary")  # fmt: skip
RESOURCE_KEYS = ("col_id", "col_name", "col_resource", "format", "col_media_type", "col_download_url",
                 "col_access_url", "size")  # fmt: skip
MAX_ROWS = 100_000
HEADER_ROWS = 10  # a header may sit below a title
MAX_COLUMNS = 200  # the annex has 29 columns, the resources 8
MAX_PARTS = 10_000  # files inside the workbook's zip
MAX_UNPACKED = 128 * 1024 * 1024  # bytes of XML the zip declares, all parts together
MAX_RATIO = 100  # uncompressed / compressed size of one part (real sheets: 5 to 30)
RATIO_FROM = 1024 * 1024  # the ratio counts only for parts larger than this
HEAD = 4096  # bytes of each XML part searched for a DTD (one comes before the first element)


@dataclass
class Sheet:
    name: str
    kind: str  # "datasets" or "resources"
    lang: str
    columns: dict[str, int]  # UI string key → column index
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def get(self, row: tuple[Any, ...], key: str) -> Any:
        i = self.columns.get(key)
        if i is None or i >= len(row):
            return None
        value = row[i]
        return value.strip() if isinstance(value, str) else value


def _headers(strings: Mapping[str, Mapping[str, str]], keys: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Folded header text → (key, language), for one kind of sheet."""
    out: dict[str, tuple[str, str]] = {}
    for lang in ("vi", "en"):
        for key in keys:
            text = strings.get(lang, {}).get(key)
            if text:
                out.setdefault(_fold(text), (key, lang))
    return out


def _fold(text: Any) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(str(text or ""))).split())


def _columns(row: tuple[Any, ...], known: dict[str, tuple[str, str]]) -> tuple[dict[str, int], str]:
    columns: dict[str, int] = {}
    langs: list[str] = []
    for i, cell in enumerate(row):
        hit = known.get(_fold(cell)) if cell is not None else None
        if hit and hit[0] not in columns:
            columns[hit[0]] = i
            langs.append(hit[1])
    return columns, (max(("vi", "en"), key=langs.count) if langs else "vi")


def _classify(
    name: str, rows: list[tuple[Any, ...]], known: dict[str, dict[str, tuple[str, str]]]
) -> Sheet | None:
    for at, row in enumerate(rows[:HEADER_ROWS]):
        columns, lang = _columns(row, known["resources"])
        if (
            "col_resource" in columns
            and "col_id" in columns
            and ("col_download_url" in columns or "col_access_url" in columns)
        ):
            return Sheet(name, "resources", lang, columns, rows[at + 1 :])
        columns, lang = _columns(row, known["datasets"])
        if all(k in columns for k in NEEDED):
            return Sheet(name, "datasets", lang, columns, rows[at + 1 :])
    return None


def _unreadable(source: Source, exc: BaseException) -> ImportError_:
    return ImportError_(
        f"{source.name} không phải tệp Excel .xlsx đọc được ({type(exc).__name__})",
        f"{source.name} is not a readable Excel .xlsx file ({type(exc).__name__})",
    )


def _bomb(source: Source, vi: str, en: str) -> ImportError_:
    return ImportError_(
        f"{source.name}: {vi}; citycat không mở nó (lưu lại chỉ với các dòng và cột có dữ liệu)",
        f"{source.name}: {en}; citycat does not open it (save it again with only the rows and columns in use)",
    )


def _check_package(source: Source) -> None:
    """An XLSX is a zip of XML parts: refuse one that would unpack into far more than it weighs
    (a "zip bomb": declared sizes, and the ratio of each part) or that holds an XML DTD (Excel
    never writes one; it is how entity bombs are declared), before openpyxl reads anything."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(source.data)) as z:
            members = z.infolist()
            if len(members) > MAX_PARTS:
                raise _bomb(
                    source,
                    f"{len(members):,} phần (tối đa {MAX_PARTS:,})",
                    f"{len(members):,} parts (at most {MAX_PARTS:,})",
                )
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED:
                raise _bomb(
                    source,
                    f"giải nén ra {unpacked:,} byte (tối đa {MAX_UNPACKED:,})",
                    f"it unpacks to {unpacked:,} bytes (at most {MAX_UNPACKED:,})",
                )
            for m in members:
                if m.file_size > RATIO_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                    ratio = m.file_size // max(m.compress_size, 1)
                    raise _bomb(
                        source,
                        f"phần {m.filename[:80]} nén {ratio:,} lần (tối đa {MAX_RATIO})",
                        f"the part {m.filename[:80]} is compressed {ratio:,} times (at most {MAX_RATIO})",
                    )
            for m in members:
                if m.filename.endswith((".xml", ".rels", ".vml")):
                    with z.open(m) as part:
                        head = part.read(HEAD)
                    if b"<!DOCTYPE" in head.upper() or b"<\x00!\x00D\x00O\x00C" in head.upper():
                        raise ImportError_(
                            f"{source.name}: phần {m.filename[:80]} có khai báo DTD (<!DOCTYPE>), Excel không bao giờ viết nó; citycat không mở tệp",
                            f"{source.name}: the part {m.filename[:80]} has an XML DTD (<!DOCTYPE>), which Excel never writes; citycat does not open the file",
                        )
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        EOFError,
        ValueError,
    ) as exc:
        raise _unreadable(source, exc) from None


def _dimension(ws) -> tuple[int | None, int | None]:
    try:
        return ws.max_row, ws.max_column
    except (ValueError, TypeError, KeyError):
        return None, None


def parse(source: Source, strings: Mapping[str, Mapping[str, str]]) -> list[Sheet]:
    """The workbook's sheets that have the annex's (or the resources') columns."""
    import zipfile
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.cell import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    _check_package(source)
    unreadable = (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        EOFError,
        ParseError,
    )
    try:
        book = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except (DefusedXmlException, *unreadable) as exc:
        raise _unreadable(source, exc) from None
    known = {"datasets": _headers(strings, DATASET_KEYS), "resources": _headers(strings, RESOURCE_KEYS)}
    sheets, seen = [], []
    try:
        for ws in book.worksheets:
            height, width = _dimension(ws)
            if (height or 0) > MAX_ROWS + HEADER_ROWS or (width or 0) > MAX_COLUMNS:
                where = f"A1:{get_column_letter(min(width or 1, 18278))}{height or 1}"
                raise _bomb(
                    source,
                    f"trang tính '{str(ws.title)[:60]}' khai báo vùng {where} ({height or 0:,} dòng × {width or 0:,} cột; "
                    f"tối đa {MAX_ROWS:,} × {MAX_COLUMNS})",
                    f"the sheet '{str(ws.title)[:60]}' declares the range {where} ({height or 0:,} rows × {width or 0:,} columns; "
                    f"at most {MAX_ROWS:,} × {MAX_COLUMNS})",
                )
            rows = []
            for row in ws.iter_rows(values_only=True, max_col=min(width or MAX_COLUMNS, MAX_COLUMNS)):
                row = tuple(row)
                end = len(row)
                while end and row[end - 1] is None:
                    end -= 1
                rows.append(row[:end])  # a row padded to the sheet's width keeps only what it holds
                if len(rows) > MAX_ROWS + HEADER_ROWS:
                    raise ImportError_(
                        f"{source.name}: quá {MAX_ROWS} dòng", f"{source.name}: over {MAX_ROWS} rows"
                    )
            heads = [_short(c) for r in rows[:1] for c in r if c is not None]
            seen.append((_short(ws.title), heads))
            sheet = _classify(ws.title, rows, known)
            if sheet is not None:
                sheets.append(sheet)
    except (DefusedXmlException, *unreadable) as exc:
        raise _unreadable(source, exc) from None
    finally:
        book.close()
    if not any(s.kind == "datasets" for s in sheets):
        need_vi = ", ".join(f"'{strings['vi'].get(k, k)}'" for k in ANNEX)
        need_en = ", ".join(f"'{strings['en'].get(k, k)}'" for k in ANNEX)
        found = "; ".join(f"{title}: {', '.join(heads[:12]) or '—'}" for title, heads in seen[:10])
        raise ImportError_(
            f"{source.name}: không có trang tính nào có các cột của phụ lục ({need_vi}). Tìm thấy: {found}",
            f"{source.name}: no sheet has the annex's columns ({need_en}). Found: {found}",
        )
    return sheets


def _short(value: Any, limit: int = 60) -> str:
    """A cell quoted in a message: one line, at most ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _blank(row: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def datasets(sheets: list[Sheet], target: Target, source: str) -> Mapped:
    """Entries from the sheets (pure: nothing is written)."""
    mapped = Mapped(source)
    ids = Ids([])
    main = [s for s in sheets if s.kind == "datasets"]
    first = next((s for s in main if s.lang == "vi"), main[0])
    english = next((s for s in main if s.lang == "en" and s is not first), None)
    en_rows = {}
    if english is not None and "col_id" in english.columns:
        en_rows = {str(english.get(r, "col_id")): r for r in english.rows if not _blank(r)}
    resources: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    res_sheets: dict[str, Sheet] = {}
    for s in sheets:
        if s.kind == "resources" and s.lang not in res_sheets:
            res_sheets[s.lang] = s
            for r in s.rows:
                if not _blank(r):
                    resources.setdefault(str(s.get(r, "col_id")), {}).setdefault(s.lang, []).append(r)
    for n, row in enumerate(first.rows, start=1):
        if _blank(row):
            continue
        entry = _row(first, row, n, english, en_rows, resources, res_sheets, target, ids, mapped)
        if entry is None:
            mapped.skipped += 1
        else:
            mapped.entries.append(entry)
    mapped.agencies, mapped.themes = target.new_agencies, target.new_themes
    return mapped


def _labels(target: Target, cl: Cleaner, register: str, name: str, value: Any) -> list[str]:
    out = []
    for part in split_list(value, ";\n"):
        found = target.find(register, part)
        if found:
            out.append(found)
        else:
            cl.note("unknown", name, part)
    return ordered_unique(out)


def _one(target: Target, cl: Cleaner, register: str, name: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    found = target.find(register, str(value))
    if not found:
        cl.note("unknown", name, value)
    return found


def _row(
    sheet: Sheet, row, n, english, en_rows, resources, res_sheets, target: Target, ids: Ids, mapped: Mapped
):
    get = lambda key: sheet.get(row, key)  # noqa: E731
    given = get("col_id")
    new_id = ids.make(str(given) if given is not None else None, get("col_name"))
    if new_id is None:
        return None
    cl = Cleaner(mapped.notes, new_id)
    if given and str(given) != new_id:
        cl.note("id", "id", given)
    lang = sheet.lang
    other = "en" if lang == "vi" else "vi"
    e: dict[str, Any] = {"id": new_id}
    ref = get("reference_code")
    if ref:
        e["ref"] = str(ref)
    e[f"title.{lang}"] = cl.text(get("col_name"), f"title.{lang}")
    e[f"description.{lang}"] = cl.text(get("col_content"), f"description.{lang}", multiline=True)
    e[f"keywords.{lang}"] = words(split_list(get("keywords"), ";\n"))
    en = en_rows.get(str(given)) if given is not None else None
    if en is not None:
        for key, name in (("col_name", "title"), ("col_content", "description")):
            value = cl.text(english.get(en, key), f"{name}.{other}", multiline=name == "description")
            if value and value != e.get(f"{name}.{lang}"):
                e[f"{name}.{other}"] = value
        kws = words(split_list(english.get(en, "keywords"), ";\n"))
        if kws and kws != e[f"keywords.{lang}"]:
            e[f"keywords.{other}"] = kws
    agency = cl.text(get("col_agency"), "agency")
    if agency:
        e["agency"] = target.agency(
            cl, name_vi=agency if lang == "vi" else None, name_en=agency if lang == "en" else None
        )
    for f in fields.plain_texts("column"):  # the contact's name, the legal basis: text as it is
        e[f.name] = cl.text(get(f.column), f.name, multiline=f.text == "lines")
    e["contact.email"] = cl.email(get("col_contact_email"), "contact.email")
    e["themes"] = ordered_unique(
        target.theme(cl, name_vi=t if lang == "vi" else None, name_en=t if lang == "en" else None)
        for t in (cl.text(v, "themes") for v in split_list(get("themes"), ";\n"))
        if t
    )
    e["access"] = _one(target, cl, "access_levels", "access", get("col_access"))
    e["data_class"] = _one(target, cl, "data_classes", "data_class", get("data_class"))
    if get("personal_data") not in (None, ""):
        e["personal_data"] = boolean(get("personal_data"))
        if e["personal_data"] is None:
            cl.note("unknown", "personal_data", get("personal_data"))
    if get("licence"):
        e["licence"] = target.licence(str(get("licence")))
        if not e["licence"]:
            cl.note("unknown", "licence", get("licence"))
    e["frequency"] = _one(target, cl, "frequencies", "frequency", get("col_frequency"))
    e["status"] = _one(target, cl, "statuses", "status", get("col_status"))
    for key, name in (("due", "due"), ("issued", "issued"), ("modified", "modified"),
                      ("col_temporal_start", "temporal.start"), ("col_temporal_end", "temporal.end")):  # fmt: skip
        value = get(key)
        e[name] = date(value)
        if value not in (None, "") and e[name] is None:
            cl.note("unknown", name, value)
    e["sharing.methods"] = _labels(target, cl, "sharing_methods", "sharing.methods", get("col_methods"))
    e["sharing.consumers"] = [
        c
        for c in _labels(target, cl, "agencies", "sharing.consumers", get("consumers"))
        if c != e.get("agency")
    ]
    dictionary = get("data_dictionary")
    if dictionary:
        e["schema"] = own_schema(str(dictionary), target)
        if not e["schema"]:
            cl.note("schema", "schema", dictionary)
    e["distributions"] = _resources(resources.get(str(given), {}), res_sheets, lang, target, cl)
    return finish(e, target, cl)


def _resources(
    rows: dict[str, list], sheets: dict[str, Sheet], lang: str, target: Target, cl: Cleaner
) -> list:
    main = rows.get(lang) or next(iter(rows.values()), [])
    main_lang = lang if rows.get(lang) else next(iter(rows), lang)
    sheet = sheets.get(main_lang)
    if sheet is None:
        return []
    other_lang = "en" if main_lang == "vi" else "vi"
    others = rows.get(other_lang, [])
    out = []
    for n, r in enumerate(main):
        where = f"distributions[{n}]"
        download = cl.url(sheet.get(r, "col_download_url"), f"{where}.download_url")
        access = cl.url(sheet.get(r, "col_access_url"), f"{where}.access_url")
        fmt = target.format(sheet.get(r, "format"), sheet.get(r, "col_media_type"), download or access)
        if sheet.get(r, "format") and not fmt:
            cl.note("unknown", f"{where}.format", sheet.get(r, "format"))
        if fmt in API_FORMATS and download and not access:
            download, access = None, download
        d: dict[str, Any] = {
            f"title.{main_lang}": cl.text(sheet.get(r, "col_resource"), f"title.{main_lang}"),
            "format": fmt,
            "download_url": download,
            "access_url": access,
            "byte_size": integer(sheet.get(r, "size")),
        }
        if n < len(others):
            title = cl.text(sheets[other_lang].get(others[n], "col_resource"), f"title.{other_lang}")
            if title and title != d[f"title.{main_lang}"]:
                d[f"title.{other_lang}"] = title
        media = sheet.get(r, "col_media_type")
        if isinstance(media, str) and MEDIA.match(media):
            d["media_type"] = media
        out.append(d)
    return out
