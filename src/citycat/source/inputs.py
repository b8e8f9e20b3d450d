"""The files a catalogue repository feeds into citycat, named once and walked one way.

``CATALOGUE`` is what ``validate`` reads (and so what its cache key and an import's scratch copy
hold); ``BUILD`` adds the theme (``site/``), which changes the pages but not the findings, and is
what ``serve`` watches and a rebuild compares.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

DATASETS = "datasets.yaml"
THEME = "site"
EDITIONS = "editions"  # the official editions, written by `citycat release`
CATALOGUE = (DATASETS, "catalogue", "schemas", "samples", EDITIONS)
BUILD = (*CATALOGUE, THEME)


def default_theme() -> Path:
    """The theme shipped beside citycat's source (``site/`` of its repository)."""
    return Path(__file__).resolve().parents[3] / THEME


def theme_for(root: Path) -> Path:
    """The catalogue's own theme (``site/`` with templates), else the one shipped with citycat."""
    own = Path(root) / THEME
    return own if (own / "templates").is_dir() else default_theme()


def files(root: Path, names: Iterable[str] = BUILD) -> list[Path]:
    """Every file of the inputs ``names`` under ``root``, in the order of ``names``, each folder's
    files sorted; an input that does not exist has none."""
    out: list[Path] = []
    for name in names:
        path = root / name
        if path.is_file():
            out.append(path)
        elif path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file())
    return out


def fingerprint(root: Path, path: Path) -> bytes:
    """What a cache key hashes of an input file: its bytes, read under the rule of every input
    (``citycat.source.paths``); for a file it refuses, the refusal and the link's target (a
    symlink to /dev/zero must not be read to be hashed)."""
    from citycat.source import paths

    try:
        return paths.read(root, path)
    except OSError as exc:
        target = os.readlink(path) if path.is_symlink() else ""
        return f"\0refused\0{type(exc).__name__}\0{target}\0{getattr(exc, 'size', '')}".encode()


def stamps(root: Path, names: Iterable[str] = BUILD) -> dict[str, tuple[int, int]]:
    """Size and modification time (ns) of every input file, by path: what changes when one is
    edited, added or removed."""
    out = {}
    for path in files(root, names):
        st = path.stat()
        out[str(path)] = (st.st_size, st.st_mtime_ns)
    return out
