"""The geographic dataset "Batas Wilayah Desa": desa boundaries as GeoJSON in a data package.

A harvest hands over the checked desa boundaries (``portal.sources.boundaries``: GeoJSON in
(lng, lat) order, only desa, never dusun or below). They are published like a statistic
table, through the same draft -> review -> approve flow, as a Frictionless data package with
two resources:

- ``data/batas-wilayah-desa.csv``: one row per desa (codes, names, how it is drawn, area in
  km², a point inside it), the table every page, download and the datastore already read;
- ``data/batas-wilayah-desa.geojson``: the FeatureCollection (RFC 7946), a non-tabular resource.

A boundary is not personal data and holds no count of people, so it passes the privacy
layer without suppression; its files are still scanned like every other draft's, and the
method note and the privacy report say so ("tidak memuat jumlah orang").
"""
from __future__ import annotations

import csv
import functools
import io
import json
import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely

from portal.audit.log import record
from portal.auth.models import User
from portal.core.vocabularies import PrivacyClass
from portal.datasets import packaging, validation
from portal.datasets.drafts import build_descriptor, harvest_sources, open_release
from portal.datasets.files import MEDIA_TYPES, storage
from portal.datasets.models import Dataset, Release, ReleaseFile
from portal.datasets.storage import sha256_bytes
from portal.extensions import db
from portal.privacy.scan import assert_clean

GEOJSON_MEDIA_TYPE = "application/geo+json"
# Kilometres per degree of latitude, and of longitude at the equator (WGS 84, mean values);
# the area of a desa is taken on a local equirectangular plane scaled by cos(latitude).
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LNG = 111.320
NO_BOUNDARY_NOTE = ("Batas wilayah bukan data pribadi dan tidak memuat jumlah orang; dataset ini "
                    "melewati lapisan privasi tanpa penyembunyian sel, dan berkasnya dipindai "
                    "seperti rilis lain.")
PRIVACY_NOTE_EN = "no counts of people"
# How a desa is drawn: its boundary, its point (the boundary was missing or failed a check), nothing.
DRAWN_AS = {"batas": "batas", "titik": "titik", "tidak ada": "tidak ada"}


@dataclass(frozen=True)
class GeoSpec:
    """A geographic dataset's catalogue entry (duck-types what ``ensure_dataset`` reads)."""

    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    topic: str = "kependudukan"
    organization: str = "disdukcapil"
    privacy_class: PrivacyClass = PrivacyClass.GENERAL
    tags: tuple[str, ...] = ()


BOUNDARIES = GeoSpec(
    name="batas-wilayah-desa", title="Batas Wilayah Desa", title_en="Village Boundaries",
    description=("Batas wilayah setiap desa/kelurahan sebagaimana dicatat desa di OpenSID "
                 "(config.path), dinormalkan ke GeoJSON (urutan bujur, lintang; RFC 7946) dan "
                 "diperiksa: cincin sah, di dalam kabupaten, tidak memotong diri. Desa yang "
                 "batasnya tidak ada atau tidak lolos pemeriksaan digambar sebagai titik kantor "
                 "desanya. Hanya batas desa yang diterbitkan, tidak pernah dusun, RW atau RT. "
                 "Luas (km²) dihitung dari batas pada bidang ekuirektangular lokal (bujur "
                 "dikalikan cos lintang). " + NO_BOUNDARY_NOTE),
    description_en=("Each village's boundary as recorded by the village in OpenSID, normalised "
                    "to GeoJSON and checked; a village without a usable boundary is drawn as "
                    "its point. Only village boundaries, never hamlets or below. A boundary is "
                    "not personal data: " + PRIVACY_NOTE_EN + "."),
    tags=("batas wilayah", "peta", "geospasial", "desa"))
GEO_DATASETS = (BOUNDARIES,)


def geojson_path(name: str) -> str:
    """Relative path of a dataset's GeoJSON inside its package."""
    return f"data/{name}.geojson"


