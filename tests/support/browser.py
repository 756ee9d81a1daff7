"""Shared pieces of the browser tests: a live server, Debian's Chromium, and screenshots."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The README names this folder; CI keeps it as the visual record of the run.
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR")
                      or Path(__file__).resolve().parents[2] / "build" / "screenshots")


def require_chromium() -> None:
    """Skip without Chromium on a laptop; on CI (CI set) a missing browser is a failure."""
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def browser():
    """Headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh desktop-sized page that accepts downloads."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot of what the reader sees into SCREENSHOT_DIR."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
