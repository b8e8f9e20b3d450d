"""A read-only CKAN Action API over the loaded catalogue (what ``citycat serve`` answers on /api/).

``answer(catalogue, action, params, today, edition)`` → ``(http_status, body)``: CKAN's envelope
``{"help", "success", "result"}`` or its error ``{"help", "success": false, "error": {"__type",
"message"}}``, with CKAN's statuses (404 Not Found, 403 Authorization, 409 Validation, 400 Search
Query and bad requests). ``route(...)`` adds the paths (``/api/3/action/NAME``, ``/api/3``).
Every dict comes from ``citycat.feeds.ckan.publish``, as in the static files. Parameters arrive
as strings (GET, forms) or JSON values (POST); either is accepted where CKAN accepts it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from citycat.feeds import ckan
from citycat.model import policy
from citycat.model.catalogue import Catalogue
from citycat.model.vietnamese import fold, sort_key

ROWS_DEFAULT, ROWS_MAX = 10, 1000  # CKAN's package_search rows, and ckan.search.rows_max
FACET_LIMIT = 50
MAX_QUERY = 4000  # characters of q or fq
MAX_DEPTH = 32  # nesting of parentheses and NOT in q or fq
WRITE = re.compile(
    r"(_(create|update|patch|delete|purge|revise|reorder|upsert|clear|invite|undelete|follow)$)"
    r"|^(bulk_|follow_|unfollow_|dashboard_mark|api_token_|user_|member_|job_|config_option_)"
)
ACTION = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


class ApiError(Exception):
    """A CKAN error: HTTP status, CKAN's __type, a message, and (Validation Error) field errors."""

    def __init__(self, status: int, kind: str, message: str = "", fields: dict | None = None):
        super().__init__(message)
        self.status, self.kind, self.message, self.fields = status, kind, message, fields or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"__type": self.kind}
        if self.message:
            error["message"] = self.message
        error.update(self.fields)
        return error


def not_found(message: str = "Not found") -> ApiError:
    return ApiError(404, "Not Found Error", message)


def invalid(name: str, message: str) -> ApiError:
    return ApiError(409, "Validation Error", "", {name: [message]})


def query_error(message: str) -> ApiError:
    return ApiError(400, "Search Query Error", f"Search Query is invalid: {message}")


def bad_request(message: str) -> ApiError:
    return ApiError(400, "Bad Request", f"Bad request - {message}")


# ---------------------------------------------------------------------------------------------
# Parameters


def _one(params: dict, name: str) -> Any:
    value = params.get(name)
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]  # a GET parameter given once
    return value


