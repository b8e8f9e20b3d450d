"""The same generated catalogue as a JKAN-style Jekyll site and as a Hugo site, for a side-by-side
build benchmark (``build_bench.py --peers``). Written into a temporary folder at run time; nothing
here is committed but this generator.

Both peers get what a catalogue site of their kind shows, from the same ``datasets.yaml``
(``generate.py``) that citycat builds:

- **Jekyll, JKAN-style** (github.com/timwis/jkan): a ``_datasets`` collection, one Markdown file
  per dataset whose front matter holds title, organization, notes, category, license and
  ``resources`` (name, url, format); a ``dataset`` layout (title, organization, notes through
  ``markdownify``, resources table, license, keywords) and ``datasets/index.html`` listing every
  dataset (as JKAN's list does before its JavaScript filters it); an organizations page.
- **Hugo**: ``content/datasets/*.md`` with the same front matter (YAML), a minimal theme in
  ``layouts/`` with a base template, the datasets' list (every dataset, no pagination) and a
  single page.

Vietnamese texts (the catalogue's first language) throughout, as citycat's root pages.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(root: Path) -> tuple[list[dict], dict[str, str], dict[str, str]]:
    """The datasets of ``root/datasets.yaml``, and the agencies' and themes' Vietnamese names."""
    datasets = yaml.load((root / "datasets.yaml").read_text("utf-8"), Loader=Loader)["datasets"]
    agencies = yaml.load((root / "catalogue/agencies.yaml").read_text("utf-8"), Loader=Loader)["agencies"]
    themes = yaml.load((root / "catalogue/themes.yaml").read_text("utf-8"), Loader=Loader)["themes"]
    return datasets, {a["id"]: a["name"]["vi"] for a in agencies}, {t["id"]: t["name"]["vi"] for t in themes}


def front_matter(d: dict, agencies: dict[str, str], themes: dict[str, str]) -> dict:
    """A JKAN dataset's front matter (``_datasets/x.md``), also used as Hugo's."""
    return {
        "schema": "default",
        "title": d["title"]["vi"],
        "organization": agencies.get(d["agency"], d["agency"]),
        "notes": d.get("description", {}).get("vi", ""),
        "category": [themes.get(t, t) for t in d.get("themes", [])],
        "keywords": list(d.get("keywords", {}).get("vi", [])),
        "license": d.get("licence", ""),
        "maintainer": d.get("contact", {}).get("name", ""),
        "maintainer_email": d.get("contact", {}).get("email", ""),
        "status": d.get("status", ""),
        "resources": [
            {
                "name": x["title"]["vi"],
                "url": x.get("download_url") or x.get("access_url", ""),
                "format": x.get("format", ""),
            }
            for x in d.get("distributions", [])
        ],
    }


def _md(meta: dict) -> str:
    # JSON is YAML: quick to write and safe to read back for both generators
    return "---\n" + json.dumps(meta, ensure_ascii=False, indent=1) + "\n---\n"


JEKYLL_DEFAULT = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ page.title }} – {{ site.title }}</title>
<link rel="stylesheet" href="{{ '/css/main.css' | relative_url }}"></head>
<body><header><a href="{{ '/' | relative_url }}">{{ site.title }}</a>
<nav><a href="{{ '/datasets/' | relative_url }}">Bộ dữ liệu</a> <a href="{{ '/organizations/' | relative_url }}">Cơ quan</a></nav></header>
<main>{{ content }}</main></body></html>
"""

JEKYLL_DATASET = """---
layout: default
---
<h1>{{ page.title }}</h1>
<p class="organization">{{ page.organization }}</p>
<div class="notes">{{ page.notes | markdownify }}</div>
<h2>Tài nguyên</h2>
<table><thead><tr><th>Tên</th><th>Định dạng</th></tr></thead><tbody>
{% for resource in page.resources %}<tr><td><a href="{{ resource.url }}">{{ resource.name }}</a></td><td>{{ resource.format }}</td></tr>
{% endfor %}</tbody></table>
<dl><dt>Giấy phép</dt><dd>{{ page.license }}</dd>
<dt>Lĩnh vực</dt><dd>{{ page.category | join: ", " }}</dd>
<dt>Từ khóa</dt><dd>{{ page.keywords | join: ", " }}</dd>
<dt>Liên hệ</dt><dd><a href="mailto:{{ page.maintainer_email }}">{{ page.maintainer }}</a></dd></dl>
"""

JEKYLL_LIST = """---
layout: default
title: Danh sách bộ dữ liệu
---
<h1>Danh sách bộ dữ liệu</h1>
<p>{{ site.datasets | size }} bộ dữ liệu</p>
<ul class="datasets">
{% assign datasets = site.datasets | sort: "title" %}{% for dataset in datasets %}<li><h3><a href="{{ dataset.url | relative_url }}">{{ dataset.title }}</a></h3>
<p>{{ dataset.organization }}</p><p>{{ dataset.notes | truncate: 160 }}</p>
<p>{% for resource in dataset.resources %}<span class="format">{{ resource.format }}</span> {% endfor %}</p></li>
{% endfor %}</ul>
"""

