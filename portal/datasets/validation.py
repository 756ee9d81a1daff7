"""The publish gate: frictionless, the official Data Package v2 profile, and what both skip.

frictionless-py 5.21 validates data, types, constraints, primary keys, hash and bytes, but
not v2 ``categories`` or ``uniqueKeys``, and not every rule of the v2 profile (hidden-folder
paths, malformed hash strings). Those are checked here, so a package is approved only
when all four agree.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
import zlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from portal.datasets.packaging import missing_values

PROFILE = Path(__file__).parent / "profiles" / "datapackage-2.0.json"
MAX_ERRORS = 50


def _error(check: str, kind: str, note: str, row: int | None = None, field: str | None = None) -> dict:
    return {"check": check, "type": kind, "rowNumber": row, "fieldName": field, "note": note}


@lru_cache(maxsize=1)
def _profile_validator():
    from jsonschema import Draft7Validator

    return Draft7Validator(json.loads(PROFILE.read_text(encoding="utf-8")))


def profile_errors(descriptor: dict) -> list[dict]:
    """Errors of the descriptor against the official Data Package v2 JSON Schema profile."""
    errors = [_error("profile", "profile-error", f"{'/'.join(map(str, e.absolute_path)) or '/'}: "
                     f"{e.message[:300]}")
              for e in _profile_validator().iter_errors(descriptor)]
    created = descriptor.get("created")
    if created is not None:
        # The profile declares format date-time but jsonschema does not assert formats.
        try:
            datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        except ValueError:
            errors.append(_error("profile", "profile-error", "created: bukan tanggal-waktu RFC 3339"))
    return errors


def frictionless_errors(files: dict[str, bytes]) -> list[dict]:
    """Errors frictionless finds in the package (descriptor, data, hash, bytes, keys)."""
    from frictionless import validate

    with tempfile.TemporaryDirectory(prefix="portal-validate-") as tmp:
        for rel, content in files.items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        report = validate(str(Path(tmp) / "datapackage.json"))
    keys = ["type", "rowNumber", "fieldName", "note"]
    return [_error("frictionless", row[0], row[3], row[1], row[2]) for row in report.flatten(keys)]


def zip_errors(content: bytes, validated: dict[str, bytes] | None = None) -> list[dict]:
    """Errors in the zipped package, exactly as it will be downloaded.

    Given the package files just ``validated`` (relative path -> bytes), the zip is checked to
    hold exactly those files, byte for byte, with intact checksums: frictionless would read the
    same bytes again (for a long series, the largest part of an approval). Without them,
    frictionless validates the zip itself.
    """
    if validated is not None:
        return _same_members(content, validated)
    from frictionless import validate

    with tempfile.TemporaryDirectory(prefix="portal-validate-") as tmp:
        path = Path(tmp) / "package.zip"
        path.write_bytes(content)
        report = validate(str(path))
    keys = ["type", "rowNumber", "fieldName", "note"]
    return [_error("zip", row[0], row[3], row[1], row[2]) for row in report.flatten(keys)]


def _same_members(content: bytes, validated: dict[str, bytes]) -> list[dict]:
    """Errors where the zip differs from the validated files: unreadable, a CRC error, a file
    missing, added or changed."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if archive.testzip() is not None:
                return [_error("zip", "zip-error", "arsip zip rusak (checksum)")]
            members = {info.filename: archive.read(info) for info in archive.infolist()}
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return [_error("zip", "zip-error", "arsip zip tidak dapat dibaca")]
    missing, added = sorted(set(validated) - set(members)), sorted(set(members) - set(validated))
    errors = [_error("zip", "zip-error", f"{rel}: tidak ada di zip") for rel in missing]
    errors += [_error("zip", "zip-error", f"{rel}: berkas tambahan di zip") for rel in added]
    errors += [_error("zip", "zip-error", f"{rel}: isi berbeda dari paket yang divalidasi")
               for rel in sorted(set(members) & set(validated)) if members[rel] != validated[rel]]
    return errors


def _tables(descriptor: dict, files: dict[str, bytes]):
    for resource in descriptor.get("resources", []):
        schema = resource.get("schema")
        content = files.get(resource.get("path", ""))
        if not isinstance(schema, dict) or content is None:
            continue
        rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
        if rows:
            yield resource["name"], schema, rows[0], rows[1:]


def category_errors(descriptor: dict, files: dict[str, bytes]) -> list[dict]:
    """Values outside a field's declared ``categories`` (missing values excepted)."""
    errors = []
    for _name, schema, header, rows in _tables(descriptor, files):
        missing = missing_values(schema)
        for field in schema.get("fields", []):
            if "categories" not in field or field["name"] not in header:
                continue
            allowed = {str(c["value"]) if isinstance(c, dict) else str(c) for c in field["categories"]}
            column = header.index(field["name"])
            for number, row in enumerate(rows, start=2):
                value = row[column] if column < len(row) else ""
                if value in missing:
                    continue
                if field.get("type") == "integer":
                    value = value.lstrip("+").lstrip("0") or "0"
                if value not in allowed:
                    errors.append(_error("categories", "category-error",
                                         "nilai di luar daftar kategori", number, field["name"]))
    return errors


def unique_key_errors(descriptor: dict, files: dict[str, bytes]) -> list[dict]:
    """Rows repeating a declared ``uniqueKeys`` combination (rows with a missing part excluded)."""
    errors = []
    for _name, schema, header, rows in _tables(descriptor, files):
        missing = missing_values(schema)
        for key in schema.get("uniqueKeys", []):
            if any(name not in header for name in key):
                errors.append(_error("uniqueKeys", "unique-key-error",
                                     f"kunci unik {key} menyebut kolom yang tidak ada"))
                continue
            columns = [header.index(name) for name in key]
            seen: dict[tuple, int] = {}
            for number, row in enumerate(rows, start=2):
                values = tuple(row[c] if c < len(row) else "" for c in columns)
                if any(v in missing for v in values):
                    continue
                if values in seen:
                    errors.append(_error("uniqueKeys", "unique-key-error",
                                         f"kombinasi {key} sudah ada di baris {seen[values]}",
                                         number, key[0]))
                else:
                    seen[values] = number
    return errors


def validate_files(files: dict[str, bytes]) -> dict:
    """The whole gate over a package's files (relative path -> bytes); a JSON-able report."""
    descriptor = json.loads(files["datapackage.json"])
    checks = {
        "frictionless": frictionless_errors(files),
        "profile": profile_errors(descriptor),
        "categories": category_errors(descriptor, files),
        "uniqueKeys": unique_key_errors(descriptor, files),
    }
    errors = [e for found in checks.values() for e in found]
    return {"valid": not errors, "errors": errors[:MAX_ERRORS],
            "checks": {name: len(found) for name, found in checks.items()},
            "tool": "frictionless 5.21 + profil JSON Schema Data Package v2"}
