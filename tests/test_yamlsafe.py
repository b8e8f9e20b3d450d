"""The safe YAML loader: locations, refusals, normalisation."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
import yaml

from citycat.model.findings import WARNING, Loc
from citycat.source import yamlsafe
from citycat.source.yamlsafe import C_LOADER, FatalYAML, YList, YMap, load_bytes
from tests.conftest import CASES


def codes(findings):
    return [f.code for f in findings]


def fatal(data: bytes) -> str:
    with pytest.raises(FatalYAML) as exc:
        load_bytes(data, "x.yaml")
    return exc.value.finding


def test_values_keep_their_line_and_column():
    value, found = load_bytes(b"a:\n  - id: x\n    n: 3\n    d: 2026-12-31\n", "x.yaml")
    assert found == []
    assert isinstance(value, YMap) and isinstance(value["a"], YList)
    item = value["a"][0]
    assert item == {"id": "x", "n": 3, "d": dt.date(2026, 12, 31)}
    assert item.locs["n"] == Loc("x.yaml", 3, 8)
    assert item.keylocs["d"] == Loc("x.yaml", 4, 5)
    assert value["a"].locs[0] == Loc("x.yaml", 2, 5)


def test_c_loader_is_used_when_available():
    import yaml

    assert C_LOADER == hasattr(yaml, "CSafeLoader")


def test_duplicate_keys_are_reported_with_both_lines():
    _, found = load_bytes(b"a: 1\nb: 2\na: 3\n", "x.yaml")
    assert codes(found) == ["yaml-duplicate-key"]
    assert found[0].loc.line == 3 and found[0].params["first"] == 1


def test_aliases_are_refused_and_do_not_expand():
    bomb = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, prev in zip("bcdefghi", "abcdefgh", strict=True):
        bomb += (
            f"{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n".encode()
        )
    value, found = load_bytes(bomb, "x.yaml")
    assert "yaml-alias" in codes(found)
    assert len(str(value)) < 10_000  # nothing was expanded


def test_merge_keys_are_refused():
    _, found = load_bytes(b"base: &b {x: 1}\nitem:\n  <<: *b\n  y: 2\n", "x.yaml")
    assert "yaml-alias" in codes(found)


def test_python_tags_are_refused():
    value, found = load_bytes(b'a: !!python/object/apply:os.system ["echo hi"]\n', "x.yaml")
    assert "yaml-tag" in codes(found)


@pytest.mark.parametrize(
    "data,code,line",
    [
        ("a: 1\nb: Hà Nội\n".encode("utf-16-le"), "yaml-encoding", 1),
        (b"a: 1\ntitle: H\xe0 N\xf4i\n", "yaml-encoding", 2),
        (b"a:\n\t- x\n", "yaml-tab", 2),
        (b"a: 1\n  b: 2\n", "yaml-indent", 2),
        (b'a: 1\nb: "open\n', "yaml-unclosed-quote", 2),  # where the quote opens
        (b"", "yaml-empty", 1),
        (b"# only a comment\n", "yaml-empty", 1),
    ],
)
def test_unreadable_files_are_fatal_with_a_place(data, code, line):
    finding = fatal(data)
    assert finding.code == code
    assert finding.loc.line == line


def test_text_is_normalised_to_nfc_and_nfd_is_reported():
    nfd = unicodedata.normalize("NFD", "Hòa Bình")
    value, found = load_bytes(f"t: {nfd}\n".encode(), "x.yaml")
    assert value["t"] == unicodedata.normalize("NFC", "Hòa Bình")
    assert codes(found) == ["text-not-nfc"]


def test_tabs_inside_text_are_fine():
    value, found = load_bytes(b'a: "x\ty"\n', "x.yaml")
    assert value["a"] == "x\ty" and found == []


# --- why a file cannot be read, in citycat's words ---------------------------------------

BASE = (CASES / "good" / "datasets.yaml").read_text("utf-8").split("\n")
PYYAML = ("while ", "expected", "found", "mapping values", "could not find", "scanning", "parsing", "<block")
ENGLISH = re.compile(r"\b(key|line|indent\w*|value|quote|tab|space|list|item|file|text|the|is|of)\b", re.I)
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)


def with_lines(**changes: str) -> bytes:
    """The good case's datasets.yaml with lines replaced: ``l20="..."`` is line 20."""
    lines = list(BASE)
    for key, text in changes.items():
        lines[int(key[1:]) - 1] = text
    return "\n".join(lines).encode("utf-8")


@pytest.fixture(params=["C", "Python"])
def loader(request, monkeypatch):
    """Each mistake through both of PyYAML's readers: their English differs, our words must not."""
    if request.param == "Python":
        monkeypatch.setattr(yamlsafe, "_Loader", yaml.SafeLoader)
    elif not C_LOADER:
        pytest.skip("PyYAML without libyaml")
    return request.param


