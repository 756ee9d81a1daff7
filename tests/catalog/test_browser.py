"""The walidata's approval and the public page in a real browser (Debian's Chromium)."""
from portal.datasets import services
from portal.extensions import db
from tests.support.browser import require_chromium, screenshot
from tests.support.world import PASSWORDS

require_chromium()


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
    screenshot(page, "admin-review")
    page.get_by_label("Komentar").fill("Sudah diperiksa.")
    page.get_by_role("button", name="Setujui dan terbitkan").click()
    page.wait_for_selector("text=Rilis disetujui dan diterbitkan.")

    page.goto(f"{live_server}/dataset")
    page.get_by_role("link", name="Jumlah Penduduk dan Keluarga per Desa").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Jumlah Penduduk dan Keluarga per Desa"
    assert "1.0.0" in page.locator("dl.meta:not(.sdi)").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = info.value
    assert download.suggested_filename == "penduduk-dan-keluarga-1.0.0.csv"
    with open(download.path(), encoding="utf-8") as handle:
        assert handle.readline().startswith("kode_desa,nama_desa")
