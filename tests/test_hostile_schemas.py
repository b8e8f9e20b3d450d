"""Issue 18, defect 12, as attacks: the catalogue's own schemas (``schemas/catalogue/*.json``)
come by pull request. Every malformed one, and an id ``..`` once the id pattern is removed from
the editable schema, must be a finding naming the file: exit 1, never "internal error", and
``build`` writes nothing. Each variant goes through ``citycat validate`` and ``citycat build``
as a user runs them (in this process: ``citycat.cli.main``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from citycat.cli import main
from tests.conftest import CASES, assemble


def _field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def _number_field(schema: dict) -> dict:
    return next(f for f in schema["fields"] if f.get("type") in ("integer", "number"))


# (name, file in schemas/catalogue/, change to its JSON value; a returned value replaces it)
VARIANTS = [
    (
        "no id field",
        "datasets.json",
        lambda s: s.update(fields=[f for f in s["fields"] if f["name"] != "id"]),
    ),
    ("no id field in a register", "agencies.json", lambda s: s.update(fields=s["fields"][1:])),
    (
        "NaN minLength",
        "datasets.json",
        lambda s: _field(s, "title.vi")["constraints"].update(minLength=math.nan),
    ),
    (
        "NaN minimum",
        "distributions.json",
        lambda s: _number_field(s).setdefault("constraints", {}).update(minimum=math.nan),
    ),
    (
        "Infinity maximum",
        "distributions.json",
        lambda s: _number_field(s).setdefault("constraints", {}).update(maximum=math.inf),
    ),
    (
        "text minLength",
        "datasets.json",
        lambda s: _field(s, "title.vi")["constraints"].update(minLength="five"),
    ),
    (
        "text minimum on text",
        "datasets.json",
        lambda s: _field(s, "title.vi")["constraints"].update(minimum="x"),
    ),
    ("nested title", "datasets.json", lambda s: _field(s, "title.vi").update(title={"a": [1]})),
    ("nested name", "datasets.json", lambda s: s["fields"][1].update(name={"a": 1})),
    ("nested name in settings", "settings.json", lambda s: s["fields"][1].update(name=["a"])),
    (
        "nested description-vi",
        "datasets.json",
        lambda s: _field(s, "id").update({"x-description-vi": {"a": 1}}),
    ),
    ("unknown type", "datasets.json", lambda s: _field(s, "title.vi").update(type="banana")),
    ("list type", "datasets.json", lambda s: _field(s, "title.vi").update(type=["string"])),
    ("no fields", "datasets.json", lambda s: s.pop("fields")),
    ("no fields in distributions", "distributions.json", lambda s: s.pop("fields")),
    ("fields is text", "datasets.json", lambda s: s.update(fields="id")),
    ("a field is text", "agencies.json", lambda s: s["fields"].append("oops")),
    ("a field twice", "datasets.json", lambda s: s["fields"].append(dict(s["fields"][2]))),
    ("nested pattern", "datasets.json", lambda s: _field(s, "id")["constraints"].update(pattern={"x": 1})),
    ("constraints is a list", "datasets.json", lambda s: _field(s, "title.vi").update(constraints=[1])),
    ("enum is text", "datasets.json", lambda s: _field(s, "title.vi")["constraints"].update(enum="abc")),
    (
        "required is text",
        "datasets.json",
        lambda s: _field(s, "title.vi")["constraints"].update(required="yes"),
    ),
    ("schema is a list", "datasets.json", lambda s: [1, 2]),
    ("primary key of no field", "datasets.json", lambda s: s.update(primaryKey=["nope"])),
    (
        "foreign key to no table",
        "datasets.json",
        lambda s: s.update(
            foreignKeys=[{"fields": ["agency"], "reference": {"resource": "nope", "fields": ["id"]}}]
        ),
    ),
    (
        "foreign key to no field",
        "datasets.json",
        lambda s: s.update(
            foreignKeys=[{"fields": ["agency"], "reference": {"resource": "agencies", "fields": ["nope"]}}]
        ),
    ),
    (
        "nested foreign key",
        "datasets.json",
        lambda s: s.update(foreignKeys=[{"fields": {"a": 1}, "reference": 3}]),
    ),
    ("package: no resources", "datapackage.json", lambda s: s.pop("resources")),
    ("package: a resource is text", "datapackage.json", lambda s: s["resources"].append("x")),
    (
        "package: no datasets table",
        "datapackage.json",
        lambda s: s.update(resources=[r for r in s["resources"] if r["name"] != "datasets"]),
    ),
    (
        "package: schema outside",
        "datapackage.json",
        lambda s: s["resources"][0].update(schema="../../catalogue/settings.yaml"),
    ),
    (
        "package: nested citycat key",
        "datapackage.json",
        lambda s: s["resources"][3]["citycat"].update(key={"a": 1}),
    ),
    (
        "package: unknown parent",
        "datapackage.json",
        lambda s: s["resources"][1]["citycat"].update(parent="nope"),
    ),
    ("package: a table twice", "datapackage.json", lambda s: s["resources"].append(dict(s["resources"][0]))),
    (
        "package: missing schema file",
        "datapackage.json",
        lambda s: s["resources"][0].update(schema="nope.json"),
    ),
]


def run(root: Path, capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--root", str(root), "--lang", "en"])
    out = capsys.readouterr()
    return exit_.value.code, out.out + out.err


def hostile(tmp_path: Path, file: str, change) -> Path:
    root = assemble(tmp_path / "catalogue", CASES / "good")
    path = root / "schemas" / "catalogue" / file
    value = json.loads(path.read_text("utf-8"))
    changed = change(value)
    path.write_text(json.dumps(value if changed is None or changed is value else changed, indent=2), "utf-8")
    return root


@pytest.mark.parametrize(("file", "change"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS])
def test_a_malformed_catalogue_schema_is_a_finding_naming_its_file(
    tmp_path, capsys, monkeypatch, file, change
):
    monkeypatch.delenv("CITYCAT_DEBUG", raising=False)
    root = hostile(tmp_path, file, change)
    code, said = run(root, capsys, "validate")
    assert code == 1, said
    assert "internal error" not in said and "Traceback" not in said
    assert "schemas/catalogue/" in said, said  # the finding names the file
    out = tmp_path / "site"
    code, said = run(root, capsys, "build", "--out", str(out))
    assert code == 1, said
    assert "internal error" not in said and "Traceback" not in said
    assert not out.exists()


@pytest.mark.parametrize("value", ["..", ".", "a/../../x", "../etc", ".git", "a\\b", "x y", "a?b", "a#b"])
def test_an_unsafe_id_never_becomes_a_path_without_the_schemas_pattern(tmp_path, capsys, monkeypatch, value):
    """The id pattern removed from the editable schema: citycat's own rule still refuses."""
    monkeypatch.delenv("CITYCAT_DEBUG", raising=False)
    root = assemble(tmp_path / "catalogue", CASES / "good", CASES / "bad" / "id-unsafe")
    path = root / "datasets.yaml"
    path.write_text(path.read_text("utf-8").replace('id: ".."', f"id: {json.dumps(value)}", 1), "utf-8")
    code, said = run(root, capsys, "validate")
    assert code == 1 and "id-unsafe" in said and "datasets.yaml:3" in said, said
    out = tmp_path / "site"
    code, said = run(root, capsys, "build", "--out", str(out))
    assert code == 1 and "internal error" not in said, said
    assert not out.exists() and not (tmp_path / "dataset").exists()


def test_the_schemas_own_id_rule_is_said_once(make_case, capsys):
    """With the pattern in place, an id '..' is the pattern's finding, not two."""
    root = make_case("id-unsafe")
    (root / "schemas" / "catalogue").joinpath("datasets.json").write_text(
        (Path(__file__).resolve().parent.parent / "schemas" / "catalogue" / "datasets.json").read_text(
            "utf-8"
        ),
        "utf-8",
    )
    code, said = run(root, capsys, "validate")
    assert code == 1 and "id-unsafe" not in said and "datasets.yaml:3" in said, said


def test_out_of_memory_is_said_not_reported_as_a_bug(monkeypatch, capsys, tmp_path):
    import citycat.pipeline.validate as validate

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.delenv("CITYCAT_DEBUG", raising=False)
    monkeypatch.setattr(validate, "validate", exhausted)
    root = assemble(tmp_path / "catalogue", CASES / "good")
    code, said = run(root, capsys, "validate")
    assert code == 2 and "out of memory" in said and "internal error" not in said, said
