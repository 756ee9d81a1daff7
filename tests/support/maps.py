"""A small published world for the maps: the demo's desa boundaries and per-desa tables,
written straight into the database and storage (no harvest), as tests/support/catalog.py does."""
from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np

from portal.core.vocabularies import ReleaseStatus
from portal.datasets import geo
from portal.datasets.models import Dataset, Organization, Release, ReleaseFile
from portal.datasets.storage import Storage, sha256_bytes
from portal.demogen.region import build_config
from portal.extensions import db
from portal.sources import read_boundaries
from portal.sources.wilayah import load_district

TABANAN = load_district("51.02")
HEADER = ["kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan", "kode", "kategori",
          "jumlah", "laki_laki", "perempuan"]
MEDIA = {"csv": "text/csv", "json": "application/json", "geojson": geo.GEOJSON_MEDIA_TYPE}


def demo_features() -> list[dict]:
    """The demo district's 133 desa boundaries, normalised as the harvest publishes them."""
    config = build_config(np.random.default_rng(2026), TABANAN, 2026).astype(str)
    config["_baris"] = range(2, 2 + len(config))
    report = read_boundaries({"config": config}, TABANAN)
    assert not report.warnings
    return geo.normalised_features(report.features, TABANAN)


def _organization() -> Organization:
    org = db.session.query(Organization).filter_by(name="disdukcapil").one_or_none()
    if org is None:
        org = Organization(name="disdukcapil", title="Dinas Kependudukan dan Pencatatan Sipil")
        db.session.add(org)
    return org


def _publish(app, name: str, title: str, files: dict[str, bytes], version: str) -> Release:
    """A published release of ``name`` with ``files`` (package paths) in the legacy layout."""
    ds = db.session.query(Dataset).filter_by(name=name).one_or_none()
    if ds is None:
        ds = Dataset(name=name, title=title, description=f"{title}.", organization=_organization())
        db.session.add(ds)
    release = Release(dataset=ds, version=version, status=ReleaseStatus.PUBLISHED,
                      reference_date=date(2026, 11, 1), schema_hash="s" * 64,
                      data_hash=sha256_bytes(b"".join(files.values())), published_at=datetime(2026, 11, 2),
                      privacy_report={}, validation_report={})
    for rel, content in files.items():
        fname = rel.rsplit("/", 1)[-1]
        fmt = fname.rsplit(".", 1)[-1]
        release.files.append(ReleaseFile(name=fname, format=fmt, media_type=MEDIA[fmt],
                                         bytes=len(content), sha256=sha256_bytes(content)))
    db.session.add(release)
    db.session.flush()
    directory = Storage(app.config["STORAGE_DIR"]).published_dir(name, version)
    for rel, content in files.items():
        (directory / rel).parent.mkdir(parents=True, exist_ok=True)
        (directory / rel).write_bytes(content)
    db.session.commit()
    return release


def publish_boundaries(app, features: list[dict], version: str = "1.0.0") -> Release:
    """The boundary dataset as publishing leaves it: its CSV, GeoJSON and descriptor."""
    name = geo.BOUNDARIES.name
    csv_bytes, geojson = geo.package_bytes(features)
    descriptor = {"name": name, "version": version, "resources": [
        {"name": name, "path": f"data/{name}.csv", "schema": geo.table_schema()},
        geo.geojson_resource(name, geo.BOUNDARIES.title, geojson)]}
    return _publish(app, name, geo.BOUNDARIES.title, {
        f"data/{name}.csv": csv_bytes, f"data/{name}.geojson": geojson,
        "datapackage.json": json.dumps(descriptor).encode()}, version)


def publish_table(app, name: str, title: str, rows: list[list[str]], version: str = "1.0.0") -> Release:
    """A per-desa table (long format, "x" = hidden) published with a minimal descriptor."""
    csv_bytes = ("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n").encode()
    fields = [{"name": h, "type": "integer" if h in ("jumlah", "laki_laki", "perempuan") else "string"}
              for h in HEADER]
    descriptor = {"name": name, "version": version, "resources": [{
        "name": name, "path": f"data/{name}.csv",
        "schema": {"fields": fields, "missingValues": [{"value": "x", "label": "Disembunyikan"}]}}]}
    return _publish(app, name, title, {f"data/{name}.csv": csv_bytes,
                                       "datapackage.json": json.dumps(descriptor).encode()}, version)


def desa_row(kode: str, code: str, category: str, count: str) -> list[str]:
    """One row of a per-desa table for a Tabanan desa (names from the region list)."""
    desa = next(d for d in TABANAN.desa if d.kode == kode)
    kecamatan = next(k for k in TABANAN.kecamatan if k.kode == desa.kode_kecamatan)
    half = "x" if count == "x" else str(int(count) // 2)
    other = "x" if count == "x" else str(int(count) - int(count) // 2)
    return [kode, desa.nama, kecamatan.kode, kecamatan.nama, code, category, count, half, other]
