"""``citycat import ckan|datajson|dcat|xlsx``: parses options, calls ``citycat.imports``, reports.

Exit status: 0 imported (or, with --dry-run, nothing to fix); 1 some imported entries still
need fields to pass ``citycat validate`` (they are written, unless --skip-invalid, and listed);
2 the source or the catalogue cannot be read (nothing written).
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from citycat.cli.app import app
from citycat.cli.options import (
    AllowPrivateOption,
    LangOption,
    MaxBytesOption,
    RootOption,
    SourceTimeoutOption,
    TodayOption,
    catalogue_root,
    city_today,
    parse_today,
)
from citycat.cli.words import LANGUAGES, echo, fail_in, language_of, os_reason, say

import_app = typer.Typer(
    no_args_is_help=True,
    help="Import datasets from another catalogue: CKAN, data.json (DKAN), DCAT, or a spreadsheet.",
)
app.add_typer(import_app, name="import")

UpdateOption = Annotated[
    bool,
    typer.Option("--update", help="Overwrite entries already in datasets.yaml with the source's values."),
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print what would change; write nothing.")]
SkipOption = Annotated[
    bool, typer.Option("--skip-invalid", help="Leave out the entries that would not pass validate.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
SourceLangOption = Annotated[
    str | None,
    typer.Option("--source-lang", help="Language of texts the source does not tag: vi (default) or en."),
]


def _limits(allow_private: bool, timeout: float | None, max_bytes: int | None):
    from citycat.imports.fetch import Limits

    given = {"total": timeout, "max_bytes": max_bytes}
    return Limits(allow_private=allow_private, **{k: v for k, v in given.items() if v is not None})


def _language(lang, c=None) -> str:
    if lang is not None:
        return lang.value
    default = c.default_language if c is not None else "vi"
    return default if default in LANGUAGES else "vi"


def w(key: str, language: str, **params) -> str:
    return say(f"import.{key}", language, **params)


@contextlib.contextmanager
def _refusal_in(language: str):
    """An import's refusal (``ImportError_``) as the command's failure, in the user's language."""
    from citycat.imports.common import ImportError_

    try:
        yield
    except ImportError_ as exc:
        typer.echo(f"citycat: {exc.words[language]}", err=True)
        raise typer.Exit(2) from None


def _target(root: Path, lang):
    """The catalogue imported into, loaded; exit 2 when it is not one or cannot be read."""
    from citycat.imports.common import Target
    from citycat.pipeline.output import JOURNAL, finish_interrupted
    from citycat.source.load import load
    from citycat.source.yamlsafe import FatalYAML

    root = catalogue_root(root, lang)
    language = language_of(root, lang)
    finished = finish_interrupted(root / JOURNAL)  # an import killed between its renames
    if finished:
        echo("import.finished_interrupted", language, files=", ".join(finished))
    try:
        loaded = load(root)
    except FatalYAML as fatal:
        where, message = fatal.finding.loc, fatal.finding.message(language)
        raise fail_in("import.unreadable", language, where=where, message=message) from None
    unreadable = [f for f in loaded.findings if f.code.startswith(("yaml-", "file-"))]
    if unreadable:
        f = unreadable[0]
        raise fail_in("import.unreadable", language, where=f.loc, message=f.message(language))
    return root, Target(loaded.catalogue)


class _Bar:
    """A rich progress bar on a terminal (standard error); nothing otherwise or with --quiet."""

    def __init__(self, label: str, quiet: bool):
        from rich.console import Console

        self.label = label
        console = Console(stderr=True)
        self.on = not quiet and console.is_terminal
        self.console = console
        self.progress = None

    def __enter__(self) -> Callable[[int, int | None], None]:
        if not self.on:
            return lambda done, total: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn(self.label), BarColumn(), MofNCompleteColumn(), console=self.console
        )
        self.progress.start()
        task = self.progress.add_task(self.label, total=None)

        def update(done: int, total: int | None) -> None:
            self.progress.update(task, completed=done, total=total)

        return update

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()


