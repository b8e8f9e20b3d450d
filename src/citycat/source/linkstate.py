"""The last link check, as ``citycat check-links`` left it in ``catalogue/link-status.json``:
read here, read-only (``citycat.quality.links`` checks the links and writes the file). What is
wrong with the file is reported, never fatal: people do not write it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

STATE = "catalogue/link-status.json"
VERSION = 1


@dataclass(frozen=True)
class Problem:
    """Why (part of) a state file was not read; line and column count from 1 (0: unknown)."""

    text: str
    line: int = 0
    col: int = 0


def read_state(path: Path, root: Path | None = None) -> tuple[Mapping[str, Mapping[str, Any]], list[Problem]]:
    """The ``links`` of a state file, read-only, and what was wrong with it.

    A missing file is no problem (nothing checked yet). An unreadable file gives no links; an
    entry of the wrong shape is left out, the others kept. With ``root`` (the repository) the
    file is read under its rule (``citycat.source.paths``): a refusal raises ``paths.Refused``.
    """
    from citycat.source import paths

    try:
        text = (paths.read(root, path) if root is not None else path.read_bytes()).decode("utf-8")
    except FileNotFoundError:
        return MappingProxyType({}), []
    except paths.Refused:
        raise
    except OSError as exc:
        return MappingProxyType({}), [Problem(exc.strerror or type(exc).__name__)]
    except UnicodeDecodeError:
        return MappingProxyType({}), [Problem("not UTF-8")]
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return MappingProxyType({}), [Problem(exc.msg, exc.lineno, exc.colno)]
    except RecursionError:
        return MappingProxyType({}), [Problem("nested too deeply")]
    if not isinstance(doc, dict):
        return MappingProxyType({}), [Problem("expected a JSON object")]
    if doc.get("version") != VERSION:
        return MappingProxyType({}), [Problem(f"unknown version {doc.get('version')!r}, expected {VERSION}")]
    raw = doc.get("links")
    if not isinstance(raw, dict):
        return MappingProxyType({}), [Problem("'links' must be an object")]
    links: dict[str, Mapping[str, Any]] = {}
    problems = []
    for url, entry in raw.items():
        why = _entry_problem(entry)
        if why:
            problems.append(Problem(f"{url}: {why}"))
        else:
            links[url] = _frozen(entry)
    return MappingProxyType(links), problems


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "expected an object"
    if not isinstance(entry.get("ok"), bool):
        return "'ok' must be true or false"
    status = entry.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        return "'status' must be a number or null"
    for name in ("error", "final_url", "checked", "content_type"):
        if entry.get(name) is not None and not isinstance(entry[name], str):
            return f"'{name}' must be text or null"
    hops = entry.get("redirects", [])
    if not isinstance(hops, list) or not all(
        isinstance(h, dict) and isinstance(h.get("url"), str) and isinstance(h.get("status"), int)
        for h in hops
    ):
        return "'redirects' must be a list of {status, url}"
    return None


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value
