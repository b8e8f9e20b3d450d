"""The catalogue as CKAN (2.10/2.11) sees it: package, organization and group dicts, and the static
files of CKAN's Action API.

``publish(c, today, edition)`` maps the catalogue once: every CKAN dict that ``citycat build``
writes as a static file and that ``citycat serve``'s live API (``citycat.api.actions``) answers with
comes from here, so both say the same. The mapping, field by field, is in ``docs/ckan.md``.

What is published: in the public edition, the datasets it lists (``policy.listed``: open and
shared ones; an internal-access dataset is left out, as CKAN hides a private dataset), with
their public distributions only, and never a value of a dataset's ``internal:`` block. The
internal edition publishes every dataset and distribution, with ``internal:`` values as
``internal_*`` extras.

Identifiers are UUIDv5 of the record's address on the site (``uuid5(NAMESPACE_URL, base_url +
"datasets/ID/")``), so they stay the same from build to build and differ between catalogues.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from citycat import __version__
from citycat.feeds import Link
from citycat.model import fields, policy
from citycat.model.catalogue import Catalogue, Dataset, Distribution, Record
from citycat.model.policy import PUBLIC, safe_url
from citycat.model.vietnamese import sort_key

CKAN_VERSION = "2.10.0"  # the CKAN whose Action API this feed answers like
PREFIX = "api/3/action/"  # the files' folder; deploy/nginx.conf answers CKAN's api/action/ from it too
BY_NAME = ("package_show", "organization_show", "group_show")  # api/3/action/ACTION/NAME.json
IDS_MAP = "api/3/action/show_ids.map"  # "ACTION:UUID NAME;" lines: deploy/nginx.conf's map of ids to names
SEARCH_END = "api/3/action/package_search.end.json"  # the page after the last (deploy/nginx.conf)
NAME = re.compile(r"^[a-z0-9_-]{2,100}$")  # CKAN's rule for package, organization and group names
TAG = re.compile(r"^[\w .-]{2,100}$")  # CKAN's tag rule (letters in any script, digits, " _-.")
_NOT_TAG = re.compile(r"[^\w .-]+")
NOT_SPECIFIED = "notspecified"  # CKAN's licence id for "no licence given"
EXTRAS = fields.ckan_extras()  # dataset field → CKAN extras key
DATES = ("due", "issued", "modified", "temporal.start", "temporal.end")  # extras written as ISO dates


_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes


def uuid_for(address: str) -> str:
    """``str(uuid.uuid5(uuid.NAMESPACE_URL, address))``, without building UUID objects (60,000
    ids at 10,000 datasets)."""
    h = bytearray(hashlib.sha1(_URL_NAMESPACE + address.encode("utf-8")).digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x50  # version 5
    h[8] = (h[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = h.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def tag_name(text: Any) -> str | None:
    """A keyword as a CKAN tag: characters CKAN refuses become spaces; None if under 2 left."""
    return _tag_name(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=1 << 16)  # keywords repeat from dataset to dataset
def _tag_name(text: str) -> str | None:
    name = " ".join(_NOT_TAG.sub(" ", unicodedata.normalize("NFC", text)).split())[:100].strip()
    return name if len(name) >= 2 else None


def _tags(values) -> list[str]:
    out: list[str] = []
    for value in values:
        name = tag_name(value)
        if name and name not in out:
            out.append(name)
    return out


def _text(value: Any) -> str:
    if type(value) is str:
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(dict(value), ensure_ascii=False, sort_keys=True, default=str)
    return "" if value is None else unicodedata.normalize("NFC", str(value))


def _extras(pairs: Mapping[str, Any]) -> list[dict[str, str]]:
    """CKAN's extras: sorted by key, string values, empty ones left out."""
    out = []
    for key in sorted(pairs):
        value = _text(pairs[key])
        if value:
            out.append({"key": key, "value": value})
    return out


@dataclass
class Published:
    """The catalogue mapped to CKAN's dicts, in the order CKAN lists them."""

    base: str
    edition: str
    packages: list[dict[str, Any]]  # sorted by name
    organizations: list[dict[str, Any]]  # organization_show dicts (without packages), by name
    groups: list[dict[str, Any]]  # group_show dicts (without packages), by name
    licences: list[dict[str, Any]]
    tags: list[str]
    status: dict[str, Any]
    by_key: dict[str, int] = field(default_factory=dict)  # package name and id → index

    def help(self, action: str) -> str:
        return f"{self.base}api/3/action/help_show?name={action}"


