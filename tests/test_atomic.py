"""Attacks on the writers (issue 18, defects 11 and 12): a build killed between the two renames
of its swap, leftovers of runs killed with ``kill -9``, and a disk that fills up.

A kill is simulated where it matters: a run "killed" here leaves on disk exactly what ``kill -9``
leaves (the folder or temporary file named with the pid of a process that no longer runs). A full
disk is simulated by making the writer raise ENOSPC: no real full disk can be made safely on a
shared machine.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citycat.pipeline import output
from citycat.pipeline.build import build
from tests.conftest import CASES, ROOT, TODAY, assemble


@pytest.fixture
def now(monkeypatch):
    """Deleting a replaced site in the background (``rm -rf``) done at once, to look at the result."""
    monkeypatch.setattr(output.shutil, "which", lambda name: None)


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def _site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text, "utf-8")
    (folder / output.MARKER).write_text("written by citycat build\n", "utf-8")
    return folder


class Killed(BaseException):
    """Stands for ``kill -9`` (no ``except Exception`` catches it)."""


def test_the_site_is_never_missing_when_a_swap_is_killed(tmp_path, monkeypatch):
    """Killed right after a rename of the swap: ``out`` still holds a whole site (the new one,
    exchanged in one step), never nothing."""
    out = _site(tmp_path / "public", "old")
    real = os.replace

    def killed_after(src, dst):
        real(src, dst)
        raise Killed

    monkeypatch.setattr(output.os, "replace", killed_after)

    def make(folder: Path) -> int:
        (folder / "index.html").write_text("new", "utf-8")
        return 1

    try:
        output.swap_in(make, out)
    except Killed:
        pass
    assert (out / "index.html").read_text("utf-8") == "new"
    assert (out / output.MARKER).is_file()


def test_out_exists_at_every_moment_of_a_swap(tmp_path, monkeypatch):
    out = _site(tmp_path / "public", "old")
    seen = []
    real = os.replace

    def watched(src, dst):
        real(src, dst)
        seen.append(out.is_dir())

    monkeypatch.setattr(output.os, "replace", watched)
    output.swap_in(lambda folder: (folder / "index.html").write_text("new", "utf-8") and 1, out)
    assert (out / "index.html").read_text("utf-8") == "new"
    assert False not in seen  # (on Linux no rename at all: the folders are exchanged)
    assert output.exchange is not None and output._renameat2() is not None  # this machine: Linux


def test_a_fallback_swap_killed_between_its_renames_is_repaired_by_the_next_run(tmp_path, now):
    """Where the folders cannot be exchanged: what ``kill -9`` between the two renames leaves
    (``out`` renamed away, the new site complete beside it) is put right by the next run."""
    pid = _dead_pid()
    _site(tmp_path / f".public.old-{pid}-abc", "old")
    _site(tmp_path / f".public.new-{pid}-def", "new")
    out = tmp_path / "public"
    output.recover(out)
    assert (out / "index.html").read_text("utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_the_fallback_swap_keeps_the_last_site_on_failure(tmp_path, monkeypatch, now):
    monkeypatch.setattr(output, "exchange", lambda a, b: False)
    out = _site(tmp_path / "public", "old")
    output.swap_in(lambda folder: (folder / "index.html").write_text("new", "utf-8") and 1, out)
    assert (out / "index.html").read_text("utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_leftover_folders_of_killed_builds_are_deleted_by_the_next(tmp_path, now):
    root = assemble(tmp_path / "repo", CASES / "good")
    dead = _dead_pid()
    for name in (f".public.new-{dead}-x1", f".public.old-{dead}-x2", ".public.new-legacy9"):
        _site(tmp_path / name, "left")
    alive = _site(tmp_path / f".public.new-{os.getppid()}-x3", "a build still running")
    build(root, tmp_path / "public", TODAY)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["repo", "public", alive.name])


def test_leftover_temporary_files_of_killed_writers_are_deleted_by_the_next(tmp_path):
    dead = _dead_pid()
    target = tmp_path / "datasets.yaml"
    (tmp_path / f".datasets.yaml.{dead}.k2j3.tmp").write_text("half", "utf-8")
    running = tmp_path / f".datasets.yaml.{os.getppid()}.k2j3.tmp"
    running.write_text("being written", "utf-8")
    (tmp_path / ".agencies.yaml.1.x.tmp").write_text("another file's", "utf-8")
    output.write_atomic(target, b"datasets: []\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["datasets.yaml", running.name, ".agencies.yaml.1.x.tmp"]
    )
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_the_temporary_names_are_ignored_by_git():
    names = [
        ".datasets.yaml.123.abcd.tmp",
        "catalogue/.agencies.yaml.1.x.tmp",
        ".public.new-12-ab/index.html",
    ]
    names.append(".public.old-12-ab/index.html")
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True
    )
    assert done.stdout.split() == names
    text = Path(ROOT / "src/citycat/init/__init__.py").read_text("utf-8")
    assert ".*.tmp" in text and ".*.new-*/" in text


# --- a full disk -----------------------------------------------------------------------------


def _full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("lang, words", [("vi", "đĩa đã đầy"), ("en", "the disk is full")])
def test_a_full_disk_during_build_is_said_and_keeps_the_last_site(lang, words, tmp_path, monkeypatch, capsys):
    """The site's writer raises ENOSPC (simulated: no real full disk can be made safely)."""
    from citycat.cli import main

    root = assemble(tmp_path / "repo", CASES / "good")
    out = tmp_path / "public"
    build(root, out, TODAY)
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    monkeypatch.setattr(output, "fill", _full)
    with pytest.raises(SystemExit) as done:
        main(["build", "--root", str(root), "--out", str(out), "--today", TODAY.isoformat(), "--lang", lang])
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and "internal" not in err and "bên trong" not in err
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "repo"]


