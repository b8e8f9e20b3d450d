"""The edition's annex as a DOCX: read back with python-docx, it holds the annex's rows in order
under the agencies' rows, on A4 landscape with the decree's margins, in Times New Roman, with a
header that repeats and rows that never split; the same annex gives the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile

import docx as python_docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from citycat.edition import annex
from citycat.edition.docx import FONT, TBLPR_ORDER, TEXT_WIDTH, docx
from citycat.feeds.common import strings
from citycat.source.load import load
from tests.conftest import copy_starter, starter_root

DATE = dt.date(2026, 12, 31)
DECISION = "123/QĐ-UBND"
META = annex.Meta(DATE, DECISION)


def build(root=None, meta=META):
    c = load(root or starter_root()).catalogue
    s = strings(c)["vi"]
    a = annex.annex(c, meta, s)
    return c, s, a


C, S, A = build()
DATA = docx(A, S)
DOC = python_docx.Document(io.BytesIO(DATA))


def texts(document) -> list[str]:
    """Every paragraph's text, in the body (outside the tables) and in the headers."""
    out = [p.text for p in document.paragraphs]
    for section in document.sections:
        for header in (section.header, section.first_page_header):
            out += [p.text for p in header.paragraphs]
    return out


def annex_table():
    return DOC.tables[-1]


def is_section_row(row) -> bool:
    return len(row._tr.tc_lst) == 2  # the numeral, then one cell spanning the rest


def has(row, tag: str) -> bool:
    trPr = row._tr.trPr
    return trPr is not None and trPr.find(qn(f"w:{tag}")) is not None


def test_the_table_holds_the_annex_rows_in_order_under_their_agencies():
    body = annex_table().rows[2:]
    found = []
    for row in body:
        if is_section_row(row):
            numeral, name = row._tr.tc_lst
            found.append(("section", numeral.xpath("string(.)"), name.xpath("string(.)")))
        else:
            found.append(tuple(c.text for c in row.cells))
    expected = []
    for s in A.sections:
        expected.append(("section", s.numeral, s.name))
        expected += [r.cells() for r in s.rows]
    assert found == expected
    assert [tuple(c.text for c in row.cells) for row in body if not is_section_row(row)] == [
        r.cells() for r in A.rows
    ]
    assert len(A.rows) == 43 and len(A.sections) == 16  # the frozen starter: a real list, not empty


def test_the_agencies_come_in_the_register_order_with_their_names_in_bold():
    listed = {s.agency for s in A.sections}
    agencies = C.register("agencies")
    in_register = [r.id for r in C.register_lists["agencies"] if r.id in listed]
    expected = [agencies.get(a).label("vi") for a in in_register]
    rows = [row for row in annex_table().rows[2:] if is_section_row(row)]
    assert [row.cells[1].text for row in rows] == expected
    assert len(expected) == len(A.sections)
    for row in rows:
        assert all(run.bold for p in row.cells[1].paragraphs for run in p.runs)


def test_the_header_and_the_column_numbers_repeat_and_no_row_splits():
    rows = annex_table().rows
    assert tuple(c.text for c in rows[0].cells) == A.headers
    assert [c.text for c in rows[1].cells] == [f"({i})" for i in range(1, 10)]
    assert [has(row, "tblHeader") for row in rows] == [True, True] + [False] * (len(rows) - 2)
    assert all(has(row, "cantSplit") for row in rows)


def test_the_tables_properties_are_each_given_once_in_the_schemas_order():
    """Word refuses a file whose table properties repeat or come out of order."""
    for table in DOC.tables:
        tags = [child.tag.split("}")[1] for child in table._tbl.tblPr]
        assert len(tags) == len(set(tags)), tags
        assert tags == sorted(tags, key=TBLPR_ORDER.index)
        width = table._tbl.tblPr.find(qn("w:tblW"))
        assert (width.get(qn("w:type")), width.get(qn("w:w"))) == ("dxa", str(TEXT_WIDTH))


def test_the_columns_take_their_share_of_the_text_width():
    grid = [col.w for col in annex_table()._tbl.tblGrid.gridCol_lst]
    text_width = Mm(252)
    assert abs(sum(grid) - text_width) < Mm(0.1)
    for width, (_, share) in zip(grid, annex.COLUMNS, strict=True):
        assert abs(width - text_width * share / 100) < Mm(0.1)


