"""The API's bad-input corpus: every case answers CKAN's error envelope (400/409), never a 500.

Cases are data: (name, action, how it is sent, parameters, status, ``__type``, field). A GET
case sends its parameters as a query string; a POST case sends them as the raw JSON body
(so ``Infinity`` and ``1e400``, which Python's json reads as floats, reach the action).
Issue 12 (findings 1 and 7): bounded inputs, no RecursionError or OverflowError.
Statuses and types follow ckan/views/api.py (the envelope), ckan/lib/search/query.py
(Solr's errors: 409 Search Error, a sort it cannot read: 400 Search Query Error) and
ckan/logic/schema/__init__.py ``default_package_search_schema`` (409 Validation Error).
"""
from __future__ import annotations

import pytest

SEARCH, VALIDATION, QUERY = "Search Error", "Validation Error", "Search Query Error"
MANY_ZZ = " OR ".join(["zz*"] * 2000)

CASES = [
    # name, action, method, params (dict for GET, raw JSON text for POST), status, type, field
    ("q of 3,000 '('", "package_search", "get", {"q": "(" * 3000}, 409, SEARCH, None),
    ("q of 2,000 OR'ed wildcards", "package_search", "get", {"q": MANY_ZZ}, 409, SEARCH, None),
    ("q of 5,000 characters", "package_search", "get", {"q": "kata " * 1000}, 409, SEARCH, None),
    ("date math beyond any date", "package_search", "get",
     {"fq": "metadata_modified:[NOW-999999999999DAYS TO *]"}, 409, SEARCH, None),
    ("time zone before year 1", "package_search", "get",
     {"fq": "metadata_modified:[0001-01-01T00:00:00+14:00 TO *]"}, 409, SEARCH, None),
    ("time zone after year 9999", "package_search", "get",
     {"fq": "metadata_modified:[* TO 9999-12-31T23:59:59-14:00]"}, 409, SEARCH, None),
    ("number beyond any integer", "package_search", "get",
     {"fq": "num_resources:[1 TO 99999999999999999999999]"}, 409, SEARCH, None),
    ("unbalanced bracket", "package_search", "get", {"fq": "organization:(a OR"}, 409, SEARCH, None),
    ("unterminated phrase", "package_search", "get", {"q": 'tags:"open'}, 409, SEARCH, None),
    ("unknown field", "package_search", "get", {"q": "nofield:x"}, 409, SEARCH, None),
    ("bad range", "package_search", "get", {"fq": "metadata_modified:[2026 TO]"}, 409, SEARCH, None),
    ("sort without direction", "package_search", "get", {"sort": "name"}, 400, QUERY, None),
    ("sort on an unknown field", "package_search", "get", {"sort": "colour asc"}, 409, SEARCH, None),
    ("fifty sort fields", "package_search", "get", {"sort": ", ".join(["name asc"] * 50)}, 409, VALIDATION, "sort"),
    ("facet.field that is not JSON", "package_search", "get", {"facet.field": "tags"}, 409, VALIDATION,
     "facet.field"),
    ("facet.field that is JSON but not a list", "package_search", "get", {"facet.field": '"tags"'}, 409,
     VALIDATION, "facet.field"),
    ("facet.field of an unknown field", "package_search", "get", {"facet.field": '["nope"]'}, 409, SEARCH, None),
    ("rows that is a word", "package_search", "get", {"rows": "banyak"}, 409, VALIDATION, "rows"),
    ("negative start", "package_search", "get", {"start": "-1"}, 409, VALIDATION, "start"),
    ("start of thirty digits", "package_search", "get", {"start": "9" * 30}, 409, VALIDATION, "start"),
    ("unknown parameter", "package_search", "get", {"colour": "red"}, 400, QUERY, None),
    ("rows Infinity", "package_search", "post", '{"rows": Infinity}', 409, VALIDATION, "rows"),
    ("rows NaN", "package_search", "post", '{"rows": NaN}', 409, VALIDATION, "rows"),
    ("start 1e400", "package_search", "post", '{"start": 1e400}', 409, VALIDATION, "start"),
    ("facet.limit 1e400", "package_search", "post", '{"facet.field": ["tags"], "facet.limit": 1e400}', 409,
     VALIDATION, "facet.limit"),
    ("sort list with a number", "package_search", "post", '{"sort": ["name asc", 5]}', 409, VALIDATION, "sort"),
    ("fl of objects", "package_search", "post", '{"fl": [{"a": 1}]}', 409, VALIDATION, "fl"),
    ("facet.field of lists", "package_search", "post", '{"facet.field": [["x"]]}', 409, VALIDATION,
     "facet.field"),
    ("q that is an object", "package_search", "post", '{"q": {"a": 1}}', 409, VALIDATION, "q"),
    ("fq_list of numbers", "package_search", "post", '{"fq_list": [1, 2]}', 409, VALIDATION, "fq_list"),
    ("eleven fq_list filters", "package_search", "post",
     '{"fq_list": [' + ", ".join(['"tags:x"'] * 11) + "]}", 409, VALIDATION, "fq_list"),
    ("deep JSON nesting", "package_search", "post", '{"q": ' + "[" * 500 + "]" * 500 + "}", 409, VALIDATION, "q"),
    ("group_list sort on an unknown field", "group_list", "get", {"sort": "colour"}, 409, VALIDATION, "message"),
    ("organization_list bad sort direction", "organization_list", "get", {"sort": "name sideways"}, 409,
     VALIDATION, "message"),
    ("organization_list limit Infinity", "organization_list", "post", '{"limit": "Infinity"}', 409,
     VALIDATION, "limit"),
]


