"""The catalogue's commands: validate, build, serve, export, report, score, checks, check-links,
version. They parse options and call the library."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from citycat import feeds
from citycat.cli.app import app, reads_the_whole_list
from citycat.cli.options import (
    AllowPrivateOption,
    Edition,
    EditionOption,
    Lang,
    LangOption,
    NoCacheOption,
    OutOption,
    QuietOption,
    RootOption,
    StrictOption,
    TodayOption,
    catalogue_root,
    city_today,
    message_language,
    print_findings,
)
from citycat.cli.words import echo, fail_in, language_of, os_reason, say
from citycat.source.inputs import DATASETS


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
def validate(
    root: RootOption = Path("."),
    lang: LangOption = None,
    today: TodayOption = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text, json, or github (annotations).")
    ] = Format.text,
    strict: StrictOption = False,
    quiet: QuietOption = False,
    no_cache: NoCacheOption = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Only the entries changed since this git ref, plus what breaks users "
            "(a published dataset removed or renamed, an id reused).",
        ),
    ] = None,
) -> None:
    """Check the catalogue: every mistake with its file, line, what is wrong and how to fix it.

    A one-line summary first, then the errors, then the warnings (--quiet leaves them out).
    Exit 0 when there are no errors, 1 when there are, 2 for a usage or internal failure.
    """
    from citycat.checks import output
    from citycat.cli.words import fail_in, language_of
    from citycat.pipeline.validate import validate as run

    root = root.resolve()
    if not (root / DATASETS).exists() and not (root / "schemas/catalogue/datapackage.json").exists():
        raise fail_in("common.not_a_catalogue", language_of(None, lang), root=root)
    result = run(root, today or city_today(), use_cache=not no_cache)
    if changed_since is not None:
        from citycat.cli.editing import since

        result = since(root, result, changed_since, lang)
    language = message_language(lang, result.default_language)
    if format is Format.json:
        typer.echo(output.as_json(result.findings, language, strict, result.datasets))
    elif format is Format.github:
        for line in output.github(result.findings, language, strict, result.datasets, quiet, result.listed):
            typer.echo(line)
    else:
        for line in output.report(
            result.findings, root, language, strict, result.datasets, quiet, result.listed
        ):
            typer.echo(line)
    raise typer.Exit(0 if result.ok(strict) else 1)


def _report_build_error(exc, root: Path, lang) -> None:
    """A refused build: its errors (not the warnings, which refuse nothing), then one line saying
    so, in --lang or the catalogue's language."""
    from citycat.checks import output
    from citycat.cli.words import language_of, say

    if exc.reason:
        typer.echo(f"citycat: {exc.reason}", err=True)
        return
    language = language_of(root, lang)
    for line in output.lines(exc.findings, root, language, False, quiet=True):
        typer.echo(line, err=True)
    errors = output.count("error", output.counts(exc.findings, False)[0], language)
    typer.echo(f"citycat: {say('build.refused', language, errors=errors)}", err=True)


def _seconds(seconds: float, language: str) -> str:
    text = f"{seconds:.1f}"
    return text.replace(".", ",") if language == "vi" else text


def _build(root: Path, out: Path, today, edition: Edition, lang, keep: bool = False):
    """Build once (keeping its state for the next, unless ``keep`` is false); on a mistake print
    it and return None (the last good site stays)."""
    from citycat.pipeline import cache
    from citycat.pipeline.build import BuildError, build

    try:
        built = (cache.build if keep else build)(root, out, today or city_today(), edition.value)
    except BuildError as exc:
        _report_build_error(exc, root, lang)
        return None
    except OSError as exc:  # a full disk, a read-only one: the last site is kept (output.swap_in)
        language = language_of(root, lang)
        typer.echo(
            f"citycat: {say('build.cannot_write', language, out=out, why=os_reason(exc, language))}", err=True
        )
        return None
    language = language_of(root, lang)
    seconds = f"{built.seconds:.1f}".replace(".", "," if language == "vi" else ".")
    echo("build.built", language, False, pages=built.pages, files=built.files, out=built.out, seconds=seconds)
    return built