def _run(root: Path, target, lang, mapped, today, update: bool, dry_run: bool, skip_invalid: bool, quiet: bool,
         extra: list[str] = ()) -> None:  # fmt: skip
    from citycat.imports import apply

    language = _language(lang, target.c)
    typer.echo(w("read", language, n=len(mapped.entries), source=mapped.source), err=True)
    for line in extra:
        typer.echo("  " + line, err=True)
    if mapped.skipped:
        typer.echo("  " + w("skipped_records", language, n=mapped.skipped), err=True)
    with _refusal_in(language):
        with _Bar(w("checking", language), quiet):
            p = apply.plan(root, mapped, today or city_today(), update=update, skip_invalid=skip_invalid)
    _report(p, language)
    if dry_run:
        typer.echo(w("dry" if p.files else "nothing", language), err=True)
        for name, text in p.files.items():
            path = root / name
            before = path.read_text("utf-8") if path.is_file() else ""
            diff = difflib.unified_diff(
                before.splitlines(keepends=True), text.splitlines(keepends=True), f"a/{name}", f"b/{name}"
            )
            typer.echo("".join(diff), nl=False)
    elif p.files:
        try:
            apply.write(p)
        except OSError as exc:
            why = os_reason(exc, language)
            raise fail_in("common.cannot_write", language, path=exc.filename or root, why=why) from None
        typer.echo(w("written", language, files=", ".join(p.files)), err=True)
    else:
        typer.echo(w("nothing", language), err=True)
    if p.needs or p.register_findings:
        raise typer.Exit(1)


def _report(p, language: str) -> None:
    counts = {a: p.count(a) for a in ("added", "updated", "unchanged", "kept", "skipped")}
    typer.echo(w("summary", language, **counts), err=True)
    if p.agencies:
        typer.echo("  " + w("agencies", language, ids=", ".join(p.agencies)), err=True)
    if p.themes:
        typer.echo("  " + w("themes", language, ids=", ".join(p.themes)), err=True)
    written = {c.id for c in p.changes if c.action in ("added", "updated", "unchanged", "kept")}
    grouped: dict[str, list[str]] = {}
    for note in p.notes:
        if note.dataset is None or note.dataset in written:
            grouped.setdefault(note.text(language), []).append(note.dataset or "")
    if grouped:
        typer.echo(w("notes", language), err=True)
        for text, ids in grouped.items():
            ids = [i for i in dict.fromkeys(ids) if i]
            if len(ids) == 1:
                typer.echo(f"  [{ids[0]}] {text}", err=True)
            elif ids:
                shown = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
                typer.echo(f"  {text} — {w('entries', language, n=len(ids))} ({shown})", err=True)
            else:
                typer.echo(f"  {text}", err=True)
    for title, changes in (
        (w("needs", language), p.needs),
        (w("skipped", language), [c for c in p.changes if c.action == "skipped"]),
    ):
        if changes:
            typer.echo(title, err=True)
            for c in changes:
                typer.echo(f"  [{c.id}]", err=True)
                for f in c.errors:
                    typer.echo(f"    {f.code}: {f.message(language)}", err=True)
    if p.register_findings:
        typer.echo(w("register", language), err=True)
        for f in p.register_findings:
            typer.echo(f"  {f.loc}: {f.code}: {f.message(language)}", err=True)


