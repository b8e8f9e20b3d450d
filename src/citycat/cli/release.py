"""``citycat release``: an official edition of the list, as the People's Committee issues it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer

from citycat.cli.app import app, reads_the_whole_list
from citycat.cli.options import LangOption, RootOption, catalogue_root, message_language, print_findings

DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value: str | None) -> dt.date | None:
    """A date as 2026-12-31 or as Vietnamese documents write it, 31/12/2026."""
    if value is None:
        return None
    text = value.strip()
    try:
        match = DAY_MONTH_YEAR.match(text)
        if match:
            day, month, year = map(int, match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' không phải ngày: viết 2026-12-31 hoặc 31/12/2026 / "
            f"'{value}' is not a date: write 2026-12-31 or 31/12/2026"
        ) from None


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

    root = catalogue_root(root)
    words = message_language(lang, "vi")
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
        typer.echo(f"citycat: {exc.strerror or exc}: {exc.filename or ''}", err=True)
        raise typer.Exit(1) from None
    folder = done.folder
    try:
        shown = folder.relative_to(Path.cwd())
    except ValueError:
        shown = folder
    if words == "vi":
        state = "đã có, không đổi" if done.unchanged else "đã lập"
        since = f"so với bản ngày {done.previous}" if done.previous else "bản đầu tiên"
        typer.echo(f"Bản số {done.number} ({since}) {state}: {shown}/ — {len(done.files)} tệp")
    else:
        state = "already there, unchanged" if done.unchanged else "made"
        since = f"since the edition of {done.previous}" if done.previous else "the first edition"
        typer.echo(f"Edition {done.number} ({since}) {state}: {shown}/ — {len(done.files)} files")
    if done.commit is None:
        typer.echo(
            "  (không phải kho git: bản không ghi commit)"
            if words == "vi"
            else "  (not a git repository: no commit recorded)"
        )
