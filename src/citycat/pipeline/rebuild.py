"""Rebuilds in ``citycat serve`` (and ``citycat build`` with its cache): after an edit to a few
entries of datasets.yaml, run the stages of a build (``citycat.pipeline.stages``) over those
entries only.

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
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from citycat import feeds
from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset
from citycat.model.findings import Finding
from citycat.pipeline import executor, output, stages
from citycat.pipeline.build import BuildError, Built
from citycat.pipeline.gcpause import paused
from citycat.site import views
from citycat.site.render import Renderer
from citycat.source import inputs, paths
from citycat.source.entries import (
    DATASETS,
    Cut,
    as_slice,
    cut,
    margin_key,
    plain,
    shift_dataset,
    shift_finding,
)

BIG_LIST = 500  # datasets: a page listing more is rendered again after any edit, unexamined
MAX_CHANGED = 200  # entries; more than this and a full build (on every core) is as quick


def is_feed(rel: str) -> bool:
    """Whether a path below the site's root is a feed's file (the pages, the search indexes and
    the other site files are not): a request for one waits while the feeds are rebuilt."""
    return feeds.is_feed_path(rel)


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
    """This change needs a full build (the reason says why; ``why`` names it for the words
    ``citycat serve`` prints, ``serve.why.<why>`` in ``citycat/cli/words.yaml``)."""

    def __init__(self, reason: str, why: str, **params: Any):
        super().__init__(reason)
        self.why, self.params = why, params


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
    why: str = ""  # the same, as the key of its words (``FullBuild.why``), and their parameters
    why_params: dict[str, Any] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)  # seconds by stage (bench/ prints them)


def input_stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every input but datasets.yaml (theme included)."""
    return inputs.stamps(root, [name for name in inputs.BUILD if name != DATASETS])


