"""Findings for people and machines: text (with the source line, like a compiler), JSON, and
GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from citycat.model.findings import ERROR, WARNING, Finding
from citycat.source import paths
from citycat.source.inputs import DATASETS

# The words of the listing, in both languages. (Here, not in citycat/cli/words.yaml: the checks
# sit below the command line and print for it, for `build`, `serve` and `new` as for `validate`.)
WORDS = {
    "vi": {
        ERROR: "lỗi",
        WARNING: "cảnh báo",
        "fix": "cách sửa",
        "error_one": "{n} lỗi",
        "errors": "{n} lỗi",
        "warning_one": "{n} cảnh báo",
        "warnings": "{n} cảnh báo",
        "dataset_one": "{n} bộ dữ liệu",
        "datasets": "{n} bộ dữ liệu",
        "list_unread": "không đọc được danh sách bộ dữ liệu ({file}), chưa kiểm tra bộ nào",
        "valid": "Danh mục hợp lệ.",
    },
    "en": {
        ERROR: "error",
        WARNING: "warning",
        "fix": "fix",
        "error_one": "{n} error",
        "errors": "{n} errors",
        "warning_one": "{n} warning",
        "warnings": "{n} warnings",
        "dataset_one": "{n} dataset",
        "datasets": "{n} datasets",
        "list_unread": "the list of datasets ({file}) could not be read, no dataset was checked",
        "valid": "The catalogue is valid.",
    },
}


def _say(key: str, lang: str, **params) -> str:
    return WORDS.get(lang, WORDS["vi"])[key].format(**params)


def level(f: Finding, strict: bool) -> str:
    return ERROR if strict else f.level


def counts(findings: Sequence[Finding], strict: bool) -> tuple[int, int]:
    errors = sum(1 for f in findings if level(f, strict) == ERROR)
    return errors, len(findings) - errors


def count(kind: str, n: int, lang: str) -> str:
    """``n`` errors, warnings or datasets (``kind``: error, warning, dataset), in words."""
    return _say(f"{kind}_one" if n == 1 else f"{kind}s", lang, n=n)


def summary(
    findings: Sequence[Finding], datasets: int | None, lang: str, strict: bool, listed: bool = True
) -> str:
    """One line: how many errors and warnings, over how many datasets (``datasets``; None: not
    said); ``listed`` false when the list itself could not be read (then no count is made up)."""
    errors, warnings = counts(findings, strict)
    head = f"{count('error', errors, lang)}, {count('warning', warnings, lang)}"
    if not listed:
        head += " — " + _say("list_unread", lang, file=DATASETS)
    elif datasets is not None:
        head += " — " + count("dataset", datasets, lang)
    return head if errors else f"{_say('valid', lang)} {head}"


def in_order(findings: Sequence[Finding], strict: bool, quiet: bool = False) -> list[Finding]:
    """Errors first, then warnings (left out when ``quiet``), each in file and line order."""
    ordered = sorted(findings, key=Finding.sort_key)
    errors = [f for f in ordered if level(f, strict) == ERROR]
    return errors if quiet else errors + [f for f in ordered if level(f, strict) != ERROR]


def lines(
    findings: Sequence[Finding], root: Path, lang: str, strict: bool, quiet: bool = False
) -> Iterable[str]:
    """Each finding with its place, the source line under it and its fix; errors first."""
    lines_of: dict[str, list[str]] = {}
    for f in in_order(findings, strict, quiet):
        sev = level(f, strict)
        where = str(f.loc) if f.loc else "-"
        entry = f" [{f.dataset}]" if f.dataset else ""
        yield f"{where}: {_say(sev, lang)}[{f.code}]{entry} {f.message(lang)}"
        if f.loc and f.loc.line:
            source = _source_line(root, f.loc.file, f.loc.line, lines_of)
            if source is not None:
                number = str(f.loc.line)
                yield f"  {number} | {source}"
                yield f"  {' ' * len(number)} | {' ' * max(f.loc.col - 1, 0)}^"
        yield f"  {_say('fix', lang)}: {f.fix(lang)}"


def text(
    findings: Sequence[Finding],
    root: Path,
    lang: str,
    strict: bool,
    datasets: int | None,
    quiet: bool = False,
    listed: bool = True,
) -> Iterable[str]:
    """The findings then the summary (the last line)."""
    yield from lines(findings, root, lang, strict, quiet)
    yield summary(findings, datasets, lang, strict, listed)


def report(
    findings: Sequence[Finding],
    root: Path,
    lang: str,
    strict: bool,
    datasets: int | None,
    quiet: bool = False,
    listed: bool = True,
) -> Iterable[str]:
    """What ``citycat validate`` prints: the summary first, then the findings, errors first."""
    yield summary(findings, datasets, lang, strict, listed)
    yield from lines(findings, root, lang, strict, quiet)


def _source_line(root: Path, file: str, line: int, cache: dict[str, list[str]]) -> str | None:
    if file not in cache:
        try:
            # under the rule of every input (citycat.source.paths): never a line of a file
            # outside the repository, never a huge file read whole
            cache[file] = paths.read(root, root / file).decode("utf-8", "replace").split("\n")
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


def github(
    findings: Sequence[Finding],
    lang: str,
    strict: bool,
    datasets: int,
    quiet: bool = False,
    listed: bool = True,
) -> Iterable[str]:
    """GitHub Actions workflow commands: the summary first, then one annotation per finding, on
    its file and line (errors first)."""
    yield summary(findings, datasets, lang, strict, listed)
    for f in in_order(findings, strict, quiet):
        cmd = "error" if level(f, strict) == ERROR else "warning"
        props = []
        if f.loc:
            props.append(f"file={_escape_prop(f.loc.file)}")
            if f.loc.line:
                props += [f"line={f.loc.line}", f"col={max(f.loc.col, 1)}"]
        props.append(f"title={_escape_prop(f.code + (' ' + f.dataset if f.dataset else ''))}")
        yield f"::{cmd} {','.join(props)}::{_escape_data(f.message(lang) + ' — ' + f.fix(lang))}"
