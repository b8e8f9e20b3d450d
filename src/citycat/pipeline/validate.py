"""Load and check a catalogue, with a cache keyed by the content of every input.

``validate(root, today)`` is what ``citycat validate`` and ``citycat build`` call. A repeat run on
an unchanged catalogue (same files, same citycat, same day) reads the findings from
``.citycat-cache/`` instead of checking again.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from citycat import __version__
from citycat.model.catalogue import Catalogue
from citycat.model.findings import ERROR, Finding, Loc
from citycat.source import inputs

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


def content_key(root: Path, today: dt.date) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{__version__}\0{today.isoformat()}\0".encode())
    h.update(resources.files("citycat.checks").joinpath("checks.yaml").read_bytes())
    for path in inputs.files(root, inputs.CATALOGUE):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(path.read_bytes())
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
    (default: one per core), unless the caller needs the loaded catalogue.
    """
    root = Path(root)
    key = content_key(root, today) if use_cache else ""
    if use_cache and not need_catalogue:
        cached = _read_cache(root, key)
        if cached is not None:
            return cached
    enabled = gc.isenabled()
    gc.disable()  # a catalogue makes millions of small objects and no cycles worth collecting
    try:
        result = None
        if not need_catalogue:
            result = _validate_in_parts(root, today, workers or os.cpu_count() or 1)
        if result is None:
            result = _validate_whole(root, today, workers or os.cpu_count() or 1)
    finally:
        if enabled:
            gc.enable()
    if use_cache:
        _write_cache(root, key, result)
    return result


def _validate_whole(root: Path, today: dt.date, workers: int = 1) -> Result:
    from citycat import checks
    from citycat.source.load import load
    from citycat.source.yamlsafe import FatalYAML

    try:
        loaded = load(root)
    except FatalYAML as fatal:  # the catalogue's own package descriptor is unreadable
        return Result((fatal.finding,), None, 0, "vi")
    c = loaded.catalogue
    if workers > 1 and len(c.datasets) >= CHECK_PARALLEL_MIN:
        found = list(loaded.findings) + _check_on_forks(c, today, workers)
    else:
        found = list(loaded.findings) + checks.run(c, today)
    return Result(_unique_sorted(found), c, len(c.datasets), c.default_language)


CHECK_PARALLEL_MIN = 2000  # datasets; below this, one process checks faster than starting others
_LOADED: Catalogue | None = None  # what forked checking processes inherit


def _check_on_forks(c: Catalogue, today: dt.date, workers: int) -> list[Finding]:
    """Check the loaded catalogue on ``workers`` processes: forked ones inherit it and check
    every ``workers``-th dataset (all but the rules between entries); this one checks the rest,
    then the rules between entries over the whole list."""
    global _LOADED
    import multiprocessing

    import citycat.checks.tables  # noqa: F401 - imported before forking, once for all
    from citycat import checks

    _LOADED = c
    try:
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            others = pool.map_async(_check_slice, [(k, workers, today) for k in range(1, workers)])
            found = _check_slice((0, workers, today))
            for more in others.get():
                found += more
    finally:
        _LOADED = None
    return found + checks.cross_entry(c.meta, c.datasets)


def _check_slice(job: tuple[int, int, dt.date]) -> list[Finding]:
    from dataclasses import replace

    from citycat import checks

    k, n, today = job
    return checks.run(replace(_LOADED, datasets=_LOADED.datasets[k::n]), today, whole=False)


def _unique_sorted(found: list[Finding]) -> tuple[Finding, ...]:
    unique = {(f.code, f.loc, f.dataset, json.dumps(f.params, sort_keys=True, default=str)): f for f in found}
    return tuple(sorted(unique.values(), key=Finding.sort_key))


PART_MIN_BYTES = 2_000_000  # below this, starting processes costs more than it saves