@app.command()
def build(
    root: RootOption = Path("."),
    out: OutOption = Path("public"),
    edition: EditionOption = Edition.public,
    today: TodayOption = None,
    lang: LangOption = None,
    dirty: Annotated[
        bool,
        typer.Option(
            "--dirty",
            help="Keep this build's state (in the user's cache folder) and, from the next one, make "
            "again only the entries changed since the last --dirty build.",
        ),
    ] = False,
) -> None:
    """Validate, then write the site (vi at the root, en under /en/) into --out, atomically."""
    root = root.resolve()
    if _build(root, out, today, edition, lang, keep=dirty) is None:
        raise typer.Exit(1)


@app.command()
def serve(
    root: RootOption = Path("."),
    out: OutOption = Path("public"),
    edition: EditionOption = Edition.public,
    today: TodayOption = None,
    lang: LangOption = None,
    port: Annotated[int, typer.Option("--port", "-p", help="Port on 127.0.0.1.")] = 8000,
    watch: Annotated[bool, typer.Option("--watch/--no-watch", help="Rebuild when an input changes.")] = True,
) -> None:
    """Build, serve the site on http://127.0.0.1:PORT/ and rebuild when the catalogue or theme changes.

    An edit to a few entries of datasets.yaml is rebuilt by entries (``citycat.pipeline.rebuild``); any
    other change by a full build."""
    import errno
    import threading

    from citycat.checks import output
    from citycat.cli.words import fail_in, language_of, say
    from citycat.pipeline.build import BuildError
    from citycat.pipeline.rebuild import Session
    from citycat.pipeline.serve import Live, Refusals, make_server, snapshot
    from citycat.pipeline.serve import watch as watch_inputs

    root = root.resolve()
    language = language_of(root, lang)
    out = out if out.is_absolute() else root / out
    session = Session(root, out, today or city_today(), edition.value)
    seen = snapshot(root)  # before the build: an edit made while it runs is rebuilt after it
    try:
        built = session.build()
    except BuildError as exc:
        _report_build_error(exc, root, lang)
        raise typer.Exit(1) from None

    def said_built(built) -> str:
        seconds = _seconds(built.seconds, language)
        return say(
            "serve.built", language, pages=built.pages, files=built.files, out=built.out, seconds=seconds
        )

    typer.echo(said_built(built))
    live = Live(built.catalogue, session.today, edition.value)  # the CKAN API under /api
    try:
        server = make_server(out, port, live=live, session=session)
    except OSError as exc:
        key = {errno.EADDRINUSE: "serve.port_in_use", errno.EACCES: "serve.port_denied"}
        name = errno.errorcode.get(exc.errno or 0, str(exc.errno))
        raise fail_in(key.get(exc.errno, "serve.cannot_listen"), language, port=port, error=name) from None
    typer.echo(say("serve.serving", language, url=f"http://127.0.0.1:{server.server_address[1]}/"))
    stop = threading.Event()
    if watch:
        refusals = Refusals()

        def rebuild() -> None:
            built, report = session.rebuild()
            if built is None:  # only what changed since the last refused rebuild, not the whole list
                change = refusals.refused(report.findings)
                for line in output.lines(change.new, root, language, False, quiet=True):
                    typer.echo(line, err=True)
                if change.fixed:
                    fixed = output.count("error", change.fixed, language)
                    typer.echo(say("serve.fixed", language, errors=fixed), err=True)
                elif not change.new:
                    typer.echo(say("serve.same", language), err=True)
                errors = output.count("error", change.total, language)
                typer.echo(f"citycat: {say('serve.refused', language, errors=errors)}", err=True)
                return
            fixed = refusals.good()
            if fixed is not None:
                typer.echo(say("serve.good_again", language, errors=output.count("error", fixed, language)))
            seconds = _seconds(report.seconds, language)
            if report.full:
                why = say(f"serve.why.{report.why or 'other'}", language, **report.why_params)
                line = say("serve.rebuilt_full", language, seconds=seconds, why=why, written=report.written)
            else:
                line = say(
                    "serve.rebuilt_entries",
                    language,
                    seconds=seconds,
                    changed=report.changed,
                    written=report.written,
                )
            typer.echo(line)
            live.update(built)

        threading.Thread(
            target=watch_inputs, args=(root, rebuild, stop), kwargs={"seen": seen}, daemon=True
        ).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()


ExportFormat = StrEnum("ExportFormat", {name: name for name in feeds.exports()})  # the feed registry's


