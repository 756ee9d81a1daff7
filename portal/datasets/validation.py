"""The publish gate: frictionless, the official Data Package v2 profile, and what both skip.

frictionless-py 5.21 validates data, types, constraints, primary keys, hash and bytes, but
not v2 ``categories`` or ``uniqueKeys``, and not every rule of the v2 profile (hidden-folder
paths, malformed hash strings). Those are checked here, so a package is approved only
when all four agree.

Every package is checked whole, yet a review meets the same parts again and again: the
gate reads the table its draft was checked with, and every table schema repeats the same
fields. What frictionless finds in one resource and what the profile finds in one field
are pure functions of what they read, so they are remembered by the digest of exactly
that (``Memo``: bounded, error records only, never content); any other part of a package is
checked afresh.
"""
from __future__ import annotations

import csv
import hashlib
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

from portal.core.lru import LRU
from portal.datasets.packaging import missing_values
from portal.datasets.storage import sha256_bytes as sha256_hex

PROFILE = Path(__file__).parent / "profiles" / "datapackage-2.0.json"
MAX_ERRORS = 50
# Lines of a file's start frictionless reads again with the new rows when the rest passed the
# gate before: more than frictionless sniffs a CSV dialect and a header from (100 lines).
HEAD_LINES = 200
FIRST_CELL = re.compile(rb"^([^,\n]*)[,\n]", re.MULTILINE)
# Results remembered (``Memo``): resources' frictionless errors and table-schema fields'
# profile errors, each a bounded number; a result with more errors than MEMO_MAX_ERRORS is
# not kept (a broken package is checked afresh every time).
MEMO_RESOURCES = 256
MEMO_FIELDS = 4096
MEMO_MAX_ERRORS = 100
# The resource properties frictionless reads nothing else for (no inline data, no extra
# files, no schema or dialect by path): only a resource made of these is remembered.
REMEMBERED_PROPERTIES = frozenset({
    "name", "type", "path", "title", "description", "format", "mediatype", "encoding", "bytes",
    "hash", "schema", "dialect", "homepage", "sources", "licenses", "$schema", "profile"})
NAMED_PROFILES = frozenset({"data-resource", "tabular-data-resource"})
STANDARD_PROFILE = re.compile(r"^https://datapackage\.org/profiles/\d+\.\d+/[a-z-]+\.json$")


def _error(check: str, kind: str, note: str, row: int | None = None, field: str | None = None) -> dict:
    return {"check": check, "type": kind, "rowNumber": row, "fieldName": field, "note": note}


class Memo(LRU):
    """A bounded, thread-safe map from a digest to the error records found for it (least
    recently used dropped first). It holds no content: only the records a report would show."""

    def put(self, key: str, records: tuple, weight: int = 0) -> None:
        """Remember ``records`` under ``key`` unless there are more than MEMO_MAX_ERRORS."""
        if len(records) <= MEMO_MAX_ERRORS:
            super().put(key, records, weight)


RESOURCE_MEMO = Memo(MEMO_RESOURCES)
FIELD_MEMO = Memo(MEMO_FIELDS)


def forget() -> None:
    """Forget every remembered result: the next packages are checked wholly afresh."""
    RESOURCE_MEMO.clear()
    FIELD_MEMO.clear()


