"""The six standards, MQA and freshness (citycat.quality.scores) on small real catalogues."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from types import MappingProxyType

import pytest
import yaml

from citycat.pipeline.validate import validate
from citycat.quality import scores
from tests.conftest import ROOT, TODAY, starter_root, validators

PHARMACIES = "danh-sach-nha-thuoc"  # open, published, with a Table Schema and a sample
PRACTITIONERS = "nguoi-hanh-nghe-kham-chua-benh"  # shared, no schema, an API


def scored(root: Path, today: dt.date = TODAY, links=None):
    result = validate(root, today, use_cache=False, need_catalogue=True)
    assert result.ok(), [f.code for f in result.errors()]
    c = result.catalogue
    if links is not None:
        c = dataclasses.replace(c, links=MappingProxyType(links))
    return c, scores.score_all(c, result.findings, today)


def crit(s: scores.DatasetScore, key: str) -> scores.Criterion:
    standard = s.standard(key.split(".")[0])
    return next(c for c in standard.criteria if c.key == key)


def edit(root: Path, old: str, new: str, count: int = 1) -> None:
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), "utf-8")


# ---------------------------------------------------------------------------------------------
# The rules are data, and agree with the published definitions


def test_mqa_weights_and_bands_are_data_europa_eus():
    theirs = yaml.safe_load((validators("quality") / "mqa-indicators.yaml").read_text("utf-8"))
    ours = scores.rules()["mqa"]
    assert ours["max_points"] == theirs["max_points"] == 405
    flat = {
        name: (spec["points"], spec.get("on", spec.get(True)), dimension)  # YAML 1.1 reads on: as true
        for dimension, indicators in theirs["dimensions"].items()
        for name, spec in indicators.items()
    }
    assert {k: (v["points"], v["level"], v["dimension"]) for k, v in ours["indicators"].items()} == flat
    assert sum(v["points"] for v in ours["indicators"].values()) == 405
    assert {b["key"]: b["min"] for b in ours["rating"]} == {k: v[0] for k, v in theirs["rating"].items()}


def test_freshness_bands_are_hdxs():
    theirs = yaml.safe_load((validators("quality") / "hdx-freshness-aging.yaml").read_text("utf-8"))["aging"]
    ours = scores.rules()["freshness"]["aging"]
    assert ours == {k: [v["Due"], v["Overdue"], v["Delinquent"]] for k, v in theirs.items()}


def test_each_standard_weighs_100_and_speaks_both_languages():
    for key in scores.STANDARDS:
        spec = scores.rules()["standards"][key]
        assert set(spec["label"]) == {"vi", "en"}
        assert sum(c["weight"] for c in spec["criteria"].values()) == 100, key
        for name, c in spec["criteria"].items():
            for text in ("title", "lost", "none", "unused"):
                if text in c:
                    assert set(c[text]) == {"vi", "en"} and all(c[text].values()), (key, name, text)


def test_every_criterion_is_documented():
    docs = (ROOT / "docs" / "scores.md").read_text("utf-8")
    for key in scores.STANDARDS:
        for name, c in scores.rules()["standards"][key]["criteria"].items():
            row = re.search(rf"^\| `{key}\.{name}` \| (\d+) \|", docs, re.M)
            assert row, f"docs/scores.md does not document {key}.{name}"
            assert int(row.group(1)) == c["weight"], f"{key}.{name}: the docs give another weight"


# ---------------------------------------------------------------------------------------------
# One dataset


def test_a_complete_open_dataset(good):
    c, all_scores = scored(good)
    s = all_scores[PHARMACIES]
    for key in ("correct.valid", "correct.sample-valid", "clean.sample-checked", "shared.access"):
        assert crit(s, key).lost == 0, key
    assert crit(s, "shared.consumers").lost == 0 and crit(s, "shared.legal-basis").lost == 0
    # never link-checked: the links withhold half their points (not known broken), and say so
    links = crit(s, "live.links")
    d = c.dataset(PHARMACIES)
    urls = [x.url for x in d.distributions if x.url] + [u for u in [d.get("landing_page")] if u]
    assert links.earned == 20 and links.params["total"] == len(urls) >= 1
    assert links.params["m"] == len(urls) and links.params["n"] == 0
    assert "chưa kiểm tra" in links.message("vi") and "not checked yet" in links.message("en")
    assert "lỗi" not in links.message("vi") and "broken" not in links.message("en")
    assert all(0 <= x.score <= 100 for x in s.standards)
    assert s.overall == round(sum(x.score for x in s.standards) / 6)


def test_a_dataset_without_schema_or_sample_says_what_is_missing(good):
    _, all_scores = scored(good)
    s = all_scores[PRACTITIONERS]
    assert crit(s, "complete.dictionary").earned == 0
    assert crit(s, "complete.dictionary").message("en") == "No data dictionary (Table Schema)"
    assert crit(s, "correct.sample-valid").earned == 0
    assert crit(s, "shared.access").earned == pytest.approx(20)  # shared, not open
    assert "Dữ liệu dùng chung" in crit(s, "shared.access").message("vi")
    losses = s.losses()
    assert losses == sorted(losses, key=lambda x: -x.lost)
    assert {x.key for x in losses} >= {"complete.dictionary", "clean.sample-checked"}


def test_points_follow_the_catalogue(good):
    _, before = scored(good)
    edit(good, "access: shared\n    data_class: important", "access: internal\n    data_class: important")
    edit(good, "      consumers: [cong-an-thanh-pho, so-tai-chinh]\n", "")
    _, after = scored(good)
    assert crit(after[PRACTITIONERS], "shared.access").earned == 0
    assert crit(after[PRACTITIONERS], "shared.consumers").earned == 0
    assert after[PRACTITIONERS].standard("shared").score < before[PRACTITIONERS].standard("shared").score
    # the sample goes: what it proved is no longer earned
    edit(good, "        sample: samples/danh-sach-nha-thuoc.csv\n", "")
    _, after = scored(good)
    for key in (
        "correct.sample-valid",
        "clean.sample-checked",
        "complete.sample-filled",
        "clean.no-duplicates",
    ):
        assert crit(after[PHARMACIES], key).earned == 0, key
    assert crit(after[PHARMACIES], "clean.no-duplicates").message("en") == "No sample"


def test_links_that_answer_earn_their_points(good):
    c, _ = scored(good)
    d = c.dataset(PHARMACIES)
    urls = [x.url for x in d.distributions] + ([d.get("landing_page")] if d.get("landing_page") else [])
    ok = {u: {"ok": True, "status": 200} for u in urls}
    _, half = scored(
        good, links={urls[0]: {"ok": True, "status": 200}, urls[-1]: {"ok": False, "status": 404}}
    )
    _, full = scored(good, links=ok)
    assert crit(full[PHARMACIES], "live.links").lost == 0
    assert 0 < crit(half[PHARMACIES], "live.links").earned < 40 or len(urls) == 1


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "fresh"),
        (29, "fresh"),
        (30, "due"),
        (43, "due"),
        (44, "overdue"),
        (59, "overdue"),
        (60, "delinquent"),
    ],
)
def test_freshness_of_a_monthly_dataset(good, age, band):
    c, _ = scored(good)
    d = c.dataset(PHARMACIES)  # monthly, modified 2026-10-30
    today = d.date("modified") + dt.timedelta(days=age)
    assert scores.freshness(c, d, today) == (band, age)


def test_freshness_without_period_or_date(good):
    edit(good, "frequency: monthly\n    status: published", "frequency: irregular\n    status: published")
    c, all_scores = scored(good)
    assert all_scores[PHARMACIES].freshness == "irregular"
    assert crit(all_scores[PHARMACIES], "live.fresh").lost == 0
    d = dataclasses.replace(c.dataset(PRACTITIONERS), fields=MappingProxyType({"frequency": "monthly"}))
    assert scores.freshness(c, d, TODAY) == ("unknown", None)


def test_mqa_counts_the_dataset_and_its_best_distribution(good):
    c, all_scores = scored(good)
    m = all_scores[PHARMACIES].mqa
    # every dataset indicator; the CSV file has all but the two that need the link checker
    assert m.points == 405 - 50 - 30
    assert m.indicators["accessUrlStatusCode"] == m.indicators["downloadUrlStatusCode"] == 0
    assert m.best_distribution == 0 and m.rating == "good"  # 325: good is 221–350
    url = c.dataset(PHARMACIES).distributions[0].url
    _, linked = scored(good, links={url: {"ok": True, "status": 200}})
    assert linked[PHARMACIES].mqa.points == 405 and linked[PHARMACIES].mqa.rating == "excellent"
    # an API without licence, media type or size earns much less
    api = all_scores[PRACTITIONERS].mqa
    assert api.points < m.points and api.indicators["licenceAvailability"] == 0


# ---------------------------------------------------------------------------------------------
# Agencies and the city


def test_agencies_ranked_with_their_counts(good):
    c, all_scores = scored(good)
    cards = scores.agencies(c, all_scores, TODAY)
    assert {x["id"] for x in cards} == set(c.agencies)
    health = next(x for x in cards if x["id"] == "so-y-te")
    own = [d for d in c.datasets if d.agency == "so-y-te"]
    assert health["datasets"] == len(own)
    assert health["published"] == sum(1 for d in own if d.status == "published")
    assert health["overall"] == round(sum(all_scores[d.id].overall for d in own) / len(own))
    ranked = [x for x in cards if x["rank"]]
    assert [x["rank"] for x in ranked] == list(range(1, len(ranked) + 1))
    assert [x["overall"] for x in ranked] == sorted((x["overall"] for x in ranked), reverse=True)
    assert all(x["rank"] is None and x["datasets"] == 0 for x in cards if x not in ranked)
    assert health["worst"] and health["worst"][0][0].lost == max(x[0].lost for x in health["worst"])


def test_deadline_lists_the_late_longest_first():
    result = validate(starter_root(), TODAY, use_cache=False, need_catalogue=True)
    c = result.catalogue
    late = scores.deadline(c, TODAY)
    assert late["days_left"] == (c.settings.get("deadline") - TODAY).days
    days = [n for _, _, n in late["late"]]
    assert days == sorted(days, reverse=True) and len(days) == sum(d.is_overdue(TODAY) for d in c.datasets)
    assert late["to_publish"] == sum(1 for d in c.datasets if d.status not in ("published", "withdrawn"))


def test_the_starter_catalogue_scores_every_dataset():
    result = validate(starter_root(), TODAY, use_cache=False, need_catalogue=True)
    all_scores = scores.score_all(result.catalogue, result.findings, TODAY)
    assert len(all_scores) == 49
    for s in all_scores.values():
        d = s.as_dict("en")
        assert set(d["standards"]) == set(scores.STANDARDS)
        assert 0 <= d["mqa"]["points"] <= 405
        for std in d["standards"].values():
            assert std["score"] == round(sum(x["earned"] for x in std["criteria"]))


def test_mqa_of_a_dataset_without_public_distributions(good):
    c, _ = scored(good)
    d = dataclasses.replace(c.dataset(PHARMACIES), distributions=())
    m = scores.mqa(c, d)
    assert set(m.indicators) == set(scores.rules()["mqa"]["indicators"])
    assert m.best_distribution is None
    assert all(
        m.indicators[k] == 0
        for k, v in scores.rules()["mqa"]["indicators"].items()
        if v["level"] == "distribution"
    )
    assert m.points == sum(m.indicators.values()) > 0


def test_scorecards_agree_with_working_them_out_one_dataset_at_a_time(good):
    """agencies and summary add up in one pass; they give what each dataset's own numbers give."""
    c, all_scores = scored(good)
    for card in scores.agencies(c, all_scores, TODAY, worst=3):
        own = [d for d in c.datasets if d.agency == card["id"]]
        mine = [all_scores[d.id] for d in own]
        average = lambda values: round(sum(values) / len(values)) if values else None  # noqa: E731
        assert card["overall"] == average([s.overall for s in mine])
        assert card["standards"] == {
            k: average([s.standard(k).score for s in mine]) for k in scores.STANDARDS
        }
        losses = sorted(
            ((crit, d.id) for d in own for crit in all_scores[d.id].losses()),
            key=lambda x: (-x[0].lost, x[1], x[0].key),
        )
        assert card["worst"] == losses[:3]


