"""Findings: what a check says about one place in the catalogue.

A finding is a code plus parameters plus a location. Its words (vi and en), its severity and
its fix come from the check registry (``checks.yaml``), so every message exists in both
languages and every code is documented in one place.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, NamedTuple

import yaml

ERROR = "error"
WARNING = "warning"


class Loc(NamedTuple):
    """A place in a source file; line and column count from 1 (0: the whole file).

    A named tuple: the loader makes one per YAML value, over a million for a large catalogue.
    """

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    group: str
    title: Mapping[str, str]
    message: Mapping[str, str]
    fix: Mapping[str, str]
    example: Mapping[str, str] | None = None  # for a code no tests/cases/bad case shows: file, text, why


@functools.cache
def registry() -> Mapping[str, Check]:
    """Every check citycat knows, read from the package's ``checks.yaml``."""
    text = resources.files("citycat.checks").joinpath("checks.yaml").read_text("utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out = {}
    for code, spec in raw["checks"].items():
        out[code] = Check(
            code=code,
            severity=spec["severity"],
            group=spec["group"],
            title=spec["title"],
            message=spec["message"],
            fix=spec["fix"],
            example=spec.get("example"),
        )
    return out


def both(vi: str, en: str) -> dict[str, str]:
    """Words in both languages, as a finding parameter (shown in the message's language)."""
    return {"vi": vi, "en": en}


class _Params(dict):
    def __missing__(self, key: str) -> str:  # a template naming an absent parameter stays readable
        return "{" + key + "}"


@dataclass(frozen=True)
class Finding:
    code: str
    loc: Loc | None = None
    dataset: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: str | None = None  # None: the registry's default

    def __post_init__(self) -> None:
        if self.code not in registry():
            raise KeyError(f"unknown check code {self.code!r}: add it to checks.yaml")

    @property
    def check(self) -> Check:
        return registry()[self.code]

    @property
    def level(self) -> str:
        return self.severity or self.check.severity

    def message(self, lang: str = "vi") -> str:
        return _fill(self.check.message, lang, self.params)

    def fix(self, lang: str = "vi") -> str:
        return _fill(self.check.fix, lang, self.params)

    def sort_key(self) -> tuple:
        loc = self.loc or Loc("")
        return (loc.file, loc.line, loc.col, self.code)

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        loc = self.loc
        return {
            "severity": self.level,
            "code": self.code,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.col if loc else None,
            "dataset": self.dataset,
            "message": self.message(lang),
            "fix": self.fix(lang),
        }


def _fill(texts: Mapping[str, str], lang: str, params: Mapping[str, Any]) -> str:
    template = texts.get(lang) or texts["en"]
    return template.format_map(_Params({k: _show(v, lang) for k, v in params.items()})).strip()


def _show(value: Any, lang: str) -> str:
    """A parameter as a message shows it: a {"vi": …, "en": …} mapping (words that depend on the
    language, such as a type's name) in ``lang``; a list joined by commas."""
    if isinstance(value, Mapping) and "en" in value:
        return str(value.get(lang) or value["en"])
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
