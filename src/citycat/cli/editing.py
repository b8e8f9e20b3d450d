"""The editing workflow's commands: ``diff``, ``summary``, ``schema``, ``fields``, ``fmt`` and ``new``.

They are registered on ``citycat.cli.app.app`` and share ``citycat.cli.options``; like the rest of the command
line, they only parse options and call the library.
"""

from __future__ import annotations

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
    from citycat.source.yamlsafe import FatalYAML, load_file

    root = root.resolve()
    language = language_of(root, lang)
    targets = [p if p.is_absolute() else root / p for p in (files or [Path(DATASETS)])]
    failed = stale = False
    for path in targets:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise fail_in("fmt.missing", language, file=name) from None
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

ASK = {
    "vi": {
        "title.vi": "Tên bộ dữ liệu (tiếng Việt)",
        "title.en": "Tên tiếng Anh (Enter để bỏ qua)",
        "id": "Mã định danh (không dấu, nối bằng '-')",
        "description.vi": "Mô tả (tiếng Việt, ít nhất 50 ký tự)",
        "description.en": "Mô tả tiếng Anh (Enter để bỏ qua)",
        "agency": "Cơ quan chủ quản",
        "contact.name": "Đầu mối liên hệ (phòng, bộ phận)",
        "contact.email": "Thư điện tử liên hệ",
        "themes": "Lĩnh vực (một hoặc nhiều, cách nhau bởi dấu phẩy)",
        "keywords.vi": "Từ khóa tiếng Việt, cách nhau bởi dấu phẩy (Enter để bỏ qua)",
        "keywords.en": "Từ khóa tiếng Anh (Enter để bỏ qua)",
        "access": "Mức độ chia sẻ",
        "personal_data": "Có dữ liệu cá nhân không?",
        "legal_basis": "Căn cứ pháp lý của việc hạn chế chia sẻ",
        "licence": "Giấy phép",
        "data_class": "Phân loại dữ liệu",
        "frequency": "Tần suất cập nhật",
        "status": "Trạng thái",
        "due": "Hạn công bố (năm-tháng-ngày)",
        "format": "Định dạng của tài nguyên đầu tiên (Enter để bỏ qua)",
        "url": "Đường dẫn tải về hoặc truy cập (https://…)",
        "pick": "Chọn số hoặc mã",
        "bad_choice": "'{value}' không có trong danh sách; chọn số hoặc mã ở trên.",
        "required": "Trường này bắt buộc.",
        "too_short": "Cần ít nhất {n} ký tự (hiện có {have}).",
        "bad_date": "Ngày phải dạng năm-tháng-ngày, ví dụ 2026-12-31.",
        "bad_email": "Thư điện tử chưa đúng, ví dụ ten@hanoi.gov.vn.",
        "bad_url": "Đường dẫn phải bắt đầu bằng https://",
        "missing": "Thiếu: {names} (dùng các tùy chọn tương ứng, hoặc bỏ --no-input để được hỏi).",
        "added": "Đã thêm '{id}' vào datasets.yaml (dòng {line}).",
        "dry": "Mục sẽ được thêm (chưa ghi gì):",
        "refused": "Chưa ghi gì: mục mới có lỗi, sửa rồi chạy lại.",
        "next": "Tiếp theo: citycat validate, rồi tạo pull request.",
    },
    "en": {
        "title.vi": "Title in Vietnamese",
        "title.en": "Title in English (Enter to skip)",
        "id": "Id (ASCII, words joined by '-')",
        "description.vi": "Description in Vietnamese (at least 50 characters)",
        "description.en": "Description in English (Enter to skip)",
        "agency": "Owning agency",
        "contact.name": "Contact point (office, unit)",
        "contact.email": "Contact e-mail",
        "themes": "Themes (one or more, separated by commas)",
        "keywords.vi": "Vietnamese keywords, separated by commas (Enter to skip)",
        "keywords.en": "English keywords (Enter to skip)",
        "access": "Access level",
        "personal_data": "Does it hold personal data?",
        "legal_basis": "Legal basis for restricting access",
        "licence": "Licence",
        "data_class": "Data class",
        "frequency": "Update frequency",
        "status": "Status",
        "due": "Due date (YYYY-MM-DD)",
        "format": "Format of the first distribution (Enter to skip)",
        "url": "Download or access URL (https://…)",
        "pick": "Pick a number or an id",
        "bad_choice": "'{value}' is not in the list; pick a number or an id above.",
        "required": "This field is required.",
        "too_short": "At least {n} characters are needed ({have} so far).",
        "bad_date": "Write the date as year-month-day, e.g. 2026-12-31.",
        "bad_email": "This is not an e-mail address, e.g. name@hanoi.gov.vn.",
        "bad_url": "The URL must start with https://",
        "missing": "Missing: {names} (give them as options, or leave out --no-input to be asked).",
        "added": "Added '{id}' to datasets.yaml (line {line}).",
        "dry": "The entry that would be added (nothing written):",
        "refused": "Nothing written: the new entry has errors; fix them and run again.",
        "next": "Next: citycat validate, then open a pull request.",
    },
}


