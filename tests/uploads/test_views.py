"""The web door of the uploads: upload, map, save a draft that goes to the review queue."""
from __future__ import annotations

import io
import json
import os
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.auth.services import set_memberships
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.datasets.files import draft_bytes
from portal.datasets.models import Dataset, Release
from portal.extensions import db
from portal.uploads import staging
from tests.support import state
from tests.support.forms import csrf_token
from tests.uploads.bad_input import DESA, NIK, SECRETS, csv_bytes, good_rows, with_column, xlsx_bytes

MAPPING = re.compile(r"/admin/unggah/([A-Za-z0-9_-]{32})$")


@pytest.fixture
def opd(app, users):
    """Dinas Kesehatan with the test produsen as its member, and Dinas Sosial without."""
    org = services.ensure_organization("dinas-kesehatan", "Dinas Kesehatan")
    services.ensure_organization("dinas-sosial", "Dinas Sosial")
    db.session.flush()
    set_memberships(users["produsen"], [org.id], None)
    db.session.commit()
    return org


def post_file(client, content: bytes, filename: str, name: str = "unggah-uji",
              organization: str = "dinas-kesehatan", **extra):
    """Step one through the real form: a new dataset ``name`` of ``organization``."""
    token = csrf_token(client.get("/admin/unggah").get_data(as_text=True))
    data = {"csrf_token": token, "dataset": "", "name": name, "title": "Uji unggah", "organization": organization,
            "file": (io.BytesIO(content), filename), **extra}
    return client.post("/admin/unggah", data=data, content_type="multipart/form-data")


def staged_id(response) -> str:
    """The staged upload's id from step one's redirect."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    found = MAPPING.search(response.headers["Location"])
    assert found, response.headers["Location"]
    return found.group(1)


def post_mapping(client, upload_id: str, action: str, **fields):
    """Step two: the mapping form with ``fields`` over what the page shows."""
    token = csrf_token(client.get(f"/admin/unggah/{upload_id}").get_data(as_text=True))
    return client.post(f"/admin/unggah/{upload_id}", data={"csrf_token": token, "action": action, **fields})


def staged_folders(app) -> list[str]:
    """The staged uploads kept in the instance folder."""
    folder = Path(app.instance_path) / staging.FOLDER
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def fingerprint(app) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Every row and stored file, read on a fresh session (the page's requests used their own)."""
    db.session.remove()
    return state.fingerprint(app)


def descriptor_fields(release: Release) -> dict[str, dict]:
    """The draft's Table Schema fields by name."""
    package = json.loads(draft_bytes(release, "datapackage.json"))
    return {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}


def test_a_csv_is_uploaded_mapped_and_saved_as_a_draft_in_the_review_queue(app, opd, users, client, auth):
    auth.login_as("produsen")
    upload_id = staged_id(post_file(client, csv_bytes(good_rows(), ";", "cp1252"), "penduduk.csv"))
    assert staged_folders(app) == [upload_id]
    page = client.get(f"/admin/unggah/{upload_id}").get_data(as_text=True)
    assert "Tidak ada masalah ditemukan" in page
    assert "Semua 8 baris cocok dengan 4 wilayah Kemendagri" in page
    for column in ("kode_desa", "tahun", "jenis_kelamin", "jumlah_penduduk"):
        assert f'id="kolom-{column}"' in page
    assert '<option value="ukuran" selected>' in page and "MS-Var" in page
    saved = post_mapping(client, upload_id, "simpan")
    assert saved.status_code == 302 and "/admin/releases/" in saved.headers["Location"]
    assert staged_folders(app) == []  # the bytes are gone once the draft is saved
    release = db.session.scalar(select(Release).join(Dataset).where(Dataset.name == "unggah-uji"))
    assert release.status is ReleaseStatus.DRAFT and release.harvest_id is None
    assert release.dataset.organization.name == "dinas-kesehatan" and release.dataset.title == "Uji unggah"
    assert release.privacy_report["passed"] and release.validation_report["valid"]
    review = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Auditor independen" in review and "Draf rilis #" in review
    token = csrf_token(review)
    client.post(f"/admin/releases/{release.id}/submit", data={"csrf_token": token, "note": "Data dinas."})
    queue = client.get("/admin/releases?status=submitted").get_data(as_text=True)
    assert "unggah-uji" in queue or "Uji unggah" in queue
    db.session.expire_all()
    assert db.session.get(Release, release.id).status is ReleaseStatus.SUBMITTED


