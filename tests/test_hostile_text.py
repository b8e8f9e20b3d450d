"""Hostile text and values in the catalogue (issue 18, defects 9, 10 and 12's big integers).

Each test is an attack that worked before: a ``base_url`` holding ``">`` and spaces broke
``catalog.ttl`` and ``catalog.rdf``; ``"\\0"``, ``"\\x01"`` and ``"\\uFFFE"`` in a title broke
``feed.atom`` and ``catalog.rdf``; U+202E and zero-width characters passed unseen; ``190:20:30``
and ``0x_1_F`` were read as 685230 and 31; a 5,000-digit ``byte_size`` stopped ``validate`` with
an internal error.
"""

from __future__ import annotations

import json
import xml.dom.minidom
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from citycat.editing.fmt import format_text
from citycat.feeds import dcat
from citycat.model import chars
from citycat.model.findings import ERROR
from citycat.pipeline.build import build
from citycat.pipeline.validate import validate
from citycat.site import render
from citycat.site.i18n import load_strings
from citycat.source.inputs import theme_for
from citycat.source.load import load
from citycat.source.yamlsafe import load_bytes, number_as_text
from tests.conftest import TODAY

TITLE = "vi: Bảng giá đất Thành phố Hà Nội"
BASE = "base_url: https://dulieu.hanoi.gov.vn/"


def _edit(root: Path, file: str, old: str, new: str) -> Path:
    path = root / file
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return root


def _codes(root: Path) -> list[tuple[str, str]]:
    return [(f.code, f.level) for f in validate(root, TODAY, use_cache=False).findings]


def _parse_all(out: Path) -> rdflib.Graph:
    """Every RDF and XML file of the build parsed (a parse error fails the test)."""
    ttl = rdflib.Graph().parse(out / "catalog.ttl", format="turtle")
    rdf = rdflib.Graph().parse(out / "catalog.rdf", format="xml")
    jsonld = rdflib.Graph().parse(out / "catalog.jsonld", format="json-ld")
    assert len(ttl) > 100 and isomorphic(ttl, rdf) and isomorphic(ttl, jsonld)
    for name in ("feed.atom", "en/feed.atom", "sitemap.xml"):
        xml.dom.minidom.parse(str(out / name))
    return ttl


# --- defect 9: base_url ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        '"https://x.vn/\\"> a b/"',
        "https://x.vn/a b/",
        "'https://x.vn/<x>/'",
        "https://u@x.vn/",
        "https://x.vn/?a/",
    ],
)
def test_a_base_url_that_would_break_an_iri_is_refused(good, value):
    root = _edit(good, "catalogue/settings.yaml", BASE, f"base_url: {value}")
    assert ("field-pattern", ERROR) in _codes(root)


def test_odd_but_valid_values_give_outputs_that_parse(good):
    """A base URL with a port and a Vietnamese path, titles with quotes, ampersands, markup,
    CDATA ends and backslashes, a description on several lines with a tab: every RDF syntax and
    every XML file still parses, and the three RDF syntaxes say the same."""
    _edit(good, "catalogue/settings.yaml", BASE, "base_url: https://dulieu.hanoi.gov.vn:8443/dữ-liệu/a%20b/")
    odd = '"Giá \\"đất\\" & <b>nhà</b> ]]> \\\\ C:\\\\x \'ô\' 😀"'
    _edit(good, "datasets.yaml", TITLE, f"vi: {odd}")
    _edit(good, "datasets.yaml", "en: Hanoi land-price table", 'en: "Land <prices> & \\"rates\\""')
    _edit(good, "datasets.yaml", "      vi: [giá đất]", '      vi: ["giá đất", "đất_ở. 2-3"]')
    _edit(
        good,
        "datasets.yaml",
        "theo từng đoạn đường.",
        'theo từng đoạn đường.\n\n        Dòng thứ hai,\tcó tab "và" <thẻ>.',
    )
    assert [c for c, level in _codes(good) if level == ERROR] == []
    build(good, good / "out", TODAY)
    graph = _parse_all(good / "out")
    titles = {str(o) for o in graph.objects(None, rdflib.DCTERMS.title)}
    assert "Giá \"đất\" & <b>nhà</b> ]]> \\ C:\\x 'ô' 😀" in titles
    base = "https://dulieu.hanoi.gov.vn:8443/dữ-liệu/a%20b/"
    assert rdflib.URIRef(base + "dataset/bang-gia-dat") in set(graph.subjects())


