"""An OPD's upload becomes a draft release that goes through the privacy layer and the review."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from portal.auth.permissions import NotAuthorized
from portal.auth.services import set_memberships
from portal.core.cells import SUPPRESSED
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.datasets.errors import WorkflowError
from portal.datasets.files import draft_bytes
from portal.datasets.queries import public_dataset
from portal.extensions import db
from portal.uploads.audit import attack
from portal.uploads.errors import UploadError
from portal.uploads.lines import build_lines
from portal.uploads.service import upload_to_draft
from tests.support.metadata import complete_draft
from tests.uploads.bad_input import DESA, csv_bytes, good_rows, xlsx_bytes

KEC = "5102010"  # not a code: kecamatan 51.02.01 is written dotted below


@pytest.fixture
def opd(app, users):
    """Dinas Kesehatan with the test produsen as its member."""
    org = services.ensure_organization("dinas-kesehatan", "Dinas Kesehatan")
    db.session.flush()
    set_memberships(users["produsen"], [org.id], None)
    db.session.commit()
    return org


def published(release, name: str) -> pd.DataFrame:
    """The draft's CSV as text cells."""
    return pd.read_csv(io.BytesIO(draft_bytes(release, f"{name}.csv")), dtype=str, keep_default_na=False)


def descriptor(release) -> dict:
    """The draft's datapackage.json."""
    return json.loads(draft_bytes(release, "datapackage.json"))


def test_a_csv_upload_is_a_draft_with_dotted_codes_and_small_counts_hidden(opd, users):
    rows = good_rows()
    rows[1][3] = "3"  # a small count: hidden
    content = csv_bytes(rows, ";", "cp1252")
    result = upload_to_draft(content, "penduduk.csv", "penduduk-desa", "dinas-kesehatan", users["produsen"])
    release = result.release
    assert release.status is ReleaseStatus.DRAFT and release.harvest_id is None
    assert public_dataset("penduduk-desa") is None  # an upload never publishes
    table = published(release, "penduduk-desa")
    assert set(table["kode_desa"]) == {f"{c[:2]}.{c[2:4]}.{c[4:6]}.{c[6:]}" for c in DESA}
    assert table.loc[0, "jumlah_penduduk"] == SUPPRESSED
    assert release.validation_report["valid"], release.validation_report
    report = release.privacy_report
    assert report["audit"]["passed"], report["audit"]
    assert report["scan"]["passed"], report["scan"]
    assert report["passed"], report
    assert report["tables"][0]["suppressed_primary"] == 1
    assert services.can_submit(users["produsen"], release)


def test_totals_the_upload_contains_cannot_give_back_a_hidden_cell(opd, users):
    """Desa rows, the kecamatan row, a 'jumlah' category and a 'jumlah' column: the auditor's
    linear programs bound every hidden cell to a range of at least k."""
    rows = [["kode_wilayah", "kelompok", "laki_laki", "perempuan", "jumlah"]]
    values = {DESA[0]: [(2, 30), (40, 41)], DESA[1]: [(25, 26), (33, 34)], DESA[2]: [(60, 61), (70, 1)]}
    kec = {k: [0, 0] for k in ("a", "b")}
    for code, pairs in values.items():
        for label, (m, f) in zip(("a", "b"), pairs):
            rows.append([code, label, str(m), str(f), str(m + f)])
            kec[label][0] += m
            kec[label][1] += f
        rows.append([code, "jumlah", *(str(sum(p[i] for p in pairs)) for i in (0, 1)),
                     str(sum(m + f for m, f in pairs))])
    for label in ("a", "b"):
        m, f = kec[label]
        rows.append(["51.02.01", label, str(m), str(f), str(m + f)])
    m, f = kec["a"][0] + kec["b"][0], kec["a"][1] + kec["b"][1]
    rows.append(["51.02.01", "jumlah", str(m), str(f), str(m + f)])
    result = upload_to_draft(csv_bytes(rows), "t.csv", "kelompok-desa", "dinas-kesehatan", users["produsen"])
    report = result.release.privacy_report
    assert report["audit"]["passed"], report["audit"]["findings"]
    assert report["tables"][0]["suppressed_primary"] == 2
    assert report["tables"][0]["suppressed_secondary"] >= 4
    # The attack again, from the published file alone: no hidden cell narrower than k.
    table = published(result.release, "kelompok-desa")
    counts = ["laki_laki", "perempuan", "jumlah"]
    values = table[counts].replace(SUPPRESSED, np.nan).astype(float).to_numpy()
    lines = build_lines(table["kode_wilayah"].to_numpy(), np.full(len(table), ""), [table["kelompok"].to_numpy()],
                        counts, {"jumlah": ["laki_laki", "perempuan"]})
    narrow, lps, narrowest = attack(values.ravel(), lines, 5)
    assert narrow == [] and lps > 0 and narrowest >= 5


