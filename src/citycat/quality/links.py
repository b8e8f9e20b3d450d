"""The catalogue's links and their last check: which URLs, the state file, the summary.

Everything here is pure or only touches local files. The requests themselves live in
``citycat.quality.linkcheck`` (imported only by ``citycat check-links``), so ``validate`` and ``build``,
which read the state file through ``citycat.source.load``, never load an HTTP client at all.

The state file ``catalogue/link-status.json`` is written by ``citycat check-links`` and committed;
its format is documented in docs/links.md. One entry per URL::

    {"ok": true, "status": 200, "checked": "2026-11-28T10:00:00+07:00", "final_url": "…",
     "redirects": [{"status": 301, "url": "…"}], "error": null, "content_type": "text/csv",
     "elapsed_ms": 123, "since": "2026-10-03T10:00:00+07:00", "failures": 0}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from citycat.source.linkstate import STATE, VERSION, Problem, read_state  # noqa: F401 - part of this API

# Vietnam keeps +07:00 all year (no daylight saving): a fixed offset needs no tz database.
CITY_TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
SCHEMES = ("http", "https")

# The error codes a result can carry (docs/links.md explains each).
ERRORS = (
    "timeout",
    "connection-reset",
    "connection-refused",
    "connection-error",
    "dns",
    "tls",
    "protocol-error",
    "too-many-redirects",
    "redirect-loop",
    "redirect-without-location",
    "unsupported-scheme",
    "invalid-url",
    "private-address",
)


def now() -> str:
    """The current time in Hanoi, to the second: ``2026-11-28T10:00:00+07:00``."""
    return dt.datetime.now(CITY_TZ).replace(microsecond=0).isoformat()


# --- Which URLs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One URL the catalogue points to, and every place that points to it."""

    url: str
    where: tuple[str, ...]  # "dataset-id: landing_page", "agencies/so-y-te: website", …
    internal: bool  # only internal distributions point here: show it in the internal edition only


def targets(catalogue) -> dict[str, Target]:
    """Every URL to check, in a stable order: each distribution's download_url and access_url,
    each dataset's landing_page and each agency's website.

    Internal distributions count too: their addresses are what the intranet links to. A URL is
    ``internal`` when nothing but internal distributions points to it.
    """
    places: dict[str, list[tuple[str, bool]]] = {}

    def add(value: Any, where: str, internal: bool = False) -> None:
        if isinstance(value, str) and value.strip():
            places.setdefault(value, []).append((where, internal))

    for d in catalogue.datasets:
        add(d.get("landing_page"), f"{d.id}: landing_page")
        for x in d.distributions:
            for name in ("download_url", "access_url"):
                add(x.get(name), f"{d.id}: distributions[{x.position}].{name}", x.internal)
    for agency in catalogue.agencies.values():
        add(agency.get("website"), f"agencies/{agency.id}: website")
    return {
        url: Target(url, tuple(w for w, _ in found), all(i for _, i in found))
        for url, found in sorted(places.items())
    }


def checkable(url: str) -> bool:
    """Only http(s) URLs with a host are ever requested; anything else is recorded, not followed."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in SCHEMES and bool(parts.hostname)


def select(
    found: Mapping[str, Target],
    previous: Mapping[str, Any],
    only_failed: bool,
    datasets: Iterable[str] = (),
) -> list[str]:
    """The URLs to check in this run: all of them, or (``only_failed``) those whose last result
    was not OK and those never checked; with ``datasets``, only the links of those datasets."""
    todo = list(found)
    if only_failed:
        todo = [
            u for u in todo if not (isinstance(previous.get(u), Mapping) and previous[u].get("ok") is True)
        ]
    prefixes = tuple(f"{i}: " for i in datasets)
    if prefixes:
        todo = [u for u in todo if any(w.startswith(prefixes) for w in found[u].where)]
    return todo


# --- Results and the state -------------------------------------------------------------------


def result(
    *,
    status: int | None,
    final_url: str,
    redirects: Iterable[Mapping[str, Any]] = (),
    error: str | None = None,
    content_type: str | None = None,
    elapsed_ms: int | None = None,
    checked: str | None = None,
) -> dict[str, Any]:
    """One URL's entry: OK only for a final 2xx answer without an error."""
    return {
        "ok": error is None and status is not None and 200 <= status < 300,
        "status": status,
        "checked": checked or now(),
        "final_url": final_url,
        "redirects": [{"status": int(h["status"]), "url": str(h["url"])} for h in redirects],
        "error": error,
        "content_type": content_type,
        "elapsed_ms": elapsed_ms,
    }


def merge(
    previous: Mapping[str, Any], results: Mapping[str, Any], current: Iterable[str], checked: str
) -> dict[str, Any]:
    """The new state: this run's results, the last result of URLs not checked this time, and
    nothing for URLs the catalogue no longer holds.

    Like CKAN's archiver, each result also says how long its answer has held: ``since`` (when
    the link last went from working to failing or back) and ``failures`` (failed checks in a
    row), so a link down for a month is told apart from one that failed once.
    """
    links = {}
    for url in current:
        if url in results:
            entry = dict(results[url])
            last = previous.get(url) if isinstance(previous.get(url), Mapping) else {}
            same = last.get("ok") is entry.get("ok") and isinstance(last.get("since"), str)
            entry["since"] = last["since"] if same else entry.get("checked", checked)
            runs = last.get("failures") if isinstance(last.get("failures"), int) else 0
            entry["failures"] = 0 if entry.get("ok") else (runs if last.get("ok") is False else 0) + 1
            links[url] = entry
        elif isinstance(previous.get(url), Mapping):
            links[url] = _plain(previous[url])
    return {"version": VERSION, "checked": checked, "links": links}


def _plain(value: Any) -> Any:
    """A read-only loaded value back into plain JSON types."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def dumps(state: Mapping[str, Any]) -> str:
    """The state file's text: sorted keys, 2-space indent, UTF-8 as is, a final newline."""
    return json.dumps(_plain(state), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_state(path: Path, state: Mapping[str, Any]) -> None:
    """Write atomically: a temporary file beside it, then one rename."""
    from citycat.pipeline.output import write_atomic

    write_atomic(path, dumps(state).encode("utf-8"))


# --- The summary -----------------------------------------------------------------------------

WORDS = {
    "vi": {
        "checked": "Đã kiểm tra {n} liên kết. Tổng {total} ({kept} giữ kết quả lần trước): {ok} trả lời được, {broken} hỏng.",
        "written": "Đã ghi {path}.",
        "url": "Đường dẫn",
        "answer": "Kết quả",
        "where": "Ở đâu",
        "broken": "Liên kết hỏng",
        "none": "Không có liên kết hỏng.",
        "dry": "{n} liên kết sẽ được kiểm tra (không gửi yêu cầu nào):",
    },
    "en": {
        "checked": "Checked {n} links. Of {total} ({kept} kept from before): {ok} answer, {broken} broken.",
        "written": "Wrote {path}.",
        "url": "URL",
        "answer": "Result",
        "where": "Where",
        "broken": "Broken links",
        "none": "No broken links.",
        "dry": "{n} links would be checked (no request sent):",
    },
}


def describe(entry: Mapping[str, Any]) -> str:
    """A result in a few characters: ``404``, ``timeout``, ``301 → redirect-loop``."""
    status, error = entry.get("status"), entry.get("error")
    if error and status is not None:
        return f"{status} {error}"
    return str(error or status or "?")


def broken(state: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    return [(u, e) for u, e in sorted(state.get("links", {}).items()) if not e.get("ok")]
