"""The walidata's review page, metadata editing, withdrawal form and the audit log (view, filter, CSV)."""
import csv
import io

from sqlalchemy import select

from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.datasets.models import Organization, Release
from portal.extensions import db
from tests.support.forms import csrf_token

NAME = "penduduk-dan-keluarga"


def test_review_page_shows_diff_privacy_validation_and_preview(client, auth, users, published, redraft):
    draft = redraft(published, publish=False)
    services.submit(draft, users["produsen"], "Data November.")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{draft.id}").get_data(as_text=True)
    for expected in ("Laporan privasi", "Perbedaan dengan versi terbit terakhir", "Dibanding versi 1.0.0",
                     "MINOR: data berubah", "Sel berubah", "Sel baru disembunyikan",
                     "Sel kini ditampilkan", "Skema dan daftar kode tidak berubah",
                     "Validasi Frictionless", "Valid", "Pratinjau", "51.02.01.2001",
                     "Setujui dan terbitkan", "Tolak"):
        assert expected in page, expected


def test_review_page_names_code_list_changes(client, auth, users, published, redraft):
    from portal.statistics.compute import Category
    draft = redraft(published, change=None, extra_category=Category(99, "KATEGORI BARU"), publish=False)
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{draft.id}").get_data(as_text=True)
    assert "MAJOR" in page and "Daftar kode kode: 1 ditambah (99)" in page


def test_rejection_comment_is_kept_and_shown(client, auth, users, harvested):
    release = harvested.drafts[0]
    services.submit(release, users["produsen"], "x")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{release.id}").get_data(as_text=True)
    client.post(f"/admin/releases/{release.id}/reject",
                data={"comment": "Periksa desa 51.02.01.2001.", "csrf_token": csrf_token(page)})
    page = client.get(f"/admin/releases/{release.id}").get_data(as_text=True)
    assert "Ditolak" in page and "Periksa desa 51.02.01.2001." in page


