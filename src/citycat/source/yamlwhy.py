"""Why a YAML file could not be read, in citycat's own words.

PyYAML (its C scanner or the Python one, whose words differ) stops at the first mistake with an
English sentence and two marks. Neither the sentence nor, often, the mark is what a data officer
needs: a key written without its ':' is reported on the line after it, an unclosed quote where the
next quote happens to be. This module reads the marks and the source lines around them and names
one of a few mistakes people make, each its own check code (``checks.yaml``), at the line to edit:

- ``yaml-missing-colon``: ``data_class other``;
- ``yaml-unclosed-quote``: ``vi: "Hà Nội`` without its closing quote;
- ``yaml-unclosed-bracket``: ``themes: [y-te`` without its ``]``;
- ``yaml-needs-quotes``: plain text holding ``': '`` (``en: Note: see``);
- ``yaml-indent``: a key indented more or less than the keys at its level;
- ``yaml-list-indent``: a list item ``-`` out of line with the other items;
- ``yaml-control-char``: an invisible control character (pasted from a document);
- ``yaml-syntax``: anything else, with the place and where the part being read starts.

The indentation to use is worked out from the neighbouring lines (``advise``), also for lines
indented with tabs (``tab_findings``). All of this runs only once reading has failed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from citycat.model.findings import Finding, Loc

_BLOCK_SCALAR = re.compile(r"""(?:^|[\s:-])[|>][-+0-9]*\s*(?:#.*)?$""")
_KEY = re.compile(r"""^(?:"[^"]*"|'[^']*'|[^\s#'"\[\]{},:][^#]*?)\s*:(?:\s|$)""")


@dataclass(frozen=True)
class Shape:
    """One line's layout: ``indent`` (columns before the first character, tabs expanded), whether it
    is a list item (``dash``), the column of its key (after ``- `` for an item) and its key."""

    indent: int
    dash: bool
    keycol: int | None
    key: str | None
    opens: bool  # a key with no value on the line: what follows, indented deeper, is its value
    tabbed: bool


def shape(line: str, tab: int = 4) -> Shape | None:
    """None for a blank line or a comment."""
    body = line.rstrip("\r")
    stripped = body.lstrip(" \t")
    if not stripped or stripped.startswith("#"):
        return None
    lead = body[: len(body) - len(stripped)]
    indent = len(lead.expandtabs(tab))
    tabbed = "\t" in lead
    dash = stripped == "-" or stripped.startswith(("- ", "-\t"))
    rest, col = stripped, indent
    while rest == "-" or rest.startswith(("- ", "-\t")):
        after = rest[1:].lstrip(" \t")
        if "\t" in rest[1 : len(rest) - len(after)]:
            tabbed = True
        col += len(rest[: len(rest) - len(after)].expandtabs(tab))
        rest = after
    match = _KEY.match(rest)
    key = match.group(0).rstrip().rstrip(":").strip().strip("'\"") if match else None
    opens = bool(match) and _without_comment(rest)[match.end() :].strip() == ""
    return Shape(indent, dash, col if match else None, key, opens, tabbed)


def _without_comment(text: str) -> str:
    at = text.find(" #")
    return text if at < 0 else text[:at]


def _block_content(lines: list[str], upto: int, start: int = 0) -> set[int]:
    """Indexes (from 0) of the lines from ``start`` to ``upto`` that are the text of a ``|`` or ``>``
    value."""
    inside: set[int] = set()
    owner = -1
    for i in range(start, min(upto + 1, len(lines))):
        line = lines[i]
        stripped = line.lstrip(" \t")
        width = len(line) - len(stripped)
        if owner >= 0:
            if not stripped.strip() or width > owner:
                inside.add(i)
                continue
            owner = -1
        if ":" in line and _BLOCK_SCALAR.search(_without_comment(line.rstrip())):
            owner = width
    return inside


@dataclass(frozen=True)
class Advice:
    spaces: int
    sibling: int  # the line (from 1, in ``lines``) to align with


def advise(lines: list[str], i: int, tab: int = 4, skip: frozenset[int] = frozenset()) -> Advice | None:
    """The indentation line ``i`` (from 0) should have, from the lines around it.

    The line belongs to the nearest line above that opens a block (``title:``), when it is
    right under it; else to the block of the key (or list item) above whose indentation is
    nearest to its own, the closest line winning a tie. ``skip``: lines not to align with (other
    lines that are themselves wrong).
    """
    found = options(lines, i, tab, skip)
    return found[0] if found else None


def options(lines: list[str], i: int, tab: int = 4, skip: frozenset[int] = frozenset()) -> list[Advice]:
    """What ``advise`` chooses from, best first."""
    me = shape(lines[i], tab)
    if me is None:
        return []
    # the lines above that can hold line i: each indented less than every line between it and i
    # (a long list is walked with string methods only; the lines of a block of text are left out)
    above: list[tuple[int, Shape]] = []
    limit = 1 << 30
    first = True
    for j in range(i - 1, -1, -1):
        line = lines[j]
        width = len(line) - len(line.lstrip(" \t"))
        if (width >= limit and not first) or j in skip or not line.strip() or line.lstrip(" \t")[0] == "#":
            continue
        s = shape(line, tab)
        if s is None or (s.key is None and not s.dash):
            continue
        above.append((j, s))
        first = False
        limit = min(limit, width)
        if width == 0:
            break
    if above:
        content = _block_content(lines, i, above[-1][0])
        above = [(j, s) for j, s in above if j not in content]
    out: list[Advice] = []
    if above and above[0][1].opens:
        j, parent = above[0]
        base = parent.keycol if parent.keycol is not None else parent.indent
        child = None
        for k in range(i + 1, len(lines)):  # a child below, written right, tells the depth
            if k in skip:
                continue
            s = shape(lines[k], tab)
            if s is None or not (s.key or s.dash):
                continue
            if s.indent <= base:
                break
            if not s.tabbed and s.dash == me.dash:
                child = Advice(s.indent, k + 1)
                break
        if child is None:
            same = _aligned(lines, base + 2, me.dash, tab, skip, i)
            child = Advice(base + 2, same + 1 if same is not None else j + 1)
        out.append(child)
    # the open levels: lines above with no line of smaller indentation between them and line i
    candidates: list[tuple[int, int]] = []  # (columns, line index)
    limit = 1 << 30
    for j, s in above:
        if s.indent >= limit:
            continue
        limit = s.indent
        if me.dash and s.dash:
            candidates.append((s.indent, j))
        elif not me.dash and s.keycol is not None:
            candidates.append((s.keycol, j))
        if limit == 0:
            break
    candidates.sort(key=lambda c: abs(c[0] - me.indent))  # stable: the nearest line first in a tie
    out += [Advice(c, j + 1) for c, j in candidates]
    if not out and me.indent:
        out.append(Advice(0, i + 1))
    return out


def _aligned(lines: list[str], want: int, dash: bool, tab: int, skip, me: int) -> int | None:
    """The nearest line indented by ``want`` of the same kind (item or key), if any."""
    order = (k for d in range(1, 1000) for k in (me - d, me + d) if 0 <= k < len(lines))
    for k in order:
        if k in skip:
            continue
        s = shape(lines[k], tab)
        if s is not None and not s.tabbed and s.dash == dash and s.indent == want:
            return k
    return None


# --- tabs ----------------------------------------------------------------------------------


def tab_lines(text: str) -> list[tuple[int, int]]:
    """(line index, column from 1) of each line indented with a tab."""
    out = []
    for number, line in enumerate(text.split("\n")):
        if "\t" not in line:
            continue
        stripped = line.lstrip(" \t")
        indent = line[: len(line) - len(stripped)]
        if "\t" in indent:
            out.append((number, indent.index("\t") + 1))
        elif stripped.startswith("- ") and "\t" in stripped[:4]:
            out.append((number, len(indent) + stripped.index("\t") + 1))
    return out


def tab_findings(text: str, name: str, offset: int, reads: Callable[[str], bool]) -> list[Finding]:
    """A finding for every line indented with a tab, each saying how many spaces to use instead.

    How wide a tab looks depends on the editor, so the advice is tried: line by line (up to
    ``TRIED`` lines), the first of the likely indentations with which the file up to the next tab
    line ``reads`` (no error, no duplicate key); for more lines, one tab width for all."""
    where = tab_lines(text)
    if not where:
        return []
    lines = text.split("\n")
    chosen = _line_by_line(lines, where, reads) if len(where) <= TRIED else _one_width(lines, where, reads)
    out = []
    for i, col in where:
        a = chosen.get(i) or Advice(0, i + 1)
        params = {"spaces": a.spaces, "sibling": a.sibling + offset}
        out.append(Finding("yaml-tab", Loc(name, i + 1 + offset, col), params=params))
    return out


TRIED = 20


def _line_by_line(lines: list[str], where: list[tuple[int, int]], reads) -> dict[int, Advice]:
    fixed = list(lines)
    todo = [i for i, _ in where]
    chosen: dict[int, Advice] = {}
    for n, i in enumerate(todo):
        skip = frozenset(todo[n + 1 :])
        end = todo[n + 1] if n + 1 < len(todo) else len(lines)
        tried: list[Advice] = []
        for tab in (4, 8, 2):
            tried += [a for a in options(fixed, i, tab, skip)[:3] if a not in tried]
        pick = tried[0] if tried else None
        start = _entry_start(fixed, i)
        for a in tried:
            fixed[i] = " " * a.spaces + _after_tabs(lines[i])
            if reads("\n".join(fixed[start:end])):
                pick = a
                break
        if pick is not None:
            chosen[i] = pick
            fixed[i] = " " * pick.spaces + _after_tabs(lines[i])
    return chosen


def _entry_start(lines: list[str], i: int) -> int:
    """Where the entry holding line ``i`` starts (a list item at the left, ``  - id: …``), so that
    trying an indentation reads that entry, not the whole of a long list; 0 when none is found."""
    for j in range(i - 1, -1, -1):
        s = shape(lines[j])
        if s is not None and not s.tabbed and (s.indent == 0 or (s.dash and s.indent <= 2)):
            return j if s.dash else 0
    return 0


def _one_width(lines: list[str], where: list[tuple[int, int]], reads) -> dict[int, Advice]:
    skip = frozenset(i for i, _ in where)
    chosen: dict[int, Advice | None] = {}
    for tab in (4, 8, 2):
        advice = {i: advise(lines, i, tab, skip) for i, _ in where}
        if not chosen:
            chosen = advice
        fixed = list(lines)
        for i, a in advice.items():
            if a is not None:
                fixed[i] = " " * a.spaces + _after_tabs(lines[i])
        if reads("\n".join(fixed)):
            chosen = advice
            break
    return {i: a for i, a in chosen.items() if a is not None}


def _after_tabs(line: str) -> str:
    """The line without its indentation; a list item's tab after ``-`` becomes one space."""
    rest = line.lstrip(" \t")
    if rest.startswith(("- ", "-\t")):
        return "- " + _after_tabs(rest[1:]) if rest[1:].strip() else "-"
    return rest


# --- syntax errors -------------------------------------------------------------------------


def explain(exc, text: str, name: str, offset: int) -> Finding:
    """One finding for PyYAML's MarkedYAMLError ``exc`` on ``text``, in citycat's words."""
    lines = text.split("\n")
    context, problem = exc.context or "", exc.problem or ""
    cm, pm = exc.context_mark, exc.problem_mark
    mark = pm or cm

    def at(line: int, col: int) -> Loc:
        return Loc(name, line + 1 + offset, col + 1)

    def generic() -> Finding:
        start = (cm or mark).line + 1 + offset if (cm or mark) else 1 + offset
        loc = at(mark.line, mark.column) if mark else Loc(name)
        return Finding("yaml-syntax", loc, params={"start": start})

    if cm is not None and "quoted scalar" in context:
        return _unclosed_quote(lines, cm.line, cm.column, at) or generic()
    if cm is not None and "simple key" in context:
        return _missing_colon(lines, cm.line, at) or generic()
    if cm is not None and "flow" in context:
        line = lines[cm.line] if cm.line < len(lines) else ""
        opener = line[cm.column : cm.column + 1]
        if opener in ("[", "{"):
            params = {"open": opener, "close": "]" if opener == "[" else "}", "key": _key_of(lines, cm.line)}
            return Finding("yaml-unclosed-bracket", at(cm.line, cm.column), params=params)
        return generic()
    if pm is None:
        return generic()
    line = lines[pm.line] if pm.line < len(lines) else ""
    if "mapping values" in problem:
        me = shape(line)
        first = line.find(":", me.keycol) if me is not None and me.keycol is not None else -1
        if me is not None and me.key is not None and 0 <= first < pm.column:
            after_key = line[me.keycol :]
            value = after_key.split(":", 1)[1].strip() if ":" in after_key else ""
            params = {"key": me.key, "value": _short(_escape(_without_comment(value).strip()))}
            return Finding("yaml-needs-quotes", at(pm.line, me.keycol), params=params)
        j = _previous(lines, pm.line)
        if j is not None:
            prev = shape(lines[j])
            if prev is not None and prev.key is None and not prev.opens and ":" not in lines[j]:
                found = _missing_colon(lines, j, at)
                if found is not None:
                    return found
        return _indentation(lines, pm.line, at) or generic()
    if "expected key" in problem or "<block end>" in problem or "'-' indicator" in problem:
        if 0 < pm.column <= len(line) and line[pm.column - 1] in "\"'":
            found = _quote_closed_late(lines, pm.line, line[pm.column - 1], at)
            if found is not None:
                return found
        return _indentation(lines, pm.line, at) or generic()
    return generic()


def reader_error(exc, text: str, name: str, offset: int) -> Finding:
    """PyYAML's ReaderError: a character YAML does not allow (a control character). Its position
    counts bytes in the C reader and characters in the Python one: the first such character is
    the one, so it is looked for in the text."""
    character = getattr(exc, "character", None)
    position = text.find(chr(character)) if isinstance(character, int) else -1
    if position < 0:
        return Finding("yaml-syntax", Loc(name), params={"start": 1 + offset})
    line = text.count("\n", 0, position)
    col = position - (text.rfind("\n", 0, position) + 1)
    return Finding(
        "yaml-control-char", Loc(name, line + 1 + offset, col + 1), params={"char": f"U+{character:04X}"}
    )


def _previous(lines: list[str], i: int) -> int | None:
    for j in range(i - 1, -1, -1):
        if shape(lines[j]) is not None:
            return j
    return None


def _short(text: str, most: int = 48) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _key_of(lines: list[str], i: int) -> str:
    """The key on line ``i``, else the key of the nearest line above that holds it."""
    me = shape(lines[i]) if i < len(lines) else None
    if me is not None and me.key:
        return me.key
    width = me.indent if me is not None else 1 << 30
    for j in range(i - 1, -1, -1):
        s = shape(lines[j])
        if s is not None and s.key and s.indent < width:
            return s.key
    return "datasets"


def _missing_colon(lines: list[str], i: int, at) -> Finding | None:
    if i >= len(lines):
        return None
    line = lines[i].rstrip("\r")
    stripped = line.lstrip(" ")
    col = len(line) - len(stripped)
    while stripped.startswith("- "):
        rest = stripped[2:].lstrip(" ")
        col += len(stripped) - len(rest)
        stripped = rest
    words = _without_comment(stripped).strip().split(None, 1)
    if not words:
        return None
    key, value = words[0], (words[1] if len(words) > 1 else "")
    return Finding("yaml-missing-colon", at(i, col), params={"key": _short(key, 40), "value": _short(value)})


def _unclosed_quote(lines: list[str], i: int, col: int, at) -> Finding | None:
    line = lines[i] if i < len(lines) else ""
    quote = line[col : col + 1]
    if quote not in ("'", '"'):
        return None
    escaped = '\\"' if quote == '"' else "''"
    params = {"quote": quote, "escaped": escaped, "key": _key_of(lines, i)}
    return Finding("yaml-unclosed-quote", at(i, col), params=params)


def _quote_closed_late(lines: list[str], i: int, quote: str, at) -> Finding | None:
    """A quote opened on an earlier line ran on to the quote on line ``i``: find where it opened
    (the nearest line above with an odd number of that quote)."""
    for j in range(i - 1, max(-1, i - 200), -1):
        line = lines[j]
        if quote == '"':
            count = len(re.findall(r'(?<!\\)"', line))
        else:
            count = line.replace("''", "").count("'")
        if count % 2:
            col = line.find(quote)
            return _unclosed_quote(lines, j, col, at)
    return None


def _indentation(lines: list[str], i: int, at) -> Finding | None:
    if i >= len(lines):
        return None
    me = shape(lines[i])
    advice = advise(lines, i)
    if me is None or advice is None or advice.spaces == me.indent:
        return None  # nothing to say about the indentation of this line: not the mistake
    params = {"found": me.indent, "spaces": advice.spaces, "sibling": at(advice.sibling - 1, 0).line}
    if me.dash:
        return Finding("yaml-list-indent", at(i, me.indent), params=params)
    params["key"] = _short(me.key or lines[i].strip(), 40)
    return Finding("yaml-indent", at(i, me.indent), params=params)
