"""Frictionless Data Package v2 files of a release: CSV, datapackage.json, zip."""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from portal.datasets.storage import sha256_bytes
from portal.datasets.vocabularies import LICENCES
from portal.privacy.protect import SUPPRESSED, SUPPRESSED_LABEL, ProtectedTable

DATAPACKAGE_SCHEMA = "https://datapackage.org/profiles/2.0/datapackage.json"
KODE_DESA_PATTERN = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
# Zip entries get a fixed timestamp so the same content always gives the same bytes.
ZIP_EPOCH = (2020, 1, 1, 0, 0, 0)


@dataclass
class PackageMeta:
    """Catalog metadata that goes into datapackage.json."""

    id: str
    name: str
    title: str
    description: str
    version: str
    created: datetime
    licence_id: str
    keywords: list[str]
    homepage: str
    sources: list[dict] = field(default_factory=list)
    contributors: list[dict] = field(default_factory=list)


def csv_path(name: str) -> str:
    """Relative path of a table's CSV inside the package."""
    return f"data/{name}.csv"


def table_csv(protected: ProtectedTable) -> bytes:
    """UTF-8 CSV without BOM; hidden cells written as the declared missing value."""
    buffer = io.StringIO()
    protected.frame.to_csv(buffer, index=False, na_rep=SUPPRESSED, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def table_schema(protected: ProtectedTable) -> dict:
    """The declared Table Schema of a protected table (long format: desa x category)."""
    cats = protected.table.categories
    spec = protected.table.spec
    unit = "keluarga" if spec.unit == "keluarga" else "penduduk"
    fields = [
        {"name": "kode_desa", "title": "Kode desa (Kemendagri)", "type": "string",
         "constraints": {"required": True, "pattern": KODE_DESA_PATTERN}},
        {"name": "nama_desa", "title": "Nama desa", "type": "string", "constraints": {"required": True}},
        {"name": "kode_kecamatan", "title": "Kode kecamatan (Kemendagri)", "type": "string",
         "constraints": {"required": True}},
        {"name": "nama_kecamatan", "title": "Nama kecamatan", "type": "string",
         "constraints": {"required": True}},
        {"name": "kode", "title": "Kode kategori", "type": "integer",
         "categories": [{"value": c.code, "label": c.label} for c in cats],
         "constraints": {"required": True}},
        {"name": "kategori", "title": "Kategori", "type": "string",
         "categories": [c.label for c in cats], "constraints": {"required": True}},
        {"name": "jumlah", "title": "Jumlah", "type": "integer",
         "description": f"Jumlah {unit} dalam kategori ini", "constraints": {"minimum": 0}},
        {"name": "laki_laki", "title": "Laki-laki", "type": "integer",
         "description": "Laki-laki" if unit == "penduduk" else "Kepala keluarga laki-laki",
         "constraints": {"minimum": 0}},
        {"name": "perempuan", "title": "Perempuan", "type": "integer",
         "description": "Perempuan" if unit == "penduduk" else "Kepala keluarga perempuan",
         "constraints": {"minimum": 0}},
    ]
    return {"fields": fields, "primaryKey": ["kode_desa", "kode"],
            "missingValues": [{"value": SUPPRESSED, "label": SUPPRESSED_LABEL}]}


def canonical_json(data) -> bytes:
    """Stable JSON bytes (sorted keys), for hashing."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def datapackage(meta: PackageMeta, protected: ProtectedTable, csv_bytes: bytes) -> dict:
    """The datapackage.json descriptor of one table's release."""
    licence = LICENCES[meta.licence_id]
    spec = protected.table.spec
    return {
        "$schema": DATAPACKAGE_SCHEMA,
        "name": meta.name,
        "id": meta.id,
        "title": meta.title,
        "description": meta.description,
        "version": meta.version,
        "created": meta.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [{"name": licence.id, "title": licence.title, "path": licence.url}],
        "keywords": meta.keywords,
        "homepage": meta.homepage,
        "sources": meta.sources,
        "contributors": meta.contributors,
        "resources": [{
            "name": spec.name,
            "type": "table",
            "path": csv_path(spec.name),
            "title": spec.title,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(csv_bytes),
            "hash": f"sha256:{sha256_bytes(csv_bytes)}",
            "schema": table_schema(protected),
        }],
    }


def package_files(meta: PackageMeta, protected: ProtectedTable, csv_bytes: bytes) -> dict[str, bytes]:
    """Every file of a release by relative path: the CSV, datapackage.json and the zip."""
    descriptor = json.dumps(datapackage(meta, protected, csv_bytes), indent=2, ensure_ascii=False)
    files = {csv_path(meta.name): csv_bytes, "datapackage.json": descriptor.encode("utf-8") + b"\n"}
    files[f"{meta.name}.zip"] = zip_bytes(files)
    return files


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A deterministic zip of the package files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(files):
            info = zipfile.ZipInfo(rel, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[rel])
    return buffer.getvalue()


def validate_package(directory: Path) -> dict:
    """Validate a package directory with frictionless; a JSON-able summary."""
    from frictionless import validate

    report = validate(str(directory / "datapackage.json"))
    keys = ["type", "rowNumber", "fieldName", "note"]
    errors = [dict(zip(keys, row)) for row in report.flatten(keys)]
    return {"valid": bool(report.valid), "errors": errors[:50], "tool": "frictionless"}
