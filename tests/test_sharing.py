"""Sharing at a glance (``citycat.site.sharing``): who provides data to whom, as the site's page,
each agency's panel and the inspection report show it.

The expected figures are counted here from the entries' YAML, read with PyYAML, not by citycat:
a dataset's ``agency`` provides it to each agency in its ``sharing.consumers`` (other than
itself). The public site counts only the datasets whose access level is listed publicly (open and
shared); the report and the internal edition count every dataset.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from citycat.model.policy import INTERNAL, PUBLIC
from citycat.pipeline.build import build
from citycat.site import sharing
from citycat.source.load import load
from tests.conftest import TODAY, copy_starter

PUBLICLY_LISTED = {"open", "shared"}
POLICE = "cong-an-thanh-pho"  # its one dataset is internal: on the public site it provides nothing
TOURISM = "so-du-lich"


def expected(root: Path, levels: set[str] | None) -> dict[str, dict[str, int]]:
    """{provider: {user: datasets}} counted from datasets.yaml (``levels``: the access levels
    counted, None for all)."""
    entries = yaml.safe_load((root / "datasets.yaml").read_text("utf-8"))["datasets"]
    out: dict[str, dict[str, int]] = {}
    for e in entries:
        if levels is not None and e["access"] not in levels:
            continue
        for user in dict.fromkeys((e.get("sharing") or {}).get("consumers") or []):
            if user != e["agency"]:
                row = out.setdefault(e["agency"], {})
                row[user] = row.get(user, 0) + 1
    return out


def add_consumer(root: Path, dataset_id: str, agency: str) -> None:
    """Let ``agency`` use ``dataset_id`` (first in its ``consumers:`` list)."""
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    start = text.index(f"- id: {dataset_id}\n")
    at = text.index("consumers: [", start) + len("consumers: [")
    path.write_text(text[:at] + agency + ", " + text[at:], "utf-8")


@pytest.fixture(scope="module")
def catalogue_root(tmp_path_factory) -> Path:
    """A copy of the starter where the police's internal dataset is also used by the Department
    of Tourism: a pair no listed dataset makes."""
    root = copy_starter(tmp_path_factory.mktemp("sharing") / "root")
    internal = next(d for d in load(root).catalogue.datasets if d.agency == POLICE)
    assert internal.access == "internal"
    add_consumer(root, internal.id, TOURISM)
    return root


@pytest.fixture(scope="module")
def site(catalogue_root, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sharing-site") / "out"
    build(catalogue_root, out, TODAY)
    return out


@pytest.fixture(scope="module")
def c(catalogue_root):
    return load(catalogue_root).catalogue


# ---------------------------------------------------------------------------------------------
# The figures


def test_flows_count_the_datasets_each_edition_lists(c, catalogue_root):
    public, everything = sharing.flows(c, PUBLIC), sharing.flows(c, INTERNAL)
    assert public == expected(catalogue_root, PUBLICLY_LISTED)
    assert everything == expected(catalogue_root, None)
    # read from the entries: Finance uses two open datasets of the Department of Health (its
    # licensed health-care facilities and its social-protection facilities)
    assert public["so-y-te"]["so-tai-chinh"] == 2
    # the police's only dataset is internal: publicly it provides nothing, internally to four
    assert POLICE not in public
    assert everything[POLICE] == {
        TOURISM: 1,
        "so-tu-phap": 1,
        "so-y-te": 1,
        "trung-tam-phuc-vu-hanh-chinh-cong": 1,
    }
    assert all(n > 0 for row in public.values() for n in row.values())
    assert all(p not in row for p, row in everything.items())  # never an agency to itself


def test_an_agency_listed_twice_as_a_user_counts_once(tmp_path):
    root = copy_starter(tmp_path / "root")
    before = sharing.flows(load(root).catalogue, PUBLIC)["so-y-te"]["so-tai-chinh"]
    add_consumer(root, "co-so-tro-giup-xa-hoi-bao-tro-xa-hoi", "so-tai-chinh")  # already there
    add_consumer(root, "co-so-tro-giup-xa-hoi-bao-tro-xa-hoi", "so-y-te")  # its own agency
    flow = sharing.flows(load(root).catalogue, PUBLIC)
    assert flow["so-y-te"]["so-tai-chinh"] == before and "so-y-te" not in flow["so-y-te"]


def test_the_panel_of_an_agency_that_shares_nothing(c):
    view = sharing.page_view(c, PUBLIC, "en")
    police = next(p for p in view["agencies"] if p["id"] == POLICE)
    assert police["provides"] == [] and police["shared"] == 0 and police["uses"]
    assert POLICE in {x["id"] for x in view["provide_nothing"]}
    tourism = next(p for p in view["agencies"] if p["id"] == TOURISM)
    assert POLICE not in {x["id"] for x in tourism["uses"]}
    everything = sharing.page_view(c, INTERNAL, "en")
    tourism = next(p for p in everything["agencies"] if p["id"] == TOURISM)
    assert {x["id"]: x["count"] for x in tourism["uses"]}[POLICE] == 1


def test_the_matrix_holds_every_figure_and_escapes_its_labels(c):
    view = sharing.page_view(c, PUBLIC, "en")
    flow = sharing.flows(c, PUBLIC)
    ids = [x["id"] for x in view["columns"]]
    assert ids == [r["id"] for r in view["rows"]] and set(c.agencies) <= set(ids)
    for row in view["rows"]:
        assert row["cells"] == [flow.get(row["id"], {}).get(u, 0) for u in ids]
    svg = sharing.matrix_svg(view, "T <&>", "D")
    numbers = sorted(int(n) for n in re.findall(r'class="sharing-num[^"]*"[^>]*>(\d+)<', svg))
    assert numbers == sorted(n for row in flow.values() for n in row.values())
    assert svg.count('class="sharing-cell') == len(ids) ** 2
    assert '<title id="sharing-svg-t">T &lt;&amp;&gt;</title>' in svg
    view["columns"][0]["abbreviation"] = "<A&B>"
    assert "&lt;A&amp;B&gt;" in sharing.matrix_svg(view, "T", "D") and "<A&B>" not in sharing.matrix_svg(
        view, "T", "D"
    )


# ---------------------------------------------------------------------------------------------
# The page and the agency panel


class Tables(HTMLParser):
    """The text of each table cell, row by row, and the text of each element with a class."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def read(path: Path) -> Tables:
    p = Tables()
    p.feed(path.read_text("utf-8"))
    return p


