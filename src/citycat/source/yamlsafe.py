"""Safe, located YAML loading for files that arrive by pull request.

PyYAML's composer (the C one when it is available) builds a node tree; this module walks it
into plain Python values and keeps the line and column of every value. It refuses what an
untrusted file must not do: aliases (no "billion laughs"), tags beyond YAML's plain types,
duplicate keys (PyYAML silently keeps the last one), tabs in indentation (every such line is
reported, with the indentation to use), bytes that are not UTF-8. A byte-order mark is skipped
with a warning. Strings come back in Unicode NFC; text that was not NFC is reported.

When PyYAML cannot read the file, ``citycat.source.yamlwhy`` says why in citycat's own words (never
PyYAML's), at the line to edit; that runs only once reading has failed.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from citycat.model.findings import Finding, Loc

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
C_LOADER = _Loader is not yaml.SafeLoader

T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TS = (T + n for n in ("str", "int", "float", "bool", "null", "timestamp"))
_MAP, _SEQ, _MERGE = T + "map", T + "seq", T + "merge"
_constructor = yaml.constructor.SafeConstructor()
# An integer is written in decimal digits. YAML 1.1 also reads 0x1F, 0755, 0b101, 1_000 and
# 190:20:30 (base 60) as numbers, which nobody writing a catalogue means: such a plain value
# is read as the text it is (``citycat fmt`` quotes it), and so is a number of more than
# MAX_DIGITS digits (never converted: Python refuses int() of over 4,300 digits; the Table
# Schemas' maxima answer any number that long with a finding).
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
MAX_DIGITS = 1000
_new_tuple = tuple.__new__


class YMap(dict):
    """A mapping from YAML; ``loc`` is where it starts, ``locs[key]`` where each value starts
    and ``keylocs[key]`` where each key is written."""

    __slots__ = ("loc", "locs", "keylocs")

    def at(self, key: str) -> Loc:
        return self.locs.get(key) or self.loc


class YList(list):
    """A sequence from YAML; ``locs[i]`` is where item i starts."""

    __slots__ = ("loc", "locs")


class FatalYAML(Exception):
    """The file cannot be read at all; ``findings`` say where and why (several when the same
    mistake is on several lines, e.g. each line indented with a tab), ``finding`` is the first."""

    def __init__(self, finding: Finding, *more: Finding):
        super().__init__(finding.code)
        self.finding = finding
        self.findings: tuple[Finding, ...] = (finding, *more)


def load_file(path: Path, name: str, root: Path | None = None) -> tuple[Any, list[Finding]]:
    """Load one YAML file. ``name`` is how findings name it (a path relative to the root).

    With ``root`` (the repository), the file is read under its rule (``citycat.source.paths``):
    a symlink leading outside it is refused, and so is a file larger than its cap.
    Returns the value and the non-fatal findings; raises FatalYAML when nothing can be read.
    """
    from citycat.source import paths

    try:
        data = paths.read(root, path) if root is not None else path.read_bytes()
    except FileNotFoundError:
        raise FatalYAML(Finding("file-missing", Loc(name), params={"file": name})) from None
    except paths.Refused as exc:
        raise FatalYAML(refusal(exc, name)) from None
    except OSError as exc:
        raise FatalYAML(
            Finding("file-unreadable", Loc(name), params={"file": name, "error": exc.strerror})
        ) from None
    return load_bytes(data, name)


NOT_A_FILE = {"vi": "không phải một tệp thông thường", "en": "not a regular file"}


def refusal(exc: Exception, name: str) -> Finding:
    """The finding for a file of the repository ``citycat.source.paths`` refused to read."""
    from citycat.source import paths

    if isinstance(exc, paths.TooLarge):
        params = {"file": name, "size": paths.megabytes(exc.size), "cap": paths.megabytes(exc.cap)}
        return Finding("file-too-large", Loc(name), params=params)
    if isinstance(exc, paths.Outside):
        return Finding("file-outside", Loc(name), params={"file": name})
    return Finding("file-unreadable", Loc(name), params={"file": name, "error": NOT_A_FILE})


def load_bytes(data: bytes, name: str, line_offset: int = 0) -> tuple[Any, list[Finding]]:
    """Load YAML text; ``line_offset`` is added to every line (for a part cut from a larger file)."""
    if data.startswith(b"\xef\xbb\xbf"):  # YAML allows it and Windows tools write it: skip it, say so
        bom = Finding("yaml-bom", Loc(name, 1 + line_offset, 1))
        try:
            value, found = _load(data[3:], name, line_offset)
        except FatalYAML as fatal:
            raise FatalYAML(*fatal.findings, bom) from None
        return value, [bom, *found]
    return _load(data, name, line_offset)


def _load(data: bytes, name: str, line_offset: int) -> tuple[Any, list[Finding]]:
    bad = data.find(b"\x00")  # valid UTF-8, but a sign of UTF-16, and never text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start if bad < 0 else min(bad, exc.start)
    if bad >= 0:
        line = data.count(b"\n", 0, bad) + 1
        col = bad - (data.rfind(b"\n", 0, bad) + 1) + 1
        raise FatalYAML(
            Finding(
                "yaml-encoding", Loc(name, line + line_offset, col), params={"byte": f"0x{data[bad]:02x}"}
            )
        )
    if "\t" in text:
        from citycat.source.yamlwhy import tab_findings

        tabs = tab_findings(text, name, line_offset, _reads_cleanly)
        if tabs:
            raise FatalYAML(*tabs)
    try:  # (the composer makes many small objects: callers reading a long list pause the cycle
        # collector around it, see citycat.pipeline.gcpause)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        from citycat.source.yamlwhy import explain

        raise FatalYAML(explain(exc, text, name, line_offset)) from None
    except yaml.reader.ReaderError as exc:
        from citycat.source.yamlwhy import reader_error

        raise FatalYAML(reader_error(exc, text, name, line_offset)) from None
    except yaml.YAMLError:
        raise FatalYAML(Finding("yaml-syntax", Loc(name), params={"start": 1 + line_offset})) from None
    if node is None:
        raise FatalYAML(Finding("yaml-empty", Loc(name, 1 + line_offset, 1)))
    walker = _Walker(name, line_offset)
    walker.track = "&" in text  # no "&", no anchor, so no alias can refer to one
    value = walker.value(node)
    if walker.aliased:
        aliases = _aliases(text, name, line_offset)
        walker.findings = [f for f in walker.findings if f.code != "yaml-alias"] + aliases
    return value, walker.findings


def _reads_cleanly(text: str) -> bool:
    """Whether the text reads without an error and without a duplicate key (tried with the
    indentation advised for the lines indented with tabs)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return False
    if node is None:
        return False
    walker = _Walker("", 0)
    walker.track = "&" in text
    walker.value(node)
    return not any(f.code == "yaml-duplicate-key" for f in walker.findings)


