"""package_search: CKAN's parameters read, bounded and handed to the catalog's one search.

The matching itself is ``portal.search.engine``, the same engine the /dataset page calls,
so a ``q`` finds the same datasets in the same order on both faces. This module reads and
checks CKAN's parameters (ckan/logic/schema/__init__.py ``default_package_search_schema``,
ckan/lib/search/query.py), bounds every one of them (issue 12: no request may cost more
than a few milliseconds of work), and dresses the ids as package dicts with facets.
"""
from __future__ import annotations

import json
import math

from portal.api import dicts
from portal.api.errors import SearchError, SearchQueryError, ValidationError
from portal.api.index import Snapshot, snapshot
from portal.api.params import as_bool, as_int, one
from portal.api.registry import action
from portal.search import engine
from portal.search.errors import QueryError
from portal.search.query import Doc, Query, check_field, compile_query, parse_time

ROWS_MAX = 1000  # ckan.search.rows_max
START_MAX = 10_000_000
DEFAULT_SORT = "score desc, metadata_modified desc"
SEARCH_PARAMS = {"q", "fl", "fq", "rows", "sort", "start", "wt", "qf", "bf", "boost", "facet",
                 "facet.mincount", "facet.limit", "facet.field", "extras", "fq_list", "tie",
                 "defType", "mm", "df"}
# CKAN drops these before it checks package_search's parameters.
IGNORED_SEARCH_PARAMS = {"include_private", "include_drafts", "include_deleted",
                         "use_default_schema", "include_plugin_data"}
# Fields Solr can sort on in CKAN's schema (single-valued, not tokenised), and score.
SORTABLE = {"id", "name", "title", "title_string", "metadata_created", "metadata_modified",
            "num_resources", "num_tags", "version", "score", "license_id", "organization",
            "owner_org", "state", "capacity", "dataset_type", "type", "url"}
# Bounds of the inputs that are lists or strings: (most items, longest item).
BOUNDS = {"sort": (5, 200), "fl": (50, 100), "facet.field": (20, 100), "fq_list": (10, 2000)}
FACET_LIMIT_MAX = 1000


def search_doc(pkg: dict) -> Doc:
    """The fields of a package dict as Solr's schema names them (fq filters, sorts, facets)."""
    res = pkg["resources"]
    doc: Doc = {
        "id": [pkg["id"]], "name": [pkg["name"]], "title": [pkg["title"]],
        "title_string": [pkg["title"]], "notes": [pkg["notes"] or ""],
        "version": [pkg["version"]], "url": [pkg["url"]], "author": [pkg["author"] or ""],
        "maintainer": [pkg["maintainer"] or ""], "license_id": [pkg["license_id"]],
        "state": ["active"], "capacity": ["public"], "dataset_type": ["dataset"], "type": ["dataset"],
        "organization": [pkg["organization"]["name"]], "owner_org": [pkg["owner_org"]],
        "groups": [g["name"] for g in pkg["groups"]], "tags": [t["name"] for t in pkg["tags"]],
        "res_format": [r["format"] for r in res], "res_name": [r["name"] for r in res],
        "res_url": [r["url"] for r in res], "res_description": [r["description"] for r in res],
        "metadata_created": [parse_time(pkg["metadata_created"])],
        "metadata_modified": [parse_time(pkg["metadata_modified"])],
        "num_resources": [pkg["num_resources"]], "num_tags": [pkg["num_tags"]],
    }
    for extra in pkg["extras"]:
        doc[f"extras_{extra['key']}"] = [extra["value"]]
    return doc


def packages(snap: Snapshot) -> list[dict]:
    """Latest package dicts of every public dataset, in snapshot order (built once per snapshot)."""
    if "package_list" not in snap.memo:
        snap.memo["package_list"] = [dicts.latest_package(snap, e) for e in snap.entries]
    return snap.memo["package_list"]


def documents(snap: Snapshot) -> dict[str, Doc]:
    """The package fields of every public dataset by id, built once per snapshot."""
    if "docs" not in snap.memo:
        snap.memo["docs"] = {p["id"]: search_doc(p) for p in packages(snap)}
    return snap.memo["docs"]


def parse_sort(sort: str) -> tuple[tuple[str, bool], ...]:
    """``"name asc, metadata_modified desc"`` as ((field, descending), ...), as Solr reads it.

    A part without a direction or with another word is Solr's "Can't determine a Sort
    Order", which CKAN turns into a 400 Search Query Error; an unknown field is Solr's
    "sort param field can't be found", a 409 Search Error (ckan/lib/search/query.py).
    """
    keys = []
    for part in filter(None, (p.strip() for p in sort.split(","))):
        bits = part.split()
        if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
            raise SearchQueryError('Invalid "sort" parameter')
        if bits[0] not in SORTABLE:
            raise SearchError(f"sort param field can't be found: {bits[0][:100]}")
        keys.append((bits[0], bits[1].lower() == "desc"))
    return tuple(keys)


