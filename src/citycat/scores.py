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
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, NamedTuple

import yaml

from citycat.findings import ERROR, WARNING, Finding
from citycat.model import Catalogue, Dataset
from citycat.vietnamese import sort_key

STANDARDS = ("correct", "complete", "clean", "live", "consistent", "shared")


@functools.cache
def rules() -> dict[str, Any]:
    return yaml.safe_load(resources.files("citycat").joinpath("quality.yaml").read_text("utf-8"))


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

    @property
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
    freshness: str  # fresh / due / overdue / delinquent / unknown / irregular
    age_days: int | None

    @property
    def overall(self) -> int:
        return round(sum(s.score for s in self.standards) / len(self.standards))

    def standard(self, key: str) -> Standard:
        return next(s for s in self.standards if s.key == key)

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
    recommended = _recommended_total(c)
    return {d.id: score(c, d, by_dataset.get(d.id, []), today, recommended) for d in c.datasets}


def score(
    c: Catalogue, d: Dataset, findings: list[Finding], today: dt.date, recommended: int | None = None
) -> DatasetScore:
    """One dataset's six standards, MQA score and freshness; ``findings`` are its own."""
    codes = Counter(f.code for f in findings)
    errors = sum(1 for f in findings if f.level == ERROR)
    warnings = [f for f in findings if f.level == WARNING and f.code not in NOT_CORRECTNESS]
    schema = c.table_schemas.get(d.get("schema")) if isinstance(d.get("schema"), str) else None
    sample = _sample(c, d)
    band_key, age = freshness(c, d, today)
    ctx = _Ctx(c, d, codes, schema, sample)

    def crit(standard: str, key: str, share: float, reason: str = "", **params) -> Criterion:
        weight = rules()["standards"][standard]["criteria"][key]["weight"]
        share = max(0.0, min(1.0, share))
        return Criterion(standard, f"{standard}.{key}", weight, weight * share, reason, params)

    n = lambda *names: sum(codes[x] for x in names)  # noqa: E731
    sample_checked = sample is not None and schema is not None and not n("sample-invalid", "schema-invalid")
    correct = (
        crit("correct", "valid", 0 if errors else 1, n=errors),
        crit("correct", "no-warnings", 0 if warnings else 1, n=len(warnings)),
        crit("correct", "sample-valid", 1 if sample_checked else 0),
        crit("correct", "urls", 0 if n(*URL_CODES) else 1, n=n(*URL_CODES)),
        crit("correct", "dates", 0 if n(*DATE_CODES) else 1, n=n(*DATE_CODES)),
    )
    total = recommended if recommended is not None else _recommended_total(c)
    missing_rec = codes["field-recommended"]
    described, fields_total = ctx.described()
    blanks = ctx.blank_required()
    complete = (
        crit("complete", "required", 0 if codes["field-required"] else 1, n=codes["field-required"]),
        crit("complete", "recommended", 1 - missing_rec / total if total else 1, n=missing_rec, total=total),
        crit("complete", "dictionary", described / fields_total if fields_total else 0,
             "" if fields_total else "none", n=fields_total - described, total=fields_total),
        crit("complete", "sample-filled", 0 if (sample is None or blanks) else 1,
             "none" if sample is None else "", n=blanks),
    )  # fmt: skip
    dupes = ctx.duplicate_rows()
    bad_codes, code_fields = ctx.code_fields()
    nonstandard, dist_total = ctx.nonstandard_formats()
    clean = (
        crit("clean", "sample-checked", 1 if sample_checked else 0),
        crit("clean", "primary-key", 1 if schema is not None and schema.get("primaryKey") else 0),
        crit("clean", "no-duplicates", 0 if (sample is None or dupes) else 1, "none" if sample is None else "", n=dupes),
        crit("clean", "shared-codes", 0 if schema is None else 1 - bad_codes / code_fields if code_fields else 1,
             "none" if schema is None else "", n=bad_codes),
        crit("clean", "standard-formats", 1 - nonstandard / dist_total if dist_total else 0,
             n=nonstandard if dist_total else 0, total=dist_total),
    )  # fmt: skip
    broken, links_total = ctx.links()
    live = (
        crit("live", "fresh", rules()["freshness"]["bands"][band_key]["points"],
             band=rules()["freshness"]["bands"][band_key]["label"]),
        crit("live", "links", 1 - broken / links_total if links_total else 0, n=broken, total=links_total),
    )  # fmt: skip
    off_vocab = n("reference-missing", "field-enum")
    bad_shared, shared_used = ctx.shared_fields()
    consistent = (
        crit("consistent", "vocabularies", 0 if off_vocab else 1, n=off_vocab),
        crit("consistent", "spatial", 1 if ctx.spatial_coded() else 0),
        crit("consistent", "shared-fields",
             0 if schema is None else (1 - bad_shared / shared_used if shared_used else 0.5),
             "none" if schema is None else ("" if shared_used else "unused"), n=bad_shared),
    )  # fmt: skip
    level = c.register("access_levels").get(d.access)
    open_data = bool(level and level.get("open") is True)
    limited = not open_data
    shared = (
        crit("shared", "access", ACCESS_SHARE.get(d.access, 0),
             level={lang: level.label(lang) if level else d.access for lang in ("vi", "en")}),
        crit("shared", "machine-format", 1 if ctx.open_machine_format() else 0),
        crit("shared", "api-or-download", 1 if any(x.url for x in d.distributions if not x.internal) else 0),
        crit("shared", "consumers", 1 if open_data or d.items("sharing.consumers") else 0),
        crit("shared", "legal-basis", 1 if not limited or d.get("legal_basis") else 0),
    )  # fmt: skip
    standards = tuple(
        Standard(key, crits)
        for key, crits in zip(STANDARDS, (correct, complete, clean, live, consistent, shared), strict=True)
    )
    return DatasetScore(d.id, d.agency, standards, mqa(c, d, errors), band_key, age)


