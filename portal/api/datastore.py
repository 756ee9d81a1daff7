"""datastore_search over every published table, typed by its Frictionless Table Schema."""
from __future__ import annotations

import csv
import io
import json
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from urllib.parse import urlencode

from flask import has_request_context, request

from portal.api import dicts
from portal.api.errors import NotFound, ValidationError
from portal.api.index import Entry, FileInfo, VersionInfo, snapshot
from portal.api.params import as_bool, as_int, as_list, one, require
from portal.api.registry import action
from portal.datasets import queries

ROWS_DEFAULT, ROWS_MAX = 100, 32000
CKAN_TYPES = {"integer": "int", "number": "numeric", "boolean": "bool", "date": "date",
              "datetime": "timestamp", "year": "int"}
RECORD_FORMATS = ("objects", "lists", "csv", "tsv")
_CACHE: OrderedDict[str, Table] = OrderedDict()
_CACHE_SIZE = 64
_cache_lock = Lock()


@dataclass(frozen=True)
class Table:
    """A published table: fields with types, rows typed (hidden cells as None) and as published."""

    fields: tuple[dict, ...]
    typed: tuple[tuple, ...]
    raw: tuple[tuple[str, ...], ...]

    @property
    def names(self) -> list[str]:
        """Column names, ``_id`` first as in CKAN's datastore."""
        return [f["id"] for f in self.fields]


def find_resource(resource_id: str) -> tuple[Entry, VersionInfo, FileInfo]:
    """The dataset, latest version and CSV file behind a resource id; NotFound otherwise."""
    for entry in snapshot().entries:
        for f in entry.latest.files:
            if f.format == "csv" and dicts.stable_id("resource", entry.id, f.name) == resource_id:
                return entry, entry.latest, f
    raise NotFound(f'Resource "{resource_id}" was not found.')


def _schema(release, filename: str) -> dict:
    path = queries.public_file(release, "datapackage.json")
    if path is None:
        return {}
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    tables = [r for r in descriptor.get("resources", []) if isinstance(r.get("schema"), dict)]
    chosen = next((r for r in tables if str(r.get("path", "")).endswith(filename)), None)
    return (chosen or (tables[0] if tables else {})).get("schema", {})


def _cast(value: str, kind: str, missing: set[str]):
    if value in missing or value == "":
        return None
    try:
        if kind == "int":
            return int(value)
        if kind == "numeric":
            return float(value)
    except ValueError:
        return value
    return value


def load_table(entry: Entry, version: VersionInfo, file: FileInfo) -> Table:
    """Read (and keep a few) published tables; a published version never changes."""
    key = f"{entry.id}/{version.version}/{file.sha256}"
    with _cache_lock:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    release = queries.public_release(entry.name, version.version)
    path = queries.public_file(release, file.name) if release else None
    if path is None:
        raise NotFound(f'Resource "{dicts.stable_id("resource", entry.id, file.name)}" was not found.')
    frame = queries.read_table(path)
    schema = _schema(release, file.name)
    declared = {f.get("name"): f for f in schema.get("fields", [])}
    markers = schema.get("missingValues", [""])
    missing = {m["value"] if isinstance(m, dict) else str(m) for m in markers}
    hidden = "; ".join(f"'{m['value']}' = {m['label']}" for m in markers if isinstance(m, dict) and m.get("label"))
    fields = [{"id": "_id", "type": "int"}]
    for name in frame.columns:
        spec = declared.get(name, {})
        kind = CKAN_TYPES.get(spec.get("type"), "text")
        notes = spec.get("description", "")
        if hidden and kind != "text":
            # A hidden count is null here; say why, since null alone reads as "unknown".
            notes = f"{notes} Nilai null: {hidden}.".strip()
        fields.append({"id": name, "type": kind, "info": {"label": spec.get("title", name), "notes": notes}})
    kinds = [f["type"] for f in fields[1:]]
    raw = tuple(tuple(row) for row in frame.itertuples(index=False, name=None))
    typed = tuple((n, *(_cast(v, k, missing) for v, k in zip(row, kinds)))
                  for n, row in enumerate(raw, start=1))
    table = Table(tuple(fields), typed, tuple((str(n), *row) for n, row in enumerate(raw, start=1)))
    with _cache_lock:
        _CACHE[key] = table
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return table


