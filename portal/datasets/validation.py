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
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from portal.datasets.packaging import missing_values
from portal.datasets.storage import sha256_bytes as sha256_hex

PROFILE = Path(__file__).parent / "profiles" / "datapackage-2.0.json"
MAX_ERRORS = 50
# Lines of a file's start frictionless reads again with the new rows when the rest passed the
# gate before: more than frictionless sniffs a CSV dialect and a header from (100 lines).
HEAD_LINES = 200
FIRST_CELL = re.compile(rb"^([^,\n]*)[,\n]", re.MULTILINE)


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


def frictionless_errors(files: dict[str, bytes], shifts: dict[str, tuple[int, int]] | None = None) -> list[dict]:
    """Errors frictionless finds in the package (descriptor, data, hash, bytes, keys).

    ``shifts`` maps a resource name to (row, offset): a row number above ``row`` in that
    resource's errors is moved on by ``offset`` (the rows of a file left out of ``files``
    because they passed the gate before, see ``validate_files``).
    """
    from frictionless import validate

    with tempfile.TemporaryDirectory(prefix="portal-validate-") as tmp:
        for rel, content in files.items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        report = validate(str(Path(tmp) / "datapackage.json"))
    shifts = shifts or {}
    errors = [_error("frictionless", e.type, e.note, getattr(e, "row_number", None),
                     getattr(e, "field_name", None)) for e in report.errors]
    for task in report.tasks:
        after, offset = shifts.get(task.name, (None, 0))
        for e in task.errors:
            row = getattr(e, "row_number", None)
            if after is not None and row is not None and row > after:
                row += offset
            errors.append(_error("frictionless", e.type, e.note, row, getattr(e, "field_name", None)))
    return errors


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


def _tables(descriptor: dict, files: dict[str, bytes], shifts: dict[str, tuple[int, int]] | None = None):
    """Each table resource: name, schema, header and (row number, cells) of its rows, the
    numbers moved on past the rows left out of a file (``frictionless_errors``' shifts)."""
    for resource in descriptor.get("resources", []):
        schema = resource.get("schema")
        content = files.get(resource.get("path", ""))
        if not isinstance(schema, dict) or content is None:
            continue
        rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
        after, offset = (shifts or {}).get(resource.get("name"), (len(rows) + 1, 0))
        if rows:
            yield resource["name"], schema, rows[0], [
                (n + offset if n > after else n, row) for n, row in enumerate(rows[1:], start=2)]


def category_errors(descriptor: dict, files: dict[str, bytes],
                    shifts: dict[str, tuple[int, int]] | None = None) -> list[dict]:
    """Values outside a field's declared ``categories`` (missing values excepted)."""
    errors = []
    for _name, schema, header, rows in _tables(descriptor, files, shifts):
        missing = missing_values(schema)
        for field in schema.get("fields", []):
            if "categories" not in field or field["name"] not in header:
                continue
            allowed = {str(c["value"]) if isinstance(c, dict) else str(c) for c in field["categories"]}
            column = header.index(field["name"])
            for number, row in rows:
                value = row[column] if column < len(row) else ""
                if value in missing:
                    continue
                if field.get("type") == "integer":
                    value = value.lstrip("+").lstrip("0") or "0"
                if value not in allowed:
                    errors.append(_error("categories", "category-error",
                                         "nilai di luar daftar kategori", number, field["name"]))
    return errors


def unique_key_errors(descriptor: dict, files: dict[str, bytes],
                      shifts: dict[str, tuple[int, int]] | None = None) -> list[dict]:
    """Rows repeating a declared ``uniqueKeys`` combination (rows with a missing part excluded)."""
    errors = []
    for _name, schema, header, rows in _tables(descriptor, files, shifts):
        missing = missing_values(schema)
        for key in schema.get("uniqueKeys", []):
            if any(name not in header for name in key):
                errors.append(_error("uniqueKeys", "unique-key-error",
                                     f"kunci unik {key} menyebut kolom yang tidak ada"))
                continue
            columns = [header.index(name) for name in key]
            seen: dict[tuple, int] = {}
            for number, row in rows:
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


@dataclass(frozen=True)
class Validated:
    """A file that passed the whole gate before: its size, SHA-256 and the resource it passed as."""

    size: int
    sha256: str
    resource: dict


@dataclass(frozen=True)
class Increment:
    """What frictionless reads of a file that starts with a validated one: its head and new rows."""

    content: bytes
    resource: dict
    head_rows: int
    skipped_rows: int
    errors: list[dict]


def _lines_end(content: bytes, lines: int) -> int | None:
    """The offset right after the ``lines``-th newline of ``content``; None if it has fewer."""
    at = -1
    for _ in range(lines):
        at = content.find(b"\n", at + 1)
        if at < 0:
            return None
    return at + 1


def _keyed_by_first_field(schema: dict) -> bool:
    """True when every key of the schema (primary and unique) holds its first field and no
    field is unique on its own: rows with different first cells can never collide."""
    first = schema["fields"][0].get("name")
    primary = schema.get("primaryKey") or []
    keys = [[primary] if isinstance(primary, str) else primary, *schema.get("uniqueKeys", [])]
    return (all(first in key for key in keys if key)
            and not any(f.get("constraints", {}).get("unique") for f in schema["fields"])
            and not schema.get("foreignKeys"))


def _first_cells(field: dict, cells) -> set | None:
    """The values of the first field, read as frictionless reads them; None if one does not read."""
    from frictionless import Field

    reader, out = Field.from_descriptor(dict(field)), set()
    for cell in set(cells):
        value, notes = reader.read_cell(cell)
        if value is None or notes:
            return None
        out.add(value)
    return out


