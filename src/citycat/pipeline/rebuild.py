"""Rebuilds in ``citycat serve``: after an edit to a few entries of datasets.yaml, redo the work
of those entries only.

A ``Session`` keeps what the last good build made: each entry's text, record and findings, the
scores, the renderer's fragments (cards, annex rows, search entries) and where the feeds wrote
what. On a change, ``Session.rebuild()``

1. rereads datasets.yaml and cuts it into entries; an entry whose text is unchanged keeps its
   record and findings (their line numbers shifted when it moved);
2. loads and checks the new or changed entries only, then the rules between entries over the
   whole list, exactly as ``citycat validate`` checks a list cut into parts;
3. scores the entries whose record or findings changed, renders their pages and fragments, and
   every other page from the fragments; writes the files whose bytes changed, each replaced
   atomically (a reader sees the old file or the new one), and removes the pages of removed
   entries;
4. then rebuilds the feeds on forked processes in the background, writing only files whose
   bytes changed; until they are done, the server holds requests for feed files
   (``Session.wait_for``), so no stale feed is ever served.

Everything happens in memory before the first byte is written: a catalogue with errors is
refused and the last good site stays. Anything else than entries of datasets.yaml changing (a
register, a schema, a sample, the theme, the file's layout, or more than ``MAX_CHANGED``
entries) makes a full build (``citycat.pipeline.build.build``), which starts the session afresh.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import hashlib
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from citycat import feeds
from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset
from citycat.model.findings import Finding, Loc
from citycat.pipeline.gcpause import paused
from citycat.site import views
from citycat.source import inputs
from citycat.source.inputs import DATASETS

BIG_LIST = 500  # datasets: a page listing more is rendered again after any edit, unexamined
MAX_CHANGED = 200  # entries; more than this and a full build (on every core) is as quick


def is_feed(rel: str) -> bool:
    """Whether a path below the site's root is a feed's file (the pages, the search indexes and
    the other site files are not): a request for one waits while the feeds are rebuilt."""
    return feeds.is_feed_path(rel)


# ---------------------------------------------------------------------------------------------
# Cutting datasets.yaml into entries


@dataclass(frozen=True)
class Cut:
    head: str  # everything before the first entry
    entries: tuple[tuple[str, int], ...]  # (text, line of its "- ") in file order
    indent: int = 0  # of the items' "- "


def cut(text: str, margin: bool = True) -> Cut | None:
    """The entries of datasets.yaml as texts, or None when the file does not have the plain
    layout (``datasets:`` at the left margin, then items ``- `` at one indentation, nothing else
    at the margin after them)."""
    from citycat.pipeline.validate import list_start

    start = list_start(text)  # (comments and blank lines before the first item: the head's)
    if start is None:
        return None
    _, first, indent = start
    marker = "\n" + " " * indent + "- "
    starts = [first]
    at = text.find(marker, first)
    while at >= 0:
        starts.append(at + 1)
        at = text.find(marker, at + 1)
    ends = [*starts[1:], len(text)]
    line_no = text.count("\n", 0, first) + 1
    entries = []
    prev = first
    for a, b in zip(starts, ends, strict=True):
        line_no += text.count("\n", prev, a)
        prev = a
        entries.append((text[a:b], line_no))
    # a line at the left margin after the list started (other than a comment or, for a list
    # at the margin, an item) is another top-level key, which no entry's text may carry
    if margin and _margin_key(text[first:], indent):
        return None
    return Cut(text[:first], tuple(entries), indent)


def _margin_key(text: str, indent: int) -> bool:
    """Whether ``text`` (entries) has a line at the left margin other than a comment or, for a
    list written at the margin, an item: another top-level key, which no entry may carry."""
    return bool((_MARGIN_ITEM if indent == 0 else _MARGIN_ANY).search(text))


_MARGIN_ITEM = re.compile(r"^(?![\s#]|- )(?=.)", re.M)
_MARGIN_ANY = re.compile(r"^(?![\s#])(?=.)", re.M)


# ---------------------------------------------------------------------------------------------
# Moving what an unchanged entry made


def _shift_loc(loc: Loc | None, delta: int) -> Loc | None:
    if loc is None or loc.file != DATASETS or not loc.line:
        return loc
    return Loc(loc.file, loc.line + delta, loc.col)


class Shifted(Mapping):
    """The locations of a record that moved ``delta`` lines, worked out when read: an inserted
    line moves every later entry, a million locations at 10,000 entries, of which a rebuild
    reads a few."""

    __slots__ = ("base", "delta")

    def __init__(self, base: Mapping[str, Loc], delta: int):
        self.base, self.delta = base, delta

    def __getitem__(self, key: str) -> Loc:
        return _shift_loc(self.base[key], self.delta)

    def __iter__(self):
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


def _shift_map(m: Mapping[str, Loc], delta: int) -> Mapping[str, Loc]:
    if not m:
        return m
    if isinstance(m, Shifted):
        return Shifted(m.base, m.delta + delta) if m.delta + delta else m.base
    return Shifted(m, delta)


def _moved(record, delta: int, **more):
    """A copy of a frozen record with its locations ``delta`` lines down (made directly: an
    inserted line moves thousands of records, and ``dataclasses.replace`` costs ten times as
    much). What it remembered (``id``, formats) comes along: none of it depends on lines."""
    made = object.__new__(type(record))
    made.__dict__.update(record.__dict__)
    made.__dict__.update(
        locs=_shift_map(record.locs, delta),
        keylocs=_shift_map(record.keylocs, delta),
        loc=_shift_loc(record.loc, delta),
        **more,
    )
    return made


def shift_dataset(d: Dataset, delta: int) -> Dataset:
    """The same record, written ``delta`` lines further down."""
    if not delta:
        return d
    dists = tuple(_moved(x, delta) for x in d.distributions)
    return _moved(d, delta, distributions=dists, internal_locs=_shift_map(d.internal_locs, delta))


def shift_finding(f: Finding, delta: int) -> Finding:
    if not delta or f.loc is None or f.loc.file != DATASETS:
        return f
    params = f.params
    if f.code == "yaml-duplicate-key" and isinstance(params.get("first"), int):
        params = {**params, "first": params["first"] + delta}
    return replace(f, loc=_shift_loc(f.loc, delta), params=params)


@dataclass(frozen=True)
class Entry:
    text: str
    line: int
    dataset: Dataset
    findings: tuple[Finding, ...]  # its own (loading and checks), not those between entries

    def moved_to(self, line: int) -> Entry:
        delta = line - self.line
        if not delta:
            return self
        return Entry(
            self.text,
            line,
            shift_dataset(self.dataset, delta),
            tuple(shift_finding(f, delta) for f in self.findings),
        )


def _key(f: Finding) -> tuple:
    import json

    return (f.code, f.loc, f.dataset, json.dumps(f.params, sort_keys=True, default=str))


def assign(
    entries: tuple[tuple[str, int], ...],
    datasets: Iterable[Dataset],
    findings: Iterable[Finding],
    cross: Iterable[Finding],
) -> tuple[list[Entry], list[Finding]] | None:
    """Share a whole build's findings out to the entries they belong to (by line, or by the
    dataset a finding about another file names); the rest (registers, files) are global. None
    when the entries and the loaded records do not match one to one."""
    datasets = list(datasets)
    if len(datasets) != len(entries):
        return None
    starts = [line for _, line in entries]
    for d, (_, line) in zip(datasets, entries, strict=True):
        if d.loc.line != line:
            return None
    first_of = {}
    for i, d in enumerate(datasets):
        first_of.setdefault(d.id, i)
    between = {_key(f) for f in cross}
    own: list[list[Finding]] = [[] for _ in entries]
    rest: list[Finding] = []
    for f in findings:
        if _key(f) in between:
            continue
        if f.loc is not None and f.loc.file == DATASETS and f.loc.line >= starts[0]:
            own[bisect.bisect_right(starts, f.loc.line) - 1].append(f)
        elif f.dataset is not None and (f.loc is None or f.loc.file != DATASETS) and f.dataset in first_of:
            own[first_of[f.dataset]].append(f)
        else:
            rest.append(f)
    made = [
        Entry(text, line, d, tuple(fs)) for (text, line), d, fs in zip(entries, datasets, own, strict=True)
    ]
    return made, rest


# ---------------------------------------------------------------------------------------------
# The session


class FullBuild(Exception):
    """This change needs a full build (the reason says why)."""


@dataclass
class Report:
    """What a rebuild did (``citycat serve`` prints it)."""

    full: bool
    seconds: float
    changed: int = 0  # entries loaded and checked again
    rendered: int = 0  # datasets whose pages were rendered again
    written: int = 0  # files written or removed
    findings: tuple[Finding, ...] = ()
    reason: str = ""  # why it was a full build
    stages: dict[str, float] = field(default_factory=dict)  # seconds by stage (bench/ prints them)


def _inputs(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every input but datasets.yaml (theme included)."""
    return inputs.stamps(root, [name for name in inputs.BUILD if name != inputs.DATASETS])


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class Session:
    """The state of the last good build of one catalogue, for ``citycat serve``."""

    def __init__(self, root: Path, out: Path, today: dt.date, edition: str, parts: int | None = None):
        self.root, self.out, self.today, self.edition = Path(root), Path(out), today, edition
        self.parts = parts if parts is not None else min(os.cpu_count() or 1, 4)
        self.built = None  # citycat.pipeline.build.Built of the last good build
        self.catalogue: Catalogue | None = None
        self.findings: tuple[Finding, ...] = ()
        self.entries: list[Entry] | None = None  # None: the list cannot be rebuilt by entries
        self.head = ""
        self.others: list[Finding] = []  # findings of the registers and files
        self.inputs: dict[str, tuple[int, int]] = {}
        self.renderer = None
        self.site: dict[str, bytes] = {}  # digests of the site's files written by rebuilds
        self.page_sigs: dict[tuple[str, str], Any] = {}  # what each list page showed last time
        self.feed_digests: dict[str, bytes] = {}
        self.feeds_ready = threading.Event()
        self.feeds_ready.set()
        self.feeds_seconds: float | None = None  # how long the last feed run took
        self.feeds_error = ""
        self._feeds_wanted: tuple | None = None
        self._feeds_thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- full builds ------------------------------------------------------------------------
    def build(self):
        """A full build (validate, render, swap in); the session starts again from it."""
        from citycat.pipeline.build import build

        self._stop_feeds()
        gc.unfreeze()  # what the last full build froze can be collected once replaced
        built = build(self.root, self.out, self.today, self.edition, parts=self.parts)
        self._start(built)
        gc.collect()
        gc.freeze()  # the catalogue lives until the next full build: no collection walks it again
        return built

    def _start(self, built) -> None:
        from citycat import checks

        self.built, self.catalogue, self.findings = built, built.catalogue, built.findings
        self.renderer = built.renderer
        self.inputs = _inputs(self.root)
        self.site, self.page_sigs = {}, {}
        # what the full build's feeds wrote, their bytes unknown: the next run writes them all
        self.feed_digests = dict.fromkeys(getattr(built.renderer, "feed_paths", ()), b"")
        self.entries = None
        try:
            text = (self.root / DATASETS).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return
        parts = cut(text) if not text.startswith("\ufeff") and "\t" not in text else None
        if parts is None:
            return
        c = self.catalogue
        cross = checks.cross_entry(c.meta, c.datasets)
        made = assign(parts.entries, c.datasets, self.findings, cross)
        if made is not None:
            self.head = parts.head
            self.entries, self.others = made

    # -- rebuilds -----------------------------------------------------------------------------
    def rebuild(self):
        """Rebuild after a change: by entries when it can, else in full. Returns (built or
        None, Report); None with the findings when the catalogue has errors (nothing written)."""
        from citycat.pipeline.build import BuildError

        started = time.perf_counter()
        try:
            with paused():  # a rebuild makes little garbage; a collection would walk the catalogue
                return self._rebuild_entries(started)
        except FullBuild as why:
            reason = str(why)
        try:
            built = self.build()
        except BuildError as exc:
            return None, Report(True, time.perf_counter() - started, findings=exc.findings, reason=reason)
        return built, Report(True, time.perf_counter() - started, findings=built.findings, reason=reason)

    def _rebuild_entries(self, started: float):
        from citycat import checks
        from citycat.pipeline.build import Built, Renderer
        from citycat.pipeline.validate import _unique_sorted
        from citycat.quality import scores

        stages: dict[str, float] = {}
        clock = [started]

        def lap(name: str) -> None:
            now = time.perf_counter()
            stages[name] = now - clock[0]
            clock[0] = now

        if self.entries is None or self.catalogue is None or self.renderer is None:
            raise FullBuild("the last build could not be cut into entries")
        if _inputs(self.root) != self.inputs:
            raise FullBuild("a register, schema, sample or the theme changed")
        try:
            text = (self.root / DATASETS).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raise FullBuild("datasets.yaml cannot be read as UTF-8") from None
        # (only a changed entry can bring a key at the margin: the others had none last time)
        parts = cut(text, margin=False) if not text.startswith("\ufeff") and "\t" not in text else None
        if parts is None or parts.head != self.head:
            raise FullBuild("the layout of datasets.yaml changed")
        lap("read")
        known: dict[str, list[Entry]] = {}
        for e in self.entries:
            known.setdefault(e.text, []).append(e)
        entries: list[Entry | None] = []
        todo: list[int] = []
        for i, (entry_text, line) in enumerate(parts.entries):
            same = known.get(entry_text)
            if same:
                entries.append(same.pop(0).moved_to(line))
            else:
                entries.append(None)
                todo.append(i)
        if len(todo) > MAX_CHANGED:
            raise FullBuild(f"{len(todo)} entries changed")
        if any(_margin_key(parts.entries[i][0], parts.indent) for i in todo):
            raise FullBuild("a changed entry has a key at the left margin")
        lap("entries")
        c = self.catalogue
        schemas, samples = dict(c.table_schemas), dict(c.samples)
        for run in _runs(todo):
            loaded = self._load_run([parts.entries[i] for i in run])
            schemas.update(loaded.catalogue.table_schemas)
            samples.update(loaded.catalogue.samples)
            found = list(loaded.findings) + checks.run(loaded.catalogue, self.today, whole=False)
            made = assign(tuple(parts.entries[i] for i in run), loaded.catalogue.datasets, found, ())
            if made is None:
                raise FullBuild("a changed entry is not a mapping")
            for i, e in zip(run, made[0], strict=True):
                entries[i] = e
        lap("load+check changed")
        from types import MappingProxyType

        new_entries: list[Entry] = entries  # type: ignore[assignment] - every slot is filled now
        datasets = tuple(e.dataset for e in new_entries)
        new_c = replace(
            c,
            datasets=datasets,
            table_schemas=MappingProxyType(schemas),
            samples=MappingProxyType(samples),
        )
        cross = checks.cross_entry(new_c.meta, datasets)
        findings = _unique_sorted([*self.others, *(f for e in new_entries for f in e.findings), *cross])
        lap("between entries")
        errors = [f for f in findings if f.level == "error"]
        if errors:
            return None, Report(False, time.perf_counter() - started, len(todo), findings=findings)

        # Scores: again for the entries whose record or findings changed
        before = _by_dataset(self.findings)
        after = _by_dataset(findings)
        fresh = {i for i in todo}
        old_scored = self.renderer.scored
        dirty_ids = {new_entries[i].dataset.id for i in fresh}
        dirty_ids |= {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        dirty_ids |= {d.id for d in datasets if d.id not in old_scored}
        dirty = [d for d in datasets if d.id in dirty_ids]
        scored = dict(old_scored)
        for gone in set(old_scored) - {d.id for d in datasets}:
            scored.pop(gone, None)
        scored.update(scores.score_all(replace(new_c, datasets=tuple(dirty)), findings, self.today))
        scored = {d.id: scored[d.id] for d in datasets}  # in the list's order, as a full build

        lap("scores")
        # Pages: the dirty datasets' again, every other from fragments
        old = self.renderer
        renderer = Renderer(new_c, old.theme, self.today, self.edition, scored, like=old)
        renderer.fragments = {k: v for k, v in old.fragments.items() if k[-1] not in dirty_ids}
        renderer.index_views = {k: v for k, v in old.index_views.items() if k[-1] not in dirty_ids}
        pages = views.pages(new_c, self.today, self.edition, scored)
        lap("views.pages")
        sigs: dict[tuple[str, str], Any] = {}

        def render(page: views.Page) -> bool:
            """Only the pages whose content may have changed: what they show differs from
            last time, or a dataset they list was rendered again."""
            listed = page.context.get("datasets")
            if isinstance(listed, list) and len(listed) > BIG_LIST:
                return True  # nearly every edit changes it (written only if its bytes did)
            ids: set[str] = set()
            sig = sigs[(page.path, page.lang)] = _signature(page.context, ids)
            return self.page_sigs.get((page.path, page.lang)) != sig or not ids.isdisjoint(dirty_ids)

        files = [*renderer.datasets(dirty), *renderer.rest(pages, with_feeds=False, render=render)]
        lap("render")
        written = self._write_site(files)
        removed_ids = {d.id for d in c.datasets} - {d.id for d in datasets}
        written += self._remove_pages(removed_ids)
        written += self._remove_later_pages(pages)

        lap("write")
        self.catalogue, self.findings, self.renderer = new_c, findings, renderer
        self.entries, self.page_sigs = new_entries, sigs
        html = len(pages) + 1
        built = Built(self.out, written, html, time.perf_counter() - started, findings, new_c, renderer)
        self.built = built
        report = Report(False, built.seconds, len(todo), len(dirty), written, findings, stages=stages)
        self._feeds_later()
        return built, report

    def _load_run(self, run: list[tuple[str, int]]):
        from citycat.source.load import load
        from citycat.source.yamlsafe import FatalYAML

        slice_text = "datasets:\n" + "".join(t for t, _ in run)
        try:
            loaded = load(self.root, part=(slice_text, run[0][1] - 2))
        except FatalYAML:
            raise FullBuild("a changed entry cannot be read") from None
        if len(loaded.catalogue.datasets) != len(run) or any(
            f.code.startswith("yaml-") and f.code != "yaml-duplicate-key" for f in loaded.findings
        ):
            raise FullBuild("a changed entry does not read on its own")
        return loaded

    # -- writing --------------------------------------------------------------------------------
    def _write_site(self, files: Iterable[tuple[str, bytes]]) -> int:
        written = _write_changed(self.out, files, self.site)
        self.site.update(written)
        return len(written)

    def _remove_pages(self, ids: Iterable[str]) -> int:
        count = 0
        inside = self.out.resolve()
        for dataset_id in ids:
            for lang in ("vi", "en"):
                page = views.Page(policy.page_path(dataset_id), lang, "dataset.html")
                path = (inside / page.file).resolve()
                if inside in path.parents and path.is_file():
                    path.unlink()
                    self.site.pop(page.file, None)
                    try:
                        path.parent.rmdir()
                    except OSError:
                        pass
                    count += 1
        return count

    def _remove_later_pages(self, pages: list[views.Page]) -> int:
        """The pages of a list beyond its last one now (``views.paged``: ``…/page/N/``), left
        from when it was longer."""
        count = 0
        for page in pages:
            if page.dataset is not None or "pager" not in page.context:
                continue
            pager = page.context["pager"]
            if pager is not None and pager["number"] != 1:
                continue
            n = (pager["count"] if pager else 1) + 1
            while True:
                later = views.Page(f"{page.path}page/{n}/", page.lang, page.template)
                path = self.out / later.file
                if not path.is_file():
                    break
                path.unlink()
                self.site.pop(later.file, None)
                for folder in (path.parent, path.parent.parent):  # …/page/N/, then …/page/ if empty
                    try:
                        folder.rmdir()
                    except OSError:
                        break
                count += 1
                n += 1
        return count

    # -- feeds, in the background ---------------------------------------------------------------
    def _feeds_later(self) -> None:
        """Write the feeds of the catalogue now built, on a thread of their own. One run at a
        time: an edit made meanwhile is written by the next run, started when this one ends."""
        with self._lock:
            self.feeds_ready.clear()
            self._feeds_wanted = (self.catalogue, self.today, self.edition, self.out)
            if self._feeds_thread is None:
                self._feeds_thread = threading.Thread(target=self._feeds_loop, daemon=True)
                self._feeds_thread.start()

    def _feeds_loop(self) -> None:
        while True:
            with self._lock:
                args, self._feeds_wanted = self._feeds_wanted, None
                if args is None:
                    self._feeds_thread = None
                    self.feeds_ready.set()
                    return
                old = self.feed_digests
            started = time.perf_counter()
            try:
                digests = write_feeds(*args, old, parts=self.parts)
            except Exception as exc:  # noqa: BLE001 - a failed feed rebuild must not stop the server
                self.feeds_error = f"{type(exc).__name__}: {exc}"
                digests = {path: b"" for path in old}  # unknown now: written again next time
            else:
                self.feeds_error = ""
                self.feeds_seconds = time.perf_counter() - started
            with self._lock:
                self.feed_digests = digests

    def _stop_feeds(self) -> None:
        """Before a full build (which writes every feed): drop a run not started, finish the
        one running."""
        with self._lock:
            self._feeds_wanted = None
            thread = self._feeds_thread
        if thread is not None:
            thread.join()

    def wait_for(self, rel: str, timeout: float = 300) -> None:
        """Hold a request for a feed file until the feeds are rebuilt (site files never wait)."""
        if self.feeds_ready.is_set() or not is_feed(rel):
            return
        self.feeds_ready.wait(timeout)


def _signature(value: Any, ids: set[str]) -> Any:
    """A page context as plain values to compare, each dataset by its id (noted in ``ids``)."""
    if isinstance(value, Dataset):
        ids.add(value.id)
        return ("dataset", value.id)
    if isinstance(value, dict):
        return tuple((k, _signature(v, ids)) for k, v in value.items())
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], Dataset) and all(isinstance(v, Dataset) for v in value):
            listed = tuple(v.id for v in value)  # a list of 10,000: no call per item
            ids.update(listed)
            return ("datasets", listed)
        return tuple(_signature(v, ids) for v in value)
    return value


