"""What citycat says about its own command line, in the chosen language: ``--help`` (every
command's and option's description from ``words.yaml``, plain metavars such as FILE or DATE,
never a Python type) and the usage errors click raises ("No such option", "Missing argument"...),
said in our words with click's suggestion kept.

``citycat.cli.main`` builds the click command, ``localise``s it, runs it and, on a usage error,
prints ``usage_error(...)``. The language is chosen before anything is parsed
(``chosen_language``): ``--lang`` in the arguments, else the catalogue's default language (of
``--root``, or the current folder), else Vietnamese.
"""

from __future__ import annotations

import re
import typing
from enum import Enum
from pathlib import Path

from typer import _click as click
from typer import exceptions as typer_exceptions
from typer import rich_utils
from typer.core import TyperArgument

from citycat.cli.words import LANGUAGES, Said, has, language_of, say

UsageError = click.exceptions.UsageError
NoArgsIsHelpError = click.exceptions.NoArgsIsHelpError
Abort = typer_exceptions.Abort  # typer 0.2x keeps it beside its own exceptions, not in _click

# The kind of value each option takes, shown as its metavar (words "metavar.<kind>"); an option
# not named here shows its choices (an enum) or the kind of its type.
KINDS = {
    "root": "folder",
    "output": "file",
    "today": "date",
    "since": "date",
    "date": "date",
    "signed_date": "date",
    "due": "date",
    "agency": "id",
    "dataset": "id",
    "id": "id",
    "organization": "id",
    "decision": "decision",
    "url": "url",
    "source": "file_or_url",
    "ref": "ref",
    "changed_since": "ref",
    "files": "file",
    "syntax": "syntax",
    "source_lang": "lang",
    "port": "number",
}
FOLDER_OUT = {"build", "serve", "release"}  # their --out is a folder; elsewhere a file


def _option_value(args: list[str], names: tuple[str, ...]) -> str | None:
    """The value given to an option (``--lang en``, ``--lang=en``, ``-C path``, ``-Cpath``)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg[len(name) + 1 :]
            if not name.startswith("--") and arg.startswith(name) and len(arg) > len(name):
                return arg[len(name) :]
    return None


def chosen_language(args: list[str]) -> str:
    """--lang, else the catalogue's default language (--root, or the current folder), else vi."""
    lang = _option_value(args, ("--lang",))
    if lang in LANGUAGES:
        return lang
    return language_of(Path(_option_value(args, ("--root", "-C")) or "."))


# --- --help ----------------------------------------------------------------------------------


def _help(path: str, name: str | None, language: str) -> str | None:
    for key in [f"help.{path}.{name}", f"help.common.{name}"] if name else [f"help.{path}"]:
        if has(key):
            return say(key, language)
    return None


def _annotation(param) -> typing.Any:
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is list and args:
        return args[0]
    if args and typing.get_origin(annotation) is not list:
        return args[0] if len(args) == 1 else annotation
    return annotation


def choices(param) -> list[str] | None:
    kind = _annotation(param)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return [str(m.value) for m in kind]
    return None


def metavar(param, command: str, language: str) -> str:
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    picked = choices(param)
    if picked and isinstance(param, TyperArgument):
        return say("metavar.format", language)
    if picked:
        return "|".join(picked)
    kind = KINDS.get(param.name)
    if param.name == "out":
        kind = "folder" if command in FOLDER_OUT else "file"
    if kind is None:
        annotation = _annotation(param)
        kind = {int: "number", float: "seconds", Path: "file"}.get(annotation, "text")
    return say(f"metavar.{kind}", language)


def localise(command, language: str, path: str = "") -> None:
    """Put ``command``'s (and its subcommands') help, metavars and usage line in ``language``."""
    for name, value in {
        "ARGUMENTS_PANEL_TITLE": "help.panel.arguments",
        "OPTIONS_PANEL_TITLE": "help.panel.options",
        "COMMANDS_PANEL_TITLE": "help.panel.commands",
        "REQUIRED_LONG_STRING": "help.required",
    }.items():
        setattr(rich_utils, name, say(value, language))
    rich_utils.DEFAULT_STRING = say("help.default", language, value="{}")
    _localise(command, language, path)


