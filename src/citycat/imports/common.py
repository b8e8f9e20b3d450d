"""What every importer shares: untrusted text and URLs made safe, ids, the target's registers.

An importer maps a source's records to **entries** (dotted field names, as ``citycat.editing.new.build``
takes them), **register additions** (agencies and themes the target does not have yet) and
**notes** (what could not be mapped, what was assumed, what was cleaned). It never writes:
``citycat.imports.apply`` does, after checking the result with citycat's own validation.

Every value from a source is untrusted:

- text is NFC, without control characters; HTML is reduced to plain text (scripts and styles
  dropped with their content, entities decoded, double-encoded HTML decoded again) and Markdown
  links keep their words and only an http(s) target;
- URLs must be absolute http or https, without spaces or credentials;
- ids are slugs (Vietnamese folded: ``Đường`` → ``duong``), unique in the target ignoring case;
- values longer than the field allows are shortened at a word, with a note.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from citycat.model import policy
from citycat.model.catalogue import Catalogue, Record
from citycat.model.vietnamese import fold, slugify

ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
SPATIAL = re.compile(r"^(01|\d{5})$")
EMAIL = re.compile(r"^[^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+\.[^@\s<>\"'(),;:]+$")
ABBREVIATION = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
LIMITS = {  # the Table Schemas' maxLength, and sane caps for fields without one
    "title": 300,
    "description": 5000,
    "legal_basis": 5000,
    "contact.name": 300,
    "keyword": 100,
    "internal": 5000,
}
API_FORMATS = {"API", "WMS", "WFS", "HTML", "SPARQL"}  # a URL to use, not a file to download
EU_THEMES = (
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
)
MAX_URL = 2000


# --- notes: what the report says ------------------------------------------------------------

WORDS: dict[str, tuple[str, str]] = {
    # code: (Vietnamese, English); {value}, {field}, {id} are filled in
    "html": ("đã bỏ mã HTML trong '{field}'", "HTML removed from '{field}'"),
    "url": (
        "bỏ đường dẫn không an toàn trong '{field}': {value}",
        "unsafe URL dropped from '{field}': {value}",
    ),
    "email": (
        "bỏ thư điện tử không hợp lệ trong '{field}': {value}",
        "invalid e-mail dropped from '{field}': {value}",
    ),
    "cut": ("'{field}' dài quá, đã cắt còn {value} ký tự", "'{field}' too long, cut to {value} characters"),
    "id": ("mã nguồn '{value}' đổi thành '{id}'", "source name '{value}' became the id '{id}'"),
    "exists": (
        "đã có trong danh mục, không ghi đè (dùng --update)",
        "already in the catalogue, not overwritten (use --update)",
    ),
    "unknown": (
        "'{field}': giá trị '{value}' không có trong danh mục mã, đã bỏ",
        "'{field}': '{value}' is not in the registers, dropped",
    ),
    "agency": (
        "tạo cơ quan mới '{value}' trong catalogue/agencies.yaml",
        "created the agency '{value}' in catalogue/agencies.yaml",
    ),
    "theme": (
        "tạo lĩnh vực mới '{value}' trong catalogue/themes.yaml",
        "created the theme '{value}' in catalogue/themes.yaml",
    ),
    "guess": ("'{field}' suy ra: {value} (kiểm tra lại)", "'{field}' assumed: {value} (check it)"),
    "default": ("'{field}' lấy mặc định: {value}", "'{field}' set to the default: {value}"),
    "lost": ("không nhập được '{field}': {value}", "not imported: '{field}': {value}"),
    "schema": (
        "từ điển dữ liệu '{value}' không có trong kho đích: chép vào rồi đặt 'schema'",
        "data dictionary '{value}' is not in the target: copy it, then set 'schema'",
    ),
    "skipped": ("bỏ qua: {value}", "skipped: {value}"),
}


@dataclass(frozen=True)
class Note:
    code: str
    dataset: str | None = None  # the entry's id in the target (None: the whole import)
    field: str = ""
    value: str = ""

    def text(self, lang: str = "vi") -> str:
        words = WORDS[self.code][0 if lang == "vi" else 1]
        value = self.value if len(self.value) <= 120 else self.value[:119] + "…"
        return words.format(field=self.field, value=value, id=self.dataset or "")


@dataclass
class Mapped:
    """What an importer made of a source; nothing written yet."""

    source: str  # the URL or file it came from
    entries: list[dict[str, Any]] = field(default_factory=list)  # dotted names, in source order
    agencies: list[dict[str, Any]] = field(default_factory=list)  # new register entries
    themes: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skipped: int = 0  # records that were not datasets (or not mappable at all)


class ImportError_(Exception):
    """The source cannot be read: a user's mistake or a bad remote. ``words[lang]`` says why."""

    LONGEST = 1000  # characters: a source's text quoted in a reason never floods the terminal

    def __init__(self, vi: str, en: str):
        vi, en = (t if len(t) <= self.LONGEST else t[: self.LONGEST - 1] + "…" for t in (vi, en))
        super().__init__(en)
        self.words = {"vi": vi, "en": en}