def assert_our_words(finding):
    for lang in ("vi", "en"):
        for text in (finding.message(lang), finding.fix(lang)):
            assert not any(p in text for p in PYYAML), text
            assert not re.search(r"\{\w+\}", text), text  # every parameter filled
    for text in (finding.message("vi"), finding.fix("vi")):
        outside_quotes = re.sub(r"'[^']*'|\"[^\"]*\"", "", text)
        assert not ENGLISH.search(outside_quotes), text
    for text in (finding.message("en"), finding.fix("en")):
        assert not VIETNAMESE.search(text), text


MISTAKES = [
    # (what, changed lines, code, line, column, parameters that must be there)
    (
        "no ':' after a key",
        {"l20": "    data_class other"},
        "yaml-missing-colon",
        20,
        5,
        {"key": "data_class"},
    ),
    ("no ':' in a list item", {"l42": "  - id nguoi-hanh-nghe"}, "yaml-missing-colon", 42, 5, {"key": "id"}),
    ("no ':' before a block", {"l5": "    title"}, "yaml-missing-colon", 5, 5, {"key": "title"}),
    (
        "unclosed quote, end of file",
        {"l6": '      vi: "Danh sách nhà thuốc'},
        "yaml-unclosed-quote",
        6,
        11,
        {"key": "vi", "quote": '"'},
    ),
    (
        "unclosed quote, closed by the next one",
        {"l6": '      vi: "Danh sách nhà thuốc', "l7": '      en: "Licensed pharmacies"'},
        "yaml-unclosed-quote",
        6,
        11,
        {"key": "vi"},
    ),
    ("unclosed single quote", {"l11": "    agency: 'so-y-te"}, "yaml-unclosed-quote", 11, 13, {"quote": "'"}),
    (
        "unclosed bracket",
        {"l15": "    themes: [y-te"},
        "yaml-unclosed-bracket",
        15,
        13,
        {"open": "[", "key": "themes"},
    ),
    (
        "': ' inside text",
        {"l7": "      en: Licensed pharmacies: drug counters"},
        "yaml-needs-quotes",
        7,
        7,
        {"key": "en", "value": "Licensed pharmacies: drug counters"},
    ),
    (
        "a key indented less",
        {"l20": "   data_class: other"},
        "yaml-indent",
        20,
        4,
        {"spaces": 4, "sibling": 19},
    ),
    (
        "a key indented more",
        {"l20": "      data_class: other"},
        "yaml-indent",
        20,
        7,
        {"spaces": 4, "sibling": 19},
    ),
    (
        "a nested key out of line",
        {"l7": "     en: Licensed"},
        "yaml-indent",
        7,
        6,
        {"key": "en", "spaces": 6},
    ),
    (
        "a list item indented more",
        {"l42": "   - id: x"},
        "yaml-list-indent",
        42,
        4,
        {"spaces": 2, "sibling": 3},
    ),
    (
        "a list item indented less",
        {"l42": " - id: x"},
        "yaml-list-indent",
        42,
        2,
        {"spaces": 2, "sibling": 3},
    ),
    ("a second document", {"l42": "---"}, "yaml-syntax", 42, 1, {}),
    (
        "a control character",
        {"l7": "      en: Licensed\x0bpharmacies"},
        "yaml-control-char",
        7,
        19,
        {"char": "U+000B"},
    ),
]


