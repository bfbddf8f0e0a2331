"""Playwright driving the system Chromium against pytest-django's live server."""

import os

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

# Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
# make between clicks are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = os.environ.get("PORTICO_SCREENSHOTS")  # a folder: save a PNG of each page


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium, migrated_db):
    """A phone-sized page that records every request it makes."""
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.requested_urls = []
    page.on("request", lambda request: page.requested_urls.append(request.url))
    yield page
    context.close()


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    def check(page, name: str):
        results = Axe().run(page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if SCREENSHOTS:
            os.makedirs(SCREENSHOTS, exist_ok=True)
            page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
        assert not serious, f"{name}: " + "; ".join(serious)
        return results

    return check