def test_an_xlsx_sheet_is_chosen_on_the_mapping_page(app, opd, users, client, auth):
    def second_sheet(book):
        """An instruction sheet first, the table on a second sheet."""
        book.active.title = "petunjuk"
        data = book.create_sheet("data")
        for row in good_rows():
            data.append([int(c) if c.isdigit() and len(c) < 6 else c for c in row])
    content = xlsx_bytes([["keterangan"], ["Isi ada di lembar data"]], second_sheet)
    auth.login_as("produsen")
    upload_id = staged_id(post_file(client, content, "tabel.xlsx", name="unggah-xlsx"))
    page = client.get(f"/admin/unggah/{upload_id}").get_data(as_text=True)
    assert "tidak memuat jumlah orang" in page  # the instruction sheet is no table of counts
    assert '<option value="data">data</option>' in page
    switched = post_mapping(client, upload_id, "lembar", sheet="data").get_data(as_text=True)
    assert "Semua 8 baris cocok" in switched and 'id="kolom-jumlah_penduduk"' in switched
    saved = post_mapping(client, upload_id, "simpan")
    assert saved.status_code == 302
    release = db.session.scalar(select(Release).join(Dataset).where(Dataset.name == "unggah-xlsx"))
    assert release.status is ReleaseStatus.DRAFT
    assert set(descriptor_fields(release)) == {"kode_desa", "tahun", "jenis_kelamin", "jumlah_penduduk"}
    assert "unggah-xlsx" in client.get("/admin/releases").get_data(as_text=True)


def test_the_produsen_corrects_the_mapping_and_the_schema_follows(app, opd, users, client, auth):
    auth.login_as("produsen")
    upload_id = staged_id(post_file(client, csv_bytes(good_rows()), "k.csv", name="keluarga-uji"))
    checked = post_mapping(client, upload_id, "periksa", **{
        "c3-measure": "keluarga", "c3-title": "Jumlah keluarga", "c3-konsep": "Keluarga",
        "c3-definisi": "Keluarga yang berdomisili di desa", "c3-satuan": "KK", "c3-aturan_validasi": "bilangan cacah",
        "c2-title": "Jenis kelamin kepala keluarga", "reference_date": "2025-12-31"})
    assert checked.status_code == 200
    page = checked.get_data(as_text=True)
    assert '<option value="keluarga" selected>' in page and 'value="KK"' in page
    assert post_mapping(client, upload_id, "simpan").status_code == 302
    release = db.session.scalar(select(Release).join(Dataset).where(Dataset.name == "keluarga-uji"))
    fields = descriptor_fields(release)
    measure = fields["jumlah_penduduk"]
    assert measure["title"] == "Jumlah keluarga" and measure["description"] == "Keluarga yang berdomisili di desa"
    assert measure["satudata"]["jenis_ukuran"] == "keluarga" and measure["satudata"]["satuan"] == "KK"
    assert measure["satudata"]["aturan_validasi"] == "bilangan cacah"
    assert fields["jenis_kelamin"]["title"] == "Jenis kelamin kepala keluarga"
    assert release.reference_date.isoformat() == "2025-12-31"


def test_a_list_of_places_is_saved_only_once_declared_not_people(app, opd, users, client, auth):
    rows = [["kode_desa", "sekolah", "akreditasi"]] + [[DESA[i % 4], f"SD Negeri {i}", "A"] for i in range(8)]
    auth.login_as("produsen")
    upload_id = staged_id(post_file(client, csv_bytes(rows), "s.csv", name="sekolah-uji"))
    page = client.get(f"/admin/unggah/{upload_id}").get_data(as_text=True)
    assert "rows_are_not_people" in page and 'id="problems"' in page
    refused = post_mapping(client, upload_id, "simpan")
    assert refused.status_code == 200 and "mapping-error" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Dataset).where(Dataset.name == "sekolah-uji")) is None
    assert post_mapping(client, upload_id, "simpan", rows_are_not_people="y").status_code == 302
    assert db.session.scalar(select(Dataset).where(Dataset.name == "sekolah-uji")) is not None


def test_a_person_level_file_is_refused_with_row_and_column_and_nothing_is_kept(app, opd, users, client, auth):
    auth.login_as("produsen")
    client.get("/admin/unggah")
    before = fingerprint(app)
    for content, where in ((csv_bytes(with_column("nik", [NIK])), "kolom nik"),
                           (csv_bytes(with_column("keterangan", [NIK])), "baris 2 kolom keterangan")):
        response = post_file(client, content, "warga.csv")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Unggahan ditolak" in html and where in html and "data pribadi" in html
        for secret in SECRETS:
            assert secret not in html
        assert staged_folders(app) == []
    assert fingerprint(app) == before


