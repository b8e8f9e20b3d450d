"""Put what an importer mapped into the catalogue: datasets.yaml and the registers.

``plan`` works out every file's new text and checks the catalogue as it would be with citycat's
own validation, in a scratch copy; ``write`` then writes the files, each one whole or not at all.

- A new entry is appended in the canonical layout (``citycat.editing.new.entry_text``): the bytes of the
  file before it stay as they were, comments included.
- An entry whose id is already in datasets.yaml is left alone, unless ``update``: then the fields
  the source gives replace the entry's (the fields it does not give, its ``internal:`` block and
  its distributions' ``sample`` stay), the entry keeps its comments and is written in the
  canonical layout in its place.
- New agencies and themes are appended to ``catalogue/agencies.yaml`` and ``themes.yaml``
  (only those an entry that is written uses).
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from citycat.editing.fmt import needs_quotes, round_trip_yaml
from citycat.editing.fmt import order_entry as canonical_order
from citycat.editing.new import appended, build, entry_text, item_indent
from citycat.imports.common import ImportError_, Mapped, Note
from citycat.model.findings import ERROR, Finding
from citycat.source import paths
from citycat.source.inputs import DATASETS

REGISTERS = {"agencies": "catalogue/agencies.yaml", "themes": "catalogue/themes.yaml"}


@dataclass
class Change:
    id: str
    action: str  # added, updated, unchanged, kept (already there, no --update), skipped (invalid)
    fields: list[str] = field(default_factory=list)  # what an update changes
    findings: list[Finding] = field(default_factory=list)  # citycat's findings on the entry

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]


@dataclass
class Plan:
    root: Path
    files: dict[str, str]  # path (relative to root) → its new text; only files that change
    changes: list[Change]
    agencies: list[str]  # ids added to the registers
    themes: list[str]
    notes: list[Note]
    register_findings: list[Finding]  # errors the new register entries would bring

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def needs(self) -> list[Change]:
        """Entries written with errors: which fields they still need."""
        return [c for c in self.changes if c.errors and c.action in ("added", "updated")]


# --- text of YAML items ----------------------------------------------------------------------


def _item_text(item: Mapping[str, Any], indent: int, quoted: tuple[str, ...] = ()) -> str:
    """A register entry as a list item at ``indent`` spaces (names double-quoted, as the
    registers write them)."""

    def node(value: Any, path: str) -> Any:
        if isinstance(value, Mapping):
            m = CommentedMap()
            for k, v in value.items():
                m[k] = node(v, f"{path}{k}.")
            return m
        if isinstance(value, str) and (path[:-1] in quoted or needs_quotes(value)):
            return DoubleQuotedScalarString(value)
        return value

    out = io.StringIO()
    round_trip_yaml().dump({"x": [node(item, "")]}, out)
    lines = out.getvalue().split("\n")[1:]
    shift = " " * max(indent - 2, 0)
    return "\n".join(shift + line if line else line for line in lines).rstrip("\n") + "\n"


def _open_list(text: str, key: str) -> str:
    """``key: []`` (an empty list) opened so that items can follow it."""
    return re.sub(rf"^{key}:[ \t]*\[[ \t]*\][ \t]*(#.*)?$", f"{key}:", text, count=1, flags=re.M)


def _append(text: str, key: str, items: list[str]) -> str:
    text = _open_list(text, key)
    if not re.search(rf"^{key}:[ \t]*(#.*)?$", text, re.M):
        raise ImportError_(
            f"Không tìm thấy dòng '{key}:' để thêm mục vào.", f"No '{key}:' line to add entries under."
        )
    blank = not re.search(r"^ *- id:", text, re.M) or re.search(r"\n\n *- id:", text)
    for item in items:
        text = appended(text, item)
        if blank and not text.endswith("\n\n"):
            text += "\n"  # the next item after a blank line, as the repository's files are laid out
    return text.rstrip("\n") + "\n"


def _trim(lines: list[str], start: int, end: int) -> int:
    """The end of an entry's own lines: the comments and blank lines after it belong to what follows."""
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _merge(old: CommentedMap, new: CommentedMap) -> list[str]:
    """The imported values into the existing entry, in place; returns the fields that change."""
    changed = []
    for key, value in new.items():
        if key == "id":
            continue
        if key == "distributions":
            value = _keep_local(old.get("distributions"), value)
        if isinstance(value, CommentedMap) and isinstance(old.get(key), CommentedMap):
            for sub, v in value.items():
                if _plain(old[key].get(sub)) != _plain(v):
                    changed.append(f"{key}.{sub}")
                    old[key][sub] = v
            continue
        if _plain(old.get(key)) != _plain(value):
            changed.append(key)
            old[key] = value
    return changed


