"""The annex of an official edition as a Word document (DOCX), for the drafting office.

The People's Committee's decision is drafted, numbered and signed in Word: the office puts this
annex (*Phụ lục*) under the decision's text, so it must say what the PDF says and look like the
rest of the decision. It follows Decree 30/2020/NĐ-CP (Appendix I) as the PDF does
(``templates/annex.html``, ``paged.css``):

- A4 landscape, because the list has nine columns; margins top and bottom 20 mm, left 30 mm,
  right 15 mm; Times New Roman, 13 pt for the text and 11 pt in the table;
- the heading block: the issuing body on the left, the national heading and motto on the right,
  each over a short rule; then PHỤ LỤC, the title, and the decision it goes with in italics;
- one table: its header and the row of column numbers repeat on every page, no row is split
  across pages, each agency opens with a row of its own (numeral, name) kept with its first row;
- the page number at the top centre from page 2; DỰ THẢO at the top right while the catalogue
  is a draft.

The paragraphs carry named styles (``Annex Cell``, ``Annex Note``) rather than one-off formatting,
so the office can retouch the whole table at once. The same annex gives the same bytes: the core
properties carry the edition's date and the zip entries a fixed one, so a release can be rebuilt
and compared with the one that was signed.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from citycat.edition.annex import COLUMNS, Annex, words

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
PAGE_MM = (297, 210)  # A4 landscape
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH = round((PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) * 1440 / 25.4)  # twips
BODY, TABLE, SMALL, TITLE = Pt(13), Pt(11), Pt(10), Pt(14)
RULE, LINE = "6", "4"  # the heading's rules, the table's lines: eighths of a point (0.75, 0.5 pt)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry


def docx(a: Annex, strings: dict[str, str]) -> bytes:
    """The annex ``a`` as a DOCX file, the same bytes for the same annex."""
    t = {key: strings.get(key, key) for key in ("edition_draft", "edition_nation", "edition_motto")}
    said = words(a, strings)
    document = Document()
    _styles(document)
    _page(document.sections[0])
    if a.draft:
        _draft(document, t["edition_draft"])
    _heading(document, a.issuer, t["edition_nation"], t["edition_motto"])
    _centred(document, strings.get("edition_annex", "edition_annex"), bold=True, size=TITLE, before=Mm(6))
    _centred(document, a.title, bold=True, size=TITLE, before=Mm(1))
    _centred(document, said["decision"], italic=True, before=Mm(1), after=Mm(5))
    _table(document, a)
    document.add_paragraph(said["total"], style="Annex Note").paragraph_format.space_before = Mm(3)
    document.add_paragraph(said["code_note"], style="Annex Note")
    _properties(document, a)
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue())


# ---------------------------------------------------------------------------------------------
# The page and the styles


def _styles(document) -> None:
    """Times New Roman everywhere, for every script Word distinguishes (a Vietnamese letter with
    two marks may be typed through an input method that tags it east-asian or complex)."""
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(defaults)
    defaults.find(qn("w:lang")).set(qn("w:val"), LANGUAGE)
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY
    _fonts(normal.element.get_or_add_rPr())
    _single(normal.paragraph_format)
    cell = styles.add_style("Annex Cell", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    cell.font.size = TABLE
    note = styles.add_style("Annex Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = TABLE
    note.paragraph_format.space_after = Mm(1)


def _fonts(rPr) -> None:
    """``rPr``'s fonts: Times New Roman for each script, no theme font over it."""
    rFonts = rPr.find(qn("w:rFonts"))
    if rFonts is None:
        rFonts = OxmlElement("w:rFonts")
        rPr.insert(0, rFonts)
    for attribute in list(rFonts.attrib):
        if attribute.endswith("Theme") or attribute.endswith("theme"):
            del rFonts.attrib[attribute]
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        rFonts.set(qn(f"w:{script}"), FONT)