def call(client, name: str, method: str, params):
    """Send one case as CKAN clients do; returns the response."""
    if method == "get":
        return client.get(f"/api/3/action/{name}", query_string=params)
    return client.post(f"/api/action/{name}", data=params, content_type="application/json")


@pytest.mark.parametrize("case, name, method, params, status, error_type, field", CASES,
                         ids=[c[0] for c in CASES])
def test_bad_input_answers_ckans_error_envelope(client, factory, case, name, method, params, status,
                                               error_type, field):
    factory.dataset("penduduk")
    response = call(client, name, method, params)
    body = response.get_json()
    assert response.status_code == status, body
    assert body["success"] is False and body["error"]["__type"] == error_type
    if field is not None:
        assert field in body["error"]


@pytest.mark.parametrize("query", [
    "fq=metadata_modified:[NOW-999999999999DAYS TO *]", "q=" + "(" * 3000, "modified_since=+999999-01-01",
    "modified_since=0001-01-01T00:00:00%2B14:00",
])
def test_dcat_refuses_bad_filters_with_a_400(client, factory, query):
    factory.dataset("penduduk")
    response = client.get(f"/catalog.ttl?{query}")
    assert response.status_code == 400


# datastore_search and /datastore/dump (issue 12 findings 1 and 7). "{rid}" stands for the
# table's resource id. Statuses and types follow ckanext/datastore/logic/schema.py
# (datastore_search_schema, 409 Validation Error), backend/postgres.py (validate: 'invalid
# value'; a query PostgreSQL refuses: {"query": ["Invalid query"]}), ckan/views/api.py (a body
# that is not JSON: 400 bare string) and blueprint.py (a dump parameter it refuses: 400).
TEN_THOUSAND_WORDS = " ".join(f"kata{n}" for n in range(10_000))
DATASTORE_CASES = [
    # name, method, params (dict for GET, raw JSON text for POST), status, type, field
    ("sort empty", "get", {"sort": ""}, 409, VALIDATION, "sort"),
    ("sort only commas", "get", {"sort": " , "}, 409, VALIDATION, "sort"),
    ("sort empty list", "post", '{"resource_id": "{rid}", "sort": []}', 409, VALIDATION, "sort"),
    ("sort list with a number", "post", '{"resource_id": "{rid}", "sort": ["jumlah", 5]}', 409, VALIDATION, "sort"),
    ("sort unknown column", "get", {"sort": "warna asc"}, 409, VALIDATION, "sort"),
    ("sort by rank", "get", {"q": "hindu", "sort": "rank"}, 409, VALIDATION, "sort"),
    ("five sort clauses", "get", {"sort": "jumlah, kode, kategori, nama_desa, _id"}, 409, VALIDATION, "sort"),
    ("fields of objects", "post", '{"resource_id": "{rid}", "fields": [{"a": 1}]}', 409, VALIDATION, "fields"),
    ("fields as a number", "post", '{"resource_id": "{rid}", "fields": 7}', 409, VALIDATION, "fields"),
    ("fields unknown column", "get", {"fields": "warna"}, 409, VALIDATION, "fields"),
    ("limit Infinity", "post", '{"resource_id": "{rid}", "limit": Infinity}', 409, VALIDATION, "limit"),
    ("limit NaN", "post", '{"resource_id": "{rid}", "limit": NaN}', 409, VALIDATION, "limit"),
    ("offset 1e400", "post", '{"resource_id": "{rid}", "offset": 1e400}', 409, VALIDATION, "offset"),
    ("offset -Infinity", "post", '{"resource_id": "{rid}", "offset": -Infinity}', 409, VALIDATION, "offset"),
    ("limit that is a word", "get", {"limit": "banyak"}, 409, VALIDATION, "limit"),
    ("negative offset", "get", {"offset": "-5"}, 409, VALIDATION, "offset"),
    ("filters not JSON", "get", {"filters": "{bad"}, 409, VALIDATION, "filters"),
    ("filters a list", "get", {"filters": "[1, 2]"}, 409, VALIDATION, "filters"),
    ("filters with an operator object", "post", '{"resource_id": "{rid}", "filters": {"jumlah": {"lt": 5}}}',
     409, VALIDATION, "filters"),
    ("filters nested too deep", "post", '{"resource_id": "{rid}", "filters": {"a": [[[[1]]]]}}', 409,
     VALIDATION, "filters"),
    ("filters unknown column", "get", {"filters": '{"warna": "merah"}'}, 409, VALIDATION, "filters"),
    ("filters text in a number column", "get", {"filters": '{"jumlah": "banyak"}'}, 409, VALIDATION, "query"),
    ("filters of 101 values", "post", '{"resource_id": "{rid}", "filters": {"kode": ['
     + ", ".join(['"1"'] * 101) + "]}}", 409, VALIDATION, "filters"),
    ("q of 10,000 words", "get", {"q": TEN_THOUSAND_WORDS}, 409, VALIDATION, "q"),
    ("q of 13 prefix terms", "get", {"q": " | ".join(f"k{n}:*" for n in range(13)), "plain": "false"}, 409,
     VALIDATION, "q"),
    ("q tsquery syntax error", "get", {"q": "(hindu", "plain": "false"}, 409, VALIDATION, "query"),
    ("q phrase of expressions", "get", {"q": "(a | b) <-> c", "plain": "false"}, 409, VALIDATION, "q"),
    ("q per column with a number", "post", '{"resource_id": "{rid}", "q": {"kategori": 5}}', 409, VALIDATION, "q"),
    ("q per column unknown", "get", {"q": '{"warna": "merah"}'}, 409, VALIDATION, "q"),
    ("q nested too deep", "post", '{"resource_id": "{rid}", "q": ' + "[" * 500 + "]" * 500 + "}", 409,
     VALIDATION, "q"),
    ("language unknown", "get", {"q": "hindu", "language": "klingon"}, 409, VALIDATION, "query"),
    ("records_format unknown", "get", {"records_format": "xml"}, 409, VALIDATION, "records_format"),
    ("unknown parameter", "get", {"warna": "merah"}, 409, VALIDATION, "__junk"),
    ("include_total not a boolean", "get", {"include_total": "mungkin"}, 409, VALIDATION, "include_total"),
    ("resource_id missing", "post", "{}", 409, VALIDATION, "resource_id"),
    ("resource_id a list", "post", '{"resource_id": [["{rid}"]]}', 409, VALIDATION, "resource_id"),
    ("body over API_MAX_BODY", "post", '{"resource_id": "{rid}", "q": "' + "a " * 5000 + '"}', 413,
     "Request Entity Too Large", "message"),
    ("body nested 3,000 deep", "post", "[" * 3000 + "]" * 3000, 400, None, None),
    ("body not an object", "post", "[1, 2]", 400, None, None),
]
DUMP_CASES = ["sort=", "sort=warna", "sort=jumlah,5,kode,nama_desa,_id", "format=xls", "limit=banyak",
              "offset=-1", "offset=1e400", "filters={bad", 'filters={"jumlah":{"lt":5}}', "bom=mungkin",
              "fields=warna", "q=" + "kata+" * 10_000, "q=(hindu&plain=false", "language=klingon&q=x"]


