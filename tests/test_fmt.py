"""`citycat fmt`: the canonical layout of datasets.yaml, idempotent, comments kept, meaning kept."""

from __future__ import annotations

import json
import unicodedata

import pytest
from typer.testing import CliRunner

from citycat.cli import app
from citycat.editing.fmt import (
    DATASET_KEYS,
    DISTRIBUTION_KEYS,
    NESTED,
    FormatError,
    format_text,
    needs_quotes,
)
from citycat.pipeline.validate import validate
from citycat.source.yamlsafe import load_bytes
from tests.conftest import CASES, ROOT, TODAY, assemble

runner = CliRunner()

MESSY = """# Đầu tệp / head comment
datasets:
  # Sở Y tế
  - title:
      en: 'Licensed pharmacies'   # English title
      vi: '{nfd}'
    id: danh-sach-nha-thuoc
    status: published
    agency: so-y-te
    due: "2026-12-15"
    issued: 2024-3-1
    x-note: kept after the key it followed
    distributions:
      - format: CSV
        download_url: https://dulieu.hanoi.gov.vn/files/a.csv
        title: {{vi: 'Tệp CSV', en: CSV file}}
    spatial: ['01']
"""
CANONICAL = """# Đầu tệp / head comment
datasets:
  # Sở Y tế
  - id: danh-sach-nha-thuoc
    title:
      vi: "{nfc}"
      en: "Licensed pharmacies"   # English title
    agency: so-y-te
    status: published
    due: 2026-12-15
    issued: 2024-03-01
    x-note: kept after the key it followed
    spatial: ["01"]
    distributions:
      - title: {{vi: "Tệp CSV", en: CSV file}}
        format: CSV
        download_url: https://dulieu.hanoi.gov.vn/files/a.csv
"""
TITLE = "Danh sách nhà thuốc"


def messy() -> str:
    return MESSY.format(nfd=unicodedata.normalize("NFD", TITLE))


def test_the_repository_and_the_good_case_are_already_canonical():
    for path in (ROOT / "datasets.yaml", CASES / "good" / "datasets.yaml"):
        text = path.read_text("utf-8")
        assert not format_text(text).changed, path


def test_the_canonical_layout():
    done = format_text(messy())
    assert done.after == CANONICAL.format(nfc=TITLE)
    assert unicodedata.is_normalized("NFC", done.after)


def test_idempotent_and_comments_kept():
    once = format_text(messy()).after
    assert format_text(once).after == once
    for comment in ("# Đầu tệp / head comment", "# Sở Y tế", "# English title"):
        assert comment in once


def test_the_meaning_is_kept_as_citycat_reads_it():
    before, _ = load_bytes(messy().encode(), "datasets.yaml")
    after, found = load_bytes(format_text(messy()).after.encode(), "datasets.yaml")
    assert found == []  # NFC now, so no text-not-nfc warning
    entry_before, entry_after = before["datasets"][0], after["datasets"][0]
    # dates written as text become dates
    assert entry_before["due"] == "2026-12-15" and str(entry_after["due"]) == "2026-12-15"
    assert entry_before["issued"] == "2024-3-1" and entry_after["issued"].isoformat() == "2024-03-01"
    assert entry_after["spatial"] == ["01"]
    dates = ("due", "issued")
    assert {k: v for k, v in entry_after.items() if k not in dates} == {
        k: v for k, v in entry_before.items() if k not in dates
    }


def test_quotes_only_where_needed():
    for text in ("01", "yes", "1.5", "2026-12-31", "a: b", "#x", " padded", ""):
        assert needs_quotes(text), text
    for text in ("Danh sách nhà thuốc", "so-y-te", "dulieu@hanoi.gov.vn", "https://a.vn/x?y=1"):
        assert not needs_quotes(text), text
    assert needs_quotes("a, b", flow=True) and not needs_quotes("a, b")  # in [a, b] a comma splits


def test_the_key_orders_cover_every_field_of_the_table_schemas():
    package = json.loads((ROOT / "schemas" / "catalogue" / "datapackage.json").read_text("utf-8"))
    datasets = json.loads((ROOT / "schemas" / "catalogue" / "datasets.json").read_text("utf-8"))
    names = {f["name"] for f in datasets["fields"]}
    names |= {r["citycat"].get("list") or r["citycat"].get("records") for r in package["resources"]}
    names.discard(None)
    names.discard("languages")  # settings' own list
    for name in names:
        head, _, tail = name.partition(".")
        assert head in DATASET_KEYS, name
        if tail:
            assert tail in NESTED[head], name
    dists = json.loads((ROOT / "schemas" / "catalogue" / "distributions.json").read_text("utf-8"))
    tops = [f["name"].split(".")[0] for f in dists["fields"][2:]]
    assert tuple(dict.fromkeys(tops)) == DISTRIBUTION_KEYS


