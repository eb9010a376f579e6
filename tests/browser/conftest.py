"""Browser tests: Playwright for Python driving Debian's Chromium (``/usr/bin/chromium``).

Playwright's own browser downloads are not used. A failing test leaves a screenshot in
``test-artifacts/`` (or ``$HOOKWIRE_TEST_ARTIFACTS``) for CI to keep.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser.web import Admin
from conftest import IN_CI, Server

playwright_api = pytest.importorskip("playwright.sync_api")
playwright_api.expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("HOOKWIRE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("HOOKWIRE_TEST_ARTIFACTS", "test-artifacts"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing; install Debian's chromium (apt-get install chromium)"
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, server: Server, request: pytest.FixtureRequest) -> Iterator:
    context = chromium.new_context(
        base_url=server.base_url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def signed_in(page, admin: Admin):
    """``page`` on /settings/apis, signed in as ``admin`` through the form."""
    page.goto("/settings/apis")
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill(admin.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/settings/apis")
    return page