@pytest.mark.parametrize("what, changes, code, line, col, params", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_named_in_our_words_at_the_line_to_edit(
    loader, what, changes, code, line, col, params
):
    finding = fatal(with_lines(**changes))
    assert (finding.code, finding.loc.line, finding.loc.col) == (code, line, col), finding
    for key, value in params.items():
        assert finding.params[key] == value, (key, finding.params)
    assert_our_words(finding)


def test_a_missing_colon_is_reported_on_its_own_line_not_the_next():
    """PyYAML's problem mark is the next line (after blank lines and comments too)."""
    text = b"datasets:\n  - id: a\n    access: open\n    data_class other\n\n    # note\n\n    status: published\n"
    finding = fatal(text)
    assert finding.code == "yaml-missing-colon" and finding.loc.line == 4
    assert "'data_class: other'" in finding.fix("vi") and "'data_class: other'" in finding.fix("en")


def test_the_key_is_named_and_the_fix_quotes_the_text():
    finding = fatal(with_lines(l7='      en: Licensed "pharmacies": here'))
    assert finding.code == "yaml-needs-quotes"
    assert 'en: "Licensed \\"pharmacies\\": here"' in finding.fix("vi")


def test_a_line_offset_moves_every_place():
    with pytest.raises(FatalYAML) as exc:
        load_bytes(with_lines(l20="   data_class: other"), "x.yaml", line_offset=100)
    finding = exc.value.finding
    assert finding.loc.line == 120 and finding.params["sibling"] == 119


# --- tabs ----------------------------------------------------------------------------------


def advised(data: bytes, findings) -> bytes:
    """The file with each reported line's indentation replaced by the advised spaces."""
    lines = data.decode("utf-8").split("\n")
    for f in findings:
        i = f.loc.line - 1
        lines[i] = " " * f.params["spaces"] + lines[i].lstrip(" \t")
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize(
    "changes, advice",
    [
        ({"l13": "\tname: Phòng Nghiệp vụ Dược", "l20": "\tdata_class: other"}, [(13, 6, 14), (20, 4, 19)]),
        ({"l14": "\t\temail: a@hanoi.gov.vn", "l20": "\t\tdata_class: other"}, [(14, 6, 13), (20, 4, 19)]),
        ({"l6": "\tvi: Danh sách", "l36": "\t\t  vi: Tệp CSV"}, [(6, 6, 7), (36, 10, 37)]),
        ({"l42": "\t- id: nguoi-hanh-nghe", "l76": "\t- title:"}, [(42, 2, 3), (76, 6, 71)]),
        ({"l21": "  \t  personal_data: false"}, [(21, 4, 20)]),
    ],
)
def test_every_tab_line_is_reported_with_the_indentation_of_its_siblings(changes, advice):
    data = with_lines(**changes)
    with pytest.raises(FatalYAML) as exc:
        load_bytes(data, "datasets.yaml")
    found = exc.value.findings
    assert exc.value.finding is found[0]
    assert [(f.code, f.loc.line, f.params["spaces"], f.params["sibling"]) for f in found] == [
        ("yaml-tab", *a) for a in advice
    ]
    for f in found:
        assert_our_words(f)
    _, left = load_bytes(advised(data, found), "datasets.yaml")  # the advice, followed, reads
    assert left == []


def test_the_tab_advice_says_spaces_and_the_sibling_line():
    with pytest.raises(FatalYAML) as exc:
        load_bytes(with_lines(l20="\tdata_class: other"), "x.yaml")
    fix = exc.value.finding.fix("vi")
    assert "4 dấu cách" in fix and "dòng 19" in fix
    assert "4 spaces" in exc.value.finding.fix("en")


def test_the_tab_case_fixed_as_advised_validates(make_case):
    from citycat.pipeline.validate import validate
    from tests.conftest import TODAY

    root = make_case("yaml-tab")
    path = root / "datasets.yaml"
    result = validate(root, TODAY, use_cache=False)
    tabs = [f for f in result.findings if f.code == "yaml-tab"]
    assert [f.loc.line for f in tabs] == [13, 20]  # both, in one run
    path.write_bytes(advised(path.read_bytes(), tabs))
    again = validate(root, TODAY, use_cache=False)
    assert [f for f in again.findings if f.check.group == "load"] == [] and again.ok()


# --- byte-order mark -----------------------------------------------------------------------


def test_a_byte_order_mark_is_skipped_with_a_warning_and_places_stay_right():
    value, found = load_bytes(b"\xef\xbb\xbfa: 1\nb:\n  c: x\n", "x.yaml")
    assert value == {"a": 1, "b": {"c": "x"}}
    assert codes(found) == ["yaml-bom"] and found[0].level == WARNING and found[0].loc == Loc("x.yaml", 1, 1)
    assert value.keylocs["a"] == Loc("x.yaml", 1, 1) and value.locs["a"] == Loc("x.yaml", 1, 4)
    assert value["b"].locs["c"] == Loc("x.yaml", 3, 6)
    assert "citycat fmt" in found[0].fix("vi") and "citycat fmt" in found[0].fix("en")
    assert_our_words(found[0])


def test_a_byte_order_mark_does_not_hide_an_error_after_it():
    with pytest.raises(FatalYAML) as exc:
        load_bytes(b"\xef\xbb\xbfa: 1\nb 2\nc: 3\n", "x.yaml")
    assert [(f.code, f.loc.line, f.loc.col) for f in exc.value.findings] == [
        ("yaml-missing-colon", 2, 1),
        ("yaml-bom", 1, 1),
    ]


def test_the_bom_case_validates_with_a_warning(make_case):
    from citycat.pipeline.validate import validate
    from tests.conftest import TODAY

    result = validate(make_case("yaml-bom"), TODAY, use_cache=False)
    assert result.ok() and result.datasets > 0
    assert [f.code for f in result.findings if f.check.group == "load"] == ["yaml-bom"]


def test_the_happy_path_does_not_read_lines_one_by_one():
    """The explanations are only worked out once reading failed: yamlwhy is not even imported."""
    import subprocess
    import sys

    code = (
        "import sys; from citycat.source.yamlsafe import load_bytes; "
        "load_bytes(b'a: 1\\nb: [x, y]\\n', 'x.yaml'); print('citycat.source.yamlwhy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
