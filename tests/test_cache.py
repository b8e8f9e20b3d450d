"""``citycat build`` with the on-disk cache of the last build: after edits of every kind, the
site it writes is byte for byte the site a cold build writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from citycat.pipeline import cache
from citycat.pipeline.build import MARKER, BuildError, build
from tests.conftest import TODAY
from tests.test_rebuild import FIRST, copy_catalogue, files_of


def entry_of(text: str, dataset_id: str) -> str:
    start = text.index(f"  - id: {dataset_id}\n")
    end = text.find("\n  - id: ", start + 1)
    return text[start : end + 1 if end >= 0 else len(text)]


def edit(root: Path, old: str, new: str) -> None:
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def add_and_remove(root: Path) -> None:
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    first = entry_of(text, FIRST)
    copy = first.replace(f"id: {FIRST}", "id: co-so-kham-benh-ban-sao").replace(
        "Danh sách cơ sở khám bệnh", "Bản sao: cơ sở khám bệnh"
    )
    copy = copy.replace("HN-SYT-001", "HN-SYT-901").replace("Licensed health-care", "Copied health-care")
    ids = [line.split("id: ")[1] for line in text.split("\n") if line.startswith("  - id: ")]
    path.write_text(text.replace(entry_of(text, ids[-1]), "") + copy, "utf-8")


def same_title(root: Path) -> None:
    text = (root / "datasets.yaml").read_text("utf-8")
    titles = [line.split('vi: "')[1] for line in text.split("\n") if line.startswith('      vi: "')]
    edit(root, f'vi: "{titles[0]}', f'vi: "{titles[5]}')


def register(root: Path) -> None:
    path = root / "catalogue" / "agencies.yaml"
    path.write_text(path.read_text("utf-8").replace("Sở Y tế", "Sở Y Tế", 1), "utf-8")


EDITS = {
    "a word": lambda root: edit(
        root, "trạm y tế và cơ sở khám bệnh", "trạm y tế, nhà hộ sinh và cơ sở khám bệnh"
    ),
    "an added line": lambda root: edit(root, "      - y-te\n", "      - y-te\n      - moi-truong\n"),
    "a new entry and a removed one": add_and_remove,
    "another entry's findings": same_title,
    "a register": register,
    "nothing": lambda root: None,
}


@pytest.fixture(autouse=True)
def own_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def assert_same_as_cold(root: Path, out: Path, tmp_path: Path, edition: str) -> None:
    cold = tmp_path / f"cold-{len(list(tmp_path.glob('cold-*')))}"
    build(root, cold, TODAY, edition, parts=1)
    got, want = files_of(out), files_of(cold)
    assert sorted(got) == sorted(want), (sorted(set(got) - set(want))[:5], sorted(set(want) - set(got))[:5])
    differ = [path for path in want if got[path] != want[path]]
    assert not differ, f"{len(differ)} files differ, e.g. {differ[:5]}"


@pytest.mark.parametrize("edition", ["public", "internal"])
def test_a_build_after_edits_of_every_kind_is_the_cold_build(tmp_path, edition):
    edits = EDITS if edition == "public" else {k: EDITS[k] for k in ("a new entry and a removed one",)}
    root = copy_catalogue(tmp_path / "catalogue")
    out = tmp_path / "site"
    cache.build(root, out, TODAY, edition, parts=1)
    assert cache.path_for(root, edition).is_file() and not (root / ".citycat-cache").exists()
    text = (root / "datasets.yaml").read_text("utf-8")
    ids = [line.split("id: ")[1] for line in text.split("\n") if line.startswith("  - id: ")]
    untouched = out / f"datasets/{ids[20]}/index.html"  # a page none of the edits changes
    for name, make_edit in edits.items():
        before = os.stat(untouched).st_ino
        make_edit(root)
        cache.build(root, out, TODAY, edition, parts=1)
        linked = os.stat(untouched).st_ino == before  # kept from the last build
        assert linked == (name != "a register"), name  # a register changed: a full build
        assert (out / MARKER).is_file()
        assert_same_as_cold(root, out, tmp_path, edition)


def test_an_error_is_refused_and_the_cache_still_serves(tmp_path):
    root = copy_catalogue(tmp_path / "catalogue")
    out = tmp_path / "site"
    cache.build(root, out, TODAY, parts=1)
    page = out / f"datasets/{FIRST}/index.html"
    before = page.read_bytes()
    edit(root, "    access: open\n", "    access: opne\n")
    with pytest.raises(BuildError) as refused:
        cache.build(root, out, TODAY, parts=1)
    assert refused.value.findings and all(f.level == "error" for f in refused.value.findings)
    assert page.read_bytes() == before and not list(tmp_path.glob(".site.*"))
    edit(root, "    access: opne\n", "    access: open\n")
    other = next(p for p in (out / "datasets").glob("*/index.html") if FIRST not in str(p))
    kept = os.stat(other).st_ino
    cache.build(root, out, TODAY, parts=1)
    assert os.stat(other).st_ino == kept
    assert_same_as_cold(root, out, tmp_path, "public")


def test_a_cache_of_another_output_or_a_changed_output_is_not_used(tmp_path):
    root = copy_catalogue(tmp_path / "catalogue")
    out = tmp_path / "site"
    cache.build(root, out, TODAY, parts=1)
    (out / "static" / "style.css").unlink()
    (out / MARKER).write_text("written by citycat build\n", "utf-8")  # another build wrote it since
    cache.build(root, out, TODAY, parts=1)
    assert (out / "static" / "style.css").is_file()
    other = tmp_path / "other"
    cache.build(root, other, TODAY, parts=1)  # no cache for this folder: a full build
    assert_same_as_cold(root, other, tmp_path, "public")
    cache.path_for(root, "public").write_bytes(b"not a pickle")
    cache.build(root, other, TODAY, parts=1)
    assert_same_as_cold(root, other, tmp_path, "public")


def test_the_command_keeps_state_only_when_asked(tmp_path):
    # citycat build is a full build that keeps nothing; --dirty keeps its state and uses it
    import subprocess
    import sys

    root = copy_catalogue(tmp_path / "catalogue")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}

    def citycat_build(*more: str) -> str:
        command = [sys.executable, "-m", "citycat", "build", "-C", str(root), "--out", str(tmp_path / "site")]
        done = subprocess.run(
            [*command, "--today", TODAY.isoformat(), *more], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    citycat_build()
    assert not (tmp_path / "user-cache").exists()
    citycat_build("--dirty")
    assert list((tmp_path / "user-cache" / "citycat").glob("*.pickle"))
    EDITS["a word"](root)
    citycat_build("--dirty")
    assert_same_as_cold(root, tmp_path / "site", tmp_path, "public")