class _Mapper:
    """Turns records into CKAN dicts; holds what every package shares (organizations, groups)."""

    def __init__(self, c: Catalogue, today: dt.date, edition: str):
        self.c = c
        self.base = policy.base_url(c)
        self.edition = edition
        self.today = today
        try:
            self.zone = ZoneInfo(str(c.settings.get("timezone") or "Asia/Ho_Chi_Minh"))
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("Asia/Ho_Chi_Minh")
        self.formats = c.register("formats")
        self.org_summary: dict[str, dict[str, Any]] = {}
        self.group_summary: dict[str, dict[str, Any]] = {}
        self._stamps: dict[dt.date, str] = {}
        self._tag_ids: dict[str, str] = {}

    def stamp(self, day: dt.date | None) -> str | None:
        """A date as CKAN's timestamp: the start of that day in the city, in naive UTC."""
        if day is None:
            return None
        if day not in self._stamps:
            local = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
            self._stamps[day] = local.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
        return self._stamps[day]

    def tag(self, name: str) -> dict[str, Any]:
        if name not in self._tag_ids:
            self._tag_ids[name] = uuid_for(f"{self.base}tags/{name}")
        return {
            "id": self._tag_ids[name],
            "name": name,
            "display_name": name,
            "state": "active",
            "vocabulary_id": None,
        }

    def organization(self, a: Record, created: str | None) -> dict[str, Any]:
        return {
            "id": uuid_for(f"{self.base}agencies/{a.id}/"),
            "name": a.id,
            "title": a.text("name", "vi"),
            "type": "organization",
            "description": "",
            "image_url": "",
            "created": created,
            "is_organization": True,
            "approval_status": "approved",
            "state": "active",
        }

    def group(self, t: Record) -> dict[str, Any]:
        return {
            "id": uuid_for(f"{self.base}themes/{t.id}/"),
            "name": t.id,
            "title": t.text("name", "vi"),
            "display_name": t.text("name", "vi"),
            "description": "",
            "image_display_url": "",
        }

    def resource(
        self, d: Dataset, x: Distribution, package_id: str, position: int, created, modified
    ) -> dict:
        get = x.fields.get  # (read directly: 25,000 resources at 10,000 datasets)
        fmt = self.formats.get(get("format"))
        media = get("media_type") or (fmt.get("media_type") if fmt else None)
        size = get("byte_size")
        res: dict[str, Any] = {
            "id": uuid_for(
                f"{self.base}{policy.page_path(x.dataset_id)}#{policy.distribution_fragment(d, x)}"
            ),
            "package_id": package_id,
            "name": get("title.vi") or "",
            "description": get("description.vi") or "",
            "format": get("format") or "",
            "mimetype": media or None,
            "mimetype_inner": None,
            "url": safe_url(x.url),
            "url_type": None,
            "resource_type": None,
            "size": size if isinstance(size, int) and not isinstance(size, bool) else None,
            "hash": "",
            "created": created,
            "last_modified": modified,
            "metadata_modified": modified,
            "cache_url": None,
            "cache_last_updated": None,
            "datastore_active": False,
            "position": position,
            "state": "active",
        }
        for key, value in (
            ("name_en", get("title.en")),
            ("description_en", get("description.en")),
            ("download_url", safe_url(get("download_url"))),
            ("access_url", safe_url(get("access_url"))),
        ):
            if value:
                res[key] = value
        if x.internal:
            res["internal"] = True
        return res

    def package(self, d: Dataset) -> dict[str, Any]:
        c = self.c
        get = d.fields.get  # (read directly: the fields of 10,000 datasets)
        name = get("id")
        page = self.base + policy.page_path(name)
        pid = uuid_for(page)
        issued, changed = d.date("issued"), d.date("modified")
        created = self.stamp(issued or changed or self.today)
        modified = self.stamp(changed or issued or self.today)
        agency = c.agencies.get(get("agency"))
        licence = c.licences.get(get("licence")) if isinstance(get("licence"), str) else None
        tags = _tags(get("keywords.vi") or ())
        dists = policy.distributions(d, self.edition)
        extras: dict[str, Any] = {key: get(f) for f, key in EXTRAS.items()}  # the field table's
        extras[EXTRAS["keywords.en"]] = _tags(get("keywords.en") or ())
        for f in DATES:
            extras[EXTRAS[f]] = d.date(f)
        extras.update({f"internal_{k}": v for k, v in policy.internal_fields(d, self.edition).items()})
        org = self.org_summary.get(get("agency"))
        return {
            "id": pid,
            "name": name,
            "title": get("title.vi") or "",
            "notes": get("description.vi") or "",
            "url": safe_url(get("landing_page")) or page,
            "version": None,
            "author": agency.text("name", "vi") if agency else get("agency"),
            "author_email": (agency.get("email") if agency else None) or None,
            "maintainer": get("contact.name") or None,
            "maintainer_email": get("contact.email") or None,
            "license_id": licence.id if licence else NOT_SPECIFIED,
            "license_title": licence.text("title", "vi") if licence else _NOT_SPECIFIED_TITLE,
            "license_url": safe_url(licence.get("url")) if licence else "",
            "isopen": policy.marked_open(licence),
            "state": "active",
            "type": "dataset",
            "private": False,
            "metadata_created": created,
            "metadata_modified": modified,
            "owner_org": org["id"] if org else None,
            "organization": org,
            "groups": [self.group_summary[t] for t in get("themes") or () if t in self.group_summary],
            "tags": [self.tag(name) for name in sorted(tags)],
            "num_tags": len(tags),
            "extras": _extras(extras),
            "resources": [self.resource(d, x, pid, i, created, modified) for i, x in enumerate(dists)],
            "num_resources": len(dists),
            "relationships_as_object": [],
            "relationships_as_subject": [],
        }


