"""The official editions, as ``citycat release`` froze them in ``editions/<YYYY-MM-DD>/``: read
here, read-only, for the site (the page of editions, the files it publishes).

A pull request can bring anything into that folder, so nothing read here is trusted: each
``edition.json`` and ``changes.json`` is read whole (at most ``MAX_JSON`` bytes, UTF-8 JSON of
the expected shape), every file must be a regular file inside the repository (a symlink that
leads outside is refused) and every name a plain file name (``NAME``); no path from the JSON is
ever used as one. What is wrong is a ``Problem`` (a warning finding for ``source.load``), never
fatal: an edition with a bad edition.json or changes.json is left out, a bad file is left out of
its edition.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from citycat.model.catalogue import Edition, EditionChange, EditionFile, FieldChange
from citycat.model.findings import Loc
from citycat.source.inputs import EDITIONS

EDITION = "edition.json"
CHANGES = "changes.json"
SUMS = "SHA256SUMS"
VERSION = 1
MAX_JSON = 5 * 1024 * 1024  # bytes: edition.json and changes.json are small
MAX_FILE = 200 * 1024 * 1024  # bytes: a file the site copies (an annex with its PDF)
NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")  # a file name the site may publish (and nothing else)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SHA256 = re.compile(r"[0-9a-f]{64}")
KINDS = ("added", "removed", "renamed", "changed")


@dataclass(frozen=True)
class Problem:
    loc: Loc
    text: str


class _Bad(Exception):
    """The edition (or one of its files) cannot be used: why."""


def read_editions(root: Path) -> tuple[tuple[Edition, ...], list[Problem]]:
    """Every edition under ``root/editions/`` that reads cleanly, oldest first, and the problems."""
    root = Path(root)
    folder = root / EDITIONS
    problems: list[Problem] = []
    if not folder.is_dir():
        return (), problems
    try:
        top = root.resolve()
        names = sorted(p.name for p in folder.iterdir())
    except OSError as exc:
        return (), [Problem(Loc(EDITIONS), exc.strerror or type(exc).__name__)]
    found: list[Edition] = []
    for name in names:
        rel = f"{EDITIONS}/{name}"
        path = folder / name
        if not DATE.fullmatch(name) or _date(name) is None:
            if path.is_dir() or path.is_symlink():
                problems.append(Problem(Loc(rel), f"the folder name {name!r} is not a date (YYYY-MM-DD)"))
            continue
        if not path.is_dir():
            problems.append(Problem(Loc(rel), "not a folder"))
            continue
        try:
            edition = _edition(top, path, rel, name, problems)
        except _Bad as why:
            problems.append(Problem(why.args[0], why.args[1]))
            continue
        found.append(edition)
    found.sort(key=lambda e: e.date)
    seen: dict[int, str] = {}
    for e in found:
        if e.number in seen:
            problems.append(
                Problem(Loc(f"{e.folder}/{EDITION}"), f"number {e.number} is also that of {seen[e.number]}")
            )
        seen.setdefault(e.number, e.key)
    return tuple(found), problems


def published_files(root: Path, edition: Edition) -> Iterator[tuple[str, bytes]]:
    """The files of ``edition`` the site publishes, as (path below the site, bytes): checked
    again as they are read (regular, inside the repository, the size edition.json gives)."""
    top = Path(root).resolve()
    folder = Path(root) / edition.folder
    sizes = {f.name: f.bytes for f in edition.files}
    for name in edition.published:
        if not (NAME.fullmatch(name) or name == SUMS):
            continue
        path = _contained(top, folder / name)
        if path is None:
            continue
        data = path.read_bytes()
        if name in sizes and len(data) != sizes[name]:
            continue
        yield f"{EDITIONS}/{edition.key}/{name}", data


# ---------------------------------------------------------------------------------------------


def _edition(top: Path, path: Path, rel: str, name: str, problems: list[Problem]) -> Edition:
    where = Loc(f"{rel}/{EDITION}")
    doc = _json(top, path / EDITION, where)
    if not isinstance(doc, dict):
        raise _Bad(where, "expected a JSON object")
    if doc.get("version") != VERSION:
        raise _Bad(where, f"unknown version {doc.get('version')!r}, expected {VERSION}")
    number = doc.get("number")
    if not _int(number) or number < 1:
        raise _Bad(where, "'number' must be a whole number from 1")
    if doc.get("date") != name:
        raise _Bad(where, f"'date' is {doc.get('date')!r}, not the folder's {name!r}")
    decision = doc.get("decision")
    if not isinstance(decision, str) or not decision.strip():
        raise _Bad(where, "'decision' must be the decision's number (text)")
    signed = _optional_date(doc, "signed", where)
    previous = _optional_date(doc, "previous", where)
    if not isinstance(doc.get("draft", False), bool):
        raise _Bad(where, "'draft' must be true or false")
    commit = doc.get("commit")
    if commit is not None and not (isinstance(commit, str) and re.fullmatch(r"[0-9a-f]{40}", commit)):
        raise _Bad(where, "'commit' must be 40 hexadecimal digits or null")
    datasets = doc.get("datasets")
    if not isinstance(datasets, list) or not all(isinstance(x, str) for x in datasets):
        raise _Bad(where, "'datasets' must be a list of dataset ids")
    summary = doc.get("changes")
    if not isinstance(summary, dict) or not all(_int(summary.get(k)) and summary[k] >= 0 for k in KINDS):
        raise _Bad(where, "'changes' must give a count for each of " + ", ".join(KINDS))
    counts = _counts(doc.get("counts"), where)
    raw_files = doc.get("files")
    if not isinstance(raw_files, dict):
        raise _Bad(where, "'files' must be an object of file names")
    changes = _changes(top, path, rel)

    files: list[EditionFile] = []
    for file_name, spec in raw_files.items():
        at = Loc(f"{rel}/{file_name}") if NAME.fullmatch(str(file_name)) else where
        why = _file_problem(top, path, str(file_name), spec)
        if why:
            problems.append(Problem(at, why))
            continue
        files.append(EditionFile(file_name, spec["sha256"], spec["bytes"]))
    published = [f.name for f in files if f.name not in (EDITION, SUMS)] + [EDITION]
    sums = path / SUMS
    if _contained(top, sums) is not None:
        published.append(SUMS)
    elif sums.exists() or sums.is_symlink():
        problems.append(Problem(Loc(f"{rel}/{SUMS}"), "not a regular file inside the repository"))
    else:
        problems.append(Problem(Loc(f"{rel}/{SUMS}"), "missing"))
    return Edition(
        number=number,
        date=_date(name),  # type: ignore[arg-type] - checked by the caller
        decision=_nfc(decision.strip()),
        signed=signed,
        draft=doc.get("draft", False),
        previous=previous,
        counts=counts,
        datasets=tuple(_nfc(x) for x in datasets),
        summary=MappingProxyType({k: summary[k] for k in KINDS}),
        files=tuple(files),
        changes=changes,
        folder=rel,
        published=tuple(published),
        commit=commit,
    )


def _changes(top: Path, path: Path, rel: str) -> tuple[EditionChange, ...]:
    where = Loc(f"{rel}/{CHANGES}")
    doc = _json(top, path / CHANGES, where)
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise _Bad(where, f"expected a JSON object of version {VERSION}")
    items = doc.get("changes")
    if not isinstance(items, list):
        raise _Bad(where, "'changes' must be a list")
    out = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            raise _Bad(where, f"change {n + 1}: 'kind' must be one of " + ", ".join(KINDS))
        dataset_id, old_id = item.get("id"), item.get("old_id")
        if not isinstance(dataset_id, str) or not (old_id is None or isinstance(old_id, str)):
            raise _Bad(where, f"change {n + 1}: 'id' must be text, 'old_id' text or null")
        title = item.get("title") or {}
        if not isinstance(title, dict) or not all(isinstance(v, str) for v in title.values()):
            raise _Bad(where, f"change {n + 1}: 'title' must map languages to text")
        fields = item.get("fields") or []
        if not isinstance(fields, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str) for f in fields
        ):
            raise _Bad(where, f"change {n + 1}: 'fields' must be a list of {{path, old, new}}")
        out.append(
            EditionChange(
                kind=item["kind"],
                id=_nfc(dataset_id),
                old_id=_nfc(old_id) if old_id is not None else None,
                title=MappingProxyType({str(k): _nfc(v) for k, v in title.items()}),
                fields=tuple(
                    FieldChange(f["path"], _text(f.get("old")), _text(f.get("new"))) for f in fields
                ),
            )
        )
    return tuple(out)


def _json(top: Path, path: Path, where: Loc) -> Any:
    real = _contained(top, path)
    if real is None:
        if path.exists() or path.is_symlink():
            raise _Bad(where, "not a regular file inside the repository")
        raise _Bad(where, "missing")
    try:
        with real.open("rb") as fh:
            data = fh.read(MAX_JSON + 1)
    except OSError as exc:
        raise _Bad(where, exc.strerror or type(exc).__name__) from None
    if len(data) > MAX_JSON:
        raise _Bad(where, f"larger than {MAX_JSON // (1024 * 1024)} MB")
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _Bad(where, "not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise _Bad(Loc(where.file, exc.lineno, exc.colno), exc.msg) from None
    except RecursionError:
        raise _Bad(where, "nested too deeply") from None


def _file_problem(top: Path, folder: Path, name: str, spec: Any) -> str | None:
    if not NAME.fullmatch(name) or name == EDITION:
        return f"{name!r} is not a file name the site publishes (a-z, 0-9, '.', '_', '-')"
    if (
        not isinstance(spec, dict)
        or not isinstance(spec.get("sha256"), str)
        or not SHA256.fullmatch(spec["sha256"])
    ):
        return f"{name}: 'sha256' must be 64 lowercase hexadecimal digits"
    size = spec.get("bytes")
    if not _int(size) or size < 0:
        return f"{name}: 'bytes' must be a whole number"
    path = folder / name
    real = _contained(top, path)
    if real is None:
        if path.is_symlink():
            return f"{name}: a link that leads outside the repository (or to no regular file)"
        return f"{name}: {'not a regular file' if path.exists() else 'missing'}"
    actual = real.stat().st_size
    if actual != size:
        return f"{name}: {actual} bytes, edition.json says {size}"
    if actual > MAX_FILE:
        return f"{name}: larger than {MAX_FILE // (1024 * 1024)} MB"
    return None


def _contained(top: Path, path: Path) -> Path | None:
    """The regular file ``path`` leads to, when it is inside the repository ``top``; else None."""
    from citycat.source import paths

    try:
        real = paths.contained(top, path)
    except (OSError, RuntimeError):
        return None
    return real if real.is_file() else None


def _counts(value: Any, where: Loc) -> MappingProxyType:
    if not isinstance(value, dict) or not _int(value.get("datasets")):
        raise _Bad(where, "'counts' must give the number of 'datasets'")
    out: dict[str, Any] = {"datasets": value["datasets"]}
    for key in ("agencies", "access", "status"):
        part = value.get(key) or {}
        if not isinstance(part, dict) or not all(_int(n) for n in part.values()):
            raise _Bad(where, f"'counts.{key}' must map keys to numbers")
        out[key] = MappingProxyType({str(k): n for k, n in part.items()})
    return MappingProxyType(out)


def _optional_date(doc: dict, key: str, where: Loc) -> dt.date | None:
    value = doc.get(key)
    if value is None:
        return None
    day = _date(value) if isinstance(value, str) and DATE.fullmatch(value) else None
    if day is None:
        raise _Bad(where, f"'{key}' must be a date (YYYY-MM-DD) or null")
    return day


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _nfc(value)
    return _nfc(json.dumps(value, ensure_ascii=False, sort_keys=True))