def test_a_macro_workbook_is_refused_and_not_kept(app, opd, users, client, auth):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    auth.login_as("produsen")
    response = post_file(client, buffer.getvalue(), "makro.xlsm")
    assert response.status_code == 200 and "Unggahan ditolak" in response.get_data(as_text=True)
    assert staged_folders(app) == []


def test_only_members_of_the_opd_may_upload_and_a_walidata_for_any(app, opd, users, client, auth):
    auth.login_as("produsen")
    page = client.get("/admin/unggah").get_data(as_text=True)
    assert 'value="dinas-kesehatan"' in page and 'value="dinas-sosial"' not in page
    assert post_file(client, csv_bytes(good_rows()), "a.csv", organization="dinas-sosial").status_code == 403
    assert staged_folders(app) == []
    upload_id = staged_id(post_file(client, csv_bytes(good_rows()), "a.csv"))
    set_memberships(users["produsen"], [], None)  # no longer a member: the staged upload is refused
    db.session.commit()
    assert client.get(f"/admin/unggah/{upload_id}").status_code == 403
    assert post_mapping_status(client, upload_id) == 403
    assert db.session.scalar(select(Dataset).where(Dataset.name == "unggah-uji")) is None
    auth.logout()
    auth.login_as("walidata")
    other = staged_id(post_file(client, csv_bytes(good_rows()), "a.csv", name="sosial-uji",
                                organization="dinas-sosial"))
    assert client.get(f"/admin/unggah/{other}").status_code == 200


def post_mapping_status(client, upload_id: str) -> int:
    """A save posted with a valid token from another page; its status."""
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    return client.post(f"/admin/unggah/{upload_id}", data={"csrf_token": token, "action": "simpan"}).status_code


def test_unknown_and_expired_upload_ids_are_not_found(app, opd, users, client, auth):
    auth.login_as("produsen")
    assert client.get("/admin/unggah/" + "A" * 32).status_code == 404
    assert client.get("/admin/unggah/..%2F..%2Fsecret_key").status_code == 404
    upload_id = staged_id(post_file(client, csv_bytes(good_rows()), "a.csv"))
    content = Path(app.instance_path) / staging.FOLDER / upload_id / staging.CONTENT
    old = time.time() - staging.STAGED_SECONDS - 60
    os.utime(content, (old, old))
    assert client.get(f"/admin/unggah/{upload_id}").status_code == 404
    assert staged_folders(app) == []  # expired: removed
    assert post_mapping_status(client, upload_id) == 404
    assert db.session.scalar(select(Dataset).where(Dataset.name == "unggah-uji")) is None


# Hostile input to the two forms: each answered with a clear message (or a plain 4xx), nothing kept.
STEP_ONE = [
    ("nama dataset dengan jalur", {"name": "../../etc"}, "Hanya huruf kecil"),
    ("nama dataset kosong", {"name": ""}, "Pilih dataset, atau isi nama singkat"),
    ("nama dataset huruf besar", {"name": "Data Saya"}, "Hanya huruf kecil"),
    ("OPD yang tidak ada", {"organization": "dinas-fiktif"}, "Pilih OPD produsen data"),
    ("lembar yang tidak ada", {"sheet": "tidak-ada"}, "lembar yang dipilih tidak ada"),
    ("berkas kosong", {"content": b""}, "berkas kosong"),
    ("jenis berkas lain", {"filename": "tabel.pdf"}, "jenis berkas tidak didukung"),
    ("zip rusak", {"filename": "paket.zip", "content": b"PK\x03\x04 bukan zip"}, "zip rusak"),
]


@pytest.mark.parametrize("case", STEP_ONE, ids=[c[0] for c in STEP_ONE])
def test_hostile_step_one_is_answered_and_keeps_nothing(app, opd, users, client, auth, case):
    _name, given, expected = case
    auth.login_as("produsen")
    content = given.get("content", xlsx_bytes(good_rows()) if "sheet" in given else csv_bytes(good_rows()))
    filename = given.get("filename", "tabel.xlsx" if "sheet" in given else "tabel.csv")
    fields = {k: v for k, v in given.items() if k not in ("content", "filename")}
    response = post_file(client, content, filename, **({"name": "unggah-uji"} | fields))
    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)
    assert staged_folders(app) == []


def test_a_file_name_with_folders_is_cut_to_its_name(app, opd, users, client, auth):
    auth.login_as("produsen")
    upload_id = staged_id(post_file(client, csv_bytes(good_rows()), "../../instance/secret_key.csv"))
    meta = json.loads((Path(app.instance_path) / staging.FOLDER / upload_id / staging.META).read_text())
    assert meta["filename"] == "secret_key.csv"