JEKYLL_ORGANIZATIONS = """---
layout: default
title: Cơ quan
---
<h1>Cơ quan</h1>
<ul>{% assign orgs = site.datasets | group_by: "organization" %}{% for org in orgs %}<li>{{ org.name }} ({{ org.size }})</li>{% endfor %}</ul>
"""


def jekyll_site(root: Path, target: Path) -> Path:
    """A JKAN-style Jekyll source folder of ``root``'s datasets in ``target``."""
    datasets, agencies, themes = read(root)
    (target / "_datasets").mkdir(parents=True)
    (target / "_layouts").mkdir()
    (target / "datasets").mkdir()
    (target / "organizations").mkdir()
    (target / "css").mkdir()
    (target / "_config.yml").write_text(
        'title: "Danh mục dữ liệu"\nmarkdown: kramdown\n'
        "collections:\n  datasets:\n    output: true\n    permalink: /datasets/:path/\n"
        "defaults:\n  - scope: {path: '', type: datasets}\n    values: {layout: dataset}\n",
        "utf-8",
    )
    (target / "_layouts/default.html").write_text(JEKYLL_DEFAULT, "utf-8")
    (target / "_layouts/dataset.html").write_text(JEKYLL_DATASET, "utf-8")
    (target / "datasets/index.html").write_text(JEKYLL_LIST, "utf-8")
    (target / "organizations/index.html").write_text(JEKYLL_ORGANIZATIONS, "utf-8")
    (target / "index.html").write_text(
        "---\nlayout: default\ntitle: Trang chủ\n---\n<h1>Danh mục</h1>\n", "utf-8"
    )
    (target / "css/main.css").write_text("body{font-family:sans-serif}\n", "utf-8")
    for d in datasets:
        (target / "_datasets" / f"{d['id']}.md").write_text(_md(front_matter(d, agencies, themes)), "utf-8")
    return target


HUGO_BASEOF = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }} – {{ .Site.Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav><a href="{{ "/datasets/" | relURL }}">Bộ dữ liệu</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""

HUGO_LIST = """{{ define "main" }}
<h1>Danh sách bộ dữ liệu</h1>
<p>{{ len .Pages }} bộ dữ liệu</p>
<ul class="datasets">
{{ range .Pages.ByTitle }}<li><h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p>{{ .Params.organization }}</p><p>{{ truncate 160 .Params.notes }}</p>
<p>{{ range .Params.resources }}<span class="format">{{ .format }}</span> {{ end }}</p></li>
{{ end }}</ul>
{{ end }}
"""

HUGO_SINGLE = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<p class="organization">{{ .Params.organization }}</p>
<div class="notes">{{ .Params.notes | markdownify }}</div>
<h2>Tài nguyên</h2>
<table><thead><tr><th>Tên</th><th>Định dạng</th></tr></thead><tbody>
{{ range .Params.resources }}<tr><td><a href="{{ .url }}">{{ .name }}</a></td><td>{{ .format }}</td></tr>
{{ end }}</tbody></table>
<dl><dt>Giấy phép</dt><dd>{{ .Params.license }}</dd>
<dt>Lĩnh vực</dt><dd>{{ delimit .Params.category ", " }}</dd>
<dt>Từ khóa</dt><dd>{{ delimit .Params.keywords ", " }}</dd>
<dt>Liên hệ</dt><dd><a href="mailto:{{ .Params.maintainer_email }}">{{ .Params.maintainer }}</a></dd></dl>
{{ end }}
"""


def hugo_site(root: Path, target: Path) -> Path:
    """A Hugo source folder (content and a minimal theme in ``layouts/``) of ``root``'s datasets."""
    datasets, agencies, themes = read(root)
    (target / "content/datasets").mkdir(parents=True)
    (target / "layouts/_default").mkdir(parents=True)
    (target / "config.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "Danh mục dữ liệu"\nlanguageCode = "vi"\n'
        'disableKinds = ["taxonomy", "term", "RSS"]\n',
        "utf-8",
    )
    (target / "layouts/_default/baseof.html").write_text(HUGO_BASEOF, "utf-8")
    (target / "layouts/_default/list.html").write_text(HUGO_LIST, "utf-8")
    (target / "layouts/_default/single.html").write_text(HUGO_SINGLE, "utf-8")
    (target / "layouts/index.html").write_text('{{ define "main" }}<h1>Danh mục</h1>{{ end }}\n', "utf-8")
    (target / "content/datasets/_index.md").write_text('---\ntitle: "Danh sách bộ dữ liệu"\n---\n', "utf-8")
    for d in datasets:
        (target / "content/datasets" / f"{d['id']}.md").write_text(
            _md(front_matter(d, agencies, themes)), "utf-8"
        )
    return target
