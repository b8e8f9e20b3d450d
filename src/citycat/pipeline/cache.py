"""What the last ``citycat build`` made, kept on disk so that the next one redoes only the
entries that changed.

After a build, the state of a rebuild session (``citycat.pipeline.rebuild.Session``: each
entry's text, record and findings, the scores, the rendered fragments, the digests of the feeds'
files) is pickled into the user's cache folder (``$XDG_CACHE_HOME/citycat/``, not the
catalogue's: a pickle runs code when read, and a pull request could bring one along into the
catalogue's folder), one file per catalogue folder and edition, with a key made of citycat's
version, the day, the edition, the output folder and the content of every input but
datasets.yaml (registers, schemas, samples, the theme). The next build with the same key:

1. makes the new output folder beside the last one, every file hard-linked from it;
2. runs the stages of a rebuild over the entries of datasets.yaml that changed (written files
   are replaced, never written into: a hard-linked file of the last site stays as it was);
3. writes the feeds' files whose bytes changed, then swaps the folder in, as a full build does.

Anything the rebuild cannot do by entries (and a missing, stale or unreadable cache, or an
output folder that is not the one the cache knows) makes a full build. The result is the same,
byte for byte, as a full build's (``tests/test_cache.py``).
"""

from __future__ import annotations

import copyreg
import datetime as dt
import hashlib
import os
import pickle
import time
from pathlib import Path
from types import MappingProxyType
from typing import Any

from citycat import __version__
from citycat.model import policy
from citycat.pipeline import build as full
from citycat.pipeline import output
from citycat.pipeline.build import BuildError, Built
from citycat.pipeline.rebuild import FullBuild, Session, input_stamps, write_feeds
from citycat.site.render import Renderer
from citycat.source.entries import DATASETS
from citycat.source.inputs import fingerprint, theme_for

INPUTS = ("catalogue", "schemas", "samples")  # with the theme: what a rebuild by entries needs unchanged


def _read_only(d: dict) -> MappingProxyType:
    return MappingProxyType(d)


# the records hold read-only mappings: pickled as the dicts they show
copyreg.pickle(MappingProxyType, lambda m: (_read_only, (dict(m),)))


def path_for(root: Path, edition: str) -> Path:
    """Where the state of the last build of the catalogue at ``root`` is kept."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=10).hexdigest()
    return Path(home) / "citycat" / f"{name}-{edition}.pickle"


def key(root: Path, out: Path, today: dt.date, edition: str, theme: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{__version__}\0{today.isoformat()}\0{edition}\0{out.resolve()}\0{theme}\0".encode())
    folders = [(root, name) for name in INPUTS] + [(theme, ".")]
    for base, name in folders:
        top = base / name
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            h.update(str(path.relative_to(base)).encode() + b"\0" + fingerprint(base, path) + b"\0")
    return h.hexdigest()


def _marker(out: Path) -> tuple[int, int] | None:
    """Which build wrote ``out``: its marker file's inode and time (each build writes a new one)."""
    try:
        st = (out / output.MARKER).stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def save(session: Session, theme: Path) -> None:
    """Keep the session's state for the next build (nothing when it cannot be rebuilt by entries)."""
    r = session.renderer
    if session.entries is None or r is None or session.catalogue is None:
        return
    state: dict[str, Any] = {
        "key": key(session.root, session.out, session.today, session.edition, theme),
        "marker": _marker(session.out),
        "catalogue": session.catalogue,
        "findings": session.findings,
        "entries": session.entries,
        "head": session.head,
        "others": session.others,
        "scored": r.scored,
        "fragments": r.fragments,
        "index_views": r.index_views,
        "page_sigs": session.page_sigs,
        "site": session.site,
        "feed_digests": session.feed_digests,
    }
    try:
        output.write_atomic(
            path_for(session.root, session.edition), pickle.dumps(state, pickle.HIGHEST_PROTOCOL)
        )
    except (OSError, pickle.PicklingError):
        pass  # a read-only checkout still builds, just without a cache


def restore(root: Path, out: Path, today: dt.date, edition: str, theme: Path, parts: int) -> Session | None:
    """The session the last build left, if it fits these inputs and this output folder."""
    try:
        data = path_for(root, edition).read_bytes()
    except OSError:
        return None
    try:
        state = pickle.loads(data)
    except Exception:  # noqa: BLE001 - any unreadable cache is no cache
        return None
    if state.get("key") != key(root, out, today, edition, theme) or state["marker"] != _marker(out):
        return None
    s = Session(root, out, today, edition, parts)
    c = state["catalogue"]
    s.catalogue, s.findings = c, state["findings"]
    s.entries, s.head, s.others = state["entries"], state["head"], state["others"]
    s.renderer = Renderer(c, theme, today, edition, state["scored"])
    s.renderer.fragments, s.renderer.index_views = state["fragments"], state["index_views"]
    s.page_sigs, s.site, s.feed_digests = state["page_sigs"], state["site"], state["feed_digests"]
    s.inputs = input_stamps(root)
    return s


def _link_tree(source: Path, target: Path) -> int:
    """Every file of ``source`` hard-linked into the (empty) ``target``; returns how many."""
    count = 0
    for folder, dirs, files in os.walk(source):
        rel = os.path.relpath(folder, source)
        into = target if rel == "." else target / rel
        for name in dirs:
            (into / name).mkdir()
        for name in files:
            if rel == "." and name == output.MARKER:
                continue
            os.link(os.path.join(folder, name), into / name)
            count += 1
    return count


def build(
    root: Path | str,
    out: Path | str,
    today: dt.date,
    edition: str = policy.PUBLIC,
    theme: Path | None = None,
    parts: int | None = None,
) -> Built:
    """``citycat build`` keeping its state: the site rebuilt by entries from the last build's
    state when it can be, else a full build; either way, what it made is kept for the next."""
    root, out = Path(root).resolve(), Path(out)
    if not out.is_absolute():
        out = root / out
    full.check_output(root, out)
    theme = theme or theme_for(root)
    again = build_again(root, out.resolve(), today, edition, theme, parts or full.cores())
    if again is not None:
        return again
    built = full.build(root, out, today, edition, theme, parts)
    keep(built, root, today, edition, theme, parts or full.cores())
    return built


def keep(built: Built, root: Path, today: dt.date, edition: str, theme: Path, parts: int) -> None:
    """Keep what a full build made for the next one."""
    session = Session(root, built.out, today, edition, parts)
    session.adopt(built)
    save(session, theme)


def build_again(root: Path, out: Path, today: dt.date, edition: str, theme: Path, parts: int) -> Built | None:
    """The site rebuilt from the last build's state and output; None when a full build is
    needed. ``BuildError`` when the catalogue has errors (the last site stays)."""
    started = time.perf_counter()
    session = restore(root, out, today, edition, theme, parts)
    if session is None or not (root / DATASETS).is_file():
        return None
    made: list[Built] = []

    def make(folder: Path) -> int:
        _link_tree(out, folder)
        session.out = folder
        built, report = session.rebuild_entries(started)
        if built is None:
            raise BuildError(tuple(f for f in report.findings if f.level == "error"))
        session.feed_digests = write_feeds(
            session.catalogue, today, edition, folder, session.feed_digests, parts
        )
        made.append(built)
        return sum(len(files) for _, _, files in os.walk(folder))

    try:
        count = output.swap_in(make, out)
    except FullBuild:
        return None
    session.out = out
    save(session, theme)
    built = made[0]
    return Built(
        out,
        count,
        built.pages,
        time.perf_counter() - started,
        built.findings,
        built.catalogue,
        built.renderer,
        session.feed_digests,
    )
