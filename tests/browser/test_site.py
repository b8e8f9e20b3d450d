"""What the pages show without JavaScript, and what machines read from them (JSON-LD)."""

from __future__ import annotations

import json

import pytest

LANGS = ("vi", "en")


def prefix(lang: str) -> str:
    return "/en/" if lang == "en" else "/"


@pytest.mark.parametrize("lang", LANGS)
def test_list_page_without_javascript_shows_every_dataset(nojs_tab, catalogue, lang):
    nojs_tab.goto(prefix(lang) + "datasets/")
    # search.js did not run (it marks the form ready once the index is in)
    assert nojs_tab.page.locator("form#search").get_attribute("data-ready") is None
    items = nojs_tab.page.locator("#datasets > li[data-id]")
    ids = items.evaluate_all("lis => lis.map(li => li.dataset.id)")
    assert sorted(ids) == sorted(d.id for d in catalogue.datasets)
    assert len(ids) == len(set(ids))
    for i in range(items.count()):
        assert items.nth(i).is_visible(), f"{ids[i]} is hidden without JavaScript"
    titles = items.locator(".card-title").all_inner_texts()
    assert sorted(t.strip() for t in titles) == sorted(d.text("title", lang) for d in catalogue.datasets)
    # the note that search needs JavaScript is shown, and the page did not hide the list behind it
    assert nojs_tab.page.locator("noscript").count() >= 1
    assert nojs_tab.page.locator("#no-results").is_hidden()


@pytest.mark.parametrize("lang", LANGS)
def test_dataset_page_without_javascript_shows_distributions_and_dictionary(nojs_tab, catalogue, rich, lang):
    nojs_tab.goto(f"{prefix(lang)}datasets/{rich.id}/")
    main = nojs_tab.page.locator("main")
    assert nojs_tab.page.locator("h1").inner_text().strip() == rich.text("title", lang)

    dists = nojs_tab.page.locator("section[aria-labelledby='dist-h'] tbody tr")
    assert dists.count() == len(rich.public_distributions())
    rows = dists.all_inner_texts()
    for x in rich.public_distributions():
        assert any(x.text("title", lang) in row for row in rows), (
            f"distribution {x.text('title', lang)!r} missing"
        )
        link = main.locator(f'a[href="{x.url}"]')
        assert link.count() >= 1 and link.first.is_visible(), f"no visible link to {x.url}"

    schema = catalogue.table_schemas[rich.get("schema")]
    names = [f["name"] for f in schema["fields"]]
    dictionary = nojs_tab.page.locator("section[aria-labelledby='dict-h']")
    assert dictionary.is_visible()
    cells = dictionary.locator("tbody th[scope=row] code").all_inner_texts()
    assert cells == names


@pytest.mark.parametrize("lang", LANGS)
def test_dataset_json_ld_names_the_dataset(tab, catalogue, rich, lang):
    path = f"{prefix(lang)}datasets/{rich.id}/"
    tab.goto(path)
    blocks = tab.page.locator('script[type="application/ld+json"]')
    assert blocks.count() == 1
    doc = json.loads(blocks.text_content())
    assert doc["@type"] == "Dataset"
    assert doc["name"] == rich.text("title", lang)
    assert doc["identifier"] == rich.id
    assert doc["url"].endswith(path)
    assert doc["inLanguage"] == lang
    assert doc["publisher"]["name"] == catalogue.agencies[rich.agency].text("name", lang)
    urls = [d["contentUrl"] for d in doc.get("distribution", [])]
    assert urls == [x.url for x in rich.public_distributions() if x.url]
