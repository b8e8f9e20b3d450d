"""The safe YAML loader: locations, refusals, normalisation."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from citycat.model.findings import Loc
from citycat.source.yamlsafe import C_LOADER, FatalYAML, YList, YMap, load_bytes


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
        (b"\xef\xbb\xbfa: 1\n", "yaml-bom", 1),
        ("a: 1\nb: Hà Nội\n".encode("utf-16-le"), "yaml-encoding", 1),
        (b"a: 1\ntitle: H\xe0 N\xf4i\n", "yaml-encoding", 2),
        (b"a:\n\t- x\n", "yaml-tab", 2),
        (b"a: 1\n  b: 2\n", "yaml-syntax", 2),
        (b'a: 1\nb: "open\n', "yaml-syntax", 2),  # where the quote opens
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
