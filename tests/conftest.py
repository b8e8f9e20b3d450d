"""Shared fixtures: small real catalogues under tests/cases/, assembled in a temporary folder.

A case folder holds only what it changes: ``tests/cases/good/`` is a small valid catalogue, each
``tests/cases/bad/NAME/`` lays its files over it. The catalogue's own Table Schemas come from the
project's ``schemas/catalogue/`` unless a case brings its own. A file ``NAME.delete`` deletes
``NAME``; a file ``NAME.symlink`` makes ``NAME`` a symbolic link to the path it holds.

``tests/cases/starter/`` is the starter catalogue frozen as it was when the tests that count its
entries were written (49 datasets, 17 agencies): every assertion about sizes reads it, never the
live ``datasets.yaml`` at the repository root, so adding a dataset there breaks no test.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import datetime as dt
import functools
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
STARTER = CASES / "starter"
TODAY = dt.date(2026, 11, 28)
VALIDATORS = ROOT.parent / "shared" / "validators"  # beside the repository, not in it
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# ---------------------------------------------------------------------------------------------
# What some tests need from outside the repository: skipped with the reason on a developer's
# machine, a failure under CI (CI=true), where .ci/run installs everything


def missing(reason: str) -> NoReturn:
    """Skip the test, printing why (a developer's machine), or fail it (under CI)."""
    if IN_CI:
        pytest.fail(f"{reason} -- under CI=true a test never skips for want of it", pytrace=False)
    print(f"SKIPPED: {reason}")
    pytest.skip(reason, allow_module_level=True)


def pytest_terminal_summary(terminalreporter) -> None:
    """Say loudly, at the end, which tests did not run and why (not only in the -ra lines)."""
    reasons: collections.Counter[str] = collections.Counter()
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple):
            reasons[report.longrepr[2].removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.section(
            "NOT RUN: tests skipped for want of something", sep="!", yellow=True, bold=True
        )
        for reason, count in reasons.most_common():
            terminalreporter.line(f"{count:5} skipped: {reason}")
        terminalreporter.line("Under CI=true each of these fails instead (tests/conftest.py: missing).")


def validators(name: str) -> Path:
    """A folder of the shared validators (``../shared/validators/NAME`` beside the repository)."""
    path = VALIDATORS / name
    if not path.is_dir():
        missing(f"needs the shared validators: {path} is absent")
    return path


def need_module(name: str, why: str = "installed by the test extra: pip install -e '.[test]'"):
    """``pytest.importorskip`` that fails under CI."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"needs the Python package {name} ({why})")


def need_program(name: str, how: str) -> str:
    """The path of a program on PATH (or /usr/sbin), else skip or fail."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        missing(f"needs the program {name} ({how})")
    return found


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
            if rel.name.endswith(".symlink"):  # NAME.symlink holds where the symlink NAME leads
                link = target / rel.parent / rel.name.removesuffix(".symlink")
                link.unlink(missing_ok=True)
                link.symlink_to(path.read_text("utf-8").strip())
                continue
            shutil.copyfile(path, dest)
    return target


def copy_starter(target: Path) -> Path:
    """A copy of the frozen starter catalogue at ``target``, to edit."""
    return assemble(target, STARTER)


@functools.cache
def starter_root() -> Path:
    """The frozen starter catalogue, assembled once per test run in a temporary folder (removed at
    exit) for helpers outside fixtures: read it, never edit it (edit a ``copy_starter``)."""
    folder = Path(tempfile.mkdtemp(prefix="citycat-starter-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return copy_starter(folder / "root")


@pytest.fixture(scope="session", autouse=True)
def _user_cache(tmp_path_factory):
    """``citycat build`` keeps its state in the user's cache folder: the suite's builds (and the
    commands it starts) keep theirs in a folder of its own, never in the home folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield


@pytest.fixture(scope="session")
def starter() -> Path:
    """The frozen starter catalogue (read only: edit a ``copy_starter``)."""
    return starter_root()


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
        for line in proc.stdout:  # "serving http://…" or "đang phục vụ http://…": its language's words
            if "http://127.0.0.1:" in line:
                url = line[line.index("http://") :].split()[0].rstrip("/")
                break
        assert url, proc.stderr.read()
        yield url
    finally:
        proc.terminate()
        proc.wait()


def drain(leader: int) -> bytes:
    """Everything a process wrote to a pseudo-terminal (``pty.openpty``), read while it writes (a
    terminal's buffer is small) until the other end closes; the leader is closed after."""
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return b"".join(chunks)
