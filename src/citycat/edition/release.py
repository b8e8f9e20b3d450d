"""An official edition's files, made in memory from the catalogue: ``files(c, meta, …)``.

The edition is the annex in four formats (PDF, DOCX, XLSX, CSV), the changelog against the
previous edition (``changes.json``, ``changelog.md``), the entries it lists (``datasets.json``,
what the next edition compares with), the manifest ``edition.json`` (date, decision, the commit it
was made from, counts, each file's SHA-256) and ``SHA256SUMS`` (``sha256sum -c`` checks every
file, the manifest included). The same catalogue, commit and options give the same bytes: no
writer embeds the clock (the documents' dates are the edition's date).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from citycat.edition import annex as annexes
from citycat.edition import changelog, paged, tables
from citycat.edition import docx as docx_writer
from citycat.edition.annex import Annex, Meta
from citycat.model.catalogue import Catalogue

VERSION = 1
MANIFEST = "edition.json"
SUMS = "SHA256SUMS"
DATASETS = "datasets.json"
CHANGES = "changes.json"
# The files in the order the manifest lists them.
FILES = ("annex.pdf", "annex.docx", "annex.xlsx", "annex.csv", "changelog.md", CHANGES, DATASETS)


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdf(a: Annex, strings: dict[str, str]) -> bytes:
    document = paged.html(
        "annex.html", a=a, t=strings, words=annexes.words(a, strings), widths=[w for _, w in annexes.COLUMNS]
    )
    return paged.pdf(document)


def counts(c: Catalogue, a: Annex) -> dict[str, Any]:
    chosen = [c.dataset(r.id) for r in a.rows]
    return {
        "datasets": len(a.rows),
        "agencies": {s.agency: len(s.rows) for s in a.sections},
        "access": dict(sorted(Counter(str(d.get("access")) for d in chosen if d).items())),
        "status": dict(sorted(Counter(str(d.get("status")) for d in chosen if d).items())),
    }


def files(
    c: Catalogue,
    meta: Meta,
    strings: dict[str, dict[str, str]],
    previous: Mapping[str, Any] | None = None,
    commit: str | None = None,
    printed: Callable[[], bytes] | None = None,
) -> dict[str, bytes]:
    """Every file of the edition ``meta`` of ``c``, by name. ``previous``: the previous edition's
    manifest and entries (``{"edition": …, "datasets": […]}``), ``None`` for the first.
    ``printed``: the annex's PDF when it is being made elsewhere (``pdf(annex(c, meta, …))``,
    asked for last; the pipeline prints it on another core meanwhile)."""
    vi = annexes.annex(c, meta, strings["vi"], "vi")
    en = annexes.annex(c, meta, strings["en"], "en")
    entries = changelog.snapshot(c, vi)
    before = previous.get("datasets") if previous else None
    changes = changelog.compare(before, entries)
    previous_date = str(previous["edition"].get("date")) if previous else None
    heading = {
        lang: f"{strings[lang].get('edition_number', '').replace('{n}', str(meta.number))} "
        f"{strings[lang].get('edition_of', '').replace('{date}', changelog.day(meta.date, lang))}".strip()
        for lang in ("vi", "en")
    }
    out: dict[str, bytes] = {
        "annex.docx": docx_writer.docx(vi, strings["vi"]),
        "annex.xlsx": tables.xlsx_bytes({"vi": vi, "en": en}, strings),
        "annex.csv": tables.csv_bytes(vi, strings["vi"]),
        "changelog.md": changelog.markdown(changes, previous_date, strings, heading).encode("utf-8"),
        CHANGES: _json({"version": VERSION, "previous": previous_date, "changes": changes}),
        DATASETS: _json(entries),
    }
    out["annex.pdf"] = printed() if printed is not None else pdf(vi, strings["vi"])
    manifest = {
        "version": VERSION,
        "number": meta.number,
        "date": meta.date.isoformat(),
        "decision": meta.decision,
        "signed": meta.signed_date.isoformat(),
        "draft": vi.draft,
        "catalogue": c.settings.id,
        "commit": commit,
        "previous": previous_date,
        "counts": counts(c, vi),
        "datasets": [r.id for r in vi.rows],
        "changes": changelog.summary(changes)
        if previous
        else {**changelog.summary(changes), "added": len(entries)},
        "files": {name: {"sha256": sha256(out[name]), "bytes": len(out[name])} for name in FILES},
    }
    out[MANIFEST] = _json(manifest)
    out[SUMS] = "".join(f"{sha256(out[n])}  {n}\n" for n in (*FILES, MANIFEST)).encode("ascii")
    return out
