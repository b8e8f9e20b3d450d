"""``citycat init DIR``: parses options, calls ``citycat.init``, says what it made.

Exit status: 0 written; 2 the options or the folder do not allow it (nothing written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from citycat.cli.app import app
from citycat.cli.options import Lang
from citycat.cli.words import echo, fail_in, language_of


@app.command()
def init(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="The new catalogue's folder: absent or empty.", show_default=False, metavar="DIR"
        ),
    ] = None,
    province: Annotated[
        str | None,
        typer.Option(
            "--province",
            "-p",
            help='One of the 34 provinces and cities, by code (04) or name ("Cao Bằng"): its official names.',
        ),
    ] = None,
    name_vi: Annotated[
        str | None,
        typer.Option(
            "--name-vi", help='The full name in Vietnamese ("Tỉnh Cao Bằng"); overrides --province\'s.'
        ),
    ] = None,
    name_en: Annotated[
        str | None,
        typer.Option("--name-en", help='The name in English ("Cao Bang Province"); overrides --province\'s.'),
    ] = None,
    id: Annotated[
        str | None,
        typer.Option(
            "--id", help="The catalogue's fixed identifier; default: from the name (cao-bang-shared-data)."
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Where the site is published (https://…/). Required."),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", help="The catalogue's contact e-mail; default: dulieu@ the --base-url's domain."
        ),
    ] = None,
    default_language: Annotated[
        str, typer.Option("--default-language", help="The site's first language: vi or en.")
    ] = "vi",
    deadline: Annotated[
        str | None,
        typer.Option(
            "--deadline",
            help="The date the list must be published by (2026-12-31 or 31/12/2026); default 2026-12-31.",
        ),
    ] = None,
    citycat: Annotated[
        str | None,
        typer.Option("--citycat", help="What the CI files pip install; default: this version of citycat."),
    ] = None,
    list_provinces: Annotated[
        bool,
        typer.Option(
            "--list-provinces", help="Print the 34 provinces and cities with their codes, and stop."
        ),
    ] = False,
    lang: Annotated[
        Lang | None, typer.Option("--lang", help="Language of messages; default: --default-language.")
    ] = None,
) -> None:
    """Start a new, valid, empty catalogue for a city or province in DIR.

    It holds the settings with the place's names, an agencies register to fill, the standard
    themes, licences, vocabularies and Table Schemas, the site's theme, the CI files, a README and
    CONTRIBUTING, and an empty datasets.yaml: 'citycat validate' passes on it, 'citycat build'
    makes its site, 'citycat import' fills it. Written all at once, or not at all.
    """
    from citycat import init as domain

    language = language_of(None, lang or default_language)
    if list_provinces:
        for p in domain.provinces():
            typer.echo(f"{p.code.value:02d}  {p.name}")
        return
    if folder is None:
        raise fail_in("init.folder_needed", language)
    if default_language not in ("vi", "en"):
        raise fail_in("init.bad_language", language, value=default_language)
    try:
        domain.check_target(folder)
        where = domain.place(province, name_vi, name_en)
        options = domain.options(where, id, base_url, email, default_language, deadline, citycat)
        written = domain.create(folder, options)
    except domain.InitError as error:
        raise fail_in(error.key, language, **error.params) from None
    title = (
        f"Danh mục dữ liệu dùng chung {where.name_vi}"
        if language == "vi"
        else f"{where.name_en} Shared Data Catalogue"
    )
    echo("init.done", language, title=title, path=folder, n=len(written))
    echo(
        "init.next",
        language,
        base_url=options.base_url,
        email=options.email,
        deadline=options.deadline.isoformat(),
        path=folder,
    )
