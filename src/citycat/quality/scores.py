"""Results, measured from the catalogue: the six standards, the MQA score and freshness.

``score_all(catalogue, findings, today)`` scores every dataset: each of the six standards of a
specialised database (đúng – đủ – sạch – sống – thống nhất – dùng chung) is 0–100, the sum of
its criteria (``quality.yaml``), and every point withheld says why; the MQA score of
data.europa.eu is computed on the same catalogue as the DCAT-AP export presents it (dataset
indicators plus the best distribution). ``agencies`` and ``city`` add them up for the inspection
committee. Pure functions of the loaded catalogue, its findings, its link status and ``today``.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, NamedTuple

import yaml

from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset, Record
from citycat.model.findings import ERROR, WARNING, Finding

STANDARDS = ("correct", "complete", "clean", "live", "consistent", "shared")


@functools.cache
def rules() -> dict[str, Any]:
    return yaml.safe_load(resources.files("citycat.quality").joinpath("quality.yaml").read_text("utf-8"))


# ---------------------------------------------------------------------------------------------
# The shapes of a score


class Criterion(NamedTuple):
    """One criterion of a standard, as scored (a named tuple: 25 per dataset)."""

    standard: str
    key: str  # stable: "correct.valid"
    weight: int
    earned: float  # 0..weight
    reason: str = ""  # which text says why points were withheld: "lost", "none", "unused"
    params: Mapping[str, Any] = MappingProxyType({})

    @property
    def lost(self) -> float:
        return self.weight - self.earned

    def title(self, lang: str) -> str:
        return self._texts()["title"][lang]

    def message(self, lang: str) -> str:
        """Why points were withheld (empty when none were)."""
        if self.lost <= 0.0001:
            return ""
        text = self._texts().get(self.reason or "lost", self._texts()["lost"])[lang]
        for k, v in self.params.items():
            v = v.get(lang, "") if isinstance(v, Mapping) else v  # a text in both languages
            text = text.replace("{" + k + "}", str(v))
        return text

    def _texts(self) -> dict[str, Any]:
        return rules()["standards"][self.standard]["criteria"][self.key.split(".", 1)[1]]


@dataclass(frozen=True)
class Standard:
    key: str
    criteria: tuple[Criterion, ...]

    @functools.cached_property  # worked out once: scorecards, rankings and pages all read it
    def score(self) -> int:
        return round(sum(c.earned for c in self.criteria))

    def label(self, lang: str) -> str:
        return rules()["standards"][self.key]["label"][lang]


@dataclass(frozen=True)
class Mqa:
    points: int
    indicators: Mapping[str, int]  # indicator → points earned
    best_distribution: int | None  # position of the distribution counted

    @property
    def rating(self) -> str:
        return _band(rules()["mqa"]["rating"], self.points)["key"]

    def rating_label(self, lang: str) -> str:
        return _band(rules()["mqa"]["rating"], self.points)["label"][lang]


@dataclass(frozen=True)
class DatasetScore:
    id: str
    agency: str
    standards: tuple[Standard, ...]
    mqa: Mqa
    freshness: str  # late / fresh / due / overdue / delinquent / unknown / irregular
    age_days: int | None

    @functools.cached_property
    def overall(self) -> int:
        return round(sum(s.score for s in self.standards) / len(self.standards))

    def standard(self, key: str) -> Standard:
        return next(s for s in self.standards if s.key == key)

    @functools.cached_property
    def by_standard(self) -> dict[str, int]:
        """Each standard's score, by key (the first of a key, as ``standard`` finds it)."""
        first: dict[str, int] = {}
        for st in self.standards:
            first.setdefault(st.key, st.score)
        return first

    @functools.cached_property
    def lost(self) -> tuple[tuple[float, str, Criterion], ...]:
        """(−points lost, criterion key, criterion) of every criterion that withheld points, in
        the order of the standards (remembered: every rebuild ranks the agencies again)."""
        return tuple(
            (-(c.weight - c.earned), c.key, c)
            for st in self.standards
            for c in st.criteria
            if c.weight - c.earned > 0.0001
        )

    def losses(self) -> list[Criterion]:
        """Every criterion that withheld points, the costliest first."""
        out = [c for s in self.standards for c in s.criteria if c.lost > 0.0001]
        return sorted(out, key=lambda c: (-c.lost, STANDARDS.index(c.standard), c.key))

    def as_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "id": self.id,
            "agency": self.agency,
            "overall": self.overall,
            "band": band(self.overall)["key"],
            "standards": {
                s.key: {
                    "score": s.score,
                    "label": s.label(lang),
                    "criteria": [
                        {
                            "key": c.key,
                            "title": c.title(lang),
                            "weight": c.weight,
                            "earned": round(c.earned, 1),
                            "lost": c.message(lang),
                        }
                        for c in s.criteria
                    ],
                }
                for s in self.standards
            },
            "mqa": {
                "points": self.mqa.points,
                "max": rules()["mqa"]["max_points"],
                "rating": self.mqa.rating,
                "indicators": dict(self.mqa.indicators),
            },
            "freshness": self.freshness,
            "age_days": self.age_days,
        }


