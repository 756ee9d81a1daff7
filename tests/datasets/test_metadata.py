"""Satu Data Indonesia metadata: complete for every harvested table, checked before approval,
carried in datapackage.json; bad values refused with the field named, never the value."""
import json
from datetime import date

import pytest

from portal.core.vocabularies import ReleaseStatus
from portal.datasets import metadata, services
from portal.datasets.files import draft_bytes
from portal.datasets.models import Organization
from portal.datasets.workflow import metadata_gaps
from portal.extensions import db
from portal.privacy.scan import PersonalDataFound, scan_json

COMPLETE = {
    "title": "Jumlah Sekolah per Desa", "description": "Sekolah dasar per desa.", "tags": [],
    "organization": "dinas-pendidikan", "licence_id": "CC-BY-4.0", "frequency": "tahunan",
    "konsep": "Sekolah dasar", "definisi": "Satuan pendidikan formal jenjang SD.",
    "klasifikasi": "1. Wilayah; 2. Status sekolah", "ukuran": "Jumlah", "satuan": "Unit",
    "tingkat_penyajian": "desa", "cakupan_wilayah": "Kabupaten Tabanan", "periode_data": "2025",
    "sumber_data": "Dapodik", "kode_referensi": "Kode wilayah Kemendagri",
}


@pytest.fixture
def opd(app):
    org = Organization(name="dinas-pendidikan", title="Dinas Pendidikan", email="disdik@tabanankab.go.id")
    db.session.add(org)
    db.session.flush()
    return org


def test_every_harvested_draft_is_complete_and_its_package_carries_the_satudata_block(harvested):
    for draft in harvested.drafts:
        assert metadata_gaps(draft) == [], draft.dataset.name
        descriptor = json.loads(draft_bytes(draft, "datapackage.json"))
        block = descriptor["satudata"]
        assert block["tingkat_penyajian_kode"] == "desa" and block["walidata"].startswith("Walidata")
        assert block["kontak"] == f"{draft.dataset.organization.name}@tabanankab.go.id"
        assert block["periode_data"] == "tanggal referensi 1 November 2026"  # REFERENCE_DATE
        assert {"konsep", "definisi", "klasifikasi", "ukuran", "satuan", "sumber_data",
                "kode_referensi", "cakupan_wilayah", "produsen_data", "lisensi"} <= set(block)
    people = next(d for d in harvested.drafts if d.dataset.name == "penduduk-menurut-agama")
    block = json.loads(draft_bytes(people, "datapackage.json"))["satudata"]
    assert block["satuan"] == "Orang" and block["konsep"] == "Agama penduduk"
    assert block["klasifikasi"] == "1. Wilayah (desa/kelurahan); 2. Agama; 3. Jenis kelamin"
    assert "OpenSID" in block["sumber_data"] and "Kemendagri" in block["kode_referensi"]


def test_the_harvest_fills_only_empty_fields_and_never_overwrites_a_produsens(harvested, users):
    dataset = harvested.drafts[0].dataset
    services.edit_metadata(dataset, users["produsen"], {"satuan": "Jiwa"})
    db.session.commit()
    draft = next(r for r in dataset.releases if r.status is ReleaseStatus.DRAFT)
    assert services.release_meta(draft)["satuan"] == "Jiwa"
    dataset.konsep = "Konsep dari produsen"
    from portal.statistics.catalogue import get_spec
    services.ensure_dataset(get_spec(dataset.name), dataset.organization)
    assert dataset.konsep == "Konsep dari produsen"
    dataset.ukuran = ""
    services.ensure_dataset(get_spec(dataset.name), dataset.organization)
    assert dataset.ukuran == "Jumlah"


def test_missing_fields_are_named_in_words_and_complete_metadata_has_none(app, opd):
    assert metadata.missing(COMPLETE) == []
    bare = {"title": "Tabel", "description": "", "tags": [], "organization": "dinas-pendidikan",
            "licence_id": "CC-BY-4.0", "frequency": "tahunan"}
    gaps = metadata.missing(bare)
    for label in ("Deskripsi", "Konsep", "Definisi", "Klasifikasi", "Ukuran", "Satuan",
                  "Periode/tahun data", "Tingkat penyajian", "Cakupan wilayah", "Sumber data",
                  "Kode referensi"):
        assert any(g.startswith(f"{label} belum diisi") for g in gaps), label
    assert not any(g.startswith(("Judul", "Lisensi", "Walidata", "Produsen")) for g in gaps)
    # A release's reference date stands for its period when none is written.
    assert not any("Periode" in g for g in metadata.missing(bare, date(2026, 11, 1)))