def plain(path: Path) -> str:
    return " ".join("".join(read(path).text).split())


def test_the_page_shows_the_public_figures_as_a_table(c, site, catalogue_root):
    flow = expected(catalogue_root, PUBLICLY_LISTED)
    for lang, page in (("vi", site / "sharing/index.html"), ("en", site / "en/sharing/index.html")):
        rows = read(page).rows
        header = rows[0]
        abbr = {a.get("abbreviation"): a.id for a in c.agencies.values()}
        columns = [abbr[x] for x in header[1:]]
        assert len(columns) == len(c.agencies)
        for row in rows[1:]:
            provider = abbr[row[0]]
            for user, cell in zip(columns, row[1:], strict=True):
                want = "–" if user == provider else str(flow.get(provider, {}).get(user, 0))
                assert cell == want, (lang, provider, user)
        text = page.read_text("utf-8")
        assert text.count('class="sharing-num') == sum(len(r) for r in flow.values())  # the SVG's numbers
        assert 'role="img"' in text and "sharing-table-cap" in text


def test_the_page_and_panels_say_plainly_who_shares_nothing(site, c, catalogue_root):
    page = plain(site / "en/sharing/index.html")
    nothing = [a for a in c.agencies if a not in expected(catalogue_root, PUBLICLY_LISTED)]
    assert POLICE in nothing and page.count("Provides nothing to other agencies.") == len(nothing)
    police = plain(site / f"en/agencies/{POLICE}/index.html")
    assert "Sharing with other agencies" in police and "Provides nothing to other agencies." in police
    vi = plain(site / f"agencies/{POLICE}/index.html")
    assert "Chưa cung cấp dữ liệu cho cơ quan nào." in vi


