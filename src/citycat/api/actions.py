"""A read-only CKAN Action API over the loaded catalogue (what ``citycat serve`` answers on /api/).

``Api(catalogue, today, edition).answer(action, params)`` → ``(http_status, body)``: CKAN's
envelope ``{"help", "success", "result"}`` or its error ``{"help", "success": false, "error":
{"__type", "message"}}``, with CKAN's statuses (404 Not Found, 403 Authorization, 409 Validation,
400 Search Query and bad requests). ``Api.route(path, params)`` adds the paths
(``/api/3/action/NAME``, ``/api/action/NAME``, ``/api/3``). Every dict comes from
``citycat.feeds.ckan.publish``, as in the static files. Each action's parameters are declared in
``citycat.api.schema`` and arrive typed; the search language is ``citycat.api.query``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from citycat.api import query
from citycat.api.errors import ApiError, bad_request, invalid, not_found, query_error
from citycat.api.query import FACETABLE, SORTABLE, Doc
from citycat.api.schema import ROWS_MAX, SCHEMAS, UNLIMITED, clean
from citycat.feeds import ckan
from citycat.model import policy
from citycat.model.catalogue import Catalogue
from citycat.model.vietnamese import fold, sort_key

WRITE = re.compile(
    r"(_(create|update|patch|delete|purge|revise|reorder|upsert|clear|invite|undelete|follow)$)"
    r"|^(bulk_|follow_|unfollow_|dashboard_mark|api_token_|user_|member_|job_|config_option_)"
)
ACTION = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
PATH = re.compile(r"^/api(?:/(?P<version>[123]))?(?:/action/(?P<action>[^/]*))?/?$")


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
            return 200, {"help": help_url, "success": True, "result": handler(clean(SCHEMAS[action], params))}
        except ApiError as e:
            return e.status, {"help": help_url, "success": False, "error": e.body()}

    def route(self, path: str, params: Any) -> tuple[int, Any]:
        """The answer to a request for ``path`` (below /api): an action, or the API's version."""
        m = PATH.match(path)
        if not m:
            error = not_found("Not found: no such API address")
            return 404, {"help": None, "success": False, "error": error.body()}
        if m.group("action") is None:
            return 200, {"version": int(m.group("version") or 1)}
        return self.answer(m.group("action"), params)

    # Each action's docstring is what help_show answers; its parameters are in SCHEMAS.

    def _package(self, params: dict) -> dict[str, Any]:
        key = params["id"] or params["name_or_id"]
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
        key = params["id"]
        if not key:
            raise invalid("id", "Missing value")
        if key not in self.resources:
            raise not_found("Not found: Resource was not found.")
        return self.resources[key]

    def do_package_list(self, params: dict) -> list[str]:
        """Return the names of all datasets, sorted. Parameters: limit, offset."""
        names = [p["name"] for p in self.pub.packages]
        offset = params["offset"]
        limit = len(names) if params["limit"] is None else params["limit"]
        return names[offset : offset + limit]

    def do_current_package_list_with_resources(self, params: dict) -> list[dict[str, Any]]:
        """Return every dataset with its resources, most recently modified first.
        Parameters: limit, offset, page (with limit)."""
        order = sorted(
            range(len(self.pub.packages)),
            key=lambda i: (self.pub.packages[i]["metadata_modified"], self.pub.packages[i]["name"]),
            reverse=True,
        )
        limit = len(order) if params["limit"] is None else params["limit"]
        offset = params["offset"]
        page = params["page"]
        if page:
            if params["limit"] is None:
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
        q = params["q"]
        rows = params["rows"]
        start = params["start"]
        qnode = query.parse(q)
        filters = [query.parse(v) for v in params["fq"]]
        terms = query.positive_text(qnode, [])
        hits = [
            i
            for i, doc in enumerate(self.docs)
            if query.matches(qnode, doc) and all(query.matches(f, doc) for f in filters)
        ]
        sort = params["sort"].strip() or "score desc, metadata_modified desc"
        scores = {i: query.score(terms, self.docs[i]) for i in hits} if terms else {}
        hits = self._sorted(hits, sort, scores)
        results = [self.pub.packages[i] for i in hits[start : start + rows]]
        fl = params["fl"].strip()
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
        fields = params["facet.field"] or []
        limit = None if params["facet.limit"] == UNLIMITED else params["facet.limit"]
        mincount = params["facet.mincount"]
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
        wanted = params[plural]
        if wanted is not None:
            items = [x for x in items if x["name"] in wanted or x["id"] in wanted]
        sort = params["sort"].strip() or "title asc"
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
        offset = params["offset"]
        limit = len(items) if params["limit"] is None else params["limit"]
        items = items[offset : offset + limit]
        if not params["all_fields"]:
            return [x["name"] for x in items]
        count = params["include_dataset_count"]
        extras = params["include_extras"]
        return [
            {
                k: v
                for k, v in x.items()
                if (count or k != "package_count") and (extras or k != "extras") and k != "users"
            }
            for x in items
        ]

    def _show(self, table: dict[str, dict], params: dict, kind: str, field: str) -> dict[str, Any]:
        key = params["id"]
        if not key:
            raise invalid("id", "Missing value")
        item = table.get(key)
        if item is None:
            raise not_found(f"Not found: {kind} was not found.")
        out = dict(item)
        if not params["include_dataset_count"]:
            out.pop("package_count", None)
        if not params["include_extras"]:
            out.pop("extras", None)
        if params["include_datasets"]:
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
        if params["vocabulary_id"]:
            raise not_found("Not found: Could not find vocabulary")
        wanted = fold(params["query"])
        tags = [t for t in self.pub.tags if wanted in fold(t)] if wanted else self.pub.tags
        if params["all_fields"]:
            base = self.pub.base
            return [
                {
                    "id": ckan.uuid_for(f"{base}tags/{t}"),
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
        name = params["name"]
        if name not in self.actions:
            raise not_found("Not found: Action function not found")
        return " ".join((self.actions[name].__doc__ or "").split())


# ---------------------------------------------------------------------------------------------
# Entry points


def answer(
    c: Catalogue, action: str, params: Any, today: dt.date, edition: str = policy.PUBLIC
) -> tuple[int, dict[str, Any]]:
    """One answer from a catalogue's API made for it (``citycat serve`` keeps its ``Api``)."""
    return Api(c, today, edition).answer(action, params)