def band(score: float) -> dict[str, Any]:
    """The badge band of a 0–100 score (good / fair / poor)."""
    return _band(rules()["standard_bands"], score)


def _band(bands: list[dict[str, Any]], value: float) -> dict[str, Any]:
    for b in bands:
        if value >= b["min"]:
            return b
    return bands[-1]


def freshness_label(key: str, lang: str) -> str:
    return rules()["freshness"]["bands"][key]["label"][lang]


# ---------------------------------------------------------------------------------------------
# One dataset


def score_all(c: Catalogue, findings: Iterable[Finding], today: dt.date) -> dict[str, DatasetScore]:
    by_dataset: dict[str, list[Finding]] = {}
    for f in findings:
        if f.dataset:
            by_dataset.setdefault(f.dataset, []).append(f)
    ready = _Ready(c, _recommended_total(c))
    return {d.id: _score(ready, d, by_dataset.get(d.id, []), today) for d in c.datasets}


def score(
    c: Catalogue, d: Dataset, findings: list[Finding], today: dt.date, recommended: int | None = None
) -> DatasetScore:
    """One dataset's six standards, MQA score and freshness; ``findings`` are its own."""
    total = recommended if recommended is not None else _recommended_total(c)
    return _score(_Ready(c, total), d, findings, today)


class _Ready:
    """What every dataset's score reads from the rules and the catalogue, looked up once per
    ``score_all``: criteria weights, formats, access levels, and the results that depend only
    on a Table Schema or a sample (many datasets share them)."""

    def __init__(self, c: Catalogue, recommended: int) -> None:
        r = rules()
        self.c = c
        self.recommended = recommended
        self.criteria = {
            (standard, key): (f"{standard}.{key}", spec["weight"])
            for standard, std in r["standards"].items()
            for key, spec in std["criteria"].items()
        }
        self.fresh_bands = r["freshness"]["bands"]
        self.unchecked_cost = r["standards"]["live"]["criteria"]["links"]["unchecked"]
        self.formats = c.register("formats")
        self.access_levels = c.register("access_levels")
        self.mqa_spec = r["mqa"]["indicators"]
        self.mqa_points = {k: v["points"] for k, v in self.mqa_spec.items()}
        self.mqa_none = {k: 0 for k, v in self.mqa_spec.items() if v["level"] == "distribution"}
        self.by_schema: dict[str, tuple] = {}
        self.blanks: dict[tuple[str, str | None], int] = {}
        self.dupes: dict[str, int] = {}

    def schema_facts(self, path: str, schema: Mapping[str, Any]) -> tuple:
        """(fields, described, bad shared codes, code fields, bad shared fields, shared used)."""
        facts = self.by_schema.get(path)
        if facts is None:
            fields = [f for f in schema.get("fields", []) if isinstance(f, Mapping)]
            described = sum(1 for f in fields if str(f.get("description") or "").strip())
            shared = self.c.shared_fields
            codes = [f for f in fields if (shared.get(f.get("name")) or {}).get("x-code-list")]
            bad_codes = sum(1 for f in codes if not _same_form(f, shared[f["name"]]))
            used = [f for f in fields if f.get("name") in shared]
            bad_shared = sum(1 for f in used if not _same_form(f, shared[f["name"]]))
            facts = self.by_schema[path] = (fields, described, bad_codes, len(codes), bad_shared, len(used))
        return facts


