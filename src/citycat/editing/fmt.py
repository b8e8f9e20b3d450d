"""``citycat fmt``: one canonical layout for datasets.yaml, with its comments kept.

The layout is the one the repository's own datasets.yaml is written in:

- text in Unicode NFC (keys too);
- the keys of an entry in the order of ``DATASET_KEYS`` (that of the Table Schemas, with the
  lists where the file has always had them), nested keys in ``NESTED`` order, the keys of a
  distribution in the order of ``schemas/catalogue/distributions.json``; a key citycat does not
  know stays after the key it followed;
- two spaces per level, list items two spaces in under their key (``  - id: …``);
- quotes: double quotes where a value needs them (``"01"``), and double instead of single
  quotes; plain or double-quoted text stays as it is written;
- dates as ``YYYY-MM-DD`` without quotes;
- double quotes around a value YAML 1.1 would read as a number that citycat reads as text
  (``0x1F``, ``0755``, ``190:20:30``).

Round-trip YAML (ruamel.yaml) keeps every comment and blank line. Formatting never changes what
the file means: the result is loaded with citycat's own safe loader and compared with the input.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString, SingleQuotedScalarString

from citycat.model.findings import Finding, Loc
from citycat.source.inputs import DATASETS
from citycat.source.yamlsafe import FatalYAML, load_bytes, number_as_text

DATASET_KEYS = (
    "id",
    "ref",
    "title",
    "description",
    "agency",
    "contact",
    "themes",
    "keywords",
    "access",
    "data_class",
    "personal_data",
    "legal_basis",
    "licence",
    "frequency",
    "status",
    "due",
    "issued",
    "modified",
    "spatial",
    "temporal",
    "schema",
    "landing_page",
    "sharing",
    "distributions",
    "internal",
)
LANGUAGES = ("vi", "en")
NESTED = {
    "title": LANGUAGES,
    "description": LANGUAGES,
    "keywords": LANGUAGES,
    "contact": ("name", "email"),
    "temporal": ("start", "end"),
    "sharing": ("methods", "consumers"),
}
DISTRIBUTION_KEYS = (
    "title",
    "description",
    "format",
    "media_type",
    "download_url",
    "access_url",
    "byte_size",
    "sample",
    "internal",
)
DATE_FIELDS = ("due", "issued", "modified", "temporal.start", "temporal.end")
REFUSED = ("yaml-alias", "yaml-tag", "yaml-duplicate-key", "yaml-key")  # the file must be fixed by hand
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_RESOLVER = yaml.resolver.Resolver()
_EMITTER = yaml.emitter.Emitter(io.StringIO(), allow_unicode=True)


class FormatError(Exception):
    """The file cannot be formatted; ``findings`` say where and why, in citycat's words
    (``finding``: the first)."""

    def __init__(self, finding: Finding, *more: Finding):
        super().__init__(finding.code)
        self.finding = finding
        self.findings: tuple[Finding, ...] = (finding, *more)


@dataclass(frozen=True)
class Formatted:
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def round_trip_yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never wrap a long description
    y.indent(mapping=2, sequence=4, offset=2)
    return y


# --- the rules -----------------------------------------------------------------------------


def needs_quotes(text: str, flow: bool = False) -> bool:
    """Would citycat (PyYAML, YAML 1.1) read this text as something else when written plain, or
    could it not be written plain at all (as a block value, or in a flow list ``[a, b]``)?"""
    if text == "" or text != text.strip() or "\n" in text:
        return True
    if _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str":
        return True
    analysis = _EMITTER.analyze_scalar(text)
    return not (analysis.allow_flow_plain if flow else analysis.allow_block_plain)


def _text(value: str) -> Any:
    """One string, NFC, double quotes instead of single ones; plain text stays plain (the
    writer quotes it if NFC made that necessary)."""
    nfc = unicodedata.normalize("NFC", value)
    if isinstance(value, SingleQuotedScalarString):
        return DoubleQuotedScalarString(nfc)
    if nfc == value:
        return value
    return type(value)(nfc) if isinstance(value, ScalarString) else nfc


def _as_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)  # drops ruamel's remembered spelling
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return dt.date(*(int(p) for p in value.strip().split("-")))
        except ValueError:
            return value
    return value


def _order(m: CommentedMap, known: tuple[str, ...]) -> None:
    """Put the known keys in order; an unknown key stays after the key it followed."""
    rank: dict[Any, tuple[int, int]] = {}
    last = -1
    for i, key in enumerate(m):
        if key in known:
            last = known.index(key)
            rank[key] = (last, 0)
        else:
            rank[key] = (last, 1 + i)
    wanted = sorted(m, key=lambda k: rank[k])
    if wanted != list(m):
        for key in wanted:
            m.move_to_end(key)


def _walk(value: Any) -> Any:
    """NFC and quotes everywhere; keys NFC."""
    if isinstance(value, CommentedMap):
        for key in list(value):
            if isinstance(key, str) and not key.isascii() and not unicodedata.is_normalized("NFC", key):
                _rename(value, key, unicodedata.normalize("NFC", key))
        for key in list(value):
            value[key] = _walk(value[key])
        return value
    if isinstance(value, CommentedSeq):
        for i, item in enumerate(value):
            value[i] = _walk(item)
        return value
    if isinstance(value, str):
        return _text(value)
    return value


_PLAIN_NUMBER = re.compile(r"[-+]?[0-9A-Za-z_:.]+")


def _quote_numbers(value: Any, lines: list[str]) -> None:
    """Double-quote each plain value that YAML 1.1 reads as a number and citycat as text
    (0x1F, 0755, 0b101, 1_000, 190:20:30: ``yamlsafe.number_as_text``), so that the file shows
    what it means. ``lines``: the file's text, where the written form of each value is read."""
    if isinstance(value, CommentedMap):
        places = {key: pos[2:4] for key, pos in (value.lc.data or {}).items() if len(pos) >= 4}
        keys: Any = list(value)
    elif isinstance(value, CommentedSeq):
        places, keys = dict(value.lc.data or {}), range(len(value))
    else:
        return
    for key in keys:
        item = value[key]
        if isinstance(item, (CommentedMap, CommentedSeq)):
            _quote_numbers(item, lines)
            continue
        if (
            isinstance(item, bool)
            or not isinstance(item, (str, int, float))
            or isinstance(item, ScalarString)
        ):
            continue  # quoted already, or not a scalar
        written = None
        if type(item) is str:
            written = item
        elif key in places and places[key][0] < len(lines):
            line, col = places[key]
            m = _PLAIN_NUMBER.match(lines[line], col)
            written = m.group() if m else None
        if written and number_as_text(written):
            value[key] = DoubleQuotedScalarString(written)