def test_one_dataset_scores_as_in_the_whole_catalogue(good):
    c, all_scores = scored(good)
    result = validate(good, TODAY, use_cache=False, need_catalogue=True)
    for d in c.datasets:
        own = [f for f in result.findings if f.dataset == d.id]
        assert scores.score(c, d, own, TODAY) == all_scores[d.id]


# ---------------------------------------------------------------------------------------------
# States that do not contradict each other


def test_a_link_never_checked_is_its_own_state_costing_less_than_a_broken_one(good):
    """No catalogue/link-status.json: every link "not checked yet", withholding half of its
    share (docs/scores.md); a broken link withholds all of it; both said apart."""
    c, unchecked = scored(good)
    d = c.dataset(PHARMACIES)
    urls = [x.url for x in d.distributions if x.url] + [u for u in [d.get("landing_page")] if u]
    assert not (good / "catalogue" / "link-status.json").exists()
    assert scores.link_states(c, urls) == (0, len(urls))
    _, broken = scored(good, links={u: {"ok": False, "status": 404} for u in urls})
    _, ok = scored(good, links={u: {"ok": True, "status": 200} for u in urls})
    never, bad, good_links = (crit(x[PHARMACIES], "live.links") for x in (unchecked, broken, ok))
    assert good_links.lost == 0 and never.lost == 20 and bad.lost == 40
    assert bad.message("vi") == f"{len(urls)}/{len(urls)} đường dẫn lỗi"
    assert bad.message("en") == f"{len(urls)} of {len(urls)} links broken"
    assert (
        never.message("en") == f"{len(urls)} of {len(urls)} links not checked yet (run citycat check-links)"
    )
    if len(urls) > 1:  # one broken, the others never checked: both counted, apart
        _, mixed = scored(good, links={urls[0]: {"ok": False, "status": 500}})
        both = crit(mixed[PHARMACIES], "live.links")
        assert both.params["n"] == 1 and both.params["m"] == len(urls) - 1
        assert "1/" in both.message("vi") and "chưa kiểm tra" in both.message("vi")
        assert bad.lost > both.lost > never.lost