def _geometry(geometry: dict):
    """A GeoJSON geometry as a shapely one (GEOS reads it: a polygon of 10,000 points in ms)."""
    return shapely.from_geojson(json.dumps(geometry))


def area_km2(geometry: dict | None, geom=None) -> float | None:
    """Area of a (Multi)Polygon in km² on a local equirectangular plane; None for a point."""
    if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    geom = geom if geom is not None else _geometry(geometry)
    lat0 = geom.centroid.y
    scaled = shapely.transform(geom, lambda xy: xy * [KM_PER_DEG_LNG * math.cos(math.radians(lat0)),
                                                      KM_PER_DEG_LAT])
    return float(scaled.area)


def _inside_point(geometry: dict | None, geom=None) -> tuple[float, float] | None:
    """(lat, lng) of a point inside the desa: its own point, or one on its boundary's surface."""
    if not geometry:
        return None
    geom = geom if geom is not None else _geometry(geometry)
    point = geom.point_on_surface() if geometry["type"] != "Point" else geom
    return point.y, point.x


def table_schema() -> dict:
    """The Table Schema of the one-row-per-desa table beside the GeoJSON."""
    return {
        "fields": [
            *packaging.area_fields(),
            {"name": "geometri", "title": "Digambar sebagai", "type": "string",
             "description": "batas = poligon batas desa; titik = titik kantor desa (batas tidak ada "
                            "atau tidak lolos pemeriksaan); tidak ada = tanpa geometri",
             "categories": list(DRAWN_AS), "constraints": {"required": True}},
            {"name": "luas_km2", "title": "Luas (km²)", "type": "number",
             "description": "Dari batas desa; kosong bila desa digambar sebagai titik",
             "constraints": {"minimum": 0}},
            {"name": "lintang", "title": "Lintang titik di dalam desa", "type": "number"},
            {"name": "bujur", "title": "Bujur titik di dalam desa", "type": "number"},
        ],
        "primaryKey": ["kode_desa"],
        "missingValues": [""],
    }


def _drawn_as(feature: dict) -> str:
    geometry = feature.get("geometry")
    if not geometry:
        return "tidak ada"
    return "titik" if geometry["type"] == "Point" else "batas"


def _round(geometry: dict, places: int = 6) -> list:
    """Coordinates rounded to ~0.1 m (a ring at a time), so the same boundary gives the same bytes."""
    coords = geometry["coordinates"]
    if geometry["type"] == "Point":
        return np.round(np.asarray(coords, dtype=float), places).tolist()
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    rounded = [[np.round(np.asarray(ring, dtype=float), places).tolist() for ring in polygon]
               for polygon in polygons]
    return rounded[0] if geometry["type"] == "Polygon" else rounded


def normalised_features(features: dict[str, dict], district) -> list[dict]:
    """The features in desa code order with kecamatan names and area; coordinates rounded."""
    kecamatan = {k.kode: k.nama for k in district.kecamatan}
    desa = {d.kode: d for d in district.desa}
    out = []
    for code in sorted(features):
        feature, place = features[code], desa[code]
        geometry = feature.get("geometry")
        if geometry:
            geometry = {"type": geometry["type"], "coordinates": _round(geometry)}
        area = area_km2(geometry)
        out.append({"type": "Feature", "id": code, "geometry": geometry, "properties": {
            "kode_desa": code, "nama_desa": place.nama, "kode_kecamatan": place.kode_kecamatan,
            "nama_kecamatan": kecamatan.get(place.kode_kecamatan, ""), "geometri": _drawn_as(feature),
            "luas_km2": None if area is None else round(area, 3)}})
    return out


