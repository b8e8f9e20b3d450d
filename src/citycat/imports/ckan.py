"""``citycat import ckan URL``: package dicts of a CKAN Action API as entries.

``fetch`` pages through ``package_search`` with CKAN's own client (``ckanapi``: ``rows``,
``start``, sorted by name so pages never overlap) and asks ``organization_show`` and
``group_show`` about the organizations and groups the target does not know. ``packages``
maps the dicts: the inverse of ``citycat.feeds.ckan`` (its extras, named in
``citycat.model.fields``, are read back), and of what
other CKAN portals say in CKAN's core fields. The mapping, field by field, is in docs/import.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from citycat.imports.common import (
    API_FORMATS,
    SPATIAL,
    Cleaner,
    Ids,
    ImportError_,
    Mapped,
    Target,
    boolean,
    date,
    finish,
    integer,
    ordered_unique,
    split_list,
    words,
)
from citycat.imports.fetch import Limits
from citycat.model import fields

NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
REF = re.compile(r"^HN-[A-Z]+-\d{3}$")
MEDIA = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")
SCHEMA = re.compile(r"^schemas/datasets/[a-z0-9_-]+\.json$")
ROWS = 100  # a page of package_search (CKAN's default ckan.search.rows_max is 1,000)
EXTRAS = fields.ckan_extras()  # dataset field → the extras key citycat's CKAN feed writes it as
TEXTS = tuple(f for f in fields.DATASET if f.extra and f.text)  # free text kept in extras
Progress = Callable[[int, int | None], None]  # (done, total or None)


@dataclass
class Fetched:
    url: str
    packages: list[dict[str, Any]]
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)  # organization_show, by name
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # group_show, by name
    repeated: bool = False  # the server ignored ``start`` (a static copy): one page held everything


def _fail(url: str, exc: Exception) -> ImportError_:
    import ckanapi
    import requests

    reason = str(exc).split("\n")[0][:300]
    if isinstance(exc, requests.exceptions.RequestException):
        return ImportError_(f"Không kết nối được {url}: {reason}", f"Cannot reach {url}: {reason}")
    if isinstance(exc, ckanapi.NotAuthorized):
        return ImportError_(
            f"{url} từ chối truy cập (cần khóa API?)", f"{url} refused access (an API key needed?)"
        )
    if isinstance(exc, (ckanapi.SearchQueryError, ckanapi.SearchError, ckanapi.ValidationError)):
        return ImportError_(f"{url} không hiểu câu tìm kiếm: {reason}", f"{url} refused the search: {reason}")
    return ImportError_(
        f"{url} không trả lời như một CKAN Action API (/api/3/action/package_search)",
        f"{url} does not answer like a CKAN Action API (/api/3/action/package_search)",
    )


def _search_page(ckan, fq: str, start: int, rows: int) -> dict[str, Any]:
    params: dict[str, Any] = {"rows": rows, "start": start, "sort": "name asc"}
    if fq:
        params["fq"] = fq
    return ckan.action.package_search(**params)


def _client(url: str, agent: str, session, get_only: bool = False):
    """CKAN's client, asking under ``/api/3/action/``: every CKAN answers there (as under
    ``/api/action/``, ckanapi's default), and a static copy of citycat's feed has its files only
    there. Its requests go through ``session``: the import's bounded fetcher."""
    import ckanapi

    client = ckanapi.RemoteCKAN(url, user_agent=agent, get_only=get_only, session=session)
    client.base_url = "api/3/action/"
    return client


