"""``text-no-diacritics``: a Vietnamese text typed without its marks is a warning, in vi and en;
codes, URLs, acronyms and numbers are not words, and the fixture catalogues give no such warning."""

from __future__ import annotations

import pytest

from citycat.checks.language import plain_words, without_marks
from citycat.pipeline.validate import validate
from tests.conftest import TODAY


@pytest.mark.parametrize(
    "text",
    [
        "Danh sach diem phat wifi cong cong mien phi",
        "Ban do quy hoach su dung dat",
        "so luong ho gia dinh 2025",  # a number is not a word, the four others are
        "nha thuoc, duoc pham, quay thuoc",  # a keyword list, read as one text
    ],
)
def test_vietnamese_typed_without_marks(text):
    assert without_marks(text)


@pytest.mark.parametrize(
    "text",
    [
        "Danh sách điểm phát wifi công cộng miễn phí",
        "Đo dong",  # one đ is a mark
        "Bang gia dat",  # three words: too few to tell
        "API GIS WMS QCVN 01:2021/BXD",  # acronyms and codes
        "https://dulieu.hanoi.gov.vn/files/wifi.csv data open portal",  # a URL is not a word
        "HN-SYT-002 2026 12 31 lien he",
        "",
    ],
)
def test_not_flagged(text):
    assert not without_marks(text)


def test_words_leave_out_codes_urls_and_acronyms():
    text = "Xem https://x.vn hoac email a@b.vn, ma HN-SYT-002, chuan QCVN so-y-te"
    assert plain_words(text) == ["Xem", "hoac", "email", "ma", "chuan", "so", "y", "te"]


@pytest.mark.parametrize(
    "lang, words",
    [
        ("vi", "không có chữ nào mang dấu"),
        ("en", "has no letter with a Vietnamese mark"),
    ],
)
def test_the_bad_case_warns_in_both_languages(make_case, lang, words):
    result = validate(make_case("text-no-diacritics"), TODAY, use_cache=False)
    found = [f for f in result.findings if f.code == "text-no-diacritics"]
    assert [(f.loc.line, f.level) for f in found] == [(6, "warning")]
    assert words in found[0].message(lang) and "Telex" in found[0].fix(lang)
    assert result.ok()  # a warning: the catalogue stays valid


def test_the_fixture_catalogues_give_no_such_warning(good, starter):
    for root in (good, starter):
        codes = {f.code for f in validate(root, TODAY, use_cache=False).findings}
        assert "text-no-diacritics" not in codes