@app.command()
@reads_the_whole_list
def export(
    format: Annotated[
        ExportFormat,
        typer.Argument(
            help="; ".join(f"{e.name}: {e.about} → {e.file}" for _, e in feeds.exports().values())
        ),
    ],
    root: RootOption = Path("."),
    out: Annotated[
        str | None,
        typer.Option("--out", "-o", help="File to write (replaced atomically), or - for standard output."),
    ] = None,
    edition: EditionOption = Edition.public,
    today: TodayOption = None,
    lang: LangOption = None,
) -> None:
    """Validate, then write one standard export of the whole catalogue (what build publishes).

    The default file is the one named after each format below.
    --lang picks the CSV's language and the messages'. Exit 1 when the catalogue has errors.
    """
    from citycat.feeds import export as exports
    from citycat.pipeline.output import write_atomic
    from citycat.pipeline.validate import validate as run

    root = catalogue_root(root, lang)
    language = language_of(root, lang)
    to_stdout = out is None or out == "-"
    target = None if to_stdout else Path(out)
    if target is not None and target.is_dir():
        raise fail_in("common.is_folder", language, path=target)
    binary = format.value in ("xlsx", "datapackage")
    if to_stdout and binary and sys.stdout.isatty():
        what = say("export.binary", language, format=format.value)
        ext = Path(exports.default_file(format.value)).suffix.lstrip(".")
        raise fail_in("common.binary_needs_out", language, what=what, ext=ext)
    result = run(root, today or city_today(), use_cache=False, need_catalogue=True)
    if not result.ok() or result.catalogue is None:
        print_findings(result.errors(), root, lang, result.default_language or language)
        raise fail_in("export.refused", language, 1)
    data = exports.render(result.catalogue, format.value, edition.value, lang.value if lang else "vi")
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        write_atomic(target, data, make_folders=False)
    except OSError as exc:
        raise fail_in("common.cannot_write", language, path=target, why=os_reason(exc, language)) from None
    size = f"{len(data):,}".replace(",", "." if language == "vi" else ",")
    echo("export.wrote", language, file=target, size=size)


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    xlsx = "xlsx"
    pdf = "pdf"
    json = "json"


def _scored(root: Path, today, lang: Lang | None):
    """Validate for a report or a score: (catalogue, findings, language, UI strings), or exit 1
    with the errors (scores are only worked out for a catalogue without errors)."""
    from citycat.pipeline.validate import validate as run
    from citycat.site import i18n
    from citycat.source.inputs import theme_for

    root = catalogue_root(root, lang)
    result = run(root, today or city_today(), use_cache=False, need_catalogue=True)
    language = lang.value if lang else (result.default_language or "vi")
    if not result.ok() or result.catalogue is None:
        print_findings(result.errors(), root, lang, result.default_language or "vi")
        raise fail_in("common.has_errors", language, 1)
    strings = i18n.load_strings(theme_for(root))
    return result.catalogue, result.findings, language, strings[language]


def _write_out(data: bytes, out: Path | None, language: str) -> None:
    """Write to --out atomically (a temporary file beside it, then renamed), or to stdout."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from citycat.pipeline.output import write_atomic

    out = out.resolve()
    if out.is_dir():
        raise fail_in("common.is_folder", language, path=out)
    try:
        write_atomic(out, data)
    except OSError as exc:
        raise fail_in("common.cannot_write", language, path=out, why=os_reason(exc, language)) from None


@app.command()
@reads_the_whole_list
def report(
    root: RootOption = Path("."),
    today: TodayOption = None,
    lang: LangOption = None,
    format: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help="md, html, xlsx, pdf (A4, laid out like an edition's annex) or json."
        ),
    ] = ReportFormat.md,
    agency: Annotated[
        str | None, typer.Option("--agency", "-a", help="Only this agency's datasets (its id).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """The inspection committee's report: progress to the deadline, agencies ranked, who is late,
    what to fix first, every dataset's scores."""
    from citycat.quality import report as rep
    from citycat.source.inputs import theme_for

    c, findings, language, t = _scored(root, today, lang)
    when = today or city_today()
    if agency is not None and agency not in c.agencies:
        raise fail_in("report.unknown_agency", language, agency=agency, known=", ".join(sorted(c.agencies)))
    data = rep.data(c, findings, when, language, agency, t)
    if format in (ReportFormat.xlsx, ReportFormat.pdf) and out is None and sys.stdout.isatty():
        what = say("report.binary", language, format=format.value.upper())
        raise fail_in("common.binary_needs_out", language, what=what, ext=format.value)
    if format is ReportFormat.xlsx:
        body = rep.xlsx(data, t)
    elif format is ReportFormat.pdf:
        from citycat.edition.paged import MissingFont

        try:
            body = rep.pdf(data, t, c.settings.text("edition.issuer", language))
        except MissingFont as exc:
            typer.echo(f"citycat: {exc.words[language]}", err=True)
            raise typer.Exit(2) from None
    elif format is ReportFormat.html:
        body = rep.html(data, t, theme_for(root.resolve())).encode("utf-8")
    elif format is ReportFormat.json:
        body = rep.as_json(data).encode("utf-8")
    else:
        body = rep.markdown(data, t).encode("utf-8")
    _write_out(body, out, language)


