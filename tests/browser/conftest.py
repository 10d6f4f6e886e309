"""Browser tests: Playwright for Python driving Debian's chromium against the live server."""

import os
import shutil
import time

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls, so Django's async guard is lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, transactional_db, live_server):
    # transactional_db first: the page closes (and its last autosave or preview request ends)
    # before the database is flushed after the test.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1000, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:", "about:"))
            else elsewhere.append(request.url)
        ),
    )
    yield page
    quiet_close(context)
    assert elsewhere == [], f"pages requested other sites: {elsewhere}"


def quiet_close(context) -> None:
    """Close ``context`` without late writes racing the database flush after the test.

    Pages save drafts as they are hidden (sendBeacon) and refresh previews and counts by
    themselves; after the test nothing more may reach the server, so every request is refused
    first, the pages are left (sending what they send as they go, refused too), and requests
    the server already has get a moment to finish.
    """
    context.route("**/*", lambda route: route.abort())
    for open_page in context.pages:
        try:
            open_page.goto("about:blank", timeout=2_000)
        except Exception:  # noqa: BLE001, S110 - a page that will not leave is closed anyway
            pass
    time.sleep(0.2)
    context.close()
