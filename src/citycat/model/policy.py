"""The catalogue's rules that every output shares, each written once.

- **Editions.** ``PUBLIC`` (the site on the Internet, ``citycat build``) and ``INTERNAL`` (the
  city's intranet, ``--edition internal``).
- **Listed.** A dataset is listed in the public edition's exports when its access level says
  ``public_listing: true`` in ``catalogue/vocabularies.yaml`` (today ``open`` and ``shared``; not
  ``internal``, *dữ liệu dùng riêng*); the internal edition lists every dataset. The rule lives in
  the register, not in code: see docs/mapping.md, "What the public edition leaves out".
- **Named, not offered.** A dataset the edition does not list (in the public edition: access
  ``internal``) is still *named* where people read the list: its page, the dataset list, its
  agency's and themes' pages, the printable list (``list/``), the site's search index, the
  sitemap and the Atom feed of pages: title, agency, access level, legal basis (the official list
  shows what exists). It is never *offered*: no distribution (no link, format or sample:
  ``offered``), no schema.org Dataset JSON-LD (``described``: that block is what dataset search
  engines harvest, a machine feed inside a page), and it is absent from every machine feed (CKAN
  API, DCAT, data.json, data package, CSV/XLSX): there it is a private CKAN dataset.
- **What an edition shows of a dataset.** Its distributions not marked ``internal: true`` in the
  public edition, all of them in the internal one (and so the formats of those); its ``internal:``
  block only in the internal edition.
- **Open.** An access level, a licence or a format is open when its register entry says
  ``open: true``.
- **Order.** A list shows datasets by title: Vietnamese alphabetical order (``sort_key``) on
  Vietnamese pages, folded order (``fold``) on English ones, the id breaking ties. Overdue datasets
  come longest overdue first (earliest ``due``), then in that same order.
- **Numbers.** A distribution is numbered among its dataset's public distributions (0, 1, 2… in
  the entry's order), the internal ones after them: ``#distribution-N``, CKAN resource ids and
  the rows of ``data/distributions.csv`` are the same whether an internal one exists or not.
- **Addresses.** The catalogue's base URL ends with "/" and is "/" (the site's root) when the
  settings hold no http(s) URL; a dataset's page is ``datasets/{id}/`` below it (``en/`` first for
  English).
- **Links.** ``safe_url``: an output links only to http(s) URLs (validation refuses others; this
  is the second lock). Importing a foreign URL is a different job with a stricter rule
  (``citycat.imports.common.accepted_url``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from citycat.model.catalogue import EMPTY, Catalogue, Dataset, Distribution, Record
from citycat.model.vietnamese import fold, sort_key

PUBLIC, INTERNAL = "public", "internal"
PAGE_PATH = "datasets/{id}/"  # a dataset's page below the site's root (its public address)


# ---------------------------------------------------------------------------------------------
# Editions: what is listed, what is shown


def listed(c: Catalogue, d: Dataset, edition: str) -> bool:
    """Whether ``d`` is in the exports of ``edition`` (every dataset is in the internal one)."""
    if edition == INTERNAL:
        return True
    level = c.register("access_levels").get(d.access) if isinstance(d.access, str) else None
    return bool(level is not None and level.get("public_listing") is True)


def listed_datasets(c: Catalogue, edition: str) -> list[Dataset]:
    """The datasets ``edition`` lists, in the order of datasets.yaml."""
    if edition == INTERNAL:
        return list(c.datasets)
    return [d for d in c.datasets if listed(c, d, edition)]


def offered(c: Catalogue, d: Dataset, edition: str) -> tuple[Distribution, ...]:
    """The distributions an output of ``edition`` offers of ``d`` (links, formats, samples): those
    ``distributions`` gives when ``d`` is listed, none when it is not (named, not offered)."""
    return distributions(d, edition) if listed(c, d, edition) else ()


def described(c: Catalogue, d: Dataset, edition: str) -> bool:
    """Whether ``d``'s page carries schema.org Dataset JSON-LD: only when it is listed (the block
    is harvested by dataset search engines like a feed; an unlisted dataset is in no feed)."""
    return listed(c, d, edition)


def shown(x: Distribution, edition: str) -> bool:
    """Whether a distribution appears in ``edition``: the public one leaves out ``internal: true``."""
    return edition == INTERNAL or not x.internal


def distributions(d: Dataset, edition: str) -> tuple[Distribution, ...]:
    """The distributions of ``d`` that ``edition`` shows, in the entry's order."""
    return d.distributions if edition == INTERNAL else d.public_distributions()


