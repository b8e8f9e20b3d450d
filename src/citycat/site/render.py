"""The site's files rendered from a loaded catalogue: pages (Jinja2 templates of the theme),
the 404 page, static files, the sitemap, robots.txt, Atom feeds, search indexes and ``_headers``.

Pure: nothing here writes a file or knows about processes; ``citycat.pipeline`` decides which of
these to call, where, and writes what they yield.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from citycat import feeds
from citycat.model import chars, policy
from citycat.model.catalogue import Catalogue, Dataset
from citycat.site import charts, favicon, i18n, jsonld, themefiles, views

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'"
)
HEADERS_CSP = CSP + "; frame-ancestors 'none'"  # frame-ancestors is ignored (and warned about) in <meta>


def _environment(theme: Path):
    import jinja2

    class Environment(jinja2.Environment):
        """Views and UI strings are plain dicts: ``d.title`` looks the key up first (Jinja2
        would first try, and fail, to find an attribute: a fifth of a page's rendering)."""

        def getattr(self, obj, attribute):
            if type(obj) is dict and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    return Environment(
        loader=themefiles.Loader(theme),  # each template read under the rule of every input
        autoescape=True,
        auto_reload=False,  # a build renders each template thousands of times: no stat() per use
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _site(c: Catalogue, lang: str) -> dict:
    publisher = c.agencies.get(c.settings.get("publisher"))
    deadline = c.settings.get("deadline")
    return {
        "title": c.settings.text("title", lang),
        "description": c.settings.text("description", lang),
        "draft_notice": c.settings.text("draft_notice", lang),
        "base_url": policy.base_url(c),
        "contact_email": c.settings.get("contact_email", ""),
        "publisher": publisher.text("name", lang) if publisher else "",
        "deadline": i18n.date(deadline if isinstance(deadline, dt.date) else None),
    }


# The name of each kind of page in its <title> and og:title, before the site's (a dataset's,
# agency's and theme's is its own name; home has only the site's). A template may set its own.
_TITLES = {
    "list.html": "list_title",
    "annex.html": "nav_list",
    "agencies.html": "agencies_heading",
    "themes.html": "themes_heading",
    "editions.html": "editions_title",
    "404.html": "not_found_heading",
}


def _page_title(page: views.Page, t: dict) -> str:
    if page.template in ("agency.html", "theme.html"):
        return page.context[page.template.removesuffix(".html")]["name"]
    key = _TITLES.get(page.template)
    return t.get(key, "") if key else ""


def _globals(page: views.Page, c: Catalogue, strings: dict, today: dt.date, edition: str) -> dict:
    here = page.url_path
    lang = page.lang
    base = policy.base_url(c)
    other = "en" if lang == "vi" else "vi"

    def href(path: str) -> str:
        return views.relative(here, views.url_path(lang, path))

    def href_lang(to_lang: str, path: str) -> str:
        return views.relative(here, views.url_path(to_lang, path))

    def asset(name: str) -> str:
        return views.relative(here, "/static/" + name)

    def root_file(name: str) -> str:
        return views.relative(here, "/" + name)

    return {
        "lang": lang,
        "other_lang": other,
        "t": strings[lang],
        "site": _site(c, lang),
        "edition": edition,
        "page": page,
        "today": i18n.date(today),
        "href": href,
        "href_lang": href_lang,
        "asset": asset,
        "root_file": root_file,
        "machine_links": [],
        "canonical": base + here.lstrip("/"),
        "alternates": [
            {"lang": x, "url": base + views.url_path(x, page.path).lstrip("/")} for x in i18n.LANGS
        ],
        "csp": CSP,
        "jsonld": None,
        "charts": {},
        "page_title": _page_title(page, strings[lang]),
        "has_editions": bool(c.editions),  # the official editions: a link in the header and footer
    }


class Renderer:
    """Renders the pages of one catalogue, and the fragments its lists are made of.

    A dataset's card and its row of the annex are rendered once per language (the card once per
    folder depth, its links being relative) and placed by ``{{ card(d) }}`` and
    ``{{ annex_row(d) }}`` in every list that shows them, so the list, agency, theme and annex
    pages cost little more than joining strings.
    """

    def __init__(
        self,
        c: Catalogue,
        theme: Path,
        today: dt.date,
        edition: str = policy.PUBLIC,
        scored: Mapping[str, Any] | None = None,
        like: Renderer | None = None,
    ):
        self.c, self.theme, self.today, self.edition = c, theme, today, edition
        self.scored = scored or {}  # citycat.quality.scores.score_all: each dataset's results
        # the templates and strings of ``like`` (a renderer of the same theme) are reused
        self.env = like.env if like is not None else _environment(theme)
        self.strings = like.strings if like is not None else i18n.load_strings(theme)
        self.fragments: dict[tuple, Any] = {}  # ("card", lang, depth, id) / ("row", lang, id) → Markup
        self.index_views: dict[tuple[str, str], dict] = {}  # (lang, id) → what the search index needs
        self._card = self.env.get_template("partials/dataset_card.html")
        self._row = self.env.get_template("partials/annex_row.html")
        self._fragment_globals: dict[tuple[str, int], dict] = {}

    # -- fragments ------------------------------------------------------------------------
    def _fragment(self, template, v: dict, lang: str, depth: int):
        from markupsafe import Markup

        context = self._fragment_globals.get((lang, depth))
        if context is None:
            up = "../" * depth
            context = self._fragment_globals[(lang, depth)] = {
                "lang": lang,
                "other_lang": "en" if lang == "vi" else "vi",
                "t": self.strings[lang],
                "site": _site(self.c, lang),
                "edition": self.edition,
                "href": lambda path, lang=lang, up=up: up + views.url_path(lang, path)[1:],
            }
        return Markup(template.render({**context, "d": v}))

    def view(self, d: Dataset, lang: str) -> dict:
        v = views.dataset_view(d, self.c, lang, self.today, self.edition)
        s = self.scored.get(d.id)
        v["score"] = views.score_view(s, lang) if s is not None else None
        return v

    def card(self, d: Dataset, lang: str, depth: int):
        key = ("card", lang, depth, d.id)
        if key not in self.fragments:
            near = self.fragments.get(("card", lang, _depth(lang, "datasets/"), d.id))
            if near is not None and depth > _depth(lang, "datasets/"):
                self.fragments[key] = _deeper(near, depth - _depth(lang, "datasets/"))
            else:
                self.fragments[key] = self._fragment(self._card, self.view(d, lang), lang, depth)
        return self.fragments[key]

    def annex_row(self, d: Dataset, lang: str):
        key = ("row", lang, d.id)
        if key not in self.fragments:
            self.fragments[key] = self._fragment(self._row, self.view(d, lang), lang, _depth(lang, "list/"))
        return self.fragments[key]

    def cards(self, datasets, lang: str, depth: int, before: str = ""):
        """The cards of a list, joined here (a template loop calling ``card`` per dataset costs
        more than all the rest of a 10,000-dataset list page)."""
        from markupsafe import Markup

        made = self.fragments
        found = [made.get(("card", lang, depth, d.id)) or self.card(d, lang, depth) for d in datasets]
        return Markup(before + before.join(found) if found else "")  # (str.join: no Markup + per card)

    def annex_rows(self, datasets, lang: str):
        """The annex's rows: each dataset's number, then its cells (``partials/annex_row.html``)."""
        from markupsafe import Markup, escape

        made = self.fragments
        return Markup(
            "".join(
                [
                    f'<tr data-id="{escape(d.id)}">\n<td class="num">{n}</td>\n'
                    f"{made.get(('row', lang, d.id)) or self.annex_row(d, lang)}\n</tr>\n"
                    for n, d in enumerate(datasets, 1)
                ]
            )
        )

    # -- pages --------------------------------------------------------------------------------
    def page(self, page: views.Page, view: dict | None = None) -> bytes:
        c, lang = self.c, page.lang
        context = {**_globals(page, c, self.strings, self.today, self.edition), **page.context}
        depth = _depth(lang, page.path)
        context["card"] = lambda d: self.card(d, lang, depth)
        context["annex_row"] = lambda d: self.annex_row(d, lang)
        context["cards"] = lambda datasets, before="": self.cards(datasets, lang, depth, before)
        context["annex_rows"] = lambda datasets: self.annex_rows(datasets, lang)
        if page.dataset is not None:
            d = view if view is not None else self.view(page.dataset, lang)
            context["dataset"] = d
            context["page_title"] = d["title"]
            context["machine_links"] = [
                {
                    "label": self.strings[lang].get(key, key),
                    "href": context["root_file"](path),
                    "type": kind,
                    "rel": rel,
                }
                for key, path, kind, rel in feeds.dataset_links(c, d["id"])
            ]
            if policy.described(c, page.dataset, self.edition):  # (named, not offered: none)
                home = policy.base_url(c) + views.url_path(lang, "").lstrip("/")
                context["jsonld"] = jsonld.script_text(
                    jsonld.dataset(d, context["canonical"], context["site"]["title"], home, lang)
                )
        if page.template == "home.html":
            context["charts"] = _charts(c, lang, self.strings[lang], page.context["progress"])
        elif page.template == "agency.html" and (context.get("pager") or {}).get("number", 1) == 1:
            context["charts"] = _charts(c, lang, self.strings[lang], context["agency"]["progress"])
        return self.env.get_template(page.template).render(context).encode("utf-8")

    def datasets(self, datasets) -> Iterator[tuple[str, bytes]]:
        """Each dataset's pages, and (kept in ``fragments`` and ``index_views``) its cards for the
        list and for agency and theme pages, its annex row and its search index entry."""
        from citycat.site import searchindex

        for d in datasets:
            for lang in i18n.LANGS:
                v = self.view(d, lang)
                for depth in (_depth(lang, "datasets/"), _depth(lang, "agencies/x/")):
                    self.fragments[("card", lang, depth, d.id)] = self._fragment(self._card, v, lang, depth)
                self.fragments[("row", lang, d.id)] = self._fragment(
                    self._row, v, lang, _depth(lang, "list/")
                )
                self.index_views[(lang, d.id)] = {k: v[k] for k in searchindex.VIEW_KEYS}
                page = views.Page(policy.page_path(d.id), lang, "dataset.html", dataset=d)
                yield page.file, self.page(page, v)

    def pages(self, pages: list[views.Page]) -> Iterator[tuple[str, bytes]]:
        """The given pages other than the datasets' (from the fragments made so far, and any
        still missing)."""
        for page in pages:
            if page.dataset is None:
                yield page.file, self.page(page)

    def site_files(self, pages: list[views.Page]) -> Iterator[tuple[str, bytes]]:
        """The 404 page, the theme's static files and the sitemap of ``pages``."""
        c, today, edition, strings = self.c, self.today, self.edition, self.strings
        # The 404 page answers any missing address, at any depth: its links start from the
        # site's own path (the path of base_url), not from where it happens to be served.
        context = _globals(views.Page("404", "vi", "404.html"), c, strings, today, edition)
        base_path = urlsplit(policy.base_url(c)).path or "/"
        context["href"] = lambda path: base_path + views.url_path("vi", path)[1:]
        context["href_lang"] = lambda lang, path: base_path + views.url_path(lang, path)[1:]
        context["asset"] = lambda name: base_path + "static/" + name
        context["root_file"] = lambda name: base_path + name
        context["canonical"], context["alternates"] = "", []  # no address of its own
        context["page"] = views.Page("", "vi", "404.html")  # its language switch leads to the English home
        yield "404.html", self.env.get_template("404.html").render(context).encode("utf-8")
        static = self.theme / "static"
        for path in sorted(static.rglob("*")):
            if path.is_file() or path.is_symlink():  # (one that leads out is refused here too)
                yield "static/" + path.relative_to(static).as_posix(), themefiles.read(self.theme, path)
        # the mark (citycat.site.favicon) unless the theme has its own; the icon also at the root,
        # where browsers and tools ask for it without reading a page
        if not (static / "favicon.svg").is_file():
            yield "static/favicon.svg", favicon.svg()
        own_ico = static / "favicon.ico"
        own = own_ico.is_file() or own_ico.is_symlink()
        yield "favicon.ico", themefiles.read(self.theme, own_ico) if own else favicon.ico()
        yield "sitemap.xml", sitemap(c, pages)

    def rest_files(self) -> Iterator[tuple[str, bytes]]:
        """Search indexes, robots.txt, Atom feeds and ``_headers``: neither templates nor the
        page list (a forked process can write them while another makes the pages)."""
        from citycat.site import searchindex

        c, today, edition, strings = self.c, self.today, self.edition, self.strings
        for lang in i18n.LANGS:
            known = {i: v for (lg, i), v in self.index_views.items() if lg == lang}
            index = searchindex.build_index(c, lang, today, known)
            data = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            yield ("en/" if lang == "en" else "") + "search-index.json", data
        yield "robots.txt", robots(c, edition)
        for lang in i18n.LANGS:
            yield ("en/" if lang == "en" else "") + "feed.atom", atom(c, lang, strings[lang], today)
        yield "_headers", headers(edition)


def _deeper(fragment, levels: int):
    """A fragment rendered for one folder depth, for a page ``levels`` folders deeper (a list's
    later pages: ``datasets/page/N/``): each relative link climbs that much further. Its links
    are the only attribute values that start with "../" (``href`` makes them), and Jinja2
    escapes every quote in text, so ``="../`` is found nowhere else."""
    from markupsafe import Markup

    return Markup(str(fragment).replace('="../', '="' + "../" * (levels + 1)))


def _depth(lang: str, path: str) -> int:
    """How many folders below the site root a page of ``lang`` at ``path`` is."""
    return views.url_path(lang, path).count("/") - 1


def _charts(c: Catalogue, lang: str, t: dict, progress: dict) -> dict[str, dict]:
    """The charts by status and by access level: each its SVG and its rows (label, number), the
    figures it draws, listed under it for whoever does not see it."""
    statuses = c.register("statuses")
    levels = c.register("access_levels")
    status_rows = [
        (r.label(lang), progress["by_status"].get(k, 0), f"status-{k}") for k, r in statuses.items()
    ]
    status_rows.append((t.get("overdue", "overdue"), progress["overdue"], "status-overdue"))
    access_rows = [(r.label(lang), progress["by_access"].get(k, 0), f"access-{k}") for k, r in levels.items()]
    return {
        name: {"svg": charts.bars(t.get(f"chart_{name}", name), rows), "rows": [(r[0], r[1]) for r in rows]}
        for name, rows in (("status", status_rows), ("access", access_rows))
    }


def sitemap(c: Catalogue, pages: list[views.Page]) -> bytes:
    """Every page with its language alternates (written as text, each page's entry remembered:
    ElementTree took a third of a second at 10,000 datasets, much of a rebuild in ``citycat
    serve``)."""
    base = policy.base_url(c)
    modified = {d.id: d.date("modified") for d in c.datasets}
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for page in pages:
        lastmod = modified.get(page.dataset.id) if page.dataset is not None else None
        out.append(_sitemap_url(base, page.path, page.lang, lastmod))
    out.append("</urlset>")
    return "".join(out).encode("utf-8")


@functools.lru_cache(maxsize=1 << 16)
def _sitemap_url(base: str, path: str, lang: str, lastmod: dt.date | None) -> str:
    url = f"<url><loc>{_xml_text(base + views.url_path(lang, path).lstrip('/'))}</loc>"
    if lastmod:
        url += f"<lastmod>{lastmod.isoformat()}</lastmod>"
    for other in i18n.LANGS:
        href = _xml_attr(base + views.url_path(other, path).lstrip("/"))
        url += f'<xhtml:link rel="alternate" hreflang="{other}" href={href} />'
    return url + "</url>"


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attr(text: str) -> str:
    """A quoted attribute value, escaped as ElementTree escapes it."""
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = text.replace(a, b)
    return '"' + text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;") + '"'


def robots(c: Catalogue, edition: str) -> bytes:
    if edition == policy.INTERNAL:
        return b"User-agent: *\nDisallow: /\n"
    return f"User-agent: *\nAllow: /\n\nSitemap: {policy.base_url(c)}sitemap.xml\n".encode()


def atom(c: Catalogue, lang: str, t: dict, today: dt.date, most: int = 50) -> bytes:
    """Datasets added or updated, newest first (by modified, else issued date)."""
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    base = policy.base_url(c)
    home = base + views.url_path(lang, "").lstrip("/")
    feed = ET.Element(f"{{{ns}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})

    def stamp(day: dt.date) -> str:
        return f"{day.isoformat()}T00:00:00+07:00"

    def changed(d) -> dt.date:
        return d.date("modified") or d.date("issued") or dt.date(1970, 1, 1)

    items = sorted(c.datasets, key=lambda d: (changed(d), d.id), reverse=True)[:most]
    ET.SubElement(feed, f"{{{ns}}}title").text = c.settings.text("title", lang)
    ET.SubElement(feed, f"{{{ns}}}id").text = home
    ET.SubElement(feed, f"{{{ns}}}link", href=home)
    self_url = base + ("en/" if lang == "en" else "") + "feed.atom"
    ET.SubElement(feed, f"{{{ns}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ns}}}updated").text = stamp(changed(items[0]) if items else today)
    author = ET.SubElement(feed, f"{{{ns}}}author")
    ET.SubElement(author, f"{{{ns}}}name").text = _site(c, lang)["publisher"] or c.settings.text(
        "title", lang
    )
    for d in items:
        url = policy.page_url(c, d.id, lang)
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        ET.SubElement(entry, f"{{{ns}}}title").text = d.text("title", lang)
        ET.SubElement(entry, f"{{{ns}}}id").text = url
        ET.SubElement(entry, f"{{{ns}}}link", href=url)
        ET.SubElement(entry, f"{{{ns}}}updated").text = stamp(changed(d))
        ET.SubElement(entry, f"{{{ns}}}summary").text = d.text("description", lang)
    # (validation refuses the characters XML cannot carry, ``text-control``; a second lock here)
    xml = ET.tostring(feed, encoding="utf-8", xml_declaration=True).decode("utf-8")
    return chars.xml_safe(xml).encode("utf-8")


def headers(edition: str) -> bytes:
    """Response headers for hosts that read a ``_headers`` file (Netlify, Cloudflare Pages)."""
    lines = [
        "/*",
        f"  Content-Security-Policy: {HEADERS_CSP}",
        "  X-Content-Type-Options: nosniff",
        "  Referrer-Policy: strict-origin-when-cross-origin",
    ]
    if edition == policy.INTERNAL:
        lines.append("  X-Robots-Tag: noindex")
    return ("\n".join(lines) + "\n").encode()