NOT_CORRECTNESS = {"overdue", "due-after-deadline", "field-recommended", "text-not-nfc"}
URL_CODES = ("url-scheme", "url-insecure", "distribution-url-missing")
DATE_CODES = ("date-order", "date-future")
ACCESS_SHARE = {"open": 1.0, "shared": 2 / 3, "internal": 0.0}
SPATIAL = re.compile(r"^\d{2}(\d{3})?$")  # a province (01) or a commune (5 digits)


@dataclass(frozen=True)
class _Ctx:
    c: Catalogue
    d: Dataset
    codes: Counter
    schema: Mapping[str, Any] | None
    sample: tuple[tuple[str, ...], ...] | None  # header and preview rows

    def fields(self) -> list[Mapping[str, Any]]:
        if self.schema is None:
            return []
        return [f for f in self.schema.get("fields", []) if isinstance(f, Mapping)]

    def described(self) -> tuple[int, int]:
        fields = self.fields()
        return sum(1 for f in fields if str(f.get("description") or "").strip()), len(fields)

    def blank_required(self) -> int:
        if self.sample is None or len(self.sample) < 1:
            return 0
        header = list(self.sample[0])
        required = [
            header.index(f["name"])
            for f in self.fields()
            if (f.get("constraints") or {}).get("required") and f.get("name") in header
        ]
        return sum(1 for row in self.sample[1:] for i in required if i >= len(row) or not row[i].strip())

    def duplicate_rows(self) -> int:
        if self.sample is None:
            return 0
        rows = Counter(self.sample[1:])
        return sum(n - 1 for n in rows.values() if n > 1)

    def code_fields(self) -> tuple[int, int]:
        """Fields holding shared codes (``x-code-list`` definitions) not in the shared form."""
        shared = self.c.shared_fields
        mine = [f for f in self.fields() if (shared.get(f.get("name")) or {}).get("x-code-list")]
        bad = sum(1 for f in mine if not _same_form(f, shared[f["name"]]))
        return bad, len(mine)

    def shared_fields(self) -> tuple[int, int]:
        shared = self.c.shared_fields
        mine = [f for f in self.fields() if f.get("name") in shared]
        bad = sum(1 for f in mine if not _same_form(f, shared[f["name"]]))
        return bad, len(mine)

    def dists(self):
        return [x for x in self.d.distributions if not x.internal]

    def nonstandard_formats(self) -> tuple[int, int]:
        formats = self.c.register("formats")
        dists = self.dists()
        bad = 0
        for x in dists:
            fmt = formats.get(x.get("format")) if isinstance(x.get("format"), str) else None
            if fmt is None or fmt.get("machine_readable") is not True:
                bad += 1
        return bad, len(dists)

    def open_machine_format(self) -> bool:
        formats = self.c.register("formats")
        for x in self.dists():
            fmt = formats.get(x.get("format")) if isinstance(x.get("format"), str) else None
            if fmt is not None and fmt.get("machine_readable") is True and fmt.get("open") is True:
                return True
        return False

    def links(self) -> tuple[int, int]:
        urls = [x.url for x in self.dists() if x.url]
        if isinstance(self.d.get("landing_page"), str):
            urls.append(self.d.get("landing_page"))
        status = self.c.links
        broken = sum(1 for u in urls if not (status.get(u) or {}).get("ok"))
        return broken, len(urls)

    def spatial_coded(self) -> bool:
        spatial = self.d.items("spatial") or ("01",)
        return all(isinstance(s, str) and SPATIAL.match(s) for s in spatial)


