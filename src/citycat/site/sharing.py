"""Sharing at a glance: which agencies' data each agency uses, and which it provides.

A dataset's ``agency`` provides it; each agency in its ``sharing.consumers`` uses it, by its
``sharing.methods``. ``flows(c, edition)`` is every figure as plain values, ``{provider: {user:
datasets}}``: the sharing page (``sharing/``), the panel on each agency's page and the inspection
report (``citycat.quality.report``) all read them from here. An edition counts only the datasets it
lists (``policy.listed``): the public site never counts an internal dataset's sharing.

``matrix_svg`` draws the figures as a matrix (providers in rows, users in columns, abbreviations as
labels), an inline SVG whose colours are the style sheet's ``sharing-`` rules; the page gives the
same figures as a table beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset, Record
from citycat.model.vietnamese import fold, sort_key

PATH = "sharing/"  # the page's address below the site's root (en/sharing/ in English)


# ---------------------------------------------------------------------------------------------
# The figures


def shared(d: Dataset) -> list[str]:
    """The agencies that use ``d``, other than its own, each once, in the entry's order."""
    return [a for a in dict.fromkeys(d.items("sharing.consumers")) if isinstance(a, str) and a != d.agency]


def flows(c: Catalogue, edition: str) -> dict[str, dict[str, int]]:
    """How many datasets each agency provides to each other agency: ``{provider: {user: n}}``,
    counting the datasets ``edition`` lists; agencies (both levels) by id, sorted. An agency that
    provides nothing has no key; n is never 0."""
    out: dict[str, dict[str, int]] = {}
    for d in policy.listed_datasets(c, edition):
        for user in shared(d):
            row = out.setdefault(d.agency, {})
            row[user] = row.get(user, 0) + 1
    return {p: dict(sorted(out[p].items())) for p in sorted(out)}


def methods(c: Catalogue, edition: str) -> dict[str, dict[str, list[str]]]:
    """How each agency's data reaches each other agency: ``{provider: {user: [method ids]}}``,
    the sharing methods of the datasets counted in ``flows``, in the register's order."""
    order = _method_order(c)
    found: dict[str, dict[str, set[str]]] = {}
    for d in policy.listed_datasets(c, edition):
        ways = {m for m in d.items("sharing.methods") if isinstance(m, str)}
        for user in shared(d):
            found.setdefault(d.agency, {}).setdefault(user, set()).update(ways)
    return {
        p: {u: sorted(ms, key=lambda m: (order.get(m, len(order)), m)) for u, ms in sorted(found[p].items())}
        for p in sorted(found)
    }


def shared_by(c: Catalogue, edition: str) -> dict[str, int]:
    """How many of each agency's datasets (those ``edition`` lists) another agency uses."""
    out: dict[str, int] = {}
    for d in policy.listed_datasets(c, edition):
        if shared(d):
            out[d.agency] = out.get(d.agency, 0) + 1
    return dict(sorted(out.items()))


def panels(c: Catalogue, edition: str, lang: str, flow=None, ways=None) -> list[dict[str, Any]]:
    """Every agency's ``panel``, in the order of ``agencies_in_order``."""
    flow = flows(c, edition) if flow is None else flow
    ways = methods(c, edition) if ways is None else ways
    back, own = used(flow), shared_by(c, edition)
    return [panel(c, a, flow, back, ways, lang, own.get(a, 0)) for a in agencies_in_order(c, flow, lang)]


def _method_order(c: Catalogue) -> dict[str, int]:
    """Each sharing method's place in its register, as the file lists them."""
    out: dict[str, int] = {}
    for r in c.register_lists.get("sharing_methods", ()):
        out.setdefault(r.id, len(out))
    return out


