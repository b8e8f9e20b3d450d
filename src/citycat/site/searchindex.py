"""The search index of the dataset list page: one compact JSON file per language.

The build writes ``build_index(catalogue, "vi")`` as ``search-index.json`` and the English one as
``en/search-index.json``; ``site/static/search.js`` fetches the page language's own file.

Layout (version 1), chosen on size (``bench/search_bench.py`` prints the alternatives)::

    {
      "version": 1, "lang": "vi",
      "fields": ["id", "title", "title_folded", "other_folded", "keywords_folded",
                 "agency", "theme", "access", "format", "status", "frequency", "overdue",
                 "modified", "due"],
      "values": {"agency": ["so-y-te", …], "theme": […], "access": […], "format": […],
                 "status": […], "frequency": […]},
      "text": {"agency": ["so y te syt", …], "theme": ["y te", …]},
      "rows": [["danh-sach-…", "Danh sách …", "danh sach …", "licensed …", "benh vien phong kham …",
                3, [7], 2, [0, 4], 1, 5, 0, 20605, 20818], …]
    }

One row per dataset, in the list page's display order (``views.sorted_datasets``). The facet
columns hold positions in ``values[facet]`` (``theme`` and ``format`` a list of them, the others
one); ``overdue`` is 0 or 1; ``modified`` and ``due`` are day numbers (days since 1970-01-01,
null when the dataset has no such date), for the list's "last modified" and "due date" orders:
5 characters a date where an ISO string takes 12. The folded agency name and abbreviation and
the folded theme names are kept once per agency and theme in ``text`` (same positions as ``values``), not once per row.
At 10,000 datasets that makes the file 27 % smaller raw (3.0 MB against 4.2 MB when every row
repeats those texts and the facet ids) and 18 % smaller gzipped (255 KB against 310 KB); one
object per dataset would be 5.7 MB (330 KB gzipped). Every folded text is ``citycat.model.vietnamese.fold`` of the
page language's text; several texts (keywords, agency name and abbreviation) are joined with
spaces, which a search token (never holding a space) cannot match across.

Only public-edition values go in: the rows are read from ``views.dataset_view(…, PUBLIC)``, which
leaves out each dataset's ``internal`` block and its internal distributions (so their formats).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from citycat.model.catalogue import Catalogue
from citycat.model.policy import PUBLIC
from citycat.model.vietnamese import fold
from citycat.site.views import FACETS, dataset_view, sorted_datasets

VERSION = 1
FIELDS = (
    "id",
    "title",
    "title_folded",
    "other_folded",
    "keywords_folded",
    "agency",
    "theme",
    "access",
    "format",
    "status",
    "frequency",
    "overdue",
    "modified",
    "due",
)
MULTI = ("theme", "format")  # facets a dataset can have several values of
VIEW_KEYS = (  # what a row is made of, from each dataset's view
    "id",
    "title",
    "title_other",
    "keywords",
    "agency",
    "themes",
    "access",
    "formats",
    "status",
    "frequency",
    "overdue",
    "ref",  # the reference code the official edition prints: searching for it finds the dataset
    "modified_iso",
    "due_iso",
)
EPOCH = dt.date(1970, 1, 1).toordinal()


def day(iso: str | None) -> int | None:
    """A date as its day number (days since 1970-01-01, as JavaScript's ``Date`` counts
    them: ``new Date(day * 864e5)``), or None for no date."""
    return dt.date.fromisoformat(iso).toordinal() - EPOCH if iso else None


def _join(*texts: str) -> str:
    """Fold each text and join them with spaces, leaving out empty and repeated ones."""
    return _joined(texts)


@functools.lru_cache(maxsize=1 << 18)
def _joined(texts: tuple[str, ...]) -> str:
    """(Remembered: ``citycat serve`` builds the index again after each edit, and then all but
    the edited entries' texts are the same.)"""
    out: list[str] = []
    for text in texts:
        folded = fold(text or "")
        if folded and folded not in out:
            out.append(folded)
    return " ".join(out)


_PARTS = "_index_parts"


def _parts(v: Mapping[str, Any]) -> tuple:
    """What a row is made of, from a dataset's view; facet values by key (their positions are
    the index's, given as rows are added)."""
    agency = v["agency"]

    def key(value: Any) -> str:
        return str(value if value is not None else "")

    return (
        (
            v["id"],
            v["title"],
            _join(v["title"]),
            _join(v["title_other"]),
            _join(*v["keywords"], v.get("ref") or ""),
        ),
        (key(agency["id"]), _join(agency["name"], agency.get("abbreviation", ""))),
        [(key(t["id"]), _join(t["label"])) for t in v["themes"]],
        key(v["access"]["id"]),
        [key(f) for f in v["formats"]],
        key(v["status"]["id"]),
        key(v["frequency"]["id"]),
        1 if v["overdue"] else 0,
        day(v.get("modified_iso")),
        day(v.get("due_iso")),
    )


def build_index(
    catalogue: Catalogue,
    lang: str,
    today: dt.date | None = None,
    known: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The search index of the ``lang`` list page, as a JSON-serialisable dict.

    ``known`` maps dataset ids to their public ``lang`` views (``VIEW_KEYS`` of them at least),
    made already by the build; the others are made here.

    ``today`` decides the overdue flag: pass the date the pages are built for (as
    ``views.pages``), or the index and the cards may disagree (default: the clock's date).
    """
    today = today or dt.date.today()
    values: dict[str, list[str]] = {f: [] for f in FACETS}
    positions: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    text: dict[str, list[str]] = {"agency": [], "theme": []}

    def ref(facet: str, key: str, label: str = "") -> int:
        pos = positions[facet][key] = len(values[facet])
        values[facet].append(key)
        if facet in text:
            text[facet].append(label)
        return pos

    at = {f: positions[f].get for f in FACETS}  # (a row's facets looked up without a call each)
    agency_at, theme_at, access_at = at["agency"], at["theme"], at["access"]
    format_at, status_at, frequency_at = at["format"], at["status"], at["frequency"]
    rows: list[list[Any]] = []
    for d in sorted_datasets(catalogue.datasets, lang):
        v = known.get(d.id) if known else None
        if v is None:
            v = dataset_view(d, catalogue, lang, today, PUBLIC)
        parts = v.get(_PARTS) if isinstance(v, dict) else None
        if parts is None:
            parts = _parts(v)
            if isinstance(v, dict):
                v[_PARTS] = parts  # the view is the build's own: kept with it for the next rebuild
        head, agency, themes, access, formats, status, frequency, overdue, modified, due = parts
        a = agency_at(agency[0])
        if a is None:
            a = ref("agency", *agency)
        themes_at = []
        for t in themes:
            x = theme_at(t[0])
            themes_at.append(ref("theme", *t) if x is None else x)
        formats_at = []
        for f in formats:
            x = format_at(f)
            formats_at.append(ref("format", f) if x is None else x)
        x_access, x_status, x_frequency = access_at(access), status_at(status), frequency_at(frequency)
        rows.append(
            [
                *head,
                a,
                themes_at,
                ref("access", access) if x_access is None else x_access,
                formats_at,
                ref("status", status) if x_status is None else x_status,
                ref("frequency", frequency) if x_frequency is None else x_frequency,
                overdue,
                modified,
                due,
            ]
        )
    return {
        "version": VERSION,
        "lang": lang,
        "fields": list(FIELDS),
        "values": values,
        "text": text,
        "rows": rows,
    }


def records(index: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows as dicts, with facet positions turned back into ids and day numbers into dates
    (for tests and tools)."""
    fields = index["fields"]
    out = []
    for row in index["rows"]:
        r = dict(zip(fields, row, strict=True))
        for f in FACETS:
            table = index["values"][f]
            r[f] = [table[i] for i in r[f]] if f in MULTI else table[r[f]]
        r["agency_folded"] = index["text"]["agency"][index["values"]["agency"].index(r["agency"])]
        r["themes_folded"] = [index["text"]["theme"][index["values"]["theme"].index(t)] for t in r["theme"]]
        r["overdue"] = bool(r["overdue"])
        for f in ("modified", "due"):
            r[f] = dt.date.fromordinal(EPOCH + r[f]) if r[f] is not None else None
        out.append(r)
    return out