def _resource(client) -> str:
    """The resource id of the penduduk table's CSV."""
    pkg = client.get("/api/3/action/package_show?id=penduduk").get_json()["result"]
    return next(r["id"] for r in pkg["resources"] if r["format"] == "CSV")


def _state(client, rid: str) -> tuple:
    """What a bad request must leave as it was: the table's rows and the dataset."""
    rows = client.get(f"/api/3/action/datastore_search?resource_id={rid}").get_json()["result"]["records"]
    return rows, client.get("/api/3/action/package_show?id=penduduk").get_json()["result"]


@pytest.mark.parametrize("case, method, params, status, error_type, field", DATASTORE_CASES,
                         ids=[c[0] for c in DATASTORE_CASES])
def test_datastore_bad_input_answers_ckans_error_envelope(client, factory, case, method, params, status,
                                                          error_type, field):
    factory.dataset("penduduk")
    rid = _resource(client)
    before = _state(client, rid)
    if method == "get":
        response = client.get("/api/3/action/datastore_search", query_string={"resource_id": rid, **params})
    else:
        response = client.post("/api/action/datastore_search", data=params.replace("{rid}", rid),
                               content_type="application/json")
    body = response.get_json()
    assert response.status_code == status, body
    if error_type is None:  # CKAN's answer to a body that is not a JSON object: a bare string
        assert isinstance(body, str) and body.startswith("Bad request - JSON Error")
    else:
        assert body["success"] is False and body["error"]["__type"] == error_type
        assert field in body["error"]
    assert _state(client, rid) == before