def _plain(value) -> bool:
    """True when ``value`` is made only of what JSON parses to (dict with text keys, list,
    text, number, bool, null): then its JSON text tells it apart from any other value."""
    if type(value) is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if type(value) is list:
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def digest(*parts) -> str | None:
    """SHA-256 of the JSON text of ``parts`` in their own key order (a validator may report
    properties in the order it meets them); None when a part is not plain JSON."""
    if not _plain(list(parts)):
        return None
    text = json.dumps(list(parts), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


@lru_cache(maxsize=1)
def _profile_validator():
    """The Draft 7 validator of the v2 profile, remembering each table-schema field's errors.

    The profile has no ``$ref``: a field's errors depend only on the field and on the
    subschema of ``fields`` items, so a field met before (the same JSON text) gives back its
    errors, rebuilt with the same message and path as a fresh check yields them.
    """
    from jsonschema import Draft7Validator, validators
    from jsonschema.exceptions import ValidationError

    text = PROFILE.read_text(encoding="utf-8")
    profile = json.loads(text)
    if '"$ref"' in text:
        return Draft7Validator(profile)  # a field's errors could depend on more: nothing remembered
    fields = profile["properties"]["resources"]["items"]["properties"]["schema"]["properties"]["fields"]["items"]
    plain_items = Draft7Validator.VALIDATORS["items"]

    def items(validator, subschema, instance, schema):
        if subschema is not fields or not validator.is_type(instance, "array"):
            yield from plain_items(validator, subschema, instance, schema)
            return
        for index, field in enumerate(instance):
            key = digest(field)
            found = FIELD_MEMO.get(key) if key else None
            if found is None:
                found = tuple((tuple(e.path), e.message) for e in validator.descend(field, subschema))
                if key:
                    FIELD_MEMO.put(key, found)
            for path, message in found:
                yield ValidationError(message, path=(index, *path))

    return validators.extend(Draft7Validator, {"items": items})(profile)


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


def _records(errors) -> tuple:
    """(type, note, row, field) of each frictionless error."""
    return tuple((e.type, e.note, getattr(e, "row_number", None), getattr(e, "field_name", None))
                 for e in errors)


def _profiles_are_standard(value) -> bool:
    """True when every ``$schema`` or ``profile`` inside ``value`` names a standard profile
    (frictionless reads nothing from elsewhere for those)."""
    if isinstance(value, dict):
        return all((k not in ("$schema", "profile") or v in NAMED_PROFILES
                    or (isinstance(v, str) and STANDARD_PROFILE.match(v)))
                   and _profiles_are_standard(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_profiles_are_standard(v) for v in value)
    return True


def resource_key(descriptor: dict, resource, files: dict[str, bytes]) -> str | None:
    """The digest of everything frictionless' check of ``resource`` depends on, or None when
    it could depend on more (inline data, another file, a custom profile, a foreign key).

    That is: the package's ``$schema`` and ``profile`` (the standard version imposed on its
    resources), the resource's descriptor as written (its JSON text, key order kept) and the
    SHA-256 of its file's bytes.
    """
    if not isinstance(resource, dict) or not set(resource) <= REMEMBERED_PROPERTIES:
        return None
    path, schema, dialect = resource.get("path"), resource.get("schema"), resource.get("dialect")
    if (not isinstance(path, str) or path not in files or not isinstance(schema, (dict, type(None)))
            or not isinstance(dialect, (dict, type(None))) or (schema or {}).get("foreignKeys")
            or not _profiles_are_standard(resource)):
        return None
    return digest(descriptor.get("$schema"), descriptor.get("profile"), resource,
                  sha256_hex(files[path]))


def _loaded(content: bytes | None):
    """The JSON value of ``content``; None when it is missing or not JSON."""
    try:
        return json.loads(content) if content is not None else None
    except ValueError:
        return None


def _frictionless_report(folder: str, files: dict[str, bytes]) -> tuple[tuple, list[tuple[str, tuple]]]:
    """What ``frictionless.validate`` reports for ``files`` written in ``folder``: the package
    errors, and (resource name, errors) of each resource. The steps are frictionless' own
    (``validate`` -> ``PackageResource.validate`` -> ``Package.validate``); a resource with a
    ``resource_key`` met before gives back its remembered errors instead of being read again
    (errors naming the temporary folder are never remembered)."""
    from frictionless import Checklist, FrictionlessException, Resource, settings
    from frictionless.resources import PackageResource

    checklist = Checklist(checks=[], pick_errors=[], skip_errors=[])
    try:
        source = Resource(str(Path(folder) / "datapackage.json"), datatype=None)
    except FrictionlessException as exception:
        return _records(exception.reasons if exception.reasons else [exception.error]), []
    if not isinstance(source, PackageResource):
        report = source.validate(checklist)
        return _records(report.errors), [(task.name, _records(task.errors)) for task in report.tasks]
    try:
        package = source.read_metadata()
        package.to_descriptor(validate=True)
    except FrictionlessException as exception:
        return _records(exception.to_errors()), []
    descriptor = _loaded(files.get("datapackage.json"))
    written = descriptor.get("resources") if isinstance(descriptor, dict) else None
    same_order = isinstance(written, list) and len(written) == len(package.resources)
    tasks = []
    for index, resource in enumerate(package.resources):
        key = None
        if same_order and isinstance(written[index], dict) and written[index].get("name") == resource.name:
            key = resource_key(descriptor, written[index], files)
        found = RESOURCE_MEMO.get(key) if key else None
        if found is None:
            report = resource.validate(checklist=checklist, limit_errors=settings.DEFAULT_LIMIT_ERRORS,
                                       limit_rows=None)
            found = _records(report.errors) + tuple(r for task in report.tasks for r in _records(task.errors))
            if key and not any(folder in str(note) for _kind, note, _row, _field in found):
                RESOURCE_MEMO.put(key, found)
        tasks.append((resource.name, found))
    return (), tasks


def frictionless_errors(files: dict[str, bytes], shifts: dict[str, tuple[int, int]] | None = None) -> list[dict]:
    """Errors frictionless finds in the package (descriptor, data, hash, bytes, keys).

    ``shifts`` maps a resource name to (row, offset): a row number above ``row`` in that
    resource's errors is moved on by ``offset`` (the rows of a file left out of ``files``
    because they passed the gate before, see ``validate_files``).
    """
    with tempfile.TemporaryDirectory(prefix="portal-validate-") as tmp:
        for rel, content in files.items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        package_errors, tasks = _frictionless_report(tmp, files)
    shifts = shifts or {}
    errors = [_error("frictionless", kind, note, row, field) for kind, note, row, field in package_errors]
    for name, found in tasks:
        after, offset = shifts.get(name, (None, 0))
        for kind, note, row, field in found:
            if after is not None and row is not None and row > after:
                row += offset
            errors.append(_error("frictionless", kind, note, row, field))
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
