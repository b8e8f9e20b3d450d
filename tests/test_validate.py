"""``citycat validate`` on the starter catalogue, the good case and every bad case."""

from __future__ import annotations

import json
import re
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
    # (file-too-large needs a file over 5 MB: tests/test_contain.py makes a sparse one)
    missing = sorted(set(registry()) - covered - changes - {"file-unreadable", "file-too-large"})
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
    assert run_cli("validate", "-C", str(good), "--today", "31/13/2026").returncode == 2
    assert (
        run_cli("validate", "-C", str(good), "--today", "28/11/2026").returncode == 0
    )  # as documents write it
    assert run_cli("validate", "--format", "xml", "-C", str(good)).returncode == 2
    empty = tmp_path / "nothing"
    empty.mkdir()
    res = run_cli("validate", "-C", str(empty), "--lang", "en")
    assert res.returncode == 2 and "not a catalogue" in res.stderr
    res = run_cli("validate", "-C", str(empty), "--lang", "vi")
    assert res.returncode == 2 and "không phải kho danh mục" in res.stderr


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


# --- one root cause, one error ----------------------------------------------------------------

REGISTERS = sorted(
    {
        r["citycat"]["file"]
        for r in json.loads((ROOT / "schemas/catalogue/datapackage.json").read_text("utf-8"))["resources"]
        if "file" in r.get("citycat", {}) and r["citycat"]["file"] != "datasets.yaml"
    }
)


@pytest.mark.parametrize("name", ["file-missing", "file-missing-settings", "file-missing-register"])
def test_a_missing_register_is_one_error_and_nothing_else(name, make_case):
    spec = yaml.safe_load((CASES / "bad" / name / "case.yaml").read_text("utf-8"))
    result = validate(make_case(name), TODAY, use_cache=False)
    assert [(f.code, str(f.loc)) for f in result.findings] == [("file-missing", spec["file"])]


@pytest.mark.parametrize("file", REGISTERS)
@pytest.mark.parametrize("how", ["deleted", "broken", "a list", "a folder"])
def test_every_register_that_cannot_be_read_is_one_error(file, how, good, tmp_path):
    """Deleted, not YAML, not the expected shape or not a file: the one error is the root cause;
    no field rule on the empty table, no reference into it, no 'None', no line 0 duplicate."""
    path = good / file
    path.unlink()
    if how == "broken":
        path.write_text("key: [unclosed\n", "utf-8")
    elif how == "a list":
        path.write_text("- just\n- a list\n", "utf-8")
    elif how == "a folder":
        path.mkdir()
    result = validate(good, TODAY, use_cache=False)
    errors = [f for f in result.findings if f.level == ERROR]
    assert [f.loc.file for f in errors] == [file], [f"{f.loc} {f.code} {f.message('en')}" for f in errors]
    assert registry()[errors[0].code].group == "load", errors[0].code  # the file, not what depends on it
    assert result.listed and result.datasets == 3


def test_a_register_missing_one_list_keeps_the_other_lists_checked(good):
    """vocabularies.yaml holds several lists: one of them absent is one error, and a reference
    into another list of the same file is still checked."""
    vocab = good / "catalogue" / "vocabularies.yaml"
    doc = yaml.safe_load(vocab.read_text("utf-8"))
    del doc["formats"]
    vocab.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    data = good / "datasets.yaml"
    data.write_text(data.read_text("utf-8").replace("status: published", "status: publishedx", 1), "utf-8")
    found = [(f.code, f.params.get("register")) for f in validate(good, TODAY, use_cache=False).findings]
    assert ("yaml-shape", None) in found
    assert ("reference-missing", "statuses") in found
    assert ("reference-missing", "formats") not in found


def test_a_list_that_cannot_be_read_is_not_said_to_hold_0_datasets(good):
    (good / "datasets.yaml").unlink()
    for lang, said, wrong in (
        ("vi", "không đọc được danh sách bộ dữ liệu", "0 bộ dữ liệu"),
        ("en", "the list of datasets (datasets.yaml) could not be read", "0 datasets"),
    ):
        res = run_cli("validate", "-C", str(good), "--today", "2026-11-28", "--lang", lang)
        assert res.returncode == 1
        first = res.stdout.splitlines()[0]
        assert said in first and wrong not in first, first


# --- what validate prints -----------------------------------------------------------------------


def _errors_and_warnings(make_case) -> Path:
    """The overdue case (warnings) with an unknown agency too (errors), lines apart."""
    root = make_case("overdue")
    data = root / "datasets.yaml"
    data.write_text(data.read_text("utf-8").replace("agency: so-y-te", "agency: so-y-tex"), "utf-8")
    return root


