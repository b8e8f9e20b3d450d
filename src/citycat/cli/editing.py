"""The editing workflow's commands: ``diff``, ``summary``, ``schema``, ``fields``, ``fmt`` and ``new``.

They are registered on ``citycat.cli.app.app`` and share ``citycat.cli.options``; like the rest of the command
line, they only parse options and call the library.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from citycat.cli.app import app, reads_the_whole_list
from citycat.cli.options import (
    LangOption,
    RootOption,
    StrictOption,
    TodayOption,
    catalogue_root,
    city_today,
    fail,
    message_language,
)
from citycat.cli.words import language_of
from citycat.pipeline.output import write_atomic
from citycat.source.inputs import DATASETS


def _compare(root: Path, ref: str, lang):
    from citycat.editing.changes import ChangesError, compare

    try:
        return compare(root, ref)
    except ChangesError as exc:
        raise fail(exc.text(language_of(root, lang))) from None


def since(root: Path, result, ref: str, lang=None):
    """``validate --changed-since REF``: the findings on what changed, and what breaks users."""
    from citycat.editing.changes import ChangesError
    from citycat.editing.changes import since as changed_since

    try:
        found = changed_since(root, result.findings, ref)
    except ChangesError as exc:
        raise fail(exc.text(message_language(lang, result.default_language))) from None
    return result if found is None else replace(result, findings=found)


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


RefArgument = Annotated[
    str, typer.Argument(metavar="REF", help="A git commit, branch or tag, e.g. origin/main.")
]


@app.command()
@reads_the_whole_list
def diff(
    ref: RefArgument,
    root: RootOption = Path("."),
    lang: LangOption = None,
    format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="text, json or markdown.")
    ] = DiffFormat.text,
) -> None:
    """What changed in datasets.yaml since REF, entry by entry and field by field."""
    from citycat.editing import changeview

    root = catalogue_root(root, lang)
    comparison = _compare(root, ref, lang)
    language = language_of(root, lang)
    if format is DiffFormat.json:
        typer.echo(changeview.as_json(comparison, language))
    elif format is DiffFormat.markdown:
        typer.echo("\n".join(changeview.markdown(comparison, language)).rstrip())
    else:
        for line in changeview.text(comparison, language):
            typer.echo(line)


@app.command()
@reads_the_whole_list
def summary(
    ref: RefArgument,
    root: RootOption = Path("."),
    lang: LangOption = None,
    today: TodayOption = None,
    strict: StrictOption = False,
    scores: Annotated[
        bool, typer.Option("--scores/--no-scores", help="Show how the changed entries' quality scores move.")
    ] = True,
) -> None:
    """A pull request's job summary in Markdown: the verdict, what changed since REF, the findings.

    For CI: `citycat summary origin/main >> "$GITHUB_STEP_SUMMARY"`. It always exits 0 when it
    could write the summary; `citycat validate` is the step that fails.
    """
    from citycat.editing import changeview
    from citycat.pipeline.validate import validate as run

    root = catalogue_root(root, lang)
    comparison = _compare(root, ref, lang)
    result = since(root, run(root, today or city_today()), ref, lang)
    language = message_language(lang, result.default_language)
    extra: list[str] = []
    if scores:
        from citycat.editing.changescore import score_changes

        extra = changeview.scores_markdown(score_changes(root, comparison, today or city_today()), language)
    typer.echo(changeview.summary(comparison, result.findings, language, strict, extra), nl=False)


def _loaded(root: Path, lang=None):
    """The loaded catalogue, or exit 1 with what stops it from being read."""
    from citycat.cli.words import language_of
    from citycat.source.load import load
    from citycat.source.yamlsafe import FatalYAML

    try:
        return load(root).catalogue
    except FatalYAML as fatal:
        raise fail(f"{fatal.finding.loc}: {fatal.finding.message(language_of(root, lang))}", 1) from None


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
    from citycat.cli.words import echo, fail_in, language_of, os_reason
    from citycat.feeds.editorschema import PATH, render

    root = catalogue_root(root, lang)
    language = language_of(root, lang)
    data = render(_loaded(root, lang))
    if out is not None and str(out) == "-":
        typer.echo(data.decode("utf-8"), nl=False)
        return
    target = root / (out or PATH)
    shown = target.relative_to(root) if target.is_relative_to(root) else target
    if check:
        current = target.read_bytes() if target.is_file() else None
        if current != data:
            raise fail_in("schema.stale", language, 1, file=shown)
        return
    if target.is_dir():
        raise fail_in("common.is_folder", language, path=shown)
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise fail_in("common.cannot_write", language, path=shown, why=os_reason(exc, language)) from None
    echo("schema.wrote", language, file=shown)


def _show_finding(finding, root: Path, language: str) -> None:
    from citycat.checks import output

    for line in list(output.text([finding], root, language, False, None))[:-1]:
        typer.echo(line, err=True)


@app.command()
@reads_the_whole_list
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

    from citycat.cli.words import echo, fail_in, language_of
    from citycat.editing.fmt import FormatError, format_text
    from citycat.source import paths
    from citycat.source.yamlsafe import FatalYAML, load_file

    root = root.resolve()
    language = language_of(root, lang)
    targets = [p if p.is_absolute() else root / p for p in (files or [Path(DATASETS)])]
    failed = stale = False
    for path in targets:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        try:  # a file of the catalogue under the rule of every input (citycat.source.paths)
            data = paths.read(root, path) if path.is_relative_to(root) else path.read_bytes()
            text = data.decode("utf-8")
        except FileNotFoundError:
            raise fail_in("fmt.missing", language, file=name) from None
        except paths.Refused as exc:
            raise fail_in("common.refused_input", language, why=paths.words(exc)[language == "en"]) from None
        except OSError:
            raise fail_in("fmt.unreadable", language, file=name) from None
        except UnicodeDecodeError:
            text = None
        try:
            if text is None:
                load_file(path, name)  # raises with the place of the first byte that is not UTF-8
            done = format_text(text, name)
        except (FormatError, FatalYAML) as exc:
            for finding in exc.findings:  # every one: each line indented with a tab, say
                _show_finding(finding, root, language)
            failed = True
            continue
        if not done.changed:
            echo("fmt.already", language, file=name)
            continue
        if check:
            stale = True
            echo("fmt.needs", language, file=name)
            diff = difflib.unified_diff(
                done.before.splitlines(keepends=True), done.after.splitlines(keepends=True), name, name
            )
            typer.echo("".join(list(diff)[:200]), nl=False)
            continue
        write_atomic(path, done.after.encode("utf-8"))
        echo("fmt.formatted", language, file=name)
    if failed or stale:
        raise typer.Exit(1)


# --- citycat new -----------------------------------------------------------------------------


def _option(name: str) -> str:
    """The option a field is given by: ``title.vi`` → ``--title-vi``."""
    return "--" + name.replace(".", "-").replace("_", "-")


class _Asker:
    """Prompts in the officer's language (``new.*`` in words.yaml); every answer is checked before
    the next question. Under --no-input a value comes from its option or its default, and what is
    missing is gathered for one message."""

    def __init__(self, lang: str, interactive: bool, today):
        self.lang = lang
        self.interactive = interactive
        self.today = today
        self.missing: list[str] = []
        self.choices: dict[str, list[str]] = {}  # the valid ids of each missing choice

    def say(self, key: str, **params) -> str:
        from citycat.cli.words import say

        return say(f"new.{key}", self.lang, **params)

    def _loop(self, name: str, given, default, parse, required: bool, option: str | None = None, prompt=None):
        option = option or _option(name)
        if given is not None:
            value, problem = parse(given)
            if problem is None:
                return value
            raise fail(f"{option}: {problem}")
        if not self.interactive:
            if required and default is None:
                self.missing.append(option)
            return parse(default)[0] if default is not None else None
        while True:
            raw = typer.prompt(
                prompt or self.say(f"ask.{name}"),
                default=default if default is not None else "",
                show_default=bool(default),
            )
            raw = raw.strip()
            if not raw and not required:
                return None
            if not raw:
                typer.echo("  " + self.say("required"), err=True)
                continue
            value, problem = parse(raw)
            if problem is None:
                return value
            typer.echo("  " + problem, err=True)

    def text(self, name, given=None, default=None, required=False, min_length=0, check=None, option=None):
        def parse(raw):
            raw = str(raw).strip()
            if len(raw) < min_length:
                return None, self.say("too_short", n=min_length, have=len(raw))
            if check is not None and raw and not check(raw):
                return None, self.say({"contact.email": "bad_email", "url": "bad_url"}.get(name, "required"))
            return raw, None

        return self._loop(name, given, default, parse, required, option)

    def date(self, name, given=None, default=None, required=True, past=False, after=None):
        """A date written day/month/year or year-month-day, kept as a date (written ISO)."""
        from citycat.model.dates import read_date

        def parse(raw):
            value = read_date(raw)
            if value is None:
                return None, self.say("bad_date", value=str(raw).strip())
            if past and value > self.today:
                return None, self.say(
                    "date_future",
                    value=_shown_date(value, self.lang),
                    today=_shown_date(self.today, self.lang),
                )
            if after is not None and value < after:
                return None, self.say(
                    "date_before_issued",
                    value=_shown_date(value, self.lang),
                    issued=_shown_date(after, self.lang),
                )
            return value, None

        return self._loop(name, given, default, parse, required)

    def choose(self, name, records, given=None, default=None, many=False, required=True):
        """An id of ``records``: its number in the list shown, or its id, abbreviation or name
        however cased or marked; a miss says what it may have meant."""
        from citycat.cli.words import say
        from citycat.model.suggest import candidates, resolve, suggest

        ids = [r.id for r in records]
        among = candidates(records)

        def parse(raw):
            picked = []
            parts = [p.strip() for p in str(raw).split(",") if p.strip()] if many else [str(raw).strip()]
            for part in parts:
                if part.isdigit() and 1 <= int(part) <= len(ids):
                    found = ids[int(part) - 1]
                else:
                    found = part if part in ids else resolve(part, among)
                if found is None:
                    close = suggest(part, among)
                    guess = say("common.did_you_mean", self.lang, ids=", ".join(close)) if close else ""
                    if self.interactive and given is None:
                        return None, self.say("bad_choice", value=part, suggestion=guess)
                    return None, self.say(
                        "bad_choice_given", value=part, suggestion=guess, choices=", ".join(ids)
                    )
                if found not in picked:
                    picked.append(found)
            if not picked:
                return None, self.say("required")
            return (picked if many else picked[0]), None

        if given is None and self.interactive:
            typer.echo(f"{self.say(f'ask.{name}')}:", err=True)
            for n, r in enumerate(records, 1):
                typer.echo(f"  {n:>2}. {r.id} — {r.label(self.lang)}", err=True)
        elif given is None and required and default is None:
            self.choices[_option(name)] = ids
        return self._loop(name, given, default, parse, required, prompt=self.say("pick"))

    def words(self, name, given=None):
        raw = self.text(name, given)
        return [w.strip() for w in raw.split(",") if w.strip()] if raw else []

    def yes(self, name, given=None) -> bool:
        from citycat.model.vietnamese import fold

        if given is not None or not self.interactive:
            return bool(given)

        def parse(raw):
            answer = fold(str(raw)).strip()
            if answer in ("c", "co", "y", "yes", "true", "1"):
                return True, None
            if answer in ("k", "khong", "n", "no", "false", "0"):
                return False, None
            return None, self.say("bad_yes")

        return self._loop(name, None, "k" if self.lang == "vi" else "n", parse, True)


def _shown_date(value, lang: str) -> str:
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def _records(c, register: str, keep=lambda r: True) -> list:
    return [r for r in c.register_lists.get(register, ()) if keep(r)]


@app.command()
@reads_the_whole_list
def new(
    root: RootOption = Path("."),
    lang: LangOption = None,
    today: TodayOption = None,
    id: Annotated[
        str | None, typer.Option("--id", help="The dataset's id; default: made from the Vietnamese title.")
    ] = None,
    title_vi: Annotated[
        str | None, typer.Option("--title-vi", help="Title in Vietnamese, with its marks (required).")
    ] = None,
    title_en: Annotated[str | None, typer.Option("--title-en", help="Title in English.")] = None,
    description_vi: Annotated[
        str | None,
        typer.Option("--description-vi", help="Description in Vietnamese, 50 characters or more (required)."),
    ] = None,
    description_en: Annotated[
        str | None, typer.Option("--description-en", help="Description in English, 50 characters or more.")
    ] = None,
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency", help="The owning agency: its id, abbreviation or name in catalogue/agencies.yaml."
        ),
    ] = None,
    contact_name: Annotated[
        str | None, typer.Option("--contact-name", help="The contact point (office, unit).")
    ] = None,
    contact_email: Annotated[
        str | None, typer.Option("--contact-email", help="The contact point's e-mail address (required).")
    ] = None,
    themes: Annotated[
        str | None, typer.Option("--themes", help="Themes from catalogue/themes.yaml, separated by commas.")
    ] = None,
    keywords_vi: Annotated[
        str | None, typer.Option("--keywords-vi", help="Vietnamese keywords, separated by commas.")
    ] = None,
    keywords_en: Annotated[
        str | None, typer.Option("--keywords-en", help="English keywords, separated by commas.")
    ] = None,
    access: Annotated[str | None, typer.Option("--access", help="open, shared or internal.")] = None,
    personal_data: Annotated[
        bool | None,
        typer.Option(
            "--personal-data/--no-personal-data", help="Whether it holds personal data (default: no)."
        ),
    ] = None,
    legal_basis: Annotated[
        str | None,
        typer.Option("--legal-basis", help="The legal text that restricts access (required unless open)."),
    ] = None,
    licence: Annotated[
        str | None, typer.Option("--licence", help="An open licence (open data only; default: cc-by).")
    ] = None,
    data_class: Annotated[
        str | None,
        typer.Option("--data-class", help="core, important or other (catalogue/vocabularies.yaml)."),
    ] = None,
    frequency: Annotated[
        str | None, typer.Option("--frequency", help="How often it is updated, e.g. quarterly.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="proposed (default), confirmed, published or withdrawn.")
    ] = None,
    due: Annotated[
        str | None,
        typer.Option("--due", help="Due date, 31/12/2026 or 2026-12-31; default: the catalogue's deadline."),
    ] = None,
    issued: Annotated[
        str | None,
        typer.Option("--issued", help="Date issued, 28/11/2026 or 2026-11-28 (not in the future)."),
    ] = None,
    modified: Annotated[
        str | None,
        typer.Option("--modified", help="Date last modified, on or after --issued (not in the future)."),
    ] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="Format of a first distribution, e.g. CSV.")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Its download (file) or access (API, page) URL.")
    ] = None,
    distribution_title_vi: Annotated[
        str | None,
        typer.Option(
            "--distribution-title-vi", help="Its title in Vietnamese; default: the title and format."
        ),
    ] = None,
    distribution_title_en: Annotated[
        str | None,
        typer.Option(
            "--distribution-title-en", help="Its title in English; default: the English title and format."
        ),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Ask nothing: every required value from options.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the entry; write nothing.")] = False,
) -> None:
    """Add a dataset at the end of datasets.yaml: asks for each field (with the allowed values
    from the registers) or takes them from options. The rest of the file is left byte for byte."""
    given = dict(locals())  # the options, by name
    from click.exceptions import Abort

    from citycat.cli.words import fail_in

    root = catalogue_root(root, lang)
    c = _loaded(root, lang)
    language = message_language(lang, c.default_language)
    day = today or city_today()
    ask = _Asker(language, interactive=not no_input, today=day)
    try:
        values = _answers(c, ask, given)
    except (Abort, typer.Abort):  # the input ran out (or Ctrl-C): nothing written
        raise fail_in("new.aborted", language, 1) from None
    if ask.missing:
        typer.echo(f"citycat: {ask.say('missing', names=', '.join(ask.missing))}", err=True)
        for option, ids in ask.choices.items():
            if option in ask.missing:
                typer.echo(ask.say("missing_choices", option=option, choices=", ".join(ids)), err=True)
        raise typer.Exit(2)
    _write_new(root, values, day, language, dry_run)


def _answers(c, ask: _Asker, given: dict) -> dict:
    """Every field of the new entry, from the options in ``given`` or asked."""
    from citycat.model import policy
    from citycat.model.vietnamese import slugify

    values: dict = {}
    values["title.vi"] = ask.text("title.vi", given["title_vi"], required=True, min_length=5)
    values["title.en"] = ask.text("title.en", given["title_en"], min_length=3)
    slug = slugify(values["title.vi"] or "") or None
    values["id"] = ask.text("id", given["id"], default=slug, required=True)
    values["description.vi"] = ask.text(
        "description.vi", given["description_vi"], required=True, min_length=50
    )
    values["description.en"] = ask.text("description.en", given["description_en"], min_length=50)
    values["agency"] = ask.choose("agency", _records(c, "agencies"), given["agency"])
    values["contact.name"] = ask.text("contact.name", given["contact_name"])
    values["contact.email"] = ask.text(
        "contact.email",
        given["contact_email"],
        required=True,
        check=lambda s: "@" in s and "." in s.split("@")[-1],
    )
    values["themes"] = ask.choose("themes", _records(c, "themes"), given["themes"], many=True)
    values["keywords.vi"] = ask.words("keywords.vi", given["keywords_vi"])
    values["keywords.en"] = ask.words("keywords.en", given["keywords_en"])
    values["access"] = ask.choose("access", _records(c, "access_levels"), given["access"])
    is_open = policy.is_open(c, values["access"])
    values["data_class"] = ask.choose(
        "data_class", _records(c, "data_classes"), given["data_class"], required=False
    )
    personal = given["personal_data"]
    values["personal_data"] = False if is_open and personal is None else ask.yes("personal_data", personal)
    if is_open:
        licence = given["licence"]
        open_licences = _records(c, "licences", policy.marked_open)
        values["licence"] = ask.choose("licence", open_licences, licence, default=licence or "cc-by")
    else:
        values["legal_basis"] = ask.text("legal_basis", given["legal_basis"], required=True, min_length=10)
    values["frequency"] = ask.choose("frequency", _records(c, "frequencies"), given["frequency"])
    values["status"] = ask.choose("status", _records(c, "statuses"), given["status"], default="proposed")
    deadline = c.settings.get("deadline")
    deadline = _shown_date(deadline, ask.lang) if isinstance(deadline, dt.date) else deadline
    values["due"] = ask.date("due", given["due"], default=str(deadline) if deadline else None)
    today = _shown_date(ask.today, ask.lang) if ask.interactive else None
    values["issued"] = ask.date("issued", given["issued"], default=today, required=False, past=True)
    values["modified"] = ask.date(
        "modified", given["modified"], default=today, required=False, past=True, after=values["issued"]
    )
    dist_format = ask.choose("format", _records(c, "formats"), given["format"], required=False)
    if dist_format:
        link = ask.text("url", given["url"], required=True, check=lambda s: s.startswith("https://"))
        title_vi = ask.text(
            "distribution.title.vi",
            given["distribution_title_vi"],
            default=f"{values['title.vi']} ({dist_format})",
            required=True,
        )
        english = f"{values['title.en']} ({dist_format})" if values["title.en"] else None
        title_en = ask.text("distribution.title.en", given["distribution_title_en"], default=english)
        api = dist_format.upper() in ("API", "WMS", "WFS", "HTML", "SPARQL")
        values["distributions"] = [
            {
                "title.vi": title_vi,
                "title.en": title_en,
                "format": dist_format,
                "access_url" if api else "download_url": link,
            }
        ]
    return values


def _write_new(root: Path, values: dict, today, language: str, dry_run: bool) -> None:
    """Check the entry with the rest of the list, show what citycat finds, write it if no error."""
    from citycat.cli.words import echo, fail_in
    from citycat.editing.new import NewError, add

    try:
        added = add(root, values, today)
    except NewError as exc:
        raise fail(exc.words[language], 1) from None
    if added.findings:  # shown with the lines of the file as it would be
        import tempfile

        from citycat.checks import output

        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / DATASETS).write_text(added.text, "utf-8")
            for line in output.text(list(added.findings), Path(tmp), language, False, None):
                typer.echo(line, err=True)
    if dry_run:
        echo("new.dry", language)
        typer.echo(added.entry, nl=False)
        return
    if any(f.level == "error" for f in added.findings):
        raise fail_in("new.refused", language, 1)
    write_atomic(root / DATASETS, added.text.encode("utf-8"))
    echo("new.added", language, id=values["id"], line=added.line)
    echo("new.next", language)


@app.command()
def fields(root: RootOption = Path(".")) -> None:
    """The reference of every field of datasets.yaml in Markdown (docs/fields.md), from the
    Table Schemas and the registers: `citycat fields > docs/fields.md`."""
    from citycat.checks.docs import fields_markdown

    root = catalogue_root(root)
    c = _loaded(root)
    typer.echo(fields_markdown(c.meta, c.register_lists), nl=False)
