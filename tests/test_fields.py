"""docs/fields.md is generated from the Table Schemas and registers and documents every field;
CONTRIBUTING.md leads to it and to the check reference, in both languages."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from citycat.checks.docs import fields_markdown
from citycat.cli import app
from citycat.source.load import load
from tests.conftest import CASES, ROOT, assemble

runner = CliRunner()


def test_docs_fields_is_generated_from_the_schemas_and_registers():
    c = load(ROOT).catalogue
    assert (ROOT / "docs" / "fields.md").read_text("utf-8") == fields_markdown(c.meta, c.register_lists), (
        "docs/fields.md is stale: run `citycat fields > docs/fields.md`"
    )


def test_every_field_and_every_code_is_documented():
    text = (ROOT / "docs" / "fields.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", text, re.M))
    for table, prefix in (("datasets", ""), ("distributions", "distributions.")):
        schema = json.loads((ROOT / "schemas" / "catalogue" / f"{table}.json").read_text("utf-8"))
        for field in schema["fields"]:
            if field["name"] not in ("dataset_id", "position"):
                assert prefix + field["name"] in documented, field["name"]
                assert field.get("title"), f"{table}.{field['name']} has no Vietnamese title"
    for name in ("themes", "keywords.vi", "sharing.methods", "sharing.consumers", "spatial", "internal"):
        assert name in documented, name
    c = load(ROOT).catalogue
    for agency in c.agencies:
        assert f"| `{agency}` |" in text


def test_fields_command_follows_the_registers(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    themes = root / "catalogue" / "themes.yaml"
    before = runner.invoke(app, ["fields", "-C", str(root)]).output
    themes.write_text(
        themes.read_text("utf-8").replace("  - id: y-te\n", "  - id: y-te-cong-dong\n", 1), "utf-8"
    )
    after = runner.invoke(app, ["fields", "-C", str(root)]).output
    assert "| `y-te` |" in before and "| `y-te-cong-dong` |" in after


def test_contributing_guide_in_both_languages_links_the_references():
    text = (ROOT / "CONTRIBUTING.md").read_text("utf-8")
    assert text.index("## Tiếng Việt") < text.index("## English")
    for link in ("docs/fields.md", "docs/checks.md", "docs/format.md"):
        assert f"]({link}" in text and (ROOT / link).is_file()
    for command in ("citycat new", "citycat validate --changed-since", "citycat diff", "citycat fmt"):
        assert command in text
    assert "schemas/editor/datasets.schema.json" in text
    assert "](CONTRIBUTING.md)" in (ROOT / "README.md").read_text("utf-8")