def test_the_summary_comes_first_then_errors_then_warnings(make_case):
    root = _errors_and_warnings(make_case)
    result = validate(root, TODAY, use_cache=False)
    errors = sum(f.level == ERROR for f in result.findings)
    warnings = len(result.findings) - errors
    assert errors >= 2 and warnings >= 1
    res = run_cli("validate", "-C", str(root), "--today", "2026-11-28", "--lang", "vi", "--no-cache")
    lines = res.stdout.splitlines()
    assert lines[0] == f"{errors} lỗi, {warnings} cảnh báo — 3 bộ dữ liệu"
    heads = [line for line in lines[1:] if not line.startswith("  ")]
    kinds = ["lỗi" if ": lỗi[" in h else "cảnh báo" for h in heads]
    assert kinds == ["lỗi"] * errors + ["cảnh báo"] * warnings, heads
    places = [tuple(int(n) for n in h.split(":")[1:3]) for h in heads[:errors]]
    assert places == sorted(places)  # each group in file and line order
    en = run_cli("validate", "-C", str(root), "--today", "2026-11-28", "--lang", "en", "--no-cache")
    assert (
        en.stdout.splitlines()[0]
        == f"{errors} errors, {warnings} warning{'s' if warnings != 1 else ''} — 3 datasets"
    )
    gh = run_cli("validate", "-C", str(root), "--today", "2026-11-28", "--format", "github", "--no-cache")
    gh_lines = gh.stdout.splitlines()
    assert gh_lines[0] == lines[0]
    assert [line.split(" ")[0] for line in gh_lines[1:]] == ["::error"] * errors + ["::warning"] * warnings


def test_quiet_lists_the_errors_only_and_still_counts_the_warnings(make_case):
    root = _errors_and_warnings(make_case)
    loud = run_cli("validate", "-C", str(root), "--today", "2026-11-28", "--lang", "vi", "--no-cache")
    quiet = run_cli("validate", "-C", str(root), "--today", "2026-11-28", "--lang", "vi", "--quiet")
    assert quiet.returncode == loud.returncode == 1
    assert quiet.stdout.splitlines()[0] == loud.stdout.splitlines()[0]  # warnings still counted
    assert "cảnh báo[" in loud.stdout and "cảnh báo[" not in quiet.stdout
    assert quiet.stdout.count("lỗi[") == loud.stdout.count("lỗi[") >= 2
    gh = run_cli("validate", "-C", str(root), "--today", "2026-11-28", "--format", "github", "-q")
    assert "::warning" not in gh.stdout and "::error" in gh.stdout
    js = json.loads(run_cli("validate", "-C", str(root), "--today", "2026-11-28", "-f", "json", "-q").stdout)
    assert js["warnings"] >= 1 and any(f["severity"] == "warning" for f in js["findings"])  # JSON: all


# (a quoted bracket, "'['", is words: a Python list or dict shows as "['x" or "{'x")
RAW = re.compile(r"\bNone\b|\{'(?=\S)|\['(?=\S)|\(\)|\[\]|<[\w.]+ object|datetime\.|\{[a-z_]+\}")


def test_no_message_shows_none_or_a_raw_python_value(make_case, good):
    """Over every bad case and every unreadable register: words, never 'None', a Python list,
    dict or object, or a template's unfilled {name}."""
    roots = [make_case(name) for name in BAD]
    (good / "catalogue" / "settings.yaml").write_text("id:\ntitle: {vi: x}\n", "utf-8")
    roots.append(good)
    shown = []
    for root in roots:
        for f in validate(root, TODAY, use_cache=False).findings:
            for lang in ("vi", "en"):
                shown += [f"{root.name} {f.code} {text}" for text in (f.message(lang), f.fix(lang))]
    assert [s for s in shown if RAW.search(s)] == []


def test_the_english_hints_of_the_schemas_stay_out_of_vietnamese_messages(good):
    (good / "catalogue" / "settings.yaml").write_text("title: {vi: Danh mục}\n", "utf-8")
    found = {f.params.get("field"): f for f in validate(good, TODAY, use_cache=False).findings}
    missing_id = found["id"]
    assert missing_id.code == "field-required"
    assert missing_id.fix("vi") == "Thêm 'id: …'. Cố định: mã định danh của danh mục"
    assert "the catalogue's identifier" in missing_id.fix("en")
