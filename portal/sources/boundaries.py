"""Desa boundaries from OpenSID's ``config.path``, normalised to GeoJSON and checked.

OpenSID keeps a desa's boundary as JSON arrays of Leaflet LatLngs, **[lat, lng]** (a third
number, the altitude, may follow), the ring left unclosed (opensid-more.md section 6):

- since v22.02 a MultiPolygon, ``[[[[lat,lng],...]]]`` (nesting depth 4);
- v21.12 and older a Polygon, ``[[[lat,lng],...]]`` (depth 3);
- ``''``, NULL, ``[]`` and ``[[]]`` mean no boundary.

``read_boundaries`` turns every desa of the district into one GeoJSON Feature keyed by its
dotted code: a MultiPolygon in GeoJSON's (lng, lat) order, rings closed and the outer ring
counter-clockwise (RFC 7946), when the boundary passes the checks in ``CHECKS``; otherwise
the desa's own point (``config.lat``/``config.lng``) and a warning citing desa, table, row and
column, never the value. Only desa boundaries are read: ``tweb_wil_clusterdesa.path``
(dusun, RW, RT) is never looked at, as nothing below the desa is published.

The cell itself is bounded by the readers (``MAX_MAP_CELL``, 16 MiB for a ``path`` column).
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import shapely
from shapely.geometry import mapping

from .tables import ROW_COLUMN
from .wilayah import District, dotted

TABLE = "config"
# A district's extent (south, north, west, east) in degrees, with a margin of a few km; a
# district not listed here gets the extent of its desa points (see district_extent).
DISTRICT_EXTENTS = {"51.02": (-8.75, -8.15, 114.85, 115.30)}
# Indonesia's extent: a point outside it is no desa of this portal's.
INDONESIA = (-11.5, 6.5, 94.5, 141.5)
# How far around its desa points a district without a listed extent may reach (degrees).
POINT_MARGIN = 0.1

# Why a boundary is not used: the reasons a warning gives, as data (kind -> message).
CHECKS = {
    "json": "bukan JSON yang dapat dibaca",
    "depth": "bukan poligon OpenSID (kedalaman larik harus 3 atau 4)",
    "number": "koordinat bukan angka",
    "ring": "cincin poligon kurang dari 3 titik berbeda",
    "swapped": "urutan koordinat tertukar (harus [lat, lng])",
    "outside": "di luar batas kabupaten",
    "invalid": "poligon memotong dirinya sendiri atau tumpang tindih",
}
POINT_CHECKS = {
    "point": "titik desa tidak ada atau bukan angka",
    "point_outside": "titik desa di luar batas kabupaten",
}
EMPTY = frozenset({"", "[]", "[[]]", "[[[]]]", "null"})


class BadBoundary(ValueError):
    """A boundary that cannot be used; ``kind`` is a key of CHECKS."""

    def __init__(self, kind: str) -> None:
        super().__init__(CHECKS[kind])
        self.kind = kind


@dataclass(frozen=True)
class BoundaryWarning:
    """One unusable boundary or point, cited by desa, table, row and column."""

    desa: str  # dotted code
    table: str
    row: int
    column: str
    kind: str

    @property
    def message(self) -> str:
        """The warning as the harvest reports it (no value of the cell)."""
        reason = CHECKS.get(self.kind) or POINT_CHECKS[self.kind]
        return f"desa {self.desa} tabel {self.table} baris {self.row} kolom {self.column}: {reason}"


@dataclass
class BoundaryReport:
    """GeoJSON features keyed by dotted desa code, and the warnings of the checks."""

    features: dict[str, dict] = field(default_factory=dict)
    warnings: list[BoundaryWarning] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # desa without a boundary (empty path)

    def feature_collection(self) -> dict:
        """All features as one GeoJSON FeatureCollection, in desa code order."""
        return {"type": "FeatureCollection", "features": [self.features[k] for k in sorted(self.features)]}


def district_extent(district: District, points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """The district's extent: listed in DISTRICT_EXTENTS, else its desa points with a margin."""
    if district.kode in DISTRICT_EXTENTS:
        return DISTRICT_EXTENTS[district.kode]
    inside = [(lat, lng) for lat, lng in points if _inside((lng, lat), INDONESIA)]
    if not inside:
        return INDONESIA
    lats, lngs = [p[0] for p in inside], [p[1] for p in inside]
    return (min(lats) - POINT_MARGIN, max(lats) + POINT_MARGIN,
            min(lngs) - POINT_MARGIN, max(lngs) + POINT_MARGIN)


def _inside(xy: tuple[float, float], extent: tuple[float, float, float, float]) -> bool:
    """Whether a (lng, lat) point lies within (south, north, west, east)."""
    south, north, west, east = extent
    return south <= xy[1] <= north and west <= xy[0] <= east


def _depth(value: object) -> int:
    """Nesting depth of a JSON array along its first elements ([[[[1]]]] is 4)."""
    depth = 0
    while isinstance(value, list) and value:
        depth += 1
        value = value[0]
    return depth


def _xy(point: object) -> tuple[float, float]:
    """One OpenSID point ([lat, lng] or [lat, lng, alt]) as (lng, lat) floats."""
    if isinstance(point, dict):
        point = [point.get("lat"), point.get("lng")]
    if not isinstance(point, list) or len(point) not in (2, 3):
        raise BadBoundary("number")
    lat, lng = point[0], point[1]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lng)):
        raise BadBoundary("number")
    return float(lng), float(lat)


