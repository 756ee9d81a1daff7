"""The harvest's boundary step: desa boundaries become the geographic dataset "Batas Wilayah Desa"
(CSV per desa + GeoJSON in one data package) through the same review as the tables; a bad
boundary is a warning citing the desa and that desa becomes its point; a boundary of hundreds
of KB is read; nothing below the desa is published; no boundaries, no dataset and no error."""
from __future__ import annotations

import io
import json
import math
import shutil
import zipfile

import pandas as pd
import pytest
import rdflib
import shapely

from portal.datasets import geo, services
from portal.datasets.files import published_bytes
from portal.extensions import db
from portal.harvest.boundaries import read_step
from portal.harvest.service import harvest
from portal.sources.checks import CheckReport
from portal.sources.wilayah import load_district
from tests.support.world import REFERENCE_DATE

TABANAN = load_district("51.02")
NAME = geo.BOUNDARIES.name
# A dusun boundary carries this longitude; it must never reach a published file.
DUSUN_MARK = "115.123457"


def _draft_file(release, rel: str) -> bytes:
    return services.storage().read_draft(release.id, rel)


def _boundary_draft(result):
    return next(d for d in result.drafts if d.dataset.name == NAME)


def _config(export) -> pd.DataFrame:
    return pd.read_csv(export / "config.csv", dtype=str, keep_default_na=False)


def _circle(lat: float, lng: float, points: int, radius: float = 0.004) -> str:
    """A valid OpenSID desa path ([lat, lng], unclosed, depth 4) with ``points`` points."""
    ring = [[round(lat + radius * math.sin(2 * math.pi * i / points), 6),
             round(lng + radius * math.cos(2 * math.pi * i / points), 6)] for i in range(points)]
    return json.dumps([[ring]], separators=(",", ":"))


@pytest.fixture
def altered_export(district_export, tmp_path):
    """The district with one huge boundary, one with swapped coordinates, one self-crossing,
    one empty, and dusun boundaries in tweb_wil_clusterdesa."""
    export = tmp_path / "export"
    shutil.copytree(district_export, export)
    config = _config(export)
    lat, lng = float(config.loc[0, "lat"]), float(config.loc[0, "lng"])
    config.loc[0, "path"] = _circle(lat, lng, 12_000)  # ~280 KB in one cell
    swapped = json.loads(config.loc[1, "path"])
    config.loc[1, "path"] = json.dumps([[[[p[1], p[0]] for p in swapped[0][0]]]])
    config.loc[2, "path"] = json.dumps([[[[-8.30, 115.00], [-8.35, 115.05], [-8.30, 115.05], [-8.35, 115.00]]]])
    config.loc[3, "path"] = ""
    config.to_csv(export / "config.csv", index=False)
    clusters = pd.read_csv(export / "tweb_wil_clusterdesa.csv", dtype=str, keep_default_na=False)
    clusters["path"] = f"[[[[-8.400001,{DUSUN_MARK}],[-8.41,115.12],[-8.40,115.11]]]]"
    clusters.to_csv(export / "tweb_wil_clusterdesa.csv", index=False)
    return export


def test_harvest_drafts_the_boundaries_as_a_geographic_package(harvested):
    draft = _boundary_draft(harvested)
    assert {f.name for f in draft.files} == {f"{NAME}.csv", f"{NAME}.geojson", "datapackage.json"}
    assert draft.validation_report["valid"], draft.validation_report["errors"]
    descriptor = json.loads(_draft_file(draft, "datapackage.json"))
    table, shapes = descriptor["resources"]
    assert table["path"] == f"data/{NAME}.csv" and table["schema"]["primaryKey"] == ["kode_desa"]
    assert shapes["path"] == f"data/{NAME}.geojson" and shapes["mediatype"] == "application/geo+json"
    collection = json.loads(_draft_file(draft, f"data/{NAME}.geojson"))
    features = collection["features"]
    assert [f["id"] for f in features] == sorted(d.kode for d in TABANAN.desa)
    for feature in features:  # GeoJSON order (lng, lat) inside Tabanan, valid polygons
        assert feature["geometry"]["type"] == "MultiPolygon"
        shape = shapely.geometry.shape(feature["geometry"])
        assert shape.is_valid and 114.8 < shape.centroid.x < 115.3 and -8.8 < shape.centroid.y < -8.1
        assert feature["properties"]["luas_km2"] > 0
    table_rows = pd.read_csv(io.BytesIO(_draft_file(draft, f"data/{NAME}.csv")), dtype=str)
    assert set(table_rows["geometri"]) == {"batas"} and len(table_rows) == len(TABANAN.desa)
    # Not personal, no counts of people: said in the method note and in the privacy report.
    assert "tidak memuat jumlah orang" in draft.dataset.description
    assert draft.privacy_report["geografis"]["counts_people"] is False
    assert draft.privacy_report["geografis"]["note_en"] == "no counts of people"
    assert "audit" in draft.privacy_report and "scan" in draft.privacy_report