def test_a_full_disk_in_a_forked_writer_comes_back_as_the_same_error():
    from citycat.pipeline.executor import Forked

    with pytest.raises(OSError) as caught:
        Forked(lambda: _full()).result()
    assert caught.value.errno == errno.ENOSPC


@pytest.mark.parametrize("command", ["export", "report"])
def test_a_full_disk_during_export_and_report_says_so(command, tmp_path, monkeypatch, capsys):
    from citycat.cli import main

    root = assemble(tmp_path / "repo", CASES / "good")
    monkeypatch.setattr(output, "write_all_atomic", _full)
    monkeypatch.setattr(output, "write_atomic", _full)
    args = {
        "export": ["export", "csv", "--out", str(tmp_path / "x.csv")],
        "report": ["report", "--out", str(tmp_path / "r.md")],
    }[command]
    with pytest.raises(SystemExit) as done:
        main([*args, "--root", str(root), "--today", TODAY.isoformat(), "--lang", "en"])
    err = capsys.readouterr().err
    assert done.value.code != 0
    assert "the disk is full" in err and "internal error" not in err and "Traceback" not in err


KILLED_BETWEEN_RENAMES = """
import os, sys
from pathlib import Path
from citycat.pipeline import output

root = Path(sys.argv[1])
real = os.replace
calls = []

def replace(a, b):
    real(a, b)
    calls.append(b)
    if len(calls) == 2:  # the journal, then the first of the two files: killed here
        os._exit(9)

os.replace = replace
items = [(root / "catalogue" / "agencies.yaml", b"new agencies"), (root / "datasets.yaml", b"new list")]
output.write_all_atomic(items, journal=root / output.JOURNAL)
"""


def test_an_import_killed_between_its_renames_is_finished_by_the_next(tmp_path):
    """Defect 11: killed after agencies.yaml was renamed and before datasets.yaml was, the files
    were half new; the journal lets the next run finish the renames."""
    import subprocess
    import sys

    from citycat.pipeline import output

    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "agencies.yaml").write_bytes(b"old agencies")
    (tmp_path / "datasets.yaml").write_bytes(b"old list")
    done = subprocess.run([sys.executable, "-c", KILLED_BETWEEN_RENAMES, str(tmp_path)], timeout=60)
    assert done.returncode == 9
    assert (tmp_path / "catalogue" / "agencies.yaml").read_bytes() == b"new agencies"
    assert (tmp_path / "datasets.yaml").read_bytes() == b"old list"  # half new: what the issue saw
    assert output.finish_interrupted(tmp_path / output.JOURNAL) == ["datasets.yaml"]
    assert (tmp_path / "datasets.yaml").read_bytes() == b"new list"
    assert not (tmp_path / output.JOURNAL).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_hostile_journal_renames_nothing_it_should_not(tmp_path):
    """The journal could come by pull request: only .NAME.….tmp onto NAME in one folder."""
    import json

    from citycat.pipeline import output

    (tmp_path / "secret").write_bytes(b"s")
    (tmp_path / "datasets.yaml").write_bytes(b"list")
    (tmp_path / ".x.1.tmp").write_bytes(b"x")
    pairs = [["secret", "datasets.yaml"], ["../secret", "datasets.yaml"], [".x.1.tmp", "datasets.yaml"]]
    (tmp_path / output.JOURNAL).write_text(json.dumps(pairs + [1, "a"]), "utf-8")
    assert output.finish_interrupted(tmp_path / output.JOURNAL) == []
    assert (tmp_path / "datasets.yaml").read_bytes() == b"list" and (tmp_path / "secret").exists()
