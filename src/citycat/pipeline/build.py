"""``citycat build``: the catalogue as a static site, written atomically.

The stages (``citycat.pipeline.stages``) in order: validate (load and check), score, list the
pages, render, write. The site is written into a new folder beside the output and swapped in
(``citycat.pipeline.output``), so a failed build never leaves a half-written site and never
deletes the last good one.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from citycat.model import policy
from citycat.model.catalogue import Catalogue
from citycat.model.findings import Finding
from citycat.pipeline import output, stages
from citycat.pipeline.output import MARKER
from citycat.site import themefiles
from citycat.site.render import Renderer
from citycat.source.inputs import theme_for

__all__ = ["MARKER", "BuildError", "Built", "build", "check_output"]


class BuildError(Exception):
    """The catalogue has errors (``findings``) or the output folder cannot be used (``reason``)."""

    def __init__(self, findings: tuple[Finding, ...] = (), reason: str = ""):
        super().__init__(reason or f"{len(findings)} errors")
        self.findings = findings
        self.reason = reason


@dataclass(frozen=True)
class Built:
    out: Path
    files: int
    pages: int
    seconds: float
    findings: tuple[Finding, ...]
    catalogue: Catalogue | None = None  # what was built (``citycat serve`` answers API calls from it)
    renderer: Renderer | None = None  # with its scores and fragments (a rebuild reuses them)
    # what the feeds wrote: digests by path (a rebuild writes only the files whose bytes change)
    feed_digests: Mapping[str, bytes] = field(default_factory=dict)


def check_output(root: Path, out: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not a build."""
    root, target = root.resolve(), out.resolve()
    if target == root or target in root.parents:
        raise BuildError(reason=f"the output folder {out} holds the catalogue itself")
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).exists())
    ):
        raise BuildError(reason=f"{out} exists and was not written by citycat build: choose another --out")


PARALLEL_MIN_PAGES = 2000  # below this, one process renders faster than starting another


def build(
    root: Path | str,
    out: Path | str,
    today: dt.date,
    edition: str = policy.PUBLIC,
    theme: Path | None = None,
    parts: int | None = None,
) -> Built:
    """Validate, render and swap in the site; ``parts`` processes render it (default: one per
    core for a large catalogue). ``citycat.pipeline.cache.build`` is the same build that keeps
    its state on disk and, the next time, redoes only the entries that changed."""
    from citycat.pipeline.executor import ForkFailed
    from citycat.pipeline.validate import validate

    started = time.perf_counter()
    root, out = Path(root).resolve(), Path(out)
    if not out.is_absolute():
        out = root / out
    check_output(root, out)
    theme = theme or theme_for(root)
    result = validate(root, today, use_cache=False, need_catalogue=True)
    refused = tuple(themefiles.refusals(theme))  # a theme's file that leads outside, before any is read
    if not result.ok() or result.catalogue is None or refused:
        raise BuildError((*result.errors(), *refused))
    catalogue = result.catalogue
    # (the garbage collector stays on: Jinja2's render contexts make cycles, and without it
    # memory grows until a 10,000-dataset build is slower, not faster)
    scored = stages.score(catalogue, result.findings, today)
    pages = stages.pages(catalogue, today, edition, scored)
    if parts is None:
        parts = cores() if len(pages) >= PARALLEL_MIN_PAGES else 1
    renderer = Renderer(catalogue, theme, today, edition, scored)
    feed_digests: dict[str, bytes] = {}

    def make(folder: Path) -> int:
        count, digests = stages.render_into(folder, renderer, pages, parts)
        feed_digests.update(digests)
        return count

    try:
        count = output.swap_in(make, out)
    except (ForkFailed, output.OutsideFolder) as exc:
        raise BuildError(reason=str(exc)) from None
    html = len(pages) + 1  # and the 404 page
    seconds = time.perf_counter() - started
    return Built(out, count, html, seconds, result.findings, catalogue, renderer, feed_digests)


def cores() -> int:
    return min(os.cpu_count() or 1, 4)
