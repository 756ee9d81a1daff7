"""datastore_search and datastore_info over every published table, as CKAN's datastore answers.

Parameters are checked the way ``datastore_search_schema`` and the backend's ``validate``
check them (ckanext/datastore/logic/schema.py, backend/postgres.py): an unknown key is a
409 ``__junk`` error, an unknown column ``invalid value "<name>"``. Every input is also
bounded (LIMITS) so one request cannot buy unbounded work, and loops watch the request's
time budget (portal.api.budget).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from urllib.parse import parse_qsl, urlencode

import numpy as np
from flask import current_app, has_request_context, request

from portal.api import budget, fulltext, tables
from portal.api.errors import NotFound, ValidationError
from portal.api.params import as_bool, as_int, loads_param, one
from portal.api.registry import action
from portal.api.tables import Table

ROWS_DEFAULT = 100  # ckan.datastore.search.rows_default; the maximum is DATASTORE_ROWS_MAX
RECORD_FORMATS = ("objects", "lists", "csv", "tsv")
# datastore_search_schema's keys (CKAN 2.11); any other key is junk.
ACCEPTED = frozenset({"resource_id", "id", "q", "plain", "filters", "language", "limit", "offset",
                      "fields", "sort", "distinct", "include_total", "total_estimation_threshold",
                      "records_format", "full_text"})
# Bounds on every input (issue 12): one request buys a bounded amount of work.
LIMITS = {
    "text_chars": 256,     # q (each column's q), full_text
    "text_terms": 12,      # words in q and full_text together (prefix terms included)
    "columns": 64,         # names in fields, q as a dict and filters, each
    "filter_values": 100,  # values accepted for one filter column
    "sort": 4,             # sort clauses
    "name_chars": 128,     # resource_id, language, a column name
}
# _parse_sort_clause (ckanext/datastore/backend/__init__.py): "<field> [asc|desc] [nulls first|last]".
SORT_CLAUSE = r"^(.+?)( +(asc|desc))?( nulls +(first|last) *)?$"


@dataclass(frozen=True)
class Search:
    """A validated datastore_search request."""

    resource_id: str
    q: str | dict | None
    full_text: str | None
    plain: bool
    language: str | None
    filters: dict
    fields: list[str] | None
    sort: list[str] | None
    distinct: bool
    limit: int
    offset: int
    include_total: bool
    threshold: int | None
    records_format: str


def _junk(params: dict) -> None:
    """CKAN's ``__junk`` error for keys the schema does not know (the names as navl prints them)."""
    junk = [(key,) for key in params if key not in ACCEPTED]
    if junk:
        raise ValidationError({"__junk": [f"The input field {junk} was not expected."]})