def number(d: Dataset, x: Distribution) -> int:
    """A distribution's number in every output (``#distribution-N``, its CKAN id, its row in
    ``data/distributions.csv``): its place among the public distributions of ``d``, the internal
    ones numbered after them (``Dataset.numbers``), so that the public edition is what it would be
    were the internal ones deleted, and a public distribution keeps its number in both editions."""
    return d.numbers.get(x.position, x.position)


def distribution_fragment(d: Dataset, x: Distribution) -> str:
    """The fragment that names a distribution below its dataset's address: ``distribution-N``."""
    return f"distribution-{number(d, x)}"


def internal_fields(d: Dataset, edition: str) -> Mapping[str, Any]:
    """The entry's ``internal:`` block in the internal edition; nothing in the public one."""
    return d.internal if edition == INTERNAL else EMPTY


def formats(d: Dataset, edition: str) -> tuple[str, ...]:
    """The formats of the distributions ``edition`` shows, sorted."""
    return d.formats(edition == INTERNAL)


# ---------------------------------------------------------------------------------------------
# Open access


def marked_open(r: Record | None) -> bool:
    """Whether a register entry (an access level, a licence, a format) says ``open: true``."""
    return r is not None and r.get("open") is True


def is_open(c: Catalogue, access: Any) -> bool:
    """Whether the access level ``access`` (a dataset's ``access``) is open data."""
    return marked_open(c.register("access_levels").get(access) if isinstance(access, str) else None)


def open_access(c: Catalogue) -> list[str]:
    """The ids of the open access levels, in the register's order."""
    return [r.id for r in c.register_lists.get("access_levels", ()) if marked_open(r)]


# ---------------------------------------------------------------------------------------------
# Order


def display_key(d: Dataset, lang: str) -> tuple[Any, str]:
    """Where ``d`` goes in a list of ``lang``: by title, the id breaking ties."""
    if lang == "vi":
        return (sort_key(d.text("title", "vi")), d.id)
    return (fold(d.text("title", "en")), d.id)


def in_display_order(datasets: Iterable[Dataset], lang: str) -> list[Dataset]:
    """The datasets as a list page of ``lang`` shows them."""
    return sorted(datasets, key=lambda d: display_key(d, lang))


def overdue(datasets: Iterable[Dataset], today: dt.date, lang: str = "vi") -> list[Dataset]:
    """The overdue datasets among ``datasets``, longest overdue first, then in display order."""
    late = (d for d in datasets if d.is_overdue(today))
    return sorted(late, key=lambda d: (d.due, display_key(d, lang)))


# ---------------------------------------------------------------------------------------------
# Addresses and links


def safe_url(value: Any) -> str:
    """A URL an output may link to: http(s) only, else "". Validation refuses others; this is a
    second lock, so it keeps every http(s) value the catalogue holds (trimmed)."""
    if isinstance(value, str) and value.strip().lower().startswith(("https://", "http://")):
        return value.strip()
    return ""


def base_url(c: Catalogue) -> str:
    """The catalogue's base URL, ending with "/"; "/" (the site's root) when the settings hold no
    http(s) URL, so that every address made from it stays an address. Validation refuses a base
    URL with spaces, quotes, angle brackets or control characters (``schemas/catalogue/
    settings.json``); as a second lock, any such character left is percent-encoded here, so that
    no output (an IRI in Turtle or RDF/XML, an Atom link) is broken by it."""
    return _clean_base(safe_url(c.settings.get("base_url")))


@functools.lru_cache(maxsize=8)
def _clean_base(url: str) -> str:
    return _NOT_IN_IRI.sub(_percent, url).rstrip("/") + "/"


# What an IRI may not hold (Turtle's IRIREF, an XML attribute) and a URL must not either.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')


def _percent(m: re.Match) -> str:
    return "".join(f"%{b:02X}" for b in m.group().encode("utf-8"))


def page_path(dataset_id: str, lang: str = "vi") -> str:
    """A dataset page's path below the base URL: ``datasets/ID/`` (``en/datasets/ID/``)."""
    return ("en/" if lang == "en" else "") + PAGE_PATH.format(id=dataset_id)


def page_url(c: Catalogue, dataset_id: str, lang: str = "vi") -> str:
    """A dataset page's public address."""
    return base_url(c) + page_path(dataset_id, lang)
