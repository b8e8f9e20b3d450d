"""``citycat.pipeline.output`` and ``citycat.pipeline.executor``: the one writer and the one
executor every stage of the pipeline uses."""

from __future__ import annotations

import os
import stat

import pytest

from citycat.pipeline import executor, output


def test_a_path_leading_outside_the_folder_is_refused(tmp_path):
    folder = os.path.abspath(tmp_path)
    assert output.inside(folder, "a/b/../c.html") == os.path.join(folder, "a", "c.html")
    for rel in ("../x", "a/../../x", "/etc/passwd", "", "."):
        with pytest.raises(output.OutsideFolder):
            output.inside(folder, rel)
    with pytest.raises(output.OutsideFolder):
        output.fill(tmp_path / "site", [("ok.txt", b"1"), ("../escaped.txt", b"2")])
    assert not (tmp_path / "escaped.txt").exists()


def test_fill_writes_every_file(tmp_path):
    count = output.fill(tmp_path, [("a/one.json", b"1"), ("b/two.json", b"2")])
    assert count == 2
    assert (tmp_path / "a" / "one.json").read_bytes() == b"1" and (
        tmp_path / "b" / "two.json"
    ).read_bytes() == b"2"


def test_write_changed_replaces_only_changed_files_and_never_a_linked_one_in_place(tmp_path):
    # (a warm build hard-links the last site's files: writing into one would change the old site)
    output.fill(tmp_path, [("a.json", b"1")])
    os.link(tmp_path / "a.json", tmp_path / "b.json")
    known = output.write_changed(tmp_path, [("a.json", b"1"), ("b.json", b"1")], {})
    before = os.stat(tmp_path / "a.json").st_ino
    digests = output.write_changed(tmp_path, [("a.json", b"1"), ("b.json", b"2")], known)
    assert digests["a.json"] == known["a.json"] and digests["b.json"] != known["b.json"]
    assert os.stat(tmp_path / "a.json").st_ino == before  # unchanged: not written again
    assert (tmp_path / "a.json").read_bytes() == b"1"  # its former hard link was replaced, not written into
    assert (tmp_path / "b.json").read_bytes() == b"2"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert output.remove(tmp_path, ["b.json", "gone.json"]) == 1 and not (tmp_path / "b.json").exists()


def test_remove_prunes_the_folders_it_leaves_empty_and_no_further(tmp_path):
    output.fill(tmp_path, [("datasets/page/3/index.html", b"x"), ("datasets/index.html", b"y")])
    assert output.remove(tmp_path, ["datasets/page/3/index.html"], prune=True) == 1
    assert not (tmp_path / "datasets" / "page").exists() and (tmp_path / "datasets" / "index.html").exists()
    assert tmp_path.exists()


def test_write_atomic_makes_files_0644_and_leaves_nothing_on_failure(tmp_path):
    path = tmp_path / "x" / "report.html"
    old = os.umask(0o077)  # neither the umask nor the old file's mode counts: always 0644 / 0755
    try:
        output.write_atomic(path, b"one")
        assert path.read_bytes() == b"one" and stat.S_IMODE(path.stat().st_mode) == 0o644
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o755
        path.chmod(0o600)
        output.write_atomic(path, b"two")
    finally:
        os.umask(old)
    assert path.read_bytes() == b"two" and stat.S_IMODE(path.stat().st_mode) == 0o644
    with pytest.raises(OSError):
        output.write_atomic(tmp_path / "missing" / "y.ttl", b"", make_folders=False)
    with pytest.raises(TypeError):  # a failure half-way: the old file stays, no temporary left
        output.write_all_atomic([(tmp_path / "a.txt", b"new"), (path, "not bytes")])
    assert path.read_bytes() == b"two" and not (tmp_path / "a.txt").exists()
    assert not [p for p in (tmp_path / "x").iterdir() if p.name.endswith(".tmp")]


def test_the_executor_gives_the_same_results_forked_or_not():
    shared = {"factor": 3}  # inherited by the forked processes, never sent

    def job(n: int) -> tuple[int, int]:
        return n, n * shared["factor"]

    serial = list(executor.run(job, range(10), 1))
    forked = list(executor.run(job, range(10), 3, ordered=True))
    assert serial == forked == [(n, 3 * n) for n in range(10)]
    assert sorted(executor.run(job, range(10), 2)) == serial
    assert executor.Forked(lambda: os.getpid()).result() != os.getpid()
    with pytest.raises(executor.ForkFailed, match="ZeroDivisionError"):
        executor.Forked(lambda: 1 / 0).result()
