"""The standard files a new catalogue starts from, carried inside the installed package.

``citycat init`` must work from a wheel, where the repository's ``catalogue/``, ``schemas/`` and
``site/`` are not beside the code. Building a wheel (``setup.py``'s ``build_py``) writes
``template/`` next to this module: a copy of each file ``SOURCES`` names, byte for byte
(``datasets.yaml`` only up to its ``datasets:`` line: the header comments). In a checkout (an
editable install, the tests) there is no copy to keep up to date: the files are read from the
repository itself. ``tests/test_init.py`` builds a wheel and finds the copy in it.

Dot-files are stored without their dot (``github/…``, ``gitlab-ci.yml``): package data globs
skip hidden names. ``TARGETS`` maps a stored name back to the path a catalogue has.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

# repository path → stored path under template/ (a folder: every file below it, recursively)
SOURCES: dict[str, str] = {
    "catalogue/themes.yaml": "catalogue/themes.yaml",
    "catalogue/licences.yaml": "catalogue/licences.yaml",
    "catalogue/vocabularies.yaml": "catalogue/vocabularies.yaml",
    "schemas/catalogue": "schemas/catalogue",
    "schemas/shared/fields.json": "schemas/shared/fields.json",
    "site": "site",
    ".github/workflows/catalogue.yml": "github/workflows/catalogue.yml",
    ".gitlab-ci.yml": "gitlab-ci.yml",
    "CONTRIBUTING.md": "CONTRIBUTING.md",
    "docs/format.md": "docs/format.md",
    "docs/checks.md": "docs/checks.md",  # from the check registry (the bad cases give its examples)
    "datasets.yaml": "datasets-header.yaml",
}
TARGETS = {stored: repo for repo, stored in SOURCES.items()}
HEADER_END = "\ndatasets:"  # datasets.yaml is kept up to here (its header comments)


def repository() -> Path:
    """citycat's own repository (the folder that holds ``src/``), where the sources are."""
    return Path(__file__).resolve().parents[3]


def expected(repo: Path) -> dict[str, bytes]:
    """What ``template/`` must hold, by stored path, read from the repository ``repo``."""
    out: dict[str, bytes] = {}
    for source, stored in SOURCES.items():
        path = repo / source
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                out[f"{stored}/{file.relative_to(path).as_posix()}"] = file.read_bytes()
        else:
            data = path.read_bytes()
            if source == "datasets.yaml":
                text = data.decode("utf-8")
                data = text[: text.index(HEADER_END)].encode("utf-8") + b"\n"
            out[stored] = data
    return out


def stored() -> dict[str, bytes]:
    """The standard files by stored path: ``template/`` of an installed wheel (read with
    importlib.resources), else the repository this module sits in."""
    template = resources.files("citycat.init").joinpath("template")
    if not template.is_dir():
        return expected(repository())
    out: dict[str, bytes] = {}

    def walk(node, prefix: str) -> Iterator[tuple[str, bytes]]:
        for child in node.iterdir():
            name = f"{prefix}{child.name}"
            if child.is_dir():
                yield from walk(child, name + "/")
            elif child.is_file():
                yield name, child.read_bytes()

    out.update(walk(template, ""))
    return dict(sorted(out.items()))


def write(folder: Path, repo: Path | None = None) -> int:
    """Write the copy into ``folder`` (a wheel's ``citycat/init/template``) from the repository;
    returns how many files it holds."""
    import shutil

    repo = repo or repository()
    files = expected(repo)
    shutil.rmtree(folder, ignore_errors=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return len(files)
