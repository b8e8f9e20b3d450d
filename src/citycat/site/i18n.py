"""UI strings (one catalogue per language, in the theme: ``site/i18n/{lang}.yaml``) and the
formats Vietnamese readers expect: dates dd/mm/yyyy, Vietnamese number grouping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from citycat.site import themefiles

LANGS = ("vi", "en")


def load_strings(theme: Path) -> dict[str, dict[str, str]]:
    out = {}
    for lang in LANGS:
        text = themefiles.read(theme, theme / "i18n" / f"{lang}.yaml").decode("utf-8")
        out[lang] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    return out


def date(value: dt.date | None, lang: str = "vi") -> str:
    """31/12/2026 for both languages (the city's documents use day/month/year)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y")


def number(value: int, lang: str = "vi") -> str:
    """1.234 in Vietnamese, 1,234 in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "vi" else text


def size(value: int | None, lang: str = "vi") -> str:
    if value is None:
        return ""
    units = ["B", "KB", "MB", "GB", "TB"]
    amount = float(value)
    for unit in units:
        if amount < 1024 or unit == units[-1]:
            text = f"{amount:.0f}" if unit == "B" else f"{amount:.1f}"
            if lang == "vi":
                text = text.replace(".", ",")
            return f"{text} {unit}"
        amount /= 1024
    return str(value)
