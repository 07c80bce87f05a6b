"""The live board page in a real browser: Chromium driven by Playwright against the local host.

The page is opened once; a heartbeat and then a session are posted through the API, and the page, polling
by itself, shows the user with the "coding now" marker and then with their new total, without a reload.
Playwright's own browser download is not used: the test drives an installed Chromium (``make test``
installs Debian's where it can), and is skipped only when there is none.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.utils.factories import USER_A, bearer, create_user, store_ingest_keys
from tests.utils.hosts import RunningHost

KEY = "dtk_ingest-key-of-user-a-for-the-browser-test"
# A name that would be markup if the page inserted it as HTML.
NAME = '<img src=x onerror="window.injected=1">Ada'
# Everything the page must show takes at most this long (it polls every 3 seconds).
WITHIN_MS = 10_000
PHONE = {"width": 390, "height": 844}
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH", "").strip()
    if configured:
        return configured
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "No Chromium found (chromium, chromium-browser, google-chrome or CHROMIUM_PATH): make test installs "
            "Debian's chromium when it runs as root with apt-get; install it to run the live board browser test"
        )
    # Without its sandbox: Chromium refuses it as root, and CI runners may forbid the namespaces it needs. The
    # only page it opens is ours, on 127.0.0.1.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_board_shows_who_codes_now_and_then_their_new_total_without_a_reload(
    api: RunningHost, page: Page, tmp_path: Path
) -> None:
    create_user(api.db, USER_A, "ada", displayName=NAME)
    store_ingest_keys(api.db, {USER_A: KEY})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    answers: list[tuple[str, int]] = []
    page.on("response", lambda response: answers.append((response.url, response.status)))

    page.goto(api.url("board"))
    expect(page.locator("#status")).to_contain_text("Live", timeout=WITHIN_MS)
    row = page.locator(f'.entry[data-user-id="{USER_A}"]')
    expect(row).to_have_count(0)

    heartbeat = {"userId": USER_A, "language": "python", "editor": "vscode"}
    assert api.post("heartbeat", json=heartbeat, headers=bearer(KEY)).status_code == 200
    expect(row.locator(".coding-now")).to_have_text("coding now · python", timeout=WITHIN_MS)
    expect(page.locator(f'#coding-now [data-user-id="{USER_A}"] .language')).to_have_text("python · vscode")
    expect(page.locator("#coding-now-count")).to_have_text("1")

    body = {"userId": USER_A, "duration": 5400, "sessionDate": datetime.now(UTC).isoformat(), "languages": {}}
    assert api.post("coding-session", json=body, headers=bearer(KEY)).status_code == 200
    expect(row.locator(".total")).to_have_text("1h 30m", timeout=WITHIN_MS)
    expect(row.locator(".rank")).to_have_text("1")
    expect(row.locator(".name")).to_have_text(NAME)

    page.screenshot(path=str(tmp_path / "live-board.png"), full_page=True)
    assert (tmp_path / "live-board.png").stat().st_size > 0
    # One load: everything above came by polling. The name stayed text, and the page fits a phone.
    assert len(loads) == 1
    assert page.evaluate("window.injected") is None
    assert page.locator("img").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    # It polls with If-None-Match: now that nothing changes, the answers are 304s without a body.
    unchanged = page.wait_for_event("response", lambda response: response.status == 304, timeout=WITHIN_MS)
    assert unchanged.url.startswith(api.url("live"))
    # It asked nothing of any other origin.
    assert [url for url, _ in answers if not url.startswith(api.base_url + "/")] == []


def test_the_tabs_switch_boards_and_the_address_names_the_board(api: RunningHost, page: Page) -> None:
    create_user(api.db, USER_A, "ada")
    store_ingest_keys(api.db, {USER_A: KEY})
    assert api.post("heartbeat", json={"userId": USER_A, "language": "go"}, headers=bearer(KEY)).status_code == 200
    page.goto(api.url("board") + "#allTime")
    expect(page.locator('[data-board="allTime"]')).to_have_attribute("aria-selected", "true", timeout=WITHIN_MS)
    expect(page.locator("#period")).to_have_text("since the beginning", timeout=WITHIN_MS)
    page.locator('[data-board="last24h"]').click()
    expect(page.locator("#period")).to_have_text("The last 24 hours", timeout=WITHIN_MS)
    assert page.url.endswith("#last24h")
    expect(page.locator(f'.entry[data-user-id="{USER_A}"] .coding-now')).to_have_text("coding now · go")