_NOT_SPECIFIED_TITLE = "Chưa xác định giấy phép"  # CKAN's "License not specified", in Vietnamese


def _licence(r: Record | None) -> dict[str, Any]:
    is_open = policy.marked_open(r)
    return {
        "id": r.id if r else NOT_SPECIFIED,
        "title": r.text("title", "vi") if r else _NOT_SPECIFIED_TITLE,
        "title_en": r.text("title", "en") if r else "License not specified",
        "url": safe_url(r.get("url")) if r else "",
        "status": "active",
        "maintainer": "",
        "family": "",
        "domain_content": False,
        "domain_data": bool(r),
        "domain_software": False,
        "is_generic": not r,
        "is_okd_compliant": is_open,
        "is_osi_compliant": False,
        "od_conformance": "approved" if is_open else "not reviewed",
        "osd_conformance": "not reviewed",
    }


def dumps(value: Any) -> bytes:
    """JSON as the static files carry it: compact, ASCII only (every non-ASCII letter escaped)."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def publish(c: Catalogue, today: dt.date, edition: str) -> Published:
    m = _Mapper(c, today, edition)
    datasets = sorted(policy.listed_datasets(c, edition), key=lambda d: d.id)
    # Organizations and groups first (each package embeds its summary); an organization's
    # "created" is that of its oldest published dataset, else the oldest of all.
    created = {d.id: m.stamp(d.date("issued") or d.date("modified") or today) for d in datasets}
    oldest = min(created.values(), default=m.stamp(today))
    first: dict[str, str] = {}  # each agency's oldest
    for d in datasets:
        agency, stamp = d.fields.get("agency"), created[d.id]
        if agency not in first or stamp < first[agency]:
            first[agency] = stamp
    for a in c.agencies.values():
        m.org_summary[a.id] = m.organization(a, first.get(a.id, oldest))
    for t in c.themes.values():
        m.group_summary[t.id] = m.group(t)
    packages = [m.package(d) for d in datasets]
    by_key: dict[str, int] = {}
    for i, p in enumerate(packages):
        by_key[p["name"]] = by_key[p["id"]] = i

    in_org = Counter(p["organization"]["name"] for p in packages if p["organization"])
    in_group = Counter(g["name"] for p in packages for g in p["groups"])
    organizations = []
    for a in sorted(c.agencies.values(), key=lambda r: r.id):
        org = m.org_summary[a.id]
        organizations.append(
            {
                **org,
                "display_name": org["title"],
                "image_display_url": "",
                "package_count": in_org[a.id],
                "num_followers": 0,
                "extras": _extras(
                    {
                        "title_en": a.get("name.en"),
                        "abbreviation": a.get("abbreviation"),
                        "kind": a.get("kind"),
                        "website": safe_url(a.get("website")),
                        "email": a.get("email"),
                    }
                ),
                "groups": [],
                "tags": [],
                "users": [],
            }
        )
    groups = []
    for t in sorted(c.themes.values(), key=lambda r: r.id):
        g = m.group_summary[t.id]
        groups.append(
            {
                **g,
                "type": "group",
                "image_url": "",
                "created": oldest,
                "is_organization": False,
                "approval_status": "approved",
                "state": "active",
                "package_count": in_group[t.id],
                "num_followers": 0,
                "extras": _extras({"title_en": t.get("name.en"), "eu_theme": t.get("eu_theme")}),
                "groups": [],
                "tags": [],
                "users": [],
            }
        )
    tags = sorted({t["name"] for p in packages for t in p["tags"]}, key=lambda n: (sort_key(n), n))
    licences = [_licence(r) for r in c.licences.values()]
    if not any(x["id"] == NOT_SPECIFIED for x in licences):
        licences.append(_licence(None))
    base = m.base
    status = {
        "site_title": c.settings.text("title", "vi"),
        "site_description": c.settings.text("description", "vi"),
        "site_url": base.rstrip("/"),
        "ckan_version": CKAN_VERSION,
        "citycat_version": __version__,
        "error_emails_to": None,
        "locale_default": c.default_language,
        "extensions": [],
    }
    return Published(base, edition, packages, organizations, groups, licences, tags, status, by_key)


# ---------------------------------------------------------------------------------------------
# Static files


def envelope(help_url: str, result: bytes) -> bytes:
    """CKAN's success envelope around an already serialised result."""
    return b'{"help":' + dumps(help_url) + b',"success":true,"result":' + result + b"}"


