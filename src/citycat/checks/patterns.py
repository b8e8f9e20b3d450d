"""Regular expressions from Table Schemas, run in linear time.

A ``pattern`` arrives by pull request (a dataset's Table Schema, or the catalogue's own schemas),
and Python's ``re`` backtracks: ``^(a|aa)+$`` against forty a's and a b never ends, in CI and in
``serve``. RE2 (``google-re2``) matches in time linear in the text, for every pattern it
accepts; it refuses the few constructs that need backtracking (back-references, look-around),
and those patterns are reported as a schema problem in our own words.

Frictionless compiles a field's pattern with ``re.compile`` of its ``frictionless.schema.field``
module; ``install()`` gives that module this one instead (the rest of ``re`` unchanged), so
every check that Frictionless runs — the catalogue's tables, the samples — matches with RE2.
"""

from __future__ import annotations

import functools
import re
import types

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its own English to stderr

# Why RE2 refuses a pattern, in our words, by the start of its own reason.
_REASONS = (
    *(
        (
            f"invalid escape sequence: \\{n}",
            {
                "vi": "tham chiếu ngược (\\1…) không được hỗ trợ",
                "en": "back-references (\\1…) are not supported",
            },
        )
        for n in range(1, 10)
    ),
    (
        "invalid escape sequence",
        {"vi": "có một dấu '\\' không hợp lệ", "en": "it holds an invalid '\\' escape"},
    ),
    (
        "invalid perl operator: (?",
        {
            "vi": "nhìn trước/nhìn sau ((?=…), (?!…), (?<=…)) không được hỗ trợ",
            "en": "look-ahead and look-behind ((?=…), (?!…), (?<=…)) are not supported",
        },
    ),
    ("missing )", {"vi": "thiếu dấu ')'", "en": "a ')' is missing"}),
    ("unexpected )", {"vi": "thừa dấu ')'", "en": "there is a ')' too many"}),
    ("missing ]", {"vi": "thiếu dấu ']'", "en": "a ']' is missing"}),
    (
        "bad repetition operator",
        {"vi": "dấu lặp (*, +, ?, {…}) đặt sai chỗ", "en": "a repetition (*, +, ?, {…}) is misplaced"},
    ),
    (
        "missing argument to repetition operator",
        {"vi": "dấu lặp (*, +, ?) không đứng sau gì cả", "en": "a repetition (*, +, ?) follows nothing"},
    ),
    (
        "bad repetition",
        {
            "vi": "số lần lặp {…} không hợp lệ hoặc quá lớn (tối đa 1000)",
            "en": "a repetition count {…} is invalid or too large (at most 1000)",
        },
    ),
    (
        "invalid character class range",
        {"vi": "khoảng ký tự [a-z] bị ngược", "en": "a character range [a-z] is backwards"},
    ),
    ("pattern too large", {"vi": "biểu thức quá lớn", "en": "the expression is too large"}),
)
_OTHER = {"vi": "không phải biểu thức chính quy hợp lệ", "en": "it is not a valid regular expression"}


class PatternProblem(ValueError):
    """A pattern RE2 cannot run; ``words`` say why in vi and en."""

    def __init__(self, pattern: str, words: dict[str, str]):
        super().__init__(words["en"])
        self.pattern = pattern
        self.words = words


# Python's \w and \d match any letter and digit (Vietnamese ones too); RE2's only ASCII ones.
_OUTSIDE = {"w": r"[\p{L}\p{N}_]", "W": r"[^\p{L}\p{N}_]", "d": r"\p{Nd}", "D": r"\P{Nd}"}
_INSIDE = {"w": r"\p{L}\p{N}_", "d": r"\p{Nd}", "D": r"\P{Nd}"}


def unicode_classes(pattern: str) -> str:
    """``pattern`` with \\w, \\W, \\d and \\D written as the Unicode classes Python's ``re`` means."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            width = {"u": 4, "U": 8}.get(nxt)
            code = pattern[i + 2 : i + 2 + width] if width else ""
            if width and len(code) == width and all(c in "0123456789abcdefABCDEF" for c in code):
                out.append(f"\\x{{{code}}}")  # Python's \\uXXXX is RE2's \\x{XXXX}
                i += 2 + width
                continue
            out.append((_INSIDE if in_class else _OUTSIDE).get(nxt, ch + nxt))
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a ']' first in a class is a character
                out.append("]")
                i += 1
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def compile(pattern: str, flags: int = 0):  # noqa: A001 - stands in for re.compile
    """``pattern`` compiled by RE2, with Python's meaning of \\w and \\d, or PatternProblem."""
    if flags:
        raise PatternProblem(pattern, _OTHER)
    try:
        return re2.compile(unicode_classes(pattern), options=_OPTIONS)
    except re2.error as exc:
        reason = (
            exc.args[0].decode("utf-8", "replace")
            if exc.args and isinstance(exc.args[0], bytes)
            else str(exc)
        )
        for start, words in _REASONS:
            if reason.startswith(start):
                raise PatternProblem(pattern, words) from None
        raise PatternProblem(pattern, _OTHER) from None


def problem(pattern: str) -> dict[str, str] | None:
    """Why ``pattern`` cannot be used (vi and en), or None."""
    try:
        compile(pattern)
    except PatternProblem as exc:
        return exc.words
    return None


_shim = types.ModuleType("citycat_re2_shim")
_shim.__dict__.update({k: getattr(re, k) for k in dir(re) if not k.startswith("__")})
_shim.compile = compile


@functools.cache
def install() -> None:
    """Frictionless's field patterns compiled by RE2 (see the module's docstring)."""
    from frictionless.schema import field

    field.re = _shim
