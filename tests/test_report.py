"""``citycat report`` and ``citycat score``: run as the committee would, read back as written."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import starter_root

DAY = "2026-11-28"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "citycat", *args], capture_output=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def starter_json() -> dict:
    res = run("report", "-C", str(starter_root()), "--today", DAY, "--format", "json", "--lang", "en")
    assert res.returncode == 0, res.stderr.decode()
    return json.loads(res.stdout)


def test_json_report_of_the_starter_catalogue(starter_json):
    r = starter_json
    assert r["summary"]["datasets"] == 49 and len(r["datasets"]) == 49
    assert r["days_left"] == 33 and r["deadline"] == "2026-12-31"
    ranks = [a["rank"] for a in r["all_ranking"] if a["rank"]]
    assert ranks == list(range(1, len(ranks) + 1)) and len(r["all_ranking"]) == 17
    scores = [a["overall"] for a in r["all_ranking"] if a["rank"]]
    assert scores == sorted(scores, reverse=True)
    late = [d["days_late"] for d in r["late"]]
    assert late == sorted(late, reverse=True) and len(late) == r["summary"]["overdue"] == 8
    # the three departments the city named as not having opened their data are among the late
    late_agencies = {d["agency"] for d in r["late"]}
    assert {
        "Department of Health",
        "Department of Industry and Trade",
        "Department of Justice",
    } <= late_agencies
    assert set(r["standards"]) == {"correct", "complete", "clean", "live", "consistent", "shared"}


def test_report_for_one_agency(tmp_path):
    res = run("report", "-C", str(starter_root()), "--today", DAY, "-f", "json", "--agency", "so-tu-phap")
    assert res.returncode == 0, res.stderr.decode()
    r = json.loads(res.stdout)
    assert r["agency"] == "so-tu-phap" and r["scope"] == "Sở Tư pháp"
    assert r["datasets"] and all(d["agency"] == "Sở Tư pháp" for d in r["datasets"])
    assert all(d["agency"] == "Sở Tư pháp" for d in r["late"])
    assert [a["id"] for a in r["ranking"]] == ["so-tu-phap"] and len(r["all_ranking"]) == 17
    bad = run("report", "-C", str(starter_root()), "--today", DAY, "--agency", "so-khong-co")
    assert bad.returncode == 2 and b"so-khong-co" in bad.stderr and b"Traceback" not in bad.stderr


def test_markdown_report_in_both_languages():
    vi = run("report", "-C", str(starter_root()), "--today", DAY).stdout.decode()
    en = run("report", "-C", str(starter_root()), "--today", DAY, "--lang", "en").stdout.decode()
    assert (
        vi.startswith("# Báo cáo tiến độ và kết quả: Danh mục dữ liệu dùng chung")
        and "## Xếp hạng cơ quan" in vi
    )
    assert en.startswith("# Progress and results report: ") and "## Agencies ranked" in en
    for text in (vi, en):
        tables = [line for line in text.splitlines() if line.startswith("|")]
        widths = {line.count("|") - line.count("\\|") for line in tables if "---" in line}
        assert tables and all(w >= 6 for w in widths)


def test_html_report_is_standalone_and_escaped(tmp_path, good):
    path = good / "datasets.yaml"
    path.write_text(
        path.read_text("utf-8").replace(
            "Danh sách nhà thuốc, quầy thuốc đủ điều kiện kinh doanh dược",
            "Nhà thuốc <script>alert(1)</script> | a",
            1,
        ),
        "utf-8",
    )
    out = tmp_path / "out" / "bao-cao.html"
    res = run("report", "-C", str(good), "--today", DAY, "-f", "html", "--out", str(out))
    assert res.returncode == 0, res.stderr.decode()
    html = out.read_text("utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<svg" in html and 'role="img"' in html  # the charts, inside the page
    assert 'class="chart-bar chart-status-proposed"' in html and ".chart-status-proposed { fill: #" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "<link" not in html

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    parser = Tags()
    parser.feed(html)
    assert parser.tags.count("table") >= 3 and "script" not in parser.tags
    md = run("report", "-C", str(good), "--today", DAY).stdout.decode()
    assert "\\<script\\>" in md and "\\| a" in md  # no markup or broken table from a title


def test_xlsx_report_reads_back(tmp_path):
    out = tmp_path / "report.xlsx"
    res = run(
        "report", "-C", str(starter_root()), "--today", DAY, "-f", "xlsx", "--lang", "en", "-o", str(out)
    )
    assert res.returncode == 0, res.stderr.decode()
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["Agencies ranked", "Overdue datasets", "Datasets"]
    assert len(sheets["Agencies ranked"]) == 17 and len(sheets["Datasets"]) == 49
    assert len(sheets["Overdue datasets"]) == 8
    due = sheets["Overdue datasets"]["Due"].tolist()
    assert all(isinstance(x, str) and x.count("/") == 2 for x in due)  # dd/mm/yyyy
    assert not list(tmp_path.glob(".*.tmp"))  # written whole, nothing left behind


def test_report_refuses_a_catalogue_with_errors(make_case, tmp_path):
    root = make_case("field-enum")
    out = tmp_path / "r.md"
    res = run("report", "-C", str(root), "--today", DAY, "-o", str(out))
    assert res.returncode == 1 and not out.exists()
    assert b"Traceback" not in res.stderr and b"citycat validate" in res.stderr


def test_score_prints_one_datasets_breakdown():
    res = run(
        "score",
        "danh-sach-nha-thuoc-quay-thuoc-du-dieu-kien-kinh-doanh-duoc",
        "-C",
        str(starter_root()),
        "--today",
        DAY,
        "--lang",
        "en",
    )
    assert res.returncode == 0, res.stderr.decode()
    text = res.stdout.decode()
    for label in ("Correct", "Complete", "Clean", "Live", "Consistent", "Shared", "MQA"):
        assert label in text
    js = run(
        "score",
        "danh-sach-nha-thuoc-quay-thuoc-du-dieu-kien-kinh-doanh-duoc",
        "-C",
        str(starter_root()),
        "--today",
        DAY,
        "--json",
    )
    data = json.loads(js.stdout)
    assert data["overall"] == round(sum(s["score"] for s in data["standards"].values()) / 6)
    missing = run("score", "khong-co", "-C", str(starter_root()), "--today", DAY)
    assert missing.returncode == 2 and b"khong-co" in missing.stderr