def _by_title(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CKAN's default order for organization_list and group_list: by title (Vietnamese order)."""
    return sorted(items, key=lambda x: (sort_key(x["title"]), x["name"]))


def list_results(pub: Published) -> dict[str, Any]:
    """The results of the list actions called without parameters (what the static files hold)."""
    return {
        "package_list": [p["name"] for p in pub.packages],
        "organization_list": [x["name"] for x in _by_title(pub.organizations)],
        "group_list": [x["name"] for x in _by_title(pub.groups)],
        "tag_list": pub.tags,
        "license_list": pub.licences,
        "status_show": pub.status,
    }


def _safe(name: str) -> str:
    """A name used in a file path: validation already guarantees CKAN's rule; this is a second lock."""
    if not NAME.match(name):
        raise ValueError(f"not a CKAN name, refused in a path: {name!r}")
    return name


def files(c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    pub = publish(c, today, edition)
    out: list[tuple[str, bytes]] = [
        (action, envelope(pub.help(action), dumps(result))) for action, result in list_results(pub).items()
    ]
    raw = [dumps(p) for p in pub.packages]  # each package serialised once, for every file it is in
    everything = b"[" + b",".join(raw) + b"]"
    n = str(len(raw)).encode()
    search = b'{"count":' + n + b',"facets":{},"results":' + everything
    search += b',"search_facets":{},"sort":"name asc"}'
    out.append(("package_search", envelope(pub.help("package_search"), search)))
    by_modified = sorted(
        range(len(pub.packages)),
        key=lambda i: (pub.packages[i]["metadata_modified"], pub.packages[i]["name"]),
        reverse=True,
    )
    out.append(
        (
            "current_package_list_with_resources",
            envelope(
                pub.help("current_package_list_with_resources"),
                b"[" + b",".join(raw[i] for i in by_modified) + b"]",
            ),
        )
    )
    for action, data in out:
        yield PREFIX + action, data
    # One answer per dataset, organization and group, by name; a request by id finds the name
    # in the map (deploy/nginx.conf includes it; citycat serve's live API looks ids up itself).
    ids: list[str] = []
    show = pub.help("package_show")
    for p, one in zip(pub.packages, raw, strict=True):
        yield f"{PREFIX}package_show/{_safe(p['name'])}.json", envelope(show, one)
        ids.append(f"package_show:{p['id']} {p['name']};\n")
    for action, items in (("organization_show", pub.organizations), ("group_show", pub.groups)):
        for item in items:
            yield f"{PREFIX}{action}/{_safe(item['name'])}.json", envelope(pub.help(action), dumps(item))
            ids.append(f"{action}:{item['id']} {item['name']};\n")
    yield IDS_MAP, "".join(ids).encode("ascii")
    empty = b'{"count":' + n + b',"facets":{},"results":[],"search_facets":{},"sort":"name asc"}'
    yield SEARCH_END, envelope(pub.help("package_search"), empty)


def dataset_links(c: Catalogue, dataset_id: str) -> list[Link]:
    """The dataset's CKAN dict, unless its access is internal (then only the intranet has one,
    and a page cannot tell which edition it is in)."""
    d = c.dataset(dataset_id)
    if d is None or not policy.listed(c, d, PUBLIC) or not NAME.match(dataset_id):
        return []
    return [Link("feed_ckan", f"{PREFIX}package_show/{dataset_id}.json", "application/json")]
