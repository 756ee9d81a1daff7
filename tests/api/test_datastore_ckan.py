"""datastore_search, datastore_info, /datastore/dump, JSONP and write actions as CKAN 2.11 answers them.

Each test names the CKAN source it follows (github.com/ckan/ckan, branch 2.11).
"""
import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import pytest
from ckanapi import NotAuthorized, RemoteCKAN, ValidationError

from portal.api import tables
from portal.api.writes import WRITE_ACTIONS
from tests.support.catalog import HEADER, ROWS, action
from tests.support.catalog import datastore_result as ds


def refused(client, method="get", **params):
    """A datastore_search that must be a 409 Validation Error; its error dict."""
    status, body = action(client, "datastore_search", method=method, **params)
    assert status == 409 and body["success"] is False, body
    assert body["error"]["__type"] == "Validation Error"
    return body["error"]


# ckanext/datastore/backend/postgres.py, _textsearch_query / _build_query_and_rank_statements:
# q is plainto_tsquery (whole words, every word), plain=false is to_tsquery's syntax.
def test_q_matches_whole_words_and_plain_false_takes_tsquery_syntax(client, resource_id):
    assert ds(client, resource_id=resource_id, q="hindu")["total"] == 2
    assert ds(client, resource_id=resource_id, q="HINDU Kerambitan")["total"] == 1  # every word
    assert ds(client, resource_id=resource_id, q="hind")["total"] == 0  # no substring match
    assert ds(client, resource_id=resource_id, q="hind:*", plain="false")["total"] == 2  # prefix
    assert ds(client, resource_id=resource_id, q="selem:* & !hindu", plain="false")["total"] == 2
    assert ds(client, resource_id=resource_id, q="islam | tiga", plain="false")["total"] == 3
    assert ds(client, resource_id=resource_id, q="(dua | tiga) & desa", plain="false")["total"] == 2
    assert ds(client, resource_id=resource_id, q="desa <-> dua", plain="false")["total"] == 1  # phrase
    assert ds(client, resource_id=resource_id, q="dua <-> desa", plain="false")["total"] == 0
    assert ds(client, resource_id=resource_id, q="51.02.02.2001")["total"] == 1  # a code is one word
    error = refused(client, resource_id=resource_id, q="hindu &", plain="false")
    assert error["query"] == ["Invalid query"] and "syntax error in tsquery" in error["info"]["orig"][0]
    assert ds(client, resource_id=resource_id, q="hindu", language="simple")["total"] == 2
    assert refused(client, resource_id=resource_id, q="hindu", language="klingon")["query"] == ["Invalid query"]
    # language=indonesian stems as the catalog search does ("keislaman" -> "islam").
    assert ds(client, resource_id=resource_id, q="keislaman", language="indonesian")["total"] == 2
    assert ds(client, resource_id=resource_id, q="keislaman")["total"] == 0
    assert ds(client, resource_id=resource_id, q="!!!")["total"] == 0  # no word: an empty tsquery matches nothing


# postgres.py _where_clauses: q as a dict searches each column; logic/schema.py
# unicode_or_json_validator turns a JSON object string (a GET) into that dict.
def test_q_per_column_also_as_a_json_string_in_a_get(client, resource_id):
    found = ds(client, resource_id=resource_id, q='{"nama_desa": "dua"}')
    assert found["total"] == 1 and found["q"] == {"nama_desa": "dua"}
    assert found["fields"][-1] == {"id": "rank nama_desa", "type": "float"}
    both = {"kategori": "hindu", "nama_desa": "tiga"}
    assert ds(client, method="post", resource_id=resource_id, q=both)["total"] == 1
    # full_text searches every column beside a per-column q (logic/action.py datastore_search).
    mixed = ds(client, method="post", resource_id=resource_id, full_text="selemadeg", q={"kategori": "islam"})
    assert mixed["total"] == 2 and [f["id"] for f in mixed["fields"]][-2:] == ["rank", "rank kategori"]
    assert ds(client, resource_id=resource_id, q='{"nama_desa": "islam"}')["total"] == 0  # that column only
    assert refused(client, resource_id=resource_id, q='{"nope": "x"}') == {
        "__type": "Validation Error", "q": ['invalid value "nope"']}