def package_bytes(features: list[dict]) -> tuple[bytes, bytes]:
    """The desa table (CSV) and the FeatureCollection (GeoJSON) of normalised features."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f["name"] for f in table_schema()["fields"]])
    for feature in features:
        p = feature["properties"]
        inside = _inside_point(feature["geometry"])
        writer.writerow([p["kode_desa"], p["nama_desa"], p["kode_kecamatan"], p["nama_kecamatan"],
                         p["geometri"], "" if p["luas_km2"] is None else f"{p['luas_km2']:.3f}",
                         *(("", "") if inside is None else (f"{inside[0]:.6f}", f"{inside[1]:.6f}"))])
    collection = {"type": "FeatureCollection", "features": features}
    geojson = (json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    return buffer.getvalue().encode("utf-8"), geojson


def geojson_resource(name: str, title: str, content: bytes) -> dict:
    """The data package's (non-tabular) GeoJSON resource."""
    return {"name": f"{name}-geojson", "path": geojson_path(name), "title": f"{title} (GeoJSON)",
            "format": "geojson", "mediatype": GEOJSON_MEDIA_TYPE, "encoding": "utf-8",
            "bytes": len(content), "hash": f"sha256:{sha256_bytes(content)}"}


def extra_resources(descriptor: dict, read) -> dict[str, bytes]:
    """The package's files beyond its first table (the GeoJSON), by path; ``read(path)`` gives bytes."""
    out = {}
    for resource in descriptor.get("resources", [])[1:]:
        path = resource.get("path")
        if isinstance(path, str) and path.endswith(".geojson"):
            content = read(path)
            if content is None:
                raise FileNotFoundError(path)
            out[path] = content
    return out


def privacy_report(features: list[dict]) -> dict:
    """The privacy report of a boundary release: nothing counted, nothing hidden."""
    return {"kind": "geografis", "counts_people": False, "note": NO_BOUNDARY_NOTE,
            "note_en": PRIVACY_NOTE_EN, "desa": len(features),
            "drawn_as": {k: sum(1 for f in features if f["properties"]["geometri"] == k) for k in DRAWN_AS}}


def create_geo_draft(dataset: Dataset, features: list[dict], reference_date: date,
                     harvest_id: int | None, actor: User | None, sources: list[dict]) -> Release | None:
    """Draft a new version of a geographic dataset; None when nothing changed (as create_draft)."""
    schema = table_schema()
    csv_bytes, geojson = package_bytes(features)
    schema_hash = sha256_bytes(packaging.canonical_json(schema))
    data_hash = sha256_bytes(csv_bytes + b"\0" + geojson)
    release = open_release(dataset, schema_hash, data_hash, privacy_report(features), reference_date,
                           harvest_id, actor)
    if release is None:
        return None
    descriptor = build_descriptor(dataset, release.meta, release.version, schema, csv_bytes,
                                  harvest_sources(sources, harvest_id, reference_date),
                                  reference_date=reference_date)
    descriptor["resources"].append(geojson_resource(dataset.name, release.meta["title"], geojson))
    _write(release, descriptor, csv_bytes, geojson)
    record("draft", actor, release)
    return release


def _write(release: Release, descriptor: dict, csv_bytes: bytes, geojson: bytes) -> None:
    """Scan, store and validate the draft's three files; record them on the release."""
    name = release.dataset.name
    files = {packaging.csv_path(name): csv_bytes, geojson_path(name): geojson,
             "datapackage.json": packaging.to_json_bytes(descriptor)}
    assert_clean({**files, "datapackage.json": packaging.scannable(descriptor)})
    storage().write_draft(release.id, files)
    release.validation_report = validation.validate_files(files)
    release.files.clear()
    db.session.flush()
    for rel, content in files.items():
        fname = rel.rsplit("/", 1)[-1]
        fmt = fname.rsplit(".", 1)[-1]
        release.files.append(ReleaseFile(name=fname, format=fmt, media_type=MEDIA_TYPES[fmt],
                                         bytes=len(content), sha256=sha256_bytes(content)))


@functools.lru_cache(maxsize=32)
def geojson_bbox(sha256: str, name: str) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a published GeoJSON blob, or None when it is not stored."""
    content = storage().read(sha256, name)
    if content is None:
        return None
    shapes = [_geometry(f["geometry"]) for f in json.loads(content).get("features", []) if f.get("geometry")]
    if not shapes:
        return None
    west, south, east, north = shapely.total_bounds(shapes).tolist()
    return west, south, east, north