def _aliases(text: str, name: str, line_offset: int = 0, most: int = 20) -> list[Finding]:
    """Where each ``*alias`` is written (the composer only remembers its anchor)."""
    out = []
    for token in yaml.scan(text, Loader=_Loader):
        if isinstance(token, yaml.AliasToken):
            out.append(
                Finding(
                    "yaml-alias",
                    Loc(name, token.start_mark.line + 1 + line_offset, token.start_mark.column + 1),
                )
            )
            if len(out) >= most:
                break
    return out


def _tag(tag: str) -> str:
    return tag.replace(T, "!!", 1) if tag.startswith(T) else tag


class _Walker:
    def __init__(self, name: str, line_offset: int = 0):
        self.name = name
        self.offset = line_offset + 1  # marks count lines from 0
        self.findings: list[Finding] = []
        self.seen: set[int] = set()
        self.aliased = False
        self.track = True  # follow node identity to find aliases; off when the text has no anchor

    def loc(self, node) -> Loc:
        mark = node.start_mark
        return _new_tuple(Loc, (self.name, mark.line + self.offset, mark.column + 1))

    def value(self, node) -> Any:
        if self.track:
            if id(node) in self.seen:  # the composer hands back the same node for every alias
                self.aliased = True
                self.findings.append(Finding("yaml-alias", self.loc(node)))
                return None
            self.seen.add(id(node))
        cls = node.__class__
        if cls is ScalarNode:
            return self.scalar(node)
        if cls is MappingNode:
            return self.mapping(node)
        if node.tag != _SEQ:
            self.findings.append(Finding("yaml-tag", self.loc(node), params={"tag": _tag(node.tag)}))
            return None
        out = YList()
        out.loc = self.loc(node)
        out.locs = locs = []
        name, offset, value = self.name, self.offset, self.value
        for item in node.value:
            mark = item.start_mark
            locs.append(_new_tuple(Loc, (name, mark.line + offset, mark.column + 1)))
            out.append(value(item))
        return out

    def mapping(self, node) -> YMap | None:
        if node.tag != _MAP:
            self.findings.append(Finding("yaml-tag", self.loc(node), params={"tag": _tag(node.tag)}))
            return None
        out = YMap()
        out.loc = self.loc(node)
        out.locs = locs = {}
        out.keylocs = keylocs = {}
        name, offset, track = self.name, self.offset, self.track
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode or key_node.tag == _MERGE:
                code = "yaml-alias" if key_node.tag == _MERGE else "yaml-key"
                self.findings.append(Finding(code, self.loc(key_node)))
                continue
            key = key_node.value
            if not key.isascii():
                key = unicodedata.normalize("NFC", key)
            mark = key_node.start_mark
            keyloc = _new_tuple(Loc, (name, mark.line + offset, mark.column + 1))
            if key in keylocs:
                params = {"key": key, "first": keylocs[key].line}
                self.findings.append(Finding("yaml-duplicate-key", keyloc, params=params))
                continue
            keylocs[key] = keyloc
            mark = value_node.start_mark
            locs[key] = _new_tuple(Loc, (name, mark.line + offset, mark.column + 1))
            if not track and value_node.__class__ is ScalarNode and value_node.tag == _STR:
                text = value_node.value  # the common case, inline: plain text
                if text.isascii() or unicodedata.is_normalized("NFC", text):
                    out[key] = text
                    continue
            out[key] = self.value(value_node)
        return out

    def scalar(self, node) -> Any:
        tag, text = node.tag, node.value
        if tag == _STR:
            if not text.isascii() and not unicodedata.is_normalized("NFC", text):
                self.findings.append(Finding("text-not-nfc", self.loc(node), params={"text": text[:40]}))
                return unicodedata.normalize("NFC", text)
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text.lower() in ("yes", "true", "on", "y")
        if tag == _INT:
            return int(text) if _DECIMAL.match(text) and len(text) <= MAX_DIGITS else text
        if tag == _FLOAT and ":" in text:
            return text  # YAML 1.1's base 60 (190:20:30.5): text, as for integers
        if tag in (_FLOAT, _TS):
            try:
                return _constructor.construct_object(node)
            except (ValueError, yaml.YAMLError):
                return text
        self.findings.append(Finding("yaml-tag", self.loc(node), params={"tag": _tag(tag)}))
        return None


def number_as_text(text: str) -> bool:
    """Whether a plain scalar that YAML 1.1 reads as a number is read as text by citycat (0x1F,
    0755, 190:20:30, a number of over MAX_DIGITS digits): ``citycat fmt`` quotes such a value."""
    tag = _Loader.resolve(_Loader, ScalarNode, text, (True, False))
    if tag == _INT:
        return not (_DECIMAL.match(text) and len(text) <= MAX_DIGITS)
    return tag == _FLOAT and ":" in text