# --- text ------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
_TAG = re.compile(r"</?[a-zA-Z!][^>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*((?:[^()\s]|\([^()\s]*\))*)(?:\s+\"[^\"]*\")?\s*\)")
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
_BLOCK |= {"blockquote", "pre", "section", "article", "header", "footer", "hr", "dd", "dt"}
_SKIP = {
    "script",
    "style",
    "template",
    "iframe",
    "object",
    "embed",
    "noscript",
    "svg",
    "math",
    "head",
    "title",
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.out.append("\n")
            if tag == "li":
                self.out.append("- ")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def _strip_html(text: str) -> str:
    parser = _Text()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def plain(text: str) -> str:
    """HTML reduced to plain text; double-encoded HTML (``&lt;p&gt;``) decoded and reduced too."""
    for _ in range(3):
        if not looks_like_html(text):
            break
        text = _strip_html(text)
    if looks_like_html(text):  # still markup after three rounds: drop anything tag-like
        text = html.unescape(re.sub(r"<[^>]*>", " ", text))
        text = re.sub(r"</?[a-zA-Z!]", " ", text)
    return text


def _link(match: re.Match) -> str:
    words, url = match.group(1).strip(), accepted_url(match.group(2))
    if url and words and words != url:
        return f"{words} ({url})"
    return words or url or ""


def clean(value: Any, *, multiline: bool = False) -> str:
    """Untrusted text as plain NFC text: no markup, no control characters, tidy spaces."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = plain(text)
    text = _LINK.sub(_link, text)
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    if not multiline:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word, ending with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-\n") + "…"


class Cleaner:
    """Text and URLs of one entry, with a note for each thing changed or dropped."""

    def __init__(self, notes: list[Note], dataset: str | None = None):
        self.notes = notes
        self.dataset = dataset

    def note(self, code: str, field: str = "", value: Any = "") -> None:
        self.notes.append(Note(code, self.dataset, field, "" if value is None else str(value)))

    def text(self, value: Any, name: str, *, multiline: bool = False, limit: int | None = None) -> str | None:
        if value is None or isinstance(value, (dict, list)):
            return None
        raw = str(value)
        text = clean(raw, multiline=multiline)
        if looks_like_html(raw) and text != " ".join(raw.split()):
            self.note("html", name)
        limit = limit or LIMITS.get(name.split(".")[0]) or LIMITS.get(name)
        if limit and len(text) > limit:
            text = shorten(text, limit)
            self.note("cut", name, limit)
        return text or None

    def url(self, value: Any, name: str) -> str | None:
        if value in (None, ""):
            return None
        url = accepted_url(value)
        if url is None:
            self.note("url", name, clean(value)[:200])
        return url

    def email(self, value: Any, name: str) -> str | None:
        if value in (None, ""):
            return None
        text = clean(value)
        if text.lower().startswith("mailto:"):
            text = text[7:]
        text = text.split("?")[0].strip()
        if EMAIL.match(text) and len(text) <= 254:
            return text
        self.note("email", name, text[:200])
        return None


def accepted_url(value: Any) -> str | None:
    """A foreign URL accepted into the catalogue: absolute http(s), without spaces, control
    characters or credentials, NFC; else None. (Stricter than ``policy.safe_url``, which only
    keeps an output from linking to another scheme and drops nothing validation accepted.)"""
    if not isinstance(value, str):
        return None
    url = unicodedata.normalize("NFC", value.strip())
    if not url or len(url) > MAX_URL or re.search(r"[\s\x00-\x1f\x7f<>\"\\^`{|}]", url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username or parts.password:
        return None
    return url


def words(values: Iterable[Any], limit: int = 100) -> list[str]:
    """Keywords: clean, 2–``limit`` characters, each once (ignoring case and marks)."""
    out, seen = [], set()
    for value in values:
        text = clean(value)[:limit].strip()
        if len(text) >= 2 and fold(text) not in seen:
            seen.add(fold(text))
            out.append(text)
    return out


def split_list(value: Any, separators: str = ",;") -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if isinstance(v, str | int | float) and str(v).strip()]
    if not isinstance(value, str | int | float):
        return []
    return [p.strip() for p in re.split(f"[{re.escape(separators)}]", str(value)) if p.strip()]


def date(value: Any, zone=None) -> dt.date | None:
    """A date from an ISO date, an ISO timestamp (its day in ``zone`` when it has a time zone or
    is CKAN's naive UTC), or dd/mm/yyyy."""
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, dt.date):
        return value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
        if m:
            try:
                return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                return None
        if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                return None
        try:
            stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if zone is not None:
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        stamp = stamp.astimezone(zone)
    return stamp.date()


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = fold(str(value or "")).strip()
    if text in ("true", "yes", "co", "1", "x"):
        return True
    if text in ("false", "no", "khong", "0"):
        return False
    return None


# --- ids -------------------------------------------------------------------------------------


class Ids:
    """New ids, unique in the target and in the import (ignoring case)."""

    def __init__(self, taken: Iterable[str]):
        self.taken = {t.casefold() for t in taken}

    def make(self, *candidates: Any) -> str | None:
        """The first candidate that is already a valid id, else the first that slugifies to one."""
        base = None
        for c in candidates:
            if isinstance(c, str) and ID.match(c):
                base = c
                break
        if base is None:
            for c in candidates:
                slug = slugify(clean(c))[:90].rstrip("-") if isinstance(c, str) else ""
                if len(slug) >= 2:
                    base = slug
                    break
        if base is None:
            return None
        out, n = base, 2
        while out.casefold() in self.taken:
            out = f"{base[:90]}-{n}"
            n += 1
        self.taken.add(out.casefold())
        return out


# --- the target's registers ------------------------------------------------------------------


def _keys(record: Record, *names: str) -> list[str]:
    out = [record.id]
    for name in names:
        for suffix in ("", ".vi", ".en"):
            value = record.get(name + suffix)
            if isinstance(value, str):
                out.append(value)
    return out


class Target:
    """The catalogue imported into: finds register ids from what a source says (an id, a label
    in either language, a URL, a code of a standard vocabulary) and makes new agencies and themes."""

    def __init__(self, c: Catalogue):
        self.c = c
        self.deadline = date(c.settings.get("deadline"))
        self._index: dict[str, dict[str, str]] = {}
        self.agencies = self._make("agencies", ("name", "abbreviation", "email", "website"))
        self.themes = self._make("themes", ("name",))
        self.licences = self._make("licences", ("title", "url", "eu_code"))
        self.formats = self._make("formats", ("label", "eu_file_type"))
        self.frequencies = self._make("frequencies", ("label", "iso8601", "eu_frequency"))
        self.access = self._make("access_levels", ("label", "datajson", "eu_access_right", "law_term_vi"))
        self.statuses = self._make("statuses", ("label",))
        self.data_classes = self._make("data_classes", ("label",))
        self.methods = self._make("sharing_methods", ("label",))
        self.kinds = self._make("agency_kinds", ("label",))
        self.new_agencies: list[dict[str, Any]] = []
        self.new_themes: list[dict[str, Any]] = []
        self.dataset_ids = [d.id for d in c.datasets]

    def _make(self, register: str, names: tuple[str, ...]) -> dict[str, str]:
        index: dict[str, str] = {}
        for record in self.c.register_lists.get(register, ()):
            for key in _keys(record, *names):
                k = _norm(key)
                if k and k not in index:
                    index[k] = record.id
            # an id that spells the key ("irregular" for IRREG) wins over the first record with it
            for key in _keys(record, *names)[1:]:
                if fold(record.id).startswith(fold(key)) and _norm(key):
                    index[_norm(key)] = record.id
        self._index[register] = index
        return index

    def find(self, register: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return None
        return self._index[register].get(_norm(value))

    def record(self, register: str, key: str) -> Record | None:
        return self.c.register(register).get(key)

    # -- agencies and themes: found, else made --

    def agency(
        self,
        notes: Cleaner,
        *,
        name_vi: str | None,
        name_en: str | None = None,
        key: str | None = None,
        abbreviation: str | None = None,
        kind: str | None = None,
        website: str | None = None,
        email: str | None = None,
    ) -> str | None:
        for value in (key, name_vi, name_en, abbreviation):
            found = self.find("agencies", value)
            if found:
                return found
        for made in self.new_agencies:
            if _norm(made["id"]) in {_norm(v) for v in (key, name_vi, name_en) if v}:
                return made["id"]
            if _norm(made["name"]["vi"]) in {_norm(v) for v in (name_vi, name_en) if v}:
                return made["id"]
        name_vi = name_vi or name_en
        if not name_vi:
            return None
        taken = [*self.c.agencies, *(a["id"] for a in self.new_agencies)]
        new_id = Ids(taken).make(key, name_vi)
        if new_id is None:
            return None
        abbr = abbreviation if isinstance(abbreviation, str) and ABBREVIATION.match(abbreviation) else None
        if abbr is None:
            abbr = initials(name_vi)
            notes.note("guess", f"agencies.{new_id}.abbreviation", abbr)
        kind_id = self.find("agency_kinds", kind) or guess_kind(name_vi, self)
        if not self.find("agency_kinds", kind):
            notes.note("guess", f"agencies.{new_id}.kind", kind_id)
        if not name_en:
            notes.note("guess", f"agencies.{new_id}.name.en", name_vi)
        entry = {"id": new_id, "abbreviation": abbr, "name": {"vi": name_vi, "en": name_en or name_vi}}
        entry["kind"] = kind_id
        if website:
            entry["website"] = website
        if email:
            entry["email"] = email
        self.new_agencies.append(entry)
        notes.note("agency", "agency", new_id)
        return new_id

    def theme(
        self,
        notes: Cleaner,
        *,
        name_vi: str | None,
        name_en: str | None = None,
        key: str | None = None,
        eu_theme: str | None = None,
    ) -> str | None:
        for value in (key, name_vi, name_en):
            found = self.find("themes", value)
            if found:
                return found
        for made in self.new_themes:
            if _norm(made["id"]) == _norm(key or "") or _norm(made["name"]["vi"]) == _norm(
                name_vi or name_en or ""
            ):
                return made["id"]
        name_vi = name_vi or name_en
        if not name_vi:
            return None
        new_id = Ids([*self.c.themes, *(t["id"] for t in self.new_themes)]).make(key, name_vi)
        if new_id is None:
            return None
        eu = eu_theme.upper() if isinstance(eu_theme, str) and eu_theme.upper() in EU_THEMES else None
        if eu is None:
            eu = "GOVE"
            notes.note("guess", f"themes.{new_id}.eu_theme", eu)
        if not name_en:
            notes.note("guess", f"themes.{new_id}.name.en", name_vi)
        self.new_themes.append(
            {"id": new_id, "name": {"vi": name_vi, "en": name_en or name_vi}, "eu_theme": eu}
        )
        notes.note("theme", "themes", new_id)
        return new_id

    def theme_by_eu(self, code: str) -> str | None:
        """The first of the city's themes mapped to this EU data theme."""
        for t in self.c.register_lists.get("themes", ()):
            if t.get("eu_theme") == code:
                return t.id
        return None

    def format(self, *values: Any) -> str | None:
        """A format id from a format name, a media type or a file name's extension."""
        for value in values:
            if not isinstance(value, str) or not value.strip():
                continue
            text = value.strip()
            found = self.find("formats", text) or self.find("formats", text.lstrip("."))
            if found:
                return found
            tail = text.rsplit("/", 1)[-1].split("?")[0]
            if "." in tail and len(tail.rsplit(".", 1)[1]) <= 7:
                found = self.find("formats", tail.rsplit(".", 1)[1])
                if found:
                    return found
        for value in values:  # a media type: the first format whose media type it is
            if isinstance(value, str) and "/" in value:
                media = value.split(";")[0].strip().lower()
                for record in self.c.register_lists.get("formats", ()):
                    if record.get("media_type") == media:
                        return record.id
        return None

    def licence(self, *values: Any) -> str | None:
        for value in values:
            found = self.find("licences", value)
            if found:
                return found
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                found = self.find("licences", _url_key(value))
                if found:
                    return found
        return None

    def media_default(self, format_id: str | None) -> str | None:
        record = self.record("formats", format_id) if format_id else None
        return record.get("media_type") if record is not None else None

    def open_access(self, access: str | None) -> bool:
        return policy.is_open(self.c, access)


def _url_key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/")


def _norm(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if text.lower().startswith(("http://", "https://")):
        return "url:" + _url_key(text)
    return " ".join(re.sub(r"[^a-z0-9/+.]+", " ", fold(text)).split())


def initials(name: str) -> str:
    """ "Sở Y tế" → "SYT", as the city abbreviates its agencies."""
    letters = "".join(w[0] for w in slugify(name).split("-") if w and w[0].isalpha()).upper()
    letters = letters[:12] or "CQ"
    return letters if len(letters) >= 2 else letters + "X"


_KINDS = (("so ", "department"), ("van phong", "office"), ("thanh tra", "inspectorate"),
          ("trung tam", "service-center"), ("cong an", "police"))  # fmt: skip


def guess_kind(name: str, target: Target) -> str:
    folded = fold(name) + " "
    for prefix, kind in _KINDS:
        if folded.startswith(prefix) and target.record("agency_kinds", kind) is not None:
            return kind
    kinds = target.c.register_lists.get("agency_kinds", ())
    return kinds[0].id if kinds else "department"


def ordered_unique(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v is not None and v not in out:
            out.append(v)
    return out


def finish(entry: dict[str, Any], target: Target, notes: Cleaner) -> dict[str, Any]:
    """The conventions every importer applies last: an imported entry awaits confirmation
    (``status: proposed``), is due by the catalogue's deadline, and open data has no personal
    data (the law's rule, so the flag is implied). Empty values are left out."""
    if not entry.get("status"):
        entry["status"] = "proposed"
        notes.note("default", "status", "proposed")
    if not entry.get("due") and target.deadline:
        entry["due"] = target.deadline
        notes.note("default", "due", target.deadline.isoformat())
    if entry.get("personal_data") is None and target.open_access(entry.get("access")):
        entry["personal_data"] = False
    dists = []
    for d in entry.get("distributions") or ():
        media = d.get("media_type")
        if media and media == target.media_default(d.get("format")):
            d.pop("media_type")
        dists.append({k: v for k, v in d.items() if v not in (None, "", [])})
    entry["distributions"] = dists
    return {k: v for k, v in entry.items() if v not in (None, "", [], {})}


def mapping_values(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


# --- a source read (``citycat.imports.fetch`` reads files and URLs) ---------------------------

MAX_DEPTH = 100  # JSON nested deeper than this is refused before it is parsed
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def too_deep(data: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """Does this JSON text nest objects and arrays more than ``limit`` levels deep? Strings are
    skipped (a bracket inside one is text); the text need not be valid JSON. Python's parser
    would recurse once per level and fail with a RecursionError."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    depth = 0
    for b in _STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        depth += 1 if b in (0x5B, 0x7B) else -1
        if depth > limit:
            return True
    return False


def deep_json(name: str, limit: int = MAX_DEPTH) -> ImportError_:
    return ImportError_(
        f"{name}: JSON lồng nhau quá {limit} tầng; citycat không đọc nó",
        f"{name}: the JSON is nested more than {limit} levels deep; citycat does not read it",
    )


@dataclass
class Source:
    name: str  # the URL or path as given
    data: bytes
    media_type: str = ""  # from the server's Content-Type, lower case, without parameters