def used(flow: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """The same figures the other way round: ``{user: {provider: n}}``."""
    out: dict[str, dict[str, int]] = {}
    for provider, row in flow.items():
        for user, n in row.items():
            out.setdefault(user, {})[provider] = n
    return {u: dict(sorted(out[u].items())) for u in sorted(out)}


# ---------------------------------------------------------------------------------------------
# Views: what the page, the agency panel and the report show


def agencies_in_order(c: Catalogue, flow: Mapping[str, Mapping[str, int]], lang: str) -> list[str]:
    """Every agency of the register, then any other id the figures name, by name in ``lang``
    (as the list of agencies is)."""
    ids = list(c.agencies)
    for provider, row in flow.items():
        ids += [a for a in (provider, *row) if a not in ids]
    key = (lambda a: sort_key(_name(c, a, lang))) if lang == "vi" else (lambda a: fold(_name(c, a, lang)))
    return sorted(ids, key=lambda a: (key(a), a))


def _record(c: Catalogue, agency: str) -> Record | None:
    return c.agencies.get(agency)


def _name(c: Catalogue, agency: str, lang: str) -> str:
    a = _record(c, agency)
    return a.text("name", lang) if a else agency


def _abbreviation(c: Catalogue, agency: str) -> str:
    a = _record(c, agency)
    return str(a.get("abbreviation") or agency) if a else agency


def agency_ref(c: Catalogue, agency: str, lang: str) -> dict[str, Any]:
    """An agency as a sharing list names it: id, name, abbreviation, whether it has a page."""
    return {
        "id": agency,
        "name": _name(c, agency, lang),
        "abbreviation": _abbreviation(c, agency),
        "known": agency in c.agencies,
    }


def panel(
    c: Catalogue,
    agency: str,
    flow: Mapping[str, Mapping[str, int]],
    back: Mapping[str, Mapping[str, int]],
    ways: Mapping[str, Mapping[str, list[str]]],
    lang: str,
    own: int = 0,
) -> dict[str, Any]:
    """One agency's sharing: whom it provides to and whom it uses from, each other agency with its
    number of datasets and the methods (labels in ``lang``), largest first, then by name; ``own``
    is how many of its datasets other agencies use (``shared_by``), ``used`` how many datasets of
    other agencies it uses."""
    labels = c.register("sharing_methods")

    def item(other: str, n: int, how: list[str]) -> dict[str, Any]:
        return {
            **agency_ref(c, other, lang),
            "count": n,
            "methods": [labels[m].label(lang) if m in labels else m for m in how],
        }

    order = {a: i for i, a in enumerate(agencies_in_order(c, flow, lang))}
    provides = [item(u, n, ways.get(agency, {}).get(u, [])) for u, n in flow.get(agency, {}).items()]
    uses = [item(p, n, ways.get(p, {}).get(agency, [])) for p, n in back.get(agency, {}).items()]
    for items in (provides, uses):
        items.sort(key=lambda x: (-x["count"], order.get(x["id"], len(order))))
    return {
        **agency_ref(c, agency, lang),
        "provides": provides,
        "uses": uses,
        "shared": own,
        "used": sum(x["count"] for x in uses),
    }


def page_view(c: Catalogue, edition: str, lang: str, flow=None, ways=None) -> dict[str, Any]:
    """The sharing page of ``lang``: the agencies in order with their panels, the matrix's rows
    (the same figures as the SVG), totals and the methods the shared datasets use."""
    flow = flows(c, edition) if flow is None else flow
    ways = methods(c, edition) if ways is None else ways
    order = agencies_in_order(c, flow, lang)
    each = panels(c, edition, lang, flow, ways)
    rows = [{**agency_ref(c, p, lang), "cells": [flow.get(p, {}).get(u, 0) for u in order]} for p in order]
    datasets = [d for d in policy.listed_datasets(c, edition) if shared(d)]
    labels = c.register("sharing_methods")
    by_method: dict[str, int] = {}
    for d in datasets:
        for m in dict.fromkeys(d.items("sharing.methods")):
            if isinstance(m, str):
                by_method[m] = by_method.get(m, 0) + 1
    rank = _method_order(c)
    return {
        "agencies": each,
        "columns": [agency_ref(c, a, lang) for a in order],
        "rows": rows,
        "datasets": len(datasets),
        "pairs": sum(len(row) for row in flow.values()),
        "providers": sum(1 for x in each if x["provides"]),
        "users": sum(1 for x in each if x["uses"]),
        "provide_nothing": [agency_ref(c, x["id"], lang) for x in each if not x["provides"]],
        "use_nothing": [agency_ref(c, x["id"], lang) for x in each if not x["uses"]],
        "methods": [
            {"id": m, "label": labels[m].label(lang) if m in labels else m, "count": n}
            for m, n in sorted(by_method.items(), key=lambda kv: (-kv[1], rank.get(kv[0], len(rank)), kv[0]))
        ],
    }


# ---------------------------------------------------------------------------------------------
# The figure

CELL = 34  # px, a square of the matrix
FONT = 13  # px, the labels' and numbers' size (the style sheet's .sharing-label and .sharing-num)
CHAR = 9.5  # px, at most the width of one capital letter of a label at FONT
PAD = 8


def level(n: int) -> int:
    """The colour step of a cell holding ``n`` datasets: 0 (none), 1, 2, 3 or 4 (four and more)."""
    return max(0, min(n, 4))


def matrix_svg(view: Mapping[str, Any], title: str, desc: str) -> str:
    """The matrix of ``page_view``: a row per providing agency, a column per using agency, the
    number of datasets in each cell (none in an empty one), the agency itself shaded. Sized in
    pixels (it scrolls sideways in its region on a phone); accessible as an image named by
    ``title`` and described by ``desc`` (which points to the table of the same figures)."""
    columns = view["columns"]
    longest = max((len(x["abbreviation"]) for x in columns), default=1)
    label_w = round(longest * CHAR) + PAD * 2
    left, top = label_w, label_w
    n = len(columns)
    width, height = left + n * CELL + PAD, top + n * CELL + PAD
    out = [
        f'<svg class="sharing-matrix" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="sharing-svg-t sharing-svg-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="sharing-svg-t">{escape(title)}</title><desc id="sharing-svg-d">{escape(desc)}</desc>',
    ]
    for j, col in enumerate(columns):  # the users, written upwards above their column
        x = left + j * CELL + CELL / 2 + FONT / 2 - 2
        out.append(
            f'<text class="sharing-label" x="{x:.0f}" y="{top - PAD}" transform="rotate(-90 {x:.0f} {top - PAD})">'
            f"{escape(col['abbreviation'])}</text>"
        )
    for i, row in enumerate(view["rows"]):
        y = top + i * CELL
        out.append(
            f'<text class="sharing-label" x="{left - PAD}" y="{y + CELL / 2 + FONT / 2 - 2:.0f}" '
            f'text-anchor="end">{escape(row["abbreviation"])}</text>'
        )
        for j, count in enumerate(row["cells"]):
            x = left + j * CELL
            css = "sharing-self" if columns[j]["id"] == row["id"] else f"sharing-v{level(count)}"
            out.append(f'<rect class="sharing-cell {css}" x="{x}" y="{y}" width="{CELL}" height="{CELL}"/>')
            if count:
                out.append(
                    f'<text class="sharing-num sharing-t{level(count)}" x="{x + CELL / 2:.0f}" '
                    f'y="{y + CELL / 2 + FONT / 2 - 2:.0f}" text-anchor="middle">{count}</text>'
                )
    out.append("</svg>")
    return "".join(out)