def _score(ready: _Ready, d: Dataset, findings: list[Finding], today: dt.date) -> DatasetScore:
    c = ready.c
    codes = Counter(f.code for f in findings)
    errors = sum(1 for f in findings if f.level == ERROR)
    warnings = [f for f in findings if f.level == WARNING and f.code not in NOT_CORRECTNESS]
    schema_path = d.get("schema")
    schema = c.table_schemas.get(schema_path) if isinstance(schema_path, str) else None
    sample_path, sample = _sample_of(c, d)
    band_key, age = freshness(c, d, today)
    criteria = ready.criteria
    new = tuple.__new__

    def crit(standard: str, key: str, share: float, reason: str = "", **params) -> Criterion:
        full, weight = criteria[standard, key]
        share = max(0.0, min(1.0, share))
        return new(Criterion, (standard, full, weight, weight * share, reason, params))

    n = lambda *names: sum(codes[x] for x in names)  # noqa: E731
    sample_checked = sample is not None and schema is not None and not n("sample-invalid", "schema-invalid")
    urls = n(*URL_CODES)
    dates = n(*DATE_CODES)
    correct = (
        crit("correct", "valid", 0 if errors else 1, n=errors),
        crit("correct", "no-warnings", 0 if warnings else 1, n=len(warnings)),
        crit("correct", "sample-valid", 1 if sample_checked else 0),
        crit("correct", "urls", 0 if urls else 1, n=urls),
        crit("correct", "dates", 0 if dates else 1, n=dates),
    )
    total = ready.recommended
    missing_rec = codes["field-recommended"]
    if schema is not None:
        fields, described, bad_codes, code_fields, bad_shared, shared_used = ready.schema_facts(
            schema_path, schema
        )
    else:
        fields, described, bad_codes, code_fields, bad_shared, shared_used = [], 0, 0, 0, 0, 0
    fields_total = len(fields)
    blanks = _blank_required(ready, sample_path, sample, schema_path if schema is not None else None, fields)
    complete = (
        crit("complete", "required", 0 if codes["field-required"] else 1, n=codes["field-required"]),
        crit("complete", "recommended", 1 - missing_rec / total if total else 1, n=missing_rec, total=total),
        crit("complete", "dictionary", described / fields_total if fields_total else 0,
             "" if fields_total else "none", n=fields_total - described, total=fields_total),
        crit("complete", "sample-filled", 0 if (sample is None or blanks) else 1,
             "none" if sample is None else "", n=blanks),
    )  # fmt: skip
    dupes = _duplicate_rows(ready, sample_path, sample)
    formats = ready.formats
    dists = policy.distributions(d, policy.PUBLIC)  # scores measure what the public sees
    nonstandard = 0
    machine_open = False
    for x in dists:
        name = x.fields.get("format")
        fmt = formats.get(name) if isinstance(name, str) else None
        if fmt is None or fmt.get("machine_readable") is not True:
            nonstandard += 1
        elif policy.marked_open(fmt):
            machine_open = True
    dist_total = len(dists)
    clean = (
        crit("clean", "sample-checked", 1 if sample_checked else 0),
        crit("clean", "primary-key", 1 if schema is not None and schema.get("primaryKey") else 0),
        crit("clean", "no-duplicates", 0 if (sample is None or dupes) else 1, "none" if sample is None else "", n=dupes),
        crit("clean", "shared-codes", 0 if schema is None else 1 - bad_codes / code_fields if code_fields else 1,
             "none" if schema is None else "", n=bad_codes),
        crit("clean", "standard-formats", 1 - nonstandard / dist_total if dist_total else 0,
             n=nonstandard if dist_total else 0, total=dist_total),
    )  # fmt: skip
    urls_of = [x.url for x in dists]
    urls_of = [u for u in urls_of if u]
    landing = d.get("landing_page")
    if isinstance(landing, str):
        urls_of.append(landing)
    broken, unchecked = link_states(c, urls_of)
    links_total = len(urls_of)
    links_lost = broken + ready.unchecked_cost * unchecked
    fresh = ready.fresh_bands[band_key]
    live = (
        crit("live", "fresh", fresh["points"], band=fresh["label"]),
        crit("live", "links", 1 - links_lost / links_total if links_total else 0,
             _links_reason(links_total, broken, unchecked), n=broken, m=unchecked, total=links_total),
    )  # fmt: skip
    off_vocab = n("reference-missing", "field-enum")
    spatial = d.items("spatial") or ("01",)
    consistent = (
        crit("consistent", "vocabularies", 0 if off_vocab else 1, n=off_vocab),
        crit("consistent", "spatial", 1 if all(isinstance(s, str) and SPATIAL.match(s) for s in spatial) else 0),
        crit("consistent", "shared-fields",
             0 if schema is None else (1 - bad_shared / shared_used if shared_used else 0.5),
             "none" if schema is None else ("" if shared_used else "unused"), n=bad_shared),
    )  # fmt: skip
    access = d.access
    level = ready.access_levels.get(access)
    open_data = policy.is_open(c, access)
    limited = not open_data
    shared = (
        crit("shared", "access", ACCESS_SHARE.get(access, 0),
             level={lang: level.label(lang) if level else access for lang in ("vi", "en")}),
        crit("shared", "machine-format", 1 if machine_open else 0),
        crit("shared", "api-or-download", 1 if any(x.url for x in dists) else 0),
        crit("shared", "consumers", 1 if open_data or d.items("sharing.consumers") else 0),
        crit("shared", "legal-basis", 1 if not limited or d.get("legal_basis") else 0),
    )  # fmt: skip
    standards = (
        Standard("correct", correct),
        Standard("complete", complete),
        Standard("clean", clean),
        Standard("live", live),
        Standard("consistent", consistent),
        Standard("shared", shared),
    )
    return DatasetScore(d.id, d.agency, standards, _mqa(ready, d, errors, level), band_key, age)


