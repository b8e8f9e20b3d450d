"""What a data officer meant: suggestions from a register's ids, abbreviations and names (folded),
in ``validate``'s reference-missing findings and ``score``/``check-links``' unknown ids."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from citycat.cli import app
from citycat.model.suggest import Candidate, candidates, resolve, suggest
from citycat.pipeline.validate import validate
from citycat.source.load import load
from tests.conftest import TODAY

runner = CliRunner()


@pytest.fixture
def registers(good):
    """The registers of tests/cases/good (its agencies.yaml is the live register's copy)."""
    return load(good).catalogue.register_lists


@pytest.mark.parametrize(
    "typed",
    ["so-khcn", "SKHCN", "skhcn", "Sở KH&CN", "so khoa hoc", "khoa hoc cong nghe", "Sở Khoa học", "skhvcn"],
)
def test_the_abbreviation_initials_and_words_lead_to_the_agency(registers, typed):
    assert suggest(typed, candidates(registers["agencies"]))[0] == "so-khoa-hoc-va-cong-nghe"


@pytest.mark.parametrize(
    "typed, first",
    [
        ("so-tai-chin", "so-tai-chinh"),  # the start of the last word
        ("so-tai-chnh", "so-tai-chinh"),  # a letter left out: difflib
        ("so-y-tee", "so-y-te"),
        ("Department of Health", "so-y-te"),  # the English name
        ("SYT", "so-y-te"),
    ],
)
def test_typos_and_other_names(registers, typed, first):
    assert suggest(typed, candidates(registers["agencies"]))[0] == first


def test_nothing_alike_suggests_nothing(registers):
    assert suggest("xyz", candidates(registers["agencies"])) == []
    assert suggest("", candidates(registers["agencies"])) == []


def test_when_every_word_matches_somewhere_only_those_are_shown(registers):
    found = suggest("Sở KH&CN", candidates(registers["agencies"]))
    assert found == ["so-khoa-hoc-va-cong-nghe"]


@pytest.mark.parametrize(
    "register, typed, first",
    [
        ("themes", "y-tee", "y-te"),
        ("themes", "giao duc", "giao-duc"),
        ("themes", "Đất đai", "dat-dai"),
        ("formats", "CVS", "CSV"),
        ("formats", "geojson", "GEOJSON"),
        ("licences", "cc-by-4.0", "cc-by"),
        ("frequencies", "quarter", "quarterly"),
    ],
)
def test_every_register(registers, register, typed, first):
    assert suggest(typed, candidates(registers[register]))[0] == first


def test_resolve_names_one_record_outright(registers):
    agencies = candidates(registers["agencies"])
    assert resolve("SKHCN", agencies) == "so-khoa-hoc-va-cong-nghe"
    assert resolve("Sở Y tế", agencies) == "so-y-te"
    assert resolve("SO-Y-TE", agencies) == "so-y-te"
    assert resolve("so-khcn", agencies) is None  # a guess, not a name: suggested, never taken
    assert resolve("geojson", candidates(registers["formats"])) == "GEOJSON"


def test_plain_candidates_need_no_register():
    ids = [Candidate("bai-do-xe-cong-cong", ("Bãi đỗ xe công cộng",)), Candidate("diem-wifi")]
    assert suggest("bai do xe", ids) == ["bai-do-xe-cong-cong"]
    assert suggest("Bãi đỗ", ids) == ["bai-do-xe-cong-cong"]


@pytest.mark.parametrize(
    "case, suggestion",
    [
        ("reference-missing-agency-abbreviation", "so-khoa-hoc-va-cong-nghe?"),
        ("reference-missing-agency", "so-y-te?"),
        ("reference-missing-theme", "y-te?"),
        ("reference-missing-format", "CSV?"),
        ("reference-missing-licence", "cc-by"),
        ("reference-missing-agency-kind", "department?"),
    ],
)
def test_validate_suggests_for_every_register(make_case, case, suggestion):
    result = validate(make_case(case), TODAY, use_cache=False)
    found = [f for f in result.findings if f.code == "reference-missing"]
    assert found
    for lang in ("vi", "en"):
        assert f"({suggestion}" in found[0].fix(lang), found[0].fix(lang)


@pytest.mark.parametrize(
    "lang, words",
    [
        ("vi", "không có bộ dữ liệu nào mã 'danh-sach-nha-thuoc-x'"),
        ("en", "no dataset with the id 'danh-sach-nha-thuoc-x'"),
    ],
)
def test_score_of_an_unknown_id_suggests(good, lang, words):
    out = runner.invoke(
        app, ["score", "danh-sach-nha-thuoc-x", "-C", str(good), "--today", "2026-11-28", "--lang", lang]
    )
    assert out.exit_code == 2
    assert words in out.output and "danh-sach-nha-thuoc?" in out.output


def test_score_finds_a_dataset_by_its_title(good):
    out = runner.invoke(app, ["score", "nha thuoc", "-C", str(good), "--today", "2026-11-28", "--lang", "vi"])
    assert out.exit_code == 2
    assert "Ý bạn là danh-sach-nha-thuoc?" in out.output


def test_score_with_nothing_alike_says_so_without_a_guess(good):
    out = runner.invoke(app, ["score", "zzz", "-C", str(good), "--today", "2026-11-28", "--lang", "en"])
    assert out.exit_code == 2
    assert "no dataset with the id 'zzz'" in out.output and "Did you mean" not in out.output


@pytest.mark.parametrize("lang, words", [("vi", "Ý bạn là danh-sach-nha-thuoc?"), ("en", "Did you mean")])
def test_check_links_of_an_unknown_id_suggests(good, lang, words):
    out = runner.invoke(
        app,
        ["check-links", "-C", str(good), "--dataset", "danh-sach-nha-thuocc", "--dry-run", "--lang", lang],
    )
    assert out.exit_code == 2
    assert words in out.output and "danh-sach-nha-thuocc" in out.output