def test_a_harvested_dataset_cannot_be_replaced_by_an_upload(app, opd, users, client, auth, harvested):
    name = harvested.drafts[0].dataset.name
    auth.login_as("produsen")
    response = post_file(client, csv_bytes(good_rows()), "a.csv", name=name)
    assert response.status_code == 200 and "diisi panen OpenSID" in response.get_data(as_text=True)
    assert staged_folders(app) == []


def test_a_body_over_the_request_limit_is_refused(app, opd, users, client, auth):
    auth.login_as("produsen")
    app.config["MAX_CONTENT_LENGTH"] = 4096
    assert post_file(client, csv_bytes(good_rows()) + b"x" * 8192, "a.csv").status_code == 413
    assert staged_folders(app) == []


def test_tampered_mapping_fields_are_bounded_or_refused(app, opd, users, client, auth):
    auth.login_as("produsen")
    upload_id = staged_id(post_file(client, csv_bytes(good_rows()), "a.csv"))
    tampered = {"c0-role": "admin", "c3-measure": "semua", "c3-konsep": "k" * 100_000, "c9-role": "ukuran",
                "c3-title": "", "privacy_class": "rahasia", "sheet": "../../x"}
    response = post_mapping(client, upload_id, "periksa", **tampered)
    assert response.status_code == 200  # the page again: the class is not a choice
    assert "Periksa isian yang ditandai" in response.get_data(as_text=True)
    tampered.pop("privacy_class")
    response = post_mapping(client, upload_id, "periksa", **tampered)
    assert response.status_code == 200
    meta = json.loads((Path(app.instance_path) / staging.FOLDER / upload_id / staging.META).read_text())
    fields = {f["name"]: f for f in meta["schema"]["fields"]}
    assert fields["kode_desa"]["role"] == "kode_wilayah"  # an unknown role keeps the inferred one
    assert fields["jumlah_penduduk"]["measure"] == "orang"  # an unknown measure counts people
    assert len(fields["jumlah_penduduk"]["konsep"]) == 2000
    assert fields["jumlah_penduduk"]["title"] == "Jumlah penduduk"
    assert len(fields) == 4 and meta["sheet"] is None
    token = csrf_token(client.get(f"/admin/unggah/{upload_id}").get_data(as_text=True))
    assert client.post(f"/admin/unggah/{upload_id}", data={"action": "simpan"}).status_code == 400
    assert client.post(f"/admin/unggah/{upload_id}", data={"csrf_token": token + "x", "action": "simpan"}
                       ).status_code == 400
    assert db.session.scalar(select(Dataset).where(Dataset.name == "unggah-uji")) is None


def test_a_new_version_starts_from_the_previous_mapping(app, opd, users, client, auth):
    auth.login_as("produsen")
    first = staged_id(post_file(client, csv_bytes(good_rows()), "v1.csv", name="versi-uji"))
    post_mapping(client, first, "simpan", **{"c3-measure": "keluarga", "c3-satuan": "KK",
                                             "c3-konsep": "Keluarga", "privacy_class": "spesifik"})
    token = csrf_token(client.get("/admin/unggah").get_data(as_text=True))
    second = staged_id(client.post("/admin/unggah", content_type="multipart/form-data", data={
        "csrf_token": token, "dataset": "versi-uji", "file": (io.BytesIO(csv_bytes(good_rows(value=70))), "v2.csv")}))
    page = client.get(f"/admin/unggah/{second}").get_data(as_text=True)
    assert "Versi baru dataset yang sudah ada" in page
    assert '<option value="keluarga" selected>' in page and 'value="KK"' in page and 'value="Keluarga"' in page
    assert 'selected value="spesifik"' in page
    assert post_mapping(client, second, "simpan").status_code == 302
    dataset = db.session.scalar(select(Dataset).where(Dataset.name == "versi-uji"))
    newest = dataset.releases[-1]
    assert newest.status is ReleaseStatus.DRAFT and dataset.releases[0].status is ReleaseStatus.SUPERSEDED
    assert descriptor_fields(newest)["jumlah_penduduk"]["satudata"]["jenis_ukuran"] == "keluarga"


def test_the_staged_file_is_readable_by_the_portal_only(app, opd, users, client, auth):
    auth.login_as("produsen")
    upload_id = staged_id(post_file(client, csv_bytes(good_rows()), "a.csv"))
    folder = Path(app.instance_path) / staging.FOLDER / upload_id
    assert folder.stat().st_mode & 0o077 == 0
    for name in (staging.CONTENT, staging.META):
        assert (folder / name).stat().st_mode & 0o077 == 0, name
    assert (folder / staging.CONTENT).read_bytes() == csv_bytes(good_rows())
