"""Every check is documented, in both languages, and the docs match the registry."""

from __future__ import annotations

import re
import string

from citycat.checks.docs import checks_markdown
from citycat.model.findings import registry
from tests.conftest import ROOT


def test_every_check_has_both_languages_and_a_known_severity():
    for code, check in registry().items():
        assert re.fullmatch(r"[a-z][a-z0-9-]+", code), code
        assert check.severity in ("error", "warning"), code
        assert check.group in ("load", "schema", "rule", "change"), code
        for part in (check.title, check.message, check.fix):
            assert part.get("vi", "").strip() and part.get("en", "").strip(), code


def test_messages_name_the_same_parameters_in_both_languages():
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    for code, check in registry().items():
        for part in (check.message, check.fix):
            assert fields(part["vi"]) == fields(part["en"]), code


def test_docs_document_every_check():
    text = (ROOT / "docs" / "checks.md").read_text("utf-8")
    documented = set(re.findall(r"^### `([a-z0-9-]+)`", text, re.M))
    assert documented == set(registry()), sorted(set(registry()) ^ documented)


def test_every_check_has_an_example_in_the_docs():
    from citycat.checks.docs import examples

    shown = set(examples()) | {code for code, check in registry().items() if check.example}
    assert shown == set(registry()), sorted(set(registry()) - shown)
    text = (ROOT / "docs" / "checks.md").read_text("utf-8")
    assert text.count("Ví dụ / Example (") == len(registry())


def test_docs_are_generated_from_the_registry():
    assert (ROOT / "docs" / "checks.md").read_text("utf-8") == checks_markdown(), (
        "docs/checks.md is stale: run `citycat checks --format markdown > docs/checks.md`"
    )


def test_format_guide_covers_every_dataset_field():
    import json

    guide = (ROOT / "docs" / "format.md").read_text("utf-8")
    for table in ("datasets", "distributions"):
        schema = json.loads((ROOT / "schemas" / "catalogue" / f"{table}.json").read_text("utf-8"))
        for field in schema["fields"]:
            if field["name"] in ("dataset_id", "position"):
                continue
            assert f"`{field['name']}`" in guide, f"docs/format.md does not describe {table}.{field['name']}"


def test_every_field_description_has_vietnamese_words():
    """Field descriptions reach findings' fixes ({description}): each has its Vietnamese beside it."""
    import json

    for path in sorted((ROOT / "schemas" / "catalogue").glob("*.json")):
        for field in json.loads(path.read_text("utf-8")).get("fields", ()):
            if field.get("description"):
                assert field.get("x-description-vi"), f"{path.name}: {field['name']} has no x-description-vi"


def test_contributing_walkthrough_is_generated_from_the_bad_cases():
    """CONTRIBUTING.md shows the five most common mistakes with what validate answers today."""
    from citycat.pipeline import walkthrough

    text = (ROOT / "CONTRIBUTING.md").read_text("utf-8")
    assert text == walkthrough.contributing(text), (
        "CONTRIBUTING.md's walk-through is stale: run `python -m citycat.pipeline.walkthrough`"
    )
    for name, _vi, _en in walkthrough.MISTAKES:
        assert (ROOT / "tests" / "cases" / "bad" / name / "case.yaml").is_file(), name
