"""What a change to datasets.yaml does, entry by entry, compared with a git ref.

``compare(root, ref)`` reads the old datasets.yaml with ``git show REF:./datasets.yaml`` and the
current one from disk, both through the safe loader, and pairs the entries by ``id``: added,
removed, changed (field by field) and renamed (an id that went away while a new one with the same
``ref`` code or Vietnamese title came in). ``breaking(...)`` turns what would break the people who
use the catalogue into findings: a published dataset removed or renamed, an id used again.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citycat.model.findings import WARNING, Finding, Loc
from citycat.source import paths
from citycat.source.inputs import DATASETS
from citycat.source.yamlsafe import FatalYAML, YList, YMap, load_bytes

ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class ChangesError(Exception):
    """git cannot answer (not a repository, unknown ref) or the old file cannot be read."""

    def __init__(self, en: str, vi: str | None = None):
        super().__init__(en)
        self.words = {"en": en, "vi": vi or en}

    def text(self, lang: str = "vi") -> str:
        return self.words.get(lang, self.words["en"])


class Unreadable(ChangesError):
    """The current datasets.yaml cannot be read at all (``citycat validate`` says why)."""


@dataclass(frozen=True)
class FieldChange:
    path: str  # dotted, list items by position: distributions.0.format
    old: Any
    new: Any


@dataclass(frozen=True)
class EntryChange:
    kind: str  # added | removed | changed | renamed
    id: str  # the id now (the old one for a removed entry)
    old_id: str | None = None  # for a renamed entry
    fields: tuple[FieldChange, ...] = ()
    old: Mapping[str, Any] | None = None
    new: Mapping[str, Any] | None = None
    loc: Loc | None = None  # where the entry is written now

    def title(self, lang: str = "vi") -> str:
        entry = self.new if self.new is not None else self.old
        title = (entry or {}).get("title")
        if isinstance(title, Mapping):
            return str(title.get(lang) or title.get("vi") or "")
        return ""

    def status(self) -> tuple[str | None, str | None]:
        return _get(self.old, "status"), _get(self.new, "status")


@dataclass(frozen=True)
class Comparison:
    ref: str
    changes: tuple[EntryChange, ...]
    files: tuple[str, ...] = ()  # files changed since ref (relative to the catalogue's root)
    datasets_loc: Loc = field(default_factory=lambda: Loc(DATASETS, 1, 1))  # where the list starts

    def of(self, kind: str) -> list[EntryChange]:
        return [c for c in self.changes if c.kind == kind]

    def touched_ids(self) -> set[str]:
        return {c.id for c in self.changes if c.kind != "removed"}


def _get(entry: Mapping[str, Any] | None, key: str) -> Any:
    return entry.get(key) if isinstance(entry, Mapping) else None


# --- git ---------------------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, encoding="utf-8", check=False
        )
    except FileNotFoundError:
        raise ChangesError("git is not installed", "chưa cài git") from None
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
        raise ChangesError(f"git: {said}", f"git báo lỗi: {said}")
    return done.stdout


def check_ref(root: Path, ref: str) -> None:
    wrong = ChangesError(
        f"'{ref}' is not a commit, branch or tag of the git repository at {root}",
        f"'{ref}' không phải một commit, nhánh hay thẻ của kho git tại {root}",
    )
    if ref.startswith("-"):
        raise wrong
    try:
        git(root, "rev-parse", "--is-inside-work-tree")
    except ChangesError:
        raise ChangesError(
            f"{root} is not in a git repository", f"{root} không nằm trong một kho git"
        ) from None
    try:
        git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except ChangesError:
        raise wrong from None


def old_file(root: Path, ref: str, name: str = DATASETS) -> bytes | None:
    """The file as it was at ``ref`` (None when it did not exist then)."""
    check_ref(root, ref)
    done = subprocess.run(
        ["git", "-C", str(root), "show", f"{ref}:./{name}"], capture_output=True, check=False
    )
    if done.returncode != 0:
        return None
    return done.stdout


def changed_files(root: Path, ref: str) -> tuple[str, ...]:
    """Files that differ from ``ref`` (committed or not) and files git does not know yet."""
    diff = git(root, "diff", "--name-only", "--relative", ref, "--", ".")
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "--", ".")
    return tuple(sorted({line for line in (diff + untracked).splitlines() if line}))


def used_before(root: Path, ref: str, ids: Iterable[str]) -> dict[str, str]:
    """For each id, the last commit (up to ``ref``) whose datasets.yaml changed a line ``id: <id>``."""
    out = {}
    for dataset_id in ids:
        if not ID.match(dataset_id):
            continue
        log = git(
            root, "log", "-1", "--format=%h %as", "-G", f"(^|[ -])id: *{dataset_id} *$", ref, "--", DATASETS
        )
        if log.strip():
            out[dataset_id] = log.strip()
    return out


# --- reading and pairing -----------------------------------------------------------------------


def entries(data: bytes | None, name: str = DATASETS, error=ChangesError) -> tuple[dict[str, YMap], Loc]:
    """The entries of a datasets.yaml by id (the first wins) and where its list starts."""
    if data is None:
        return {}, Loc(name, 1, 1)
    try:
        doc, _ = load_bytes(data, name)
    except FatalYAML as fatal:
        f = fatal.finding
        raise error(f"{name}: {f.loc}: {f.message('en')}", f"{name}: {f.loc}: {f.message('vi')}") from None
    if not isinstance(doc, YMap) or not isinstance(doc.get("datasets"), YList):
        return {}, getattr(doc, "loc", None) or Loc(name, 1, 1)
    out: dict[str, YMap] = {}
    for item in doc["datasets"]:
        if isinstance(item, YMap) and isinstance(item.get("id"), str):
            out.setdefault(item["id"], item)
    return out, doc.keylocs.get("datasets", doc.loc)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves by dotted path; lists of scalars stay whole, lists of mappings go item by item."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}{k}."))
        return out
    if isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}{i}."))
        return out
    return {prefix[:-1]: list(value) if isinstance(value, list) else value}


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    a, b = flatten(old), flatten(new)
    paths = list(a) + [p for p in b if p not in a]
    return tuple(FieldChange(p, a.get(p), b.get(p)) for p in paths if _norm(a.get(p)) != _norm(b.get(p)))


def _norm(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _same_dataset(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """A removed and an added entry that are one dataset under a new id."""
    if old.get("ref") and old.get("ref") == new.get("ref"):
        return True
    title_old, title_new = old.get("title"), new.get("title")
    if isinstance(title_old, Mapping) and isinstance(title_new, Mapping):
        vi = title_old.get("vi")
        return bool(vi) and vi == title_new.get("vi")
    return False


def pair(old: Mapping[str, YMap], new: Mapping[str, YMap]) -> list[EntryChange]:
    """Entry changes, in the order of the new file, then the removed ones in the old file's order."""
    removed = [i for i in old if i not in new]
    added = [i for i in new if i not in old]
    renamed: dict[str, str] = {}  # new id -> old id
    for new_id in added:
        for old_id in removed:
            if old_id not in renamed.values() and _same_dataset(old[old_id], new[new_id]):
                renamed[new_id] = old_id
                break
    out: list[EntryChange] = []
    for dataset_id, entry in new.items():
        # (a loaded entry knows where it is written; an edition's stored entry does not)
        loc = getattr(entry, "keylocs", {}).get("id", getattr(entry, "loc", None))
        if dataset_id in renamed:
            was = old[renamed[dataset_id]]
            changes = tuple(c for c in field_changes(was, entry) if c.path != "id")
            out.append(EntryChange("renamed", dataset_id, renamed[dataset_id], changes, was, entry, loc))
        elif dataset_id not in old:
            out.append(EntryChange("added", dataset_id, None, (), None, entry, loc))
        else:
            changes = field_changes(old[dataset_id], entry)
            if changes:
                out.append(EntryChange("changed", dataset_id, None, changes, old[dataset_id], entry, loc))
    for dataset_id in removed:
        if dataset_id not in renamed.values():
            out.append(EntryChange("removed", dataset_id, None, (), old[dataset_id], None, None))
    return out