def _rename(m: CommentedMap, old: str, new: str) -> None:
    keys = list(m)
    value = m.pop(old)
    m[new] = value
    for key in keys[keys.index(old) + 1 :]:
        m.move_to_end(key)


def order_entry(entry: CommentedMap) -> None:
    _order(entry, DATASET_KEYS)
    for key, order in NESTED.items():
        if isinstance(entry.get(key), CommentedMap):
            _order(entry[key], order)
    for name in DATE_FIELDS:
        head, _, tail = name.partition(".")
        holder = entry.get(head) if tail else entry
        key = tail or head
        if isinstance(holder, CommentedMap) and key in holder:
            holder[key] = _as_date(holder[key])
    for dist in entry.get("distributions") or ():
        if isinstance(dist, CommentedMap):
            _order(dist, DISTRIBUTION_KEYS)
            for key in ("title", "description"):
                if isinstance(dist.get(key), CommentedMap):
                    _order(dist[key], LANGUAGES)


# --- the whole file ----------------------------------------------------------------------


def _meaning(data: bytes, name: str) -> Any:
    """What citycat reads from the file; refuses a file citycat would refuse."""
    value, found = load_bytes(data, name)
    for f in found:
        if f.code in REFUSED:
            raise FormatError(f)
    return value


def _expected(value: Any, path: str = "") -> Any:
    """What the input must still mean after formatting: dates in date fields become dates."""
    if isinstance(value, Mapping):
        return {k: _expected(v, f"{path}{k}.") for k, v in value.items()}
    if isinstance(value, list):
        inner = "" if path == "datasets." else path
        return [_expected(v, inner) for v in value]
    if path[:-1] in DATE_FIELDS:
        return _as_date(value)
    return value


def format_text(text: str, name: str = DATASETS) -> Formatted:
    """Format one YAML file's text. Raises FormatError when it cannot be read safely.

    A byte-order mark is dropped and Windows line ends (CRLF) become LF; neither moves a line."""
    source = text
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    data = text.encode("utf-8")
    try:
        meaning = _meaning(data, name)
    except FatalYAML as fatal:
        raise FormatError(*fatal.findings) from None
    y = round_trip_yaml()
    try:
        doc = y.load(text)
    except RuamelError as exc:  # read above by citycat's loader, so hardly ever: say where, in our words
        mark = getattr(exc, "problem_mark", None)
        loc = Loc(name, mark.line + 1, mark.column + 1) if mark else Loc(name)
        raise FormatError(Finding("yaml-syntax", loc, params={"start": loc.line or 1})) from None
    doc = _walk(doc)
    _quote_numbers(doc, text.split("\n"))
    if isinstance(doc, CommentedMap) and isinstance(doc.get("datasets"), CommentedSeq):
        for entry in doc["datasets"]:
            if isinstance(entry, CommentedMap):
                order_entry(entry)
    out = io.StringIO()
    y.dump(doc, out)
    after = out.getvalue()
    if text.startswith("---") is False and after.startswith("---"):
        after = after.split("\n", 1)[1]
    if _meaning(after.encode("utf-8"), name) != _expected(meaning):
        raise AssertionError(f"formatting {name} would change what it means")  # a bug, never a user's
    return Formatted(source, after)