def test_produsen_edits_metadata_in_the_browser_form(client, auth, published):
    auth.login_as("produsen")
    page = client.get(f"/admin/releases/{published.id}/metadata").get_data(as_text=True)
    assert 'value="Jumlah Penduduk dan Keluarga per Desa"' in page
    response = client.post(f"/admin/releases/{published.id}/metadata", data={
        "title": "Jumlah Penduduk dan Keluarga", "description": "Baru.", "tags": "penduduk",
        "organization": published.dataset.organization.name, "licence_id": "CC-BY-4.0",
        "frequency": "tahunan", "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    draft = db.session.get(Release, int(response.headers["Location"].rsplit("/", 1)[-1]))
    assert draft.version == "1.0.1" and draft.meta["frequency"] == "tahunan"
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PATCH: hanya metadata berubah" in review and "tahunan" in review


def test_walidata_withdraws_through_the_form(client, auth, published):
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{published.id}").get_data(as_text=True)
    assert "Tarik versi 1.0.0" in page
    client.post(f"/admin/releases/{published.id}/withdraw",
                data={"reason": "Insiden privasi.", "csrf_token": csrf_token(page)})
    assert db.session.get(Release, published.id).status is ReleaseStatus.WITHDRAWN
    assert client.get(f"/dataset/{NAME}/version/1.0.0/download/{NAME}.csv").status_code == 410


def test_produsen_sees_no_withdraw_form_and_no_audit_log(client, auth, published):
    auth.login_as("produsen")
    assert "Tarik versi" not in client.get(f"/admin/releases/{published.id}").get_data(as_text=True)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_audit_log_filters_and_exports_csv(client, auth, published, harvested):
    auth.login_as("walidata")
    page = client.get("/admin/audit?action=publish").get_data(as_text=True)
    assert "publish" in page and "supersede" not in page
    response = client.get(f"/admin/audit.csv?dataset={NAME}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["tindakan"] for r in rows] == ["publish", "approve", "submit", "draft"]
    assert {r["dataset"] for r in rows} == {NAME}
    publish = rows[0]
    assert publish["pengguna"] == "walidata@example.go.id" and publish["versi"] == "1.0.0"
    assert f"{NAME}.csv={published.file(NAME + '.csv').sha256}" in publish["berkas_sha256"]
    only_produsen = client.get("/admin/audit.csv?actor=produsen@").get_data(as_text=True)
    assert "walidata@example.go.id" not in only_produsen and "produsen@example.go.id" in only_produsen
    assert client.get("/admin/audit.csv?since=2999-01-01").get_data(as_text=True).count("\n") == 1


def test_the_audit_log_is_append_only(published):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from portal.audit.models import AuditEvent, AuditLogIsAppendOnly
    event = db.session.query(AuditEvent).first()
    event.action = "forged"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    # The database refuses it too, whatever client writes.
    with pytest.raises(DBAPIError):
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))
    assert db.session.query(AuditEvent).count() >= 4


def test_review_page_lists_missing_satu_data_fields_and_approval_is_refused(client, auth, users, harvested):
    release = harvested.drafts[0]
    services.edit_metadata(release.dataset, users["produsen"], {"konsep": "", "sumber_data": ""})
    services.submit(release, users["produsen"], "Data November.")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{release.id}").get_data(as_text=True)
    assert "Metadata Satu Data Indonesia" in page and 'id="sdi-gaps"' in page
    assert "Konsep belum diisi" in page and "Sumber data belum diisi" in page
    assert "Satuan</dt><dd>Orang" in page  # what is filled is shown for checking
    response = client.post(f"/admin/releases/{release.id}/approve",
                           data={"comment": "", "csrf_token": csrf_token(page)}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "metadata Satu Data Indonesia belum lengkap" in text and "Konsep belum diisi" in text
    db.session.expire_all()
    assert db.session.get(Release, release.id).status is ReleaseStatus.SUBMITTED


def test_a_complete_harvested_release_shows_no_gaps(client, auth, users, harvested):
    release = harvested.drafts[0]
    services.submit(release, users["produsen"], "x")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{release.id}").get_data(as_text=True)
    assert 'id="sdi-complete"' in page and 'id="sdi-gaps"' not in page
    assert "disdukcapil@tabanankab.go.id" in page


def test_produsen_fills_satu_data_fields_in_the_metadata_form(client, auth, harvested):
    release = harvested.drafts[0]
    auth.login_as("produsen")
    page = client.get(f"/admin/releases/{release.id}/metadata").get_data(as_text=True)
    assert 'name="konsep"' in page and 'value="Penduduk dan keluarga"' in page
    assert '<option selected value="desa">' in page
    form = {"title": "Jumlah Penduduk dan Keluarga per Desa", "description": "d", "tags": "penduduk",
            "organization": release.dataset.organization.name, "licence_id": "CC-BY-4.0",
            "frequency": "bulanan", "konsep": "Penduduk", "definisi": "", "klasifikasi": "1. Wilayah",
            "ukuran": "Jumlah", "satuan": "Orang", "tingkat_penyajian": "kecamatan",
            "cakupan_wilayah": "Kabupaten Tabanan", "periode_data": "November 2026",
            "sumber_data": "OpenSID", "kode_referensi": "Kemendagri", "csrf_token": csrf_token(page)}
    response = client.post(f"/admin/releases/{release.id}/metadata", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    meta = db.session.get(Release, release.id).meta
    assert meta["tingkat_penyajian"] == "kecamatan" and meta["periode_data"] == "November 2026"
    assert meta["definisi"] == ""
    page = client.get(f"/admin/releases/{release.id}/metadata").get_data(as_text=True)
    assert "Definisi belum diisi" in page  # the form says what approval will still need
    bad = client.post(f"/admin/releases/{release.id}/metadata",
                      data={**form, "tingkat_penyajian": "provinsi", "csrf_token": csrf_token(page)})
    assert bad.status_code == 200 and "Tingkat penyajian harus" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Release, release.id).meta["tingkat_penyajian"] == "kecamatan"


def test_walidata_sets_an_opds_role_address_and_a_personal_one_is_refused(client, auth, users, harvested):
    auth.login_as("walidata")
    page = client.get("/admin/organizations/dinas-sosial/edit").get_data(as_text=True)
    assert 'value="dinas-sosial@tabanankab.go.id"' in page
    data = {"name": "dinas-sosial", "title": "Dinas Sosial", "description": "",
            "csrf_token": csrf_token(page)}
    refused = client.post("/admin/organizations/dinas-sosial/edit", data={**data, "email": "budi@gmail.com"})
    assert "bukan alamat pribadi" in refused.get_data(as_text=True)
    response = client.post("/admin/organizations/dinas-sosial/edit", data={**data, "email": "dinsos@tabanankab.go.id"})
    assert response.status_code == 302
    assert db.session.scalar(select(Organization.email).where(Organization.name == "dinas-sosial")) \
        == "dinsos@tabanankab.go.id"