def test_contact_must_be_the_opds_role_address(app, opd):
    opd.email = ""
    assert metadata.missing(COMPLETE) == ["Kontak (alamat email peran OPD) belum diisi "
                                          "(isi di halaman OPD (walidata))"]
    opd.email = "budi.santoso@gmail.com"
    gaps = metadata.missing(COMPLETE)
    assert len(gaps) == 1 and "bukan alamat email peran OPD" in gaps[0] and "budi" not in gaps[0]
    for bad in ("budi@gmail.com", "not-an-address", "a@b", "x@yahoo.co.id", "a b@kab.go.id"):
        assert not metadata.is_role_address(bad), bad
        with pytest.raises(ValueError):
            metadata.clean_email(bad)
    assert metadata.clean_email(" Dinkes@TabananKab.go.id ") == "dinkes@tabanankab.go.id"
    assert metadata.clean_email("") == ""


def test_bad_metadata_values_are_refused_naming_the_field(app, harvested, users):
    dataset = harvested.drafts[0].dataset
    for changes, words in (({"tingkat_penyajian": "provinsi"}, "Tingkat penyajian"),
                           ({"konsep": "k" * 201}, "Konsep paling banyak 200"),
                           ({"satuan": ["Orang"]}, "Satuan harus berupa teks"),
                           ({"definisi": "d" * 2001}, "Definisi paling banyak 2000")):
        with pytest.raises(services.WorkflowError) as refused:
            services.edit_metadata(dataset, users["produsen"], changes)
        assert words in str(refused.value)
        db.session.rollback()
    # Personal data typed into a field never reaches a file: the package scan refuses it.
    with pytest.raises(PersonalDataFound) as found:
        services.edit_metadata(dataset, users["produsen"], {"sumber_data": "Hubungi 081234567890"})
    assert "phone" in str(found.value) and "081234567890" not in str(found.value)
    db.session.rollback()


def test_approval_is_refused_until_the_metadata_is_complete(harvested, users):
    release = harvested.drafts[0]
    services.edit_metadata(release.dataset, users["produsen"], {"konsep": "", "satuan": "  "})
    services.submit(release, users["produsen"], "Data November.")
    db.session.commit()
    with pytest.raises(services.WorkflowError) as refused:
        services.approve(release, users["walidata"])
    message = str(refused.value)
    assert "metadata Satu Data Indonesia belum lengkap" in message
    assert "Konsep belum diisi" in message and "Satuan belum diisi" in message
    db.session.rollback()
    assert release.status is ReleaseStatus.SUBMITTED
    services.reject(release, users["walidata"], "Lengkapi konsep dan satuan.")
    services.edit_metadata(release.dataset, users["produsen"], {"konsep": "Penduduk", "satuan": "Orang"})
    services.submit(release, users["produsen"], "Metadata dilengkapi.")
    db.session.commit()
    published = services.approve(release, users["walidata"])
    assert published.status is ReleaseStatus.PUBLISHED
    assert published.dataset.konsep == "Penduduk" and published.dataset.satuan == "Orang"


def test_the_scan_allows_an_email_only_as_the_satudata_contact():
    allowed = {"satudata": {"kontak": "dinkes@tabanankab.go.id"}}
    assert scan_json("datapackage.json", allowed, set()) == []
    for elsewhere in ({"description": "dinkes@tabanankab.go.id"},
                      {"satudata": {"sumber_data": "dinkes@tabanankab.go.id"}},
                      {"resources": [{"satudata": {"kontak": "a@b.go.id"}}]}):
        assert [f.pattern for f in scan_json("datapackage.json", elsewhere, set())] == ["email"]
    # The contact's place does not hide anything else.
    nik = {"satudata": {"kontak": "3171011501900001"}}
    assert [f.pattern for f in scan_json("datapackage.json", nik, set())] == ["nik"]


def test_column_dictionary_lists_every_field_with_its_variable_metadata():
    schema = {"fields": [
        {"name": "kode_desa", "title": "Kode desa (Kemendagri)", "type": "string"},
        {"name": "kategori", "title": "Kategori", "type": "string", "categories": ["A", "B"]},
        {"name": "jumlah", "title": "Jumlah", "type": "integer", "description": "Jumlah penduduk",
         "satudata": {"konsep": "Penduduk", "satuan": "Orang", "lain": "x"}},
    ]}
    found = metadata.column_dictionary(schema)
    assert [c["name"] for c in found] == ["kode_desa", "kategori", "jumlah"]
    assert found[1]["categories"] == 2 and found[0]["type"] == "teks"
    assert found[2]["variable"] == {"konsep": "Penduduk", "satuan": "Orang"}
