"""The editing workflow's commands: ``diff``, ``summary``, ``schema``, ``fields``, ``fmt`` and ``new``.

They are registered on ``citycat.cli.app`` and share its options; like the rest of the command
line, they only parse options and call the library.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from citycat.cli import LangOption, RootOption, TodayOption, app, city_today


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"citycat: {message}", err=True)
    return typer.Exit(code)


def _catalogue_root(root: Path) -> Path:
    root = root.resolve()
    if not (root / "datasets.yaml").is_file():
        raise _fail(f"{root} is not a catalogue repository (no datasets.yaml)")
    return root


def _language(lang, default: str = "vi") -> str:
    language = lang.value if lang else default
    return language if language in ("vi", "en") else "vi"


def _compare(root: Path, ref: str, lang):
    from citycat.changes import ChangesError, compare

    try:
        return compare(root, ref)
    except ChangesError as exc:
        raise _fail(exc.text(_language(lang))) from None


def since(root: Path, result, ref: str, lang=None):
    """``validate --changed-since REF``: the findings on what changed, and what breaks users."""
    from citycat.changes import ChangesError, Unreadable, breaking, compare, keep
    from citycat.findings import Finding

    try:
        comparison = compare(root, ref)
    except Unreadable:
        return result  # datasets.yaml cannot be read at all: every finding says why
    except ChangesError as exc:
        raise _fail(exc.text(_language(lang, result.default_language))) from None
    found = keep(result.findings, comparison) + breaking(root, comparison)
    return replace(result, findings=tuple(sorted(found, key=Finding.sort_key)))


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


RefArgument = Annotated[
    str, typer.Argument(metavar="REF", help="A git commit, branch or tag, e.g. origin/main.")
]


@app.command()
def diff(
    ref: RefArgument,
    root: RootOption = Path("."),
    lang: LangOption = None,
    format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="text, json or markdown.")
    ] = DiffFormat.text,
) -> None:
    """What changed in datasets.yaml since REF, entry by entry and field by field."""
    from citycat import changeview

    root = _catalogue_root(root)
    comparison = _compare(root, ref, lang)
    language = _language(lang)
    if format is DiffFormat.json:
        typer.echo(changeview.as_json(comparison, language))
    elif format is DiffFormat.markdown:
        typer.echo("\n".join(changeview.markdown(comparison, language)).rstrip())
    else:
        for line in changeview.text(comparison, language):
            typer.echo(line)


@app.command()
def summary(
    ref: RefArgument,
    root: RootOption = Path("."),
    lang: LangOption = None,
    today: TodayOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> None:
    """A pull request's job summary in Markdown: the verdict, what changed since REF, the findings.

    For CI: `citycat summary origin/main >> "$GITHUB_STEP_SUMMARY"`. It always exits 0 when it
    could write the summary; `citycat validate` is the step that fails.
    """
    from citycat import changeview
    from citycat.validate import validate as run

    root = _catalogue_root(root)
    comparison = _compare(root, ref, lang)
    result = since(root, run(root, today or city_today()), ref, lang)
    language = _language(lang, result.default_language)
    typer.echo(changeview.summary(comparison, result.findings, language, strict), nl=False)


def _loaded(root: Path):
    """The loaded catalogue, or exit 1 with what stops it from being read."""
    from citycat.load import load
    from citycat.yamlsafe import FatalYAML

    try:
        return load(root).catalogue
    except FatalYAML as fatal:
        raise _fail(f"{fatal.finding.loc}: {fatal.finding.message('vi')}", 1) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a temporary file beside it, then renamed over it."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def schema(
    root: RootOption = Path("."),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here (relative to --root); '-' for standard output."),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the file is not up to date.")] = False,
    lang: LangOption = None,
) -> None:
    """The JSON Schema of datasets.yaml for editors, from the Table Schemas and the registers.

    By default it (re)writes schemas/editor/datasets.schema.json, which the first line of
    datasets.yaml points VS Code's YAML extension to.
    """
    from citycat.editorschema import PATH, render

    root = _catalogue_root(root)
    data = render(_loaded(root))
    if out is not None and str(out) == "-":
        typer.echo(data.decode("utf-8"), nl=False)
        return
    target = root / (out or PATH)
    vi = _language(lang) == "vi"
    if check:
        current = target.read_bytes() if target.is_file() else None
        if current != data:
            raise _fail(
                f"{target.relative_to(root)} chưa cập nhật: chạy 'citycat schema'"
                if vi
                else f"{target.relative_to(root)} is stale: run 'citycat schema'",
                1,
            )
        return
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise _fail(f"{target}: {exc.strerror or exc}") from None
    typer.echo(f"{'đã ghi' if vi else 'wrote'} {target.relative_to(root)}", err=True)


def _show_finding(finding, root: Path, language: str) -> None:
    from citycat import output

    for line in list(output.text([finding], root, language, False, None))[:-1]:
        typer.echo(line, err=True)


@app.command()
def fmt(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="YAML files to format (default: datasets.yaml).", show_default=False),
    ] = None,
    root: RootOption = Path("."),
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; exit 1 and show the difference if a file needs it."),
    ] = False,
    lang: LangOption = None,
) -> None:
    """Write datasets.yaml in the one canonical layout, keeping every comment.

    NFC text, the usual key order, two-space indentation, double quotes where quotes are needed,
    dates as YYYY-MM-DD. Running it twice changes nothing the second time.
    """
    import difflib

    from citycat.fmt import FormatError, format_text
    from citycat.yamlsafe import FatalYAML, load_file

    root = root.resolve()
    language = _language(lang)
    vi = language == "vi"
    targets = [p if p.is_absolute() else root / p for p in (files or [Path("datasets.yaml")])]
    failed = stale = False
    for path in targets:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise _fail(f"{name}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            text = None
        try:
            if text is None:
                load_file(path, name)  # raises with the place of the first byte that is not UTF-8
            done = format_text(text, name)
        except (FormatError, FatalYAML) as exc:
            _show_finding(exc.finding, root, language)
            failed = True
            continue
        if not done.changed:
            typer.echo(f"{name}: {'đã đúng định dạng' if vi else 'already formatted'}", err=True)
            continue
        if check:
            stale = True
            typer.echo(
                f"{name}: {'cần định dạng lại — chạy' if vi else 'needs formatting — run'} 'citycat fmt'",
                err=True,
            )
            diff = difflib.unified_diff(
                done.before.splitlines(keepends=True), done.after.splitlines(keepends=True), name, name
            )
            typer.echo("".join(list(diff)[:200]), nl=False)
            continue
        write_atomic(path, done.after.encode("utf-8"))
        typer.echo(f"{name}: {'đã định dạng' if vi else 'formatted'}", err=True)
    if failed or stale:
        raise typer.Exit(1)