@pytest.mark.parametrize("query", DUMP_CASES)
def test_dump_bad_input_is_a_400(client, factory, query):
    factory.dataset("penduduk")
    rid = _resource(client)
    response = client.get(f"/datastore/dump/{rid}?{query}")
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True).split(":")[0] in query or "query" in response.get_data(as_text=True)


# The series of a dataset (issue 13) is a datastore table too; its own column is a date.
SERIES_CASES = [
    ("date filter that is no date", "get", {"filters": '{"tanggal_referensi": "kemarin"}'}, 409, "query"),
    ("date filter out of range", "get", {"filters": '{"tanggal_referensi": "2026-13-45"}'}, 409, "query"),
    ("date filter a number", "post", '{"resource_id": "{rid}", "filters": {"tanggal_referensi": 1e400}}', 409,
     "filters"),
    ("date filter with a time", "get", {"filters": '{"tanggal_referensi": "2026-01-01T00:00:00"}'}, 409, "query"),
    ("version filter an object", "post", '{"resource_id": "{rid}", "filters": {"versi": {"a": 1}}}', 409, "filters"),
    ("sort on an unknown column", "get", {"sort": "tanggal asc"}, 409, "sort"),
    ("q per column on the date", "get", {"q": '{"tanggal_referensi": "' + "2026 " * 100 + '"}'}, 409, "q"),
]


