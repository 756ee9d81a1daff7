"""Desa boundaries: OpenSID's [lat, lng] paths become checked GeoJSON; a bad one is a warning
citing desa, table, row and column (never the value) and the desa is drawn as its point."""
from __future__ import annotations

import json
import math
import time

import pandas as pd
import pytest
import shapely

from portal.sources import BoundaryReport, read_boundaries, read_source
from portal.sources.boundaries import CHECKS
from portal.sources.tables import MAX_CELL, MAX_MAP_CELL
from portal.sources.wilayah import load_district

TABANAN = load_district("51.02")
DESA = "51.02.01.2001"
# A small square in Selemadeg, as OpenSID keeps it: [lat, lng], unclosed, clockwise on a map.
SQUARE = [[-8.50, 115.00], [-8.45, 115.00], [-8.45, 115.05], [-8.50, 115.05]]
POINT = ("-8.47", "115.02")


def _config(*paths, lat=POINT[0], lng=POINT[1]) -> dict[str, pd.DataFrame]:
    """A config table with one Tabanan desa per path (file lines 2, 3, ...), every cell text."""
    codes = [d.kode.replace(".", "") for d in TABANAN.desa[: len(paths)]]
    frame = pd.DataFrame({"id": [str(i + 1) for i in range(len(paths))], "kode_desa": codes,
                          "lat": [lat] * len(paths), "lng": [lng] * len(paths),
                          "path": [p if isinstance(p, str) or p is None else json.dumps(p) for p in paths]})
    frame["_baris"] = range(2, 2 + len(paths))
    return {"config": frame}


def _one(path, **point) -> BoundaryReport:
    """The report for a single desa (51.02.01.2001, file line 2) with ``path``."""
    return read_boundaries(_config(path, **point), TABANAN)


def _assert_warned(report: BoundaryReport, kind: str, value: str, column: str = "path") -> None:
    """One warning of ``kind`` citing desa, table, row 2 and column, and nothing of the value."""
    assert [w.kind for w in report.warnings] == [kind]
    message = report.warnings[0].message
    for fragment in (f"desa {DESA}", "tabel config", "baris 2", f"kolom {column}", CHECKS.get(kind, "")):
        assert fragment in message
    for number in {part.strip("[]{} ") for part in value.split(",")} - {""}:
        assert number not in message, "the warning quotes the value"


def test_opensid_lat_lng_becomes_geojson_lng_lat_closed_and_counter_clockwise():
    report = _one([[SQUARE]])
    assert report.warnings == [] and report.missing == []
    feature = report.features[DESA]
    assert feature["properties"] == {"kode_desa": DESA, "nama_desa": "Bajera", "sumber": "batas"}
    geometry = feature["geometry"]
    assert geometry["type"] == "MultiPolygon"
    ring = [list(p) for p in geometry["coordinates"][0][0]]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert {tuple(p) for p in ring} == {(lng, lat) for lat, lng in SQUARE}
    assert shapely.Polygon(ring).exterior.is_ccw
    json.dumps(report.feature_collection())  # plain JSON


def test_legacy_polygon_depth_three_altitude_and_a_closed_ring_are_read_the_same():
    expected = _one([[SQUARE]]).features[DESA]["geometry"]
    closed_with_altitude = [[lat, lng, 12.5] for lat, lng in SQUARE + SQUARE[:1]]
    for path in ([SQUARE], [[closed_with_altitude]]):
        assert _one(path).features[DESA]["geometry"] == expected


def test_a_hole_is_kept_as_an_inner_ring():
    hole = [[-8.49, 115.01], [-8.46, 115.01], [-8.46, 115.04], [-8.49, 115.04]]
    geometry = _one([[SQUARE, hole]]).features[DESA]["geometry"]
    assert len(geometry["coordinates"][0]) == 2
    assert shapely.geometry.shape(geometry).area == pytest.approx(0.05 ** 2 - 0.03 ** 2)


@pytest.mark.parametrize("empty", ["", None, "[]", "[[]]", "[[[]]]", " [ [ ] ] "])
def test_no_boundary_is_the_point_without_a_warning(empty):
    report = _one(empty)
    assert report.warnings == [] and report.missing == [DESA]
    assert report.features[DESA]["geometry"] == {"type": "Point", "coordinates": [115.02, -8.47]}
    assert report.features[DESA]["properties"]["sumber"] == "titik"