@import_app.command("ckan")
def ckan(
    url: Annotated[
        str, typer.Argument(help="The CKAN site, e.g. https://data.example.gov (its /api/3/action/).")
    ],
    organization: Annotated[
        str | None, typer.Option("--organization", help="Only this organization's datasets (its name).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Only datasets modified since this date (YYYY-MM-DD).", callback=parse_today
        ),
    ] = None,
    rows: Annotated[int, typer.Option("--rows", min=1, max=1000, help="Datasets per page.")] = 100,
    root: RootOption = Path("."),
    update: UpdateOption = False,
    dry_run: DryRunOption = False,
    skip_invalid: SkipOption = False,
    quiet: QuietOption = False,
    lang: LangOption = None,
    today: TodayOption = None,
    allow_private: AllowPrivateOption = False,
    timeout: SourceTimeoutOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Import from a CKAN Action API (package_search, paged with ckanapi)."""
    from citycat.imports import ckan as source
    from citycat.imports.common import accepted_url

    root, target = _target(root, lang)
    language = _language(lang, target.c)
    if not accepted_url(url):
        raise fail_in("import.needs_http", language, url=url)
    if organization is not None and not source.NAME.match(organization):
        raise fail_in("import.bad_organization", language, value=organization)

    def known(kind: str, name: str) -> bool:
        return target.find("agencies" if kind == "organization" else "themes", name) is not None

    with _refusal_in(language):
        with _Bar(w("fetching", language), quiet) as bar:
            fetched = source.fetch(
                url,
                organization=organization,
                since=since,
                rows=rows,
                progress=bar,
                known=known,
                zone=str(target.c.settings.get("timezone") or "Asia/Ho_Chi_Minh"),
                limits=_limits(allow_private, timeout, max_bytes),
            )
    mapped = source.packages(fetched, target)
    extra = [w("repeated", language)] if fetched.repeated else []
    _run(root, target, lang, mapped, today, update, dry_run, skip_invalid, quiet, extra)


SourceArgument = Annotated[str, typer.Argument(metavar="FILE|URL", help="A local file or an http(s) URL.")]


def _read(where: str, accept: str, language: str, quiet: bool, limits=None):
    from citycat.imports.fetch import read_source

    with _refusal_in(language):
        with _Bar(w("fetching", language), quiet) as bar:
            return read_source(where, accept, bar, limits)


def _source_lang(value: str | None, language: str) -> str | None:
    if value not in (None, "vi", "en"):
        raise fail_in("import.bad_source_lang", language, value=value)
    return value


@import_app.command("datajson")
def datajson(
    source: SourceArgument,
    root: RootOption = Path("."),
    source_lang: SourceLangOption = None,
    update: UpdateOption = False,
    dry_run: DryRunOption = False,
    skip_invalid: SkipOption = False,
    quiet: QuietOption = False,
    lang: LangOption = None,
    today: TodayOption = None,
    allow_private: AllowPrivateOption = False,
    timeout: SourceTimeoutOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Import a data.json (Project Open Data / DCAT-US 1.1: DKAN, Socrata, data.gov harvesters)."""
    from citycat.imports import datajson as fmt

    root, target = _target(root, lang)
    language = _language(lang, target.c)
    source_lang = _source_lang(source_lang, language)
    read = _read(source, "application/json", language, quiet, _limits(allow_private, timeout, max_bytes))
    with _refusal_in(language):
        items = fmt.parse(read)
    mapped = fmt.datasets(items, target, source, source_lang)
    _run(root, target, lang, mapped, today, update, dry_run, skip_invalid, quiet)


@import_app.command("dcat")
def dcat(
    source: SourceArgument,
    root: RootOption = Path("."),
    syntax: Annotated[
        str | None,
        typer.Option(
            "--syntax", help="turtle, xml (RDF/XML), json-ld or nt; default: from the name or the server."
        ),
    ] = None,
    source_lang: SourceLangOption = None,
    update: UpdateOption = False,
    dry_run: DryRunOption = False,
    skip_invalid: SkipOption = False,
    quiet: QuietOption = False,
    lang: LangOption = None,
    today: TodayOption = None,
    allow_private: AllowPrivateOption = False,
    timeout: SourceTimeoutOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Import a DCAT catalogue (DCAT-AP 2/3: Turtle, RDF/XML, JSON-LD, N-Triples), read with rdflib."""
    from citycat.imports import dcat as fmt

    root, target = _target(root, lang)
    language = _language(lang, target.c)
    source_lang = _source_lang(source_lang, language)
    if syntax not in (None, "turtle", "xml", "json-ld", "nt"):
        raise fail_in("import.bad_syntax", language, value=syntax)
    accept = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.5"
    read = _read(source, accept, language, quiet, _limits(allow_private, timeout, max_bytes))
    with _refusal_in(language):
        graph = fmt.parse(read, syntax)
    mapped = fmt.datasets(graph, target, source, source_lang)
    _run(root, target, lang, mapped, today, update, dry_run, skip_invalid, quiet)


@import_app.command("xlsx")
def xlsx(
    source: SourceArgument,
    root: RootOption = Path("."),
    update: UpdateOption = False,
    dry_run: DryRunOption = False,
    skip_invalid: SkipOption = False,
    quiet: QuietOption = False,
    lang: LangOption = None,
    today: TodayOption = None,
    allow_private: AllowPrivateOption = False,
    timeout: SourceTimeoutOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Import an agency's spreadsheet in the printable annex's columns (those of datasets.xlsx)."""
    from citycat.feeds.common import strings
    from citycat.imports import xlsx as fmt

    root, target = _target(root, lang)
    language = _language(lang, target.c)
    read = _read(
        source,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        language,
        quiet,
        _limits(allow_private, timeout, max_bytes),
    )
    with _refusal_in(language):
        sheets = fmt.parse(read, strings(target.c))
    mapped = fmt.datasets(sheets, target, source)
    _run(root, target, lang, mapped, today, update, dry_run, skip_invalid, quiet)
