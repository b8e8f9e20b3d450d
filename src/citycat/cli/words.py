"""Every line a command prints for people, in Vietnamese and English (``words.yaml``).

A command says ``say("export.wrote", language, file=...)``; ``fail_in`` prints one such line on
stderr and returns the ``typer.Exit`` to raise. ``language_of`` picks the language before the
catalogue is loaded: ``--lang``, else ``default_language`` in ``catalogue/settings.yaml``
(read with the safe loader, any problem ignored), else Vietnamese.
"""

from __future__ import annotations

import errno
import functools
from importlib import resources
from pathlib import Path
from typing import Any

import typer
import yaml

LANGUAGES = ("vi", "en")


@functools.cache
def words() -> dict[str, dict[str, str]]:
    text = resources.files("citycat.cli").joinpath("words.yaml").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def say(key: str, language: str, **params: Any) -> str:
    """The words ``key`` in ``language`` (vi or en), its {params} filled."""
    texts = words()[key]
    template = texts.get(language) or texts["vi"]
    return template.format_map(_Params(params))


def echo(key: str, language: str, err: bool = True, **params: Any) -> None:
    typer.echo(say(key, language, **params), err=err)


def fail_in(key: str, language: str, code: int = 2, **params: Any) -> typer.Exit:
    """Print ``citycat: <words>`` on stderr; the Exit to raise (2: a usage error, 1: the catalogue)."""
    typer.echo(f"citycat: {say(key, language, **params)}", err=True)
    return typer.Exit(code)


def has(key: str) -> bool:
    return key in words()


def os_reason(exc: OSError, language: str) -> str:
    """Why the system refused a file, in our words (never the C library's English text)."""
    name = errno.errorcode.get(exc.errno or 0, "")
    if has(f"oserror.{name}"):
        return say(f"oserror.{name}", language)
    return say("oserror.other", language, code=name or exc.errno or "?")


class Said(typer.BadParameter):
    """A usage error a callback raises in our words: ``citycat.cli.main`` says ``key`` in the
    chosen language (a callback runs before it is known)."""

    def __init__(self, key: str, **params: Any):
        super().__init__(key)
        self.key = key
        self.params = params


def language_of(root: Path | None, lang: Any = None) -> str:
    """The language of messages: --lang, else the catalogue's default_language, else vi."""
    if lang is not None:
        value = getattr(lang, "value", lang)
        if value in LANGUAGES:
            return value
    if root is not None:
        return _settings_language(Path(root).resolve())
    return "vi"


@functools.cache
def _settings_language(root: Path) -> str:
    try:
        path = root / "catalogue" / "settings.yaml"
        if path.is_symlink() or path.stat().st_size > 1 << 20:
            return "vi"
        data = yaml.load(path.read_text("utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        value = data.get("default_language") if isinstance(data, dict) else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return "vi"
    return value if value in LANGUAGES else "vi"