def _plain_prefix(prefix: bytes, header: bytes, schema: dict) -> bool:
    """The validated prefix ends a row on its last byte whatever dialect frictionless sniffs:
    no quote or carriage return in it (so no field spans lines) and a header naming exactly
    the schema's fields with commas (no other delimiter could split it the same way)."""
    names = [f.get("name", "") for f in schema["fields"]]
    return (prefix.endswith(b"\n") and b'"' not in prefix and b"\r" not in prefix
            and not any(ch in name for name in names for ch in "\t;|")
            and header == ",".join(names).encode("utf-8"))


def increment(content: bytes, resource: dict, before: Validated) -> Increment | None:
    """The part of ``content`` frictionless must still read when it starts with ``before``.

    ``before`` passed the whole gate as the same resource (schema, dialect, encoding). Its
    bytes are not read again: frictionless reads the file's first ``HEAD_LINES`` lines (its
    dialect and header are sniffed from them, so they are sniffed alike) followed by the new
    rows; a key repeated across old and new rows is ruled out because no new row shares a
    value of the first field (the reference date) with an old row, and every key holds that
    field. The whole file's size and hash are checked here. None when any condition fails:
    the file is then validated whole.
    """
    schema = resource.get("schema")
    strip = ("bytes", "hash")
    if (not isinstance(schema, dict) or not schema.get("fields") or resource.get("encoding") != "utf-8"
            or {k: v for k, v in resource.items() if k not in strip}
            != {k: v for k, v in before.resource.items() if k not in strip}
            or not _keyed_by_first_field(schema) or len(content) < before.size):
        return None
    prefix = content[:before.size]
    head_end = _lines_end(prefix, HEAD_LINES)
    if head_end is None or sha256_hex(prefix) != before.sha256:
        return None
    header = prefix[:prefix.index(b"\n")]
    if not _plain_prefix(prefix, header, schema):
        return None
    old = _first_cells(schema["fields"][0], (m.group(1).decode("utf-8") for m in
                                             FIRST_CELL.finditer(prefix, len(header) + 1)))
    new_rows = list(csv.reader(io.StringIO(content[before.size:].decode("utf-8", errors="replace"))))
    new = _first_cells(schema["fields"][0], (row[0] for row in new_rows if row))
    if old is None or new is None or old & new:
        return None
    small = prefix[:head_end] + content[before.size:]
    errors = []
    if resource.get("bytes") is not None and resource["bytes"] != len(content):
        errors.append(_error("frictionless", "byte-count", f"{resource.get('name')}: ukuran berkas "
                             f"{len(content)} tidak sama dengan yang dideklarasikan"))
    if resource.get("hash") is not None and resource["hash"] != f"sha256:{sha256_hex(content)}":
        errors.append(_error("frictionless", "hash-count", f"{resource.get('name')}: hash berkas "
                             "tidak sama dengan yang dideklarasikan"))
    small_resource = {**resource, **({"bytes": len(small)} if "bytes" in resource else {}),
                      **({"hash": f"sha256:{sha256_hex(small)}"} if "hash" in resource else {})}
    return Increment(small, small_resource, head_rows=HEAD_LINES - 1,
                     skipped_rows=prefix.count(b"\n") - HEAD_LINES, errors=errors)


def _increments(descriptor: dict, files: dict[str, bytes], before: dict[str, Validated]):
    """The package as frictionless and the row checks read it: each file that starts with one
    in ``before`` replaced by its ``increment``; the descriptor, errors and row shifts to match."""
    checked, shifts, errors, resources, reused = dict(files), {}, [], [], {}
    for resource in descriptor.get("resources", []):
        path = resource.get("path")
        found = (increment(files[path], resource, before[path])
                 if isinstance(path, str) and path in before and path in files else None)
        if found is None:
            resources.append(resource)
            continue
        checked[path] = found.content
        resources.append(found.resource)
        errors += found.errors
        shifts[resource.get("name")] = (found.head_rows + 1, found.skipped_rows)
        reused[path] = {"bytes": before[path].size, "sha256": before[path].sha256,
                        "rows": found.skipped_rows + found.head_rows}
    small = {**descriptor, "resources": resources}
    if reused:
        checked["datapackage.json"] = json.dumps(small, ensure_ascii=False).encode("utf-8")
    return checked, small, shifts, errors, reused


def validate_files(files: dict[str, bytes], before: dict[str, Validated] | None = None) -> dict:
    """The whole gate over a package's files (relative path -> bytes); a JSON-able report.

    ``before`` names files (by path) that start with one which passed the whole gate earlier
    (a version's series is the previous version's followed by the new reference date): their
    old rows are not read again, see ``increment``. Every check holds over the whole file.
    """
    descriptor = json.loads(files["datapackage.json"])
    checked, small, shifts, reused_errors, reused = _increments(descriptor, files, before or {})
    checks = {
        "frictionless": reused_errors + frictionless_errors(checked, shifts),
        "profile": profile_errors(descriptor),
        "categories": category_errors(small, checked, shifts),
        "uniqueKeys": unique_key_errors(small, checked, shifts),
    }
    errors = [e for found in checks.values() for e in found]
    report = {"valid": not errors, "errors": errors[:MAX_ERRORS],
              "checks": {name: len(found) for name, found in checks.items()},
              "tool": "frictionless 5.21 + profil JSON Schema Data Package v2"}
    if reused:
        report["reused"] = reused
    return report