def test_health_words_raise_the_class_to_specific_and_say_why(opd, users):
    rows = [["kode_desa", "tahun", "penyakit", "jumlah_kasus"]]
    rows += [[d, "2025", p, str(n)] for d in DESA for p, n in (("tbc", 12), ("diare", 0), ("demam", 40))]
    result = upload_to_draft(csv_bytes(rows), "k.csv", "kasus-penyakit", "dinas-kesehatan", users["produsen"],
                             {"privacy_class": "umum"})
    upload = result.report["upload"]
    assert upload["privacy_class_chosen"] == "umum" and upload["privacy_class"] == "spesifik"
    assert any("kesehatan" in why for why in upload["raised_because"])
    assert result.report["tables"][0]["k"] == 10
    table = published(result.release, "kasus-penyakit")
    # Zeros look like small counts in specific data; 12 and 40 are published.
    assert (table.loc[table["penyakit"] == "diare", "jumlah_kasus"] == SUPPRESSED).all()
    assert (table.loc[table["penyakit"] == "demam", "jumlah_kasus"] == "40").all()


def test_quantities_are_published_as_they_are(opd, users):
    rows = [["kode_desa", "tahun", "anggaran_rupiah", "jumlah_sekolah"]]
    rows += [[d, "2025", "1500000.50", "2"] for d in DESA]
    result = upload_to_draft(csv_bytes(rows), "q.csv", "anggaran", "dinas-kesehatan", users["produsen"])
    table = published(result.release, "anggaran")
    assert (table["jumlah_sekolah"] == "2").all() and (table["anggaran_rupiah"] == "1500000.50").all()
    fields = {f["name"]: f for f in descriptor(result.release)["resources"][0]["schema"]["fields"]}
    assert fields["anggaran_rupiah"]["satudata"]["jenis_ukuran"] == "besaran"


def test_text_that_would_run_as_a_formula_is_neutralised(opd, users):
    rows = good_rows()
    rows[0].append("keterangan")
    for i, row in enumerate(rows[1:]):
        row.append("=1+2" if i == 0 else "@SUM(A1)" if i == 1 else "biasa")
    result = upload_to_draft(csv_bytes(rows), "f.csv", "formula", "dinas-kesehatan", users["produsen"])
    notes = published(result.release, "formula")["keterangan"]
    assert not notes.str.match(r"[=+\-@\t\r]").any()
    assert notes.iloc[0].startswith("'=") and notes.iloc[1].startswith("'@")


def test_the_produsen_schema_sets_roles_and_ms_var_metadata(opd, users):
    schema = {"title": "Penduduk per desa", "reference_date": "2025-12-31", "fields": [
        {"name": "jumlah_penduduk", "role": "ukuran", "measure": "orang", "konsep": "Penduduk",
         "definisi": "Orang yang berdomisili di desa", "klasifikasi": "Jenis kelamin", "ukuran": "Jumlah",
         "satuan": "jiwa", "tipe_data": "integer", "aturan_validasi": "bilangan cacah"}]}
    result = upload_to_draft(csv_bytes(good_rows()), "p.csv", "penduduk-ms", "dinas-kesehatan",
                             users["produsen"], schema)
    assert result.release.reference_date.isoformat() == "2025-12-31"
    field = next(f for f in descriptor(result.release)["resources"][0]["schema"]["fields"]
                 if f["name"] == "jumlah_penduduk")
    assert field["description"] == "Orang yang berdomisili di desa"
    assert {k: field["satudata"][k] for k in ("konsep", "satuan", "klasifikasi", "aturan_validasi")} == {
        "konsep": "Penduduk", "satuan": "jiwa", "klasifikasi": "Jenis kelamin", "aturan_validasi": "bilangan cacah"}
    assert result.release.dataset.title == "Penduduk per desa"


