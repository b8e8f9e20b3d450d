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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from citycat import __version__
from citycat.checks import without_cascades
from citycat.model.catalogue import Catalogue
from citycat.model.findings import ERROR, Finding, Loc
from citycat.pipeline import executor, stages
from citycat.pipeline.gcpause import paused
from citycat.pipeline.output import write_atomic
from citycat.source import inputs, paths
from citycat.source.entries import plain, split_entries
from citycat.source.inputs import DATASETS

CACHE_DIR = ".citycat-cache"


@dataclass(frozen=True)
class Result:
    findings: tuple[Finding, ...]
    catalogue: Catalogue | None  # None when the findings came from the cache
    datasets: int
    default_language: str
    cached: bool = False
    listed: bool = True  # false when datasets.yaml could not be read at all (then datasets is 0)

    def errors(self, strict: bool = False) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR or strict]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors(strict)


def content_key(root: Path, today: dt.date) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{__version__}\0{today.isoformat()}\0".encode())
    h.update(resources.files("citycat.checks").joinpath("checks.yaml").read_bytes())
    for path in inputs.files(root, inputs.CATALOGUE):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(inputs.fingerprint(root, path))
        h.update(b"\0")
    return h.hexdigest()


def validate(
    root: Path | str,
    today: dt.date,
    use_cache: bool = True,
    need_catalogue: bool = False,
    workers: int | None = None,
) -> Result:
    """Load and check the catalogue at ``root``.

    A large datasets.yaml is cut into slices of whole entries checked on ``workers`` processes
    (default: one per core), unless the caller needs the loaded catalogue; then the whole list
    is loaded here, and a large one checked on ``workers`` processes.
    """
    root = Path(root)
    key = content_key(root, today) if use_cache else ""
    if use_cache and not need_catalogue:
        cached = _read_cache(root, key)
        if cached is not None:
            return cached
    workers = workers or os.cpu_count() or 1
    with paused():  # a catalogue makes millions of small objects and no cycles worth collecting
        result = None if need_catalogue else _validate_in_parts(root, today, workers)
        if result is None:
            result = _validate_whole(root, today, workers)
    if use_cache:
        _write_cache(root, key, result)
    return result


CHECK_PARALLEL_MIN = 2000  # datasets; below this, one process checks faster than starting others
PART_MIN_BYTES = 2_000_000  # below this, starting processes costs more than it saves


def _validate_whole(root: Path, today: dt.date, workers: int = 1) -> Result:
    """The stages over the whole list loaded here: each entry's checks (on forked processes for
    a large list), then those between entries."""
    from citycat.source.load import load
    from citycat.source.yamlsafe import FatalYAML

    try:
        loaded = load(root)
    except FatalYAML as fatal:  # the catalogue's own package descriptor is unreadable
        return Result(fatal.findings, None, 0, "vi", listed=False)
    c = loaded.catalogue
    found = list(loaded.findings)
    if workers > 1 and len(c.datasets) >= CHECK_PARALLEL_MIN:
        found += stages.check_on_forks(c, today, workers)
    else:
        found += stages.check_entries(c, today)
    found += stages.check_between(c.meta, c.datasets)
    found = without_cascades(found, loaded.unread, c.meta)
    listed = "datasets" not in loaded.unread
    return Result(stages.unique_sorted(found), c, len(c.datasets), c.default_language, listed=listed)


_LIGHT = ("id", "title.vi", "title.en")  # what the checks between entries read of a record


def _check_part(root: Path, today: dt.date, text: str, offset: int):
    """The stages over one slice of the list: load it (with the registers) and check each entry;
    send back the findings and the light records the checks between entries need."""
    from citycat.checks.rules import title_key

    loaded = stages.load_slice(root, text, offset)
    if loaded is None:
        return None
    c = loaded.catalogue
    found = list(loaded.findings) + stages.check_entries(c, today)
    found = without_cascades(found, loaded.unread, c.meta)
    light = [
        (
            [d.fields.get(n) for n in _LIGHT],
            d.loc,
            {n: d.locs[n] for n in _LIGHT if n in d.locs},
            {lang: title_key(d.fields.get(f"title.{lang}")) for lang in ("vi", "en")},
        )
        for d in c.datasets
    ]
    return found, light, c.default_language


def _validate_in_parts(root: Path, today: dt.date, workers: int, min_bytes: int = PART_MIN_BYTES):
    """The same stages with the list cut into slices of whole entries, each loaded and checked
    on a forked process; None when the list is small or cannot be cut."""
    path = root / DATASETS
    if workers < 2 or not path.is_file() or path.stat().st_size < min_bytes:
        return None
    try:
        text = paths.read(root, path).decode("utf-8")
    except (OSError, UnicodeDecodeError):  # (then the whole load says why, once)
        return None
    parts = split_entries(text, workers) if plain(text) else None
    if parts is None:
        return None
    import citycat.checks.tables  # noqa: F401 - imported once here, inherited by the workers
    from citycat.model.catalogue import Dataset
    from citycat.source.load import read_descriptor

    results = list(
        executor.run(lambda part: _check_part(root, today, *part), parts, len(parts), ordered=True)
    )
    if any(r is None for r in results):
        return None
    found: list[Finding] = []
    datasets = []
    keys = []
    for part_found, light, _ in results:
        found += part_found
        for values, loc, locs, key in light:
            datasets.append(Dataset("datasets", dict(zip(_LIGHT, values, strict=True)), locs, loc))
            keys.append(key)
    found += stages.check_between(read_descriptor(root), datasets, keys)
    return Result(stages.unique_sorted(found), None, len(datasets), results[0][2])


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
        return Result(
            findings,
            None,
            data["datasets"],
            data["default_language"],
            cached=True,
            listed=data.get("listed", True),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(root: Path, key: str, result: Result) -> None:
    data = {
        "key": key,
        "datasets": result.datasets,
        "default_language": result.default_language,
        "listed": result.listed,
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
    try:
        text = json.dumps(data, ensure_ascii=False, default=str)
        write_atomic(root / CACHE_DIR / "validate.json", text.encode("utf-8"))
    except OSError:
        pass  # a read-only checkout still validates, just without a cache
