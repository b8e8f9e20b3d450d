"""Findings for people and machines: text (with the source line, like a compiler), JSON, and
GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from citycat.model.findings import ERROR, WARNING, Finding

WORDS = {
    "vi": {
        ERROR: "lỗi",
        WARNING: "cảnh báo",
        "fix": "cách sửa",
        "entries": "bộ dữ liệu",
        "ok": "Danh mục hợp lệ.",
    },
    "en": {
        ERROR: "error",
        WARNING: "warning",
        "fix": "fix",
        "entries": "datasets",
        "ok": "The catalogue is valid.",
    },
}


def level(f: Finding, strict: bool) -> str:
    return ERROR if strict else f.level


def counts(findings: Sequence[Finding], strict: bool) -> tuple[int, int]:
    errors = sum(1 for f in findings if level(f, strict) == ERROR)
    return errors, len(findings) - errors


def summary(findings: Sequence[Finding], datasets: int | None, lang: str, strict: bool) -> str:
    w = WORDS[lang]
    errors, warnings = counts(findings, strict)
    plural = "s" if lang == "en" else ""
    head = (
        f"{errors} {w[ERROR]}{plural if errors != 1 else ''}, "
        f"{warnings} {w[WARNING]}{plural if warnings != 1 else ''}"
    )
    if datasets is not None:
        head += f" — {datasets} {w['entries']}"
    return head if errors else f"{w['ok']} {head}"


def text(
    findings: Sequence[Finding], root: Path, lang: str, strict: bool, datasets: int | None
) -> Iterable[str]:
    lines_of: dict[str, list[str]] = {}
    w = WORDS[lang]
    for f in findings:
        sev = level(f, strict)
        where = str(f.loc) if f.loc else "-"
        entry = f" [{f.dataset}]" if f.dataset else ""
        yield f"{where}: {w[sev]}[{f.code}]{entry} {f.message(lang)}"
        if f.loc and f.loc.line:
            source = _source_line(root, f.loc.file, f.loc.line, lines_of)
            if source is not None:
                number = str(f.loc.line)
                yield f"  {number} | {source}"
                yield f"  {' ' * len(number)} | {' ' * max(f.loc.col - 1, 0)}^"
        yield f"  {w['fix']}: {f.fix(lang)}"
    yield summary(findings, datasets, lang, strict)


def _source_line(root: Path, file: str, line: int, cache: dict[str, list[str]]) -> str | None:
    if file not in cache:
        try:
            cache[file] = (root / file).read_bytes().decode("utf-8", "replace").split("\n")
        except OSError:
            cache[file] = []
    lines = cache[file]
    if 0 < line <= len(lines):
        return lines[line - 1].rstrip("\r").replace("\t", " ").lstrip("\ufeff")[:200]
    return None


def as_json(findings: Sequence[Finding], lang: str, strict: bool, datasets: int) -> str:
    errors, warnings = counts(findings, strict)
    items = []
    for f in findings:
        item = f.to_dict(lang)
        item["severity"] = level(f, strict)
        items.append(item)
    doc = {
        "valid": errors == 0,
        "errors": errors,
        "warnings": warnings,
        "datasets": datasets,
        "findings": items,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding], lang: str, strict: bool, datasets: int) -> Iterable[str]:
    """GitHub Actions workflow commands: one annotation per finding, on its file and line."""
    for f in findings:
        cmd = "error" if level(f, strict) == ERROR else "warning"
        props = []
        if f.loc:
            props.append(f"file={_escape_prop(f.loc.file)}")
            if f.loc.line:
                props += [f"line={f.loc.line}", f"col={max(f.loc.col, 1)}"]
        props.append(f"title={_escape_prop(f.code + (' ' + f.dataset if f.dataset else ''))}")
        yield f"::{cmd} {','.join(props)}::{_escape_data(f.message(lang) + ' — ' + f.fix(lang))}"
    yield summary(findings, datasets, lang, strict)
