"""Browser fixtures for the end-to-end tests.

The tests drive Debian's Chromium (``apt-get install chromium``), not a browser downloaded
by Playwright. Without it the tests are skipped, except under CI (env ``CI`` set), where a
missing browser is a failure.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from civicdesk.core.testing import _database_with_migrated_rows  # noqa: F401 - fixture

# Playwright's sync API runs an asyncio event loop in the test thread; Django would take the
# test's own (synchronous) database access for access from async code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000


@pytest.fixture(autouse=True)
def _site_url_is_the_live_server(live_server, settings):
    """Links the product writes out in full (rating invitations, messages) point at the
    server the browser can reach, not at the unit tests' http://testserver."""
    settings.CIVICDESK_SITE_URL = live_server.url


@pytest.fixture
def browser(live_server):
    """Chromium, started for each test.

    While Playwright's sync API is in use, an asyncio loop counts as running in this thread,
    so Django hands the test other database connections than the ones the test database was
    set up (and serialized) with. Starting the browser after the test's database set-up, and
    closing those extra connections before it stops, keeps both sets of connections right.
    """
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is missing: install Debian's Chromium "
            "(apt-get install -y --no-install-recommends chromium) to run the browser tests"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


@pytest.fixture
def new_context(browser, live_server) -> Iterator:
    """Open browser contexts (one per person) that reach only the live server."""
    contexts = []
    origin = live_server.url

    def make(**options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(base_url=origin, **options)
        context.set_default_timeout(TIMEOUT_MS)
        # No test may depend on the internet (map tiles and the like): refuse other origins.
        context.route(
            lambda url: not (url == origin or url.startswith(origin + "/")),
            lambda route: route.abort(),
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def open_page():
    """Open a page that records uncaught JavaScript errors in ``page.js_errors``."""

    def make(context):
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        return page

    return make
