"""Attacks on the repository's own files (issue 18, defects 1 and 8): a pull request that makes a
file of the catalogue a symbolic link leading outside the repository, and files too large to read.

Each symlink leads to a file outside the catalogue holding a secret (as ``/proc/self/environ``
holds a CI job's tokens) written so that it would be read, printed or published if followed: a
valid YAML file with the secret as a title, a first line that is a YAML error (``validate`` prints
the line of an error). The secret must appear in no output, no printed line, no site file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citycat.checks import output
from citycat.pipeline.build import BuildError, build
from citycat.pipeline.validate import validate
from citycat.source import paths
from citycat.source.inputs import default_theme
from tests.conftest import CASES, TODAY, assemble

SECRET = "s3cr3t-TOKEN-9f2c"


def _catalogue(tmp_path: Path) -> Path:
    return assemble(tmp_path / "repo", CASES / "good")


def _secret_yaml(good: Path, rel: str) -> str:
    """The catalogue's own ``rel`` with the secret put in as its first line: a YAML error (printed
    as a source line) when the file is read."""
    return f"{SECRET}: [\n" + (good / rel).read_text("utf-8")


def _link(root: Path, rel: str, outside: Path, text: str) -> None:
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_text(text, "utf-8")
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(outside)


def _with_theme(root: Path) -> Path:
    """The catalogue with its own copy of the theme (``site/``), as a pull request may bring."""
    shutil.copytree(default_theme(), root / "site")
    return root / "site"


def _valid_settings(good: Path) -> str:
    text = (good / "catalogue/settings.yaml").read_text("utf-8")
    return text.replace("title:", f"# {SECRET}\ntitle:", 1).replace("vi: ", f"vi: {SECRET} ", 1)


# kind: (the file made a link, the text of what it leads to)
KINDS = {
    "datasets.yaml": ("datasets.yaml", lambda good: _secret_yaml(good, "datasets.yaml")),
    "register": ("catalogue/agencies.yaml", lambda good: _secret_yaml(good, "catalogue/agencies.yaml")),
    "settings": ("catalogue/settings.yaml", _valid_settings),
    "catalogue schema": (
        "schemas/catalogue/agencies.json",
        lambda good: '{"fields": [{"name": "' + SECRET + '"}]}',
    ),
}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "citycat", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_catalogue_file_linked_outside_is_refused_by_validate(kind, tmp_path):
    root = _catalogue(tmp_path)
    rel, text = KINDS[kind]
    _link(root, rel, tmp_path / "outside" / Path(rel).name, text(root))
    result = validate(root, TODAY, use_cache=False)
    assert ("file-outside", rel) in [(f.code, f.loc.file if f.loc else None) for f in result.findings]
    assert not result.ok()
    for lang in ("vi", "en"):
        done = _cli(
            "validate", "--root", str(root), "--no-cache", "--today", TODAY.isoformat(), "--lang", lang
        )
        assert done.returncode == 1
        assert "file-outside" in done.stdout and rel in done.stdout
        assert SECRET not in done.stdout + done.stderr
    assert "liên kết" in _cli("validate", "--root", str(root), "--no-cache", "--lang", "vi").stdout


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_catalogue_file_linked_outside_refuses_the_build(kind, tmp_path):
    root = _catalogue(tmp_path)
    rel, text = KINDS[kind]
    _link(root, rel, tmp_path / "outside" / Path(rel).name, text(root))
    with pytest.raises(BuildError) as caught:
        build(root, tmp_path / "public", TODAY)
    assert "file-outside" in {f.code for f in caught.value.findings}
    assert not (tmp_path / "public").exists()


def test_a_dataset_schema_and_a_sample_linked_outside_are_refused(tmp_path):
    root = _catalogue(tmp_path)
    dataset = next(d for d in validate(root, TODAY, use_cache=False, need_catalogue=True).catalogue.datasets
                   if d.get("schema") and any(x.get("sample") for x in d.distributions))  # fmt: skip
    schema = d_schema = dataset.get("schema")
    sample = next(x.get("sample") for x in dataset.distributions if x.get("sample"))
    _link(root, schema, tmp_path / "outside/schema.json", '{"fields": [{"name": "' + SECRET + '"}]}')
    _link(root, sample, tmp_path / "outside/sample.csv", f"{SECRET}\n1\n")
    result = validate(root, TODAY, use_cache=False)
    found = {(f.code, f.params.get("file")) for f in result.findings}
    assert ("file-outside", d_schema) in found and ("file-outside", sample) in found
    assert "path-outside" not in {f.code for f in result.findings}  # the path's text was fine
    for lang in ("vi", "en"):
        done = _cli(
            "validate", "--root", str(root), "--no-cache", "--today", TODAY.isoformat(), "--lang", lang
        )
        assert done.returncode == 1 and SECRET not in done.stdout + done.stderr
    with pytest.raises(BuildError):
        build(root, tmp_path / "public", TODAY)
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize("rel", ["static/leak.txt", "templates/404.html", "i18n/en.yaml"])
def test_a_theme_file_linked_outside_refuses_the_build(rel, tmp_path):
    root = _catalogue(tmp_path)
    theme = _with_theme(root)
    _link(theme, rel, tmp_path / "outside/passwd", f"root:x:0:0:{SECRET}:/root:/bin/sh\n")
    with pytest.raises(BuildError) as caught:
        build(root, tmp_path / "public", TODAY)
    assert [(f.code, f.loc.file) for f in caught.value.findings] == [("file-outside", f"site/{rel}")]
    assert not (tmp_path / "public").exists()
    done = _cli("build", "--root", str(root), "--out", str(tmp_path / "public"), "--today", TODAY.isoformat())
    assert done.returncode == 1
    assert f"site/{rel}" in done.stderr and "liên kết" in done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert not (tmp_path / "public").exists()


def test_a_symlink_inside_the_repository_is_fine(tmp_path):
    root = _catalogue(tmp_path)
    theme = _with_theme(root)
    (root / "docs").mkdir()
    (root / "docs/agencies.yaml").write_bytes((root / "catalogue/agencies.yaml").read_bytes())
    (root / "catalogue/agencies.yaml").unlink()
    (root / "catalogue/agencies.yaml").symlink_to("../docs/agencies.yaml")
    (root / "logo.txt").write_text("our logo\n", "utf-8")
    (theme / "static/logo.txt").symlink_to("../../logo.txt")
    assert validate(root, TODAY, use_cache=False).ok()
    built = build(root, tmp_path / "public", TODAY)
    assert (built.out / "static/logo.txt").read_text("utf-8") == "our logo\n"


def test_the_source_line_printer_never_prints_a_line_from_outside(tmp_path):
    root = _catalogue(tmp_path)
    _link(root, "catalogue/themes.yaml", tmp_path / "outside/environ", f"TOKEN={SECRET}\n")
    assert output._source_line(root, "catalogue/themes.yaml", 1, {}) is None
    assert output._source_line(root, "../outside/environ", 1, {}) is None
    assert output._source_line(root, "datasets.yaml", 1, {}) is not None  # (a file inside is printed)


def test_the_one_reader_refuses_what_leads_out_and_not_what_stays(tmp_path):
    root = _catalogue(tmp_path)
    (tmp_path / "outside.txt").write_text(SECRET, "utf-8")
    (root / "a.txt").symlink_to(tmp_path / "outside.txt")
    (root / "b.txt").symlink_to("datasets.yaml")
    (root / "c").symlink_to(tmp_path)  # a folder that leads out
    with pytest.raises(paths.Outside):
        paths.read(root, root / "a.txt")
    with pytest.raises(paths.Outside):
        paths.read(root, root / "c/outside.txt")
    with pytest.raises(paths.Outside):
        paths.read(root, root / "../outside.txt")
    with pytest.raises(paths.NotAFile):
        paths.read(root, root / "catalogue")
    assert paths.read(root, root / "b.txt") == (root / "datasets.yaml").read_bytes()


# --- defect 8: size caps ---------------------------------------------------------------------


def _sparse(path: Path, size: int) -> None:
    """A file that says it holds ``size`` bytes and takes no room on disk."""
    path.unlink(missing_ok=True)
    with path.open("wb") as fh:
        fh.truncate(size)


@pytest.mark.parametrize(
    "rel, cap",
    [("datasets.yaml", paths.DATASETS_CAP), ("catalogue/agencies.yaml", paths.REGISTER_CAP)],
)
def test_a_file_over_its_cap_is_refused_before_it_is_read(rel, cap, tmp_path, monkeypatch):
    root = _catalogue(tmp_path)
    _sparse(root / rel, cap + 1)

    from citycat.source import yamlsafe

    real = yamlsafe.load_bytes

    def checked(data, name, *args):
        assert name != rel, "a file over its cap was read"
        return real(data, name, *args)

    monkeypatch.setattr(yamlsafe, "load_bytes", checked)
    result = validate(root, TODAY, use_cache=False)
    found = [f for f in result.findings if f.code == "file-too-large"]
    assert [f.loc.file for f in found] == [rel]
    assert found[0].params == {"file": rel, "size": paths.megabytes(cap + 1), "cap": paths.megabytes(cap)}
    assert "MB" in found[0].message("en") and "giới hạn" in found[0].message("vi")
    assert not result.ok()
    with pytest.raises(BuildError):
        build(root, tmp_path / "public", TODAY)
    assert not (tmp_path / "public").exists()


def test_the_cap_holds_while_reading_a_file_that_grows(tmp_path, monkeypatch):
    """The size on disk is checked first; the read stops one byte past the cap all the same (a
    file that grows meanwhile, or one whose size the system does not give)."""
    root = _catalogue(tmp_path)
    real_fstat = paths.os.fstat

    class Small:
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 0

    monkeypatch.setattr(paths.os, "fstat", lambda fd: Small(real_fstat(fd)))
    monkeypatch.setitem(paths.LIMITS, "datasets.yaml", 1000)
    with pytest.raises(paths.TooLarge) as caught:
        paths.read(root, root / "datasets.yaml")
    assert caught.value.size == 1001  # read no further than the cap and one byte
    result = validate(root, TODAY, use_cache=False)
    assert "file-too-large" in {f.code for f in result.findings}


def test_the_caps_are_documented():
    text = (Path(__file__).resolve().parents[1] / "docs/security.md").read_text("utf-8")
    section = text.split("## The repository's own files")[1].split("\n## ")[0]
    for cap in (paths.DATASETS_CAP, paths.REGISTER_CAP, paths.FILE_CAP):
        assert f"{cap // paths.MB} MB" in section
    assert "file-outside" in section and "file-too-large" in section
