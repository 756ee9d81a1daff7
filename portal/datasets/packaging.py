"""Frictionless Data Package v2 files of a release: CSV, JSON, datapackage.json, zip."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from portal.core.cells import SUPPRESSED, SUPPRESSED_LABEL
from portal.core.vocabularies import LICENCES
from portal.datasets.storage import sha256_bytes
from portal.privacy.protect import ProtectedTable

DATAPACKAGE_SCHEMA = "https://datapackage.org/profiles/2.0/datapackage.json"
KODE_DESA_PATTERN = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
KODE_KECAMATAN_PATTERN = r"^\d{2}\.\d{2}\.\d{2}$"
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
    # Satu Data Indonesia metadata (portal.datasets.metadata.satudata_block); {} = none.
    satudata: dict = field(default_factory=dict)


def csv_path(name: str) -> str:
    """Relative path of a table's CSV inside the package."""
    return f"data/{name}.csv"


def table_csv(protected: ProtectedTable) -> bytes:
    """UTF-8 CSV without BOM; hidden cells written as the declared missing value."""
    buffer = io.StringIO()
    protected.frame.to_csv(buffer, index=False, na_rep=SUPPRESSED, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def area_fields() -> list[dict]:
    """The four area fields every per-desa table starts with (dotted Kemendagri codes)."""
    return [
        {"name": "kode_desa", "title": "Kode desa (Kemendagri)", "type": "string",
         "constraints": {"required": True, "pattern": KODE_DESA_PATTERN}},
        {"name": "nama_desa", "title": "Nama desa", "type": "string", "constraints": {"required": True}},
        {"name": "kode_kecamatan", "title": "Kode kecamatan (Kemendagri)", "type": "string",
         "constraints": {"required": True, "pattern": KODE_KECAMATAN_PATTERN}},
        {"name": "nama_kecamatan", "title": "Nama kecamatan", "type": "string",
         "constraints": {"required": True}},
    ]


def table_schema(protected: ProtectedTable) -> dict:
    """The declared Table Schema of a protected table (long format: desa x category)."""
    cats = protected.table.categories
    spec = protected.table.spec
    unit = "keluarga" if spec.unit == "keluarga" else "penduduk"
    fields = [
        *area_fields(),
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
            "uniqueKeys": [["kode_desa", "kategori"]],
            "missingValues": [{"value": SUPPRESSED, "label": SUPPRESSED_LABEL}]}


def canonical_json(data) -> bytes:
    """Stable JSON bytes (sorted keys), for hashing."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def to_json_bytes(data) -> bytes:
    """Readable JSON as published (two-space indent, UTF-8, final newline)."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def timestamp(value: datetime) -> str:
    """RFC 3339 UTC timestamp as written in descriptors."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def datapackage(meta: PackageMeta, schema: dict, csv_bytes: bytes) -> dict:
    """The datapackage.json descriptor of one table's release."""
    licence = LICENCES[meta.licence_id]
    return {
        "$schema": DATAPACKAGE_SCHEMA,
        "name": meta.name,
        "id": meta.id,
        "title": meta.title,
        "description": meta.description,
        "version": meta.version,
        "created": timestamp(meta.created),
        "licenses": [{"name": licence.id, "title": licence.title, "path": licence.url}],
        "keywords": meta.keywords,
        "homepage": meta.homepage,
        "sources": meta.sources,
        "contributors": meta.contributors,
        **({"satudata": meta.satudata} if meta.satudata else {}),
        "resources": [{
            "name": meta.name,
            "type": "table",
            "path": csv_path(meta.name),
            "title": meta.title,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(csv_bytes),
            "hash": f"sha256:{sha256_bytes(csv_bytes)}",
            "schema": schema,
        }],
    }


def table_schema_of(descriptor: dict) -> dict:
    """The Table Schema of the package's (single) table."""
    return descriptor["resources"][0]["schema"]


def missing_values(schema: dict) -> set[str]:
    """The strings that stand for a missing (hidden) value in a table."""
    return {m["value"] if isinstance(m, dict) else str(m) for m in schema.get("missingValues", [""])}


def typed_rows(csv_bytes: bytes, schema: dict) -> tuple[list[str], list[list]]:
    """Header and rows with integers and numbers as numbers, missing values as None."""
    kinds = {f["name"]: f.get("type", "any") for f in schema.get("fields", [])}
    missing = missing_values(schema)
    reader = csv.reader(io.StringIO(csv_bytes.decode("utf-8")))
    header = next(reader, [])
    rows = []
    for raw in reader:
        row = []
        for name, value in zip(header, raw):
            if value in missing:  # missingValues apply to every field, strings included
                row.append(None)
            elif kinds.get(name) == "integer":
                row.append(int(value))
            elif kinds.get(name) == "number":
                row.append(float(value))
            else:
                row.append(value)
        rows.append(row)
    return header, rows


def data_json(descriptor: dict, csv_bytes: bytes) -> bytes:
    """The table as JSON records; a hidden count is null, and the file says why."""
    schema = table_schema_of(descriptor)
    header, rows = typed_rows(csv_bytes, schema)
    labels = [m.get("label", "") for m in schema.get("missingValues", []) if isinstance(m, dict)]
    return to_json_bytes({
        "name": descriptor["name"], "version": descriptor["version"], "title": descriptor["title"],
        "license": descriptor["licenses"][0]["name"],
        "null": "; ".join(labels) or None,
        "fields": [{"name": f["name"], "type": f.get("type", "any"), "title": f.get("title", "")}
                   for f in schema.get("fields", [])],
        "data": [dict(zip(header, row)) for row in rows],
    })


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A deterministic zip of the package files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(files):
            info = zipfile.ZipInfo(rel, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[rel])
    return buffer.getvalue()


def scannable(descriptor: dict) -> bytes:
    """The descriptor as the personal-data scan should see it.

    The package id (a random UUID) and the file hashes are made by the portal, not read from
    any source; left in, a UUID whose digits happen to run 16 long looks like a NIK.
    """
    copy = {k: v for k, v in descriptor.items() if k != "id"}
    copy["resources"] = [{k: v for k, v in r.items() if k != "hash"}
                         for r in descriptor.get("resources", [])]
    return to_json_bytes(copy)
