"""What ``package_search`` searches: each package as a ``Doc`` (its filter values and folded
text), the q and fq language (a small Solr subset: words, phrases, field:value, ranges, AND, OR,
NOT, parentheses) parsed into nested tuples, matching and scoring."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from citycat.api.errors import query_error
from citycat.model.vietnamese import fold

MAX_QUERY = 4000  # characters of q or fq
MAX_DEPTH = 32  # nesting of parentheses and NOT in q or fq

_WORD = re.compile(r"\w+")


TEXT_FIELDS = (  # (field, weight): what q searches, as CKAN's title^4 tags^2 groups^2 text
    ("title", 4.0),
    ("title_en", 4.0),
    ("tags", 2.0),
    ("tags_en", 2.0),
    ("groups", 2.0),
    ("name", 1.0),
    ("notes", 1.0),
    ("notes_en", 1.0),
    ("organization", 1.0),
)
SORTABLE = ("id", "name", "title_string", "title", "metadata_modified", "metadata_created", "score")
SORTABLE += ("num_resources", "num_tags")


class Doc:
    """One package as the search sees it: its filter values and its folded text."""

    __slots__ = ("fields", "text", "all_text")

    def __init__(self, p: dict[str, Any]):
        extras = {e["key"]: e["value"] for e in p["extras"]}
        self.fields: dict[str, tuple[str, ...]] = {
            "id": (p["id"],),
            "name": (p["name"],),
            "organization": (p["organization"]["name"],) if p["organization"] else (),
            "owner_org": (p["owner_org"],) if p["owner_org"] else (),
            "groups": tuple(g["name"] for g in p["groups"]),
            "tags": tuple(t["name"] for t in p["tags"]),
            "res_format": tuple(r["format"] for r in p["resources"] if r["format"]),
            "res_type": tuple(r["resource_type"] for r in p["resources"] if r["resource_type"]),
            "license_id": (p["license_id"],),
            "license": (p["license_id"],),
            "metadata_modified": (p["metadata_modified"],),
            "metadata_created": (p["metadata_created"],),
            "num_resources": (str(p["num_resources"]),),
            "num_tags": (str(p["num_tags"]),),
            "type": (p["type"],),
            "dataset_type": (p["type"],),
            "state": (p["state"],),
            "capacity": ("private" if p["private"] else "public",),
            "private": ("true" if p["private"] else "false",),
            "isopen": ("true" if p["isopen"] else "false",),
        }
        for key, value in extras.items():
            self.fields["extras_" + key] = (value,)
        # Every text folded at once (fold works letter by letter; NUL separates the parts)
        tags, groups = self.fields["tags"], [g["title"] for g in p["groups"]]
        parts = [p["title"], extras.get("title_en", ""), p["name"].replace("-", " "), p["notes"]]
        parts += [extras.get("notes_en", ""), p["organization"]["title"] if p["organization"] else ""]
        parts += [extras.get("tags_en", "").replace(",", "\x00"), *tags, *groups]
        folded = [" " + " ".join(_WORD.findall(x)) + " " for x in fold("\x00".join(parts)).split("\x00")]
        n_en = extras.get("tags_en", "").count(",") + 1
        rest = folded[6:]
        self.text = {  # a phrase never runs from one tag (or group) into the next
            "title": folded[0],
            "title_en": folded[1],
            "name": folded[2],
            "notes": folded[3],
            "notes_en": folded[4],
            "organization": folded[5],
            "tags_en": "".join(rest[:n_en]),
            "tags": "".join(rest[n_en : n_en + len(tags)]),
            "groups": "".join(rest[n_en + len(tags) :]),
        }
        self.all_text = "".join(self.text.values())


# A parsed q or fq: nested tuples
#   ("all",) | ("and", [nodes]) | ("or", [nodes]) | ("not", node)
#   ("text", "folded phrase", prefix?) | ("field", name, value) | ("range", name, lo, hi, lo_in, hi_in)

_TOKEN = re.compile(r'\s*(?:(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<paren>[()\[\]{}])|(?P<word>[^\s()\[\]{}"]+))')
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*):(.*)$", re.S)
SEARCH_FIELDS = frozenset(
    (
        "id name organization owner_org groups tags res_format res_type license_id license "
        "metadata_modified metadata_created num_resources num_tags type dataset_type state "
        "capacity private isopen title notes text title_en notes_en"
    ).split()
)
FACETABLE = ("organization", "groups", "tags", "res_format", "res_type", "license_id")


def _tokens(query: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    query = query.rstrip()
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise query_error(f"cannot read {query[pos : pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup or "word"
        value = m.group(kind)
        if kind == "quoted":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
    return out


class Parser:
    def __init__(self, query: str):
        if len(query) > MAX_QUERY:
            raise query_error(f"longer than {MAX_QUERY} characters")
        self.tokens = _tokens(query)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise query_error("the query ends too early")
        self.i += 1
        return token

    def parse(self):
        if not self.tokens:
            return ("all",)
        node = self.or_()
        if self.peek() is not None:
            raise query_error(f"unexpected {self.peek()[1]!r}")
        return node

    def or_(self):
        nodes = [self.and_()]
        while self.peek() in (("word", "OR"), ("word", "||")):
            self.i += 1
            nodes.append(self.and_())
        return nodes[0] if len(nodes) == 1 else ("or", nodes)

    def and_(self):
        nodes = [self.unary()]
        while True:
            token = self.peek()
            if token is None or token == ("paren", ")") or token in (("word", "OR"), ("word", "||")):
                break
            if token in (("word", "AND"), ("word", "&&")):
                self.i += 1
            nodes.append(self.unary())
        return nodes[0] if len(nodes) == 1 else ("and", nodes)

    def unary(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise query_error("nested too deeply")
        try:
            kind, value = self.take()
            if kind == "word" and value in ("NOT", "!", "-"):
                return ("not", self.unary())
            if kind == "word" and value == "+":
                return self.unary()
            if kind == "word" and len(value) > 1 and value[0] in "-!":
                return ("not", self.atom("word", value[1:]))
            if kind == "word" and len(value) > 1 and value[0] == "+":
                return self.atom("word", value[1:])
            return self.atom(kind, value)
        finally:
            self.depth -= 1

    def atom(self, kind: str, value: str):
        if kind == "paren":
            if value != "(":
                raise query_error(f"unexpected {value!r}")
            node = self.or_()
            if self.take() != ("paren", ")"):
                raise query_error("a '(' is not closed")
            return node
        if kind == "quoted":
            return _text_node(value)
        if value in ("*:*", "*"):
            return ("all",)
        m = _FIELD.match(value)
        if not m:
            return _text_node(value)
        name, rest = m.group(1), m.group(2)
        if name not in SEARCH_FIELDS and not name.startswith("extras_"):
            raise query_error(f"unknown field {name!r}")
        if rest:
            return self.value(name, rest)
        kind, value = self.take()
        if kind == "quoted":
            return ("field", name, value)
        if (kind, value) == ("paren", "("):  # field:(a OR b)
            values = []
            while True:
                kind, value = self.take()
                if (kind, value) == ("paren", ")"):
                    break
                if kind == "word" and value in ("OR", "||", "AND", "&&"):
                    continue
                if kind == "paren":
                    raise query_error(f"unexpected {value!r}")
                values.append(self.value(name, value) if kind == "word" else ("field", name, value))
            if not values:
                raise query_error(f"no value for {name!r}")
            return values[0] if len(values) == 1 else ("or", values)
        if kind == "paren" and value in "[{":
            lo = self.take()
            if self.take() != ("word", "TO"):
                raise query_error("a range needs 'TO'")
            hi = self.take()
            end = self.take()
            if end[0] != "paren" or end[1] not in "]}" or lo[0] == "paren" or hi[0] == "paren":
                raise query_error("a range is not closed")
            return _range(name, lo[1], hi[1], value == "[", end[1] == "]")
        return self.value(name, value)

    def value(self, name: str, value: str):
        return ("field", name, value)


def _text_node(value: str):
    stem = value.endswith("*") and len(value) > 1
    phrase = " ".join(_WORD.findall(fold(value.rstrip("*") if stem else value)))
    if not phrase:
        return ("all",)
    return ("text", phrase, stem)


_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2})(?:\.\d+)?)?Z?$")


def _bound(name: str, value: str):
    if value == "*":
        return None
    if name in ("metadata_modified", "metadata_created"):
        m = _STAMP.match(value)
        if not m:
            raise query_error(f"{value!r} is not a date (use 2026-01-31T00:00:00Z)")
        try:
            return dt.datetime.fromisoformat(f"{m.group(1)}T{m.group(2) or '00:00:00'}")
        except ValueError:
            raise query_error(f"{value!r} is not a date") from None
    if name in ("num_resources", "num_tags"):
        try:
            return int(value)
        except ValueError:
            raise query_error(f"{value!r} is not a number") from None
    return value


def _range(name: str, lo: str, hi: str, lo_in: bool, hi_in: bool):
    return ("range", name, _bound(name, lo), _bound(name, hi), lo_in, hi_in)


def _as(name: str, value: str):
    if name in ("metadata_modified", "metadata_created"):
        return dt.datetime.fromisoformat(value)
    if name in ("num_resources", "num_tags"):
        return int(value)
    return value


def matches(node, doc: Doc) -> bool:
    op = node[0]
    if op == "all":
        return True
    if op == "and":
        return all(matches(n, doc) for n in node[1])
    if op == "or":
        return any(matches(n, doc) for n in node[1])
    if op == "not":
        return not matches(node[1], doc)
    if op == "text":
        needle = f" {node[1]}" if node[2] else f" {node[1]} "
        return needle in doc.all_text
    name = node[1]
    if name in ("title", "notes", "text", "title_en", "notes_en"):
        if op == "range":
            raise query_error(f"no range on {name!r}")
        phrase = _text_node(node[2])
        haystack = doc.all_text if name == "text" else doc.text[name]
        return phrase[0] == "all" or ((f" {phrase[1]}" if phrase[2] else f" {phrase[1]} ") in haystack)
    values = doc.fields.get(name, ())
    if op == "field":
        wanted = node[2]
        if wanted == "*":
            return bool(values)
        if wanted.endswith("*") and not wanted.endswith("\\*"):
            return any(v.startswith(wanted[:-1]) for v in values)
        return wanted in values
    _, _, lo, hi, lo_in, hi_in = node
    for v in values:
        try:
            x = _as(name, v)
        except ValueError:
            continue
        try:
            if lo is not None and (x < lo if lo_in else x <= lo):
                continue
            if hi is not None and (x > hi if hi_in else x >= hi):
                continue
        except TypeError:
            raise query_error(f"cannot compare {name!r}") from None
        return True
    return False


def positive_text(node, out: list) -> list:
    if node[0] == "text":
        out.append(node)
    elif node[0] in ("and", "or"):
        for n in node[1]:
            positive_text(n, out)
    return out


def score(terms: list, doc: Doc) -> float:
    total = 0.0
    for _, phrase, stem in terms:
        needle = f" {phrase}" if stem else f" {phrase} "
        for name, weight in TEXT_FIELDS:
            total += weight * doc.text[name].count(needle)
    return total


# ---------------------------------------------------------------------------------------------
# The actions


def parse(query: str):
    """A q or fq as nested tuples (``("all",)`` when empty); a ``query_error`` when unreadable."""
    return Parser(query).parse()