# postgres.py datastore_search hook: a text search adds a float "rank" column (ts_rank(..., 32))
# to the fields and records, and orders by it when no sort is given (_sort).
def test_text_search_adds_a_rank_column_and_orders_by_it(client, resource_id):
    found = ds(client, resource_id=resource_id, q="islam | dua", plain="false")
    assert found["fields"][-1] == {"id": "rank", "type": "float"}
    ranks = {r["nama_desa"]: r["rank"] for r in found["records"]}
    assert [r["_id"] for r in found["records"]] == [3, 1]  # Desa Dua matches both words: first
    # calc_rank_or: 0.1 per word once, / (pi^2/6), averaged over 2 words, then rank/(rank+1);
    # PostgreSQL 15 gives ts_rank(to_tsvector('simple', 'Desa Dua Islam'), to_tsquery('simple',
    # 'islam | dua'), 32) = 0.057308756 and 0.029499672 for 'Desa Satu Islam'.
    assert ranks["Desa Dua"] == pytest.approx(0.057308756)
    assert ranks["Desa Satu"] == pytest.approx(0.029499672)
    only = ds(client, resource_id=resource_id, q="hindu", fields="_id,rank")
    assert list(only["records"][0]) == ["_id", "rank"]
    # backend validate() checks sort against the table's columns: rank is not one of them.
    error = refused(client, resource_id=resource_id, q="hindu", sort="rank desc")
    assert error["sort"] == ['invalid value "rank desc"']
    assert refused(client, resource_id=resource_id, fields="rank")["fields"] == ['invalid value "rank"']


# postgres.py search_data: SELECT DISTINCT over the returned columns; the count is of distinct rows.
def test_distinct(client, resource_id):
    found = ds(client, resource_id=resource_id, fields="kode_kecamatan", distinct="true", sort="kode_kecamatan")
    assert found["records"] == [{"kode_kecamatan": "51.02.01"}, {"kode_kecamatan": "51.02.02"}]
    assert found["total"] == 2 and found["distinct"] is True
    assert ds(client, resource_id=resource_id, fields="kategori", distinct="false")["total"] == 4


# backend/__init__.py _parse_sort_clause: "<field> [asc|desc] [nulls first|last]", quotes allowed;
# PostgreSQL puts nulls last ascending and first descending.
@pytest.mark.parametrize("sort, expected", [
    ("jumlah", [35, 121, 940, None]),
    ("jumlah desc", [None, 940, 121, 35]),
    ("jumlah asc nulls first", [None, 35, 121, 940]),
    ("jumlah DESC NULLS LAST", [940, 121, 35, None]),
    ('"jumlah" desc nulls last', [940, 121, 35, None]),
    ("kode_kecamatan desc, jumlah nulls first", [940, None, 35, 121]),
])
def test_sort_with_nulls_first_or_last(client, resource_id, sort, expected):
    assert [r["jumlah"] for r in ds(client, resource_id=resource_id, sort=sort)["records"]] == expected


# logic/schema.py datastore_search_schema: '__junk': [empty] -> navl's "The input field ... was not expected."
def test_unknown_parameters_are_a_validation_error(client, resource_id):
    assert refused(client, resource_id=resource_id, colour="red") == {
        "__type": "Validation Error", "__junk": ["The input field [('colour',)] was not expected."]}
    assert refused(client, method="post", resource_id=resource_id, limt=5)["__junk"]


# postgres.py _insert_links: the request URL with offset replaced; prev only when offset - limit > 0.
def test_links_total_and_estimate(client, resource_id):
    found = ds(client, resource_id=resource_id, limit=1, offset=1)
    assert found["_links"] == {
        "start": f"/api/3/action/datastore_search?resource_id={resource_id}&limit=1",
        "next": f"/api/3/action/datastore_search?resource_id={resource_id}&limit=1&offset=2"}
    assert found["_links"]["start"] and "prev" not in found["_links"]
    assert ds(client, resource_id=resource_id, limit=1, offset=2)["_links"]["prev"].endswith("offset=1")
    posted = ds(client, method="post", resource_id=resource_id)  # a POST body is not in the URL
    assert posted["_links"] == {"start": "/api/action/datastore_search",
                                "next": "/api/action/datastore_search?offset=100"}
    assert found["total"] == 4 and found["total_was_estimated"] is False
    assert "offset" not in ds(client, resource_id=resource_id)  # only the given keys are echoed
    # limit_to_configured_maximum: a limit over rows_max (DATASTORE_ROWS_MAX here) is lowered, and echoed so.
    rows_max = client.application.config["DATASTORE_ROWS_MAX"]
    assert ds(client, resource_id=resource_id, limit=10 ** 9)["limit"] == rows_max
    # search_data: with total_estimation_threshold and no filter, the table's row count is an estimate.
    estimated = ds(client, resource_id=resource_id, total_estimation_threshold=2)
    assert estimated["total"] == 4 and estimated["total_was_estimated"] is True
    assert ds(client, resource_id=resource_id, total_estimation_threshold=10)["total_was_estimated"] is False
    assert ds(client, resource_id=resource_id, total_estimation_threshold=2, q="hindu")["total_was_estimated"] is False