def test_boundaries_pass_the_same_review_and_publish_their_geojson(app, users, harvested):
    draft = _boundary_draft(harvested)
    services.submit(draft, users["produsen"], "Batas desa.")
    db.session.commit()
    services.approve(draft, users["walidata"], "Setuju.")
    assert draft.is_public
    names = {f.name for f in draft.files}
    assert {f"{NAME}.geojson", f"{NAME}.zip", f"{NAME}.csv", "datapackage.json"} <= names
    geojson = published_bytes(draft, f"{NAME}.geojson")
    assert json.loads(geojson)["type"] == "FeatureCollection"
    with zipfile.ZipFile(io.BytesIO(published_bytes(draft, f"{NAME}.zip"))) as archive:
        assert archive.read(f"data/{NAME}.geojson") == geojson
    assert draft.validation_report["valid"]
    page = app.test_client().get(f"/dataset/{NAME}")
    assert page.status_code == 200 and f"{NAME}.geojson" in page.get_data(as_text=True)
    # DCAT: the GeoJSON is a distribution, and the dataset's dct:spatial has its bounding box.
    graph = rdflib.Graph().parse(data=app.test_client().get(f"/dataset/{NAME}.ttl").data, format="turtle")
    boxes = [str(o) for o in graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/dcat#bbox"))]
    assert boxes and all(b.startswith("POLYGON((114.") for b in boxes)  # lng first, in Tabanan
    media = {str(o) for o in graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/dcat#mediaType"))}
    assert "http://www.iana.org/assignments/media-types/application/geo+json" in media


def test_bad_boundaries_are_points_with_warnings_and_a_big_one_is_read(app, users, altered_export):
    result = harvest(str(altered_export), REFERENCE_DATE, users["produsen"])
    draft = _boundary_draft(result)
    config = _config(altered_export)
    codes = [f"{k[:2]}.{k[2:4]}.{k[4:6]}.{k[6:]}" for k in config["kode_desa"][:4]]
    warned = {p.desa: p for p in result.report.warnings if p.table == "config" and p.column == "path"}
    assert set(warned) == {codes[1], codes[2]}  # swapped and self-crossing; empty is no warning
    for code in (codes[1], codes[2]):
        text = str(warned[code])
        assert f"desa {code}" in text and "kolom path" in text and "baris" in text
        assert "115.0" not in text and "-8." not in text  # no coordinate of the value
    features = {f["id"]: f for f in json.loads(_draft_file(draft, f"data/{NAME}.geojson"))["features"]}
    assert features[codes[0]]["geometry"]["type"] == "MultiPolygon"
    assert len(features[codes[0]]["geometry"]["coordinates"][0][0]) == 12_001  # the big one, closed
    for code in codes[1:]:  # bad or missing boundary: the desa's own point (lng, lat)
        assert features[code]["geometry"]["type"] == "Point"
        row = config[config["kode_desa"] == code.replace(".", "")].iloc[0]
        assert features[code]["geometry"]["coordinates"] == [float(row["lng"]), float(row["lat"])]
        assert features[code]["properties"]["geometri"] == "titik"
        assert features[code]["properties"]["luas_km2"] is None
    # Only desa: no dusun boundary reaches any file of the draft.
    for f in draft.files:
        rel = f"data/{f.name}" if f.name != "datapackage.json" else f.name
        assert DUSUN_MARK.encode() not in _draft_file(draft, rel)
    assert draft.privacy_report["geografis"]["drawn_as"] == {
        "batas": len(TABANAN.desa) - 3, "titik": 3, "tidak ada": 0}


def test_an_export_without_boundaries_makes_no_dataset_and_no_error(app, users, district_export, tmp_path):
    export = tmp_path / "export"
    shutil.copytree(district_export, export)
    config = _config(export)
    config.drop(columns=["path"]).to_csv(export / "config.csv", index=False)
    result = harvest(str(export), REFERENCE_DATE, users["produsen"])
    assert result.drafts and NAME not in {d.dataset.name for d in result.drafts}
    assert NAME not in result.unchanged
    assert not [p for p in result.report.problems if p.table == "config" and p.column == "path"]


def _read(paths: list[str] | None) -> tuple[object, CheckReport]:
    codes = [d.kode.replace(".", "") for d in TABANAN.desa[:3]]
    frame = pd.DataFrame({"id": ["1", "2", "3"], "kode_desa": codes, "lat": ["-8.47"] * 3,
                          "lng": ["115.02"] * 3, "_baris": [2, 3, 4]})
    if paths is not None:
        frame["path"] = paths
    report = CheckReport()
    return read_step({"config": frame}, TABANAN, report), report


@pytest.mark.parametrize("paths", [None, ["", "[]", "[[]]"], ["null", "", ""]])
def test_read_step_without_any_boundary_gives_nothing_and_no_warning(paths):
    found, report = _read(paths)
    assert found is None and report.problems == []


@pytest.mark.parametrize("bad", ["{", "[[[[1,2]]]]", '[[[["a","b"],[1,2],[3,4]]]]', "[[[[[[[1]]]]]]]",
                                 "[" * 5000 + "]" * 5000, '"text"', "12"])
def test_read_step_turns_bad_input_into_a_point_and_a_warning_without_the_value(bad):
    square = json.dumps([[[[-8.50, 115.00], [-8.45, 115.00], [-8.45, 115.05], [-8.50, 115.05]]]])
    found, report = _read([bad, square, ""])
    code = TABANAN.desa[0].kode
    assert found is not None
    assert found.features[code]["geometry"] == {"type": "Point", "coordinates": [115.02, -8.47]}
    [warning] = [p for p in report.warnings if p.desa == code]
    assert warning.table == "config" and warning.row == 2 and warning.column == "path"
    assert bad[:20] not in warning.message  # never the cell's text
