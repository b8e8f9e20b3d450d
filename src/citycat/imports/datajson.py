"""``citycat import datajson FILE|URL``: a Project Open Data catalogue (DCAT-US 1.1, what DKAN,
Socrata and data.gov-style portals publish) as entries.

The inverse of ``citycat.feeds.datajson``: ``accessLevel`` through ``access_levels.datajson``,
``accrualPeriodicity`` through ``frequencies.iso8601``, ``license`` by the licence's URL,
``theme`` by the themes' names, ``publisher`` by the agencies' names (created when unknown),
``spatial`` back to place codes when it names citycat's place IRIs. data.json has one language;
its texts go to ``.vi`` unless the dataset's ``language`` (or ``--source-lang``) says English.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from citycat.imports.ckan import MEDIA, own_page
from citycat.imports.common import (
    API_FORMATS,
    SPATIAL,
    Cleaner,
    Ids,
    ImportError_,
    Mapped,
    Source,
    Target,
    boolean,
    date,
    deep_json,
    finish,
    mapping_values,
    ordered_unique,
    split_list,
    too_deep,
    words,
)
from citycat.model import fields

PLACE = re.compile(r"/place/([0-9]+)/?$")
SCHEMA_URL = re.compile(r"/schemas/([a-z0-9_-]+)\.json$")


def parse(source: Source) -> list[Mapping[str, Any]]:
    """The datasets of a data.json (1.1: an object with ``dataset``; 1.0: a bare list)."""
    if too_deep(source.data):
        raise deep_json(source.name)
    try:
        doc = json.loads(source.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportError_(
            f"{source.name} không phải JSON hợp lệ: {exc}", f"{source.name} is not valid JSON: {exc}"
        ) from None
    items = doc.get("dataset") if isinstance(doc, Mapping) else doc
    if not isinstance(items, list):
        raise ImportError_(
            f"{source.name} không phải data.json (thiếu danh sách 'dataset')",
            f"{source.name} is not a data.json (no 'dataset' list)",
        )
    return items


def datasets(items: list[Any], target: Target, source: str, source_lang: str | None = None) -> Mapped:
    """Entries from data.json datasets (pure: nothing is fetched or written)."""
    mapped = Mapped(source)
    ids = Ids([])
    for item in items:
        if not isinstance(item, Mapping):
            mapped.skipped += 1
            continue
        entry = _dataset(item, target, ids, mapped, source_lang)
        if entry is None:
            mapped.skipped += 1
        else:
            mapped.entries.append(entry)
    mapped.agencies, mapped.themes = target.new_agencies, target.new_themes
    return mapped


def _lang(item: Mapping[str, Any], source_lang: str | None) -> str:
    if source_lang:
        return source_lang
    langs = [str(v).lower()[:2] for v in split_list(item.get("language"), ",")]
    return "en" if langs and "vi" not in langs and langs[0] == "en" else "vi"


def _identifier_id(identifier: Any) -> str | None:
    if not isinstance(identifier, str):
        return None
    if identifier.startswith(("http://", "https://")):
        tail = urlsplit(identifier).path.rstrip("/").rsplit("/", 1)[-1]
        return tail or None
    return identifier


def _dataset(item: Mapping[str, Any], target: Target, ids: Ids, mapped: Mapped, source_lang) -> dict | None:
    lang = _lang(item, source_lang)
    candidate = _identifier_id(item.get("identifier"))
    new_id = ids.make(candidate, item.get("title"))
    if new_id is None:
        return None
    cl = Cleaner(mapped.notes, new_id)
    if candidate and candidate != new_id:
        cl.note("id", "id", candidate)
    e: dict[str, Any] = {"id": new_id}
    e[f"title.{lang}"] = cl.text(item.get("title"), f"title.{lang}")
    e[f"description.{lang}"] = cl.text(item.get("description"), f"description.{lang}", multiline=True)
    e[f"keywords.{lang}"] = words(split_list(item.get("keyword"), ","))
    publisher = mapping_values(item.get("publisher"))
    if publisher.get("name"):
        name = cl.text(publisher.get("name"), "agency")
        e["agency"] = target.agency(
            cl, name_vi=name if lang == "vi" else None, name_en=name if lang == "en" else None
        )
    contact = mapping_values(item.get("contactPoint"))
    e["contact.name"] = cl.text(contact.get("fn"), "contact.name")
    e["contact.email"] = cl.email(contact.get("hasEmail"), "contact.email")
    level = item.get("accessLevel")
    e["access"] = target.find("access_levels", level)
    if level and not e["access"]:
        cl.note("unknown", "access", level)
    for f in fields.plain_texts("datajson"):  # the legal basis, as "rights"
        e[f.name] = cl.text(item.get(f.datajson), f.name, multiline=f.text == "lines")
    if item.get("personalData") is not None:  # citycat's own extension field
        e["personal_data"] = boolean(item.get("personalData"))
    if item.get("license"):
        e["licence"] = target.licence(item.get("license"))
        if not e["licence"]:
            cl.note("unknown", "licence", item.get("license"))
    period = item.get("accrualPeriodicity")
    if period:
        e["frequency"] = target.find("frequencies", period)
        if not e["frequency"]:
            cl.note("unknown", "frequency", period)
    e["issued"] = date(item.get("issued"))
    e["modified"] = date(item.get("modified"))
    codes, lost = [], []
    for place in split_list(item.get("spatial"), ","):
        m = PLACE.search(place)
        code = m.group(1) if m else place
        (codes if SPATIAL.match(code) else lost).append(code)
    if lost:
        cl.note("lost", "spatial", ", ".join(lost))
    e["spatial"] = [] if codes == ["01"] else codes  # the whole city is what no spatial means
    temporal = item.get("temporal")
    if isinstance(temporal, str) and "/" in temporal:
        start, end = temporal.split("/", 1)
        e["temporal.start"], e["temporal.end"] = date(start), date(end)
    e["themes"] = ordered_unique(
        target.theme(cl, name_vi=t if lang == "vi" else None, name_en=t if lang == "en" else None)
        for t in (cl.text(v, "themes") for v in split_list(item.get("theme"), ","))
        if t
    )
    schema = own_schema(item.get("describedBy"), target)
    if schema:
        e["schema"] = schema
    elif item.get("describedBy"):
        cl.note("schema", "schema", item.get("describedBy"))
    landing = cl.url(item.get("landingPage"), "landing_page")
    if landing and not own_page(landing, candidate or new_id):
        e["landing_page"] = landing
    e["distributions"] = [
        _distribution(mapping_values(d), n, target, cl, lang)
        for n, d in enumerate(item.get("distribution") or ())
        if isinstance(d, Mapping)
    ]
    return finish(e, target, cl)


def own_schema(url: Any, target: Target) -> str | None:
    """A citycat data dictionary URL ({base}schemas/ID.json) whose file the target has."""
    if not isinstance(url, str):
        return None
    m = SCHEMA_URL.search(url)
    if not m:
        return None
    path = f"schemas/datasets/{m.group(1)}.json"
    from pathlib import Path

    return path if (Path(target.c.root) / path).is_file() else None


def _distribution(d: Mapping[str, Any], n: int, target: Target, cl: Cleaner, lang: str) -> dict[str, Any]:
    where = f"distributions[{n}]"
    download = cl.url(d.get("downloadURL"), f"{where}.download_url")
    access = cl.url(d.get("accessURL"), f"{where}.access_url")
    fmt = target.format(d.get("format"), d.get("mediaType"), download or access)
    if (d.get("format") or d.get("mediaType")) and not fmt:
        cl.note("unknown", f"{where}.format", d.get("format") or d.get("mediaType"))
    if fmt in API_FORMATS and download and not access:
        download, access = None, download
    out: dict[str, Any] = {
        f"title.{lang}": cl.text(d.get("title"), f"title.{lang}")
        or cl.text(fmt or d.get("format"), "title.vi"),
        f"description.{lang}": cl.text(d.get("description"), f"description.{lang}", multiline=True),
        "format": fmt,
        "download_url": download,
        "access_url": access,
    }
    media = d.get("mediaType")
    if isinstance(media, str) and MEDIA.match(media.strip()):
        out["media_type"] = media.strip()
    return out