def test_the_writers_stay_well_formed_with_what_validation_refuses(good):
    """A second lock: the RDF and Atom writers, given a catalogue that validation refuses
    (loaded without it), still write files that parse."""
    _edit(good, "catalogue/settings.yaml", BASE, "base_url: 'https://x.vn/\"> a b\x7f/'")
    _edit(good, "datasets.yaml", TITLE, 'vi: "Bảng giá \\0 đất \\x01 Thành \\uFFFE phố \\x1b[2J Hà Nội"')
    c = load(good).catalogue
    files = dict(dcat.files(c, TODAY, "public"))
    graph = rdflib.Graph().parse(data=files["catalog.ttl"], format="turtle")
    rdf = rdflib.Graph().parse(data=files["catalog.rdf"], format="xml")
    assert len(rdf) == len(graph) > 100  # (the same triples, but U+FFFD where XML cannot carry text)
    assert all(" " not in s and '"' not in s for s in map(str, graph.subjects()))
    strings = load_strings(theme_for(good))
    for lang in ("vi", "en"):
        feed = render.atom(c, lang, strings[lang], TODAY)
        xml.dom.minidom.parseString(feed)
    assert "\ufffd" in render.atom(c, "vi", strings["vi"], TODAY).decode("utf-8")


# --- defect 10: control, non-character, bidi and zero-width characters ----------------------------


@pytest.mark.parametrize(
    "escape", ["\\0", "\\x01", "\\x1b", "\\x7f", "\\x85", "\\uFFFE", "\\uFFFF", "\\U0001FFFF"]
)
def test_a_control_character_or_noncharacter_in_a_title_is_an_error(good, escape):
    _edit(good, "datasets.yaml", TITLE, f'vi: "Bảng giá đất{escape} Thành phố Hà Nội"')
    result = validate(good, TODAY, use_cache=False)
    found = [f for f in result.findings if f.code == "text-control"]
    assert len(found) == 1 and found[0].level == ERROR and not result.ok()
    assert found[0].loc.line == 87 and found[0].params["field"] == "title.vi"
    message = found[0].message("en")
    assert "U+" in message and not chars.REFUSED.search(message)  # named, never printed raw


@pytest.mark.parametrize(
    "escape", ["\\u202E", "\\u202A", "\\u2066", "\\u2069", "\\u200B", "\\u200D", "\\u2060", "\\uFEFF"]
)
def test_a_bidi_or_zero_width_character_is_a_warning(good, escape):
    _edit(good, "datasets.yaml", TITLE, f'vi: "Bảng giá đất{escape} Thành phố Hà Nội"')
    result = validate(good, TODAY, use_cache=False)
    assert [(f.code, f.level) for f in result.findings if f.code.startswith("text-")] == [
        ("text-invisible", "warning")
    ]
    assert result.ok()


def test_every_text_value_is_checked_registers_lists_and_internal_notes(good):
    _edit(good, "catalogue/agencies.yaml", 'vi: "Sở Y tế"', 'vi: "Sở Y tế\\x02"')
    _edit(good, "datasets.yaml", "      vi: [giá đất]", '      vi: ["giá\\u200Bđất"]')
    _edit(good, "datasets.yaml", "note: Khóa API", 'note: "Khóa\\x03 API')
    _edit(good, "datasets.yaml", "(INTERNAL-NOTE-SYT-7F3A)", '(INTERNAL-NOTE-SYT-7F3A)"')
    found = {
        (f.code, f.params["field"], f.loc.file)
        for f in validate(good, TODAY, use_cache=False).findings
        if f.code.startswith("text-")
    }
    assert ("text-control", "name.vi", "catalogue/agencies.yaml") in found
    assert ("text-invisible", "keywords.vi.0", "datasets.yaml") in found
    assert ("text-control", "internal.note", "datasets.yaml") in found


