"""citycat's row-by-row Frictionless run gives exactly the errors of ``Package.validate``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from citycat.checks.tablecheck import comparable, validate_package, validate_rows
from citycat.source.load import load
from citycat.source.tables import build_tables
from tests.conftest import CASES, ROOT, assemble

BAD = sorted(p.name for p in (CASES / "bad").iterdir() if (p / "case.yaml").is_file())


def both(root):
    tables = build_tables(load(root).catalogue)
    return comparable(validate_rows(tables)), comparable(validate_package(tables))


@pytest.mark.parametrize("name", BAD)
def test_same_errors_as_frictionless_package_on_bad_case(name, tmp_path):
    from citycat.source.yamlsafe import FatalYAML

    root = assemble(tmp_path / name, CASES / "good", CASES / "bad" / name)
    try:
        fast, reference = both(root)
    except FatalYAML as fatal:  # the catalogue's own package is unusable: no table is checked
        assert [f.code for f in fatal.findings] == ["package-invalid"], name
        return
    assert fast == reference


def test_same_errors_on_the_starter_catalogue():
    fast, reference = both(ROOT)
    assert fast == reference == set()


def test_same_errors_on_a_generated_catalogue_with_mistakes(tmp_path):
    out = tmp_path / "gen"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "150", str(out)], check=True)
    text = (out / "datasets.yaml").read_text("utf-8")
    # a handful of mistakes of every kind the Table Schemas catch, spread over the file
    text = text.replace("access: open", "access: opne", 3).replace("format: CSV", "format: CVS", 2)
    text = text.replace("licence: cc-by", "licence: cc-byy", 2).replace("2026-0", "2026-13-0", 2)
    (out / "datasets.yaml").write_text(text, "utf-8")
    fast, reference = both(out)
    assert fast == reference and len(reference) >= 5
