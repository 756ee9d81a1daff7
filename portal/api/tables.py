"""Published tables as the datastore reads them, with the indexes each query reuses.

A table is read once from its published CSV and typed by its Frictionless Table Schema;
what queries need more than once is computed on first use and kept with the table (a
published version never changes): the text index of every row (its tsvector) per
language, a per-column text index for ``q`` as a dict, the rows of each value for
``filters`` and a sort order per column.
"""
from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from threading import Lock

import numpy as np

from portal.api import budget, dicts, fulltext
from portal.api.errors import NotFound
from portal.api.index import Entry, FileInfo, VersionInfo, snapshot
from portal.datasets import queries, series

CKAN_TYPES = {"integer": "int", "number": "numeric", "boolean": "bool", "date": "date",
              "datetime": "timestamp", "year": "int"}
# PostgreSQL's name of each CKAN datastore type (datastore_info's schema.native_type).
NATIVE_TYPES = {"int": "integer", "numeric": "numeric", "bool": "boolean", "date": "date",
                "timestamp": "timestamp without time zone", "text": "text"}
_CACHE: OrderedDict[str, Table] = OrderedDict()
_CACHE_SIZE = 64
_cache_lock = Lock()


@dataclass(frozen=True)
class Table:
    """A published table: fields with types, rows typed (hidden cells as None) and as published."""

    fields: tuple[dict, ...]
    typed: tuple[tuple, ...]
    raw: tuple[tuple[str, ...], ...]
    bytes: int = 0
    derived: dict = field(default_factory=dict, compare=False, repr=False)
    lock: Lock = field(default_factory=Lock, compare=False, repr=False)

    @cached_property
    def names(self) -> list[str]:
        """Column names, ``_id`` first as in CKAN's datastore."""
        return [f["id"] for f in self.fields]

    @cached_property
    def kinds(self) -> dict[str, str]:
        """CKAN type of each column by name."""
        return {f["id"]: f["type"] for f in self.fields}

    @cached_property
    def position(self) -> dict[str, int]:
        """Each column's position in a row."""
        return {name: at for at, name in enumerate(self.names)}

    def kept(self, key: tuple, make):
        """The derived structure ``key``, made by ``make()`` on first use and kept (the time
        it takes is spared from the request's budget: every later request reuses it)."""
        found = self.derived.get(key)
        if found is None:
            started = time.monotonic()
            with self.lock:
                found = self.derived.get(key)
                if found is None:
                    found = self.derived[key] = make()
            budget.spare(time.monotonic() - started)
        return found


def find_resource(resource_id: str) -> tuple[Entry, VersionInfo, FileInfo]:
    """The dataset, latest version and CSV file behind a resource id; NotFound otherwise."""
    for entry in snapshot().entries:
        for f in entry.latest.files:
            if f.format == "csv" and dicts.stable_id("resource", entry.id, f.name) == resource_id:
                return entry, entry.latest, f
    raise NotFound(f'Resource "{resource_id}" was not found.')


def _schema(release, filename: str) -> dict:
    """The Table Schema of ``filename`` from the release's datapackage.json."""
    path = queries.public_file(release, "datapackage.json")
    if path is None:
        return {}
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    tables = [r for r in descriptor.get("resources", []) if isinstance(r.get("schema"), dict)]
    chosen = next((r for r in tables if str(r.get("path", "")).endswith(filename)), None)
    return (chosen or (tables[0] if tables else {})).get("schema", {})


def _cast(value: str, kind: str, missing: set[str]):
    """A published cell as its type; a missing-value marker is None."""
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


def _fields(frame_columns, schema: dict) -> list[dict]:
    """CKAN fields (``_id`` first) with types and the data dictionary from the Table Schema."""
    declared = {f.get("name"): f for f in schema.get("fields", [])}
    markers = schema.get("missingValues", [""])
    hidden = "; ".join(f"'{m['value']}' = {m['label']}" for m in markers if isinstance(m, dict) and m.get("label"))
    fields = [{"id": "_id", "type": "int"}]
    for name in frame_columns:
        spec = declared.get(name, {})
        kind = CKAN_TYPES.get(spec.get("type"), "text")
        notes = spec.get("description", "")
        if hidden and kind != "text":
            # A hidden count is null here; say why, since null alone reads as "unknown".
            notes = f"{notes} Nilai null: {hidden}.".strip()
        fields.append({"id": name, "type": kind, "info": {"label": spec.get("title", name), "notes": notes}})
    return fields