NOT_CORRECTNESS = {"overdue", "due-after-deadline", "field-recommended", "text-not-nfc"}
URL_CODES = ("url-scheme", "url-insecure", "distribution-url-missing")
DATE_CODES = ("date-order", "date-future")
ACCESS_SHARE = {"open": 1.0, "shared": 2 / 3, "internal": 0.0}
SPATIAL = re.compile(r"^\d{2}(\d{3})?$")  # a province (01) or a commune (5 digits)


def _blank_required(
    ready: _Ready, sample_path: str, sample, schema_path: str | None, fields: list[Mapping[str, Any]]
) -> int:
    """Blank values of required fields (``fields``: those of the Table Schema at ``schema_path``,
    None for none) in the sample's rows."""
    if sample is None or len(sample) < 1:
        return 0
    key = (sample_path, schema_path)
    found = ready.blanks.get(key)
    if found is None:
        header = list(sample[0])
        required = [
            header.index(f["name"])
            for f in fields
            if (f.get("constraints") or {}).get("required") and f.get("name") in header
        ]
        found = sum(1 for row in sample[1:] for i in required if i >= len(row) or not row[i].strip())
        ready.blanks[key] = found
    return found


def _duplicate_rows(ready: _Ready, sample_path: str, sample) -> int:
    if sample is None:
        return 0
    found = ready.dupes.get(sample_path)
    if found is None:
        rows = Counter(sample[1:])
        found = ready.dupes[sample_path] = sum(n - 1 for n in rows.values() if n > 1)
    return found


def _same_form(mine: Mapping[str, Any], shared: Mapping[str, Any]) -> bool:
    if mine.get("type", "string") != shared.get("type", "string"):
        return False
    if (mine.get("format") or "default") != (shared.get("format") or "default"):
        return False
    want = (shared.get("constraints") or {}).get("pattern")
    return not want or (mine.get("constraints") or {}).get("pattern") == want


def _sample_of(c: Catalogue, d: Dataset):
    """The path and rows of the first distribution's sample the catalogue holds (rows None if
    empty)."""
    samples = c.samples
    for x in d.distributions:
        path = x.get("sample")
        if path in samples:
            rows = samples[path]
            return path, (rows if rows else None)
    return None, None


def _recommended_total(c: Catalogue) -> int:
    """How many fields of an entry are recommended (``x-recommended`` in its Table Schemas)."""
    total = 0
    for resource in (c.meta or {}).get("resources", []):
        if resource.get("name") in ("datasets", "distributions"):
            fields = (resource.get("schema") or {}).get("fields", [])
            total += sum(1 for f in fields if f.get("x-recommended"))
    return total


def link_states(c: Catalogue, urls: Iterable[str]) -> tuple[int, int]:
    """How many of ``urls`` are broken (the last link check got no 2xx) and how many were never
    checked (not in ``catalogue/link-status.json``): two states, never one."""
    status = c.links
    broken = unchecked = 0
    for url in urls:
        entry = status.get(url)
        if entry is None:
            unchecked += 1
        elif not entry.get("ok"):
            broken += 1
    return broken, unchecked


def _links_reason(total: int, broken: int, unchecked: int) -> str:
    if not total:
        return "none"
    if broken and unchecked:
        return "both"
    return "unchecked_only" if unchecked else ""


