"""The OpenAPI 3.1 document of the API, generated from the action table."""
from __future__ import annotations

from flask import current_app

from portal.api import dicts
from portal.api.registry import all_actions
from portal.api.writes import UPLOAD_ACTIONS, is_write

# Parameters of each action: (name, JSON type, description). Unlisted actions take none.
ACTION_PARAMS: dict[str, list[tuple[str, str, str]]] = {
    "help_show": [("name", "string", "Action name")],
    "package_list": [("limit", "integer", "Page size"), ("offset", "integer", "Skip this many")],
    "current_package_list_with_resources": [
        ("limit", "integer", "Page size"), ("offset", "integer", "Skip this many"),
        ("page", "integer", "Page number (with limit)")],
    "package_show": [("id", "string", "Dataset id or name")],
    "resource_show": [("id", "string", "Resource id (stable across versions)")],
    "package_search": [
        ("q", "string", "Free text (stemmed Indonesian; 3-5 words may miss one, as CKAN's mm), "
                        "or Solr syntax field:value; at most 2000 characters, 64 terms"),
        ("fq", "string", "Filter: field:value, field:\"quoted\", "
                         "metadata_modified:[2026-01-01T00:00:00Z TO *], OR, -negation"),
        ("fq_list", "array", "Several fq filters, all applied"),
        ("rows", "integer", "Page size, default 10, at most 1000"),
        ("start", "integer", "Offset; past the end the results are empty"),
        ("sort", "string", "field and direction, e.g. 'id asc', 'metadata_modified desc', "
                           "'title_string asc' (no direction: 400)"),
        ("facet.field", "array", "Fields to count: organization, groups, tags, res_format, license_id"),
        ("facet.limit", "integer", "Values per facet (default 50, -1 for all)"),
        ("facet.mincount", "integer", "Smallest count shown (default 1)"),
        ("fl", "string", "Only these fields, e.g. 'id,name,metadata_modified'")],
    "organization_list": [
        ("all_fields", "boolean", "Dicts instead of names"), ("sort", "string", "name|title|package_count asc|desc"),
        ("limit", "integer", "Page size"), ("offset", "integer", "Skip this many"),
        ("q", "string", "Filter names and titles")],
    "organization_show": [("id", "string", "Id or name"), ("include_datasets", "boolean", "Add the packages")],
    "group_show": [("id", "string", "Id or name (topic)"), ("include_datasets", "boolean", "Add the packages")],
    "tag_list": [("query", "string", "Substring filter"), ("all_fields", "boolean", "Dicts instead of names")],
    "package_activity_list": [("id", "string", "Dataset id or name"), ("offset", "integer", "Skip this many"),
                              ("limit", "integer", "Default 31, at most 100"), ("after", "number", "Epoch seconds"),
                              ("before", "number", "Epoch seconds")],
    "datastore_search": [
        ("resource_id", "string", "Resource id of a CSV file"), ("filters", "object", "{field: value or [values]}"),
        ("q", "string", "Whole words (all of them), or {field: text}; at most 256 characters, 12 words"),
        ("plain", "boolean", "false: PostgreSQL tsquery syntax (& | ! ( ) <-> and prefix word:*)"),
        ("language", "string", "Text search configuration: simple (default) or indonesian (stemmed)"),
        ("full_text", "string", "Full text over every column (instead of a string q)"),
        ("distinct", "boolean", "Only distinct rows of the returned columns"),
        ("fields", "array", "Columns to return (rank: the text search's rank)"),
        ("sort", "string", "e.g. 'jumlah desc nulls last, kode_desa' (at most 4 clauses)"),
        ("limit", "integer", "Default 100, at most 32000"), ("offset", "integer", "Skip this many"),
        ("include_total", "boolean", "Count all matches (default true)"),
        ("total_estimation_threshold", "integer", "Take the row count as an estimate from this many rows"),
        ("records_format", "string", "objects, lists, csv or tsv")],
    "datastore_info": [("id", "string", "Resource id of a CSV file (or resource_id)")],
}
ACTION_PARAMS["group_list"] = ACTION_PARAMS["organization_list"]
# The write actions the portal runs (POST with an API token) and the read actions that need one.
_SDI = "Satu Data field (konsep, definisi, klasifikasi, ukuran, satuan, ...), top-level or in extras"
_UPLOAD = [("upload", "string", "The table: CSV, XLSX or a data package zip (multipart/form-data, at most "
                                "MAX_CONTENT_LENGTH)"),
           ("schema", "object", "Optional Table Schema with the portal's roles (JSON object or its text)"),
           ("sheet", "string", "XLSX sheet name"), ("privacy_class", "string", "umum or spesifik"),
           ("rows_are_not_people", "boolean", "The rows count things, not people or families"),
           ("reference_date", "string", "Reference date of the table (YYYY-MM-DD)"),
           ("format", "string", "File format when the file name has no extension")]