def test_a_workbook_sheet_is_read_and_its_document_properties_never_published(opd, users):
    def extra(book):
        book.properties.creator = "Pembuat Berkas Contoh"
        book.properties.lastModifiedBy = "Pengubah Berkas Contoh"
        hidden = book.create_sheet("catatan")
        hidden.sheet_state = "hidden"
        hidden.append(["tidak ada yang pribadi di sini"])
    rows = [[int(c) if c.isdigit() and len(c) < 6 else c for c in r] for r in good_rows()]
    result = upload_to_draft(xlsx_bytes(rows, extra), "p.xlsx", "penduduk-xlsx", "dinas-kesehatan",
                             users["produsen"])
    assert any("properti dokumen" in d for d in result.report["upload"]["dropped"])
    for name in ("penduduk-xlsx.csv", "datapackage.json"):
        content = draft_bytes(result.release, name)
        assert b"Pembuat Berkas" not in content and b"Pengubah Berkas" not in content
    assert len(published(result.release, "penduduk-xlsx")) == 8


def test_a_zipped_data_package_carries_its_field_titles(opd, users):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", json.dumps({"name": "x", "resources": [{"path": "data/t.csv", "schema": {
            "fields": [{"name": "jumlah_penduduk", "title": "Jumlah penduduk", "description": "Per desa"}]}}]}))
        archive.writestr("data/t.csv", csv_bytes(good_rows()))
    result = upload_to_draft(buffer.getvalue(), "paket.zip", "paket", "dinas-kesehatan", users["produsen"])
    field = next(f for f in descriptor(result.release)["resources"][0]["schema"]["fields"]
                 if f["name"] == "jumlah_penduduk")
    assert field["title"] == "Jumlah penduduk" and field["description"] == "Per desa"


def test_desa_names_are_matched_to_codes(opd, users):
    rows = [["kecamatan", "desa", "jumlah_penduduk"], ["Selemadeg", "Desa Antap", "40"],
            ["Selemadeg", "Wanagiri", "55"]]
    result = upload_to_draft(csv_bytes(rows), "n.csv", "nama-desa", "dinas-kesehatan", users["produsen"])
    table = published(result.release, "nama-desa")
    assert table["kode_desa"].str.fullmatch(r"51\.02\.01\.\d{4}").all()


def test_a_list_of_places_needs_the_declaration(opd, users):
    rows = [["kode_desa", "sekolah", "akreditasi"]] + [[DESA[i % 4], f"SD Negeri {i}", "A"] for i in range(8)]
    with pytest.raises(UploadError, match="rows_are_not_people"):
        upload_to_draft(csv_bytes(rows), "s.csv", "sekolah", "dinas-kesehatan", users["produsen"])
    result = upload_to_draft(csv_bytes(rows), "s.csv", "sekolah", "dinas-kesehatan", users["produsen"],
                             {"rows_are_not_people": True})
    assert len(published(result.release, "sekolah")) == 8


def test_a_new_upload_supersedes_the_open_draft_and_the_review_publishes_it(opd, users):
    first = upload_to_draft(csv_bytes(good_rows()), "a.csv", "versi", "dinas-kesehatan", users["produsen"]).release
    second = upload_to_draft(csv_bytes(good_rows(value=50)), "b.csv", "versi", "dinas-kesehatan",
                             users["produsen"]).release
    assert first.status is ReleaseStatus.SUPERSEDED and second.status is ReleaseStatus.DRAFT
    complete_draft(second, users["produsen"])  # the walidata approves only complete SDI metadata
    services.submit(second, users["produsen"], "Data dinas.")
    db.session.commit()
    services.approve(second, users["walidata"], "Setuju.")
    db.session.commit()
    assert public_dataset("versi") is not None
    with pytest.raises(UploadError, match="sama dengan versi terakhir"):
        upload_to_draft(csv_bytes(good_rows(value=50)), "b.csv", "versi", "dinas-kesehatan", users["produsen"])


