"""A real headless Chromium for the page tests (Debian's chromium, driven by Playwright).

``open_page`` loads a file with networking disabled and records what a page must
never do: open a dialog, fetch anything but its own file, break its
Content-Security-Policy, or throw.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers import missing

CHROMIUM = "/usr/bin/chromium"

_WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def chromium_path() -> str:
    """Debian's chromium; fails under CI=true when missing (CI installs it), else skips."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found is None:
        missing("chromium is not installed (make chromium, or apt-get install chromium)")
    return found


@dataclass
class OpenedPage:
    """A loaded page and what it tried to do."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__violations || []"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=path, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def load(path: Path, *, wait_ready: bool = True) -> OpenedPage:
        context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        opened = OpenedPage(page)
        page.add_init_script(_WATCH)

        def on_dialog(dialog: Any) -> None:
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("pageerror", lambda error: opened.errors.append(str(error)))
        page.goto(path.resolve().as_uri())
        if wait_ready:
            # Polled with evaluate: wait_for_function would eval the predicate in the page,
            # which the page's Content-Security-Policy forbids.
            deadline = time.monotonic() + 120
            while not page.evaluate("!!(window.civicgraph && window.civicgraph.ready)"):
                if time.monotonic() > deadline:
                    raise AssertionError(f"{path} did not draw within 120 s")
                time.sleep(0.05)
        return opened

    yield load
    for context in contexts:
        context.close()
