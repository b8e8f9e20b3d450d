"""Paths that come from pull requests: they must stay inside the catalogue repository."""

from __future__ import annotations

from pathlib import Path


def inside(root: Path, relative: str) -> Path | None:
    """The file ``relative`` names under ``root``, or None when it would leave ``root``."""
    if not relative or relative.startswith(("/", "\\")) or "\\" in relative or ":" in relative:
        return None
    path = (root / relative).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        return None
    return path
