"""``citycat release``: an official edition of the list, as the People's Committee issues it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from citycat.cli.app import app, reads_the_whole_list
from citycat.cli.options import (
    LangOption,
    RootOption,
    catalogue_root,
    message_language,
    parse_today,
    print_findings,
)
from citycat.cli.words import echo, fail_in, language_of, os_reason, say

parse_date = parse_today  # 2026-12-31, or 31/12/2026 as Vietnamese documents write it


DateOption = Annotated[
    str,
    typer.Option("--date", help="The edition's date (2026-12-31 or 31/12/2026).", callback=parse_date),
]


@app.command()
@reads_the_whole_list
def release(
    date: DateOption,
    decision: Annotated[
        str,
        typer.Option(
            "--decision", help="The number of the decision the list is annexed to, e.g. 123/QĐ-UBND."
        ),
    ],
    signed_date: Annotated[
        str | None,
        typer.Option(
            "--signed-date", help="The decision's signing date (default: --date).", callback=parse_date
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The editions folder (default: editions/ of the catalogue).")
    ] = Path("editions"),
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace an edition of that date made before (a draft's).")
    ] = False,
    allow_uncommitted: Annotated[
        bool,
        typer.Option("--allow-uncommitted", help="Make a trial edition from files not committed to git."),
    ] = False,
    root: RootOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Freeze an official edition into editions/DATE/: the annex as PDF, DOCX, XLSX and CSV, the
    changes since the previous edition, a manifest and SHA256SUMS."""
    from citycat.edition.paged import MissingFont
    from citycat.pipeline.release import ReleaseError
    from citycat.pipeline.release import release as make

    root = catalogue_root(root, lang)
    words = message_language(lang, language_of(root))
    try:
        done = make(
            root,
            out,
            date,  # type: ignore[arg-type]  (the callback made it a date)
            decision,
            signed=signed_date,  # type: ignore[arg-type]
            replace=replace,
            allow_uncommitted=allow_uncommitted,
        )
    except ReleaseError as exc:
        if exc.findings:
            print_findings(exc.findings, root, lang, "vi")
        typer.echo(f"citycat: {exc.text(words)}", err=True)
        raise typer.Exit(1) from None
    except MissingFont as exc:
        typer.echo(f"citycat: {exc.words[words]}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        why = os_reason(exc, words)
        raise fail_in("common.cannot_write", words, 1, path=exc.filename or out, why=why) from None
    folder = done.folder
    try:
        shown = folder.relative_to(Path.cwd())
    except ValueError:
        shown = folder
    state = say("release.state_unchanged" if done.unchanged else "release.state_made", words)
    since = (
        say("release.since_previous", words, date=done.previous)
        if done.previous
        else say("release.first", words)
    )
    count = len(done.files)
    echo(
        "release.made", words, False, number=done.number, since=since, state=state, folder=shown, count=count
    )
    if done.commit is None:
        echo("release.no_git", words, False)
