"""Whatever a pull request writes, ``validate`` answers with findings, never a traceback.

Each line of the good catalogue's datasets.yaml is broken in several ways (deleted, doubled,
its value replaced by a list, a mapping, null, a negative number, a nested alias) and the whole
catalogue is validated in process: any exception fails the test.
"""

from __future__ import annotations

import re

import pytest

from citycat.pipeline.validate import validate
from tests.conftest import CASES, TODAY, assemble

MUTATIONS = ["[1, 2]", "{a: b}", "null", "-5", "''", "2026-02-30", "*x"]


def mutants(lines: list[str]):
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield f"delete {i + 1}", lines[:i] + lines[i + 1 :]
        yield f"double {i + 1}", lines[: i + 1] + [line] + lines[i + 1 :]
        m = re.match(r"^(\s*(?:- )?[\w.]+:)\s*(.*)$", line)
        if m and m.group(2):
            for value in MUTATIONS:
                yield f"{value} at {i + 1}", lines[:i] + [f"{m.group(1)} {value}"] + lines[i + 1 :]


@pytest.mark.parametrize("part", range(4))
def test_no_mutation_of_datasets_yaml_raises(tmp_path, part):
    root = assemble(tmp_path / "c", CASES / "good")
    lines = (root / "datasets.yaml").read_text("utf-8").split("\n")
    tried = 0
    for n, (label, mutant) in enumerate(mutants(lines)):
        if n % 4 != part:
            continue
        (root / "datasets.yaml").write_text("\n".join(mutant), "utf-8")
        try:
            result = validate(root, TODAY, use_cache=False)
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{label}: {type(exc).__name__}: {exc}")
        assert all(f.loc is None or f.loc.file for f in result.findings), label
        tried += 1
    assert tried > 50