def freshness(c: Catalogue, d: Dataset, today: dt.date) -> tuple[str, int | None]:
    """The HDX freshness band of a dataset: the age of its last modification against its
    declared update frequency; "late" when its due date has passed and it is not published
    (its data is not out, whatever the date of its last update)."""
    changed = d.date("modified") or d.date("issued")
    age = (today - changed).days if changed else None
    if d.is_overdue(today):
        return "late", age
    freq = c.register("frequencies").get(d.get("frequency")) if isinstance(d.get("frequency"), str) else None
    days = freq.get("days") if freq is not None else None
    if not isinstance(days, int):
        return ("irregular" if changed else "unknown"), age
    if age is None:
        return "unknown", None
    aging = rules()["freshness"]["aging"]
    period = next((p for p in sorted(aging) if p >= max(days, 1)), max(aging))
    due, overdue, delinquent = aging[period]
    if age < due:
        return "fresh", age
    if age < overdue:
        return "due", age
    if age < delinquent:
        return "overdue", age
    return "delinquent", age


# ---------------------------------------------------------------------------------------------
# MQA


def mqa(c: Catalogue, d: Dataset, errors: int = 0) -> Mqa:
    """data.europa.eu's MQA points for the dataset as the DCAT-AP export describes it: the
    dataset's indicators plus those of its best distribution."""
    return _mqa(_Ready(c, 0), d, errors, c.register("access_levels").get(d.access))


def _mqa(ready: _Ready, d: Dataset, errors: int, level: Record | None) -> Mqa:
    c = ready.c
    pts = ready.mqa_points
    get = d.get
    licence = c.licences.get(get("licence")) if isinstance(get("licence"), str) else None
    agency = c.agencies.get(d.agency)
    has = {
        "keywordAvailability": bool(d.items("keywords.vi") or d.items("keywords.en")),
        "categoryAvailability": bool(d.themes),
        "spatialAvailability": True,  # every dataset covers Hanoi or its communes (dct:spatial)
        "temporalAvailability": bool(d.date("temporal.start") or d.date("temporal.end")),
        "dcatApCompliance": errors == 0 and policy.listed(c, d, policy.PUBLIC),
        "accessRightsAvailability": level is not None,
        "accessRightsVocabularyAlignment": bool(level and level.get("eu_access_right")),
        "contactPointAvailability": bool(get("contact.email") or (agency and agency.get("email"))),
        "publisherAvailability": agency is not None,
        "dateIssuedAvailability": d.date("issued") is not None,
        "dateModifiedAvailability": d.date("modified") is not None,
    }
    points = {k: pts[k] if ok else 0 for k, ok in has.items()}
    formats = ready.formats
    links = c.links
    # the same for every distribution
    licensed = pts["licenceAvailability"] if licence is not None else 0
    known_licence = pts["knownLicence"] if licence and licence.get("eu_code") else 0
    rights = pts["rightsAvailability"] if get("legal_basis") or licence else 0
    best: tuple[int, int | None, dict[str, int]] = (-1, None, {})
    for x in d.distributions:
        if x.internal:
            continue
        xget = x.fields.get  # Record.get without a default: None stays None
        name = xget("format")
        fmt = formats.get(name) if isinstance(name, str) else None
        download = xget("download_url")
        access = xget("access_url") or download
        media = xget("media_type") or (fmt.get("media_type") if fmt else None)
        earned = {
            "accessUrlStatusCode": pts["accessUrlStatusCode"] if access and (links.get(access) or {}).get("ok") else 0,
            "downloadUrlAvailability": pts["downloadUrlAvailability"] if download else 0,
            "downloadUrlStatusCode": pts["downloadUrlStatusCode"] if download and (links.get(download) or {}).get("ok") else 0,
            "formatAvailability": pts["formatAvailability"] if name else 0,
            "mediaTypeAvailability": pts["mediaTypeAvailability"] if media else 0,
            "formatMediaTypeVocabularyAlignment": pts["formatMediaTypeVocabularyAlignment"] if fmt and fmt.get("eu_file_type") else 0,
            "formatMediaTypeNonProprietary": pts["formatMediaTypeNonProprietary"] if policy.marked_open(fmt) else 0,
            "formatMediaTypeMachineInterpretable": pts["formatMediaTypeMachineInterpretable"] if fmt and fmt.get("machine_readable") is True else 0,
            "licenceAvailability": licensed,
            "knownLicence": known_licence,
            "rightsAvailability": rights,
            "byteSizeAvailability": pts["byteSizeAvailability"] if isinstance(xget("byte_size"), int) else 0,
        }  # fmt: skip
        total = sum(earned.values())
        if total > best[0]:
            best = (total, x.position, earned)
    if best[1] is None:
        best = (0, None, dict(ready.mqa_none))
    points.update(best[2])
    return Mqa(sum(points.values()), points, best[1])


