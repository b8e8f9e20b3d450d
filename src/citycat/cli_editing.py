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
