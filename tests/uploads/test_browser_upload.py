"""An OPD's table from the browser to the public catalogue (issue 14 point 8), in headless Chromium.

A produsen uploads an XLSX on "Unggah tabel", maps its columns, saves the draft, fills the
Satu Data Indonesia metadata and submits; a walidata reviews it with the privacy report in
view and approves; a citizen finds it in search and downloads it. Screenshots: upload-table,
upload-mapping, upload-review.
"""
from __future__ import annotations

import csv

from portal.auth.services import set_memberships
from portal.core.cells import SUPPRESSED
from portal.datasets import services
from portal.datasets.models import Organization
from portal.extensions import db
from tests.support.browser import require_chromium, screenshot
from tests.support.world import PASSWORDS
from tests.uploads.bad_input import good_rows, xlsx_bytes

require_chromium()

NAME, TITLE = "penduduk-unggahan-opd", "Penduduk per Desa Unggahan OPD"


def opd_with_member(users) -> Organization:
    """Dinas Sosial, its role address set (the metadata's kontak), the produsen its member."""
    org = services.ensure_organization("dinas-sosial", "Dinas Sosial")
    if hasattr(org, "email"):
        org.email = "dinsos@tabanankab.go.id"
    db.session.flush()
    set_memberships(users["produsen"], [org.id], None)
    db.session.commit()
    return org


def signed_in(browser, live_server: str, role: str):
    """A new browser context (its own cookies) signed in as ``role``."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/auth/login")
    page.locator("input[name=email]").fill(f"{role}@example.go.id")
    page.locator("input[name=password]").fill(PASSWORDS[role])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/admin/**")
    return context, page


def fill_metadata(page) -> None:
    """The dataset's metadata form (Satu Data Indonesia fields): every field still empty gets a
    plain value named after its label, every select without a choice its first option."""
    page.get_by_role("link", name="Ubah metadata").first.click()
    page.wait_for_load_state()
    form = page.locator("main form").first
    for control in form.locator("input[type=text], input:not([type]), textarea, select").all():
        if not control.is_visible() or control.input_value():
            continue
        if control.evaluate("e => e.tagName") == "SELECT":
            values = [v for v in control.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
            control.select_option(values[0])
        else:
            label = control.evaluate("e => (e.labels[0] && e.labels[0].innerText) || e.name").strip()
            if "kosong:" not in label:  # "(kosong: ...)" says what an empty field means
                control.fill(f"{label} penduduk per desa di Kabupaten Tabanan")
    form.locator("button[type=submit]").first.click()
    page.wait_for_url("**/admin/releases/*")


def test_an_opd_table_goes_from_upload_to_a_citizen_download(app, users, live_server, browser, tmp_path):
    opd_with_member(users)
    workbook = tmp_path / "penduduk.xlsx"
    rows = good_rows(value=60)
    rows[1][3] = "3"  # a small count: hidden, and its partner in the desa with it
    workbook.write_bytes(xlsx_bytes([[int(c) if c.isdigit() and len(c) < 6 else c for c in row] for row in rows]))

    produsen, page = signed_in(browser, live_server, "produsen")
    page.get_by_role("link", name="Unggah tabel").click()
    page.get_by_label("Nama singkat dataset baru (alamat)").fill(NAME)
    page.get_by_label("Judul dataset baru").fill(TITLE)
    page.get_by_label("OPD produsen data").select_option("dinas-sosial")
    page.get_by_label("Berkas (CSV, XLSX, atau zip paket data)").set_input_files(str(workbook))
    screenshot(page, "upload-table")
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url("**/admin/unggah/*")

    assert "Semua 8 baris cocok dengan 4 wilayah Kemendagri" in page.locator("#regions").inner_text()
    column = page.locator("#kolom-jumlah_penduduk")
    assert column.get_by_label("Peran").input_value() == "ukuran"
    column.get_by_label("Jika ukuran, yang dihitung").select_option("orang")
    column.locator("summary").click()
    column.get_by_label("Konsep").fill("Penduduk")
    column.get_by_label("Satuan").fill("jiwa")
    screenshot(page, "upload-mapping")
    page.get_by_role("button", name="Simpan sebagai draf rilis").click()
    page.wait_for_url("**/admin/releases/*")
    assert "Draf rilis #" in page.locator(".flash").first.inner_text()

    fill_metadata(page)
    page.get_by_label("Catatan perubahan").fill("Tabel pertama Dinas Sosial.")
    page.get_by_role("button", name="Ajukan").click()
    page.wait_for_load_state()
    review_url = page.url
    produsen.close()

    walidata, page = signed_in(browser, live_server, "walidata")
    page.goto(review_url)
    assert page.get_by_text("Auditor independen").first.is_visible()
    hidden = page.get_by_role("row").filter(has_text=NAME).first.inner_text().split()
    assert hidden[hidden.index("umum") + 3:hidden.index("umum") + 5] == ["1", "1"]  # primary, secondary
    screenshot(page, "upload-review")
    page.get_by_role("button", name="Setujui dan terbitkan").click()
    page.wait_for_load_state()
    assert "Rilis disetujui dan diterbitkan" in page.locator(".flash").first.inner_text()
    walidata.close()

    citizen = browser.new_context(accept_downloads=True)
    page = citizen.new_page()
    page.goto(f"{live_server}/dataset?q=unggahan")
    page.get_by_role("link", name=TITLE).click()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh CSV").first.click()
    with open(info.value.path(), encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["kode_desa", "tahun", "jenis_kelamin", "jumlah_penduduk"]
    assert len(rows) == 9 and rows[1][0] == "51.02.01.2001"
    assert rows[1][3] == rows[2][3] == SUPPRESSED and rows[3][3] == "60"
    citizen.close()