def test_a_formatted_catalogue_still_validates(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    # shuffle an entry's keys and quote a date: fmt puts them back
    text = text.replace(
        "    status: confirmed\n    due: 2026-12-31\n", '    due: "2026-12-31"\n    status: confirmed\n'
    )
    path.write_text(text, "utf-8")
    out = runner.invoke(app, ["fmt", "-C", str(root)])
    assert out.exit_code == 0, out.output
    assert "datasets.yaml: đã định dạng" in out.output
    assert path.read_text("utf-8") == (CASES / "good" / "datasets.yaml").read_text("utf-8")
    assert validate(root, TODAY, use_cache=False).ok()


def test_check_changes_nothing_and_shows_the_difference(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    path = root / "datasets.yaml"
    path.write_text(messy(), "utf-8")
    out = runner.invoke(app, ["fmt", "--check", "-C", str(root)])
    assert out.exit_code == 1
    assert "cần định dạng lại" in out.output and "+  - id: danh-sach-nha-thuoc" in out.output
    assert path.read_text("utf-8") == messy()
    en = runner.invoke(app, ["fmt", "--check", "-C", str(root), "--lang", "en"])
    assert "needs formatting" in en.output
    assert runner.invoke(app, ["fmt", "-C", str(root)]).exit_code == 0
    again = runner.invoke(app, ["fmt", "--check", "-C", str(root)])
    assert again.exit_code == 0 and "đã đúng định dạng" in again.output


@pytest.mark.parametrize(
    "text, code, line",
    [
        ("datasets:\n  - id: a\n    id: b\n", "yaml-duplicate-key", 3),
        ("x: &a [1]\ndatasets:\n  - id: *a\n", "yaml-alias", 3),
        ("datasets:\n  - id: [a\n", "yaml-unclosed-bracket", 2),
        ("datasets:\n\t- id: a\n", "yaml-tab", 2),
        ("datasets:\n  - id: a\n    access open\n    status: x\n", "yaml-missing-colon", 3),
    ],
)
def test_a_file_citycat_refuses_is_not_touched(tmp_path, text, code, line):
    path = tmp_path / "datasets.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(FormatError) as caught:
        format_text(text)
    assert caught.value.finding.code == code
    out = runner.invoke(app, ["fmt", "-C", str(tmp_path)])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert f"datasets.yaml:{line}:" in out.output and f"[{code}]" in out.output
    assert path.read_text("utf-8") == text
    assert [p.name for p in tmp_path.iterdir()] == ["datasets.yaml"]  # no temporary file left


def test_not_utf8_is_reported_at_its_byte(tmp_path):
    path = tmp_path / "datasets.yaml"
    path.write_bytes(b"datasets:\n  - id: a\n    title: {vi: Danh s" + b"\xe1ch}\n")
    out = runner.invoke(app, ["fmt", "-C", str(tmp_path)])
    assert out.exit_code == 1 and "datasets.yaml:3:" in out.output and "yaml-encoding" in out.output


def test_a_byte_order_mark_and_windows_line_ends_are_removed(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    path = root / "datasets.yaml"
    good = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + good.replace(b"\n", b"\r\n"))
    check = runner.invoke(app, ["fmt", "--check", "-C", str(root)])
    assert check.exit_code == 1 and "cần định dạng lại" in check.output
    out = runner.invoke(app, ["fmt", "-C", str(root), "--lang", "en"])
    assert out.exit_code == 0 and "datasets.yaml: formatted" in out.output
    assert path.read_bytes() == good
    assert validate(root, TODAY, use_cache=False).findings == ()


def test_every_tab_line_is_reported_and_nothing_written(tmp_path):
    text = "datasets:\n  - id: a\n\tstatus: x\n    access: open\n\tdue: 2026-12-31\n"
    path = tmp_path / "datasets.yaml"
    path.write_text(text, "utf-8")
    out = runner.invoke(app, ["fmt", "-C", str(tmp_path)])
    assert out.exit_code == 1
    assert (
        "datasets.yaml:3:1: lỗi[yaml-tab]" in out.output and "datasets.yaml:5:1: lỗi[yaml-tab]" in out.output
    )
    assert "4 dấu cách" in out.output
    assert path.read_text("utf-8") == text
    with pytest.raises(FormatError) as caught:
        format_text(text)
    assert [f.loc.line for f in caught.value.findings] == [3, 5]


@pytest.mark.parametrize(
    "text",
    [
        "datasets:\n  - id: a\n    data_class other\n    status: x\n",
        'datasets:\n  - id: a\n    title: "open\n',
        "datasets:\n  - id: a\n    title: Note: x\n",
        "datasets:\n  - id: a\n    access: open\n   status: x\n",
        "datasets:\n  - id: a\n    access: open\n   - id: b\n",
    ],
)
def test_fmt_says_what_is_wrong_in_the_chosen_language_only(tmp_path, text):
    (tmp_path / "datasets.yaml").write_text(text, "utf-8")
    vi = runner.invoke(app, ["fmt", "-C", str(tmp_path)]).output
    en = runner.invoke(app, ["fmt", "-C", str(tmp_path), "--lang", "en"]).output
    for phrase in (
        "while ",
        "expected",
        "found",
        "mapping values",
        "could not find",
        "scanning",
        "Traceback",
    ):
        assert phrase not in vi and phrase not in en
    assert "lỗi[yaml-" in vi and "cách sửa:" in vi and "error[yaml-" in en and "fix:" in en
    assert "ư" not in en and "ố" not in en and "ệ" not in en


def test_fmt_reports_a_missing_file_in_words(tmp_path):
    out = runner.invoke(app, ["fmt", "nothing.yaml", "-C", str(tmp_path), "--lang", "en"])
    assert out.exit_code == 2 and "There is no file nothing.yaml." in out.output
    vi = runner.invoke(app, ["fmt", "nothing.yaml", "-C", str(tmp_path)])
    assert "Không có tệp nothing.yaml." in vi.output


def test_an_empty_list_is_already_formatted():
    """``datasets: []`` (a new catalogue, ``citycat init``) is formatted as it is, not a crash."""
    from citycat.editing.fmt import format_text

    text = "datasets: []\n"
    assert format_text(text).after == text