def _unknown_datasets(key: str, language: str, typed: list[str], datasets) -> typer.Exit:
    """``no dataset with the id …``, with the ids (or titles) it may have meant; exit 2."""
    from citycat.cli.words import fail_in, say
    from citycat.model.suggest import candidates, suggest

    among = candidates(datasets)
    close = list(dict.fromkeys(s for t in typed for s in suggest(t, among)))
    guess = say("common.did_you_mean", language, ids=", ".join(close)) if close else ""
    return fail_in(key, language, ids=", ".join(typed), suggestion=guess)


@app.command()
def score(
    dataset: Annotated[str, typer.Argument(help="The dataset's id.")],
    root: RootOption = Path("."),
    today: TodayOption = None,
    lang: LangOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the breakdown as JSON.")] = False,
) -> None:
    """One dataset's scores: the six standards, each criterion and why points were withheld."""
    import json

    from rich.console import Console
    from rich.table import Table

    from citycat.quality import scores

    c, findings, language, t = _scored(root, today, lang)
    d = c.dataset(dataset)
    if d is None:
        raise _unknown_datasets("score.unknown_id", language, [dataset], c.datasets)
    own = [f for f in findings if f.dataset == d.id]
    s = scores.score(c, d, own, today or city_today())
    if json_out:
        typer.echo(json.dumps(s.as_dict(language), ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    console.print(f"[bold]{d.text('title', language)}[/bold] ({d.id})")
    console.print(
        f"{t['score_overall']}: [bold]{s.overall}[/bold]/100 · MQA {s.mqa.points}/405 ({s.mqa.rating_label(language)}) · {t['score_freshness']}: {scores.freshness_label(s.freshness, language)}"
    )
    table = Table(show_lines=False)
    table.add_column(t["score_col_standard"])
    table.add_column(t["score_col_score"], justify="right")
    table.add_column(t["score_col_why"])
    for std in s.standards:
        lost = [
            f"−{c.lost:.0f} {c.title(language)}: {c.message(language)}"
            for c in std.criteria
            if c.lost > 0.0001
        ]
        table.add_row(std.label(language), str(std.score), "\n".join(lost) or t["score_all_met"])
    console.print(table)


class ChecksFormat(StrEnum):
    text = "text"
    markdown = "markdown"


@app.command()
def checks(
    lang: LangOption = None,
    format: Annotated[ChecksFormat, typer.Option("--format", "-f")] = ChecksFormat.text,
) -> None:
    """List every check code with its severity and meaning."""
    from citycat.checks.docs import checks_markdown
    from citycat.model.findings import registry

    if format is ChecksFormat.markdown:
        typer.echo(checks_markdown(), nl=False)
        return
    language = language_of(Path("."), lang)
    for code, check in registry().items():
        typer.echo(f"{code:32} {check.severity:8} {check.title[language]}")


@app.command("check-links")
def check_links(
    root: RootOption = Path("."),
    lang: LangOption = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="Requests at once, all hosts.")
    ] = 16,
    per_host: Annotated[int, typer.Option("--per-host", min=1, help="Requests at once to one host.")] = 2,
    delay: Annotated[
        float, typer.Option("--delay", min=0, help="Seconds between two requests to one host.")
    ] = 0.25,
    timeout: Annotated[float, typer.Option("--timeout", min=0.01, help="Seconds for one request.")] = 15.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, max=10, help="Retries after a timeout, reset, 5xx or 429.")
    ] = 2,
    backoff: Annotated[
        float, typer.Option("--backoff", min=0, help="Seconds before the first retry, doubled each time.")
    ] = 1.0,
    max_wait: Annotated[
        float, typer.Option("--max-wait", min=0, help="Longest wait before a retry (caps Retry-After).")
    ] = 60.0,
    only_failed: Annotated[
        bool,
        typer.Option("--only-failed", help="Check only links that failed last time or were never checked."),
    ] = False,
    dataset: Annotated[
        list[str] | None,
        typer.Option("--dataset", "-d", help="Check only this dataset's links (repeatable)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the links to check; send no request.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write the state here (default: catalogue/link-status.json)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Check every distribution, landing page and agency website URL; record the answers in
    catalogue/link-status.json (commit it: the scores read it; validate and build never go online).

    Exit 0 once the state is written, broken links or not (they are listed);
    1 when the catalogue cannot be read; 2 for a usage error.
    """
    from citycat.quality import links
    from citycat.source.load import load
    from citycat.source.yamlsafe import FatalYAML

    root = catalogue_root(root, lang)
    try:
        loaded = load(root)
    except FatalYAML as fatal:
        print_findings(list(fatal.findings), root, lang, "vi")
        raise typer.Exit(1) from None
    c = loaded.catalogue
    language = lang.value if lang else (c.default_language if c.default_language in links.WORDS else "vi")
    errors = [f for f in loaded.findings if f.level == "error"]
    if errors:  # a half-read list would drop the results of every entry it could not read
        print_findings(errors, root, lang, c.default_language)
        raise fail_in("links.refused", language, 1)
    found = links.targets(c)
    target = output if output is not None else root / links.STATE
    if target.is_dir():
        raise fail_in("links.output_is_folder", language, path=target)
    previous, problems = links.read_state(target if target.exists() else root / links.STATE)
    for p in problems:
        echo("links.previous_ignored", language, why=p.text)
    unknown = sorted(set(dataset or ()) - {d.id for d in c.datasets})
    if unknown:
        raise _unknown_datasets("check-links.unknown_id", language, unknown, c.datasets)
    todo = links.select(found, previous, only_failed, dataset or ())
    words = links.WORDS[language]
    if dry_run:
        typer.echo(words["dry"].format(n=len(todo)))
        for url in todo:
            typer.echo(f"{url}\t{'; '.join(found[url].where)}")
        return
    results = _run_link_checks(todo, c.settings.get("base_url"), quiet, language, **{
        "concurrency": concurrency, "per_host": per_host, "delay": delay, "timeout": timeout,
        "retries": retries, "backoff": backoff, "max_wait": max_wait, "allow_private": allow_private,
    })  # fmt: skip
    state = links.merge(previous, results, found, links.now())
    try:
        links.write_state(target, state)
    except OSError as exc:
        raise fail_in("common.cannot_write", language, path=target, why=os_reason(exc, language)) from None
    _print_link_summary(state, found, results, target, words)
    private = sum(1 for r in results.values() if r.get("error") == "private-address")
    if private:
        echo("links.private", language, n=private)


def _run_link_checks(urls: list[str], base_url, quiet: bool, language: str, **options) -> dict:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from citycat.quality import linkcheck

    settings = linkcheck.Settings(user_agent=linkcheck.user_agent(base_url), **options)
    console = Console(stderr=True)
    if quiet or not console.is_terminal or not urls:
        return linkcheck.run(urls, settings)
    label = "Kiểm tra liên kết" if language == "vi" else "Checking links"
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(label, total=len(urls))
        return linkcheck.run(urls, settings, lambda url, entry: progress.advance(task))


def _print_link_summary(state, found, results, target: Path, words) -> None:
    from rich.console import Console
    from rich.table import Table

    from citycat.quality import links

    bad = links.broken(state)
    total = len(state["links"])
    summary = words["checked"].format(
        n=len(results), total=total, kept=total - len(results), ok=total - len(bad), broken=len(bad)
    )
    typer.echo(summary)
    console = Console()
    if not console.is_terminal:
        console = Console(width=100_000, color_system=None)  # whole URLs, one per line, for logs and pipes
    if bad:
        table = Table(title=words["broken"], title_justify="left")
        for name in ("url", "answer", "where"):
            table.add_column(words[name], overflow="fold")
        for url, entry in bad:
            table.add_row(url, links.describe(entry), "\n".join(found[url].where) if url in found else "")
        console.print(table)
    else:
        typer.echo(words["none"])
    typer.echo(words["written"].format(path=target))


@app.command()
def version() -> None:
    """Print citycat's version."""
    from citycat import __version__

    typer.echo(__version__)
