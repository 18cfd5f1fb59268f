"""Browser tests: Playwright driving Debian's chromium, one browser per session (a
second sync Playwright cannot start beside it). Registered as a plugin by
tests/conftest.py, so ``chromium`` and ``admin_page`` are fixtures everywhere."""

import contextlib
import os

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in this thread; the live server's fixtures
    # then touch the database from it. Set here, once, not at import of every browser module.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def new_page(chromium, base_url, viewport=(1280, 900)):
    """A page in a fresh context (zh-CN) whose ``base_url`` is the live server's."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = base_url
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def admin_page(chromium, live_server):
    """A fresh browser page; ``admin_login(page, username)`` signs a user in through the admin form."""
    with new_page(chromium, live_server.url) as page:
        yield page


def admin_login(page, username, password="pw"):
    page.goto(f"{page.base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.base_url}/admin/")