def load_table(entry: Entry, version: VersionInfo, file: FileInfo) -> Table:
    """Read (and keep a few) published tables; a published version never changes."""
    key = f"{entry.id}/{version.version}/{file.sha256}"
    with _cache_lock:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    started = time.monotonic()
    table = _read(entry, version, file)
    with _cache_lock:
        _CACHE[key] = table
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    budget.spare(time.monotonic() - started)  # kept for every later request
    return table


def _read(entry: Entry, version: VersionInfo, file: FileInfo) -> Table:
    """A published table read from its CSV and typed by its Table Schema."""
    release = queries.public_release(entry.name, version.version)
    path = queries.public_file(release, file.name) if release else None
    if path is None:
        raise NotFound(f'Resource "{dicts.stable_id("resource", entry.id, file.name)}" was not found.')
    return _typed(queries.read_table(path), _schema(release, file.name), file.bytes)


def _typed(frame, schema: dict, size: int) -> Table:
    """A table of text cells typed by its Table Schema (missing-value markers as None)."""
    markers = schema.get("missingValues", [""])
    missing = {m["value"] if isinstance(m, dict) else str(m) for m in markers}
    fields = _fields(frame.columns, schema)
    kinds = [f["type"] for f in fields[1:]]
    raw = tuple(tuple(row) for row in frame.itertuples(index=False, name=None))
    typed = tuple((n, *(_cast(v, k, missing) for v, k in zip(row, kinds)))
                  for n, row in enumerate(raw, start=1))
    return Table(tuple(fields), typed, tuple((str(n), *row) for n, row in enumerate(raw, start=1)),
                 bytes=size)


def series_resource_id(entry: Entry) -> str:
    """The resource id of a dataset's series (every public version in long format)."""
    return series.resource_id(entry.id, entry.name)


def load_series(entry: Entry) -> Table:
    """A dataset's series as a datastore table, from its public versions (kept per digest)."""
    found = queries.public_dataset(entry.name)
    parts = series.parts_of(found.versions) if found else ()
    if not parts:
        raise NotFound(f'Resource "{series_resource_id(entry)}" was not found.')
    key = f"series/{series.key(parts)}"
    with _cache_lock:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    started = time.monotonic()
    content = series.series_csv(parts)
    table = _typed(queries.table_from_bytes(content), series.schema(parts), len(content))
    with _cache_lock:
        _CACHE[key] = table
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    budget.spare(time.monotonic() - started)  # kept for every later request
    return table


def resource_table(resource_id: str) -> Table:
    """The datastore table behind a resource id: a version's CSV, or a dataset's series."""
    for entry in snapshot().entries:
        if series_resource_id(entry) == resource_id:
            return load_series(entry)
    return load_table(*find_resource(resource_id))


def _cell_text(value) -> str:
    """A typed cell as text for the tsvector (a hidden cell adds no word, as NULL adds none)."""
    return "" if value is None else str(value)


def text_index(table: Table, language: str | None, column: str | None = None) -> fulltext.TextIndex:
    """The rows' tsvectors (all columns but ``_id``, or one column), built once per language."""
    fulltext.normaliser(language)  # an unknown configuration is refused before any work
    names = table.names

    def make() -> fulltext.TextIndex:
        """Read the cells once into the index."""
        if column is None:
            cells = ([_cell_text(v) for v in row[1:]] for row in table.typed)
        else:
            at = names.index(column)
            cells = ([_cell_text(row[at])] for row in table.typed)
        return fulltext.build_index(cells, language)
    return table.kept(("text", language or fulltext.DEFAULT_LANGUAGE, column), make)


def value_rows(table: Table, column: str) -> dict:
    """Each typed value of ``column`` → the sorted rows holding it (what ``filters`` match)."""
    def make() -> dict:
        """Group the rows by value."""
        at = table.names.index(column)
        found: dict = {}
        for row, values in enumerate(table.typed):
            if values[at] is not None:
                found.setdefault(values[at], []).append(row)
        return {value: np.asarray(rows, dtype=np.int32) for value, rows in found.items()}
    return table.kept(("values", column), make)


def _sort_key(value) -> tuple:
    """Numbers before text, each in its own order (a cell that did not cast stays text)."""
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, str(value))


def order(table: Table, column: str) -> np.ndarray:
    """Each row's dense rank in ``column`` (0 = smallest), -1 for a null; made once per column."""
    def make() -> np.ndarray:
        """Rank the column's distinct values."""
        at = table.names.index(column)
        values = [row[at] for row in table.typed]
        distinct = sorted({v for v in values if v is not None}, key=_sort_key)
        position = {v: n for n, v in enumerate(distinct)}
        return np.asarray([position.get(v, -1) if v is not None else -1 for v in values], dtype=np.int64)
    return table.kept(("order", column), make)
