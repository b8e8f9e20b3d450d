"""``citycat report --format pdf``: run as the committee would on the frozen starter catalogue, the
PDF read back with poppler (pdftotext, pdffonts, pdftoppm) and pypdf."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import drain, starter_root

DAY = "2026-11-28"


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "citycat", *args], capture_output=True, timeout=300, **kwargs
    )


def report_pdf(out: Path, *args: str) -> bytes:
    res = run("report", "-C", str(starter_root()), "--today", DAY, "-f", "pdf", "-o", str(out), *args)
    assert res.returncode == 0, res.stderr.decode()
    return out.read_bytes()


def text(pdf: Path, *pages: int) -> str:
    """``pdftotext -layout``, of ``pages`` (first, last) or the whole document."""
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(
        ["pdftotext", "-layout", *span, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def in_layout(layout: str, wanted: str) -> bool:
    """``wanted`` is in the text, on one line or wrapped in a table cell: its words run on at the
    same column of the lines below."""
    lines = layout.splitlines()
    first = wanted.split(" ")[0]
    for i, line in enumerate(lines):
        column = line.find(first)
        while column != -1:
            rest, j = wanted, i
            while j < len(lines):
                here = lines[j][column:]
                if here.startswith(rest):
                    return True
                words = rest.split(" ")
                k = max((k for k in range(1, len(words)) if here.startswith(" ".join(words[:k]))), default=0)
                if not k:
                    break
                rest, j = " ".join(words[k:]), j + 1
            column = line.find(first, column + 1)
    return False


def test_in_layout_finds_a_wrapped_cell_and_nothing_else():
    layout = "  2   Thống kê khai sinh, kết hôn,     Sở Tư pháp\n      theo xã, phường\n"
    assert in_layout(layout, "Thống kê khai sinh, kết hôn, theo xã, phường")
    assert in_layout(layout, "Sở Tư pháp")
    assert not in_layout(layout, "Thống kê khai sinh, kết hôn, theo phường")
    assert not in_layout(layout, "Sở Tư pháp Hà Nội")


@pytest.fixture(scope="module")
def vi(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report-pdf") / "bao-cao.pdf"
    report_pdf(out)
    return out


@pytest.fixture(scope="module")
def facts() -> dict:
    """The same report as plain values (--format json), to know what the PDF must hold."""
    res = run("report", "-C", str(starter_root()), "--today", DAY, "-f", "json")
    assert res.returncode == 0, res.stderr.decode()
    return json.loads(res.stdout)


def test_the_pdf_holds_every_agency_and_every_overdue_dataset_in_nfc(vi, facts):
    layout = text(vi)
    assert unicodedata.is_normalized("NFC", layout)
    assert "BÁO CÁO TIẾN ĐỘ VÀ KẾT QUẢ" in layout  # the title, upper case as a heading is
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" in layout and "Độc lập - Tự do - Hạnh phúc" in layout
    assert "Ngày: 28/11/2026" in layout and "còn 33 ngày" in layout
    agencies = [a["agency"] for a in facts["all_ranking"]]
    late = [d["title"] for d in facts["late"]]
    assert len(agencies) == 17 and len(late) == 8
    for name in agencies + late:
        assert in_layout(layout, unicodedata.normalize("NFC", name)), name
    for heading in ("Tổng hợp", "Xếp hạng cơ quan", "Bộ dữ liệu quá hạn", "Cần sửa trước"):
        assert heading in layout


def test_every_font_is_embedded(vi):
    listed = subprocess.run(["pdffonts", str(vi)], capture_output=True, text=True, check=True).stdout
    fonts = listed.splitlines()[2:]  # below the header and its rule
    assert fonts
    for line in fonts:
        name, emb = line.split()[0], line.split()[-5]  # name … emb sub uni object ID
        assert emb == "yes", line
        assert "Liberation-Serif" in name, line  # one typeface, the one with Vietnamese glyphs


def test_pages_are_a4_landscape_and_numbered_from_page_2(vi):
    pages = PdfReader(io.BytesIO(vi.read_bytes())).pages
    assert len(pages) > 2
    for page in pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # 297 × 210 mm
    assert text(vi, 1).strip().startswith("ỦY BAN NHÂN DÂN")  # no number on the first page
    for number in range(2, len(pages) + 1):
        assert text(vi, number).strip().split("\n")[0].strip() == str(number)


def test_a_table_that_runs_on_repeats_its_header(vi):
    pages = len(PdfReader(io.BytesIO(vi.read_bytes())).pages)
    # the ranking and datasets, what to fix, the overdue, the sharing between agencies
    headers = ("MQA", "Lý do", "Số ngày trễ", "Viết tắt")
    continued = 0
    for number in range(2, pages + 1):
        lines = [line for line in text(vi, number).splitlines() if line.strip()][1:]  # below the number
        if re.match(r"\s*\d\. ", lines[0]):
            continue  # the page starts a section: its heading, then the table's header
        continued += 1
        assert any(h in line for line in lines[:4] for h in headers), (number, lines[:4])
    assert continued >= 3  # the to-fix and datasets tables run over several pages


def test_charts_are_drawn_in_colour_with_their_labels(vi, tmp_path):
    from PIL import Image

    layout = text(vi, 1)
    # a label drawn inside the SVG: whole, on two lines (it was cut to "Trung tâm Phục vụ hành chính cô…")
    assert "Trung tâm Phục vụ hành" in layout and "chính công Thành phố" in layout
    assert "Tiến độ từng cơ quan" in layout and "Sáu tiêu chí (trung bình)" in layout
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(vi), str(tmp_path / "p")], check=True
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    blue = sum(n for n, (r, g, b) in colours if b > 140 and r < 80)  # the standards' bars, #1f5fa8
    amber = sum(n for n, (r, g, b) in colours if abs(r - 163) < 14 and abs(g - 92) < 14 and b < 30)
    assert blue > 500 and amber > 300, (blue, amber)  # black bars (the page's CSS unseen) fail this


def test_the_same_input_gives_the_same_bytes(vi, tmp_path):
    again = report_pdf(tmp_path / "again.pdf")
    assert again == vi.read_bytes()
    assert b"/CreationDate" not in again and b"/ModDate" not in again


def test_english_headings_with_lang_en(tmp_path):
    out = tmp_path / "report.pdf"
    report_pdf(out, "--lang", "en")
    layout = text(out)
    for heading in (
        "PROGRESS AND RESULTS REPORT",
        "Agencies ranked",
        "Overdue datasets",
        "What to fix first",
    ):
        assert heading in layout, heading
    assert "SOCIALIST REPUBLIC OF VIETNAM" in layout and "HANOI PEOPLE'S COMMITTEE" in layout
    assert "Department of Justice" in layout
    assert "Xếp hạng cơ quan" not in layout and "CỘNG HÒA" not in layout


def test_one_agency(tmp_path):
    out = tmp_path / "so-tu-phap.pdf"
    report_pdf(out, "--agency", "so-tu-phap")
    layout = text(out)
    assert "Sở Tư pháp" in text(out, 1).split("1. Tổng hợp")[0]  # the scope, under the title
    assert "Sở Y tế" in layout  # the ranking still shows every agency
    assert "Cửa hàng bán lẻ xăng dầu" not in layout  # another agency's overdue dataset


def test_pdf_to_a_terminal_is_refused():
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "citycat", "report", "-C", str(starter_root()), "--today", DAY, "-f", "pdf"],
        stdout=follower,
        stderr=subprocess.PIPE,
    )
    os.close(follower)
    shown = drain(leader)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 2, err
    assert "Báo cáo PDF" in err and "--out" in err  # said in the catalogue's language (vi)
    assert b"%PDF" not in shown