def text_param(params: dict, name: str, default: str = "") -> str:
    value = _one(params, name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(name, "Must be a string")
    return str(value)


def int_param(params: dict, name: str, default: int, most: int | None = None) -> int:
    value = _one(params, name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise invalid(name, "Invalid integer")
    try:
        number = int(value.strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        raise invalid(name, "Invalid integer") from None
    if isinstance(value, float) and value != number:
        raise invalid(name, "Invalid integer")
    if number < 0:
        raise invalid(name, "Must be a natural number")
    return min(number, most) if most is not None else number


def bool_param(params: dict, name: str, default: bool) -> bool:
    value = _one(params, name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on", "t", "y"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off", "f", "n"):
        return False
    if isinstance(value, int):
        return bool(value)
    raise invalid(name, "Must be a boolean")


def list_param(params: dict, name: str) -> list[str] | None:
    """A list of strings: a JSON list, a JSON-encoded list in a string (CKAN's GET form), or a
    comma-separated string."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        value = value[0]
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except ValueError:
                raise invalid(name, "Not a JSON list") from None
        else:
            value = [v.strip() for v in stripped.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(name, "Must be a list of strings")
    return value


# ---------------------------------------------------------------------------------------------
# The search index


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


class _Parser:
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


def _positive_text(node, out: list) -> list:
    if node[0] == "text":
        out.append(node)
    elif node[0] in ("and", "or"):
        for n in node[1]:
            _positive_text(n, out)
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


class Api:
    """The published catalogue with what searches need, built once per catalogue."""

    def __init__(self, c: Catalogue, today: dt.date, edition: str):
        self.pub = ckan.publish(c, today, edition)
        self.docs = [Doc(p) for p in self.pub.packages]
        self.orgs = {x["name"]: x for x in self.pub.organizations}
        self.orgs.update({x["id"]: x for x in self.pub.organizations})
        self.groups = {x["name"]: x for x in self.pub.groups}
        self.groups.update({x["id"]: x for x in self.pub.groups})
        self.resources = {r["id"]: r for p in self.pub.packages for r in p["resources"]}
        self.licence_titles = {x["id"]: x["title"] for x in self.pub.licences}
        self._titles: list[tuple] | None = None
        self.actions: dict[str, Callable[[dict], Any]] = {
            name[3:]: getattr(self, name) for name in dir(self) if name.startswith("do_")
        }

    def answer(self, action: str, params: Any) -> tuple[int, dict[str, Any]]:
        """CKAN's reply to ``action`` with ``params``: (HTTP status, the JSON body)."""
        shown = action if ACTION.match(action or "") else "unknown"
        help_url = self.pub.help(shown)
        try:
            if not isinstance(params, dict):
                raise bad_request("JSON Error: the request data must be a JSON object")
            if not ACTION.match(action or ""):
                raise bad_request(f"Action name not known: {action[:100]!r}")
            handler = self.actions.get(action)
            if handler is None:
                if WRITE.search(action):
                    raise ApiError(
                        403,
                        "Authorization Error",
                        f"Access denied: {action} is not allowed: this catalogue's API is read-only",
                    )
                raise bad_request(f"Action name not known: {action}")
            return 200, {"help": help_url, "success": True, "result": handler(params)}
        except ApiError as e:
            return e.status, {"help": help_url, "success": False, "error": e.body()}

    # Each action's docstring is what help_show answers.

    def _package(self, params: dict) -> dict[str, Any]:
        key = text_param(params, "id") or text_param(params, "name_or_id")
        if not key:
            raise invalid("id", "Missing value")
        i = self.pub.by_key.get(key)
        if i is None:
            raise not_found()
        return self.pub.packages[i]

    def do_package_show(self, params: dict) -> dict[str, Any]:
        """Return the metadata of a dataset and its resources. Parameters: id (name or id)."""
        return self._package(params)

    def do_resource_show(self, params: dict) -> dict[str, Any]:
        """Return the metadata of a resource. Parameters: id."""
        key = text_param(params, "id")
        if not key:
            raise invalid("id", "Missing value")
        if key not in self.resources:
            raise not_found("Not found: Resource was not found.")
        return self.resources[key]

    def do_package_list(self, params: dict) -> list[str]:
        """Return the names of all datasets, sorted. Parameters: limit, offset."""
        names = [p["name"] for p in self.pub.packages]
        offset = int_param(params, "offset", 0)
        limit = int_param(params, "limit", len(names))
        return names[offset : offset + limit]

    def do_current_package_list_with_resources(self, params: dict) -> list[dict[str, Any]]:
        """Return every dataset with its resources, most recently modified first.
        Parameters: limit, offset, page (with limit)."""
        order = sorted(
            range(len(self.pub.packages)),
            key=lambda i: (self.pub.packages[i]["metadata_modified"], self.pub.packages[i]["name"]),
            reverse=True,
        )
        limit = int_param(params, "limit", len(order))
        offset = int_param(params, "offset", 0)
        page = int_param(params, "page", 0)
        if page:
            if "limit" not in params:
                raise invalid("page", "page requires limit")
            offset = (page - 1) * limit
        return [self.pub.packages[i] for i in order[offset : offset + limit]]

    def do_package_search(self, params: dict) -> dict[str, Any]:
        """Search datasets. Parameters: q (words in titles, notes, tags and names, Vietnamese
        marks ignored; or field:value), fq (organization:, groups:, tags:, res_format:,
        license_id:, name:, id:, extras_KEY:, their negations with -, OR, AND, parentheses,
        metadata_modified:[2026-01-01T00:00:00Z TO *]), sort (id, name, title_string,
        metadata_modified, metadata_created, score, num_resources, num_tags; asc or desc,
        comma-separated; default 'score desc, metadata_modified desc'), rows (default 10, at
        most 1000), start, facet.field (a JSON list), facet.limit, facet.mincount, fl."""
        q = text_param(params, "q")
        fq_values = params.get("fq")
        fqs = fq_values if isinstance(fq_values, list) else [fq_values]
        if not all(v is None or isinstance(v, str) for v in fqs):
            raise invalid("fq", "Must be a string")
        rows = int_param(params, "rows", ROWS_DEFAULT, ROWS_MAX)
        start = int_param(params, "start", 0)
        qnode = _Parser(q).parse()
        filters = [_Parser(v).parse() for v in fqs if v]
        terms = _positive_text(qnode, [])
        hits = [
            i
            for i, doc in enumerate(self.docs)
            if matches(qnode, doc) and all(matches(f, doc) for f in filters)
        ]
        sort = text_param(params, "sort").strip() or "score desc, metadata_modified desc"
        scores = {i: score(terms, self.docs[i]) for i in hits} if terms else {}
        hits = self._sorted(hits, sort, scores)
        results = [self.pub.packages[i] for i in hits[start : start + rows]]
        fl = text_param(params, "fl").strip()
        if fl and fl != "*":
            keep = [f for f in re.split(r"[\s,]+", fl) if f]
            results = [{k: p[k] for k in keep if k in p} for p in results]
        facets, search_facets = self._facets(params, hits)
        return {
            "count": len(hits),
            "facets": facets,
            "results": results,
            "search_facets": search_facets,
            "sort": sort,
        }

    def _sorted(self, hits: list[int], sort: str, scores: dict[int, float]) -> list[int]:
        keys = []
        for part in sort.split(","):
            bits = part.split()
            if not bits:
                continue
            if len(bits) > 2 or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
                raise query_error(f"cannot sort by {part.strip()!r}")
            name, descending = bits[0], len(bits) == 2 and bits[1].lower() == "desc"
            if name not in SORTABLE:
                raise query_error(f"cannot sort by {name!r}")
            keys.append((name, descending))
        packages = self.pub.packages
        order = sorted(hits, key=lambda i: packages[i]["name"])  # ties: by name
        for name, descending in reversed(keys):
            if name == "score":
                key: Callable[[int], Any] = lambda i: scores.get(i, 0.0)  # noqa: E731
            elif name in ("title", "title_string"):
                key = self._title_keys().__getitem__
            else:
                key = lambda i, n=name: packages[i][n]  # noqa: E731
            order.sort(key=key, reverse=descending)
        return order

    def _title_keys(self) -> list[tuple]:
        """Titles in Vietnamese alphabetical order, worked out the first time a search asks."""
        if self._titles is None:
            self._titles = [(sort_key(p["title"]), p["name"]) for p in self.pub.packages]
        return self._titles

    def _facets(self, params: dict, hits: list[int]) -> tuple[dict, dict]:
        fields = list_param(params, "facet.field") or []
        unlimited = _one(params, "facet.limit") in (-1, "-1")  # CKAN's (Solr's) "no limit"
        limit = None if unlimited else int_param(params, "facet.limit", FACET_LIMIT)
        mincount = int_param(params, "facet.mincount", 1)
        facets: dict[str, dict[str, int]] = {}
        search_facets: dict[str, dict[str, Any]] = {}
        for name in fields:
            if name not in FACETABLE and not name.startswith("extras_"):
                raise query_error(f"cannot facet on {name!r}")
            counts = Counter(v for i in hits for v in set(self.docs[i].fields.get(name, ())))
            items = sorted(((v, n) for v, n in counts.items() if n >= mincount), key=lambda x: (-x[1], x[0]))
            items = items[:limit] if limit is not None else items
            facets[name] = dict(items)
            search_facets[name] = {
                "title": name,
                "items": [{"name": v, "display_name": self._display(name, v), "count": n} for v, n in items],
            }
        return facets, search_facets

    def _display(self, field: str, value: str) -> str:
        if field == "organization" and value in self.orgs:
            return self.orgs[value]["title"]
        if field == "groups" and value in self.groups:
            return self.groups[value]["title"]
        if field == "license_id":
            return self.licence_titles.get(value, value)
        return value

    def _list(self, items: list[dict[str, Any]], params: dict, plural: str) -> list:
        wanted = list_param(params, plural)
        if wanted is not None:
            items = [x for x in items if x["name"] in wanted or x["id"] in wanted]
        sort = text_param(params, "sort").strip() or "title asc"
        bits = sort.split()
        name = bits[0] if bits else "title"
        if name == "display_name":
            name = "title"
        if (
            name not in ("name", "title", "package_count")
            or len(bits) > 2
            or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc"))
        ):
            raise invalid("sort", f"Cannot sort by {sort!r}: use name, title or package_count")
        descending = len(bits) == 2 and bits[1].lower() == "desc"
        if name == "title":
            key: Callable[[dict], Any] = lambda x: (sort_key(x["title"]), x["name"])  # noqa: E731
        else:
            key = lambda x, n=name: (x[n], x["name"])  # noqa: E731
        items = sorted(items, key=key, reverse=descending)
        offset = int_param(params, "offset", 0)
        limit = int_param(params, "limit", len(items))
        items = items[offset : offset + limit]
        if not bool_param(params, "all_fields", False):
            return [x["name"] for x in items]
        count = bool_param(params, "include_dataset_count", True)
        extras = bool_param(params, "include_extras", False)
        return [
            {
                k: v
                for k, v in x.items()
                if (count or k != "package_count") and (extras or k != "extras") and k != "users"
            }
            for x in items
        ]

    def _show(self, table: dict[str, dict], params: dict, kind: str, field: str) -> dict[str, Any]:
        key = text_param(params, "id")
        if not key:
            raise invalid("id", "Missing value")
        item = table.get(key)
        if item is None:
            raise not_found(f"Not found: {kind} was not found.")
        out = dict(item)
        if not bool_param(params, "include_dataset_count", True):
            out.pop("package_count", None)
        if not bool_param(params, "include_extras", True):
            out.pop("extras", None)
        if bool_param(params, "include_datasets", False):
            out["packages"] = [
                self.pub.packages[i] for i, doc in enumerate(self.docs) if item["name"] in doc.fields[field]
            ][:ROWS_MAX]
        return out

    def do_organization_list(self, params: dict) -> list:
        """Return the organizations (owning agencies). Parameters: sort ('title asc' default,
        name, package_count), limit, offset, organizations, all_fields, include_dataset_count,
        include_extras."""
        return self._list(self.pub.organizations, params, "organizations")

    def do_group_list(self, params: dict) -> list:
        """Return the groups (themes). Parameters: as organization_list, with groups."""
        return self._list(self.pub.groups, params, "groups")

    def do_organization_show(self, params: dict) -> dict[str, Any]:
        """Return an organization. Parameters: id (name or id), include_datasets (first 1000),
        include_dataset_count, include_extras."""
        return self._show(self.orgs, params, "Organization", "organization")

    def do_group_show(self, params: dict) -> dict[str, Any]:
        """Return a group. Parameters: id (name or id), include_datasets (first 1000),
        include_dataset_count, include_extras."""
        return self._show(self.groups, params, "Group", "groups")

    def do_tag_list(self, params: dict) -> list:
        """Return the tags of all datasets. Parameters: query (part of a tag, marks ignored),
        all_fields."""
        if text_param(params, "vocabulary_id"):
            raise not_found("Not found: Could not find vocabulary")
        query = fold(text_param(params, "query"))
        tags = [t for t in self.pub.tags if query in fold(t)] if query else self.pub.tags
        if bool_param(params, "all_fields", False):
            base = self.pub.base
            return [
                {
                    "id": ckan._uuid(f"{base}tags/{t}"),
                    "name": t,
                    "display_name": t,
                    "state": "active",
                    "vocabulary_id": None,
                }
                for t in tags
            ]
        return list(tags)

    def do_license_list(self, params: dict) -> list[dict[str, Any]]:
        """Return the licences datasets may carry."""
        return self.pub.licences

    def do_status_show(self, params: dict) -> dict[str, Any]:
        """Return the site's title, address, language and the CKAN API version it answers like."""
        return self.pub.status

    def do_site_read(self, params: dict) -> bool:
        """Return true: the site may be read."""
        return True

    def do_help_show(self, params: dict) -> str:
        """Return the help of an action. Parameters: name."""
        name = text_param(params, "name")
        if name not in self.actions:
            raise not_found("Not found: Action function not found")
        return " ".join((self.actions[name].__doc__ or "").split())


# ---------------------------------------------------------------------------------------------
# Entry points

_CACHE: dict[tuple[int, dt.date, str], tuple[Catalogue, Api]] = {}
_LOCK = threading.Lock()


def api_for(c: Catalogue, today: dt.date, edition: str) -> Api:
    """The API of a catalogue, built once (a rebuild brings a new catalogue, and a new API)."""
    key = (id(c), today, edition)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is None or hit[0] is not c:
            _CACHE.clear()
            hit = _CACHE[key] = (c, Api(c, today, edition))
        return hit[1]


def answer(
    c: Catalogue, action: str, params: Any, today: dt.date, edition: str = policy.PUBLIC
) -> tuple[int, dict[str, Any]]:
    return api_for(c, today, edition).answer(action, params)


_PATH = re.compile(r"^/api(?:/(?P<version>[123]))?(?:/action/(?P<action>[^/]*))?/?$")


def route(
    c: Catalogue, path: str, params: Any, today: dt.date, edition: str = policy.PUBLIC
) -> tuple[int, Any]:
    """The answer to a request for ``path`` (below /api): an action, or the API's version."""
    m = _PATH.match(path)
    if not m:
        error = not_found("Not found: no such API address")
        return 404, {"help": None, "success": False, "error": error.body()}
    if m.group("action") is None:
        return 200, {"version": int(m.group("version") or 1)}
    return answer(c, m.group("action"), params, today, edition)