def test_tabs_and_new_lines_in_a_description_are_text(good):
    _edit(good, "datasets.yaml", "theo từng đoạn đường.", 'theo từng đoạn đường.\\n\\tDòng hai.\\r\\n"')
    _edit(good, "datasets.yaml", "      vi: Bảng giá các loại đất", '      vi: "Bảng giá các loại đất')
    assert [c for c, _ in _codes(good) if c.startswith("text-")] == []


# --- YAML 1.1 numbers and big integers (defects 10 and 12) -------------------------------------


def test_yaml_11_numbers_are_read_as_text():
    value, findings = load_bytes(
        b"a: 190:20:30\nb: 0x_1_F\nc: 0755\nd: 0b101\ne: 1_000\nf: 190:20:30.5\ng: 12\nh: -3\ni: 1.5\n", "x"
    )
    assert value == {
        "a": "190:20:30",
        "b": "0x_1_F",
        "c": "0755",
        "d": "0b101",
        "e": "1_000",
        "f": "190:20:30.5",
        "g": 12,
        "h": -3,
        "i": 1.5,
    }
    assert findings == []
    assert number_as_text("190:20:30") and number_as_text("0x1F") and not number_as_text("12")
    assert not number_as_text("yes") and not number_as_text("text")


def test_a_5000_digit_number_is_a_finding_not_an_internal_error(good):
    _edit(good, "datasets.yaml", "byte_size: 482133", "byte_size: " + "9" * 5000)
    assert ("field-type", ERROR) in _codes(good)
    value, _ = load_bytes(b"n: " + b"9" * 100_000, "x")
    assert value == {"n": "9" * 100_000}  # never converted


def test_a_byte_size_beyond_2_53_is_out_of_range(good):
    _edit(good, "datasets.yaml", "byte_size: 482133", f"byte_size: {2**53}")
    assert ("field-range", ERROR) in _codes(good)
    _edit(good, "datasets.yaml", f"byte_size: {2**53}", f"byte_size: {2**53 - 1}")
    assert ("field-range", ERROR) not in _codes(good)


def test_base_60_byte_size_is_a_finding_not_685230(good):
    _edit(good, "datasets.yaml", "byte_size: 482133", "byte_size: 190:20:30")
    assert ("field-type", ERROR) in _codes(good)
    c = load(good).catalogue
    assert c.dataset("danh-sach-nha-thuoc").distributions[0].get("byte_size") == "190:20:30"


def test_fmt_quotes_what_citycat_reads_as_text():
    before = (
        "datasets:\n  - id: x\n    ref: 0x_1_F\n    byte_size: 190:20:30\n"
        "    spatial: [0755, 12, -0x1]\n    note: 190:20:30.5\n    ok: 12\n    flag: yes\n"
    )
    after = format_text(before).after
    assert 'ref: "0x_1_F"' in after and 'byte_size: "190:20:30"' in after
    assert 'spatial: ["0755", 12, "-0x1"]' in after and 'note: "190:20:30.5"' in after
    assert "ok: 12" in after and "flag: yes" in after
    assert load_bytes(after.encode(), "x")[0] == load_bytes(before.encode(), "x")[0]
    assert format_text(after).after == after  # and it stays so


def test_shown_values_name_hidden_characters():
    assert chars.shown("a\u202eb\x00c") == "a<U+202E>b<U+0000>c"
    assert chars.describe("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert chars.describe("\x00") == "U+0000 NULL" and chars.describe("\ufffe") == "U+FFFE NONCHARACTER"
    assert json.dumps(chars.xml_safe("a\x00\ufffeb\tc\n")) == json.dumps("a\ufffd\ufffdb\tc\n")