ACTION_PARAMS.update({
    "release_show": [("id", "integer", "Release number")],
    "release_submit": [("id", "integer", "Release number of a draft"),
                       ("change_note", "string", "What changed, for the walidata")],
    "release_approve": [("id", "integer", "Release number of a submitted release"),
                        ("comment", "string", "Optional comment")],
    "release_reject": [("id", "integer", "Release number of a submitted release"),
                       ("comment", "string", "Why it goes back")],
    "package_create": [("name", "string", "New dataset name (CKAN's rule: lowercase a-z, 0-9, - and _)"),
                       ("owner_org", "string", "OPD name, number or id"), ("title", "string", "Title"),
                       ("notes", "string", "Description"), ("tags", "array", "Tags ({name} dicts or strings)"),
                       ("license_id", "string", "Licence id"), ("frequency", "string", "Update frequency"),
                       ("extras", "array", _SDI)],
    "package_patch": [("id", "string", "Dataset id or name"), ("title", "string", "Title"),
                      ("notes", "string", "Description"), ("tags", "array", "Tags"), ("extras", "array", _SDI)],
    "resource_create": [("package_id", "string", "Dataset id or name"), *_UPLOAD],
    "resource_update": [("id", "string", "Resource id of the dataset's table"), *_UPLOAD],
    "package_delete": [("id", "string", "Dataset id or name"),
                       ("reason", "string", "Why (a published dataset: a withdrawal request)")],
    "organization_member_create": [("id", "string", "OPD name or number"),
                                   ("username", "string", "Account e-mail or number"),
                                   ("role", "string", "member, editor or admin")],
})
ACTION_PARAMS["package_update"] = ACTION_PARAMS["package_patch"]
ACTION_PARAMS["resource_patch"] = ACTION_PARAMS["resource_update"]
ACTION_PARAMS["organization_member_delete"] = ACTION_PARAMS["organization_member_create"][:2]
TOKEN_READS = frozenset({"release_show"})
SECURITY_SCHEMES = {"apiToken": {
    "type": "apiKey", "in": "header", "name": "Authorization",
    "description": "An API token of a produsen or walidata account (made by the portal's operator "
                   "with flask api-token create), sent raw as CKAN 2.9+ clients and ckanapi do; X-CKAN-API-Key and "
                   "'Bearer <token>' are accepted too. Write actions act as the token's owner, under "
                   "the same permissions as the admin pages; nothing is public before a walidata "
                   "approves it."}}
ENVELOPE = {
    "type": "object", "required": ["success"],
    "properties": {"help": {"type": "string"}, "success": {"type": "boolean"}, "result": {},
                   "error": {"type": "object", "properties": {"__type": {"type": "string"},
                                                              "message": {"type": "string"}}}},
}
ERRORS = {"400": "Search Query Error, bad JSON or unknown action", "403": "Authorization Error (write actions)",
          "404": "Not Found Error",
          "409": "Validation Error, or Search Error (a q/fq that cannot run; also: search took too long)",
          "413": "Request body over API_MAX_BODY", "429": "Rate limited: wait Retry-After seconds"}