def test_the_unchecked_cost_in_the_docs_is_the_one_applied():
    cost = scores.rules()["standards"]["live"]["criteria"]["links"]["unchecked"]
    weight = scores.rules()["standards"]["live"]["criteria"]["links"]["weight"]
    docs = (ROOT / "docs" / "scores.md").read_text("utf-8")
    assert f"withholds {round(cost * 100)} % of its share" in docs
    assert f"at most {round(cost * weight)} of the {weight} points" in docs


def test_an_overdue_dataset_is_never_fresh_and_loses_points_on_live(good):
    """Due date passed, not published: "late", whatever the date of its last update; the whole
    weight of live.fresh withheld. Published on time, the same entry is fresh."""
    # the practitioners' list: proposed, due 2026-12-31; give it a recent update
    edit(good, "    status: proposed\n    due: 2026-12-31", "    status: proposed\n    due: 2026-11-20")
    c, before = scored(good, dt.date(2026, 11, 19))
    d = c.dataset(PRACTITIONERS)
    assert not d.is_overdue(dt.date(2026, 11, 19))
    today = dt.date(2026, 12, 8)  # 18 days after its due date
    c, after = scored(good, today)
    assert c.dataset(PRACTITIONERS).is_overdue(today)
    s = after[PRACTITIONERS]
    assert s.freshness == "late" and s.freshness != "fresh"
    fresh = crit(s, "live.fresh")
    assert fresh.earned == 0 and fresh.lost == 60
    assert "Quá hạn công bố" in fresh.message("vi") and "not published" in fresh.message("en")
    assert scores.freshness_label(s.freshness, "vi") == "Quá hạn công bố"
    assert s.standard("live").score <= 40
    summary = scores.summary(c, after, today)
    assert summary["overdue"] >= 1 and PRACTITIONERS in summary["overdue_ids"]


def test_the_overdue_starter_entry_scores_what_docs_say(tmp_path):
    """bai-do-xe-cong-cong, 18 days past its due date (2026-11-20) and still proposed: once
    scored 93/100 and "Fresh"."""
    from tests.conftest import copy_starter

    root = copy_starter(tmp_path / "starter")
    today = dt.date(2026, 12, 8)
    _, all_scores = scored(root, today)
    s = all_scores["bai-do-xe-cong-cong"]
    assert s.freshness == "late" and scores.freshness_label(s.freshness, "en") != "Fresh"
    assert crit(s, "live.fresh").lost == 60 and crit(s, "live.links").lost == 20
    assert s.standard("live").score == 20 and s.overall < 93
