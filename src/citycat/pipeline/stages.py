"""The stages of a build, each one function: check → score → pages → render → write.

``citycat build`` runs them over every entry (``citycat.pipeline.build``); a rebuild in
``citycat serve`` runs the same functions over the entries that changed
(``citycat.pipeline.rebuild``). Which work goes to forked processes is decided here, never in
the domain code they call.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from citycat import checks, feeds
from citycat.model.catalogue import Catalogue, Dataset
from citycat.model.findings import Finding
from citycat.pipeline import executor, output
from citycat.pipeline.gcpause import paused
from citycat.site import views
from citycat.site.render import Renderer
from citycat.source.inputs import DATASETS

# ---------------------------------------------------------------------------------------------
# Load


def load_slice(root: Path, text: str, offset: int):
    """The registers and a slice of the list (``citycat.source.entries``: whole entries, its
    lines ``offset`` down in datasets.yaml), loaded; None when the slice does not read cleanly
    on its own (then the whole list is read at once)."""
    from citycat.source.load import load
    from citycat.source.yamlsafe import FatalYAML

    try:
        loaded = load(root, part=(text, offset))
    except FatalYAML:
        return None
    if any(
        f.code.startswith("yaml-") and f.code != "yaml-duplicate-key" and f.loc and f.loc.file == DATASETS
        for f in loaded.findings
    ):
        return None
    return loaded


# ---------------------------------------------------------------------------------------------
# Check


def check_entries(c: Catalogue, today: dt.date) -> list[Finding]:
    """The checks of each entry (and of the registers and files), not those between entries."""
    return checks.each_entry(c, today)


def check_between(meta: Mapping, datasets: Iterable[Dataset], title_keys=None) -> list[Finding]:
    """The checks between entries, over the whole list (light records will do); ``meta`` is
    the catalogue's package descriptor."""
    return checks.cross_entry(meta, datasets, title_keys)


def check_on_forks(c: Catalogue, today: dt.date, workers: int) -> list[Finding]:
    """``check_entries`` with every ``workers``-th dataset on a forked process of its own (they
    inherit the loaded catalogue)."""
    import citycat.checks.tables  # noqa: F401 - imported before forking, once for all

    def part(k: int) -> list[Finding]:
        return check_entries(replace(c, datasets=c.datasets[k::workers]), today)

    found: list[Finding] = []
    for more in executor.run(part, range(workers), workers, ordered=True):
        found += more
    return found


def unique_sorted(found: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings once each (a rule seen from two parts says it twice), in report order."""
    unique = {(f.code, f.loc, f.dataset, json.dumps(f.params, sort_keys=True, default=str)): f for f in found}
    return tuple(sorted(unique.values(), key=Finding.sort_key))


# ---------------------------------------------------------------------------------------------
# Score and list


def score(c: Catalogue, findings: Iterable[Finding], today: dt.date, datasets=None) -> dict[str, Any]:
    """Each dataset's scores (of ``datasets`` only, when given)."""
    from citycat.quality import scores

    if datasets is not None:
        c = replace(c, datasets=tuple(datasets))
    with paused():  # 25 criteria a dataset: hundreds of thousands of small objects, no cycles
        return scores.score_all(c, findings, today)


def pages(c: Catalogue, today: dt.date, edition: str, scored: Mapping[str, Any]) -> list[views.Page]:
    with paused():  # 20,000 pages and their contexts, no cycles: a collection would walk the catalogue
        return views.pages(c, today, edition, scored)


# ---------------------------------------------------------------------------------------------
# Render and write


def site_files(
    renderer: Renderer, datasets: Iterable[Dataset], listed: list[views.Page], every: list[views.Page]
):
    """The site's files (not the feeds): the pages of ``datasets``, the pages ``listed`` (other
    than the datasets'), and the files made of the whole page list ``every``."""
    yield from renderer.datasets(datasets)
    yield from renderer.pages(listed)
    yield from renderer.site_files(every)
    yield from renderer.rest_files()


def feed_files(c: Catalogue, today: dt.date, edition: str, name: str) -> Iterator[tuple[str, bytes]]:
    with paused():  # a feed makes many small objects and no cycles
        yield from feeds.module_files(name, c, today, edition)


def edition_files(c: Catalogue) -> Iterator[tuple[str, bytes]]:
    """Each official edition's files as it was issued, byte for byte (one copy for both
    languages: ``editions/<date>/<name>``). A change under editions/ is a full build, so a
    rebuild in ``serve`` leaves them where the full build wrote them."""
    from citycat.source.editions import published_files

    for e in c.editions:
        yield from published_files(Path(c.root), e)


def render_into(
    folder: Path, renderer: Renderer, pages: list[views.Page], parts: int = 1
) -> tuple[int, dict[str, bytes]]:
    """Write the whole site into the new ``folder``; returns how many files, and the digests of
    the feeds' files by path (a rebuild writes only those whose bytes change). With ``parts`` > 1, forked processes (which inherit the catalogue) write each feed
    and the dataset pages in chunks, as they fall free; this one then writes the list pages
    and the rest from the fragments they sent back."""
    c = renderer.c
    chunks = parts * 2 if parts > 1 else 1

    def job(task: tuple[str, Any]) -> tuple[int, dict, dict, dict[str, bytes]]:
        kind, arg = task
        if kind == "feed":
            digests: dict[str, bytes] = {}

            def noted():
                for rel, data in feed_files(c, renderer.today, renderer.edition, arg):
                    digests[rel] = output.digest(data)
                    yield rel, data

            return output.fill(folder, noted()), {}, {}, digests
        if parts <= 1:  # in this process: the fragments stay where they are made
            return output.fill(folder, renderer.datasets(c.datasets)), {}, {}, {}
        renderer.fragments, renderer.index_views = {}, {}  # this process's own, sent back
        count = output.fill(folder, renderer.datasets(c.datasets[arg::chunks]))
        return count, renderer.fragments, renderer.index_views, {}

    jobs = [("datasets", k) for k in range(chunks)] + [("feed", name) for name in feeds.names()]
    if parts > 1:
        jobs = jobs[chunks:] + jobs[:chunks]  # the feeds first: the longest jobs start first
    count = 0
    feed_digests: dict[str, bytes] = {}
    for n, fragments, index_views, digests in executor.run(job, jobs, parts):
        count += n
        renderer.fragments.update(fragments)
        renderer.index_views.update(index_views)
        feed_digests.update(digests)
    count += output.fill(folder, edition_files(c))
    if parts > 1:
        rest = executor.Forked(lambda: output.fill(folder, renderer.rest_files()))
        count += output.fill(folder, renderer.pages(pages))
        count += output.fill(folder, renderer.site_files(pages))
        count += rest.result()
    else:
        count += output.fill(folder, renderer.pages(pages))
        count += output.fill(folder, renderer.site_files(pages))
        count += output.fill(folder, renderer.rest_files())
    return count, feed_digests