def _runs(indexes: list[int]) -> Iterator[list[int]]:
    """Consecutive indexes grouped: [1, 2, 5] → [1, 2], [5]."""
    run: list[int] = []
    for i in indexes:
        if run and i != run[-1] + 1:
            yield run
            run = []
        run.append(i)
    if run:
        yield run


def _by_dataset(findings: Iterable[Finding]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for f in findings:
        if f.dataset:
            out.setdefault(f.dataset, []).append((f.code, f.severity or "", repr(f.params)))
    return {k: sorted(v) for k, v in out.items()}


def _write_changed(
    out: Path, files: Iterable[tuple[str, bytes]], known: dict[str, bytes]
) -> dict[str, bytes]:
    """Write the files whose bytes differ from what ``known`` (digests by path) says was
    written; return the digests of those written."""
    inside = out.resolve()
    written: dict[str, bytes] = {}
    for rel, data in files:
        digest = _digest(data)
        if known.get(rel) != digest:
            _replace(inside, rel, data)
            written[rel] = digest
    return written


def _replace(inside: Path, rel: str, data: bytes) -> None:
    """Write one file of the site so that a reader sees the old content or the new, never half."""
    path = (inside / rel).resolve()
    if inside not in path.parents:
        raise OSError(f"refused to write outside the output folder: {rel}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


_FEEDS: tuple | None = None  # what a forked feed process works on


def _feed_job(name: str) -> dict[str, bytes]:
    c, today, edition, out, old = _FEEDS
    inside = Path(out).resolve()
    digests: dict[str, bytes] = {}
    for rel, data in feeds.module_files(name, c, today, edition):
        digest = _digest(data)
        digests[rel] = digest
        if old.get(rel) == digest:
            continue
        _replace(inside, rel, data)
    return digests


def write_feeds(
    c: Catalogue, today: dt.date, edition: str, out: Path, old: dict[str, bytes], parts: int = 2
) -> dict[str, bytes]:
    """Write every feed of ``c`` into ``out``, skipping files whose bytes are those of ``old``
    (digests by path), and remove the files ``old`` had that the feeds no longer make. Returns
    the new digests."""
    global _FEEDS
    import multiprocessing

    _FEEDS = (c, today, edition, str(out), old)
    digests: dict[str, bytes] = {}
    try:
        if parts > 1:
            with multiprocessing.get_context("fork").Pool(parts) as pool:
                for made in pool.imap_unordered(_feed_job, feeds.names()):
                    digests.update(made)
        else:
            for name in feeds.names():
                digests.update(_feed_job(name))
    finally:
        _FEEDS = None
    inside = Path(out).resolve()
    for rel in set(old) - set(digests):
        path = (inside / rel).resolve()
        if inside in path.parents and path.is_file():
            path.unlink()
    return digests
