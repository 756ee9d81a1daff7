"""The walidata's approval and the public page in a real browser (Debian's Chromium)."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from portal.datasets import services
from portal.extensions import db
from tests.conftest import PASSWORDS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# CI installs Chromium: there a missing browser is a failure, not a skip.
if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page():
    """A fresh headless Chromium page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True)
        yield context.new_page()
        browser.close()


def test_walidata_approves_in_the_browser_and_citizens_download(live_server, page, harvested, users):
    release = harvested.drafts[0]
    services.submit(release, users["produsen"], "Rilis pertama dari panen OpenSID.")
    db.session.commit()

    page.goto(f"{live_server}/admin/releases/{release.id}")
    assert "/auth/login" in page.url
    page.get_by_label("E-mail").fill("walidata@example.go.id")
    page.get_by_label("Kata sandi").fill(PASSWORDS["walidata"])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"**/admin/releases/{release.id}")
    assert page.get_by_text("Laporan privasi").is_visible()
    page.get_by_label("Komentar").fill("Sudah diperiksa.")
    page.get_by_role("button", name="Setujui dan terbitkan").click()
    page.wait_for_selector("text=Rilis disetujui dan diterbitkan.")

    page.goto(f"{live_server}/dataset")
    page.get_by_role("link", name="Jumlah Penduduk dan Keluarga per Desa").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Jumlah Penduduk dan Keluarga per Desa"
    assert page.locator("dl.meta").inner_text().count("1.0.0") == 1
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "penduduk-dan-keluarga-1.0.0.csv"
    with open(download.path(), encoding="utf-8") as handle:
        assert handle.readline().startswith("kode_desa,nama_desa")