# logic/action.py datastore_info + backend/postgres.py resource_fields: meta (id, count, ...) and
# fields without _id, each with its data dictionary (info) and schema.native_type.
def test_datastore_info(client, resource_id):
    status, body = action(client, "datastore_info", id=resource_id)
    assert status == 200, body
    info = body["result"]
    assert info["meta"]["id"] == resource_id and info["meta"]["count"] == len(ROWS)
    assert [f["id"] for f in info["fields"]] == HEADER
    jumlah = {f["id"]: f for f in info["fields"]}["jumlah"]
    assert jumlah["type"] == "int" and jumlah["schema"]["native_type"] == "integer"
    assert jumlah["info"]["label"] == "Jumlah" and "null" in jumlah["info"]["notes"].lower()
    status, body = action(client, "datastore_info", method="post", resource_id="tidak-ada")
    assert status == 404 and body["error"]["message"] == 'Not found: Resource/Alias "tidak-ada" was not found.'
    assert action(client, "datastore_info")[0] == 409


# blueprint.py dump/dump_schema and writer.py: csv, tsv, json, xml; bom for each; q, filters,
# fields, sort, limit, offset as datastore_search takes them; 400 on a bad value.
def test_dump_formats_and_parameters(client, resource_id):
    url = f"/datastore/dump/{resource_id}"
    for fmt, prefix in (("csv", b"\xef\xbb\xbf_id,"), ("tsv", b"\xef\xbb\xbf_id\t"),
                        ("json", b'\xef\xbb\xbf{\n  "fields"'), ("xml", b"\xef\xbb\xbf<data")):
        response = client.get(f"{url}?format={fmt}&bom=true")
        assert response.status_code == 200 and response.get_data().startswith(prefix), fmt
        assert response.headers["Content-Disposition"] == f'attachment; filename="{resource_id}.{fmt}"'
    assert client.get(f"{url}?format=xml").content_type == "text/xml; charset=utf-8"
    root = ET.fromstring(client.get(f"{url}?format=xml&sort=jumlah desc&limit=2").get_data())
    rows = root.findall("row")
    assert [r.get("_id") for r in rows] == ["2", "4"]
    assert rows[0].find("jumlah").get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"
    assert rows[1].find("nama_desa").text == "Desa Tiga"
    text = client.get(f"{url}?q=hindu&fields=_id,kategori&offset=1").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text))) == [["_id", "kategori"], ["4", "Hindu"]]
    as_json = json.loads(client.get(f"{url}?format=json&filters={{\"kode\": \"4\"}}&fields=jumlah").get_data())
    assert as_json == {"fields": [{"id": "jumlah", "type": "int", "info": as_json["fields"][0]["info"]}],
                       "records": [[None], [940]]}
    for bad in ("format=xls", "limit=banyak", "offset=-1", "sort=", "sort=nope", "filters={bad", "bom=maybe"):
        response = client.get(f"{url}?{bad}")
        assert response.status_code == 400 and response.mimetype == "text/plain", bad
    assert client.get(f"{url}?colour=red").status_code == 200  # other parameters are ignored
    assert client.get("/datastore/dump/tidak-ada").status_code == 404


# ckan/views/api.py _finish: a 200 GET with callback= is "callback(json);" as application/javascript.
def test_jsonp(client, resource_id):
    response = client.get(f"/api/3/action/datastore_search?resource_id={resource_id}&limit=1&callback=app.got")
    assert response.status_code == 200 and response.content_type == "application/javascript;charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("app.got(") and text.endswith(");")
    assert json.loads(text[len("app.got("):-2])["result"]["records"][0]["_id"] == 1
    missing = client.get("/api/3/action/package_show?id=tidak-ada&callback=cb")
    assert missing.status_code == 404 and missing.content_type == "application/json;charset=utf-8"
    assert client.get("/api/3?callback=cb").get_data(as_text=True) == 'cb({"version": 3});'
    # CKAN only escapes <&>; the portal takes nothing but a JavaScript name.
    bad = client.get("/api/3/action/package_list?callback=alert(document.domain)//")
    assert bad.status_code == 400 and "callback" in bad.get_json()
    posted = client.post("/api/action/package_list?callback=cb", json={})
    assert posted.content_type == "application/json;charset=utf-8"  # JSONP is for GET only