def _keep_local(old: Any, new: CommentedSeq) -> CommentedSeq:
    """Imported distributions keep what only the catalogue knows (``sample``, ``internal``),
    matched by URL; the catalogue's internal distributions stay (feeds leave them out)."""
    old_items = [d for d in old or () if isinstance(d, Mapping)]
    by_url = {}
    for d in old_items:
        for key in ("download_url", "access_url"):
            if d.get(key):
                by_url[str(d[key])] = d
    out = CommentedSeq()
    for d in new:
        match = by_url.get(str(d.get("download_url") or d.get("access_url") or ""))
        if match is not None:
            for key in ("sample", "internal"):
                if key in match and key not in d:
                    d[key] = match[key]
        out.append(d)
    urls = {str(d.get("download_url") or d.get("access_url")) for d in new}
    for d in old_items:
        if d.get("internal") is True and str(d.get("download_url") or d.get("access_url")) not in urls:
            out.append(d)
    return out


def _entry_lines(m: CommentedMap, indent: int) -> str:
    out = io.StringIO()
    round_trip_yaml().dump({"datasets": [m]}, out)
    lines = out.getvalue().split("\n")[1:]
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines.pop()
    shift = " " * max(indent - 2, 0)
    return "\n".join(shift + line if line else line for line in lines) + "\n"


# --- the plan --------------------------------------------------------------------------------


def _read(root: Path, name: str) -> str:
    """A file of the catalogue, read under the rule of every input (``citycat.source.paths``)."""
    try:
        return paths.read(root, root / name).decode("utf-8")
    except paths.Refused as exc:
        raise ImportError_(*paths.words(exc)) from None


def _datasets_text(root: Path, mapped: Mapped, update: bool, leave_out: set[str]) -> tuple[str, list[Change]]:
    text = _read(root, DATASETS)
    doc = round_trip_yaml().load(text)
    items = doc.get("datasets") if isinstance(doc, CommentedMap) else None
    if items is None:
        items = CommentedSeq()
    if not isinstance(items, CommentedSeq):
        raise ImportError_(
            "datasets.yaml: 'datasets' không phải danh sách.", "datasets.yaml: 'datasets' is not a list."
        )
    existing = {
        str(m.get("id")).casefold(): i
        for i, m in enumerate(items)
        if isinstance(m, CommentedMap) and m.get("id")
    }
    indent = item_indent(text)
    lines = text.splitlines(keepends=True)
    replaced: dict[int, str] = {}  # item index → its new text
    changes: list[Change] = []
    added: list[str] = []
    for values in mapped.entries:
        dataset_id = values["id"]
        if dataset_id in leave_out:
            changes.append(Change(dataset_id, "skipped"))
            continue
        at = existing.get(dataset_id.casefold())
        if at is None:
            added.append(entry_text(values, indent))
            changes.append(Change(dataset_id, "added"))
            continue
        if not update:
            changes.append(Change(dataset_id, "kept"))
            continue
        old = items[at]
        fields = _merge(old, build(values))
        if not fields:
            changes.append(Change(dataset_id, "unchanged"))
            continue
        canonical_order(old)
        replaced[at] = _entry_lines(old, indent)
        changes.append(Change(dataset_id, "updated", fields))
    if replaced:
        starts = [m.lc.line for m in items]
        for at in sorted(replaced, reverse=True):
            start = starts[at]
            end = starts[at + 1] if at + 1 < len(items) else len(lines)
            end = _trim(lines, start, end)
            lines[start:end] = [replaced[at]]
        text = "".join(lines)
    if added:
        text = _append(text, "datasets", added)
    return text, changes


