"""The series of a dataset: every public version in long format, hidden cells as published."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from portal.core.vocabularies import ReleaseStatus
from portal.datasets import queries, series, validation
from tests.support.catalog import ROWS, CatalogFactory
from tests.support.series import grown, monthly

NAME = "agama"


@pytest.fixture
def factory(app) -> CatalogFactory:
    """Catalogue rows and files made directly."""
    return CatalogFactory(app)


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_one_row_per_reference_date_area_and_category_with_the_version(client, factory):
    monthly(factory, NAME, 3)
    rows = _rows(client.get(f"/dataset/{NAME}/series.csv"))
    assert len(rows) == 3 * len(ROWS)
    assert list(rows[0])[:4] == ["tanggal_referensi", "versi", "kode_desa", "nama_desa"]
    satu = [(r["tanggal_referensi"], r["versi"], r["jumlah"]) for r in rows
            if r["kode_desa"] == "51.02.01.2001" and r["kategori"] == "Islam"]
    assert satu == [("2026-01-01", "1.0.0", "120"), ("2026-02-01", "1.1.0", "130"),
                    ("2026-03-01", "1.2.0", "140")]
    keys = [(r["tanggal_referensi"], r["kode_desa"], r["kode"]) for r in rows]
    assert len(set(keys)) == len(keys)


def test_hidden_cells_stay_hidden_as_each_version_published_them(client, factory):
    def rows_of(month):
        rows = grown(month)
        if month == 2:  # hidden in February only; shown before and after
            rows[2][6:9] = ["x", "x", "x"]
        return rows
    monthly(factory, NAME, 3, rows_of)
    dua = [r for r in _rows(client.get(f"/dataset/{NAME}/series.csv")) if r["kode_desa"] == "51.02.01.2002"]
    assert [r["jumlah"] for r in dua] == ["35", "x", "35"]
    hindu = [r["jumlah"] for r in _rows(client.get(f"/dataset/{NAME}/series.csv"))
             if r["kode_desa"] == "51.02.01.2001" and r["kategori"] == "Hindu"]
    assert hindu == ["x", "x", "x"]  # hidden in every version: never filled in from anywhere


def test_a_withdrawn_version_is_left_out(client, factory):
    monthly(factory, NAME, 3, statuses={2: ReleaseStatus.WITHDRAWN})
    rows = _rows(client.get(f"/dataset/{NAME}/series.csv"))
    assert sorted({r["versi"] for r in rows}) == ["1.0.0", "1.2.0"]
    assert "2026-02-01" not in {r["tanggal_referensi"] for r in rows}


def test_the_newest_version_stands_for_a_reference_date(client, factory):
    ds = monthly(factory, NAME, 2)
    correction = factory.release(ds, "1.2.0", ReleaseStatus.PUBLISHED)
    correction.reference_date = ds.releases[1].reference_date  # a correction of February
    from portal.extensions import db
    db.session.commit()
    rows = _rows(client.get(f"/dataset/{NAME}/series.csv"))
    assert [r["versi"] for r in rows if r["tanggal_referensi"] == "2026-02-01"] == ["1.2.0"] * len(ROWS)


def test_etag_and_conditional_get_and_a_new_version_changes_it(client, factory):
    ds = monthly(factory, NAME, 2)
    first = client.get(f"/dataset/{NAME}/series.csv")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public") or "max-age" in first.headers["Cache-Control"]
    assert first.headers["Last-Modified"]
    assert "attachment" in first.headers["Content-Disposition"] and "agama-seri.csv" in first.headers[
        "Content-Disposition"]
    assert client.get(f"/dataset/{NAME}/series.csv", headers={"If-None-Match": etag}).status_code == 304
    ranged = client.get(f"/dataset/{NAME}/series.csv", headers={"Range": "bytes=0-9"})
    assert ranged.status_code == 206 and ranged.get_data() == first.get_data()[:10]
    later = factory.release(ds, "1.2.0", ReleaseStatus.PUBLISHED)
    later.reference_date = later.reference_date.replace(month=3)
    from portal.extensions import db
    db.session.commit()
    again = client.get(f"/dataset/{NAME}/series.csv", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_unknown_dataset_or_format_is_404(client, factory):
    monthly(factory, NAME, 1)
    assert client.get("/dataset/tidak-ada/series.csv").status_code == 404
    assert client.get(f"/dataset/{NAME}/series.exe").status_code == 404
    assert client.get(f"/dataset/{NAME}/series.csv.csv").status_code == 404


def test_a_text_cell_that_looks_like_a_formula_is_defused(client, factory):
    def rows_of(month):
        rows = grown(month)
        rows[1][1] = "=HYPERLINK(1)"  # a desa name, as a hostile export might write it
        rows[3][3] = "+Kerambitan"
        return rows
    monthly(factory, NAME, 1, rows_of)
    rows = _rows(client.get(f"/dataset/{NAME}/series.csv"))
    assert {r["nama_desa"] for r in rows if r["kode_desa"] == "51.02.01.2001" and r["kategori"] == "Hindu"} == {
        "'=HYPERLINK(1)"}
    assert "'+Kerambitan" in {r["nama_kecamatan"] for r in rows}
    assert all(not r["jumlah"].startswith("'") for r in rows)
    book = zipfile.ZipFile(io.BytesIO(client.get(f"/dataset/{NAME}/series.xlsx").get_data()))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "=HYPERLINK(1)" in sheet and "<f>" not in sheet


def test_the_xlsx_holds_the_whole_series_with_numbers_as_numbers(client, factory):
    monthly(factory, NAME, 3)
    response = client.get(f"/dataset/{NAME}/series.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = zipfile.ZipFile(io.BytesIO(response.get_data())).read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 1 + 3 * len(ROWS)
    assert "<v>140</v>" in sheet and "2026-03-01" in sheet
    assert client.get(f"/dataset/{NAME}/series.xlsx",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_the_series_and_its_schema_pass_the_publish_gate(app, factory):
    def rows_of(month):
        rows = grown(month)
        if month == 3:
            rows[2][6:9] = ["x", "x", "x"]
        return rows
    monthly(factory, NAME, 3, rows_of)
    parts = series.parts_of(queries.public_dataset(NAME).versions)
    content = series.series_csv(parts)
    resource = series.resource(parts, NAME, "Agama", content)
    descriptor = {"$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
                  "name": "uji", "resources": [resource]}
    report = validation.validate_files({resource["path"]: content,
                                        "datapackage.json": json.dumps(descriptor).encode()})
    assert report["valid"], report["errors"]
    assert resource["schema"]["primaryKey"] == ["tanggal_referensi", "kode_desa", "kode"]
    broken = content.replace(b"2026-03-01", b"2026-02-01", 1)  # a duplicate key now
    bad = dict(resource, bytes=len(broken), hash=f"sha256:{series.sha256_bytes(broken)}")
    report = validation.validate_files({resource["path"]: broken, "datapackage.json": json.dumps(
        {**descriptor, "resources": [bad]}).encode()})
    assert not report["valid"]


def _publish_third_month(factory, users, rows_of=grown):
    """Two monthly versions made directly, then a third (March) published through publish()."""
    from datetime import date, datetime

    from portal.core.vocabularies import DEFAULT_LICENCE
    from portal.datasets import packaging, publish
    from portal.extensions import db
    from tests.support.series import month_csv

    ds = monthly(factory, NAME, 2, rows_of)
    draft = factory.release(ds, "1.2.0", ReleaseStatus.SUBMITTED)
    draft.reference_date, draft.submitted_by = date(2026, 3, 1), users["produsen"]
    content = month_csv(rows_of(3))
    directory = factory.storage.draft_dir(draft.id)
    (directory / f"data/{NAME}.csv").write_bytes(content)
    schema = json.loads((directory / "datapackage.json").read_text())["resources"][0]["schema"]
    meta = packaging.PackageMeta(id=ds.id, name=NAME, title=ds.title, description="Uji.", version="draf",
                                 created=datetime(2026, 3, 2), licence_id=DEFAULT_LICENCE, keywords=["agama"],
                                 homepage=f"http://localhost/dataset/{NAME}")
    (directory / "datapackage.json").write_bytes(packaging.to_json_bytes(packaging.datapackage(meta, schema, content)))
    db.session.commit()
    return publish.publish(draft, users["walidata"], "Setuju.")


def test_publishing_puts_the_series_up_to_this_version_in_the_data_package(client, factory, users):
    release = _publish_third_month(factory, users)
    assert release.status == ReleaseStatus.PUBLISHED and release.validation_report["valid"], \
        release.validation_report["errors"]
    descriptor = json.loads(client.get(f"/dataset/{NAME}/version/1.2.0/download/datapackage.json").get_data())
    names = [r["name"] for r in descriptor["resources"]]
    assert names == [NAME, f"{NAME}-seri"]
    stored = client.get(f"/dataset/{NAME}/version/1.2.0/download/{NAME}-seri.csv")
    assert stored.status_code == 200
    rows = list(csv.DictReader(io.StringIO(stored.get_data(as_text=True))))
    assert sorted({(r["tanggal_referensi"], r["versi"]) for r in rows}) == [
        ("2026-01-01", "1.0.0"), ("2026-02-01", "1.1.0"), ("2026-03-01", "1.2.0")]
    assert descriptor["resources"][1]["hash"] == f"sha256:{release.file(f'{NAME}-seri.csv').sha256}"
    # The zip holds both tables and frictionless validates it as downloaded.
    archive = client.get(f"/dataset/{NAME}/version/1.2.0/download/{NAME}.zip").get_data()
    assert f"data/{NAME}-seri.csv" in zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert validation.zip_errors(archive) == []
    # The live series (downloads, datastore) is the same bytes while no version is withdrawn.
    assert client.get(f"/dataset/{NAME}/series.csv").get_data() == stored.get_data()


def test_withdrawing_an_older_version_stops_the_stored_series_that_holds_it(client, factory, users):
    from portal.datasets import services
    from portal.extensions import db

    release = _publish_third_month(factory, users)
    february = next(r for r in release.dataset.releases if r.version == "1.1.0")
    services.withdraw(february, users["walidata"], "Insiden: sel kecil dapat dihitung ulang.")
    db.session.commit()
    base = f"/dataset/{NAME}/version/1.2.0/download"
    for name in (f"{NAME}-seri.csv", f"{NAME}.zip"):
        gone = client.get(f"{base}/{name}")
        assert gone.status_code == 410 and "1.1.0" in gone.get_data(as_text=True), name
        assert f"/dataset/{NAME}/series.csv" in gone.get_data(as_text=True)
    assert client.get(f"{base}/{NAME}.csv").status_code == 200  # the version's own table stays
    live = list(csv.DictReader(io.StringIO(client.get(f"/dataset/{NAME}/series.csv").get_data(as_text=True))))
    assert sorted({r["versi"] for r in live}) == ["1.0.0", "1.2.0"]
    resource = series.resource_id(release.dataset.id, NAME)
    dumped = client.get(f"/datastore/dump/{resource}").get_data(as_text=True)
    assert "1.1.0" not in dumped and "1.2.0" in dumped


def test_the_scan_still_sees_every_published_cell_of_the_series():
    from portal.privacy.scan import PersonalDataFound, assert_clean

    content = (b"tanggal_referensi,versi,kode_desa,nama_desa\n2026-03-01,1.2.0,51.02.01.2001,Bajera\n"
               b"2026-03-01,1.2.0,51.02.01.2002,lahir 12-05-1990\n")
    assert b"2026-03-01" not in series.scannable(content)
    with pytest.raises(PersonalDataFound):
        assert_clean({"data/x-seri.csv": series.scannable(content)})
    assert_clean({"data/x-seri.csv": series.scannable(content.split(b"\n2026-03-01,1.2.0,51.02.01.2002")[0])})
