"""The options the commands share, declared once, and what every command needs to speak:
today's date in Hanoi, the language of messages, a usage failure, the findings printed."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from citycat.source.inputs import DATASETS


class Lang(StrEnum):
    vi = "vi"
    en = "en"


class Edition(StrEnum):
    public = "public"
    internal = "internal"


def parse_today(value: str | None) -> dt.date | None:
    """A date option (``--today``, ``--date``...): 2026-12-31, or 31/12/2026 as Vietnamese
    documents write it; else a usage error, said in the chosen language by ``citycat.cli.main``."""
    from citycat.cli.words import Said
    from citycat.model.dates import read_date

    if value is None:
        return None
    found = read_date(value)
    if found is None:
        raise Said("common.bad_today", value=value)
    return found


RootOption = Annotated[
    Path,
    typer.Option("--root", "-C", help="The catalogue repository (holds datasets.yaml).", show_default=False),
]
LangOption = Annotated[
    Lang | None, typer.Option("--lang", help="Language of messages; default: the catalogue's settings.")
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today", help="Fix today's date (YYYY-MM-DD) for reproducible results.", callback=parse_today
    ),
]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Check again even if nothing changed.")]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced as a whole).")]
EditionOption = Annotated[
    Edition,
    typer.Option("--edition", help="public (default), or internal: everything, for the city's intranet."),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="List the errors only (the summary still counts the warnings)."),
]
# the network (import, check-links): docs/security.md, "Sources and the network"
AllowPrivateOption = Annotated[
    bool,
    typer.Option(
        "--allow-private",
        help="Also ask loopback, private and link-local addresses (refused by default: an intranet, tests).",
    ),
]
SourceTimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", min=1, help="Seconds for every request of the import together (300)."),
]
MaxBytesOption = Annotated[
    int | None,
    typer.Option("--max-bytes", min=1, help="Largest source in bytes, after decompression (256 MiB)."),
]


def city_today() -> dt.date:
    """Today in Hanoi (the default of --today)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def message_language(lang: Lang | None, default: str | None = "vi") -> str:
    """The language of messages: --lang, else ``default``, else Vietnamese."""
    chosen = lang.value if lang else default
    return chosen if chosen in ("vi", "en") else "vi"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``citycat: message`` on stderr; the Exit to raise (2: a usage error)."""
    typer.echo(f"citycat: {message}", err=True)
    return typer.Exit(code)


def catalogue_root(root: Path, lang: Lang | None = None) -> Path:
    """``--root`` resolved; exit 2 when it holds no datasets.yaml (said in --lang, else Vietnamese)."""
    from citycat.cli.words import fail_in, language_of

    root = root.resolve()
    if not (root / DATASETS).is_file():
        raise fail_in("common.not_a_catalogue", language_of(root, lang), root=root)
    return root


def print_findings(findings, root: Path, lang: Lang | None, default: str | None) -> None:
    """Findings as ``citycat validate`` prints them, on stderr."""
    from citycat.checks import output

    for line in output.text(list(findings), root, message_language(lang, default), False, None):
        typer.echo(line, err=True)
