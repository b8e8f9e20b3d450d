"""Load and check a catalogue, with a cache keyed by the content of every input.

``validate(root, today)`` is what ``citycat validate`` and ``citycat build`` call. A repeat run on
an unchanged catalogue (same files, same citycat, same day) reads the findings from
``.citycat-cache/`` instead of checking again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from citycat import __version__
from citycat.findings import ERROR, Finding, Loc
from citycat.model import Catalogue

INPUTS = ("datasets.yaml", "catalogue", "schemas", "samples")
CACHE_DIR = ".citycat-cache"


@dataclass(frozen=True)
class Result:
    findings: tuple[Finding, ...]
    catalogue: Catalogue | None  # None when the findings came from the cache
    datasets: int
    default_language: str
    cached: bool = False

    def errors(self, strict: bool = False) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR or strict]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors(strict)


def input_files(root: Path) -> list[Path]:
    files = []
    for name in INPUTS:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
    return files


def content_key(root: Path, today: dt.date) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{__version__}\0{today.isoformat()}\0".encode())
    h.update(resources.files("citycat").joinpath("checks.yaml").read_bytes())
    for path in input_files(root):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def validate(
    root: Path | str, today: dt.date, use_cache: bool = True, need_catalogue: bool = False
) -> Result:
    root = Path(root)
    key = content_key(root, today) if use_cache else ""
    if use_cache and not need_catalogue:
        cached = _read_cache(root, key)
        if cached is not None:
            return cached
    from citycat import checks
    from citycat.load import load
    from citycat.yamlsafe import FatalYAML

    try:
        loaded = load(root)
    except FatalYAML as fatal:  # the catalogue's own package descriptor is unreadable
        return Result((fatal.finding,), None, 0, "vi")
    found = list(loaded.findings) + checks.run(loaded.catalogue, today)
    unique = {(f.code, f.loc, f.dataset, json.dumps(f.params, sort_keys=True, default=str)): f for f in found}
    findings = tuple(sorted(unique.values(), key=Finding.sort_key))
    result = Result(
        findings, loaded.catalogue, len(loaded.catalogue.datasets), loaded.catalogue.default_language
    )
    if use_cache:
        _write_cache(root, key, result)
    return result


def _read_cache(root: Path, key: str) -> Result | None:
    path = root / CACHE_DIR / "validate.json"
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("key") != key:
            return None
        findings = tuple(
            Finding(
                f["code"],
                Loc(*f["loc"]) if f["loc"] else None,
                f["dataset"],
                f["params"],
                f["severity"],
            )
            for f in data["findings"]
        )
        return Result(findings, None, data["datasets"], data["default_language"], cached=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(root: Path, key: str, result: Result) -> None:
    data = {
        "key": key,
        "datasets": result.datasets,
        "default_language": result.default_language,
        "findings": [
            {
                "code": f.code,
                "loc": [f.loc.file, f.loc.line, f.loc.col] if f.loc else None,
                "dataset": f.dataset,
                "params": dict(f.params),
                "severity": f.severity,
            }
            for f in result.findings
        ],
    }
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, default=str)
        os.replace(tmp, folder / "validate.json")
    except OSError:
        pass  # a read-only checkout still validates, just without a cache