# ckan/views/api.py action: NotAuthorized -> 403 {"__type": "Authorization Error", "message": "Access
# denied: ..."}; ckan/authz.py is_authorized: "Action <name> requires an authenticated user";
# a GET on an action that is not side-effect free: 400 "please use POST" (_get_request_data).
@pytest.mark.parametrize("name", sorted(WRITE_ACTIONS))
def test_write_actions_answer_authorization_error(client, name):
    response = client.post(f"/api/3/action/{name}", json={"name": "baru", "resource_id": "x"})
    assert response.status_code == 403
    assert response.get_json()["success"] is False and response.get_json()["error"] == {
        "__type": "Authorization Error", "message": f"Access denied: Action {name} requires an authenticated user"}
    got = client.get(f"/api/3/action/{name}")
    assert got.status_code == 400 and "Please use POST" in got.get_json()


def test_ckanapi_client_sees_ckans_errors_and_datastore(live_server, resource_id):
    ckan = RemoteCKAN(live_server)
    with pytest.raises(NotAuthorized):
        ckan.action.package_create(name="baru", title="Baru")
    with pytest.raises(NotAuthorized):
        ckan.action.datastore_upsert(resource_id=resource_id, records=[{"jumlah": 1}])
    with pytest.raises(ValidationError) as error:
        ckan.action.datastore_search(resource_id=resource_id, colour="red")
    assert "__junk" in error.value.error_dict
    assert ckan.action.datastore_info(id=resource_id)["meta"]["count"] == len(ROWS)
    found = ckan.action.datastore_search(resource_id=resource_id, q={"nama_desa": "tiga"}, sort="_id")
    assert [r["_id"] for r in found["records"]] == [4]
    getter = RemoteCKAN(live_server, get_only=True)
    assert getter.action.datastore_search(resource_id=resource_id, q='{"kategori": "islam"}')["total"] == 2


# Issue 12 finding 1: each row's text is read once per table (kept with it), not once per word.
def test_row_text_is_indexed_once_per_table(client, resource_id, app):
    entry, version, file = tables.find_resource(resource_id)
    table = tables.load_table(entry, version, file)
    ds(client, resource_id=resource_id, q="hindu")
    built = tables.text_index(table, None)
    ds(client, resource_id=resource_id, q="islam desa satu", plain="true")
    assert tables.text_index(table, None) is built and built.size == len(ROWS)


# Issue 12 finding 1: a 10,000-word q is refused before any row is read (it took 27 s).
def test_ten_thousand_word_q_is_refused_at_once(client, resource_id):
    words = " ".join(f"kata{n}" for n in range(10_000))
    started = time.perf_counter()
    status, body = action(client, "datastore_search", resource_id=resource_id, q=words)
    assert status == 409 and body["error"]["q"] == ["Longer than 256 characters"]
    assert time.perf_counter() - started < 0.5
    many = " & ".join(f"w{n}:*" for n in range(13))
    assert refused(client, resource_id=resource_id, q=many, plain="false")["q"] == ["More than 12 words"]
    response = client.post("/api/action/datastore_search", json={"resource_id": resource_id, "q": words})
    assert response.status_code == 413 and response.get_json()["error"]["__type"] == "Request Entity Too Large"


# backend/postgres.py search: a statement over its time limit is {"query": ["Search took too long"]} (409).
def test_time_budget_stops_the_work(client, resource_id, app):
    app.config["API_TIME_BUDGET_MS"] = 0
    assert refused(client, resource_id=resource_id, q="hindu")["query"] == ["Search took too long"]
    app.config["API_TIME_BUDGET_MS"] = 60_000
    assert ds(client, resource_id=resource_id, q="hindu")["total"] == 2


# Issue 12 finding 1: a body sent without Content-Length (chunked) cannot be read past API_MAX_BODY either.
def test_chunked_body_over_the_limit_is_a_413(client, app):
    body = b'{"resource_id": "x", "q": "' + b"a " * (app.config["API_MAX_BODY"] // 2) + b'"}'
    response = client.post("/api/action/datastore_search", input_stream=io.BytesIO(body),
                           content_type="application/json", environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and response.get_json()["error"] == {
        "__type": "Request Entity Too Large", "message": f"Request body larger than {app.config['API_MAX_BODY']} bytes"}
