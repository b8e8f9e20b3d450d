"""Shared fixtures: small real catalogues under tests/cases/, assembled in a temporary folder.

A case folder holds only what it changes: ``tests/cases/good/`` is a small valid catalogue, each
``tests/cases/bad/NAME/`` lays its files over it. The catalogue's own Table Schemas come from the
project's ``schemas/catalogue/`` unless a case brings its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
TODAY = dt.date(2026, 11, 28)


def assemble(target: Path, *layers: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "schemas" / "catalogue", target / "schemas" / "catalogue", dirs_exist_ok=True)
    for layer in layers:
        for path in sorted(layer.rglob("*")):
            rel = path.relative_to(layer)
            if rel.name == "case.yaml" or path.is_dir():
                continue
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if rel.name.endswith(".delete"):
                (target / rel.parent / rel.name.removesuffix(".delete")).unlink(missing_ok=True)
                continue
            shutil.copyfile(path, dest)
    return target


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return assemble(tmp_path / "good", CASES / "good")


@pytest.fixture
def make_case(tmp_path: Path):
    def make(name: str) -> Path:
        return assemble(tmp_path / name, CASES / "good", CASES / "bad" / name)

    return make


@contextlib.contextmanager
def citycat_serve(root: Path, out: Path):
    """``citycat serve`` of the catalogue at ``root`` on a free loopback port, as a user runs it:
    yields the address it prints ("http://127.0.0.1:PORT"), stops it afterwards."""
    command = [sys.executable, "-m", "citycat", "serve", "--root", str(root), "--out", str(out)]
    command += ["--port", "0", "--no-watch", "--today", TODAY.isoformat()]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = None
        for line in proc.stdout:
            if line.startswith("serving "):
                url = line.split()[1].rstrip("/")
                break
        assert url, proc.stderr.read()
        yield url
    finally:
        proc.terminate()
        proc.wait()