@pytest.mark.parametrize(("kind", "path"), [
    ("json", '[[[[-8.50,115.00],[-8.45,115.00],[-8.45'),
    ("json", "[" * 200_000 + "]" * 200_000),
    ("json", "batas desa"),
    ("depth", "[-8.5,115.0]"),
    ("depth", '{"lat":-8.5,"lng":115.0}'),
    ("number", '[[[["-8.50","115.00"],["-8.45","115.00"],["-8.45","115.05"]]]]'),
    ("number", "[[[[-8.50,115.00],[-8.45,NaN],[-8.45,115.05]]]]"),
    ("number", "[[[[-8.50,115.00],[-8.45],[-8.45,115.05]]]]"),
    ("ring", "[[[[-8.50,115.00],[-8.45,115.00]]]]"),
    ("ring", "[[[[-8.50,115.00],[-8.45,115.00],[-8.50,115.00],[-8.45,115.00]]]]"),
    # A bow tie: the ring crosses itself.
    ("invalid", "[[[[-8.50,115.00],[-8.45,115.05],[-8.50,115.05],[-8.45,115.00]]]]"),
    # Two polygons of one desa that overlap.
    ("invalid", json.dumps([[SQUARE], [[[lat + 0.01, lng + 0.01] for lat, lng in SQUARE]]])),
    ("outside", "[[[[-8.50,116.00],[-8.45,116.00],[-8.45,116.05],[-8.50,116.05]]]]"),
    ("swapped", json.dumps([[[[lng, lat] for lat, lng in SQUARE]]])),
])
def test_a_bad_boundary_is_a_warning_and_the_desa_is_drawn_as_its_point(kind, path):
    report = _one(path)
    _assert_warned(report, kind, path)
    assert report.features[DESA]["geometry"] == {"type": "Point", "coordinates": [115.02, -8.47]}
    assert report.missing == []


def test_a_bad_point_as_well_leaves_the_desa_without_geometry():
    report = _one("[[[[-8.50,115.00]]]]", lat="utara", lng="115.02")
    assert [(w.kind, w.column) for w in report.warnings] == [("ring", "path"), ("point", "lat")]
    assert report.features[DESA]["geometry"] is None
    assert "utara" not in report.warnings[1].message
    outside = _one("", lat="-6.2", lng="106.8")  # Jakarta
    _assert_warned(outside, "point_outside", "-6.2,106.8", column="lat")


def test_rows_are_cited_by_their_own_line_and_good_desa_are_unaffected():
    bow_tie = "[[[[-8.50,115.00],[-8.45,115.05],[-8.50,115.05],[-8.45,115.00]]]]"
    report = read_boundaries(_config([[SQUARE]], bow_tie, [[SQUARE]]), TABANAN)
    assert [(w.desa, w.row) for w in report.warnings] == [("51.02.01.2002", 3)]
    assert [report.features[d.kode]["properties"]["sumber"] for d in TABANAN.desa[:3]] == ["batas", "titik", "batas"]


def test_only_desa_of_the_district_and_never_a_dusun_boundary_are_read():
    tables = _config([[SQUARE]])
    tables["config"].loc[1] = ["2", "5171011001", "-8.65", "115.2", "[[[[-8.6,115.2]]]]", 3]  # Denpasar
    tables["tweb_wil_clusterdesa"] = pd.DataFrame({"id": ["1"], "config_id": ["1"], "rt": ["0"], "rw": ["0"],
                                                   "path": ["[[[[broken"], "_baris": [2]})
    report = read_boundaries(tables, TABANAN)
    assert list(report.features) == [DESA] and report.warnings == []


def test_a_district_without_a_listed_extent_uses_its_desa_points():
    denpasar = load_district("51.71")
    code = denpasar.desa[0].kode.replace(".", "")
    near = [[-8.65, 115.20], [-8.64, 115.20], [-8.64, 115.21]]
    tables = {"config": pd.DataFrame({"kode_desa": [code, code[:-1] + "9"], "lat": ["-8.645", "x"],
                                      "lng": ["115.205", "y"], "path": [json.dumps([[near]]), ""],
                                      "_baris": [2, 3]})}
    report = read_boundaries(tables, denpasar)
    assert report.features[denpasar.desa[0].kode]["properties"]["sumber"] == "batas"
    far = [[lat - 1, lng] for lat, lng in near]
    tables["config"].loc[0, "path"] = json.dumps([[far]])
    assert [w.kind for w in read_boundaries(tables, denpasar).warnings] == ["outside"]


def test_a_huge_boundary_within_the_cell_limit_is_read_from_a_csv_export(tmp_path, small_tables, write_csvs):
    # 300,000 points on a circle: about 7 MB, far over the 64 KiB of other cells, under 16 MiB.
    n = 300_000
    turn = [2 * math.pi * i / n for i in range(n)]
    ring = [[round(-8.47 + 0.02 * math.sin(t), 7), round(115.02 + 0.02 * math.cos(t), 7)] for t in turn]
    path = json.dumps([[ring]], separators=(",", ":"))
    assert MAX_CELL < len(path) < MAX_MAP_CELL
    tables = small_tables()
    tables["config"] = tables["config"].assign(lat=POINT[0], lng=POINT[1], path=path)
    source = read_source(write_csvs(tmp_path / "desa", tables))
    started = time.perf_counter()
    report = read_boundaries(source, TABANAN)
    assert time.perf_counter() - started < 20
    assert report.warnings == []
    geometry = report.features[DESA]["geometry"]
    assert len(geometry["coordinates"][0][0]) == n + 1
    assert shapely.geometry.shape(geometry).area == pytest.approx(math.pi * 0.02 ** 2, rel=1e-3)