class _Asker:
    """Prompts in the officer's language; every answer is checked before the next question."""

    def __init__(self, lang: str, interactive: bool):
        self.w = ASK[lang]
        self.lang = lang
        self.interactive = interactive
        self.missing: list[str] = []

    def _loop(self, name: str, given, default, parse, required: bool):
        if given is not None:
            value, problem = parse(given)
            if problem is None:
                return value
            raise fail(f"--{name.replace('.', '-').replace('_', '-')}: {problem}")
        if not self.interactive:
            if required and default is None:
                self.missing.append("--" + name.replace(".", "-").replace("_", "-"))
            return parse(default)[0] if default is not None else None
        while True:
            raw = typer.prompt(
                self.w[name], default=default if default is not None else "", show_default=bool(default)
            )
            raw = raw.strip()
            if not raw and not required:
                return None
            if not raw:
                typer.echo("  " + self.w["required"], err=True)
                continue
            value, problem = parse(raw)
            if problem is None:
                return value
            typer.echo("  " + problem, err=True)

    def text(self, name, given=None, default=None, required=False, min_length=0, check=None):
        def parse(raw):
            raw = str(raw).strip()
            if len(raw) < min_length:
                return None, self.w["too_short"].format(n=min_length, have=len(raw))
            if check is not None and raw and not check(raw):
                return None, self.w[{"contact.email": "bad_email", "url": "bad_url"}.get(name, "required")]
            return raw, None

        return self._loop(name, given, default, parse, required)

    def date(self, name, given=None, default=None):
        import datetime as dt

        def parse(raw):
            try:
                return dt.date.fromisoformat(str(raw).strip()), None
            except ValueError:
                return None, self.w["bad_date"]

        return self._loop(name, given, default, parse, True)

    def choose(self, name, options, given=None, default=None, many=False, required=True):
        ids = [i for i, _ in options]

        def parse(raw):
            picked = []
            for part in [p.strip() for p in str(raw).split(",") if p.strip()] if many else [str(raw).strip()]:
                if part.isdigit() and 1 <= int(part) <= len(ids):
                    part = ids[int(part) - 1]
                if part not in ids:
                    return None, self.w["bad_choice"].format(value=part)
                if part not in picked:
                    picked.append(part)
            return (picked if many else picked[0]), None

        if given is None and self.interactive:
            typer.echo(f"{self.w[name]}:", err=True)
            for n, (i, label) in enumerate(options, 1):
                typer.echo(f"  {n:>2}. {i} — {label}", err=True)
        return self._loop(name, given, default, parse, required)

    def words(self, name, given=None):
        raw = self.text(name, given)
        return [w.strip() for w in raw.split(",") if w.strip()] if raw else []

    def yes(self, name, given=None) -> bool:
        if given is not None or not self.interactive:
            return bool(given)
        return typer.confirm(self.w[name], default=False)


def _options(c, register: str, lang: str, keep=lambda r: True) -> list[tuple[str, str]]:
    return [(r.id, r.label(lang)) for r in c.register_lists.get(register, ()) if keep(r)]


