"""Browser fixtures: Playwright driving Debian's chromium (never a downloaded browser),
with axe-core checks and a guard that no request leaves the site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.tooling import require_tool

# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    executable = require_tool("/usr/bin/chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    foreign: list[str] = []

    def record(request):
        url = request.url
        if not (url.startswith(live_server.url) or url.startswith(("data:", "blob:"))):
            foreign.append(url)

    page.on("request", record)
    return context, page, foreign


@pytest.fixture
def page(browser, live_server):
    """A desktop page on the live server; fails if any request leaves the site."""
    context, page, foreign = _new_page(browser, live_server, locale="fr-FR")
    yield page
    context.close()
    assert not foreign, f"requests left the site: {foreign}"


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page (390×844, touch) on the live server."""
    context, page, foreign = _new_page(
        browser,
        live_server,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    context.close()
    assert not foreign, f"requests left the site: {foreign}"


_AXE_SOURCE: str | None = None


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA) on the page; return serious and critical violations."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        import axe_playwright_python

        _AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
    # A click returns once the next page's headers are in, before its body is: axe run on a
    # document still arriving fails on its missing root element. Wait for the whole page.
    page.wait_for_load_state("load")
    page.evaluate(_AXE_SOURCE)
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def wait_for_dsfr(page) -> None:
    """Wait until the DSFR script has started (it sets data-fr-js on <html>) and the
    next frames are drawn, so axe sees the page as a person does, not a half-set one."""
    page.wait_for_load_state("load")  # the script tag may not have arrived yet
    if page.locator('script[src*="dsfr.module"]').count():
        page.wait_for_selector("html[data-fr-js]", state="attached", timeout=10_000)
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )


def assert_accessible(page, *, wait_for_scripts: bool = True) -> None:
    if wait_for_scripts:
        wait_for_dsfr(page)
    violations = axe_violations(page)
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"axe violations on {page.url}:\n" + "\n".join(details)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under var/screenshots/ to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_load_state("load")
    page.screenshot(path=str(path), full_page=True)
    return path


def follow(page, target) -> None:
    """Click a link or a submit button (a locator or a selector) and wait until the page it
    leads to has loaded: a click returns once that page's headers are in, before its body,
    so what is read right after it (text, counts, the database a redirect reports on) could
    be read on a half-arrived page."""
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()
