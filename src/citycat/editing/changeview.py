"""What changed, for people: the terminal (``citycat diff``), JSON, and the Markdown summary a
pull request's CI job writes to ``$GITHUB_STEP_SUMMARY`` (``citycat summary``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from citycat.checks.output import counts, level
from citycat.editing.changes import Comparison, EntryChange
from citycat.model.findings import ERROR, Finding

WORDS = {
    "vi": {
        "added": "thêm",
        "changed": "sửa",
        "renamed": "đổi mã",
        "removed": "xóa",
        "none": "(trống)",
        "head": "So với {ref}: thêm {added}, sửa {changed}, đổi mã {renamed}, xóa {removed} bộ dữ liệu.",
        "nothing": "Không có bộ dữ liệu nào thay đổi so với {ref}.",
        "changes": "Thay đổi so với `{ref}`",
        "kind": "Thay đổi",
        "id": "Mã",
        "title": "Tên",
        "what": "Chi tiết",
        "fields": "{n} trường",
        "summary": "Danh mục dữ liệu — kiểm tra thay đổi",
        "ok": "✅ Không có lỗi trên các mục thay đổi.",
        "bad": "❌ Có lỗi cần sửa trước khi duyệt.",
        "findings": "Lỗi và cảnh báo trên các mục thay đổi",
        "no_findings": "Không có lỗi hay cảnh báo nào.",
        "severity": "Mức",
        "code": "Mã kiểm tra",
        "where": "Vị trí",
        "dataset": "Bộ dữ liệu",
        "message": "Nội dung",
        "fix": "Cách sửa",
        ERROR: "lỗi",
        "warning": "cảnh báo",
        "counts": "{errors} lỗi, {warnings} cảnh báo",
        "more": "… và {n} mục khác (xem chú thích trên tệp hoặc chạy `citycat validate`).",
        "docs": "Mỗi mã kiểm tra được giải thích trong docs/checks.md.",
        "scores": "Điểm chất lượng của các mục thay đổi",
        "before": "Trước",
        "after": "Sau",
    },
    "en": {
        "added": "added",
        "changed": "changed",
        "renamed": "renamed",
        "removed": "removed",
        "none": "(none)",
        "head": "Since {ref}: {added} added, {changed} changed, {renamed} renamed, {removed} removed.",
        "nothing": "No dataset changed since {ref}.",
        "changes": "Changes since `{ref}`",
        "kind": "Change",
        "id": "Id",
        "title": "Title",
        "what": "Details",
        "fields": "{n} fields",
        "summary": "Data catalogue — check of the changes",
        "ok": "✅ No errors in the changed entries.",
        "bad": "❌ There are errors to fix before review.",
        "findings": "Errors and warnings in the changed entries",
        "no_findings": "No errors or warnings.",
        "severity": "Severity",
        "code": "Check",
        "where": "Where",
        "dataset": "Dataset",
        "message": "Message",
        "fix": "Fix",
        ERROR: "error",
        "warning": "warning",
        "counts": "{errors} errors, {warnings} warnings",
        "more": "… and {n} more (see the file annotations or run `citycat validate`).",
        "docs": "Every check code is explained in docs/checks.md.",
        "scores": "Quality scores of the changed entries",
        "before": "Before",
        "after": "After",
    },
}
SIGN = {"added": "+", "changed": "~", "renamed": ">", "removed": "-"}
ICON = {"added": "➕", "changed": "✏️", "renamed": "🔀", "removed": "🗑️"}
KINDS = ("added", "changed", "renamed", "removed")


def show(value: Any, lang: str, width: int = 80) -> str:
    if value is None:
        return WORDS[lang]["none"]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        text = "[" + ", ".join(show(v, lang, width) for v in value) + "]"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def head(comparison: Comparison, lang: str) -> str:
    w = WORDS[lang]
    if not comparison.changes:
        return w["nothing"].format(ref=comparison.ref)
    n = {k: len(comparison.of(k)) for k in KINDS}
    return w["head"].format(ref=comparison.ref, **n)


def text(comparison: Comparison, lang: str) -> Iterable[str]:
    """``citycat diff``: one block per entry, one line per field that changed."""
    w = WORDS[lang]
    yield head(comparison, lang)
    for c in comparison.changes:
        name = f"{c.old_id} → {c.id}" if c.kind == "renamed" else c.id
        title = c.title(lang)
        yield f"{SIGN[c.kind]} {w[c.kind]:7} {name}" + (f"  “{show(title, lang, 60)}”" if title else "")
        for f in c.fields:
            yield f"      {f.path}: {show(f.old, lang)} → {show(f.new, lang)}"


def as_json(comparison: Comparison, lang: str) -> str:
    doc = {
        "ref": comparison.ref,
        "counts": {k: len(comparison.of(k)) for k in KINDS},
        "changes": [
            {
                "kind": c.kind,
                "id": c.id,
                "old_id": c.old_id,
                "title": c.title(lang),
                "line": c.loc.line if c.loc else None,
                "fields": [{"path": f.path, "old": _plain(f.old), "new": _plain(f.new)} for f in c.fields],
            }
            for c in comparison.changes
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _code(value: str) -> str:
    return "`" + value.replace("`", "'") + "`"


def _details(c: EntryChange, lang: str, most: int = 6) -> str:
    parts = [
        f"{_code(f.path)}: {_cell(show(f.old, lang, 40))} → {_cell(show(f.new, lang, 40))}" for f in c.fields
    ]
    if len(parts) > most:
        parts = parts[:most] + [WORDS[lang]["fields"].format(n=len(c.fields) - most) + " …"]
    return "<br>".join(parts)


def markdown(comparison: Comparison, lang: str) -> list[str]:
    """The changes as a Markdown table (GitHub-flavoured)."""
    w = WORDS[lang]
    lines = [f"### {w['changes'].format(ref=_cell(comparison.ref))}", "", head(comparison, lang), ""]
    if not comparison.changes:
        return lines
    lines += [f"| {w['kind']} | {w['id']} | {w['title']} | {w['what']} |", "|---|---|---|---|"]
    for c in comparison.changes:
        name = f"{_code(c.old_id or '')} → {_code(c.id)}" if c.kind == "renamed" else _code(c.id)
        lines.append(
            f"| {ICON[c.kind]} {w[c.kind]} | {name} | {_cell(show(c.title(lang), lang, 80))} | {_details(c, lang)} |"
        )
    return lines + [""]


def findings_markdown(
    findings: Sequence[Finding], lang: str, strict: bool = False, most: int = 50
) -> list[str]:
    w = WORDS[lang]
    errors, warnings = counts(findings, strict)
    lines = [f"### {w['findings']}", ""]
    if not findings:
        return lines + [w["no_findings"], ""]
    lines += [
        w["counts"].format(errors=errors, warnings=warnings) + ". " + w["docs"],
        "",
        f"| {w['severity']} | {w['code']} | {w['where']} | {w['dataset']} | {w['message']} | {w['fix']} |",
        "|---|---|---|---|---|---|",
    ]
    ordered = sorted(findings, key=lambda f: (level(f, strict) != ERROR, f.sort_key()))
    for f in ordered[:most]:
        sev = level(f, strict)
        mark = "❌" if sev == ERROR else "⚠️"
        lines.append(
            f"| {mark} {w[sev]} | {_code(f.code)} | {_code(str(f.loc)) if f.loc else ''} | "
            f"{_code(f.dataset) if f.dataset else ''} | {_cell(f.message(lang))} | {_cell(f.fix(lang))} |"
        )
    if len(ordered) > most:
        lines.append("")
        lines.append(w["more"].format(n=len(ordered) - most))
    return lines + [""]


def scores_markdown(rows, lang: str) -> list[str]:
    """(id, score before, score after) rows as a table, out of 100."""
    if not rows:
        return []
    w = WORDS[lang]
    lines = [
        f"### {w['scores']}",
        "",
        f"| {w['id']} | {w['before']} | {w['after']} | ± |",
        "|---|--:|--:|--:|",
    ]
    for dataset_id, before, after in rows:
        delta = "" if before is None or after is None else f"{after - before:+d}"
        shown = lambda v: "—" if v is None else str(v)  # noqa: E731
        lines.append(f"| {_code(dataset_id)} | {shown(before)} | {shown(after)} | {delta} |")
    return lines + [""]


def summary(
    comparison: Comparison,
    findings: Sequence[Finding],
    lang: str,
    strict: bool = False,
    extra: Sequence[str] = (),
) -> str:
    """The job summary of a pull request: the verdict, the changes, the findings on them."""
    w = WORDS[lang]
    errors, _ = counts(findings, strict)
    lines = [f"## {w['summary']}", "", w["bad"] if errors else w["ok"], ""]
    lines += markdown(comparison, lang)
    lines += findings_markdown(findings, lang, strict)
    lines += list(extra)
    return "\n".join(lines).rstrip() + "\n"