@pytest.mark.parametrize("case, method, params, status, field", SERIES_CASES, ids=[c[0] for c in SERIES_CASES])
def test_series_datastore_bad_input_answers_ckans_error_envelope(client, factory, case, method, params, status,
                                                                 field):
    from tests.support.series import monthly

    dataset = monthly(factory, "penduduk", 2)
    from portal.datasets.series import resource_id
    rid = resource_id(dataset.id, dataset.name)
    if method == "get":
        response = client.get("/api/3/action/datastore_search", query_string={"resource_id": rid, **params})
    else:
        response = client.post("/api/action/datastore_search", data=params.replace("{rid}", rid),
                               content_type="application/json")
    body = response.get_json()
    assert response.status_code == status, body
    assert body["success"] is False and body["error"]["__type"] == VALIDATION and field in body["error"]
    ok = client.get("/api/3/action/datastore_search", query_string={
        "resource_id": rid, "filters": '{"tanggal_referensi": "2026-02-01"}'}).get_json()["result"]
    assert ok["total"] == 4 and {r["versi"] for r in ok["records"]} == {"1.1.0"}


# Write actions with a valid produsen token (a walidata's for members): (name, action, JSON body
# with {draft} for a draft release's id, status, __type, field). Nothing may change.
WRITE_CASES = [
    ("submit without id", "release_submit", '{"change_note": "x"}', 409, VALIDATION, "id"),
    ("submit with a word for id", "release_submit", '{"id": "satu", "change_note": "x"}', 409, VALIDATION, "id"),
    ("submit with forty digits", "release_submit", '{"id": "' + "9" * 40 + '", "change_note": "x"}', 409,
     VALIDATION, "id"),
    ("submit an unknown release", "release_submit", '{"id": 999999, "change_note": "x"}', 404, "Not Found Error",
     None),
    ("submit without a note", "release_submit", '{"id": {draft}}', 409, VALIDATION, "change_note"),
    ("submit with a blank note", "release_submit", '{"id": {draft}, "change_note": "   "}', 409, VALIDATION,
     "change_note"),
    ("submit with an object note", "release_submit", '{"id": {draft}, "change_note": {"a": 1}}', 409,
     VALIDATION, "change_note"),
    ("submit with a 3,000-character note", "release_submit",
     '{"id": {draft}, "change_note": "' + "a" * 3000 + '"}', 409, VALIDATION, "change_note"),
    ("reject without a comment", "release_reject", '{"id": {draft}}', 403, "Authorization Error", None),
    ("patch an unknown dataset", "package_patch", '{"id": "tidak-ada", "title": "x"}', 404, "Not Found Error",
     None),
    ("patch a numeric title", "package_patch", '{"id": "draf", "title": 5}', 409, VALIDATION, "title"),
    ("patch tags of objects without names", "package_patch", '{"id": "draf", "tags": [{"x": 1}]}', 409,
     VALIDATION, "tags"),
    ("patch to an unknown OPD", "package_patch", '{"id": "draf", "owner_org": "dinas-hantu"}', 409, VALIDATION,
     "owner_org"),
    ("update without a title", "package_update", '{"id": "draf", "notes": "x"}', 409, VALIDATION, "title"),
    ("member of an OPD by a produsen", "organization_member_create",
     '{"id": "dukcapil", "username": "produsen@example.go.id"}', 403, "Authorization Error", None),
]


@pytest.mark.parametrize("case, name, body, status, error_type, field", WRITE_CASES,
                         ids=[c[0] for c in WRITE_CASES])
def test_write_bad_input_answers_ckans_error_envelope_and_changes_nothing(client, factory, users, case, name,
                                                                          body, status, error_type, field):
    from portal.auth.tokens import create_token
    from portal.core.vocabularies import ReleaseStatus
    from portal.datasets.models import Release
    from portal.extensions import db

    draft = factory.dataset("draf", [("1.0.0", ReleaseStatus.DRAFT)]).releases[0]
    token = create_token(users["produsen"], "uji")[1]
    db.session.commit()
    releases_before = db.session.query(Release).count()
    response = client.post(f"/api/3/action/{name}", data=body.replace("{draft}", str(draft.id)),
                           content_type="application/json", headers={"Authorization": token})
    assert response.status_code == status, (case, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert error["__type"] == error_type
    if field:
        assert field in error, error
    db.session.expire_all()
    assert db.session.query(Release).count() == releases_before
    assert db.session.get(Release, draft.id).status is ReleaseStatus.DRAFT