def compare(root: Path | str, ref: str) -> Comparison:
    root = Path(root)
    old, _ = entries(old_file(root, ref), f"{ref}:{DATASETS}")
    try:
        data = paths.read(root, root / DATASETS)
    except paths.Refused as exc:
        vi, en = paths.words(exc)
        raise ChangesError(en, vi) from None
    except OSError as exc:
        raise ChangesError(
            f"cannot read {DATASETS}: {exc.strerror}", f"không đọc được {DATASETS}: {exc.strerror}"
        ) from None
    new, where = entries(data, error=Unreadable)
    return Comparison(ref, tuple(pair(old, new)), changed_files(root, ref), where)


# --- what breaks the catalogue's users ---------------------------------------------------------


def breaking(root: Path | str, comparison: Comparison) -> list[Finding]:
    """Findings for a published dataset removed or renamed, and for an id used again."""
    found: list[Finding] = []
    for c in comparison.changes:
        was = _get(c.old, "status")
        if c.kind == "removed" and was == "published":
            found.append(
                Finding(
                    "dataset-removed",
                    comparison.datasets_loc,
                    c.id,
                    {"id": c.id, "ref": comparison.ref},
                )
            )
        elif c.kind == "renamed":
            params = {"id": c.id, "old_id": c.old_id, "ref": comparison.ref}
            severity = None if was == "published" else WARNING
            found.append(Finding("dataset-renamed", c.loc, c.id, params, severity))
    added = [c for c in comparison.changes if c.kind == "added"]
    if added:
        before = used_before(Path(root), comparison.ref, [c.id for c in added])
        for c in added:
            if c.id in before:
                commit = before[c.id]
                found.append(Finding("id-reused", c.loc, c.id, {"id": c.id, "commit": commit}))
    return found


def keep(findings: Iterable[Finding], comparison: Comparison) -> list[Finding]:
    """The findings that concern what changed: the entries added, changed or renamed, and the
    other files changed since the ref (a register, a data dictionary, a sample)."""
    ids = comparison.touched_ids()
    files = set(comparison.files)
    out = []
    for f in findings:
        file = f.loc.file if f.loc else None
        if f.dataset in ids or (file in files and (f.dataset is None or file != DATASETS)):
            out.append(f)
    return out


def since(root: Path | str, findings: Iterable[Finding], ref: str) -> tuple[Finding, ...] | None:
    """``validate --changed-since REF``: the findings on what changed since REF plus what breaks
    users, sorted; None when datasets.yaml cannot be read at all (then every finding says why).
    ChangesError when REF cannot be compared."""
    try:
        comparison = compare(root, ref)
    except Unreadable:
        return None
    found = keep(findings, comparison) + breaking(root, comparison)
    return tuple(sorted(found, key=Finding.sort_key))