def _single(paragraph_format) -> None:
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _page(section) -> None:
    """A4 landscape, the decree's margins, the page number at the top centre from page 2."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # its own header, left empty
    header = section.header
    header.is_linked_to_previous = False
    number = header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(number, "PAGE")


def _field(paragraph, instruction: str) -> None:
    """A field Word computes (here the page number): begin, instruction, separate, a placeholder
    result, end."""

    def char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run("2")
    char("end")


# ---------------------------------------------------------------------------------------------
# Above the table


def _draft(document, text: str) -> None:
    """DỰ THẢO at the top right, bold, in a box (a border round the words only)."""
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.paragraph_format.space_after = Mm(2)
    run = p.add_run(f"\u00a0{text}\u00a0")  # the box's padding
    run.bold = True
    border = OxmlElement("w:bdr")
    for key, value in (("val", "single"), ("sz", "8"), ("space", "1"), ("color", "000000")):
        border.set(qn(f"w:{key}"), value)
    run._r.get_or_add_rPr().append(border)


def _heading(document, issuer: str, nation: str, motto: str) -> None:
    """The heading block: a borderless table of two halves, the issuing body on the left, the
    national heading and motto on the right, each centred over a short rule."""
    half = TEXT_WIDTH // 2
    table = document.add_table(rows=1, cols=2)
    _table_frame(table, (half, TEXT_WIDTH - half), border="nil", padding=(0, 0))
    left, right = table.rows[0].cells
    _cell_text(left.paragraphs[0], issuer.upper(), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(left.add_paragraph(), half, 0.35)
    _cell_text(right.paragraphs[0], nation, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell_text(right.add_paragraph(), motto, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(right.add_paragraph(), TEXT_WIDTH - half, 0.55)


def _rule(paragraph, width: int, share: float) -> None:
    """A short line under the words above: an empty, low paragraph with a bottom border, indented
    from both sides so that the line is ``share`` of ``width`` (twips) long."""
    pBdr = OxmlElement("w:pBdr")  # first: the schema puts it before the spacing and the indents
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", RULE), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    pBdr.append(bottom)
    paragraph._p.get_or_add_pPr().append(pBdr)
    f = paragraph.paragraph_format
    f.left_indent = f.right_indent = Twips(round(width * (1 - share) / 2))
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = Pt(3)


def _centred(document, text: str, *, bold=False, italic=False, size=None, before=None, after=None):
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if before is not None:
        p.paragraph_format.space_before = before
    if after is not None:
        p.paragraph_format.space_after = after
    run = p.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size is not None:
        run.font.size = size


# ---------------------------------------------------------------------------------------------
# The table


def widths() -> list[int]:
    """The columns' widths in twips: ``COLUMNS``' shares of the text width, rounded so that they
    add up to it exactly."""
    total = sum(share for _, share in COLUMNS)
    edges, running = [0], 0.0
    for _, share in COLUMNS:
        running += share
        edges.append(round(TEXT_WIDTH * running / total))
    return [b - a for a, b in itertools.pairwise(edges)]


def _table(document, a: Annex) -> None:
    table = document.add_table(rows=0, cols=len(COLUMNS))
    _table_frame(table, widths(), border="single", padding=(45, 57))  # 0.8 mm, 1 mm
    style = document.styles["Annex Cell"].style_id
    header = _row(table, style, header=True)
    for cell, text in zip(header, a.headers, strict=True):
        _cell_text(cell.paragraphs[0], text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    numbers = _row(table, style, header=True)
    for i, cell in enumerate(numbers, start=1):
        _cell_text(cell.paragraphs[0], f"({i})", italic=True, size=SMALL, align=WD_ALIGN_PARAGRAPH.CENTER)
    last = len(COLUMNS) - 1
    for s in a.sections:
        cells = _row(table, style)
        name = cells[1].merge(cells[last])
        _cell_text(cells[0].paragraphs[0], s.numeral, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(name.paragraphs[0], s.name, bold=True)
        for cell in (cells[0], name):  # the agency's row stays with its first dataset
            cell.paragraphs[0].paragraph_format.keep_with_next = True
        for r in s.rows:
            for i, (cell, text) in enumerate(zip(_row(table, style), r.cells(), strict=True)):
                centred = i in (0, last)  # the number and the code
                _cell_text(
                    cell.paragraphs[0],
                    text,
                    align=WD_ALIGN_PARAGRAPH.CENTER if centred else None,
                    size=SMALL if i == last else None,
                )


def _table_frame(table, column_widths, *, border: str, padding: tuple[int, int]) -> None:
    """A fixed layout at the text width: the columns' widths (twips), one kind of border on every
    side of every cell ("single", or "nil" for none), the cells' padding (twips: top and bottom,
    left and right)."""
    table.autofit = False
    tblPr = table._tbl.tblPr
    width = tblPr.find(qn("w:tblW"))  # python-docx writes one ("auto"): a second breaks the file
    if width is None:
        width = OxmlElement("w:tblW")
        tblPr.append(width)
    width.set(qn("w:w"), str(sum(column_widths)))
    width.set(qn("w:type"), "dxa")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), border)
        if border != "nil":
            line.set(qn("w:sz"), LINE)
            line.set(qn("w:space"), "0")
            line.set(qn("w:color"), "000000")
        borders.append(line)
    tblPr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for side, value in (
        ("top", padding[0]),
        ("left", padding[1]),
        ("bottom", padding[0]),
        ("right", padding[1]),
    ):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(value))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tblPr.append(margins)
    _order_tblPr(tblPr)
    for column, w in zip(table.columns, column_widths, strict=True):
        column.width = Twips(w)
    for row in table.rows:
        for cell, w in zip(row.cells, column_widths, strict=True):
            cell.width = Twips(w)


# The schema's order of a table's properties (Word refuses a file that breaks it).
TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
    "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
]  # fmt: skip


def _order_tblPr(tblPr) -> None:
    children = sorted(tblPr, key=lambda e: TBLPR_ORDER.index(e.tag.split("}")[1]))
    for child in children:
        tblPr.append(child)  # appending an element moves it: the children end up in order


def _row(table, style: str, header: bool = False):
    """A new row of paragraphs in the style ``style`` (its id), never split across pages; a header
    row repeats at the top of every page."""
    row = table.add_row()
    trPr = row._tr.get_or_add_trPr()
    trPr.append(OxmlElement("w:cantSplit"))
    if header:
        trPr.append(OxmlElement("w:tblHeader"))
    cells = row.cells
    for cell in cells:
        cell.paragraphs[0]._p.style = style  # python-docx's setter finds the style anew each time
    return cells


def _cell_text(paragraph, text: str, *, bold=False, italic=False, size=None, align=None) -> None:
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size is not None:
        run.font.size = size


# ---------------------------------------------------------------------------------------------
# The same bytes for the same annex


def _properties(document, a: Annex) -> None:
    """The file's properties say what it is and when: the edition's date, never the clock's."""
    when = dt.datetime.combine(a.meta.date, dt.time(0, 0), tzinfo=dt.UTC)
    p = document.core_properties
    p.title = a.title
    p.author = a.issuer
    p.last_modified_by = "citycat"
    p.comments = ""
    p.language = LANGUAGE
    p.revision = 1
    p.created = p.modified = p.last_printed = when
    package = document.part.package
    for rId, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's picture of an empty page
            del package.rels[rId]


def _fixed_zip(data: bytes) -> bytes:
    """``data`` (a zip) with every entry dated ``ZIP_DATE``, read-write for its owner, deflated,
    in its order: python-docx dates each entry with the clock."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3  # Unix, whatever the machine
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(entry))
    return out.getvalue()