@app.command()
@reads_the_whole_list
def new(
    root: RootOption = Path("."),
    lang: LangOption = None,
    today: TodayOption = None,
    id: Annotated[str | None, typer.Option("--id", help="Default: made from the Vietnamese title.")] = None,
    title_vi: Annotated[str | None, typer.Option("--title-vi")] = None,
    title_en: Annotated[str | None, typer.Option("--title-en")] = None,
    description_vi: Annotated[str | None, typer.Option("--description-vi")] = None,
    description_en: Annotated[str | None, typer.Option("--description-en")] = None,
    agency: Annotated[
        str | None, typer.Option("--agency", help="An id from catalogue/agencies.yaml.")
    ] = None,
    contact_name: Annotated[str | None, typer.Option("--contact-name")] = None,
    contact_email: Annotated[str | None, typer.Option("--contact-email")] = None,
    themes: Annotated[str | None, typer.Option("--themes", help="Theme ids, separated by commas.")] = None,
    keywords_vi: Annotated[str | None, typer.Option("--keywords-vi", help="Separated by commas.")] = None,
    keywords_en: Annotated[str | None, typer.Option("--keywords-en", help="Separated by commas.")] = None,
    access: Annotated[str | None, typer.Option("--access", help="open, shared or internal.")] = None,
    personal_data: Annotated[bool | None, typer.Option("--personal-data/--no-personal-data")] = None,
    legal_basis: Annotated[str | None, typer.Option("--legal-basis", help="Required unless open.")] = None,
    licence: Annotated[str | None, typer.Option("--licence", help="Required for open data.")] = None,
    data_class: Annotated[str | None, typer.Option("--data-class")] = None,
    frequency: Annotated[str | None, typer.Option("--frequency")] = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="YYYY-MM-DD; default: the catalogue's deadline.")
    ] = None,
    format: Annotated[str | None, typer.Option("--format", help="Format of a first distribution.")] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Its download (file) or access (API, page) URL.")
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Ask nothing: every required value from options.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the entry; write nothing.")] = False,
) -> None:
    """Add a dataset at the end of datasets.yaml: asks for each field (with the allowed values
    from the registers) or takes them from options. The rest of the file is left byte for byte."""
    from citycat.editing.new import NewError, add
    from citycat.model import policy
    from citycat.model.vietnamese import slugify

    root = catalogue_root(root)
    c = _loaded(root)
    language = message_language(lang, c.default_language)
    w = ASK[language]
    ask = _Asker(language, interactive=not no_input)
    values: dict = {}
    values["title.vi"] = ask.text("title.vi", title_vi, required=True, min_length=5)
    values["title.en"] = ask.text("title.en", title_en, min_length=3)
    values["id"] = ask.text("id", id, default=slugify(values["title.vi"] or "") or None, required=True)
    values["description.vi"] = ask.text("description.vi", description_vi, required=True, min_length=50)
    values["description.en"] = ask.text("description.en", description_en, min_length=50)
    values["agency"] = ask.choose("agency", _options(c, "agencies", language), agency)
    values["contact.name"] = ask.text("contact.name", contact_name)
    values["contact.email"] = ask.text(
        "contact.email", contact_email, required=True, check=lambda s: "@" in s and "." in s.split("@")[-1]
    )
    values["themes"] = ask.choose("themes", _options(c, "themes", language), themes, many=True)
    values["keywords.vi"] = ask.words("keywords.vi", keywords_vi)
    values["keywords.en"] = ask.words("keywords.en", keywords_en)
    values["access"] = ask.choose("access", _options(c, "access_levels", language), access)
    is_open = policy.is_open(c, values["access"])
    values["data_class"] = ask.choose(
        "data_class", _options(c, "data_classes", language), data_class, required=False
    )
    values["personal_data"] = (
        False if is_open and personal_data is None else ask.yes("personal_data", personal_data)
    )
    if is_open:
        open_licences = _options(c, "licences", language, policy.marked_open)
        values["licence"] = ask.choose("licence", open_licences, licence, default=licence or "cc-by")
    else:
        values["legal_basis"] = ask.text("legal_basis", legal_basis, required=True, min_length=10)
    values["frequency"] = ask.choose("frequency", _options(c, "frequencies", language), frequency)
    values["status"] = ask.choose("status", _options(c, "statuses", language), status, default="proposed")
    deadline = c.settings.get("deadline")
    values["due"] = ask.date("due", due, default=str(deadline) if deadline else None)
    dist_format = ask.choose("format", _options(c, "formats", language), format, required=False)
    if dist_format:
        link = ask.text("url", url, required=True, check=lambda s: s.startswith("https://"))
        api = dist_format.upper() in ("API", "WMS", "WFS", "HTML", "SPARQL")
        values["distributions"] = [
            {
                "title": {"vi": f"{values['title.vi']} ({dist_format})"},
                "format": dist_format,
                "access_url" if api else "download_url": link,
            }
        ]
    if ask.missing:
        raise fail(w["missing"].format(names=", ".join(ask.missing)))
    if "distributions" in values:
        values["distributions"] = [_flat(d) for d in values["distributions"]]
    try:
        added = add(root, values, today or city_today())
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
        typer.echo(w["dry"], err=True)
        typer.echo(added.entry, nl=False)
        return
    if any(f.level == "error" for f in added.findings):
        raise fail(w["refused"], 1)
    write_atomic(root / DATASETS, added.text.encode("utf-8"))
    typer.echo(w["added"].format(id=values["id"], line=added.line), err=True)
    typer.echo(w["next"], err=True)


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[prefix + k] = v
    return out


@app.command()
def fields(root: RootOption = Path(".")) -> None:
    """The reference of every field of datasets.yaml in Markdown (docs/fields.md), from the
    Table Schemas and the registers: `citycat fields > docs/fields.md`."""
    from citycat.checks.docs import fields_markdown

    root = catalogue_root(root)
    c = _loaded(root)
    typer.echo(fields_markdown(c.meta, c.register_lists), nl=False)
