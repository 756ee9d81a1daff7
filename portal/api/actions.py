"""Read actions on datasets, named after CKAN's: the one logic layer behind API and pages."""
from __future__ import annotations

from flask import current_app

from portal.api import dicts
from portal.api.errors import NotFound, SearchQueryError
from portal.api.index import Snapshot, snapshot
from portal.api.params import as_bool, as_int, as_list, one, require
from portal.api.query import check_field, compile_query
from portal.api.registry import action, get_action
from portal.api.search import facet_counts, parse_sort, search_doc, sort_docs

ROWS_MAX = 1000
DEFAULT_SORT = "score desc, metadata_modified desc"
SEARCH_PARAMS = {"q", "fl", "fq", "rows", "sort", "start", "wt", "qf", "bf", "boost", "facet",
                 "facet.mincount", "facet.limit", "facet.field", "extras", "fq_list", "tie",
                 "defType", "mm", "df"}
# CKAN drops these before it checks package_search's parameters.
IGNORED_SEARCH_PARAMS = {"include_private", "include_drafts", "include_deleted",
                         "use_default_schema", "include_plugin_data"}


def packages(snap: Snapshot) -> list[dict]:
    """Latest package dicts of every public dataset, in snapshot order."""
    if "package_list" not in snap.memo:
        snap.memo["package_list"] = [dicts.latest_package(snap, e) for e in snap.entries]
    return snap.memo["package_list"]


def documents(snap: Snapshot) -> list[dict]:
    """Search documents aligned with ``packages``, built once per snapshot."""
    if "docs" not in snap.memo:
        snap.memo["docs"] = [search_doc(p) for p in packages(snap)]
    return snap.memo["docs"]


@action
def site_read(params: dict) -> bool:
    """Whether the site may be read: always true for this public catalog."""
    return True


@action
def status_show(params: dict) -> dict:
    """Site title, address and the CKAN API features this portal implements."""
    config = current_app.config
    return {"site_title": config["PORTAL_TITLE"],
            "site_description": "Portal Satu Data: statistik kependudukan per desa, "
                                "terlindungi sesuai UU No. 27 Tahun 2022.",
            "site_url": dicts.base_url(), "error_emails_to": None, "locale_default": "id",
            "extensions": ["datastore", "dcat", "activity"], "ckan_version": "2.10.0"}


@action
def help_show(params: dict) -> str:
    """The documentation of an action."""
    name = require(params, "name")
    found = get_action(name)
    if found is None:
        raise NotFound(f"Action function not found: {name}")
    return found.__doc__ or ""


@action
def package_list(params: dict) -> list[str]:
    """Names of every public dataset, sorted; ``limit`` and ``offset`` page through them."""
    names = [e.name for e in snapshot().entries]
    offset = as_int(params, "offset", 0)
    limit = as_int(params, "limit", None)
    return names[offset:offset + limit] if limit is not None else names[offset:]


@action
def current_package_list_with_resources(params: dict) -> list[dict]:
    """Full package dicts, most recently modified first (``limit``, ``offset`` or ``page``)."""
    limit = as_int(params, "limit", None)
    offset = as_int(params, "offset", 0)
    page = as_int(params, "page", None, minimum=1)
    if page is not None and limit:
        offset = (page - 1) * limit
    found = package_search({"q": "", "rows": limit or ROWS_MAX, "start": offset,
                            "sort": "metadata_modified desc"})
    return found["results"]


@action
def package_show(params: dict) -> dict:
    """The package dict of a public dataset by id or name; its version is the latest."""
    ref = require(params, "id")
    snap = snapshot()
    entry = snap.find(ref)
    if entry is None:
        raise NotFound("Dataset not found")
    return dicts.latest_package(snap, entry)


@action
def resource_show(params: dict) -> dict:
    """A resource (a file of the latest version) by its stable id."""
    ref = require(params, "id")
    snap = snapshot()
    index = snap.memo.get("resources")
    if index is None:
        index = {r["id"]: r for p in packages(snap) for r in p["resources"]}
        snap.memo["resources"] = index
    if ref not in index:
        raise NotFound("Resource was not found.")
    return index[ref]


def _facet_display(snap: Snapshot, field: str, value: str) -> str:
    if field == "organization":
        org = next((o for o in snap.orgs if o.name == value), None)
        return org.title if org else value
    if field == "groups":
        return dicts.group_core(value)["title"]
    if field == "license_id":
        return dicts.licence(value).title
    return value


def _field(pkg: dict, field: str) -> object:
    if field.startswith("extras_"):
        return next((e["value"] for e in pkg["extras"] if e["key"] == field[7:]), None)
    return pkg.get(field)


@action
def package_search(params: dict) -> dict:
    """Search public datasets: q, fq (field:value, quoted, ranges, OR, negation), rows, start,
    sort, facet.field, facet.limit; past the last match ``results`` is empty."""
    params = {k: v for k, v in params.items()
              if k not in IGNORED_SEARCH_PARAMS and not k.startswith("ext_")}
    unknown = sorted(set(params) - SEARCH_PARAMS)
    if unknown:
        raise SearchQueryError(f"Invalid search parameters: {unknown}")
    rows = as_int(params, "rows", 10, maximum=ROWS_MAX)
    start = as_int(params, "start", 0)
    sort = one(params, "sort") or DEFAULT_SORT
    keys = parse_sort(sort)
    predicates = [compile_query(one(params, "q")), compile_query(one(params, "fq")),
                  *(compile_query(fq) for fq in as_list(params, "fq_list"))]
    predicates = [p for p in predicates if p is not None]
    snap = snapshot()
    docs, pkgs = documents(snap), packages(snap)
    orders = snap.memo.setdefault("orders", {})
    if sort not in orders:
        # Sorting once per snapshot and sort order keeps paging cheap for harvesters.
        orders[sort] = sort_docs(list(range(len(docs))), lambda i: docs[i], keys)
    ordered = [i for i in orders[sort] if all(p(docs[i]) for p in predicates)]
    results = [pkgs[i] for i in ordered[start:start + rows]]
    fields = [f for f in as_list(params, "fl") if f != "*"]
    if fields:
        # CKAN's fl returns only these fields (extras_<key> reads an extra).
        results = [{f: _field(p, f) for f in fields} for p in results]
    result = {"count": len(ordered), "sort": sort, "results": results,
              "facets": {}, "search_facets": {}}
    fields = as_list(params, "facet.field")
    if fields and as_bool(params, "facet", True):
        for field in fields:
            check_field(field)
        counts = facet_counts([docs[i] for i in ordered], fields,
                              as_int(params, "facet.limit", 50, minimum=-1),
                              as_int(params, "facet.mincount", 1))
        result["facets"] = counts
        for field, values in counts.items():
            items = [{"name": v, "display_name": _facet_display(snap, field, v), "count": c}
                     for v, c in values.items()]
            items.sort(key=lambda item: item["display_name"], reverse=True)
            result["search_facets"][field] = {"title": field, "items": items}
    return result