def fetch(
    url: str,
    *,
    organization: str | None = None,
    since: dt.date | None = None,
    rows: int = ROWS,
    progress: Progress | None = None,
    known: Callable[[str, str], bool] = lambda kind, name: False,
    zone: str = "Asia/Ho_Chi_Minh",
    limits: Limits | None = None,
) -> Fetched:
    """Every package the API lists (of one organization, modified since a date). Raises
    ImportError_ when the URL is not a CKAN Action API that answers, or when it goes past one of
    ``limits`` (time, size, pages, redirects, addresses: ``citycat.imports.fetch``)."""
    import ckanapi
    import requests

    from citycat import __version__
    from citycat.imports.fetch import Fetcher, ckan_session

    url = url.rstrip("/")
    agent = f"citycat/{__version__} (+import)"
    fq = f"organization:{organization}" if organization else ""
    if since:  # the start of that day in the city, as CKAN's UTC timestamps
        start = dt.datetime.combine(since, dt.time(), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
        fq = f"{fq} metadata_modified:[{start.strftime('%Y-%m-%dT%H:%M:%SZ')} TO *]".strip()
    errors = (ckanapi.CKANAPIError, requests.exceptions.RequestException, ValueError, TypeError)
    limits = limits or Limits()
    session = ckan_session(Fetcher(limits, agent))
    ckan = _client(url, agent, session)
    try:
        first = _search_page(ckan, fq, 0, rows)
    except (ckanapi.SearchQueryError, ckanapi.SearchError, ckanapi.ValidationError) as exc:
        raise _fail(url, exc) from None
    except errors:  # a static copy of the API answers GET only: try once more that way
        ckan = _client(url, agent, session, get_only=True)
        try:
            first = _search_page(ckan, fq, 0, rows)
        except errors as exc:
            raise _fail(url, exc) from None
    packages: list[dict[str, Any]] = []
    seen: set[str] = set()
    page, start, repeated, pages = first, 0, False, 1
    while True:
        if not isinstance(page, Mapping) or not isinstance(page.get("results"), list):
            raise _fail(url, ValueError("package_search result"))
        total = page.get("count") if isinstance(page.get("count"), int) else None
        results = [p for p in page["results"] if isinstance(p, Mapping)]
        fresh = [p for p in results if str(p.get("id") or p.get("name")) not in seen]
        if results and not fresh:
            repeated = True  # the server ignores "start": this page was the last one again
            break
        for p in fresh:
            seen.add(str(p.get("id") or p.get("name")))
            packages.append(dict(p))
        if progress:
            progress(len(packages), total)
        start += len(results)
        if not results or (total is not None and start >= total):
            break
        pages += 1
        if pages > limits.max_pages:
            raise ImportError_(
                f"{url}: quá {limits.max_pages} trang kết quả, đã dừng; thu hẹp bằng --organization hoặc --since",
                f"{url}: more than {limits.max_pages} pages of results, stopped; narrow it with --organization or --since",
            )
        try:
            page = _search_page(ckan, fq, start, rows)
        except errors as exc:
            raise _fail(url, exc) from None
    out = Fetched(url, packages, repeated=repeated)
    for kind, action, store in (
        ("organization", "organization_show", out.organizations),
        ("group", "group_show", out.groups),
    ):
        names = ordered_unique(
            (p.get("organization") or {}).get("name") if kind == "organization" else g.get("name")
            for p in packages
            for g in ([None] if kind == "organization" else (p.get("groups") or []))
            if kind == "organization" or isinstance(g, Mapping)
        )
        for name in names:
            if not isinstance(name, str) or not NAME.match(name) or known(kind, name):
                continue
            try:
                found = getattr(ckan.action, action)(id=name)
            except errors:
                continue  # the summary in the package is enough
            if isinstance(found, Mapping):
                store[name] = dict(found)
    return out


# --- the mapping -----------------------------------------------------------------------------


def _extras(p: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in p.get("extras") or ():
        if isinstance(item, Mapping) and isinstance(item.get("key"), str):
            out[item["key"]] = item.get("value")
    for key, value in p.items():  # ckanext-scheming puts custom fields at the top level
        if isinstance(key, str) and key not in out and isinstance(value, str | int | bool):
            out.setdefault(key, value)
    return out


def own_page(url: str, name: str) -> bool:
    """Is this the source portal's own page of the dataset (CKAN's /dataset/NAME, citycat's
    /datasets/NAME/)? Then it is no landing page of the dataset's own."""
    path = urlsplit(url).path.rstrip("/")
    return path.endswith((f"/dataset/{name}", f"/datasets/{name}"))


def _org_extras(org: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in _extras(org).items() if isinstance(v, str)}


def packages(fetched: Fetched, target: Target, *, zone: str | None = None) -> Mapped:
    """Entries from CKAN package dicts (pure: nothing is fetched or written)."""
    tz = ZoneInfo(zone or str(target.c.settings.get("timezone") or "Asia/Ho_Chi_Minh"))
    mapped = Mapped(fetched.url)
    ids = Ids([])
    for p in fetched.packages:
        if p.get("type") not in (None, "dataset") or p.get("state") not in (None, "active"):
            mapped.skipped += 1
            continue
        entry = _package(p, fetched, target, tz, ids, mapped)
        if entry is None:
            mapped.skipped += 1
            continue
        mapped.entries.append(entry)
    mapped.agencies, mapped.themes = target.new_agencies, target.new_themes
    return mapped


def _package(p, fetched: Fetched, target: Target, tz, ids: Ids, mapped: Mapped) -> dict[str, Any] | None:
    name = p.get("name") if isinstance(p.get("name"), str) else None
    new_id = ids.make(name, p.get("title"), p.get("id"))
    if new_id is None:
        return None
    cl = Cleaner(mapped.notes, new_id)
    if name and name != new_id:
        cl.note("id", "id", name)
    x = _extras(p)
    own = {
        name: x.get(key) for name, key in EXTRAS.items()
    }  # citycat's own extras, by field (the field table)
    e: dict[str, Any] = {"id": new_id}
    if isinstance(own["ref"], str):
        if REF.match(own["ref"].strip()):
            e["ref"] = own["ref"].strip()
        else:
            cl.note("lost", "ref", own["ref"])
    e["title.vi"] = cl.text(p.get("title"), "title.vi") or cl.text(name, "title.vi")
    e["description.vi"] = cl.text(p.get("notes"), "description.vi", multiline=True)
    for f in TEXTS:  # free text in citycat's extras, as it is
        e[f.name] = cl.text(own[f.name], f.name, multiline=f.text == "lines")

    org = p.get("organization") if isinstance(p.get("organization"), Mapping) else {}
    org_name = org.get("name") if isinstance(org.get("name"), str) else None
    details = fetched.organizations.get(org_name or "", {})
    ox = _org_extras(details)
    if org_name or org.get("title"):
        e["agency"] = target.agency(
            cl,
            key=org_name,
            name_vi=cl.text(org.get("title") or details.get("title") or org_name, "agency"),
            name_en=cl.text(ox.get("title_en"), "agency"),
            abbreviation=ox.get("abbreviation"),
            kind=ox.get("kind"),
            website=cl.url(ox.get("website"), "agency.website"),
            email=cl.email(ox.get("email"), "agency.email"),
        )
    elif p.get("author"):
        e["agency"] = target.agency(
            cl,
            name_vi=cl.text(p.get("author"), "agency"),
            email=cl.email(p.get("author_email"), "agency.email"),
        )

    e["contact.name"] = cl.text(p.get("maintainer"), "contact.name")
    e["contact.email"] = cl.email(p.get("maintainer_email"), "contact.email")
    if not e["contact.email"] and p.get("author_email"):
        e["contact.email"] = cl.email(p.get("author_email"), "contact.email")
        if e["contact.email"]:
            cl.note("guess", "contact.email", e["contact.email"])
            e["contact.name"] = e["contact.name"] or cl.text(p.get("author"), "contact.name")

    themes = []
    for g in p.get("groups") or ():
        if not isinstance(g, Mapping):
            continue
        gd = fetched.groups.get(str(g.get("name")), {})
        gx = _org_extras(gd)
        themes.append(
            target.theme(
                cl,
                key=g.get("name") if isinstance(g.get("name"), str) else None,
                name_vi=cl.text(g.get("title") or g.get("display_name") or g.get("name"), "themes"),
                name_en=cl.text(gx.get("title_en"), "themes"),
                eu_theme=gx.get("eu_theme"),
            )
        )
    e["themes"] = ordered_unique(themes)
    e["keywords.vi"] = words(t.get("name") for t in p.get("tags") or () if isinstance(t, Mapping))
    e["keywords.en"] = words(split_list(own["keywords.en"], ","))

    access = own["access"]
    e["access"] = target.find("access_levels", access)
    if access and not e["access"]:
        cl.note("unknown", "access", access)
    if not e["access"] and not access:
        e["access"] = "internal" if p.get("private") is True else "open"
        if target.record("access_levels", e["access"]) is None:
            e["access"] = None
        else:
            cl.note("guess", "access", e["access"])
    e["data_class"] = _code(cl, target, "data_classes", "data_class", own["data_class"])
    e["personal_data"] = boolean(own["personal_data"]) if own["personal_data"] is not None else None
    licence_id = p.get("license_id")
    if licence_id and licence_id != "notspecified":
        e["licence"] = target.licence(licence_id, p.get("license_url"), p.get("license_title"))
        if not e["licence"]:
            cl.note("unknown", "licence", licence_id)
    freq = next((x[k] for k in fields.extra_aliases("frequency") if x.get(k)), None)
    e["frequency"] = _code(cl, target, "frequencies", "frequency", freq)
    e["status"] = _code(cl, target, "statuses", "status", own["status"])
    e["due"] = date(own["due"])
    e["issued"] = date(own["issued"]) or date(p.get("metadata_created"), tz)
    e["modified"] = date(own["modified"]) or date(p.get("metadata_modified"), tz)
    codes = split_list(own["spatial"], ",")
    e["spatial"] = [c for c in codes if SPATIAL.match(c)]
    if len(e["spatial"]) < len(codes):
        cl.note("lost", "spatial", ", ".join(c for c in codes if not SPATIAL.match(c)))
    start, end = date(own["temporal.start"]), date(own["temporal.end"])
    e["temporal.start"], e["temporal.end"] = start, end
    schema = own["schema"]
    if isinstance(schema, str) and schema:
        if SCHEMA.match(schema) and (target_root(target) / schema).is_file():
            e["schema"] = schema
        else:
            cl.note("schema", "schema", schema)
    landing = cl.url(p.get("url"), "landing_page")
    if landing and not own_page(landing, name or new_id):
        e["landing_page"] = landing
    e["sharing.methods"] = [
        m
        for m in (
            _code(cl, target, "sharing_methods", "sharing.methods", v)
            for v in split_list(own["sharing.methods"], ",")
        )
        if m
    ]
    consumers = []
    for v in split_list(own["sharing.consumers"], ","):
        found = target.find("agencies", v) or next(
            (a["id"] for a in target.new_agencies if a["id"] == v), None
        )
        if found:
            consumers.append(found)
        else:
            cl.note("unknown", "sharing.consumers", v)
    e["sharing.consumers"] = [c for c in ordered_unique(consumers) if c != e.get("agency")]
    for key, value in x.items():
        if key.startswith("internal_") and len(key) > 9 and isinstance(value, str):
            e[f"internal.{key[9:]}"] = cl.text(value, "internal", multiline=True)
    e["distributions"] = _resources(p, target, cl)
    return finish(e, target, cl)


def target_root(target: Target):
    from pathlib import Path

    return Path(target.c.root)


def _code(cl: Cleaner, target: Target, register: str, name: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    found = target.find(register, str(value))
    if not found:
        cl.note("unknown", name, value)
    return found


def _resources(p: Mapping[str, Any], target: Target, cl: Cleaner) -> list[dict[str, Any]]:
    out = []
    items = [r for r in p.get("resources") or () if isinstance(r, Mapping)]
    items.sort(key=lambda r: r.get("position") if isinstance(r.get("position"), int) else 0)
    for n, r in enumerate(items):
        if r.get("state") not in (None, "active"):
            continue
        where = f"distributions[{n}]"
        url = cl.url(r.get("url"), f"{where}.url")
        fmt = target.format(r.get("format"), r.get("mimetype"), url)
        if r.get("format") and not fmt:
            cl.note("unknown", f"{where}.format", r.get("format"))
        d: dict[str, Any] = {
            "title.vi": cl.text(r.get("name"), "title.vi") or cl.text(r.get("format") or "", "title.vi"),
            "title.en": cl.text(r.get("name_en"), "title.en"),
            "description.vi": cl.text(r.get("description"), "description.vi", multiline=True),
            "description.en": cl.text(r.get("description_en"), "description.en", multiline=True),
            "format": fmt,
        }
        media = r.get("mimetype")
        if isinstance(media, str) and MEDIA.match(media.strip()):
            d["media_type"] = media.strip()
        if "download_url" in r or "access_url" in r:  # citycat's feed says which is which
            d["download_url"] = cl.url(r.get("download_url"), f"{where}.download_url")
            d["access_url"] = cl.url(r.get("access_url"), f"{where}.access_url")
        elif url:
            api = (
                fmt in API_FORMATS or str(r.get("resource_type") or r.get("url_type") or "").lower() == "api"
            )
            d["access_url" if api else "download_url"] = url
        d["byte_size"] = integer(r.get("size"))
        if r.get("internal") is True:
            d["internal"] = True
        out.append(d)
    return out
