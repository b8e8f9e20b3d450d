"""What each page of the site shows: pure functions from the loaded catalogue to page contexts.

``pages(catalogue, strings, today, edition)`` lists every page (path, template, context) in both
languages. Templates (``site/templates/``) only lay out these plain values; Jinja2 escapes them.
Nothing marked internal reaches a context of the public edition.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset, Edition, Record
from citycat.model.policy import PUBLIC, safe_url
from citycat.model.vietnamese import fold, sort_key
from citycat.site import i18n, sharing

FACETS = ("agency", "theme", "access", "format", "status", "frequency")
PER_PAGE = 50  # datasets on a page of a list (the dataset list, an agency's, a theme's)


@dataclass(frozen=True)
class Page:
    path: str  # the page's address below the site root, without language prefix: "datasets/x/"
    lang: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    dataset: Dataset | None = None  # a dataset page's record (its view is made when it is rendered)

    @property
    def url_path(self) -> str:
        return url_path(self.lang, self.path)

    @property
    def file(self) -> str:
        """Where it is written below the output folder."""
        return self.url_path.lstrip("/") + ("index.html" if self.url_path.endswith("/") else "")


def url_path(lang: str, path: str) -> str:
    """ "/en/datasets/x/" for English, "/datasets/x/" for Vietnamese (the root language)."""
    return ("/en/" if lang == "en" else "/") + path


def relative(from_url: str, to_url: str) -> str:
    """A link from the page at ``from_url`` to ``to_url`` that works under any base path.

    Both are site paths from the root ("/en/datasets/x/"); the link climbs to the root and
    goes down again ("../../../datasets/"), which is cheap to make for 20,000 pages.
    """
    depth = from_url.count("/") - 1
    rel = "../" * depth + to_url[1:]
    return rel or "./"


# ---------------------------------------------------------------------------------------------
# Views of records


def _term(register: Mapping[str, Record], key: Any, lang: str) -> dict[str, Any]:
    record = register.get(key) if isinstance(key, str) else None
    return {"id": key, "label": record.label(lang) if record else str(key or "")}


def agency_view(a: Record, lang: str) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.text("name", lang),
        "abbreviation": a.get("abbreviation", ""),
        "website": safe_url(a.get("website")),
        "email": a.get("email", ""),
    }


def dataset_view(d: Dataset, c: Catalogue, lang: str, today: dt.date, edition: str) -> dict[str, Any]:
    """Everything a dataset page, card or table row shows, in ``lang``."""
    other = "en" if lang == "vi" else "vi"
    v = c.register
    agency = c.agencies.get(d.agency)
    format_register = v("formats")
    dists = policy.offered(c, d, edition)  # none for a dataset the edition does not list
    schema = c.table_schemas.get(d.get("schema")) if d.get("schema") else None
    sample = None
    for x in dists:
        if x.get("sample") in c.samples:
            rows = c.samples[x.get("sample")]
            sample = {"header": list(rows[0]), "rows": [list(r) for r in rows[1:]]} if rows else None
            break
    due = d.due
    view = {
        "id": d.id,
        "ref": d.get("ref", ""),
        "title": d.text("title", lang),
        "title_other": d.get(f"title.{other}", ""),
        "description": d.text("description", lang),
        "agency": agency_view(agency, lang) if agency else {"id": d.agency, "name": d.agency},
        "themes": [_term(c.themes, t, lang) for t in d.themes],
        "keywords": list(d.items(f"keywords.{lang}") or d.items("keywords.vi")),
        "access": {**_term(v("access_levels"), d.access, lang), "open": policy.is_open(c, d.access)},
        "data_class": _term(v("data_classes"), d.get("data_class"), lang) if d.get("data_class") else None,
        "personal_data": d.get("personal_data") is True,
        "legal_basis": d.get("legal_basis", ""),
        "licence": _licence(c, d.get("licence"), lang),
        "frequency": _term(v("frequencies"), d.get("frequency"), lang),
        "status": _term(v("statuses"), d.status, lang),
        "draft": d.status == "proposed",
        "due": i18n.date(due),
        "due_iso": due.isoformat() if due else "",
        "overdue": d.is_overdue(today),
        "days_late": (today - due).days if due and d.is_overdue(today) else 0,
        "issued": i18n.date(d.date("issued")),
        "issued_iso": d.date("issued").isoformat() if d.date("issued") else "",
        "modified": i18n.date(d.date("modified")),
        "modified_iso": d.date("modified").isoformat() if d.date("modified") else "",
        "spatial": list(d.items("spatial")) or ["01"],
        "temporal_start": i18n.date(d.date("temporal.start")),
        "temporal_end": i18n.date(d.date("temporal.end")),
        "temporal_start_iso": _iso(d.date("temporal.start")),
        "temporal_end_iso": _iso(d.date("temporal.end")),
        "sharing_methods": [_term(v("sharing_methods"), m, lang) for m in d.items("sharing.methods")],
        "consumers": [
            agency_view(c.agencies[a], lang) if a in c.agencies else {"id": a, "name": a}
            for a in d.items("sharing.consumers")
        ],
        "contact": {"name": d.get("contact.name", ""), "email": d.get("contact.email", "")},
        "landing_page": safe_url(d.get("landing_page")),
        "schema_path": d.get("schema", "") if schema else "",
        "dictionary": _dictionary(schema) if schema else [],
        "sample": sample,
        "distributions": [_distribution(x, format_register, lang) for x in dists],
        "formats": sorted({x.get("format") for x in dists if isinstance(x.get("format"), str)}),
        "internal": dict(policy.internal_fields(d, edition)),
        # the official editions that list it (None: the catalogue has none yet)
        "official": in_editions(c).get(d.id, []) if c.editions else None,
    }
    return view


# ---------------------------------------------------------------------------------------------
# Official editions (``Catalogue.editions``: data a pull request brings, escaped by the templates)

EDITIONS_PATH = "editions/"
CHANGE_KINDS = ("added", "removed", "renamed", "changed")
_IN_EDITIONS: list[tuple[tuple, dict]] = []  # the last catalogue's editions and who is in them


def in_editions(c: Catalogue) -> Mapping[str, list[dict[str, Any]]]:
    """For each dataset id, the editions that list it, oldest first (worked out once for the
    catalogue's editions: every dataset view asks)."""
    if _IN_EDITIONS and _IN_EDITIONS[0][0] is c.editions:
        return _IN_EDITIONS[0][1]
    out: dict[str, list[dict[str, Any]]] = {}
    for e in c.editions:
        mark = {"number": e.number, "date": i18n.date(e.date), "key": e.key, "path": EDITIONS_PATH}
        for dataset_id in dict.fromkeys(e.datasets):
            out.setdefault(dataset_id, []).append(mark)
    _IN_EDITIONS[:] = [(c.editions, out)]
    return out


def edition_view(e: Edition, c: Catalogue, lang: str) -> dict[str, Any]:
    """An edition as the page of editions and the home page show it."""
    folder = f"{EDITIONS_PATH}{e.key}/"
    levels, statuses = c.register("access_levels"), c.register("statuses")
    counts = e.counts
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in CHANGE_KINDS}
    for x in e.changes:
        exists = c.dataset(x.id) is not None
        by_kind[x.kind].append(
            {
                "id": x.id,
                "old_id": x.old_id,
                "title": x.title.get(lang) or x.title.get("vi") or x.id,
                "path": policy.page_path(x.id) if exists else None,
                "fields": [{"path": f.path, "old": f.old, "new": f.new} for f in x.fields],
            }
        )
    files = [
        {
            "name": f.name,
            "path": folder + f.name,
            "size": i18n.size(f.bytes, lang),
            "bytes": f.bytes,
            "sha256": f.sha256,
        }
        for f in e.files
    ]
    return {
        "number": e.number,
        "key": e.key,
        "date": i18n.date(e.date),
        "decision": e.decision,
        "signed": i18n.date(e.signed),
        "signed_iso": e.signed.isoformat() if e.signed else "",
        "draft": e.draft,
        "first": e.previous is None,
        "previous": i18n.date(e.previous),
        "datasets": counts.get("datasets", len(e.datasets)),
        "agencies": len(counts.get("agencies") or {}),
        "access": [
            {"id": k, "label": levels[k].label(lang) if k in levels else k, "count": n}
            for k, n in (counts.get("access") or {}).items()
        ],
        "status": [
            {"id": k, "label": statuses[k].label(lang) if k in statuses else k, "count": n}
            for k, n in (counts.get("status") or {}).items()
        ],
        "files": files,
        "pdf": next((f["path"] for f in files if f["name"] == "annex.pdf"), None),
        "sums": folder + "SHA256SUMS" if "SHA256SUMS" in e.published else None,
        "summary": dict(e.summary),
        "changes": [{"kind": k, "items": by_kind[k]} for k in CHANGE_KINDS if by_kind[k]],
    }


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _licence(c: Catalogue, key: Any, lang: str) -> dict[str, Any] | None:
    record = c.licences.get(key) if isinstance(key, str) else None
    if record is None:
        return None
    return {"id": record.id, "title": record.text("title", lang), "url": safe_url(record.get("url"))}


