"""The demo district's desa boundaries: OpenSID's format, a tiling of the kabupaten, and read
back by the sources layer without a warning."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely

from portal.demogen.boundaries import desa_paths
from portal.demogen.region import build_config
from portal.sources import read_boundaries
from portal.sources.wilayah import load_district

TABANAN = load_district("51.02")


@pytest.fixture(scope="module")
def config() -> pd.DataFrame:
    """The demo config table as a reader returns it: text cells and file lines."""
    frame = build_config(np.random.default_rng(2026), TABANAN, 2026).astype(str)
    frame["_baris"] = range(2, 2 + len(frame))
    return frame


def _polygon(path: str) -> shapely.Polygon:
    """The single ring of a demo path as a shapely polygon in (lng, lat)."""
    return shapely.Polygon([(lng, lat) for lat, lng in json.loads(path)[0][0]])


def test_every_desa_has_a_small_multipolygon_in_opensid_order(config):
    for path, lat, lng in zip(config["path"], config["lat"].astype(float), config["lng"].astype(float)):
        value = json.loads(path)
        assert len(value) == 1 and len(value[0]) == 1  # depth 4: one polygon, one ring
        ring = value[0][0]
        assert 8 <= len(ring) <= 80 and ring[0] != ring[-1]  # tens of points, left unclosed
        assert all(-9 < p[0] < -8 and 114 < p[1] < 116 for p in ring)  # [lat, lng]
        assert _polygon(path).contains(shapely.Point(lng, lat))  # around the desa office
        assert len(path) < 2500


def test_the_cells_tile_the_kabupaten_without_overlap(config):
    polygons = [_polygon(p) for p in config["path"]]
    assert all(p.is_valid for p in polygons)
    union = shapely.union_all(polygons)
    assert union.area == pytest.approx(sum(p.area for p in polygons), rel=1e-6)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0


def test_the_sources_layer_reads_them_without_a_warning(config):
    report = read_boundaries({"config": config}, TABANAN)
    assert report.warnings == [] and report.missing == []
    assert sorted(report.features) == sorted(d.kode for d in TABANAN.desa)
    assert {f["geometry"]["type"] for f in report.features.values()} == {"MultiPolygon"}


def test_boundaries_follow_from_positions_alone():
    lat, lng = np.array([-8.4, -8.5, -8.45]), np.array([115.0, 115.1, 115.2])
    assert desa_paths(lat, lng) == desa_paths(lat.copy(), lng.copy())
    assert desa_paths(lat, lng) != desa_paths(lat + 0.01, lng)
