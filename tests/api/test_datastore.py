"""datastore_search and /datastore/dump on published tables, typed from the Table Schema."""
import csv
import io

from tests.support.catalog import HEADER, ROWS, action
from tests.support.catalog import datastore_result as ds


def test_default_search_returns_typed_records_and_fields(client, resource_id):
    found = ds(client, resource_id=resource_id)
    assert [f["id"] for f in found["fields"]] == ["_id", *HEADER]
    types = {f["id"]: f["type"] for f in found["fields"]}
    assert types["jumlah"] == "int" and types["kode_desa"] == "text"
    assert "null" in {f["id"]: f for f in found["fields"]}["jumlah"]["info"]["notes"].lower()
    assert found["total"] == len(ROWS) and found["total_was_estimated"] is False
    first = found["records"][0]
    assert first["_id"] == 1 and first["jumlah"] == 121  # the latest version's value
    assert found["records"][1]["jumlah"] is None  # a hidden count is null, not 'x'
    assert found["limit"] == 100 and found["records_format"] == "objects"
    assert found["_links"]["start"].startswith("/api/3/action/datastore_search?")
    assert "offset=100" in found["_links"]["next"]


def test_filters_q_fields_sort_limit_offset(client, resource_id):
    found = ds(client, resource_id=resource_id, filters='{"kode_kecamatan": "51.02.01", "kode": ["1", "4"]}')
    assert found["total"] == 3 and found["filters"] == {"kode_kecamatan": "51.02.01", "kode": ["1", "4"]}
    posted = ds(client, method="post", resource_id=resource_id, filters={"jumlah": 940})
    assert [r["nama_desa"] for r in posted["records"]] == ["Desa Tiga"]
    assert ds(client, resource_id=resource_id, q="hindu")["total"] == 2
    assert ds(client, method="post", resource_id=resource_id, q={"nama_desa": "dua"})["total"] == 1
    sorted_ = ds(client, resource_id=resource_id, sort="jumlah desc", fields="nama_desa,jumlah")
    assert [r["jumlah"] for r in sorted_["records"]] == [None, 940, 121, 35]  # nulls first descending
    assert list(sorted_["records"][0]) == ["nama_desa", "jumlah"]
    page = ds(client, resource_id=resource_id, limit=1, offset=2, sort="_id")
    assert [r["_id"] for r in page["records"]] == [3] and "prev" in page["_links"]
    assert ds(client, resource_id=resource_id, include_total="false").get("total") is None


def test_records_formats(client, resource_id):
    lists = ds(client, resource_id=resource_id, records_format="lists", fields="_id,jumlah", limit=2)
    assert lists["records"] == [[1, 121], [2, None]]
    text = ds(client, resource_id=resource_id, records_format="csv", fields="kode_desa,jumlah", limit=2)
    assert text["records"] == "51.02.01.2001,121\n51.02.01.2001,x\n"  # csv keeps the published marker
    tsv = ds(client, resource_id=resource_id, records_format="tsv", fields="kode_desa,jumlah", limit=1)
    assert tsv["records"] == "51.02.01.2001\t121\n"


def test_datastore_errors(client, resource_id):
    status, body = action(client, "datastore_search", resource_id="tidak-ada")
    assert status == 404 and body["error"]["__type"] == "Not Found Error"
    assert action(client, "datastore_search")[0] == 409
    assert action(client, "datastore_search", resource_id=resource_id, fields="nope")[0] == 409
    assert action(client, "datastore_search", resource_id=resource_id, sort="nope")[0] == 409
    assert action(client, "datastore_search", resource_id=resource_id, filters='{"nope": 1}')[0] == 409
    assert action(client, "datastore_search", resource_id=resource_id, records_format="xml")[0] == 409
    assert action(client, "datastore_search", id=resource_id)[0] == 200  # CKAN's alias


def test_dump_csv_and_json(client, resource_id):
    response = client.get(f"/datastore/dump/{resource_id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["_id", *HEADER] and len(rows) == len(ROWS) + 1 and rows[2][7] == "x"
    as_json = client.get(f"/datastore/dump/{resource_id}?format=json&fields=kode_desa,jumlah&limit=2").get_json()
    assert as_json["records"] == [["51.02.01.2001", 121], ["51.02.01.2001", None]]
    assert [f["id"] for f in as_json["fields"]] == ["kode_desa", "jumlah"]
    assert client.get(f"/datastore/dump/{resource_id}?format=tsv").mimetype == "text/tab-separated-values"
    assert client.get(f"/datastore/dump/{resource_id}?bom=true").get_data().startswith(b"\xef\xbb\xbf")
    assert client.get("/datastore/dump/tidak-ada").status_code == 404
    assert client.get(f"/datastore/dump/{resource_id}?format=xls").status_code == 400