def _ring(points: object) -> list[tuple[float, float]]:
    """A ring of OpenSID points as closed (lng, lat) coordinates with at least 3 distinct points."""
    if not isinstance(points, list):
        raise BadBoundary("depth")
    ring = [_xy(p) for p in points]
    if len(set(ring)) < 3:
        raise BadBoundary("ring")
    return ring if ring[0] == ring[-1] else ring + [ring[0]]


def parse_path(text: str) -> list[list[list[tuple[float, float]]]] | None:
    """An OpenSID path as polygons of closed (lng, lat) rings; None when it holds no boundary."""
    if text.strip() in EMPTY:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise BadBoundary("json") from None
    if _is_empty(value):
        return None
    depth = _depth(value)
    if depth == 3:
        value = [value]  # a Polygon of OpenSID v21.12 and older
    elif depth != 4:
        raise BadBoundary("depth")
    polygons = []
    for polygon in value:
        if not isinstance(polygon, list):
            raise BadBoundary("depth")
        rings = [r for r in polygon if r != []]
        if rings:
            polygons.append([_ring(r) for r in rings])
    return polygons or None


def check_polygons(polygons: list, extent: tuple[float, float, float, float]) -> shapely.MultiPolygon:
    """The polygons as a valid MultiPolygon inside ``extent``, outer rings counter-clockwise."""
    points = [xy for polygon in polygons for ring in polygon for xy in ring]
    if not all(_inside(xy, extent) for xy in points):
        swapped = all(_inside((y, x), extent) for x, y in points)
        raise BadBoundary("swapped" if swapped else "outside")
    shape = shapely.MultiPolygon([(polygon[0], polygon[1:]) for polygon in polygons])
    if not shapely.is_valid(shape):
        raise BadBoundary("invalid")
    return shapely.orient_polygons(shape, exterior_cw=False)


def _number(row: Mapping, column: str) -> float | None:
    """A finite number in ``row[column]``, or None."""
    try:
        value = float(str(row.get(column, "")).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _point(row: Mapping, extent: tuple[float, float, float, float]) -> tuple[float, float] | tuple[str, str]:
    """The desa's (lng, lat) point, or (kind, column) of what is wrong with it."""
    lat, lng = _number(row, "lat"), _number(row, "lng")
    if lat is None or lng is None:
        return ("point", "lat" if lat is None else "lng")
    return (lng, lat) if _inside((lng, lat), extent) else ("point_outside", "lat")


def _is_empty(value: object) -> bool:
    """Whether a parsed path holds nothing but (nested) empty arrays."""
    return value is None or (isinstance(value, list) and all(_is_empty(v) for v in value))


def _feature(code: str, name: str, geometry: dict | None, source: str) -> dict:
    """One GeoJSON Feature of a desa (its code and name are public reference data)."""
    return {"type": "Feature", "id": code, "geometry": geometry,
            "properties": {"kode_desa": code, "nama_desa": name, "sumber": source}}


def _desa_rows(config: pd.DataFrame, district: District) -> list[tuple[str, dict]]:
    """(dotted code, row) of each config row of a desa of ``district``, first row per code."""
    names = {d.kode: d.nama for d in district.desa}
    rows, seen = [], set()
    for row in config.to_dict("records"):
        try:
            code = dotted(str(row.get("kode_desa", "")))
        except ValueError:
            continue  # the harvest's checks report a bad code
        if code in names and code not in seen:
            seen.add(code)
            rows.append((code, row))
    return rows


def read_boundaries(tables: Mapping[str, pd.DataFrame], district: District) -> BoundaryReport:
    """Every desa of ``district`` in ``tables["config"]`` as a GeoJSON Feature, with warnings.

    ``tables`` is what a reader returns (``SourceTables`` or its dict): text cells and the
    ``_baris`` column. A desa whose boundary is unusable is drawn as its point; a desa with
    no usable point either gets a Feature without geometry.
    """
    names = {d.kode: d.nama for d in district.desa}
    rows = _desa_rows(tables[TABLE], district)
    points = [_point(r, INDONESIA) for _, r in rows]
    extent = district_extent(district, [(p[1], p[0]) for p in points if isinstance(p[0], float)])
    report = BoundaryReport()
    for code, row in rows:
        line = int(row.get(ROW_COLUMN, 0) or 0)
        text = row.get("path")
        text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
        try:
            polygons = parse_path(text)
            if polygons is not None:
                shape = check_polygons(polygons, extent)
                report.features[code] = _feature(code, names[code], mapping(shape), "batas")
                continue
            report.missing.append(code)
        except BadBoundary as bad:
            report.warnings.append(BoundaryWarning(code, TABLE, line, "path", bad.kind))
        point = _point(row, extent)
        if isinstance(point[0], str):
            report.warnings.append(BoundaryWarning(code, TABLE, line, point[1], point[0]))
            report.features[code] = _feature(code, names[code], None, "tidak ada")
        else:
            report.features[code] = _feature(code, names[code], {"type": "Point", "coordinates": list(point)},
                                             "titik")
    return report
