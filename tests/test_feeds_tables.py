"""datasets.csv and datasets.xlsx, read back with pandas and openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from citycat.feeds import common, tables, xlsxwrite
from citycat.site.i18n import load_strings
from citycat.source.load import load
from tests.conftest import ROOT, TODAY, starter_root

ANNEX = [
    "col_no",
    "col_name",
    "col_agency",
    "col_content",
    "col_access",
    "col_methods",
    "col_frequency",
    "col_legal",
    "col_status",
]


@pytest.fixture(scope="module")
def c():
    return load(starter_root()).catalogue


@pytest.fixture(scope="module")
def files(c) -> dict[str, bytes]:
    return dict(tables.files(c, TODAY, "public"))


@pytest.fixture(scope="module")
def strings():
    return load_strings(ROOT / "site")


def listed(c):
    return [d for d in c.datasets if d.access != "internal"]


def test_csv_has_a_bom_the_annex_headers_and_iso_dates(c, files, strings):
    data = files["datasets.csv"]
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns[: len(ANNEX)]) == [strings["vi"][k] for k in ANNEX]
    assert list(frame.columns[:3]) == ["STT", "Tên dữ liệu", "Cơ quan chủ quản"]
    assert len(frame) == len(listed(c))
    assert list(frame["STT"]) == [str(n) for n in range(1, len(frame) + 1)]
    by_id = frame.set_index(strings["vi"]["col_id"])
    for d in listed(c):
        row = by_id.loc[d.id]
        assert row[strings["vi"]["col_name"]] == d.get("title.vi")
        modified = d.date("modified")
        assert row[strings["vi"]["modified"]] == (modified.isoformat() if modified else "")
    assert b"\r\n" in data  # RFC 4180 line ends


def test_english_csv_has_english_headers_and_labels(c, files, strings):
    frame = pd.read_csv(
        io.BytesIO(files["en/datasets.csv"]), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert list(frame.columns[: len(ANNEX)]) == [strings["en"][k] for k in ANNEX]
    d = next(d for d in listed(c) if d.get("title.en"))
    row = frame.set_index(strings["en"]["col_id"]).loc[d.id]
    assert row[strings["en"]["col_name"]] == d.get("title.en")
    assert row[strings["en"]["col_access"]] == c.register("access_levels")[d.access].label("en")


def test_xlsx_sheets_headers_and_dates(c, files, strings):
    data = files["datasets.xlsx"]
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    vi, en = strings["vi"], strings["en"]
    assert list(sheets) == [
        vi["sheet_datasets"],
        vi["sheet_distributions"],
        en["sheet_datasets"],
        en["sheet_distributions"],
    ]
    datasets = sheets[vi["sheet_datasets"]]
    assert list(datasets.columns[: len(ANNEX)]) == [vi[k] for k in ANNEX]
    assert len(datasets) == len(listed(c))
    assert len(sheets[vi["sheet_distributions"]]) == sum(len(d.public_distributions()) for d in listed(c))
    book = openpyxl.load_workbook(io.BytesIO(data))
    column = [cell.value for cell in book[vi["sheet_datasets"]][1]].index(vi["modified"]) + 1
    d = next(d for d in tables.ordered(c, "public") if d.date("modified"))
    row = tables.ordered(c, "public").index(d) + 2
    cell = book[vi["sheet_datasets"]].cell(row, column)
    assert cell.value.date() == d.date("modified") and cell.number_format == "DD/MM/YYYY"
    assert cell.value.strftime("%d/%m/%Y") == d.date("modified").strftime("%d/%m/%Y")
    en_column = [cell.value for cell in book[en["sheet_datasets"]][1]].index(en["modified"]) + 1
    assert book[en["sheet_datasets"]].cell(row, en_column).number_format == "YYYY-MM-DD"
    assert book[vi["sheet_datasets"]].freeze_panes == "A2"


def test_xlsx_cells_equal_the_rows_they_were_written_from(c):
    sheets = tables.Sheets(c, "internal")
    book = openpyxl.load_workbook(io.BytesIO(sheets.xlsx()))
    ws = book.worksheets[0]
    got = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    want = [
        [
            dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) else (None if v == "" else v)
            for v in row
        ]
        for row in sheets.rows["vi"]
    ]
    assert got == want


def test_xlsx_writer_escapes_and_keeps_text():
    nasty = 'a < b & "c" > d\n  đ  \x01'
    data = xlsxwrite.workbook(
        [("Sheet [1]: x/y", ["h"], [[nasty], [3], [dt.date(2026, 12, 31)]], "DD/MM/YYYY")]
    )
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.title == "Sheet  1   x y"
    assert ws["A2"].value == nasty.replace("\x01", "\ufffd")
    assert ws["A3"].value == 3
    assert ws["A4"].value == dt.datetime(2026, 12, 31)


def test_same_catalogue_same_bytes(c, files):
    assert dict(tables.files(c, TODAY + dt.timedelta(days=3), "public")) == files


def test_public_tables_leave_internal_things_out(c, files):
    text = files["datasets.csv"].decode("utf-8") + files["en/datasets.csv"].decode("utf-8")
    xlsx = tables.Sheets(c, "public")
    cells = " ".join(
        str(v) for rows in (*xlsx.rows.values(), *xlsx.distribution_rows.values()) for r in rows for v in r
    )
    for d in c.datasets:
        if d.access == "internal":
            assert d.id not in text and d.id not in cells
        for x in d.distributions:
            if x.internal:
                assert x.url not in text and x.url not in cells
    internal = tables.Sheets(c, "internal")
    assert len(internal.rows["vi"]) == len(c.datasets)


def test_a_dataset_page_links_its_row_on_its_own(c, files):
    frame = pd.read_csv(
        io.BytesIO(files["datasets.csv"]), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    id_column = common.strings(c)["vi"]["col_id"]
    by_id = {row[id_column]: row for _, row in frame.iterrows()}
    for d in c.datasets:
        links = tables.dataset_links(c, d.id)
        if d.access == "internal":
            assert links == [] and f"dataset/{d.id}.csv" not in files
            continue
        ((key, path, kind, rel),) = links
        assert path == f"dataset/{d.id}.csv" and kind == "text/csv" and key == "feed_csv_row" and rel == ""
        alone = pd.read_csv(io.BytesIO(files[path]), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert len(alone) == 1
        # the same cells as its row of datasets.csv, all but the running number
        assert list(alone.columns) == list(frame.columns[1:])
        assert list(alone.iloc[0]) == list(by_id[d.id])[1:]
    # the internal edition appends the datasets only it lists: public rows keep their numbers
    internal = tables.ordered(c, "internal")
    assert internal[: len(by_id)] == tables.ordered(c, "public")


def test_a_row_on_its_own_does_not_change_when_another_dataset_comes(c, files):
    from dataclasses import replace

    first = c.datasets[0]
    newcomer = replace(first, fields={**first.fields, "id": "aaa-moi", "title.vi": "A mới"})
    more = dict(tables.files(replace(c, datasets=(newcomer, *c.datasets)), TODAY, "public"))
    assert more["datasets.csv"] != files["datasets.csv"]  # every row number moved
    assert all(more[p] == files[p] for p in files if p.startswith("dataset/"))


def test_csv_cells_never_start_a_formula(tmp_path):
    from tests.conftest import CASES, assemble

    root = assemble(tmp_path / "c", CASES / "good")
    text = (root / "datasets.yaml").read_text("utf-8")
    first_title = text.split("vi: ", 1)[1].split("\n", 1)[0]
    attack = '=HYPERLINK("https://evil.example/","Bảng giá đất")'
    (root / "datasets.yaml").write_text(text.replace(first_title, "'" + attack + "'", 1), "utf-8")
    c = load(root).catalogue
    assert c.datasets[0].get("title.vi") == attack
    sheets = tables.Sheets(c, "public")
    frame = pd.read_csv(io.BytesIO(sheets.csv("vi")), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    titles = list(frame[common.strings(c)["vi"]["col_name"]])
    assert "'" + attack in titles
    assert not any(str(v).startswith(("=", "+", "@")) for col in frame.columns for v in frame[col])
    ws = openpyxl.load_workbook(io.BytesIO(sheets.xlsx())).worksheets[0]
    cell = next(cell for row in ws.iter_rows(min_row=2) for cell in row if cell.value == attack)
    assert cell.data_type == "s"  # text in the workbook, not a formula
