"""Adding a dataset to the live ``datasets.yaml`` (the product's core use) breaks nothing.

A copy of the repository's own catalogue gets one more entry, made from its first entry with a new
id and new titles; validate, build, scores and the report take it in like any other. The tests that
count entries read the frozen ``tests/cases/starter/`` instead, so they never see the live size.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from citycat.model.findings import ERROR
from citycat.pipeline.build import build
from citycat.pipeline.validate import validate
from citycat.quality import scores
from citycat.source.inputs import CATALOGUE as INPUTS
from tests.conftest import ROOT, TODAY

NEW_ID = "bo-du-lieu-them-vao-danh-sach-de-kiem-thu"


def live_copy(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target / name)
        elif (ROOT / name).is_file():
            shutil.copyfile(ROOT / name, target / name)
    return target


def first_entry(text: str) -> tuple[str, str]:
    """(id, text) of the first entry: its ``  - id:`` line and the indented lines under it."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("  - id: "))
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    return lines[start].removeprefix("  - id: ").strip(), "\n".join(lines[start:end]) + "\n"


def new_entry(block: str, old_id: str) -> str:
    """The same entry under a new id, with its own titles and no ref (refs are unique)."""
    block = block.replace(f"  - id: {old_id}\n", f"  - id: {NEW_ID}\n", 1)
    block = re.sub(r"(?m)^    ref: .*\n", "", block)
    block, titles = re.subn(
        r'(?m)^(    title:\n      vi: ")([^"\n]*)(")', r"\1\2 (bản thêm để kiểm thử)\3", block, count=1
    )
    block = re.sub(
        r'(?m)^(    title:\n      vi: .*\n      en: ")([^"\n]*)(")', r"\1\2 (added for a test)\3", block
    )
    assert titles == 1, "the first entry's title is no longer a quoted vi/en pair: adapt this test"
    return block


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> tuple[Path, str, int]:
    """A copy of the live catalogue with one more entry: (root, the copied entry's id, entries before)."""
    root = live_copy(tmp_path_factory.mktemp("live") / "catalogue")
    before = validate(root, TODAY, use_cache=False).datasets
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    old_id, block = first_entry(text)
    path.write_text(text.rstrip("\n") + "\n\n" + new_entry(block, old_id), "utf-8")
    return root, old_id, before


def test_the_added_entry_validates(grown):
    root, _, before = grown
    result = validate(root, TODAY, use_cache=False, need_catalogue=True)
    errors = [f"{f.loc} {f.code} {f.message('en')}" for f in result.findings if f.level == ERROR]
    assert errors == []
    assert result.datasets == before + 1
    assert result.catalogue.dataset(NEW_ID) is not None


def test_the_added_entry_is_scored(grown):
    root, old_id, _ = grown
    result = validate(root, TODAY, use_cache=False, need_catalogue=True)
    all_scores = scores.score_all(result.catalogue, result.findings, TODAY)
    assert set(all_scores) == {d.id for d in result.catalogue.datasets}
    assert all_scores[NEW_ID].overall == all_scores[old_id].overall  # same fields, same score


@pytest.mark.parametrize("edition", ["public", "internal"])
def test_the_added_entry_gets_every_file_its_model_has(grown, tmp_path, edition):
    root, old_id, _ = grown
    out = tmp_path / edition
    build(root, out, TODAY, edition=edition)
    own = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and old_id in p.as_posix()]
    assert own or edition == "public", "the internal edition lists every dataset"
    for path in own:
        assert (out / path.replace(old_id, NEW_ID)).is_file(), path
    index = out / "search-index.json"
    if index.is_file():
        text = index.read_text("utf-8")
        assert (NEW_ID in text) == (old_id in text)