def test_only_members_of_the_opd_may_upload(opd, users):
    other = services.ensure_organization("dinas-sosial", "Dinas Sosial")
    db.session.commit()
    with pytest.raises(NotAuthorized):
        upload_to_draft(csv_bytes(good_rows()), "a.csv", "sosial", "dinas-sosial", users["produsen"])
    # A walidata uploads for any OPD (the permission table's upload_table); it is still a draft.
    draft = upload_to_draft(csv_bytes(good_rows()), "a.csv", "sosial", "dinas-sosial", users["walidata"]).release
    assert draft.status is ReleaseStatus.DRAFT and draft.dataset.organization_id == other.id


def test_a_walidata_who_uploaded_a_table_may_not_approve_it(opd, users):
    from portal.auth.permissions import can

    draft = upload_to_draft(csv_bytes(good_rows()), "a.csv", "unggahan-walidata", "dinas-kesehatan",
                            users["walidata"]).release
    services.submit(draft, users["produsen"], "Data dinas.")
    db.session.commit()
    assert draft.drafted_by_id == users["walidata"].id
    with pytest.raises(WorkflowError, match="membuat draf ini"):
        services.approve(draft, users["walidata"], "Setuju.")
    # Four eyes: the other walidata may.
    assert can(users["walidata2"], "approve_release", draft)
    assert public_dataset("unggahan-walidata") is None


def test_the_cli_uploads_and_infers(opd, users, runner, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(good_rows()))
    inferred = runner.invoke(args=["datasets", "upload", str(path), "--dataset", "cli", "--organization",
                                   "dinas-kesehatan", "--as", "produsen@example.go.id", "--infer"])
    assert inferred.exit_code == 0, inferred.output
    roles = {f["name"]: f["role"] for f in json.loads(inferred.output)["fields"]}
    assert roles == {"kode_desa": "kode_wilayah", "tahun": "periode", "jenis_kelamin": "dimensi",
                     "jumlah_penduduk": "ukuran"}
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"privacy_class": "spesifik"}))
    done = runner.invoke(args=["datasets", "upload", str(path), "--dataset", "cli", "--organization",
                               "dinas-kesehatan", "--as", "produsen@example.go.id", "--schema", str(schema)])
    assert done.exit_code == 0, done.output
    assert "Draf rilis #" in done.output and "flask releases submit" in done.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["kode_desa", "jumlah"], ["5102019999", "10"]]))
    refused = runner.invoke(args=["datasets", "upload", str(bad), "--dataset", "cli2", "--organization",
                                  "dinas-kesehatan", "--as", "produsen@example.go.id"])
    assert refused.exit_code != 0 and "baris 2 kolom kode_desa" in refused.output


def test_the_walidata_reviews_an_upload_as_a_harvested_release(opd, users, client, auth):
    rows = good_rows()
    rows[1][3] = "2"
    release = upload_to_draft(csv_bytes(rows), "r.csv", "tinjau", "dinas-kesehatan", users["produsen"]).release
    services.submit(release, users["produsen"], "Data dinas kesehatan.")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{release.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Auditor independen" in html and "tinjau" in html
    assert "approve" in html


def test_a_desa_total_published_elsewhere_cannot_give_back_a_hidden_cell(opd, users):
    """Men and women per desa: the harvest publishes the desa's population, so hiding only the
    small count would give it back by subtraction; its partner in the desa is hidden too."""
    rows = good_rows()
    rows[1][3] = "3"
    result = upload_to_draft(csv_bytes(rows), "m.csv", "pria-wanita", "dinas-kesehatan", users["produsen"])
    table = published(result.release, "pria-wanita")
    first = table[table["kode_desa"] == "51.02.01.2001"]["jumlah_penduduk"]
    assert (first == SUPPRESSED).all()
    assert (table[table["kode_desa"] != "51.02.01.2001"]["jumlah_penduduk"] != SUPPRESSED).all()
    entry = result.report["tables"][0]
    assert entry["suppressed_secondary"] == 1
    assert any("panen" in note for note in entry["notes"])
    assert result.report["audit"]["passed"] and result.report["audit"]["narrowest_interval"] >= 5