def _same_form(mine: Mapping[str, Any], shared: Mapping[str, Any]) -> bool:
    if mine.get("type", "string") != shared.get("type", "string"):
        return False
    if (mine.get("format") or "default") != (shared.get("format") or "default"):
        return False
    want = (shared.get("constraints") or {}).get("pattern")
    return not want or (mine.get("constraints") or {}).get("pattern") == want


def _sample(c: Catalogue, d: Dataset):
    for x in d.distributions:
        if x.get("sample") in c.samples:
            rows = c.samples[x.get("sample")]
            return rows if rows else None
    return None


def _recommended_total(c: Catalogue) -> int:
    """How many fields of an entry are recommended (``x-recommended`` in its Table Schemas)."""
    total = 0
    for resource in (c.meta or {}).get("resources", []):
        if resource.get("name") in ("datasets", "distributions"):
            fields = (resource.get("schema") or {}).get("fields", [])
            total += sum(1 for f in fields if f.get("x-recommended"))
    return total


def freshness(c: Catalogue, d: Dataset, today: dt.date) -> tuple[str, int | None]:
    """The HDX freshness band of a dataset: the age of its last modification against its
    declared update frequency."""
    changed = d.date("modified") or d.date("issued")
    age = (today - changed).days if changed else None
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
    spec = rules()["mqa"]["indicators"]
    levels = c.register("access_levels")
    level = levels.get(d.access)
    licence = c.licences.get(d.get("licence")) if isinstance(d.get("licence"), str) else None
    agency = c.agencies.get(d.agency)
    has = {
        "keywordAvailability": bool(d.items("keywords.vi") or d.items("keywords.en")),
        "categoryAvailability": bool(d.themes),
        "spatialAvailability": True,  # every dataset covers Hanoi or its communes (dct:spatial)
        "temporalAvailability": bool(d.date("temporal.start") or d.date("temporal.end")),
        "dcatApCompliance": errors == 0 and bool(level and level.get("public_listing", level.get("open"))),
        "accessRightsAvailability": level is not None,
        "accessRightsVocabularyAlignment": bool(level and level.get("eu_access_right")),
        "contactPointAvailability": bool(d.get("contact.email") or (agency and agency.get("email"))),
        "publisherAvailability": agency is not None,
        "dateIssuedAvailability": d.date("issued") is not None,
        "dateModifiedAvailability": d.date("modified") is not None,
    }
    points = {k: spec[k]["points"] if ok else 0 for k, ok in has.items()}
    formats = c.register("formats")
    links = c.links
    best: tuple[int, int | None, dict[str, int]] = (-1, None, {})
    for x in d.distributions:
        if x.internal:
            continue
        fmt = formats.get(x.get("format")) if isinstance(x.get("format"), str) else None
        access = x.get("access_url") or x.get("download_url")
        media = x.get("media_type") or (fmt.get("media_type") if fmt else None)
        ok = {
            "accessUrlStatusCode": bool(access and (links.get(access) or {}).get("ok")),
            "downloadUrlAvailability": bool(x.get("download_url")),
            "downloadUrlStatusCode": bool(x.get("download_url") and (links.get(x.get("download_url")) or {}).get("ok")),
            "formatAvailability": bool(x.get("format")),
            "mediaTypeAvailability": bool(media),
            "formatMediaTypeVocabularyAlignment": bool(fmt and fmt.get("eu_file_type")),
            "formatMediaTypeNonProprietary": bool(fmt and fmt.get("open") is True),
            "formatMediaTypeMachineInterpretable": bool(fmt and fmt.get("machine_readable") is True),
            "licenceAvailability": licence is not None,
            "knownLicence": bool(licence and licence.get("eu_code")),
            "rightsAvailability": bool(d.get("legal_basis") or licence),
            "byteSizeAvailability": isinstance(x.get("byte_size"), int),
        }  # fmt: skip
        earned = {k: spec[k]["points"] if v else 0 for k, v in ok.items()}
        total = sum(earned.values())
        if total > best[0]:
            best = (total, x.position, earned)
    if best[1] is None:
        best = (0, None, {k: 0 for k, v in spec.items() if v["level"] == "distribution"})
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
    with_period = [s for s in own if s.freshness not in ("irregular", "unknown")]
    fresh = sum(1 for s in with_period if s.freshness == "fresh")
    overdue = sorted(
        (d for d in items if d.is_overdue(today)), key=lambda d: (d.due or today, sort_key(d.text("title")))
    )
    average = lambda values: round(sum(values) / len(values)) if values else None  # noqa: E731
    return {
        "datasets": n,
        "proposed": statuses.get("proposed", 0),
        "confirmed": statuses.get("confirmed", 0),
        "published": statuses.get("published", 0),
        "withdrawn": statuses.get("withdrawn", 0),
        "overdue": len(overdue),
        "overdue_ids": [d.id for d in overdue],
        "to_publish": sum(1 for d in items if d.status not in ("published", "withdrawn")),
        "tau": round(100 * fresh / len(with_period)) if with_period else None,
        "overall": average([s.overall for s in own]),
        "standards": {k: average([s.standard(k).score for s in own]) for k in STANDARDS},
        "mqa": average([s.mqa.points for s in own]),
    }


