"""The editor's JSON Schema of datasets.yaml: a valid JSON Schema that accepts the real
catalogue, rejects the mistakes citycat validate rejects, and works in an ECMAScript engine."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from citycat.cli import app
from citycat.feeds import editorschema as feed
from citycat.feeds import names as feed_names
from citycat.feeds.editorschema import PATH, SITE_PATH, editor_schema, render
from citycat.source.load import load
from tests.conftest import CASES, ROOT, TODAY, assemble, need_program

runner = CliRunner()


def as_editor_sees(value):
    """datasets.yaml as an editor's YAML 1.2 parser sees it: dates are text."""
    if isinstance(value, dict):
        return {k: as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def schema():
    return editor_schema(load(ROOT).catalogue)


def validator(schema):
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def errors(schema, doc) -> list[str]:
    return sorted(f"{e.json_path}: {e.message}" for e in validator(schema).iter_errors(as_editor_sees(doc)))


def test_it_is_a_valid_draft_7_schema(schema):
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] == "https://dulieu.hanoi.gov.vn/schema/datasets.schema.json"


def test_it_accepts_the_catalogue_and_the_good_case(schema):
    for path in (ROOT / "datasets.yaml", CASES / "good" / "datasets.yaml"):
        doc = yaml.safe_load(path.read_text("utf-8"))
        assert errors(schema, doc) == [], path


def test_codes_come_from_the_registers_with_their_labels(schema):
    props = schema["definitions"]["dataset"]["properties"]
    c = load(ROOT).catalogue
    ids = lambda register: [r.id for r in c.register_lists[register]]  # noqa: E731 - in file order
    assert props["agency"]["enum"] == ids("agencies")
    assert "Sở Y tế — Department of Health" in props["agency"]["markdownEnumDescriptions"]
    assert props["themes"]["items"]["enum"] == ids("themes")
    assert props["sharing"]["properties"]["consumers"]["items"]["enum"] == ids("agencies")
    assert set(props["access"]["enum"]) == {"open", "shared", "internal"}
    dist = props["distributions"]["items"]["properties"]
    assert "CSV" in dist["format"]["enum"]
    # labels in Vietnamese from the Table Schemas' titles, descriptions from their descriptions
    assert props["agency"]["description"].startswith("Cơ quan chủ quản. Owning agency")
    assert "Bắt buộc / Required." in props["due"]["description"]
    assert "Nên có / Recommended." in props["issued"]["description"]


def good_doc():
    return yaml.safe_load((CASES / "good" / "datasets.yaml").read_text("utf-8"))


def broken(change) -> dict:
    doc = good_doc()
    change(doc["datasets"][0], doc["datasets"][1])
    return doc


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda a, b: a.update(agency="so-y-tee"), "$.datasets[0].agency"),
        (lambda a, b: a.update(license="cc-by"), "$.datasets[0]"),  # a misspelt field
        (lambda a, b: a.pop("licence"), "$.datasets[0]"),  # open data needs a licence
        (lambda a, b: a.update(personal_data=True), "$.datasets[0].personal_data"),  # not in open data
        (lambda a, b: b.pop("legal_basis"), "$.datasets[1]"),  # shared data needs a legal basis
        (lambda a, b: a.update(id="Danh Sach"), "$.datasets[0].id"),
        (lambda a, b: a.update(due="15/12/2026"), "$.datasets[0].due"),
        (lambda a, b: a.update(personal_data="không"), "$.datasets[0].personal_data"),
        (lambda a, b: a["title"].pop("vi"), "$.datasets[0].title"),
        (lambda a, b: a.update(themes=["y-te", "y-te"]), "$.datasets[0].themes"),
        (lambda a, b: a.update(spatial=[1]), "$.datasets[0].spatial[0]"),  # 01 unquoted is a number
        (lambda a, b: a["distributions"][0].pop("download_url"), "$.datasets[0].distributions[0]"),
        (lambda a, b: a["distributions"][0].update(format="csv"), "$.datasets[0].distributions[0].format"),
        (lambda a, b: a["contact"].update(email="nghiepvuduoc"), "$.datasets[0].contact.email"),
        (lambda a, b: a.update(landing_page="javascript:alert(1)"), "$.datasets[0].landing_page"),
    ],
)
def test_it_rejects_mistakes(schema, change, where):
    found = errors(schema, broken(change))
    assert found and all(f.startswith(where) for f in found), found


@pytest.mark.parametrize(
    "case",
    [
        "reference-missing-agency",
        "unknown-field-license",
        "licence-required",
        "legal-basis-required",
        "personal-data-open",
        "field-pattern-id",
        "distribution-url-missing",
        "field-type-boolean",
        "field-type-date",
        "field-required-title",
        "field-length",
    ],
)
def test_it_rejects_what_validate_rejects(schema, case):
    doc = yaml.safe_load((CASES / "bad" / case / "datasets.yaml").read_text("utf-8"))
    assert errors(schema, doc), case


def test_patterns_mean_the_same_in_an_editors_regular_expressions(schema):
    """VS Code runs patterns as ECMAScript regular expressions, where \\w is ASCII only."""
    node = need_program("node", "Debian: apt-get install nodejs")
    keyword = schema["definitions"]["dataset"]["properties"]["keywords"]["properties"]["vi"]["items"][
        "pattern"
    ]
    words = ["nhà thuốc", "giấy phép hoạt động", "Đường phố", "ạ ỹ ư ơ đ", "GPP", "x"]
    script = (
        "const [p, ...w] = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(w.map(s => new RegExp(p, 'u').test(s))))"
    )
    out = subprocess.run([node, "-e", script, json.dumps([keyword, *words])], capture_output=True, text=True)
    assert json.loads(out.stdout) == [True, True, True, True, True, False]


def test_the_repository_copy_is_up_to_date_and_datasets_yaml_points_to_it():
    assert (ROOT / PATH).read_bytes() == render(load(ROOT).catalogue), "run `citycat schema`"
    first = (ROOT / "datasets.yaml").read_text("utf-8").split("\n", 1)[0]
    assert first == f"# yaml-language-server: $schema={PATH}"


def test_schema_command_writes_checks_and_prints(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    out = runner.invoke(app, ["schema", "-C", str(root), "--check"])
    assert out.exit_code == 1 and "citycat schema" in out.output
    out = runner.invoke(app, ["schema", "-C", str(root)])
    assert out.exit_code == 0, out.output
    written = json.loads((root / PATH).read_text("utf-8"))
    agency = written["definitions"]["dataset"]["properties"]["agency"]
    assert set(agency["enum"]) == set(load(root).catalogue.agencies)
    assert runner.invoke(app, ["schema", "-C", str(root), "--check"]).exit_code == 0
    printed = runner.invoke(app, ["schema", "-C", str(root), "-o", "-"])
    assert json.loads(printed.output) == written
    # a new agency in the register makes the copy stale
    agencies = root / "catalogue" / "agencies.yaml"
    text = agencies.read_text("utf-8")
    agencies.write_text(text.replace("  - id: so-y-te\n", "  - id: so-moi\n", 1), "utf-8")
    assert runner.invoke(app, ["schema", "-C", str(root), "--check"]).exit_code == 1


def test_published_on_the_site():
    assert "editorschema" in feed_names()
    c = load(ROOT).catalogue
    ((path, data),) = list(feed.files(c, TODAY, "public"))
    assert path == SITE_PATH and json.loads(data) == editor_schema(c)
    assert feed.dataset_links(c, c.datasets[0].id) == []