def _stage(root: Path, files: Mapping[str, str], scratch: Path) -> Path:
    from citycat.source.inputs import CATALOGUE as INPUTS
    from citycat.source.inputs import EDITIONS

    target = scratch / "catalogue-root"
    target.mkdir()
    for name in INPUTS:
        if name == EDITIONS:  # what an import checks never reads them: no copy of the annexes
            continue
        src = root / name
        if src.is_dir():
            shutil.copytree(src, target / name, symlinks=False)
        elif src.is_file():
            shutil.copyfile(src, target / name)
    for name, text in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text, "utf-8")
    return target


def plan(root: Path, mapped: Mapped, today, *, update: bool = False, skip_invalid: bool = False) -> Plan:
    """What the import would change, checked by citycat in a scratch copy (nothing written)."""
    from citycat.pipeline.validate import validate

    leave_out: set[str] = set()
    why: dict[str, list[Finding]] = {}  # the findings that left an entry out
    for _ in range(2):  # a second round only to leave out the invalid entries
        text, changes = _datasets_text(root, mapped, update, leave_out)
        written = {c.id for c in changes if c.action in ("added", "updated")}
        used_agencies, used_themes = set(), set()
        for values in mapped.entries:
            if values["id"] in written:
                used_agencies.add(values.get("agency"))
                used_agencies.update(values.get("sharing.consumers") or ())
                used_themes.update(values.get("themes") or ())
        new_agencies = [a for a in mapped.agencies if a["id"] in used_agencies]
        new_themes = [t for t in mapped.themes if t["id"] in used_themes]
        files: dict[str, str] = {}
        original = _read(root, DATASETS)
        if text != original:
            files[DATASETS] = text
        for key, items in (("agencies", new_agencies), ("themes", new_themes)):
            if items:
                path = root / REGISTERS[key]
                current = _read(root, REGISTERS[key]) if path.is_file() or path.is_symlink() else f"{key}:\n"
                indent = item_indent(current)
                files[REGISTERS[key]] = _append(
                    current, key, [_item_text(i, indent, ("name.vi", "name.en")) for i in items]
                )
        with tempfile.TemporaryDirectory(prefix="citycat-import-") as scratch:
            staged = _stage(root, files, Path(scratch))
            result = validate(staged, today, use_cache=False, workers=1)
        by_id: dict[str, list[Finding]] = {}
        register_findings = []
        for f in result.findings:
            if f.dataset in written:
                by_id.setdefault(f.dataset, []).append(f)
            elif f.loc and f.loc.file in (REGISTERS["agencies"], REGISTERS["themes"]) and f.level == ERROR:
                register_findings.append(f)
        for c in changes:
            c.findings = by_id.get(c.id, []) if c.action != "skipped" else why.get(c.id, [])
        bad = {c.id for c in changes if c.errors and c.action in ("added", "updated")}
        if not skip_invalid or not bad:
            break
        why.update((c.id, c.findings) for c in changes if c.id in bad)
        leave_out |= bad
    return Plan(
        root,
        files,
        changes,
        [a["id"] for a in new_agencies],
        [t["id"] for t in new_themes],
        mapped.notes,
        register_findings,
    )


def write(p: Plan) -> None:
    """Every changed file whole or not at all: each is written beside itself first, then all are
    renamed into place (the registers first, datasets.yaml last), under a journal: an import
    killed between two renames is finished by the next one (``finish_interrupted``)."""
    from citycat.pipeline.output import JOURNAL, write_all_atomic

    names = sorted(p.files, key=lambda name: name == DATASETS)
    write_all_atomic(
        [(p.root / name, p.files[name].encode("utf-8")) for name in names], journal=p.root / JOURNAL
    )
