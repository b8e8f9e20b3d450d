"""What the ``citycat import`` tests share: an empty catalogue to import into, the frozen starter
catalogue's site served on loopback, the real command line, and the public values to compare.

An empty catalogue is the starter's registers (``catalogue/``), its Table Schemas (``schemas/``,
the data dictionaries included: they are files of the repository, not of any feed) and a
``datasets.yaml`` with the starter's header comments and ``datasets: []``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from citycat.feeds.ckan import tag_name
from citycat.model.catalogue import Catalogue, Dataset
from citycat.source.load import load
from tests.conftest import TODAY, starter_root


def empty_catalogue(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    root = starter_root()
    shutil.copytree(root / "catalogue", target / "catalogue")
    shutil.copytree(root / "schemas", target / "schemas")
    header = (root / "datasets.yaml").read_text("utf-8").split("\ndatasets:")[0]
    (target / "datasets.yaml").write_text(header + "\ndatasets: []\n", "utf-8")
    return target


def citycat(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    """The real command line, in a child process (no terminal: no progress bar)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "citycat", *args], capture_output=True, text=True, env=env, timeout=300
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def imported(kind: str, source: str, root: Path, *more: str) -> subprocess.CompletedProcess:
    """``citycat import KIND SOURCE``; a source on this machine's loopback (the tests' servers)
    needs ``--allow-private``, as citycat asks only public addresses by default."""
    local = ["--allow-private"] if source.startswith("http://127.0.0.1:") else []
    return citycat("import", kind, source, "--root", str(root), "--today", TODAY.isoformat(), *local, *more)


class FolderServer:
    """A ThreadingHTTPServer serving a folder on a free loopback port."""

    def __init__(self, folder: Path):
        handler = functools.partial(_Quiet, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FolderServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".ttl": "text/turtle"}

    def log_message(self, *args) -> None:
        pass


def source_catalogue() -> Catalogue:
    return load(starter_root()).catalogue


def public(c: Catalogue) -> list[Dataset]:
    """The datasets every public feed lists."""
    return [d for d in c.datasets if c.register("access_levels")[d.access].get("public_listing") is True]


def values(c: Catalogue, d: Dataset, lost: set[str] = frozenset(), unordered: set[str] = frozenset()) -> dict:
    """A dataset's public values, by dotted field name; ``lost`` fields left out, ``unordered``
    lists compared as sets; distributions without ``sample`` (never published), each with its
    effective media type (its own, else its format's)."""
    formats = c.register("formats")
    out = {}
    for name, value in d.fields.items():
        if name.startswith("internal") or name in lost or name == "distributions":
            continue
        if name in unordered:
            value = sorted({tag_name(v) if name.startswith("keywords") else v for v in value} - {None})
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    dists = []
    for x in d.public_distributions():
        item = {k: v for k, v in x.fields.items() if k not in ("sample", "dataset_id", "position")}
        item = {k: v for k, v in item.items() if f"distributions.{k}" not in lost}
        item["media_type"] = x.get("media_type") or formats[x.get("format")].get("media_type")
        dists.append(item)
    if dists:
        out["distributions"] = dists
    return out


def compare(source: Catalogue, target: Catalogue, lost: set[str] = frozenset(), unordered=frozenset()):
    """Every public dataset of the source is in the target with the same public values."""
    expected = public(source)
    assert sorted(d.id for d in target.datasets) == sorted(d.id for d in expected)
    for d in expected:
        t = target.dataset(d.id)
        assert values(target, t, lost, unordered) == values(source, d, lost, unordered), d.id


def built_site(folder: Path) -> Path:
    """The starter catalogue's public site (its feeds: data.json, catalog.*, datasets.xlsx)."""
    from citycat.pipeline.build import build

    build(starter_root(), folder, TODAY)
    return folder


def needs(done: subprocess.CompletedProcess) -> dict[str, list[str]]:
    """The report's "needed to pass validate" part (English): entry id → check codes."""
    out: dict[str, list[str]] = {}
    lines = done.stderr.split("Needed to pass 'citycat validate':\n", 1)
    current = None
    for line in lines[1].splitlines() if len(lines) > 1 else ():
        if line.startswith("  [") and line.endswith("]"):
            current = line.strip()[1:-1]
            out[current] = []
        elif line.startswith("    ") and current:
            out[current].append(line.split(":")[0].strip())
        elif not line.startswith(" "):
            break
    return out
