"""The publish gate and the files of a version: Data Package v2, XLSX, JSON."""
import copy
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from portal.datasets import validation, xlsx
from portal.datasets.packaging import csv_path

NAME = "penduduk-dan-keluarga"


def _files(client, name=NAME, version="1.0.0") -> dict[str, bytes]:
    base = f"/dataset/{name}/version/{version}/download"
    return {csv_path(name): client.get(f"{base}/{name}.csv").get_data(),
            "datapackage.json": client.get(f"{base}/datapackage.json").get_data()}


def test_descriptor_has_every_v2_property(published, client):
    d = json.loads(_files(client)["datapackage.json"])
    for key in ("$schema", "name", "id", "title", "description", "version", "created", "licenses",
                "sources", "contributors", "keywords", "homepage", "resources"):
        assert d[key], key
    assert d["id"] == f"urn:uuid:{published.dataset.id}"
    assert any("OpenSID" in s["title"] for s in d["sources"]) and any("Panen" in s["title"] for s in d["sources"])
    roles = {r for c in d["contributors"] for r in c["roles"]}
    assert {"publisher", "produsen", "walidata"} <= roles
    schema = d["resources"][0]["schema"]
    kode = next(f for f in schema["fields"] if f["name"] == "kode")
    assert kode["categories"][0] == {"value": 1, "label": "PENDUDUK"}
    assert schema["uniqueKeys"] == [["kode_desa", "kategori"]]
    assert schema["missingValues"][0]["label"].startswith("Disembunyikan")
    assert d["resources"][0]["bytes"] == published.file(f"{NAME}.csv").bytes
    assert d["resources"][0]["hash"] == f"sha256:{published.file(f'{NAME}.csv').sha256}"
    assert published.validation_report["valid"]
    assert published.validation_report["checks"] == {"frictionless": 0, "profile": 0, "categories": 0,
                                                     "uniqueKeys": 0, "zip": 0}


@pytest.mark.parametrize("breakage,check", [
    (lambda d: d["resources"][0].update(hash="sha256:zz"), "profile"),
    (lambda d: d["resources"][0].update(path=".hidden/x.csv"), "profile"),
    (lambda d: d.update(version=1), "profile"),
    (lambda d: d.update(created="26/06/2024"), "profile"),
])
def test_the_v2_profile_catches_what_frictionless_lets_through(published, client, breakage, check):
    descriptor = json.loads(_files(client)["datapackage.json"])
    broken = copy.deepcopy(descriptor)
    breakage(broken)
    assert validation.profile_errors(descriptor) == []
    assert [e["check"] for e in validation.profile_errors(broken)] and \
        {e["check"] for e in validation.profile_errors(broken)} == {check}


def test_categories_and_unique_keys_are_enforced(published, client):
    files = _files(client)
    lines = files[csv_path(NAME)].decode().splitlines()
    # Row 2 gets an unknown category code; row 3 repeats row 2's (desa, kategori) under a new code.
    first = lines[1].split(",")
    first[4] = "9"
    lines[1] = ",".join(first)
    third = lines[2].split(",")
    third[5] = first[5]
    lines[2] = ",".join(third)
    broken = {**files, csv_path(NAME): ("\n".join(lines) + "\n").encode()}
    descriptor = json.loads(files["datapackage.json"])
    assert validation.category_errors(descriptor, files) == []
    assert validation.unique_key_errors(descriptor, files) == []
    categories = validation.category_errors(descriptor, broken)
    assert [(e["rowNumber"], e["fieldName"]) for e in categories] == [(2, "kode")]
    unique = validation.unique_key_errors(descriptor, broken)
    assert [(e["rowNumber"], e["fieldName"]) for e in unique] == [(3, "kode_desa")]


def test_xlsx_stores_numbers_as_numbers_and_text_never_as_a_formula():
    descriptor = {"name": "t", "title": "T", "version": "1.0.0", "homepage": "http://x",
                  "licenses": [{"name": "CC-BY-4.0", "title": "CC BY"}],
                  "resources": [{"schema": {"fields": [
                      {"name": "nama", "type": "string"}, {"name": "jumlah", "type": "integer"}],
                      "missingValues": [{"value": "x", "label": "Disembunyikan"}]}}]}
    rows = "nama,jumlah\n=1+1,12\n+62 dial,x\n-minus,0\n@cmd,7\n"
    content = xlsx.workbook(descriptor, rows.encode())
    assert content == xlsx.workbook(descriptor, rows.encode())  # deterministic
    sheet = load_workbook(io.BytesIO(content))["data"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["nama", "jumlah"], ["=1+1", 12], ["+62 dial", "x"], ["-minus", 0], ["@cmd", 7]]
    assert all(sheet.cell(r, 1).data_type != "f" for r in range(1, 6))
    assert isinstance(sheet.cell(2, 2).value, int)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and 'quotePrefix' not in xml  # the style, not the cell, holds the flag
    assert xml.count(' s="2"') == 4  # each formula-looking text has the quote-prefix style


def test_the_json_download_has_typed_values_and_null_for_hidden_cells(published, client):
    body = client.get(f"/dataset/{NAME}/version/1.0.0/download/{NAME}.json").get_json()
    assert body["version"] == "1.0.0" and body["null"].startswith("Disembunyikan")
    assert len(body["data"]) == 266
    row = body["data"][0]
    assert row["kode_desa"] == "51.02.01.2001" and isinstance(row["kode"], int)
    assert all(row[c] is None or isinstance(row[c], int) for c in ("jumlah", "laki_laki", "perempuan"))