# ---------------------------------------------------------------------------------------------
# Agencies and the city


def summary(
    c: Catalogue, scores: Mapping[str, DatasetScore], today: dt.date, datasets=None
) -> dict[str, Any]:
    """Counts and averages over some datasets (default: all): what a scorecard shows."""
    items = list(c.datasets if datasets is None else datasets)
    n = len(items)
    statuses = Counter(d.status for d in items)
    own = [scores[d.id] for d in items if d.id in scores]
    with_period = [s.freshness for s in own if s.freshness not in ("irregular", "unknown")]
    fresh = with_period.count("fresh")
    overdue = policy.overdue(items, today)
    average = lambda values: round(sum(values) / len(values)) if values else None  # noqa: E731
    # each standard of each dataset found once (``standard(k)`` looks for it)
    by_standard: dict[str, list[int]] = {k: [] for k in STANDARDS}
    overall = []
    for s in own:
        overall.append(s.overall)
        first = s.by_standard
        for k in STANDARDS:
            by_standard[k].append(first[k])
    return {
        "datasets": n,
        "proposed": statuses.get("proposed", 0),
        "confirmed": statuses.get("confirmed", 0),
        "published": statuses.get("published", 0),
        "withdrawn": statuses.get("withdrawn", 0),
        "overdue": len(overdue),
        "overdue_ids": [d.id for d in overdue],
        "to_publish": sum(1 for d in items if d.pending),
        "tau": round(100 * fresh / len(with_period)) if with_period else None,
        "overall": average(overall),
        "standards": {k: average(by_standard[k]) for k in STANDARDS},
        "mqa": average([s.mqa.points for s in own]),
    }


def agencies(
    c: Catalogue, scores: Mapping[str, DatasetScore], today: dt.date, worst: int = 5
) -> list[dict[str, Any]]:
    """Each agency's scorecard, ranked: best average first, agencies with nothing listed last."""
    by_agency: dict[str, list[Dataset]] = {}
    for d in c.datasets:  # one pass, in list order
        if isinstance(d.agency, str):
            by_agency.setdefault(d.agency, []).append(d)
    out = []
    for a in c.agencies.values():
        own = by_agency.get(a.id, [])
        card = summary(c, scores, today, own)
        card.update({"id": a.id, "worst": _worst(scores, own, worst)})
        out.append(card)
    out.sort(key=lambda x: (x["overall"] is None, -(x["overall"] or 0), -x["published"], x["id"]))
    for rank, card in enumerate(out, 1):
        card["rank"] = rank if card["overall"] is not None else None
    return out


def _worst(scores: Mapping[str, DatasetScore], own: list[Dataset], worst: int) -> list[tuple[Criterion, str]]:
    """The ``worst`` costliest losses of some datasets, (criterion, dataset id), in the order of
    ``sorted(..., key=(-lost, dataset id, criterion key))[:worst]``: plain tuples are compared
    (their place in the list breaks ties, as a stable sort would)."""
    found: list[tuple[float, str, str, int, Criterion]] = []
    for d in own:
        dataset_id = d.id
        for negative, key, crit in scores[dataset_id].lost:
            found.append((negative, dataset_id, key, len(found), crit))
    chosen = sorted(found)[:worst] if worst < 0 else heapq.nsmallest(worst, found)
    return [(x[4], x[1]) for x in chosen]


def deadline(c: Catalogue, today: dt.date, lang: str = "vi") -> dict[str, Any]:
    """Days to the catalogue's deadline, what must still be published, who is late (in the order
    of ``policy.overdue`` for ``lang``)."""
    end = c.settings.get("deadline")
    end = end if isinstance(end, dt.date) else None
    late = policy.overdue(c.datasets, today, lang)
    pending = [d for d in c.datasets if d.pending]
    by_agency = Counter(d.agency for d in pending)
    return {
        "deadline": end,
        "days_left": (end - today).days if end else None,
        "to_publish": len(pending),
        "published": sum(1 for d in c.datasets if d.status == "published"),
        "total": len(c.datasets),
        "late": [(d.id, d.agency, (today - d.due).days) for d in late if d.due],
        "pending_by_agency": dict(sorted(by_agency.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