def _localise(command, language: str, path: str) -> None:
    text = _help(path or "citycat", None, language)
    if text is not None:
        command.help = text
        command.short_help = None
    command.options_metavar = say("help.options_metavar", language)
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = say("help.subcommand_metavar", language)
    prefix = say("help.usage", language) + " "

    def format_usage(ctx, formatter, command=command) -> None:
        formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)), prefix)

    command.format_usage = format_usage
    ctx = click.Context(command, info_name=path.rpartition(".")[2] or "citycat")
    for param in command.get_params(ctx):
        about = _help(path or "citycat", param.name, language)
        if about is not None:
            param.help = about
        shown = metavar(param, path, language)
        if isinstance(param, TyperArgument):
            param.metavar = shown
            param.display_type_rich = lambda ctx: None  # the name column already says it
            param._usage_display_name = lambda p=param: p.metavar if p.required else f"[{p.metavar}]"
        else:
            param.metavar = shown
    for name, sub in getattr(command, "commands", {}).items():
        _localise(sub, language, f"{path}.{name}" if path else name)


# --- usage errors ----------------------------------------------------------------------------


def _name(param, language: str) -> str:
    if param is None:
        return "?"
    if isinstance(param, TyperArgument):
        return param.metavar or param.name.upper()
    return max(param.opts, key=len)


def _range(param, language: str) -> str:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return say("usage.between", language, min=low, max=high)
    if low is not None:
        return say("usage.at_least", language, min=low)
    if high is not None:
        return say("usage.at_most", language, max=high)
    return ""


def _quoted(names) -> str:
    return ", ".join(names)


def usage_error(exc: UsageError, args: list[str], language: str) -> list[str]:
    """The lines that say ``exc`` in ``language``: what is wrong, then where to read how."""
    ctx = exc.ctx
    message = exc.message or ""
    hint = None
    if isinstance(exc, Said):
        line = say(exc.key, language, **exc.params)
    elif isinstance(exc, click.exceptions.NoSuchOption):
        line = say("usage.no_such_option", language, option=exc.option_name)
        if exc.possibilities:
            hint = say("usage.did_you_mean", language, names=_quoted(exc.possibilities))
    elif isinstance(exc, click.exceptions.BadOptionUsage):
        key = "usage.takes_no_value" if "does not take" in message else "usage.needs_value"
        line = say(key, language, option=exc.option_name)
    elif isinstance(exc, click.exceptions.MissingParameter):
        param = exc.param
        key = "usage.missing_argument" if isinstance(param, TyperArgument) else "usage.missing_option"
        line = say(key, language, name=_name(param, language), about=(param.help or "") if param else "")
    elif isinstance(exc, click.exceptions.BadParameter):
        param = exc.param
        name = _name(param, language)
        given = re.search(r"'(.*)' is not one of", message)
        value = given.group(1) if given else None
        if value is None and param is not None and not isinstance(param, TyperArgument):
            value = _option_value(args, tuple(param.opts))
        options = choices(param) if param is not None else None
        annotation = _annotation(param) if param is not None else None
        if options:
            line = say("usage.bad_choice", language, value=value, name=name, choices=", ".join(options))
        elif annotation in (int, float) and value is not None:
            key = "usage.bad_integer" if annotation is int else "usage.bad_number"
            line = say(key, language, value=value, name=name, range=_range(param, language))
        else:
            line = say("usage.bad_value", language, name=name)
    else:
        command = re.match(r"No such command '(.*?)'\.(?: Did you mean '(.*?)'\?)?", message)
        extra = re.match(r"Got unexpected extra arguments? \((.*)\)", message)
        if command:
            line = say("usage.no_such_command", language, name=command.group(1))
            if command.group(2):
                hint = say("usage.did_you_mean", language, names=command.group(2))
        elif extra:
            line = say("usage.extra_arguments", language, args=extra.group(1))
        elif message.startswith("Missing command"):
            line = say("usage.missing_command", language)
        else:
            line = say("usage.other", language)
    lines = [f"citycat: {line}"]
    if hint:
        lines.append(hint)
    lines.append(say("usage.see_help", language, command=ctx.command_path if ctx else "citycat"))
    return lines