def _text(params: dict, key: str, limit: int) -> str | None:
    """A string parameter of at most ``limit`` characters."""
    value = one(params, key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError({key: ["Must be a string"]})
    if len(value) > limit:
        raise ValidationError({key: [f"Longer than {limit} characters"]})
    return value


def _json_param(params: dict, key: str):
    """json_validator: a dict or list as sent, else a JSON string decoded."""
    value = params.get(key)
    if value is None or isinstance(value, (dict, list)):
        return value
    return loads_param({key: value}, key)


def _q(params: dict) -> str | dict | None:
    """unicode_or_json_validator: a JSON object string becomes a per-column dict, else text."""
    value = params.get("q")
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = _json_param(params, "q")
        except ValidationError:
            pass
    if isinstance(value, dict):
        if len(value) > LIMITS["columns"]:
            raise ValidationError({"q": [f"More than {LIMITS['columns']} columns"]})
        for text in value.values():
            if isinstance(text, str) and len(text) > LIMITS["text_chars"]:
                raise ValidationError({"q": [f"Longer than {LIMITS['text_chars']} characters"]})
        return value
    return _text({"q": value if isinstance(value, str) else str(value)}, "q", LIMITS["text_chars"])


def _string_list(params: dict, key: str) -> list[str] | None:
    """list_of_strings_or_string: a list of strings, or one comma-separated string."""
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
        items = [v for v in items if v]
    elif isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise ValidationError({key: ["Not a list of strings"]})
        items = [v.strip() for v in value if v.strip()]
    else:
        raise ValidationError({key: ["Not a list of strings"]})
    bound = LIMITS["sort"] if key == "sort" else LIMITS["columns"]
    if len(items) > bound or any(len(v) > LIMITS["name_chars"] for v in items):
        raise ValidationError({key: [f"At most {bound} names of {LIMITS['name_chars']} characters"]})
    return items


def _filters(params: dict) -> dict:
    """``filters``: a JSON object of column → value or list of values, bounded."""
    value = _json_param(params, "filters") if params.get("filters") not in (None, "") else {}
    if not isinstance(value, dict):
        raise ValidationError({"filters": ["Not a JSON object"]})
    if len(value) > LIMITS["columns"]:
        raise ValidationError({"filters": [f"More than {LIMITS['columns']} columns"]})
    for column, wanted in value.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if len(values) > LIMITS["filter_values"] or not all(
                isinstance(v, (str, int, float, bool)) for v in values):
            raise ValidationError({"filters": [f'invalid value "{column}"']})
    return value


def parse_search(params: dict) -> Search:
    """Validate a datastore_search request as CKAN's schema does, within LIMITS."""
    _junk(params)
    resource_id = _text(params, "resource_id", LIMITS["name_chars"]) or _text(params, "id", LIMITS["name_chars"])
    if not resource_id or not resource_id.strip():
        raise ValidationError({"resource_id": ["Missing value"]})
    fmt = one(params, "records_format") or "objects"
    if fmt not in RECORD_FORMATS:
        raise ValidationError({"records_format": [f"Value must be one of {list(RECORD_FORMATS)}"]})
    sort = _string_list(params, "sort")
    if sort == [] or (isinstance(params.get("sort"), list) and not params["sort"]):
        raise ValidationError({"sort": ["Missing value"]})  # sort="" (issue 12: was an IndexError)
    search = Search(
        resource_id=resource_id.strip(), q=_q(params),
        full_text=_text(params, "full_text", LIMITS["text_chars"]) or None,
        plain=as_bool(params, "plain", True), language=_text(params, "language", LIMITS["name_chars"]),
        filters=_filters(params), fields=_string_list(params, "fields") or None, sort=sort,
        distinct=as_bool(params, "distinct", False),
        limit=as_int(params, "limit", ROWS_DEFAULT, maximum=current_app.config["DATASTORE_ROWS_MAX"]),
        offset=as_int(params, "offset", 0),
        include_total=as_bool(params, "include_total", True),
        threshold=as_int(params, "total_estimation_threshold", None), records_format=fmt)
    _count_terms(search)
    return search


def _queries(search: Search) -> dict[str | None, str]:
    """The text queries by column (None: the whole row); full_text takes the place of a string q."""
    found: dict[str | None, str] = {}
    if search.full_text:
        found[None] = search.full_text
    elif isinstance(search.q, str):
        found[None] = search.q
    if isinstance(search.q, dict):
        found.update(search.q)
    return found


def _parse(text: str, search: Search):
    """plainto_tsquery or to_tsquery of ``text`` (plain=false)."""
    if search.plain:
        return fulltext.plain_query(text, search.language)
    return fulltext.tsquery(text, search.language)


def _count_terms(search: Search) -> None:
    """Refuse more words than LIMITS allow, before any table is read."""
    total = 0
    for text in _queries(search).values():
        if isinstance(text, str):
            total += fulltext.count_terms(_parse(text, search))
    if total > LIMITS["text_terms"]:
        raise ValidationError({"q": [f"More than {LIMITS['text_terms']} words"]})


def _invalid(key: str, value) -> ValidationError:
    """The backend's refusal of a column or clause it cannot use."""
    return ValidationError({key: [f'invalid value "{value}"']})


def _sort_clauses(table: Table, sort: list[str]) -> list[tuple[str, bool, bool]]:
    """(column, descending, nulls first) per clause; PostgreSQL's default puts nulls last
    ascending and first descending."""
    clauses = []
    for clause in sort:
        match = re.match(SORT_CLAUSE, clause, re.I)
        column = match.group(1) if match else clause
        if len(column) > 1 and column[0] == column[-1] == '"':
            column = column[1:-1]
        if not match or column not in table.kinds:
            raise _invalid("sort", clause)
        descending = (match.group(3) or "asc").lower() == "desc"
        nulls_first = (match.group(5) or ("first" if descending else "last")).lower() == "first"
        clauses.append((column, descending, nulls_first))
    return clauses


def _check_columns(table: Table, search: Search, rank_names: list[str]) -> None:
    """Every named column exists (the rank columns may be asked for in ``fields``)."""
    kinds = table.kinds
    for column in search.filters:
        if column not in kinds:
            raise _invalid("filters", column)
    if isinstance(search.q, dict):
        for column, text in search.q.items():
            if column not in kinds or not isinstance(text, str):
                raise _invalid("q", column)
    for column in search.fields or []:
        if column not in kinds and column not in rank_names:
            raise _invalid("fields", column)


def _filter_value(value, kind: str):
    """A filter value as the column's type; PostgreSQL refuses text in a number column."""
    if kind == "text" or isinstance(value, bool):
        return str(value)
    if kind == "date":  # published as ISO dates (a series' tanggal_referensi), matched as text
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationError({"query": ["Invalid query"], "info": {
                "orig": [f'invalid input syntax for type date: "{value}"']}}) from None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({"query": ["Invalid query"], "info": {
            "orig": [f'invalid input syntax for type {tables.NATIVE_TYPES.get(kind, kind)}: "{value}"']}}) from None
    return int(number) if kind == "int" and number.is_integer() else number


def _filtered(table: Table, search: Search) -> np.ndarray:
    """Rows matching every filter, via each column's value index."""
    rows = np.arange(len(table.typed), dtype=np.int32)
    kinds = table.kinds
    for column, wanted in search.filters.items():
        index = tables.value_rows(table, column)
        values = {_filter_value(v, kinds[column]) for v in (wanted if isinstance(wanted, list) else [wanted])}
        hits = [index[v] for v in values if v in index]
        matching = np.unique(np.concatenate(hits)) if hits else np.empty(0, dtype=np.int32)
        rows = np.intersect1d(rows, matching, assume_unique=True)
    return rows


def _text_search(table: Table, search: Search, rows: np.ndarray) -> tuple[np.ndarray, dict]:
    """Rows that also match the text queries, and each rank column (``rank``, ``rank <col>``)."""
    ranks = {}
    for column, text in _queries(search).items():
        node = _parse(text, search)
        index = tables.text_index(table, search.language, column)
        # A query without a word matches nothing, as an empty tsquery does in PostgreSQL.
        matched = fulltext.matching_rows(index, node) if node is not None else np.empty(0, dtype=np.int32)
        rows = np.intersect1d(rows, matched, assume_unique=True)
        ranks["rank" if column is None else f"rank {column}"] = (index, node)
    scored = {name: _rank_column(len(table.typed), index, node, rows) for name, (index, node) in ranks.items()}
    return rows, scored


def _rank_column(size: int, index, node, rows: np.ndarray) -> np.ndarray:
    """A rank value for every row of the table (meaningful on ``rows``)."""
    column = np.zeros(size, dtype=np.float64)
    column[rows] = fulltext.rank(index, node, rows)
    return column


def _ordered(table: Table, search: Search, rows: np.ndarray, ranks: dict) -> np.ndarray:
    """``rows`` in the requested order; with a text query and no sort, best match first."""
    keys = [rows]  # the last resort: _id
    if search.sort:
        for column, descending, nulls_first in reversed(_sort_clauses(table, search.sort)):
            ranked = tables.order(table, column)[rows]
            top = int(ranked.max()) + 1 if len(ranked) else 0
            value = np.where(ranked < 0, ranked, (top - 1 - ranked) if descending else ranked)
            keys.append(np.where(ranked < 0, -1 if nulls_first else top, value))
    else:
        keys.extend(-ranks[name][rows] for name in reversed(list(ranks)))
    budget.check()
    return rows[np.lexsort(keys)] if len(rows) else rows


def _columns(table: Table, search: Search, ranks: dict) -> list[str]:
    """The columns returned: ``fields`` in its order, else every column then the rank columns."""
    return list(search.fields) if search.fields else table.names + list(ranks)


def _cells(table: Table, ranks: dict, rows: list[int], columns: list[str], typed: bool = True) -> list[tuple]:
    """The returned columns of ``rows``: typed (JSON) or as published (csv/tsv); ranks as floats."""
    source = table.typed if typed else table.raw
    if not rows or not columns:
        return [() for _ in rows]
    picked = [source[r] for r in rows]
    by_column = [ranks[c][rows].tolist() if c in ranks else list(map(itemgetter(table.position[c]), picked))
                 for c in columns]
    return list(zip(*by_column))


def _first_of_each(rows: list[int], keys: list[tuple]) -> list[int]:
    """The first row of each distinct key, in order."""
    seen, kept = set(), []
    for row, key in zip(rows, keys):
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


@dataclass(frozen=True)
class Found:
    """What a search found: the page's rows, the returned columns, rank values and the total."""

    rows: list[int]
    columns: list[str]
    ranks: dict
    total: int
    estimated: bool


def run(table: Table, search: Search) -> Found:
    """Filter, text-match, order, count and page one table."""
    queries = _queries(search)
    rank_names = ["rank" if c is None else f"rank {c}" for c, t in queries.items() if t]
    _check_columns(table, search, rank_names)
    rows = _filtered(table, search)
    rows, ranks = _text_search(table, search, rows)
    columns = _columns(table, search, ranks)
    ordered = _ordered(table, search, rows, ranks).tolist()
    window = slice(search.offset, search.offset + search.limit)
    if not search.distinct:
        return Found(ordered[window], columns, ranks, *_total(table, search, len(ordered)))
    # search_data: DISTINCT applies to the page (LIMIT/OFFSET inside), the count to every match.
    keys = _cells(table, ranks, ordered, columns)
    budget.check()
    page = _first_of_each(ordered[window], keys[window])
    return Found(page, columns, ranks, *_total(table, search, len(set(keys))))


def _total(table: Table, search: Search, counted: int) -> tuple[int, bool]:
    """CKAN's total: counted, or the table's row count taken as an estimate when
    ``total_estimation_threshold`` allows it (no filter, no text query, not distinct)."""
    if not search.include_total:
        return 0, False
    unfiltered = not (search.filters or _queries(search) or search.distinct)
    if search.threshold is not None and unfiltered and len(table.typed) >= search.threshold:
        return len(table.typed), True
    return counted, False


def field_list(table: Table, columns: list[str], ranks: dict) -> list[dict]:
    """The ``fields`` of a result: CKAN fields of the returned columns, ranks as float."""
    by_name = {f["id"]: f for f in table.fields}
    return [by_name.get(c) or {"id": c, "type": "float"} for c in columns]


def records(table: Table, found: Found, fmt: str):
    """The page's records in ``records_format`` (csv/tsv: published text, no header)."""
    cells = _cells(table, found.ranks, found.rows, found.columns, typed=fmt in ("objects", "lists"))
    if fmt == "objects":
        return [dict(zip(found.columns, row)) for row in cells]
    if fmt == "lists":
        return [list(row) for row in cells]
    return delimited(cells, "," if fmt == "csv" else "\t")


def delimited(rows: list, delimiter: str) -> str:
    """Rows as CSV or TSV text (CKAN's records_format csv/tsv carries no header)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def links(offset: int, limit: int) -> dict:
    """CKAN's ``_links`` (``_insert_links``): the request URL with ``offset`` replaced;
    ``prev`` only when offset - limit > 0; none outside a web request."""
    if not has_request_context():
        return {}
    arguments = dict(parse_qsl(request.query_string.decode("utf-8", "replace")))
    start = {k: v for k, v in arguments.items() if k != "offset"}
    found = {"start": _url(start), "next": _url({**arguments, "offset": offset + limit})}
    if offset - limit > 0:
        found["prev"] = _url({**arguments, "offset": offset - limit})
    return found


def _url(arguments: dict) -> str:
    """The request's path with ``arguments`` as its query (no ``?`` when there are none, as urlunparse)."""
    query = urlencode(arguments)
    return f"{request.path}?{query}" if query else request.path


def _echo(params: dict, search: Search) -> dict:
    """The validated request as CKAN echoes it back (given keys, and the defaults it fills)."""
    echoed = {"resource_id": search.resource_id, "limit": search.limit, "include_total": search.include_total,
              "total_estimation_threshold": search.threshold, "records_format": search.records_format}
    given = {"q": search.q, "full_text": search.full_text, "filters": search.filters, "sort": one(params, "sort"),
             "language": search.language, "offset": search.offset}
    echoed.update({k: v for k, v in given.items() if k in params})
    for key in ("plain", "distinct"):
        if key in params:
            echoed[key] = getattr(search, key)
    return echoed


@action
def datastore_search(params: dict) -> dict:
    """Rows of a published table: resource_id, filters, q (text or per column), full_text,
    plain, language, distinct, fields, sort (nulls first|last), limit, offset, include_total,
    records_format (objects, lists, csv, tsv); a rank column for text searches; _links."""
    search = parse_search(params)
    table = tables.resource_table(search.resource_id)
    found = run(table, search)
    result = {**_echo(params, search), "fields": field_list(table, found.columns, found.ranks),
              "records": records(table, found, search.records_format),
              "_links": links(search.offset, search.limit)}
    if search.include_total:
        result.update(total=found.total, total_was_estimated=found.estimated)
    return result


@action
def datastore_info(params: dict) -> dict:
    """A table's fields (type, data dictionary, PostgreSQL type) and row count."""
    resource_id = one(params, "resource_id") or one(params, "id")
    if not resource_id or not isinstance(resource_id, str):
        raise ValidationError({"resource_id": ["Missing value"]})
    try:
        table = tables.resource_table(resource_id)
    except NotFound:
        raise NotFound(f'Resource/Alias "{resource_id}" was not found.') from None
    fields = [{**f, "schema": {"native_type": tables.NATIVE_TYPES.get(f["type"], "text"), "notnull": False,
                               "index_name": None, "is_index": False, "uniquekey": False}}
              for f in table.fields if not f["id"].startswith("_")]
    return {"meta": {"id": resource_id, "count": len(table.typed), "table_type": "BASE TABLE",
                     "size": table.bytes, "aliases": []}, "fields": fields}