def agencies(
    c: Catalogue, scores: Mapping[str, DatasetScore], today: dt.date, worst: int = 5
) -> list[dict[str, Any]]:
    """Each agency's scorecard, ranked: best average first, agencies with nothing listed last."""
    out = []
    for a in c.agencies.values():
        own = [d for d in c.datasets if d.agency == a.id]
        card = summary(c, scores, today, own)
        losses = sorted(
            ((crit, d.id) for d in own for crit in scores[d.id].losses()),
            key=lambda x: (-x[0].lost, x[1], x[0].key),
        )
        card.update({"id": a.id, "worst": losses[:worst]})
        out.append(card)
    out.sort(key=lambda x: (x["overall"] is None, -(x["overall"] or 0), -x["published"], x["id"]))
    for rank, card in enumerate(out, 1):
        card["rank"] = rank if card["overall"] is not None else None
    return out


def deadline(c: Catalogue, today: dt.date) -> dict[str, Any]:
    """Days to the catalogue's deadline, what must still be published, who is late."""
    end = c.settings.get("deadline")
    end = end if isinstance(end, dt.date) else None
    late = sorted(
        (d for d in c.datasets if d.is_overdue(today)), key=lambda d: (d.due or today, d.id)
    )  # the longest overdue first
    pending = [d for d in c.datasets if d.status not in ("published", "withdrawn")]
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
