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


# The OPD door of the write API (package_create, resource_create/update/patch, package_delete)
# with the produsen's token: every hostile body answers CKAN's envelope and changes nothing,
# neither a row of any table nor a stored file. A body is JSON, or (a dict with "upload")
# multipart as ckanapi sends a file. {ds}: the OPD's dataset with a draft; {rid}: its table's
# resource id; {other}: a dataset of an OPD the produsen is not a member of.
NOT_FOUND, FORBIDDEN = "Not Found Error", "Authorization Error"
SIXTEEN_MIB = 16 * 1024 * 1024


def _good() -> bytes:
    from tests.uploads.bad_input import csv_bytes, good_rows

    return csv_bytes(good_rows())


def _person_level() -> bytes:
    from tests.uploads.bad_input import NIK, csv_bytes, with_column

    return csv_bytes(with_column("nik", [NIK]))


PACKAGE_CASES = [
    # name, action, body, status, type, field
    ("create without a name", "package_create", {"owner_org": "dinas-kesehatan"}, 409, VALIDATION, "name"),
    ("create with a name in capitals", "package_create", {"name": "Tabel Baru", "owner_org": "dinas-kesehatan"},
     409, VALIDATION, "name"),
    ("create with a number for name", "package_create", {"name": 5, "owner_org": "dinas-kesehatan"}, 409,
     VALIDATION, "name"),
    ("create with a name of 300 characters", "package_create", {"name": "a" * 300, "owner_org": "dinas-kesehatan"},
     409, VALIDATION, "name"),
    ("create with a name taken", "package_create", {"name": "{ds}", "owner_org": "dinas-kesehatan"}, 409,
     VALIDATION, "name"),
    ("create without an OPD", "package_create", {"name": "baru"}, 409, VALIDATION, "owner_org"),
    ("create for an unknown OPD", "package_create", {"name": "baru", "owner_org": "dinas-hantu"}, 409, VALIDATION,
     "owner_org"),
    ("create with an OPD object", "package_create", {"name": "baru", "owner_org": {"name": "dinas-kesehatan"}},
     409, VALIDATION, "owner_org"),
    ("create for another OPD", "package_create", {"name": "baru", "owner_org": "dinas-sosial"}, 403, FORBIDDEN,
     None),
    ("create with a numeric title", "package_create", {"name": "baru", "owner_org": "dinas-kesehatan", "title": 7},
     409, VALIDATION, "title"),
    ("create with a title of 300 characters", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "title": "j" * 300}, 409, VALIDATION, "title"),
    ("create with a NIK in the notes", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "notes": "Kontak 5102014107900001"}, 409, VALIDATION, "notes"),
    ("create with tags without names", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "tags": [{"x": 1}]}, 409, VALIDATION, "tags"),
    ("create with an unknown licence", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "license_id": "hak-cipta"}, 409, VALIDATION, "license_id"),
    ("create with an unknown frequency", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "frequency": "kadang"}, 409, VALIDATION, "frequency"),
    ("create with extras that are an object", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "extras": {"konsep": "x"}}, 409, VALIDATION, "extras"),
    ("create with an unknown tingkat penyajian", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "tingkat_penyajian": "dusun"}, 409, VALIDATION,
     "tingkat_penyajian"),
    ("create with extras that are strings", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "extras": ["konsep"]}, 409, VALIDATION, "extras"),
    ("create with a konsep of 300 characters", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "konsep": "k" * 300}, 409, VALIDATION, "konsep"),
    ("create with a satuan that is a number", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "extras": [{"key": "satuan", "value": 5}]}, 409,
     VALIDATION, "satuan"),
    ("create with a linked resource", "package_create",
     {"name": "baru", "owner_org": "dinas-kesehatan", "resources": [{"url": "http://x.example/t.csv"}]}, 409,
     VALIDATION, "resources"),
    ("upload without package_id", "resource_create", {"upload": _good}, 409, VALIDATION, "package_id"),
    ("upload to an unknown dataset", "resource_create", {"package_id": "tidak-ada", "upload": _good}, 404,
     NOT_FOUND, None),
    ("upload to another OPD's dataset", "resource_create", {"package_id": "{other}", "upload": _good}, 403,
     FORBIDDEN, None),
    ("upload without a file", "resource_create", {"package_id": "{ds}"}, 409, VALIDATION, "upload"),
    ("upload of a link", "resource_create", {"package_id": "{ds}", "url": "http://x.example/t.csv"}, 409,
     VALIDATION, "url"),
    ("upload that is a string in JSON", "resource_create", {"package_id": "{ds}", "upload": "kode_desa,jumlah"},
     409, VALIDATION, "upload"),
    ("upload of a person-level CSV", "resource_create", {"package_id": "{ds}", "upload": _person_level}, 409,
     VALIDATION, "upload"),
    ("upload of an empty file", "resource_create", {"package_id": "{ds}", "upload": lambda: b""}, 409, VALIDATION,
     "upload"),
    ("upload over 16 MiB", "resource_create",
     {"package_id": "{ds}", "upload": lambda: b"kode_desa,jumlah\n" + b"5102012001,40\n" * (SIXTEEN_MIB // 14)},
     409, VALIDATION, "upload"),
    ("upload with a schema that is not JSON", "resource_create",
     {"package_id": "{ds}", "upload": _good, "schema": "[bukan"}, 409, VALIDATION, "schema"),
    ("upload with a schema that is a list", "resource_create",
     {"package_id": "{ds}", "upload": _good, "schema": "[1, 2]"}, 409, VALIDATION, "schema"),
    ("upload with an unknown privacy class", "resource_create",
     {"package_id": "{ds}", "upload": _good, "privacy_class": "rahasia"}, 409, VALIDATION, "privacy_class"),
    ("upload with a 200-character sheet name", "resource_create",
     {"package_id": "{ds}", "upload": _good, "sheet": "s" * 200}, 409, VALIDATION, "sheet"),
    ("update of an unknown resource", "resource_update", {"id": "0000", "upload": _good}, 404, NOT_FOUND, None),
    ("update without an id", "resource_update", {"upload": _good}, 409, VALIDATION, "id"),
    ("update without a file", "resource_update", {"id": "{rid}"}, 409, VALIDATION, "upload"),
    ("patch with a person-level CSV", "resource_patch", {"id": "{rid}", "upload": _person_level}, 409, VALIDATION,
     "upload"),
    ("delete without an id", "package_delete", {}, 409, VALIDATION, "id"),
    ("delete an unknown dataset", "package_delete", {"id": "tidak-ada"}, 404, NOT_FOUND, None),
    ("delete another OPD's dataset", "package_delete", {"id": "{other}"}, 403, FORBIDDEN, None),
    ("delete with an object for reason", "package_delete", {"id": "{ds}", "reason": {"a": 1}}, 409, VALIDATION,
     "reason"),
]
# Hostile files of the upload corpus (tests/uploads/bad_input.py) sent through resource_create.
CORPUS_CASES = ("kolom NIK", "nama orang", "NIK di lembar tersembunyi", "buku kerja bermakro",
                "kode desa tidak dikenal", "zip bomb", "UTF-16 dengan NIK")


@pytest.fixture(scope="module")
def opd_door(tmp_path_factory):
    """An app with two OPDs, a produsen of the first with a token, a dataset of each (the
    first with one uploaded draft)."""
    from portal.auth.services import create_user, set_memberships
    from portal.auth.tokens import create_token
    from portal.core.ids import stable_id
    from portal.datasets import services
    from portal.datasets.models import Dataset
    from portal.extensions import db
    from portal.uploads.service import upload_to_draft
    from tests.support.world import PASSWORDS, fresh_app

    app = fresh_app(tmp_path_factory.mktemp("api-opd-door"))
    with app.app_context():
        org = services.ensure_organization("dinas-kesehatan", "Dinas Kesehatan")
        other = services.ensure_organization("dinas-sosial", "Dinas Sosial")
        db.session.flush()
        user = create_user("produsen@example.go.id", PASSWORDS["produsen"], "produsen")
        db.session.flush()
        set_memberships(user, [org.id], None)
        db.session.add(Dataset(name="tabel-sosial", title="Tabel Dinas Sosial", organization=other))
        db.session.commit()
        draft = upload_to_draft(_good(), "awal.csv", "tabel-opd", "dinas-kesehatan", user).release
        token = create_token(user, "uji")[1]
        db.session.commit()
        ids = {"ds": "tabel-opd", "other": "tabel-sosial",
               "rid": stable_id("resource", draft.dataset.id, "tabel-opd.csv")}
        yield app, token, ids
        db.session.remove()
        db.engine.dispose()


def _stored(app) -> tuple[dict, dict]:
    """Every row of every table but the tokens' (their last use is noted), and every stored file."""
    import hashlib
    from pathlib import Path

    from sqlalchemy import inspect, text

    from portal.extensions import db

    quote = db.engine.dialect.identifier_preparer.quote
    rows = {name: {repr(tuple(row)) for row in db.session.execute(text(f"SELECT * FROM {quote(name)}"))}
            for name in inspect(db.engine).get_table_names() if name != "api_token"}
    root = Path(app.config["STORAGE_DIR"])
    return rows, {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in sorted(root.rglob("*")) if p.is_file()}


def _send(app, token: str, name: str, body: dict, ids: dict):
    """POST ``body`` to ``name``: multipart when it holds a file (a callable), JSON otherwise."""
    import io

    filled = {k: (v.format(**ids) if isinstance(v, str) else v) for k, v in body.items()}
    client, headers = app.test_client(), {"Authorization": token}
    if callable(filled.get("upload")):
        filled["upload"] = (io.BytesIO(filled["upload"]()), "tabel.csv")
        return client.post(f"/api/3/action/{name}", data=filled, headers=headers, content_type="multipart/form-data")
    return client.post(f"/api/3/action/{name}", json=filled, headers=headers)


@pytest.mark.parametrize("case, name, body, status, error_type, field", PACKAGE_CASES,
                         ids=[c[0] for c in PACKAGE_CASES])
def test_opd_door_bad_input_answers_ckans_error_envelope_and_changes_nothing(opd_door, case, name, body, status,
                                                                            error_type, field):
    from tests.uploads.bad_input import SECRETS

    app, token, ids = opd_door
    before = _stored(app)
    response = _send(app, token, name, body, ids)
    assert response.status_code == status, (case, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert response.get_json()["success"] is False and error["__type"] == error_type
    if field:
        assert field in error, error
    assert not any(secret in response.get_data(as_text=True) for secret in SECRETS)
    assert _stored(app) == before


@pytest.mark.parametrize("case", CORPUS_CASES)
def test_hostile_uploads_of_the_corpus_are_refused_through_the_api(opd_door, case):
    import io
    import json

    from tests.uploads.bad_input import CASES, SECRETS

    app, token, ids = opd_door
    hostile = next(c for c in CASES if c.name == case)
    content, filename, schema, sheet = hostile.build()
    data = {"package_id": ids["ds"], "upload": (io.BytesIO(content), filename)}
    if schema:
        data["schema"] = json.dumps(schema)
    if sheet:
        data["sheet"] = sheet
    before = _stored(app)
    response = app.test_client().post("/api/3/action/resource_create", data=data, content_type="multipart/form-data",
                                      headers={"Authorization": token})
    assert response.status_code == 409, response.get_data(as_text=True)[:300]
    message = " ".join(response.get_json()["error"]["upload"])
    for fragment in hostile.expect:
        assert fragment in message, (fragment, message)
    assert not any(secret in response.get_data(as_text=True) for secret in SECRETS)
    assert _stored(app) == before