def watched_folder(root: Path, out: Path) -> str | None:
    """The input folder (``site``, ``catalogue``…) that the output folder ``out`` lies in, else
    None: ``citycat serve`` watches those folders, so a build written there would start another."""
    root, target = Path(root).resolve(), Path(out).resolve()
    for name in inputs.BUILD:
        folder = root / name
        if target == folder or folder in target.parents:
            return name
    return None


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
        from citycat.cli.words import language_of, say
        from citycat.pipeline.build import build

        folder = watched_folder(self.root, self.out)
        if folder is not None:
            words = say("serve.out_in_inputs", language_of(self.root), out=self.out, folder=folder)
            raise BuildError(reason=words)
        self._stop_feeds()
        gc.unfreeze()  # what the last full build froze can be collected once replaced
        built = build(self.root, self.out, self.today, self.edition, parts=self.parts)
        self.adopt(built)
        gc.collect()
        gc.freeze()  # the catalogue lives until the next full build: no collection walks it again
        return built

    def adopt(self, built) -> None:
        """Start from this full build."""
        self.built, self.catalogue, self.findings = built, built.catalogue, built.findings
        self.renderer = built.renderer
        self.inputs = input_stamps(self.root)
        self.site, self.page_sigs = {}, {}
        self.feed_digests = dict(built.feed_digests)  # what the full build's feeds wrote
        self.entries = None
        try:
            text = paths.read(self.root, self.root / DATASETS).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return
        parts = cut(text) if plain(text) else None
        if parts is None:
            return
        c = self.catalogue
        cross = stages.check_between(c.meta, c.datasets)
        made = assign(parts.entries, c.datasets, self.findings, cross)
        if made is not None:
            self.head = parts.head
            self.entries, self.others = made

    # -- rebuilds -----------------------------------------------------------------------------
    def rebuild(self):
        """Rebuild after a change: by entries when it can, else in full. Returns (built or
        None, Report); None with the findings when the catalogue has errors (nothing written)."""
        started = time.perf_counter()
        try:
            with paused():  # a rebuild makes little garbage; a collection would walk the catalogue
                built, report = self.rebuild_entries(started)
            if built is not None:
                self._feeds_later()
            return built, report
        except FullBuild as full:
            why = {"reason": str(full), "why": full.why, "why_params": full.params}
        except Exception:
            self.entries = None  # stopped half-way (a full disk...): the next change builds in full
            raise
        try:
            built = self.build()
        except BuildError as exc:
            return None, Report(True, time.perf_counter() - started, findings=exc.findings, **why)
        seconds = time.perf_counter() - started
        # a full build writes the whole site (swapped in at once): every one of its files
        return built, Report(True, seconds, written=built.files, findings=built.findings, **why)

    def rebuild_entries(self, started: float | None = None):
        """The stages of a build over the entries that changed; every other entry keeps its
        record, findings, scores and fragments. The site's files are written, not the feeds
        (``write_feeds``). Returns (built or None, Report) as ``rebuild``; ``FullBuild`` when
        the change cannot be rebuilt by entries."""
        started = time.perf_counter() if started is None else started
        stages_seconds: dict[str, float] = {}
        clock = [started]

        def lap(name: str) -> None:
            now = time.perf_counter()
            stages_seconds[name] = now - clock[0]
            clock[0] = now

        # Load: the entries of datasets.yaml; those unchanged moved to where they are now
        parts = self._read_entries()
        lap("read")
        entries, todo = self._reuse(parts)
        lap("entries")
        # Check: each changed entry, then the rules between entries over the whole list
        c = self.catalogue
        schemas, samples = dict(c.table_schemas), dict(c.samples)
        for run in _runs(todo):
            loaded = self._load_run([parts.entries[i] for i in run])
            schemas.update(loaded.catalogue.table_schemas)
            samples.update(loaded.catalogue.samples)
            found = list(loaded.findings) + stages.check_entries(loaded.catalogue, self.today)
            made = assign(tuple(parts.entries[i] for i in run), loaded.catalogue.datasets, found, ())
            if made is None:
                raise FullBuild("a changed entry is not a mapping", "not_mapping")
            for i, e in zip(run, made[0], strict=True):
                entries[i] = e
        lap("load+check changed")
        new_entries: list[Entry] = entries  # type: ignore[assignment] - every slot is filled now
        datasets = tuple(e.dataset for e in new_entries)
        new_c = replace(
            c, datasets=datasets, table_schemas=MappingProxyType(schemas), samples=MappingProxyType(samples)
        )
        cross = stages.check_between(new_c.meta, datasets)
        findings = stages.unique_sorted([*self.others, *(f for e in new_entries for f in e.findings), *cross])
        lap("between entries")
        if any(f.level == "error" for f in findings):
            return None, Report(False, time.perf_counter() - started, len(todo), findings=findings)

        # Score: again the datasets whose record or findings changed
        old = self.renderer
        before, after = _by_dataset(self.findings), _by_dataset(findings)
        dirty_ids = {new_entries[i].dataset.id for i in todo}
        dirty_ids |= {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        dirty_ids |= {d.id for d in datasets if d.id not in old.scored}
        dirty = [d for d in datasets if d.id in dirty_ids]
        fresh = stages.score(new_c, findings, self.today, dirty)
        scored = {d.id: fresh[d.id] if d.id in fresh else old.scored[d.id] for d in datasets}
        lap("scores")

        # Pages: the dirty datasets' again, every other from fragments
        renderer = Renderer(new_c, old.theme, self.today, self.edition, scored, like=old)
        renderer.fragments = {k: v for k, v in old.fragments.items() if k[-1] not in dirty_ids}
        renderer.index_views = {k: v for k, v in old.index_views.items() if k[-1] not in dirty_ids}
        pages = stages.pages(new_c, self.today, self.edition, scored)
        lap("views.pages")
        sigs: dict[tuple[str, str], Any] = {}
        listed = [p for p in pages if p.dataset is None and self._may_differ(p, sigs, dirty_ids)]
        files = list(stages.site_files(renderer, dirty, listed, pages))
        lap("render")

        # Write: the files whose bytes changed, and no pages of removed entries
        digests = output.write_changed(self.out, files, self.site)
        written = sum(1 for rel, d in digests.items() if self.site.get(rel) != d)
        self.site.update(digests)
        removed = {d.id for d in c.datasets} - {d.id for d in datasets}
        gone = [
            views.Page(policy.page_path(i), lang, "dataset.html").file
            for i in removed
            for lang in ("vi", "en")
        ]
        gone += self._later_pages(pages)
        for rel in gone:
            self.site.pop(rel, None)
        written += output.remove(self.out, gone, prune=True)
        lap("write")

        self.catalogue, self.findings, self.renderer = new_c, findings, renderer
        self.entries, self.page_sigs = new_entries, sigs
        built = Built(
            self.out, written, len(pages) + 1, time.perf_counter() - started, findings, new_c, renderer
        )
        self.built = built
        report = Report(False, built.seconds, len(todo), len(dirty), written, findings, stages=stages_seconds)
        return built, report

    def _later_pages(self, pages: list[views.Page]) -> list[str]:
        """The files of a list's pages beyond its last one now (``views.paged``: ``…/page/N/``),
        left from when it was longer."""
        gone = []
        for page in pages:
            if page.dataset is not None or "pager" not in page.context:
                continue
            pager = page.context["pager"]
            if pager is not None and pager["number"] != 1:
                continue
            n = (pager["count"] if pager else 1) + 1
            while (
                self.out / (rel := views.Page(f"{page.path}page/{n}/", page.lang, page.template).file)
            ).is_file():
                gone.append(rel)
                n += 1
        return gone

    def _read_entries(self) -> Cut:
        """datasets.yaml cut into entries, or ``FullBuild`` when anything else changed."""
        if self.entries is None or self.catalogue is None or self.renderer is None:
            raise FullBuild("the last build could not be cut into entries", "not_cut")
        if input_stamps(self.root) != self.inputs:
            raise FullBuild("a register, schema, sample or the theme changed", "inputs")
        try:
            text = paths.read(self.root, self.root / DATASETS).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raise FullBuild("datasets.yaml cannot be read as UTF-8", "not_utf8") from None
        # (only a changed entry can bring a key at the margin: the others had none last time)
        parts = cut(text, margin=False) if plain(text) else None
        if parts is None or parts.head != self.head:
            raise FullBuild("the layout of datasets.yaml changed", "layout")
        return parts

    def _reuse(self, parts: Cut) -> tuple[list[Entry | None], list[int]]:
        """The entries of the last build whose text is unchanged, moved to their new lines;
        None in the slots of the others, whose indexes are returned too."""
        known: dict[str, list[Entry]] = {}
        for e in self.entries or ():
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
            raise FullBuild(f"{len(todo)} entries changed", "many", n=len(todo))
        if any(margin_key(parts.entries[i][0], parts.indent) for i in todo):
            raise FullBuild("a changed entry has a key at the left margin", "margin")
        return entries, todo

    def _may_differ(self, page: views.Page, sigs: dict, dirty_ids: set[str]) -> bool:
        """Whether a page other than a dataset's may have changed: what it shows differs from
        last time, or a dataset it lists was rendered again (``sigs`` notes what it shows)."""
        listed = page.context.get("datasets")
        if isinstance(listed, list) and len(listed) > BIG_LIST:
            return True  # nearly every edit changes it (written only if its bytes did)
        ids: set[str] = set()
        sig = sigs[(page.path, page.lang)] = _signature(page.context, ids)
        return self.page_sigs.get((page.path, page.lang)) != sig or not ids.isdisjoint(dirty_ids)

    def _load_run(self, run: list[tuple[str, int]]):
        loaded = stages.load_slice(self.root, *as_slice(run))
        if loaded is None or len(loaded.catalogue.datasets) != len(run):
            raise FullBuild("a changed entry does not read on its own", "alone")
        return loaded

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


def write_feeds(
    c: Catalogue, today: dt.date, edition: str, out: Path, old: dict[str, bytes], parts: int = 2
) -> dict[str, bytes]:
    """Write every feed of ``c`` into ``out``, skipping files whose bytes are those of ``old``
    (digests by path), and remove the files ``old`` had that the feeds no longer make. Returns
    the new digests."""

    def job(name: str) -> dict[str, bytes]:
        return output.write_changed(out, stages.feed_files(c, today, edition, name), old)

    digests: dict[str, bytes] = {}
    for made in executor.run(job, feeds.names(), parts):
        digests.update(made)
    output.remove(out, set(old) - set(digests))
    return digests
