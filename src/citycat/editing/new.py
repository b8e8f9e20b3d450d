"""``citycat new``: a new entry at the end of datasets.yaml, the rest of the file untouched.

``entry_text(values)`` writes one entry in the canonical layout (that of ``citycat fmt``: the
repository's key order, double-quoted texts, flow lists for keywords and sharing). ``appended``
adds it after the last entry, byte for byte keeping what was there, and ``check`` loads the
result with citycat's own loader and checks it before anything is written.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from citycat.editing.fmt import DATASET_KEYS, needs_quotes, round_trip_yaml
from citycat.model.findings import Finding
from citycat.source import paths
from citycat.source.inputs import DATASETS

TEXTS = ("title.vi", "title.en", "description.vi", "description.en", "contact.name", "legal_basis")
FLOW_LISTS = ("keywords.vi", "keywords.en", "sharing.methods", "sharing.consumers", "spatial")
BLOCK_LISTS = ("themes",)
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")


class NewError(Exception):
    """The entry cannot be added as asked (the words are in ``words[lang]``)."""

    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.words = {"vi": vi, "en": en}


@dataclass(frozen=True)
class Added:
    text: str  # the whole new datasets.yaml
    entry: str  # the lines added
    line: int  # where the entry starts
    findings: tuple[Finding, ...]  # citycat's findings on the new entry


def _scalar(name: str, value: Any, flow: bool = False) -> Any:
    if isinstance(value, str):
        if name in TEXTS or needs_quotes(value, flow):
            return DoubleQuotedScalarString(value)
    return value


def _seq(name: str, values: Sequence[Any]) -> CommentedSeq:
    seq = CommentedSeq(_scalar(name, v, name in FLOW_LISTS) for v in values)
    if name in FLOW_LISTS:
        seq.fa.set_flow_style()
    else:
        seq.fa.set_block_style()
    return seq


def build(values: Mapping[str, Any]) -> CommentedMap:
    """The entry as round-trip YAML, from dotted field names (``title.vi``) and a list of
    distributions (each a mapping of dotted names)."""
    entry = CommentedMap()
    for key in DATASET_KEYS:
        names = [n for n in values if n == key or n.startswith(key + ".")]
        for name in names:
            value = values[name]
            if value in (None, "", [], ()):
                continue
            if name == "distributions":
                dists = CommentedSeq()
                for d in value:
                    item = CommentedMap()
                    for sub, v in d.items():
                        if v in (None, ""):
                            continue
                        _place(item, sub, _scalar(sub, v))
                    dists.append(item)
                entry["distributions"] = dists
            elif isinstance(value, (list, tuple)):
                _place(entry, name, _seq(name, value))
            else:
                _place(entry, name, _scalar(name, value))
    return entry


def _place(m: CommentedMap, dotted: str, value: Any) -> None:
    head, _, tail = dotted.partition(".")
    if not tail:
        m[head] = value
        return
    if head not in m:
        m[head] = CommentedMap()
    _place(m[head], tail, value)


def entry_text(values: Mapping[str, Any], indent: int = 2) -> str:
    """One entry as the lines of a list item at ``indent`` spaces."""
    out = io.StringIO()
    round_trip_yaml().dump({"datasets": [build(values)]}, out)
    lines = out.getvalue().split("\n")[1:]  # below "datasets:", the item at two spaces
    shift = " " * (indent - 2) if indent >= 2 else ""
    return "\n".join(shift + line if line else line for line in lines).rstrip("\n") + "\n"


def item_indent(text: str) -> int:
    """How far the entries of datasets.yaml are indented (2 in the usual layout)."""
    match = re.search(r"^( *)- id:", text, re.M)
    return len(match.group(1)) if match else 2


def appended(text: str, entry: str) -> str:
    """The file with the entry after its last line; the original bytes stay a prefix."""
    if not text.endswith("\n"):
        text += "\n"
    separated = "\n\n" + " " * item_indent(text) + "- id:" in text
    if separated and not text.endswith("\n\n"):
        text += "\n"
    return text + entry


def check(root, text: str, dataset_id: str, today: dt.date) -> tuple[int, tuple[Finding, ...]]:
    """Load the catalogue with ``text`` as its datasets.yaml and check it; returns the line where
    the entry starts and the findings about it. Raises NewError if it does not read back."""
    from citycat import checks
    from citycat.source.load import load
    from citycat.source.yamlsafe import FatalYAML

    try:
        loaded = load(root, part=(text, 0))
    except FatalYAML as fatal:
        raise NewError(fatal.finding.message("vi"), fatal.finding.message("en")) from None
    c = loaded.catalogue
    read = [f for f in loaded.findings if f.loc and f.loc.file == DATASETS and f.code.startswith("yaml-")]
    if read or not c.datasets or c.datasets[-1].id != dataset_id:
        raise NewError(
            "Không thêm được mục vào cuối datasets.yaml (tệp không theo bố cục thường: 'datasets:' rồi các mục '- id:').",
            "Cannot append to datasets.yaml (it does not have the usual layout: 'datasets:' then '- id:' items).",
        )
    found = [f for f in [*loaded.findings, *checks.run(c, today)] if f.dataset == dataset_id]
    return c.datasets[-1].loc.line, tuple(sorted(found, key=Finding.sort_key))


def add(root, values: Mapping[str, Any], today: dt.date) -> Added:
    """The new datasets.yaml with the entry added (nothing is written here)."""
    dataset_id = str(values.get("id") or "")
    if not ID.match(dataset_id):
        raise NewError(
            f"Mã '{dataset_id}' không hợp lệ: chữ thường không dấu, số, '-' hoặc '_', 2–100 ký tự.",
            f"The id '{dataset_id}' is not valid: lower-case ASCII letters, digits, '-' or '_', 2–100 characters.",
        )
    path = root / DATASETS
    try:
        text = paths.read(root, path).decode("utf-8")
    except paths.Refused as exc:
        raise NewError(*paths.words(exc)) from None
    if re.search(rf"^\s*-?\s*id:\s*[\"']?{re.escape(dataset_id)}[\"']?\s*$", text, re.M):
        raise NewError(
            f"Mã '{dataset_id}' đã có trong datasets.yaml; chọn mã khác.",
            f"The id '{dataset_id}' is already in datasets.yaml; choose another.",
        )
    entry = entry_text(values, item_indent(text))
    new = appended(text, entry)
    line, findings = check(root, new, dataset_id, today)
    return Added(new, entry, line, findings)
