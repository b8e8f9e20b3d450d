"""Patterns from pull requests cannot hang citycat (issue 18, ReDoS).

Each test is an attack that hung ``validate`` when Python's ``re`` ran the patterns (a pattern
with overlapping alternatives under a repetition, against a crafted value, backtracks for ever).
The subprocess timeout is a guard against a hang, not a speed assertion: with RE2 each run takes
as long as any validation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from citycat.checks import patterns
from tests.conftest import CASES, TODAY, assemble

HANG = 120  # seconds: far beyond a normal run (~2 s), far below "for ever"


def _validate(root: Path, lang: str = "vi") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "citycat", "validate", "--root", str(root), "--no-cache"]
    command += ["--today", TODAY.isoformat(), "--lang", lang, "--format", "json"]
    return subprocess.run(command, capture_output=True, text=True, timeout=HANG)


def _schema(root: Path) -> Path:
    return root / "schemas" / "datasets" / "danh-sach-nha-thuoc.json"


def test_a_dataset_schema_pattern_cannot_hang_validation(tmp_path):
    root = assemble(tmp_path / "r", CASES / "good")
    schema = json.loads(_schema(root).read_text("utf-8"))
    schema["fields"][0]["constraints"]["pattern"] = "(a|aa)+"
    _schema(root).write_text(json.dumps(schema, ensure_ascii=False), "utf-8")
    sample = root / "samples" / "danh-sach-nha-thuoc.csv"
    lines = sample.read_text("utf-8").split("\n")
    lines[1] = "a" * 60 + "b" + lines[1][lines[1].index(",") :]
    sample.write_text("\n".join(lines), "utf-8")
    done = _validate(root)
    found = json.loads(done.stdout)["findings"]
    assert any(f["code"] == "sample-invalid" and f["line"] == 2 for f in found), found
    assert "E0000" not in done.stderr and "re2.cc" not in done.stderr  # RE2's own log stays quiet


def test_a_catalogue_schema_pattern_cannot_hang_validation(tmp_path):
    root = assemble(tmp_path / "r", CASES / "good")
    path = root / "schemas" / "catalogue" / "datasets.json"
    schema = json.loads(path.read_text("utf-8"))
    ref = next(f for f in schema["fields"] if f["name"] == "ref")
    ref["constraints"]["pattern"] = "^(HN|H|N)+$"
    path.write_text(json.dumps(schema, ensure_ascii=False), "utf-8")
    datasets = root / "datasets.yaml"
    datasets.write_text(datasets.read_text("utf-8").replace("ref: HN-SYT-002", "ref: " + "H" * 60 + "x", 1))
    found = json.loads(_validate(root).stdout)["findings"]
    assert 4 in [f["line"] for f in found if f["code"] == "field-pattern"], found  # the crafted ref


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_pattern_re2_cannot_run_is_a_schema_problem_in_our_words(tmp_path, lang):
    root = assemble(tmp_path / "r", CASES / "good")
    schema = json.loads(_schema(root).read_text("utf-8"))
    schema["fields"][0]["constraints"]["pattern"] = r"^(NT)-\1$"  # a back-reference
    _schema(root).write_text(json.dumps(schema, ensure_ascii=False), "utf-8")
    found = json.loads(_validate(root, lang).stdout)["findings"]
    [invalid] = [f for f in found if f["code"] == "schema-invalid"]
    words = {"vi": "tham chiếu ngược", "en": "back-references"}[lang]
    assert words in invalid["message"], invalid["message"]
    assert "invalid escape" not in invalid["message"]  # RE2's own words


def test_patterns_match_as_frictionless_matches_them():
    """RE2 stands in for ``re`` with the same answers on the patterns schemas use."""
    import re

    cases = [
        (r"^HN-[A-Z]+-\d{3}$", ["HN-SYT-001", "HN-SYT-01", "hn-syt-001"]),
        (r"^NT-\d{5}$", ["NT-00001", "NT-2"]),
        (r"[a-z0-9-]+", ["so-y-te", "Sở"]),
        (r"^(0[1-9]|[12]\d|3[01])$", ["01", "31", "32"]),
    ]
    for pattern, values in cases:
        ours, theirs = patterns.compile(f"^{pattern}$"), re.compile(f"^{pattern}$")
        for value in values:
            assert bool(ours.match(value)) == bool(theirs.match(value)), (pattern, value)
    assert patterns.problem(r"(?<=a)b")["en"].startswith("look-ahead")
    assert patterns.problem(r"^NT-(\d{5}$")["vi"] == "thiếu dấu ')'"


def test_word_and_digit_classes_keep_pythons_unicode_meaning():
    for pattern, value in [(r"^[\w .-]{2,100}$", "đất đai"), (r"^\w+$", "Hà_Nội"), (r"^\d+$", "١٢")]:
        assert bool(patterns.compile(pattern).match(value)) == bool(__import__("re").match(pattern, value))
    assert not patterns.compile(r"^\w+$").match("a b")


def test_unicode_escapes_are_read_as_python_reads_them():
    r"""``\u0000-\u001f`` in a JSON schema's pattern is Python's escape; RE2 writes it \x{0000}."""
    import re

    pattern = r'^[^\s\u0000-\u001f"<>]+$'
    assert patterns.problem(pattern) is None
    for value in ["dulieu.hanoi.gov.vn", 'a"b', "a\x01b", "a b"]:
        assert bool(patterns.compile(pattern).match(value)) == bool(re.match(pattern, value)), value
    assert patterns.problem(r"\q")["en"] == "it holds an invalid '\\' escape"
