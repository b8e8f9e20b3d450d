"""The list page's search index (citycat.site.searchindex) and the page's search form (list.html)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import subprocess
from collections import Counter
from html.parser import HTMLParser

import pytest

from citycat.model import policy
from citycat.model.vietnamese import fold
from citycat.site import views
from citycat.site.searchindex import FIELDS, MULTI, build_index, records
from citycat.source.load import load
from tests.conftest import ROOT, TODAY, need_program, starter_root

LANGS = ("vi", "en")


@pytest.fixture(scope="module")
def catalogue():
    return load(starter_root()).catalogue


@pytest.fixture(scope="module")
def indexes(catalogue):
    return {lang: build_index(catalogue, lang, TODAY) for lang in LANGS}


def dumped(index) -> str:
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"))


def test_index_is_json_with_one_row_per_dataset(catalogue, indexes):
    ids = sorted(d.id for d in catalogue.datasets)
    assert len(ids) == 49
    for lang, index in indexes.items():
        assert json.loads(dumped(index)) == index
        assert index["fields"] == list(FIELDS) and index["lang"] == lang
        assert all(len(row) == len(FIELDS) for row in index["rows"])
        assert sorted(r["id"] for r in records(index)) == ids  # every dataset, once


def test_rows_follow_the_display_order(catalogue, indexes):
    for lang, index in indexes.items():
        expected = [d.id for d in views.sorted_datasets(catalogue.datasets, lang)]
        assert [r["id"] for r in records(index)] == expected


def test_folded_fields_are_fold_of_the_page_language_text(catalogue, indexes):
    by_id = {d.id: d for d in catalogue.datasets}
    for lang, index in indexes.items():
        other = "en" if lang == "vi" else "vi"
        for r in records(index):
            d = by_id[r["id"]]
            agency = catalogue.agencies[d.agency]
            assert r["title"] == d.text("title", lang)
            assert r["title_folded"] == fold(d.text("title", lang))
            assert r["other_folded"] == fold(d.get(f"title.{other}", ""))
            keywords = d.items(f"keywords.{lang}") or d.items("keywords.vi")
            # the keywords, then the reference code (the official edition prints it: a search finds it)
            words = [fold(k) for k in (*keywords, d.get("ref", "")) if fold(k)]
            assert r["keywords_folded"] == " ".join(dict.fromkeys(words))
            parts = [fold(agency.text("name", lang)), fold(agency.get("abbreviation", ""))]
            assert r["agency_folded"] == " ".join(dict.fromkeys(p for p in parts if p))
            assert r["themes_folded"] == [fold(catalogue.themes[t].text("name", lang)) for t in d.themes]
            for text in (r["title_folded"], r["other_folded"], r["keywords_folded"], r["agency_folded"]):
                assert text == text.lower() and "đ" not in text
                assert not re.search("[\u0300-\u036f]", text) and text.isascii()
    vi = {r["id"]: r for r in records(indexes["vi"])}
    food = vi["co-so-du-dieu-kien-an-toan-thuc-pham-thuoc-nganh-y-te"]
    assert "y te" in food["title_folded"] and "y te" in food["agency_folded"]  # "ngành y tế", "Sở Y tế"
    assert (
        vi["di-tich-lich-su-van-hoa-da-duoc-xep-hang"]["title_folded"]
        == "di tich lich su - van hoa da duoc xep hang"
    )


def test_fold_examples_in_the_index(catalogue):
    """ "Đường" → "duong"; "Hòa" and "Hoà" (two NFC spellings) both → "hoa"."""
    first, second = catalogue.datasets[:2]
    titled = [
        dataclasses.replace(first, fields={**first.fields, "title.vi": "Đường phố Hòa Bình"}),
        dataclasses.replace(second, fields={**second.fields, "title.vi": "Đường phố Hoà Bình – Y tế"}),
    ]
    changed = dataclasses.replace(catalogue, datasets=tuple(titled) + catalogue.datasets[2:])
    index = build_index(changed, "vi", TODAY)
    folded = {r["id"]: r["title_folded"] for r in records(index)}
    assert folded[first.id] == "duong pho hoa binh"
    assert folded[second.id] == "duong pho hoa binh – y te"
    en = {r["id"]: r["other_folded"] for r in records(build_index(changed, "en", TODAY))}
    assert en[first.id] == "duong pho hoa binh"


def test_facet_values_match_the_page_facets(catalogue, indexes):
    """The checkboxes of list.html (views.facets) and the index hold the same values and counts."""
    for lang, index in indexes.items():
        datasets = views.sorted_datasets(catalogue.datasets, lang)
        ordered = [views.dataset_view(d, catalogue, lang, TODAY, policy.PUBLIC) for d in datasets]
        page = views.facets(catalogue, datasets, lang)
        recs = records(index)
        for facet in views.FACETS:
            counts = Counter(v for r in recs for v in (r[facet] if facet in MULTI else [r[facet]]))
            assert {v["id"]: v["count"] for v in page[facet]} == dict(counts), facet
            assert sorted(index["values"][facet]) == sorted(counts)
        assert [r["overdue"] for r in recs] == [v["overdue"] for v in ordered]
        assert any(r["overdue"] for r in recs) and not all(r["overdue"] for r in recs)


def test_overdue_depends_on_the_build_date(catalogue):
    early = records(build_index(catalogue, "vi", dt.date(2020, 1, 1)))
    assert not any(r["overdue"] for r in early)


def test_no_internal_value_is_in_the_index(catalogue, indexes):
    secrets = set()
    for d in catalogue.datasets:
        secrets.update(str(v) for v in d.internal.values())
        secrets.update(x.url for x in d.distributions if x.internal)
    assert len(secrets) >= 10  # the starter catalogue has internal blocks and internal distributions
    for index in indexes.values():
        text = dumped(index)
        for secret in secrets:
            assert secret not in text
            assert fold(secret) not in text
        assert "lgsp.hanoi.gov.vn/internal" not in text


# ---------------------------------------------------------------------------------------------
# search.js folds like citycat.model.vietnamese.fold


def test_search_js_folds_as_python_does(catalogue, tmp_path):
    node = need_program("node", "Debian: apt-get install nodejs")
    source = (ROOT / "site" / "static" / "search.js").read_text("utf-8")
    match = re.search(r"const fold = \(s\) =>\s*(.+?);\n", source, re.S)
    assert match, "search.js no longer defines `const fold = (s) => …;`"
    words = {"Y tế", "Đường", "ĐƯỜNG", "Hòa", "Hoà", "Thủy", "Thuỷ", "Ứng Hòa", "Sở Y tế (SYT)"}
    for d in catalogue.datasets:
        words.update([d.text("title", "vi"), d.text("title", "en"), *d.items("keywords.vi")])
    (tmp_path / "words.json").write_text(json.dumps(sorted(words), ensure_ascii=False), "utf-8")
    script = f"const fold = (s) => {match.group(1)};\n" + (
        "const words = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));\n"
        "process.stdout.write(JSON.stringify(words.map(fold)));\n"
    )
    out = subprocess.run(
        [node, "-e", script, str(tmp_path / "words.json")], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [fold(w) for w in sorted(words)]


# ---------------------------------------------------------------------------------------------
# list.html and partials/facets.html, with stand-ins for base.html and the dataset card


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def render(catalogue, lang: str) -> str:
    """The list page as ``citycat build`` writes it, with the real theme."""
    from citycat.pipeline import stages
    from citycat.site.render import Renderer
    from citycat.source.inputs import default_theme

    want = ("en/" if lang == "en" else "") + "datasets/index.html"
    scored = stages.score(catalogue, (), TODAY)
    pages = stages.pages(catalogue, TODAY, "public", scored)
    renderer = Renderer(catalogue, default_theme(), TODAY, "public", scored)
    for rel, data in stages.site_files(renderer, catalogue.datasets, pages, pages):
        if rel == want:
            return data.decode("utf-8")
    raise AssertionError(f"{want} was not rendered")


@pytest.mark.parametrize("lang", LANGS)
def test_list_page_has_the_search_form_and_every_dataset(catalogue, lang):
    html = render(catalogue, lang)
    parsed = Tags()
    parsed.feed(html)
    tags = parsed.tags
    by_id = {a["id"]: (tag, a) for tag, a in tags if a.get("id")}
    form = by_id["search"][1]
    assert by_id["search"][0] == "form" and form["method"] == "get"
    assert form["data-index"] == ("../search-index.json" if lang == "vi" else "../../en/search-index.json")
    assert form["data-lang"] == lang
    assert by_id["q"] == ("input", by_id["q"][1]) and by_id["q"][1]["type"] == "search"
    assert by_id["q"][1]["name"] == "q"
    assert ("label", {"for": "q"}) in tags
    count = by_id["count"][1]
    assert count["aria-live"] == "polite" and "{n}" in count["data-one"] and "{n}" in count["data-other"]
    assert by_id["datasets"][0] == "ol"
    cards = [a["data-id"] for tag, a in tags if tag == "li" and "data-id" in a]
    assert cards == [d.id for d in views.sorted_datasets(catalogue.datasets, lang)]
    boxes = [(a["name"], a["value"]) for tag, a in tags if tag == "input" and a.get("type") == "checkbox"]
    facets = views.facets(catalogue, views.sorted_datasets(catalogue.datasets, lang), lang)
    expected = [(f, v["id"]) for f in views.FACETS for v in facets[f]] + [("overdue", "1")]
    assert boxes == expected
    assert html.count("<fieldset") == html.count("<legend>") == len(views.FACETS) + 1
    assert html.count('<span class="count">') == len(boxes)
    assert "<noscript>" in html and "search.js" in html
    assert ("49 bộ dữ liệu" if lang == "vi" else "49 datasets") in html


def test_rows_carry_the_modified_and_due_dates(catalogue, indexes):
    """The list's "last modified" and "due date" orders need them: day numbers since 1970-01-01."""
    by_id = {d.id: d for d in catalogue.datasets}
    for index in indexes.values():
        recs = records(index)
        for r in recs:
            assert r["modified"] == by_id[r["id"]].date("modified")
            assert r["due"] == by_id[r["id"]].due
        # both kinds occur: dates, and datasets without one (null, sorted last by search.js)
        assert any(r["modified"] for r in recs) and any(r["due"] for r in recs)
        days = {row[index["fields"].index("due")] for row in index["rows"]}
        assert all(x is None or isinstance(x, int) for x in days)
        assert dt.date(1970, 1, 1) + dt.timedelta(days=max(x for x in days if x)) == max(
            r["due"] for r in recs if r["due"]
        )
