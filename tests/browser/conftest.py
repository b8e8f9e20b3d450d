"""Browser tests: the starter catalogue built once, served on loopback, driven by Debian's Chromium.

Real parts only: ``citycat.pipeline.build.build`` writes the site, ``citycat.pipeline.serve.make_server`` serves it
on 127.0.0.1, Playwright drives ``/usr/bin/chromium`` (Debian's package; Playwright's own browser
download is never used) and axe-core comes from ``node_modules`` (``npm ci``). Nothing is fetched
from anywhere else: every request Chromium makes to a host other than loopback is blocked and
fails the test that caused it.

Without Chromium, axe-core or Playwright the suite is skipped with the reason, except under CI
(``CI=true``), where a missing part fails every browser test (``tests.conftest.missing``).
"""

from __future__ import annotations

import contextlib
import ipaddress
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, TODAY, missing, starter_root

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGS = ("vi", "en")


def _missing() -> list[str]:
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not AXE.is_file():
        missing.append(f"{AXE.relative_to(ROOT)} (npm ci)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright (pip install -e '.[test]')")
    return missing


MISSING = _missing()


def require_browser_parts() -> None:
    """Skip (on a developer's machine) or fail (under CI) when the browser parts are missing."""
    if MISSING:
        missing("browser tests need " + "; ".join(MISSING))


@pytest.fixture(autouse=True)
def _browser_parts_present():
    require_browser_parts()


# ---------------------------------------------------------------------------------------------
# The catalogue and the built site


@pytest.fixture(scope="session")
def catalogue():
    """The starter catalogue as citycat loads it: what the pages are expected to show."""
    require_browser_parts()
    from citycat.source.load import load

    return load(starter_root()).catalogue


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    require_browser_parts()
    from citycat.pipeline.build import build

    out = tmp_path_factory.mktemp("browser-site") / "out"
    build(starter_root(), out, TODAY)
    return out


@contextlib.contextmanager
def served(site: Path, name: str = "citycat-site"):
    """A built site served by citycat's own server on a free loopback port: its address."""
    from citycat.pipeline.serve import make_server

    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> str:
    """The built site served by citycat's own server on a free loopback port."""
    with served(site_dir) as url:
        yield url


# ---------------------------------------------------------------------------------------------
# Chromium


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-error", "javascript"):
        return True
    host = (parts.hostname or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Guard:
    """What the pages of one context did that a test may not allow: off-host requests."""

    offsite: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def playwright_driver():
    require_browser_parts()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def _launch(playwright_driver, guard: Guard, **options):
    profile = tempfile.mkdtemp(prefix="citycat-chromium-")
    context = playwright_driver.chromium.launch_persistent_context(
        profile,
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        **options,
    )

    def block_offsite(route):
        guard.offsite.append(f"{route.request.method} {route.request.url}")
        route.abort("blockedbyclient")

    context.route(lambda url: not is_loopback(url), block_offsite)
    return context, profile


@pytest.fixture(scope="session")
def _contexts(playwright_driver):
    """Chromium contexts by kind, launched when first asked for and closed at the end."""
    opened: dict[str, tuple] = {}
    options = {
        "default": {},
        "axe": {"bypass_csp": True},  # axe-core is injected as a script the site's CSP forbids
        "nojs": {"java_script_enabled": False},
    }

    def get(kind: str):
        if kind not in opened:
            guard = Guard()
            context, profile = _launch(playwright_driver, guard, **options[kind])
            opened[kind] = (context, guard, profile)
        return opened[kind][:2]

    yield get
    for context, _guard, profile in opened.values():
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


class Tab:
    """One page of a context, with what it logged: console errors, page errors, off-host requests."""

    def __init__(self, context, guard: Guard, base_url: str):
        self.page = context.new_page()
        self.guard = guard
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.page.on(
            "requestfailed",
            lambda req: self.failed_requests.append(f"{req.url} ({req.failure})"),
        )
        guard.offsite.clear()

    def _console(self, msg) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            self.console_errors.append(f"{msg.text} [{where}]")

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    def goto(self, path: str, expect_status: int = 200):
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None, f"no response for {path}"
        assert response.status == expect_status, f"{path}: HTTP {response.status}, expected {expect_status}"
        return response

    def settle(self) -> None:
        """Wait until the page has fetched what it asked for (the search index) and rendered."""
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def axe(self) -> list[dict]:
        """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
        assert self.page.evaluate("typeof axe") == "undefined", "axe-core must come from node_modules only"
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG,
        )
        return result["violations"]

    def problems(self) -> list[str]:
        return (
            [f"console error: {x}" for x in self.console_errors]
            + [f"page error: {x}" for x in self.page_errors]
            + [f"failed request: {x}" for x in self.failed_requests]
        )

    def close(self) -> None:
        self.page.close()


def _tab(request, kind: str, base_url: str, _contexts):
    context, guard = _contexts(kind)
    tab = Tab(context, guard, base_url)
    request.node._citycat_guard = guard
    return tab


@pytest.fixture
def tab(request, base_url, _contexts):
    """A fresh page in a Chromium context with JavaScript on and the site's CSP enforced."""
    t = _tab(request, "default", base_url, _contexts)
    yield t
    t.close()


@pytest.fixture
def axe_tab(request, base_url, _contexts):
    """A fresh page in a context that lets axe-core's injected script run despite the CSP."""
    t = _tab(request, "axe", base_url, _contexts)
    yield t
    t.close()


@pytest.fixture
def nojs_tab(request, base_url, _contexts):
    """A fresh page in a context with JavaScript disabled."""
    t = _tab(request, "nojs", base_url, _contexts)
    yield t
    t.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail the test itself (not its teardown) when its pages tried to reach another host."""
    result = yield
    guard = getattr(item, "_citycat_guard", None)
    if guard is not None and guard.offsite:
        blocked = "\n  ".join(guard.offsite)
        raise AssertionError(f"Chromium tried to reach hosts other than loopback (blocked):\n  {blocked}")
    return result


# ---------------------------------------------------------------------------------------------
# Pages of each type


def rich_dataset(catalogue):
    """The first dataset (by id) with a data dictionary and a public distribution."""
    for d in sorted(catalogue.datasets, key=lambda d: d.id):
        if d.get("schema") and d.public_distributions():
            return d
    raise AssertionError("the starter catalogue has no dataset with a Table Schema and a distribution")


def page_paths(catalogue) -> dict[str, str]:
    """One page of each type (below the language prefix), named by type."""
    dataset = rich_dataset(catalogue)
    agency = sorted(catalogue.agencies)[0]
    theme = sorted(catalogue.themes)[0]
    return {
        "home": "",
        "list": "datasets/",
        "dataset": f"datasets/{dataset.id}/",
        "agencies": "agencies/",
        "agency": f"agencies/{agency}/",
        "themes": "themes/",
        "theme": f"themes/{theme}/",
        "annex": "list/",
    }


def lang_path(lang: str, path: str) -> str:
    return ("/en/" if lang == "en" else "/") + path


@pytest.fixture(scope="session")
def page_of(catalogue):
    """``page_of(kind, lang)``: the address of one page of that type in that language."""
    paths = page_paths(catalogue)

    def of(kind: str, lang: str) -> str:
        return lang_path(lang, paths[kind])

    return of


@pytest.fixture(scope="session")
def rich(catalogue):
    """A dataset with a data dictionary and public distributions."""
    return rich_dataset(catalogue)