def test_the_agency_panel_lists_the_public_figures(site, c, catalogue_root):
    flow = expected(catalogue_root, PUBLICLY_LISTED)
    back: dict[str, set[str]] = {}
    for provider, row in flow.items():
        for user in row:
            back.setdefault(user, set()).add(provider)
    for agency in ("so-y-te", TOURISM):
        text = plain(site / f"en/agencies/{agency}/index.html")
        panel = text[text.index("Sharing with other agencies") : text.index("This agency's datasets")]
        for other, n in flow.get(agency, {}).items():
            a = c.agencies[other]
            count = "1 dataset" if n == 1 else f"{n} datasets"
            assert f"{a.text('name', 'en')} ({a.get('abbreviation')}): {count}" in panel, (agency, other)
        uses = panel[panel.index("Uses data of") :]
        assert {o for o in c.agencies if f"({c.agencies[o].get('abbreviation')}):" in uses} == set(
            back.get(agency, {})
        )
    # the internal dataset's user never sees it on the public site
    tourism = plain(site / f"en/agencies/{TOURISM}/index.html")
    assert "Hanoi City Police (CATP)" not in tourism[tourism.index("Uses data of") :]


def test_the_internal_edition_counts_every_dataset(catalogue_root, tmp_path):
    out = tmp_path / "intranet"
    build(catalogue_root, out, TODAY, INTERNAL)
    tourism = plain(out / f"en/agencies/{TOURISM}/index.html")
    assert "Hanoi City Police (CATP): 1 dataset" in tourism
    assert "internal ones included" in plain(out / "en/sharing/index.html")


def test_the_page_is_linked_from_the_header_and_in_the_sitemap(site):
    home = (site / "en/index.html").read_text("utf-8")
    assert 'href="../en/sharing/">Sharing</a>' in home
    page = (site / "en/sharing/index.html").read_text("utf-8")
    assert '<li><a href="../../en/sharing/" aria-current="page">Sharing</a></li>' in page
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert "/sharing/</loc>" in sitemap and "/en/sharing/</loc>" in sitemap


# ---------------------------------------------------------------------------------------------
# The inspection report


def report(root: Path, *args: str) -> str:
    res = subprocess.run(
        [sys.executable, "-m", "citycat", "report", "-C", str(root), "--today", TODAY.isoformat(), *args],
        capture_output=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr.decode()
    return res.stdout.decode()


def test_the_report_has_the_figures_in_json_and_markdown(catalogue_root, c):
    r = json.loads(report(catalogue_root, "-f", "json", "--lang", "en"))
    assert r["sharing"]["flows"] == expected(catalogue_root, None)  # every dataset, as the report counts
    rows = {x["id"]: x for x in r["sharing"]["agencies"]}
    assert set(rows) == set(c.agencies)
    police = rows[POLICE]
    assert (
        police["shared"] == 1
        and {x["id"]: x["count"] for x in police["provides"]} == r["sharing"]["flows"][POLICE]
    )
    for agency, row in rows.items():
        used = {p: flow[agency] for p, flow in r["sharing"]["flows"].items() if agency in flow}
        assert {x["id"]: x["count"] for x in row["uses"]} == used
        assert row["used"] == sum(used.values())
    md = report(catalogue_root, "--lang", "en")
    section = md[md.index("## Data sharing between agencies") :]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    assert len(lines) == 1 + len(c.agencies)  # the header and one row per agency
    health = next(line for line in lines if "| SYT |" in line)
    provides = ", ".join(f"{x['abbreviation']} {x['count']}" for x in rows["so-y-te"]["provides"])
    assert f"| {provides} |" in health
    tourism = next(line for line in lines if "| SDL |" in line)
    assert "CATP 1" in tourism