def _string(params: dict, key: str, default: str = "") -> str:
    """A string parameter (CKAN's unicode_safe); a number reads as its text, anything else is refused.

    A repeated GET key (a list of strings) gives its last value; a list holding anything
    but strings is a Validation Error.
    """
    raw = params.get(key)
    if isinstance(raw, list) and not all(isinstance(v, str) for v in raw):
        raise ValidationError({key: ["Must be a string"]})
    value = one(params, key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationError({key: ["Must be a string"]})
    return str(value)


def _strings(params: dict, key: str, json_string: bool = False) -> list[str]:
    """A list of strings within ``BOUNDS``: a list, a comma string, or (``json_string``) JSON.

    ``facet.field`` is CKAN's ``convert_to_json_if_string`` then ``list_of_strings``: a
    string that is not JSON is "Could not parse as valid JSON" (409).
    """
    value = params.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str) and json_string:
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({key: ["Could not parse as valid JSON"]}) from None
        if not isinstance(value, list):
            raise ValidationError({key: ["Not a list"]})
    elif isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    elif not isinstance(value, list):
        raise ValidationError({key: ["Not a list"]})
    most, longest = BOUNDS[key]
    bad = next((v for v in value if not isinstance(v, str)), None)
    if bad is not None:
        raise ValidationError({key: [f"Not a string: {json.dumps(bad)[:50]}"]})
    if len(value) > most or any(len(v) > longest for v in value):
        raise ValidationError({key: [f"At most {most} values of at most {longest} characters"]})
    return [v for v in value if v]


def _number(params: dict, key: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number; infinities, NaN and numbers beyond any page are a Validation Error."""
    value = one(params, key, default)
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        raise ValidationError({key: ["Invalid integer"]})
    if isinstance(value, str) and len(value) > 20:
        raise ValidationError({key: ["Invalid integer"]})
    try:
        return as_int({key: value}, key, default, minimum=minimum, maximum=maximum)
    except OverflowError:
        raise ValidationError({key: ["Invalid integer"]}) from None


def _queries(params: dict) -> list[Query]:
    """q, fq and fq_list compiled; what the index cannot run is CKAN's 409 Search Error."""
    fqs = [_string(params, "fq"), *_strings(params, "fq_list")]
    try:
        return [compile_query(_string(params, "q")), *(compile_query(f, fielded_default=True) for f in fqs)]
    except QueryError as exc:
        raise SearchError(f"SOLR returned an error running query: {exc.message}") from None


def _facet_display(snap: Snapshot, field: str, value: str) -> str:
    """How CKAN names a facet value: organisation and group titles, licence titles."""
    if field == "organization":
        org = next((o for o in snap.orgs if o.name == value), None)
        return org.title if org else value
    if field == "groups":
        return dicts.group_core(value)["title"]
    if field == "license_id":
        return dicts.licence(value).title
    return value


def _field(pkg: dict, field: str) -> object:
    """One ``fl`` field of a package dict (``extras_<key>`` reads an extra)."""
    if field.startswith("extras_"):
        return next((e["value"] for e in pkg["extras"] if e["key"] == field[7:]), None)
    return pkg.get(field)


def facet_counts(docs: list[Doc], fields: list[str], limit: int, mincount: int) -> dict:
    """{field: {value: count}} over the matched docs, the top ``limit`` by count."""
    result = {}
    for field in fields:
        counts: dict[str, int] = {}
        for doc in docs:
            for value in set(map(str, doc.get(field, ()))):
                counts[value] = counts.get(value, 0) + 1
        ranked = sorted(((v, c) for v, c in counts.items() if c >= mincount),
                        key=lambda item: (-item[1], item[0]))
        result[field] = dict(ranked if limit < 0 else ranked[:limit])
    return result


def _facets(snap: Snapshot, params: dict, docs: list[Doc]) -> tuple[dict, dict]:
    """CKAN's ``facets`` and ``search_facets`` of the matched datasets."""
    fields = _strings(params, "facet.field", json_string=True)
    if not fields or not as_bool(params, "facet", True):
        return {}, {}
    for field in fields:
        try:
            check_field(field)
        except QueryError as exc:
            raise SearchError(f"SOLR returned an error running query: {exc.message}") from None
    limit = _number(params, "facet.limit", 50, minimum=-1, maximum=FACET_LIMIT_MAX)
    counts = facet_counts(docs, fields, limit, _number(params, "facet.mincount", 1))
    search_facets = {}
    for field, values in counts.items():
        items = [{"name": v, "display_name": _facet_display(snap, field, v), "count": c}
                 for v, c in values.items()]
        items.sort(key=lambda item: item["display_name"], reverse=True)
        search_facets[field] = {"title": field, "items": items}
    return counts, search_facets


@action
def package_search(params: dict) -> dict:
    """Search public datasets: q, fq (field:value, quoted, ranges, OR, negation), rows, start,
    sort, facet.field, facet.limit; past the last match ``results`` is empty."""
    params = {k: v for k, v in params.items()
              if k not in IGNORED_SEARCH_PARAMS and not k.startswith("ext_")}
    unknown = sorted(set(params) - SEARCH_PARAMS)
    if unknown:
        raise SearchQueryError(f"Invalid search parameters: {unknown[:10]}")
    rows = _number(params, "rows", 10, maximum=ROWS_MAX)
    start = _number(params, "start", 0, maximum=START_MAX)
    sort = _string(params, "sort", DEFAULT_SORT).strip() or DEFAULT_SORT
    if sort == "rank":
        sort = DEFAULT_SORT
    if len(sort) > BOUNDS["sort"][1] or sort.count(",") >= BOUNDS["sort"][0]:
        raise ValidationError({"sort": [f"At most {BOUNDS['sort'][0]} sort fields"]})
    keys = parse_sort(sort)
    fields = [f for f in _strings(params, "fl") if f != "*"]
    queries = _queries(params)
    snap = snapshot()
    docs = documents(snap)
    ids = [i for i in engine.run(queries, keys, extra=docs)[0] if i in docs]
    results = [dicts.latest_package(snap, snap.by_id[i]) for i in ids[start:start + rows]]
    if fields:
        results = [{f: _field(p, f) for f in fields} for p in results]
    facets, search_facets = _facets(snap, params, [docs[i] for i in ids])
    return {"count": len(ids), "sort": sort, "results": results,
            "facets": facets, "search_facets": search_facets}