def test_a4_landscape_with_the_decree_margins():
    section = DOC.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    for got, mm in (
        (section.page_width, 297),
        (section.page_height, 210),
        (section.top_margin, 20),
        (section.bottom_margin, 20),
        (section.left_margin, 30),
        (section.right_margin, 15),
    ):
        assert abs(got - Mm(mm)) < Mm(0.5), (got, mm)


def test_times_new_roman_for_every_script_13_pt_and_11_pt_in_the_table():
    normal = DOC.styles["Normal"]
    assert normal.font.name == FONT == "Times New Roman"
    assert normal.font.size == Pt(13)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {FONT}
    defaults = DOC.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert not [k for k in defaults.find(qn("w:rFonts")).attrib if k.lower().endswith("theme")]
    cell = annex_table().rows[5].cells[2].paragraphs[0]
    assert cell.style.font.size == Pt(11)


def test_the_heading_and_the_decision_sentence():
    said = annex.words(A, S)
    body = [p.text for p in DOC.paragraphs]
    assert "(Kèm theo Quyết định số 123/QĐ-UBND ngày 31 tháng 12 năm 2026" in said["decision"]
    assert body.index(S["edition_annex"]) < body.index(A.title) < body.index(said["decision"])
    assert body[-2:] == [said["total"], said["code_note"]]
    left, right = DOC.tables[0].rows[0].cells
    assert left.paragraphs[0].text == A.issuer.upper() and left.paragraphs[0].runs[0].bold
    assert [p.text for p in right.paragraphs][:2] == [S["edition_nation"], S["edition_motto"]]


def test_the_page_number_is_a_field_from_page_2():
    section = DOC.sections[0]
    assert section.different_first_page_header_footer
    assert "".join(p.text for p in section.first_page_header.paragraphs) == ""
    number = section.header._element.xpath("string(.//w:instrText)")
    assert number.strip() == "PAGE"


def test_a_draft_says_so_at_the_top():
    assert A.draft
    assert S["edition_draft"] == "DỰ THẢO"
    assert S["edition_draft"] in DOC.paragraphs[0].text


def test_an_edition_without_a_draft_notice_does_not_say_draft(tmp_path):
    root = copy_starter(tmp_path / "root")
    settings = root / "catalogue" / "settings.yaml"
    text = settings.read_text("utf-8")
    without = re.sub(r"^draft_notice:\n(?:[ \t]+.*\n)+", "", text, flags=re.M)
    assert without != text
    settings.write_text(without, "utf-8")
    _, s, a = build(root)
    assert not a.draft
    document = python_docx.Document(io.BytesIO(docx(a, s)))
    assert not [t for t in texts(document) if s["edition_draft"] in t]
    assert a.issuer in document.tables[0].rows[0].cells[0].text  # the rest of the heading is there


def test_the_same_annex_gives_the_same_bytes_whatever_the_clock(monkeypatch):
    later = time.time() + 400 * 86400
    monkeypatch.setattr(time, "time", lambda: later)  # what python-docx's zip entries are dated by
    assert docx(A, S) == DATA
    with zipfile.ZipFile(io.BytesIO(DATA)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"
    core = DOC.core_properties
    midnight = dt.datetime(2026, 12, 31, 0, 0)
    dates = (core.created, core.modified, core.last_printed)
    assert [d.replace(tzinfo=None) for d in dates] == [midnight] * 3
    assert (core.title, core.author, core.last_modified_by, core.revision) == (
        A.title,
        A.issuer,
        "citycat",
        1,
    )


def test_another_edition_date_changes_the_dates_and_nothing_else():
    """Signed on the same day, an edition of another date differs in its core properties only:
    the fixed dates hide the clock, not the edition."""
    other = dt.date(2027, 1, 15)
    _, s, a = build(meta=annex.Meta(other, DECISION, signed=DATE))
    data = docx(a, s)
    assert data != DATA
    core = python_docx.Document(io.BytesIO(data)).core_properties
    assert core.created.date() == core.modified.date() == other
    with zipfile.ZipFile(io.BytesIO(DATA)) as one, zipfile.ZipFile(io.BytesIO(data)) as two:
        assert one.namelist() == two.namelist()
        differ = [n for n in one.namelist() if one.read(n) != two.read(n)]
    assert differ == ["docProps/core.xml"]