def _operation(name: str, doc: str, method: str) -> dict:
    params = ACTION_PARAMS.get(name, [])
    op = {"operationId": f"{name}_{method}", "summary": doc.split("\n")[0], "description": doc,
          "tags": ["CKAN Action API"],
          "responses": {"200": {"description": "CKAN envelope with success true",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}},
                        **{code: {"description": text} for code, text in ERRORS.items()}}}
    if is_write(name) or name in TOKEN_READS:
        op["security"] = [{"apiToken": []}]
    if method == "get":
        op["parameters"] = [{"name": p, "in": "query", "required": p in ("id", "resource_id", "name"),
                             "description": d, "schema": {"type": "string" if t in ("array", "object") else t}}
                            for p, t, d in params]
    else:
        fields = {p: {"type": t, "description": d} for p, t, d in params}
        media = "application/json"
        if name in UPLOAD_ACTIONS:
            media = "multipart/form-data"
            fields["upload"] = {"type": "string", "format": "binary", "description": fields["upload"]["description"]}
        op["requestBody"] = {"required": is_write(name),
                             "content": {media: {"schema": {"type": "object", "properties": fields}}}}
    return op


def _file(summary: str, params: list[tuple[str, str]], media: list[str]) -> dict:
    return {"get": {"summary": summary, "tags": ["Downloads and DCAT"],
                    "parameters": [{"name": n, "in": "path" if n in ("resource_id", "name") else "query",
                                    "required": n in ("resource_id", "name"), "description": d,
                                    "schema": {"type": "string"}} for n, d in params],
                    "responses": {"200": {"description": summary, "content": {m: {} for m in media}},
                                  "404": {"description": "Not published"}}}}


def build_spec() -> dict:
    """The OpenAPI document: every action at /api/3/action/<name> (GET and POST), dumps, DCAT."""
    actions = all_actions()
    paths = {}
    for name in sorted(actions):
        doc = " ".join((actions[name].__doc__ or name).split())
        paths[f"/api/3/action/{name}"] = ({"post": _operation(name, doc, "post")} if is_write(name) else
                                          {"get": _operation(name, doc, "get"),
                                           "post": _operation(name, doc, "post")})
    rdf = ["application/ld+json", "text/turtle", "application/rdf+xml"]
    dump_params = [("resource_id", "Resource id"), ("format", "csv|tsv|json|xml"), ("q", "Full text"),
                   ("plain", "false: tsquery syntax"), ("language", "Text search configuration"),
                   ("distinct", "Distinct rows"), ("filters", "JSON object"), ("fields", "Comma list"),
                   ("sort", "Sort"), ("limit", "Rows"), ("offset", "Skip"), ("bom", "true: UTF-8 BOM")]
    paths["/datastore/dump/{resource_id}"] = _file(
        "A whole table as CSV, TSV, JSON or XML", dump_params,
        ["text/csv", "text/tab-separated-values", "application/json", "text/xml"])
    for fmt in ("jsonld", "ttl", "rdf"):
        paths[f"/catalog.{fmt}"] = _file("The DCAT-AP 3 catalog, 100 datasets a page (Hydra paging)",
                                         [("page", "Page number"), ("modified_since", "ISO 8601 date"),
                                          ("q", "Search"), ("fq", "Filter")], rdf)
        paths[f"/dataset/{{name}}.{fmt}"] = _file("One dataset in DCAT-AP 3 with its versions",
                                                 [("name", "Dataset name or id")], rdf)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{current_app.config['PORTAL_TITLE']} API", "version": "3",
                 "description": "CKAN Action API v3, datastore_search and DCAT-AP 3. Reading needs no "
                                "account: only published, approved versions are visible, CORS any "
                                "origin. Writing (package_create, resource_create/update/patch, "
                                "package_patch/update, package_delete, the release workflow, OPD "
                                "members) needs an API token and POST; an upload becomes a draft "
                                "that passes the privacy layer and a walidata's approval. "
                                f"Rate limit: {current_app.config['API_RATE_LIMIT']} requests/minute "
                                f"per address, bursts of {current_app.config['API_RATE_BURST']}.",
                 "license": {"name": "CC-BY-4.0 (data)", "url": "https://creativecommons.org/licenses/by/4.0/"}},
        "servers": [{"url": dicts.base_url()}],
        "paths": paths,
        "components": {"schemas": {"Envelope": ENVELOPE}, "securitySchemes": SECURITY_SCHEMES},
    }