def _distribution(x, formats, lang: str) -> dict[str, Any]:
    fmt = formats.get(x.get("format"))
    return {
        "title": x.text("title", lang),
        "description": x.text("description", lang),
        "format": x.get("format", ""),
        "media_type": x.get("media_type") or (fmt.get("media_type") if fmt else ""),
        "url": safe_url(x.url),
        "kind": "download" if x.get("download_url") else "access",
        "byte_size": x.get("byte_size"),
        "size": i18n.size(x.get("byte_size"), lang) if isinstance(x.get("byte_size"), int) else "",
        "internal": x.internal,
    }


def _dictionary(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f in schema.get("fields", []):
        if not isinstance(f, dict):
            continue
        constraints = f.get("constraints") or {}
        parts = []
        for key, value in constraints.items():
            if key == "required" and value:
                parts.append("required")
            elif key == "enum":
                parts.append("enum: " + ", ".join(map(str, value)))
            else:
                parts.append(f"{key}: {value}")
        out.append(
            {
                "name": f.get("name", ""),
                "title": f.get("title", ""),
                "type": f.get("type", "string"),
                "format": f.get("format", ""),
                "description": f.get("description", ""),
                "constraints": parts,
                "required": bool(constraints.get("required")),
                "primary_key": f.get("name") in (schema.get("primaryKey") or []),
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# Summaries


def sorted_datasets(datasets: Iterable[Dataset], lang: str) -> list[Dataset]:
    """Vietnamese alphabetical order for Vietnamese pages, folded order for English ones.

    The order of a catalogue's tuple of datasets is remembered (the pages, the search index
    and the feeds each ask for it); a new list is returned each time."""
    if isinstance(datasets, tuple):
        last = _ORDERS.get(lang)
        if last is not None and last[0] is datasets:
            return list(last[1])
        made = _sorted(datasets, lang)
        _ORDERS[lang] = (datasets, tuple(made))
        return made
    return _sorted(datasets, lang)


_ORDERS: dict[str, tuple[tuple, tuple]] = {}  # lang → (the datasets, their order): the last asked


def _sorted(datasets: Iterable[Dataset], lang: str) -> list[Dataset]:
    return policy.in_display_order(datasets, lang)


def progress(c: Catalogue, today: dt.date, datasets: Iterable[Dataset] | None = None) -> dict[str, Any]:
    """Totals to the deadline: by status, by access level, overdue, days left."""
    items = list(c.datasets if datasets is None else datasets)
    deadline = c.settings.get("deadline")
    deadline = deadline if isinstance(deadline, dt.date) else None
    by_status = Counter(d.status for d in items)
    by_access = Counter(d.access for d in items)
    overdue = sum(1 for d in items if d.is_overdue(today))
    published = by_status.get("published", 0)
    return {
        "total": len(items),
        "by_status": dict(by_status),
        "by_access": dict(by_access),
        "overdue": overdue,
        "published": published,
        "published_share": round(100 * published / len(items)) if items else 0,
        "deadline": i18n.date(deadline),
        "deadline_iso": deadline.isoformat() if deadline else "",
        "days_left": (deadline - today).days if deadline else None,
    }


def formats(c: Catalogue, d: Dataset, edition: str = PUBLIC) -> list[str]:
    """The formats of the distributions a page of ``edition`` offers, sorted (none for a dataset
    the edition does not list: ``policy.offered``)."""
    return list(policy.formats(d, edition)) if policy.listed(c, d, edition) else []


def facet_values(c: Catalogue, d: Dataset, edition: str = PUBLIC) -> dict[str, list[Any]]:
    """The values a dataset has for each facet of the list page."""
    return {
        "agency": [d.agency],
        "theme": list(d.themes),
        "access": [d.access],
        "format": formats(c, d, edition),
        "status": [d.status],
        "frequency": [d.get("frequency")],
    }


def facets(
    c: Catalogue, datasets: Iterable[Dataset], lang: str, edition: str = PUBLIC
) -> dict[str, list[dict[str, Any]]]:
    """Each facet's values with their counts, in the order people look for them."""
    return _facets(c, ((d, facet_values(c, d, edition)) for d in datasets), lang)


def _facets(
    c: Catalogue, valued: Iterable[tuple[Dataset, Mapping[str, list[Any]]]], lang: str
) -> dict[str, list[dict[str, Any]]]:
    """``facets`` of datasets whose ``facet_values`` are known already."""
    counts: dict[str, Counter] = {f: Counter() for f in FACETS}
    for _, values_of in valued:
        for name, values in values_of.items():
            count = counts[name]
            for value in values:
                count[value] += 1
    registers = {
        "agency": c.agencies,
        "theme": c.themes,
        "access": c.register("access_levels"),
        "format": c.register("formats"),
        "status": c.register("statuses"),
        "frequency": c.register("frequencies"),
    }
    out = {}
    for name in FACETS:
        reg = registers[name]
        values = [
            {"id": key, "label": reg[key].label(lang) if key in reg else str(key), "count": n}
            for key, n in counts[name].items()
        ]
        if name in ("agency", "theme"):
            values.sort(key=lambda x: sort_key(x["label"]) if lang == "vi" else fold(x["label"]))
        else:  # code lists keep the order of their register
            order = {key: i for i, key in enumerate(reg)}
            values.sort(key=lambda x: order.get(x["id"], len(order)))
        out[name] = values
    return out


# ---------------------------------------------------------------------------------------------
# The pages


def score_view(s: Any, lang: str) -> dict[str, Any]:
    """A dataset's results (``citycat.quality.scores.DatasetScore``) in plain words for its page."""
    from citycat.quality import scores

    return {
        "overall": s.overall,
        "band": scores.band(s.overall)["key"],
        "band_label": scores.band(s.overall)["label"][lang],
        "standards": [
            {
                "key": std.key,
                "label": std.label(lang),
                "score": std.score,
                "band": scores.band(std.score)["key"],
                "losses": [
                    {"title": c.title(lang), "lost": round(c.lost), "why": c.message(lang)}
                    for c in std.criteria
                    if c.lost > 0.0001
                ],
            }
            for std in s.standards
        ],
        "mqa": {
            "points": s.mqa.points,
            "max": scores.rules()["mqa"]["max_points"],
            "rating": s.mqa.rating,
            "rating_label": s.mqa.rating_label(lang),
        },
        "freshness": s.freshness,
        "freshness_label": scores.freshness_label(s.freshness, lang),
    }


def scorecards(cards: list[dict[str, Any]], c: Catalogue, lang: str) -> dict[str, dict[str, Any]]:
    """Each agency's scorecard (``citycat.quality.scores.agencies``) in plain words, by agency id."""
    from citycat.quality import scores

    ranked = sum(1 for x in cards if x["rank"])
    labels = {k: scores.rules()["standards"][k]["label"][lang] for k in scores.STANDARDS}
    out = {}
    for card in cards:
        out[card["id"]] = {
            **{k: card[k] for k in ("rank", "overall", "tau", "mqa", "datasets", "published", "overdue")},
            "ranked": ranked,
            "mqa_max": scores.rules()["mqa"]["max_points"],
            "band": scores.band(card["overall"])["key"] if card["overall"] is not None else "none",
            "standards": [
                {"key": k, "label": labels[k], "score": card["standards"][k]} for k in scores.STANDARDS
            ],
            "worst": [
                {
                    "id": dataset_id,
                    "title": c.dataset(dataset_id).text("title", lang)
                    if c.dataset(dataset_id)
                    else dataset_id,
                    "criterion": crit.title(lang),
                    "lost": round(crit.lost),
                    "why": crit.message(lang),
                }
                for crit, dataset_id in card["worst"]
            ],
        }
    return out


def pages(
    c: Catalogue, today: dt.date, edition: str = PUBLIC, scored: Mapping[str, Any] | None = None
) -> list[Page]:
    """Every page of the site, both languages. Lists hold dataset records in display order; the
    build renders each dataset's card, table row and page from its view (``dataset_view``).
    ``scored`` (``citycat.quality.scores.score_all``) adds the results: scorecards and the ranking."""
    return _pages(c, today, edition, scored)


def _pages(c: Catalogue, today: dt.date, edition: str, scored: Mapping[str, Any] | None) -> list[Page]:
    out: list[Page] = []
    overall = progress(c, today)
    by_agency: dict[str, list[Dataset]] = {}
    by_theme: dict[str, list[Dataset]] = {}
    for d in c.datasets:
        by_agency.setdefault(d.agency, []).append(d)
        for t in d.themes:
            by_theme.setdefault(t, []).append(d)
    late = [d for d in c.datasets if d.is_overdue(today)]
    if scored is not None:
        from citycat.quality import scores

        ranked_cards = scores.agencies(c, scored, today)
    # what does not depend on the language, worked out once for both
    agency_progress = {a.id: progress(c, today, by_agency.get(a.id, [])) for a in c.agencies.values()}
    values = {id(d): facet_values(c, d, edition) for d in c.datasets}
    groups = [(d.agency, d.themes) for d in c.datasets]
    place = {id(d): i for i, d in enumerate(c.datasets)}
    flow, ways = sharing.flows(c, edition), sharing.methods(c, edition)  # who uses whose data
    for lang in i18n.LANGS:
        ordered = sorted_datasets(c.datasets, lang)
        rank = {d.id: i for i, d in enumerate(ordered)}
        cards = scorecards(ranked_cards, c, lang) if scored is not None else {}
        agencies = []
        for a in sorted(c.agencies.values(), key=lambda a: sort_key(a.text("name", lang))):
            agencies.append(
                {
                    **agency_view(a, lang),
                    "progress": _copy_progress(agency_progress[a.id]),
                    "scorecard": cards.get(a.id),
                }
            )
        ranking = sorted(
            (a for a in agencies if a["scorecard"] and a["scorecard"]["rank"]),
            key=lambda a: a["scorecard"]["rank"],
        )
        themes = []
        for t in sorted(c.themes.values(), key=lambda t: sort_key(t.text("name", lang))):
            themes.append({"id": t.id, "name": t.text("name", lang), "count": len(by_theme.get(t.id, []))})
        overdue = policy.overdue(late, today, lang)
        common = {"progress": overall, "agencies": agencies, "themes": themes}
        official = [edition_view(e, c, lang) for e in reversed(c.editions)]  # newest first
        current = official[0] if official else None
        out.append(
            Page(
                "",
                lang,
                "home.html",
                {**common, "overdue_list": overdue[:10], "ranking": ranking, "official": current},
            )
        )
        if official:
            out.append(Page(EDITIONS_PATH, lang, "editions.html", {"editions": official}))
        shares = sharing.page_view(c, edition, lang, flow, ways)
        # (the figure is drawn by the template's call, in its language: the same function each time)
        out.append(
            Page(sharing.PATH, lang, "sharing.html", {"sharing": shares, "matrix_svg": sharing.matrix_svg})
        )
        panels = {x["id"]: x for x in shares["agencies"]}
        facet_list = _facets(c, ((d, values[id(d)]) for d in ordered), lang)
        for path, shown, pager in paged("datasets/", ordered):
            out.append(
                Page(
                    path,
                    lang,
                    "list.html",
                    {"progress": overall, "datasets": shown, "facets": facet_list, "pager": pager},
                )
            )
        out.append(Page("list/", lang, "annex.html", {**common, "datasets": ordered, "official": current}))
        out.append(Page("agencies/", lang, "agencies.html", common))
        out.append(Page("themes/", lang, "themes.html", common))
        if len(rank) == len(ordered):  # ids unique: each agency's and theme's in list order
            in_agency, in_theme = _grouped(ordered, groups, place)
        else:  # as sorting each group by rank would order them
            in_agency = {k: sorted(v, key=lambda d: rank[d.id]) for k, v in by_agency.items()}
            in_theme = {k: sorted(v, key=lambda d: rank[d.id]) for k, v in by_theme.items()}
        for a in agencies:
            for path, shown, pager in paged(f"agencies/{a['id']}/", in_agency.get(a["id"], [])):
                first = pager is None or pager["number"] == 1  # (its sharing: on the first page only)
                out.append(
                    Page(
                        path,
                        lang,
                        "agency.html",
                        {
                            "agency": a,
                            "datasets": shown,
                            "pager": pager,
                            "sharing": panels[a["id"]] if first else None,
                        },
                    )
                )
        for t in themes:
            for path, shown, pager in paged(f"themes/{t['id']}/", in_theme.get(t["id"], [])):
                out.append(Page(path, lang, "theme.html", {"theme": t, "datasets": shown, "pager": pager}))
        for d in c.datasets:
            out.append(Page(policy.page_path(d.id), lang, "dataset.html", dataset=d))
    return out


def paged(
    path: str, datasets: list[Dataset], per_page: int | None = None
) -> list[tuple[str, list[Dataset], dict[str, Any] | None]]:
    """A list cut into pages of ``per_page``: (path, its datasets, its pager) for each.

    The first page keeps the list's own address (``path``), the others are ``path/page/N/``.
    A list that fits on one page has no pager (None). A pager holds the page's number, the
    number of pages, the paths of the previous and next pages (None at either end), the links
    to show (``pager_links``: None where pages are left out) and which datasets the page holds
    (``first``, ``last`` and ``total``, counted from 1)."""
    per_page = per_page or PER_PAGE
    total = len(datasets)
    count = max(1, -(-total // per_page))
    if count == 1:
        return [(path, datasets, None)]
    paths = [path] + [f"{path}page/{n}/" for n in range(2, count + 1)]
    out = []
    for n in range(1, count + 1):
        start = (n - 1) * per_page
        shown = datasets[start : start + per_page]
        pager = {
            "number": n,
            "count": count,
            "path": paths[n - 1],
            "prev": paths[n - 2] if n > 1 else None,
            "next": paths[n] if n < count else None,
            "links": [{"number": k, "path": paths[k - 1]} if k else None for k in pager_links(n, count)],
            "first": start + 1,
            "last": start + len(shown),
            "total": total,
        }
        out.append((paths[n - 1], shown, pager))
    return out


def pager_links(number: int, count: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows on page ``number`` of ``count``: the first and the last,
    and ``around`` on each side of the current one; None where numbers are left out (a gap of
    one number shows the number instead)."""
    shown = sorted({1, count, *range(max(1, number - around), min(count, number + around) + 1)})
    out: list[int | None] = []
    for k in shown:
        if out and k - (out[-1] or 0) == 2:
            out.append(k - 1)
        elif out and k - (out[-1] or 0) > 2:
            out.append(None)
        out.append(k)
    return out


def _grouped(
    ordered: list[Dataset], groups: list[tuple[str, tuple[str, ...]]], place: Mapping[int, int]
) -> tuple[dict[str, list[Dataset]], dict[str, list[Dataset]]]:
    """The datasets of each agency and of each theme, in the order of ``ordered``.

    ``groups`` holds each dataset's (agency, themes), by its place in the catalogue (``place``:
    by ``id()``), worked out once for both languages."""
    in_agency: dict[str, list[Dataset]] = {}
    in_theme: dict[str, list[Dataset]] = {}
    for d in ordered:
        agency, themes = groups[place[id(d)]]
        in_agency.setdefault(agency, []).append(d)
        for t in themes:
            in_theme.setdefault(t, []).append(d)
    return in_agency, in_theme


def _copy_progress(p: dict[str, Any]) -> dict[str, Any]:
    """Each page its own ``progress`` dict, as when it was worked out for each language."""
    return {**p, "by_status": dict(p["by_status"]), "by_access": dict(p["by_access"])}
