"""The ``citycat`` typer application, alone: each command group (``citycat.cli.catalogue``,
``citycat.cli.editing``, ``citycat.cli.imports``) registers its commands on it, and
``citycat.cli`` imports them all."""

from __future__ import annotations

import typer

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="citycat: the shared data catalogue registry of Hanoi (danh mục dữ liệu dùng chung).",
)
