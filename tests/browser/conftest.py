"""Browser tests: Playwright for Python driving Debian's Chromium (``/usr/bin/chromium``).

Playwright's own browser downloads are not used. A failing test leaves a screenshot in
``test-artifacts/`` (or ``$HOOKWIRE_TEST_ARTIFACTS``) for CI to keep.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from browser.web import Admin
from conftest import IN_CI, Server, free_port, open_database
from smtp_server import SmtpServer

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


@dataclass
class MailedServer:
    """A server of its own database that sends its emails to ``smtp``."""

    server: Server
    smtp: SmtpServer


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def mailed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MailedServer]:
    # Its own database: the shared test server's log driver must not claim these emails.
    with open_database(request.param, tmp_path_factory) as database:
        smtp = SmtpServer()
        port = free_port()
        env = {**smtp.env(), "SERVER_URL": f"http://127.0.0.1:{port}"}
        log = tmp_path_factory.mktemp("mailed") / f"{request.param}.log"
        server = Server(database, log, extra_env=env, port=port)
        try:
            yield MailedServer(server, smtp)
        finally:
            server.stop()
            smtp.stop()


@pytest.fixture
def open_page(chromium) -> Iterator[Callable[..., Any]]:
    """Opens pages in contexts of their own (separate cookies), closed after the test; no
    page may raise a JavaScript error."""
    contexts: list = []
    errors: list[str] = []

    def opener(server: Server, width: int = 1280):
        context = chromium.new_context(
            base_url=server.base_url, viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield opener
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def mailed_link(smtp: SmtpServer, address: str, link: re.Pattern[str]) -> str:
    """The one ``link`` in the emails ``address`` received, waiting for it to arrive: found
    in the text part, and the same in the HTML part."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = []
        for message in smtp.mailbox.to(address):
            parts = {p.get_content_type(): p.get_content() for p in message.iter_parts()}
            assert set(parts) == {"text/plain", "text/html"}
            for url in link.findall(parts["text/plain"]):
                assert url in parts["text/html"].replace("&amp;", "&")
                found.append(url)
        if found:
            [url] = found
            return url
        time.sleep(0.1)
    raise AssertionError(f"no email to {address} with a link like {link.pattern}")
