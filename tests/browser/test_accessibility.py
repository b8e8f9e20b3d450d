"""axe-core (from node_modules, injected into each page) finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import pytest

LANGS = ("vi", "en")
PAGE_TYPES = ("home", "list", "dataset", "agencies", "agency", "themes", "theme", "annex")


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -- {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def check(tab, path: str, status: int = 200) -> None:
    tab.goto(path, expect_status=status)
    tab.settle()
    violations = tab.axe()
    if violations:
        print(f"{path}:\n{describe(violations)}")
    assert not violations, f"{path}: {len(violations)} WCAG 2.1 A/AA violations\n{describe(violations)}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_wcag_violations(axe_tab, page_of, kind, lang):
    check(axe_tab, page_of(kind, lang))


@pytest.mark.parametrize("path", ["/datasets/?q=y+te&access=open", "/en/datasets/?q=health&access=open"])
def test_no_wcag_violations_after_search(axe_tab, path):
    """The list as search.js rewrites it (results, count, ticked facets) is checked too."""
    check(axe_tab, path)


@pytest.mark.parametrize("path", ["/404.html", "/no-such-page/", "/en/datasets/no-such-dataset/"])
def test_no_wcag_violations_on_not_found_page(axe_tab, path):
    check(axe_tab, path, 200 if path == "/404.html" else 404)


def test_axe_reports_a_planted_violation(axe_tab):
    """The harness itself: an image without a text alternative must be reported (image-alt)."""
    axe_tab.goto("/404.html")
    axe_tab.settle()
    axe_tab.page.evaluate(
        """() => {
        const img = document.createElement('img');
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        img.id = 'planted';
        document.querySelector('main').append(img);
    }"""
    )
    violations = axe_tab.axe()
    assert [v["id"] for v in violations] == ["image-alt"], describe(violations)
    assert violations[0]["nodes"][0]["target"] == ["#planted"]
