"""Browser tests: Debian's Chromium driven by Playwright against a live test server."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
# Every browser test: marked, against a live server with its own committed data.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page(settings):
    if not shutil.which(CHROMIUM):
        pytest.fail("Chromium is not installed: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test still reads the
    # database synchronously between browser steps, which is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="vi-VN")
        yield context.new_page()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