def list_start(text: str) -> tuple[int, int, int] | None:
    """Where the list starts in datasets.yaml of the plain layout (``datasets:`` at the left
    margin, then items ``- `` at one indentation): (the end of the ``datasets:`` line, the start
    of the first item's line, the items' indentation), or None for another layout."""
    if text.startswith("datasets:\n"):
        head = 0
    else:
        head = text.find("\ndatasets:\n") + 1
        if head == 0:
            return None
    body = head + len("datasets:\n")
    first = body
    while True:  # skip comments and blank lines before the first item
        end = text.find("\n", first)
        line = text[first : end if end >= 0 else len(text)]
        if line.strip() and not line.lstrip().startswith("#"):
            break
        if end < 0:
            return None
        first = end + 1
    stripped = line.lstrip(" ")
    if not stripped.startswith("- "):
        return None
    return body, first, len(line) - len(stripped)


def split_entries(text: str, parts: int, min_entries: int = 50) -> list[tuple[str, int]] | None:
    """Cut datasets.yaml into ``parts`` slices of whole entries, each a valid datasets.yaml.

    Returns (text, line offset) pairs, or None when the file does not have the plain layout
    (``datasets:`` at the left margin, then items ``- `` at one indentation). A cut inside a
    multi-line quoted text makes a slice unreadable, and then the whole file is checked at once.
    """
    start = list_start(text)
    if start is None:
        return None
    body, first, indent = start
    marker = "\n" + " " * indent + "- "
    if text.count(marker, body) + 1 < parts * min_entries or parts < 2:
        return None
    cuts = []
    for i in range(1, parts):
        at = text.find(marker, max(first, len(text) * i // parts))
        if at < 0 or (cuts and at + 1 <= cuts[-1]):
            return None
        cuts.append(at + 1)
    out = [(text[: cuts[0]], 0)]
    for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True):
        line_of_a = text.count("\n", 0, a) + 1
        out.append(("datasets:\n" + text[a:b], line_of_a - 2))
    return out


def _check_part(args: tuple[str, dt.date, str, int]):
    """In a worker: load the registers and one slice of the list, check all but cross-entry rules."""
    from citycat import checks
    from citycat.source.load import load
    from citycat.source.yamlsafe import FatalYAML

    root, today, text, offset = args
    try:
        loaded = load(Path(root), part=(text, offset))
    except FatalYAML:
        return None
    if any(f.code.startswith("yaml-") and f.loc and f.loc.file == "datasets.yaml" for f in loaded.findings):
        return None  # a slice that does not read cleanly: check the whole file instead
    c = loaded.catalogue
    found = list(loaded.findings) + checks.run(c, today, whole=False)
    from citycat.checks.rules import title_key

    names = ("id", "title.vi", "title.en")
    light = [
        (
            [d.fields.get(n) for n in names],
            d.loc,
            {n: d.locs[n] for n in names if n in d.locs},
            {lang: title_key(d.fields.get(f"title.{lang}")) for lang in ("vi", "en")},
        )
        for d in c.datasets
    ]
    return found, light, c.default_language


def _validate_in_parts(root: Path, today: dt.date, workers: int, min_bytes: int = PART_MIN_BYTES):
    path = root / "datasets.yaml"
    if workers < 2 or not path.is_file() or path.stat().st_size < min_bytes:
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff") or "\t" in text:
        return None
    parts = split_entries(text, workers)
    if parts is None:
        return None
    import multiprocessing

    import citycat.checks.tables  # noqa: F401 - imported once here, inherited by the workers
    from citycat import checks
    from citycat.model.catalogue import Dataset
    from citycat.source.load import read_descriptor

    context = multiprocessing.get_context("fork")
    with context.Pool(len(parts)) as pool:
        results = pool.map(_check_part, [(str(root), today, t, o) for t, o in parts])
    if any(r is None for r in results):
        return None
    found: list[Finding] = []
    datasets = []
    keys = []
    for part_found, light, _ in results:
        found += part_found
        for values, loc, locs, key in light:
            fields = dict(zip(("id", "title.vi", "title.en"), values, strict=True))
            datasets.append(Dataset("datasets", fields, locs, loc))
            keys.append(key)
    found += checks.cross_entry(read_descriptor(root), datasets, keys)
    return Result(_unique_sorted(found), None, len(datasets), results[0][2])


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
