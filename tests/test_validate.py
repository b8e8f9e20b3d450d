"""``citycat validate`` on the starter catalogue, the good case and every bad case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from citycat.model.findings import ERROR, registry
from citycat.pipeline.validate import validate
from tests.conftest import CASES, ROOT, TODAY

BAD = sorted(p.name for p in (CASES / "bad").iterdir() if (p / "case.yaml").is_file())


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "citycat", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_live_catalogue_has_no_errors():
    result = validate(ROOT, TODAY, use_cache=False)
    errors = [f"{f.loc} {f.code} {f.message('en')}" for f in result.findings if f.level == ERROR]
    assert errors == []
    assert result.datasets > 0


def test_starter_catalogue_has_no_errors(starter):
    result = validate(starter, TODAY, use_cache=False)
    errors = [f"{f.loc} {f.code} {f.message('en')}" for f in result.findings if f.level == ERROR]
    assert errors == []
    assert result.datasets == 49


def test_good_case_is_clean(good):
    result = validate(good, TODAY, use_cache=False)
    assert [(str(f.loc), f.code) for f in result.findings] == []


def test_there_are_enough_bad_cases():
    assert len(BAD) >= 40


@pytest.mark.parametrize("name", BAD)
def test_bad_case(name, make_case):
    spec = yaml.safe_load((CASES / "bad" / name / "case.yaml").read_text("utf-8"))
    root = make_case(name)
    result = validate(root, TODAY, use_cache=False)
    found = [(f.code, f.loc.file if f.loc else None, f.loc.line if f.loc else None) for f in result.findings]
    expected = (spec["code"], spec["file"], spec["line"])
    assert expected in found, f"{name}: expected {expected}, got {found}"
    if spec.get("severity", registry()[spec["code"]].severity) == ERROR:
        assert not result.ok(), f"{name}: an error case must fail validation"


def test_bad_cases_cover_every_check():
    covered = {yaml.safe_load((CASES / "bad" / n / "case.yaml").read_text("utf-8"))["code"] for n in BAD}
    changes = {code for code, check in registry().items() if check.group == "change"}  # tests/test_changes.py
    missing = sorted(set(registry()) - covered - changes - {"file-unreadable"})
    assert missing == [], f"checks without a bad case: {missing}"


def test_cli_exit_codes_and_formats(good, make_case):
    ok = run_cli("validate", "--root", str(good), "--today", "2026-11-28", "--no-cache")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = make_case("reference-missing-agency")
    res = run_cli("validate", "-C", str(bad), "--today", "2026-11-28", "--format", "json", "--lang", "en")
    assert res.returncode == 1
    doc = json.loads(res.stdout)
    assert doc["valid"] is False and doc["errors"] >= 1
    first = next(f for f in doc["findings"] if f["code"] == "reference-missing")
    assert first["file"] == "datasets.yaml" and first["line"] and first["dataset"]
    assert "is not in agencies" in first["message"] and first["fix"]
    gh = run_cli("validate", "-C", str(bad), "--today", "2026-11-28", "--format", "github")
    assert gh.returncode == 1
    assert any(line.startswith("::error file=datasets.yaml,line=") for line in gh.stdout.splitlines())


def test_text_output_shows_source_line_and_fix(make_case):
    bad = make_case("reference-missing-agency")
    res = run_cli("validate", "-C", str(bad), "--today", "2026-11-28", "--lang", "vi", "--no-cache")
    assert res.returncode == 1
    out = res.stdout
    assert "datasets.yaml:" in out and "lỗi[reference-missing]" in out
    assert "| " in out and "^" in out  # the offending line, with a caret under the column
    assert "cách sửa:" in out
    assert "Traceback" not in res.stderr


def test_strict_turns_warnings_into_errors(make_case):
    root = make_case("overdue")
    assert run_cli("validate", "-C", str(root), "--today", "2026-11-28", "--no-cache").returncode == 0
    strict = run_cli("validate", "-C", str(root), "--today", "2026-11-28", "--no-cache", "--strict")
    assert strict.returncode == 1


def test_usage_errors_exit_2(good, tmp_path):
    assert run_cli("validate", "-C", str(good), "--today", "28/11/2026").returncode == 2
    assert run_cli("validate", "--format", "xml", "-C", str(good)).returncode == 2
    empty = tmp_path / "nothing"
    empty.mkdir()
    res = run_cli("validate", "-C", str(empty))
    assert res.returncode == 2 and "not a catalogue" in res.stderr


def test_cache_answers_repeat_runs_and_notices_changes(good):
    first = validate(good, TODAY)
    assert not first.cached
    again = validate(good, TODAY)
    assert again.cached and again.findings == first.findings
    path = good / "datasets.yaml"
    path.write_text(path.read_text("utf-8").replace("agency: so-y-te", "agency: so-y-tex", 1), "utf-8")
    changed = validate(good, TODAY)
    assert not changed.cached and not changed.ok()
    assert validate(good, TODAY.replace(day=29)).cached is False  # the day matters: overdue moves


def test_no_traceback_for_any_bad_case(make_case):
    for name in BAD:
        root = make_case(name)
        res = run_cli("validate", "-C", str(root), "--today", "2026-11-28", "--no-cache")
        assert res.returncode in (0, 1), f"{name}: {res.stderr}"
        assert "Traceback" not in res.stderr and "internal error" not in res.stderr, name


def test_checking_in_parts_finds_what_checking_whole_finds(tmp_path, monkeypatch):
    """A large list is cut into slices checked on several cores; the findings must not change,
    including those between entries of different slices (duplicate ids, colliding titles)."""
    from citycat.pipeline.validate import _validate_in_parts, _validate_whole
    from citycat.source.entries import split_entries

    out = tmp_path / "gen"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "400", str(out)], check=True)
    path = out / "datasets.yaml"
    text = path.read_text("utf-8")
    ids = [line.split("id: ")[1] for line in text.split("\n") if line.startswith("  - id: ")]
    # the last entry reuses the first id; mistakes of every kind in both halves
    text = text.replace(f"  - id: {ids[-1]}\n", f"  - id: {ids[0]}\n")
    text = text.replace("access: open", "access: opne", 1).replace("format: CSV", "format: CVS", 1)
    text = text.replace("licence: cc-by", "tittle: x\n    licence: cc-by", 1)
    half = len(text) // 2
    text = text[:half] + text[half:].replace("access: open", "access: opne", 1)
    path.write_text(text, "utf-8")
    parts = split_entries(text, 3)
    assert parts is not None and len(parts) == 3
    whole = _validate_whole(out, TODAY)
    split = _validate_in_parts(out, TODAY, 3, min_bytes=0)
    assert split is not None
    assert split.findings == whole.findings
    assert any(f.code == "duplicate-id" for f in whole.findings)
    assert split.datasets == whole.datasets == 400
    # the build's path: the whole list loaded here, checked on forked processes
    from citycat.pipeline import validate as module

    monkeypatch.setattr(module, "CHECK_PARALLEL_MIN", 100)
    forked = _validate_whole(out, TODAY, workers=3)
    assert forked.findings == whole.findings and forked.catalogue.datasets == whole.catalogue.datasets


def test_a_list_that_cannot_be_cut_is_checked_whole(tmp_path):
    from citycat.source.entries import split_entries

    assert split_entries("datasets: []\n", 2) is None
    assert split_entries("other: 1\n", 2) is None
    flow = "datasets:\n" + "".join(f"  - {{id: d{i}}}\n" for i in range(200))
    parts = split_entries(flow, 2)
    assert parts is not None and sum(p[0].count("{id:") for p in parts) == 200


def test_a_misspelt_field_is_one_error_not_two(make_case):
    """'license: cc-by' is reported as the misspelling, not again as open data without a licence."""
    result = validate(make_case("unknown-field-license"), TODAY, use_cache=False)
    codes = [f.code for f in result.findings if f.dataset == "danh-sach-nha-thuoc"]
    assert codes == ["unknown-field"], codes