def _filters(params: dict) -> dict:
    value = params.get("filters") or {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({"filters": ["Cannot parse JSON"]}) from None
    if not isinstance(value, dict):
        raise ValidationError({"filters": ["Not a JSON object"]})
    return value


def select_rows(table: Table, params: dict) -> list[int]:
    """Row positions matching filters and q, in the requested sort order."""
    names = table.names
    kinds = {f["id"]: f["type"] for f in table.fields}
    rows = range(len(table.typed))
    for field, wanted in _filters(params).items():
        if field not in kinds:
            raise ValidationError({"filters": [f'field "{field}" not in resource']})
        col = names.index(field)
        accepted = {str(w) for w in (wanted if isinstance(wanted, list) else [wanted])}
        rows = [r for r in rows if str(table.raw[r][col]) in accepted]
    q = params.get("q")
    if isinstance(q, dict):
        for field, text in q.items():
            if field not in kinds:
                raise ValidationError({"q": [f'field "{field}" not in resource']})
            col, needle = names.index(field), str(text).lower()
            rows = [r for r in rows if needle in table.raw[r][col].lower()]
    elif q:
        words = str(q).lower().split()
        rows = [r for r in rows if all(w in " ".join(table.raw[r][1:]).lower() for w in words)]
    rows = list(rows)
    for part in reversed([p.strip() for p in str(one(params, "sort") or "_id").split(",") if p.strip()]):
        bits = part.replace('"', "").split()
        if bits[0] not in kinds or len(bits) > 2 or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
            raise ValidationError({"sort": [f'field "{bits[0]}" not in resource']})
        col, desc = names.index(bits[0]), len(bits) == 2 and bits[1].lower() == "desc"
        # PostgreSQL's order: nulls (hidden cells) last ascending, first descending.
        rows.sort(key=lambda r: (table.typed[r][col] is None, table.typed[r][col] if table.typed[r][col]
                                 is not None else 0), reverse=desc)
    return rows


def project(table: Table, params: dict) -> list[int]:
    """Column positions of ``fields`` (all by default), validated."""
    wanted = as_list(params, "fields") or table.names
    unknown = [f for f in wanted if f not in table.names]
    if unknown:
        raise ValidationError({"fields": [f'field "{f}" not in resource' for f in unknown]})
    return [table.names.index(f) for f in wanted]


def delimited(rows: list, delimiter: str) -> str:
    """Rows as CSV or TSV text (CKAN's records_format csv/tsv carries no header)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _links(params: dict, offset: int, limit: int) -> dict:
    path = request.path if has_request_context() else "/api/3/action/datastore_search"
    base = {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in params.items()
            if k != "offset" and v is not None}
    links = {"start": f"{path}?{urlencode(base)}",
             "next": f"{path}?{urlencode({**base, 'offset': offset + limit})}"}
    if offset > 0:
        links["prev"] = f"{path}?{urlencode({**base, 'offset': max(0, offset - limit)})}"
    return links


@action
def datastore_search(params: dict) -> dict:
    """Rows of a published table: resource_id, filters, q, fields, sort, limit, offset,
    include_total, records_format (objects, lists, csv, tsv) and _links."""
    if "id" in params and "resource_id" not in params:
        params = {**params, "resource_id": params["id"]}
        params.pop("id")
    resource_id = require(params, "resource_id")
    table = load_table(*find_resource(resource_id))
    limit = as_int(params, "limit", ROWS_DEFAULT, maximum=ROWS_MAX)
    offset = as_int(params, "offset", 0)
    fmt = one(params, "records_format") or "objects"
    if fmt not in RECORD_FORMATS:
        raise ValidationError({"records_format": [f"Value must be one of {list(RECORD_FORMATS)}"]})
    cols = project(table, params)
    rows = select_rows(table, params)
    page = rows[offset:offset + limit]
    names = [table.names[c] for c in cols]
    if fmt == "objects":
        records = [{n: table.typed[r][c] for n, c in zip(names, cols)} for r in page]
    elif fmt == "lists":
        records = [[table.typed[r][c] for c in cols] for r in page]
    else:
        records = delimited([[table.raw[r][c] for c in cols] for r in page],
                             "," if fmt == "csv" else "\t")
    result = {"resource_id": resource_id, "fields": [table.fields[c] for c in cols],
              "records": records, "limit": limit, "offset": offset, "records_format": fmt,
              "include_total": as_bool(params, "include_total", True), "filters": _filters(params),
              "_links": _links(params, offset, limit)}
    if params.get("q"):
        result["q"] = params["q"]
    if one(params, "sort"):
        result["sort"] = one(params, "sort")
    if result["include_total"]:
        result.update(total=len(rows), total_was_estimated=False)
    return result
