"""CKAN actions: routes, envelope, errors and the shapes of package, resource, group dicts."""
import re

import pytest

from portal.core.vocabularies import ReleaseStatus as S
from portal.extensions import db
from tests.support.catalog import action

CKAN_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")
NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


@pytest.fixture
def two(factory):
    """'agama' with two published versions (and a newer draft), 'pekerjaan' in another OPD."""
    factory.org("disnaker", "Dinas Tenaga Kerja")
    agama = factory.dataset("agama", [("1.0.0", S.PUBLISHED), ("1.1.0", S.PUBLISHED), ("1.2.0", S.DRAFT)],
                            tags=("agama", "penduduk"), topic="agama")
    factory.dataset("pekerjaan", org="disnaker", topic="ketenagakerjaan", tags=("pekerjaan",))
    factory.org("bappeda", "Badan Perencanaan Pembangunan Daerah")
    db.session.commit()
    return agama


@pytest.mark.parametrize("path", ["/api/3/action/package_list", "/api/action/package_list"])
def test_both_paths_answer_get_and_post_in_the_envelope(client, two, path):
    for response in (client.get(path), client.post(path, json={}), client.post(path)):
        assert response.status_code == 200
        assert response.content_type == "application/json;charset=utf-8"
        body = response.get_json()
        assert body["success"] is True and body["result"] == ["agama", "pekerjaan"]
        assert body["help"].endswith("/api/3/action/help_show?name=package_list")


def test_version_probes(client):
    assert client.get("/api").get_json() == {"version": 1}
    assert client.get("/api/3").get_json() == {"version": 3}


def test_errors_have_ckan_types_and_status_codes(client, two):
    status, body = action(client, "package_show", id="tidak-ada")
    assert status == 404 and body["success"] is False
    assert body["error"]["__type"] == "Not Found Error" and body["error"]["message"].startswith("Not found")
    status, body = action(client, "package_show", method="post")
    assert status == 409 and body["error"] == {"__type": "Validation Error", "id": ["Missing value"]}
    status, body = action(client, "package_search", rows="banyak")
    assert status == 409 and body["error"]["rows"] == ["Invalid integer"]
    status, body = action(client, "package_search", fq="organization:(a OR")
    # ckan/lib/search/query.py: a q/fq Solr cannot parse is a SearchError (409), a bad sort a 400.
    assert status == 409 and body["error"]["__type"] == "Search Error"
    status, body = action(client, "package_search", wrong="x")
    assert status == 400 and body["error"]["__type"] == "Search Query Error"
    response = client.get("/api/3/action/package_frobnicate")
    assert response.status_code == 400
    assert response.get_json() == "Bad request - Action name not known: package_frobnicate"
    response = client.post("/api/action/package_show", data="[1, 2]", content_type="application/json")
    assert response.status_code == 400 and "JSON Error" in response.get_json()
    response = client.post("/api/action/package_show", data="{bad", content_type="application/json")
    assert response.status_code == 400


def test_package_show_has_ckan_shape_latest_version_and_satu_data_extras(client, two):
    status, body = action(client, "package_show", id="agama")
    pkg = body["result"]
    assert status == 200 and NAME.match(pkg["name"])
    assert pkg["version"] == "1.1.0"  # the draft 1.2.0 is not public
    for key in ("metadata_created", "metadata_modified"):
        assert CKAN_TIME.match(pkg[key]), pkg[key]
    assert pkg["metadata_created"] < pkg["metadata_modified"]
    for key in ("id", "title", "notes", "license_id", "license_title", "license_url", "isopen",
                "owner_org", "organization", "groups", "tags", "extras", "resources", "num_resources",
                "num_tags", "private", "state", "type", "relationships_as_subject", "relationships_as_object"):
        assert key in pkg, key
    assert pkg["state"] == "active" and pkg["private"] is False and pkg["type"] == "dataset"
    assert pkg["organization"]["name"] == "dukcapil" and pkg["organization"]["is_organization"] is True
    assert [g["name"] for g in pkg["groups"]] == ["agama"]
    assert sorted(t["name"] for t in pkg["tags"]) == ["agama", "penduduk"] and pkg["num_tags"] == 2
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert [e["key"] for e in pkg["extras"]] == sorted(extras)
    assert extras["produsen_data"] == "Dinas Kependudukan dan Pencatatan Sipil"
    assert extras["walidata"].startswith("Walidata")
    assert "kode_desa" in extras["kode_referensi"] and "Kemendagri" in extras["kode_referensi"]
    assert extras["frekuensi_penerbitan"] == "bulanan"
    assert extras["klasifikasi_uu_pdp"] == "umum"
    assert all(isinstance(v, str) for v in extras.values())
    # Resources are the latest version's files, at their permanent URLs.
    assert pkg["num_resources"] == len(pkg["resources"]) == 3
    for res in pkg["resources"]:
        assert "/dataset/agama/version/1.1.0/download/" in res["url"]
        assert res["package_id"] == pkg["id"] and len(res["hash"]) == 64 and res["size"] > 0
        assert CKAN_TIME.match(res["created"])
    assert {r["format"] for r in pkg["resources"]} == {"CSV", "JSON", "ZIP"}
    assert [r["datastore_active"] for r in pkg["resources"] if r["format"] == "CSV"] == [True]
    assert action(client, "package_show", id=pkg["id"])[1]["result"]["name"] == "agama"


def test_resource_ids_are_stable_across_versions(client, factory, two):
    before = {r["name"]: r["id"] for r in action(client, "package_show", id="agama")[1]["result"]["resources"]}
    factory.release(two, "1.3.0", S.PUBLISHED)
    db.session.commit()
    pkg = action(client, "package_show", id="agama")[1]["result"]
    assert pkg["version"] == "1.3.0"
    assert {r["name"]: r["id"] for r in pkg["resources"]} == before
    csv_id = before["agama.csv"]
    res = action(client, "resource_show", id=csv_id)[1]["result"]
    assert res["url"].endswith("/dataset/agama/version/1.3.0/download/agama.csv")
    assert action(client, "resource_show", id="nope")[0] == 404


def test_lists_and_current_package_list(client, two):
    assert action(client, "package_list", limit=1, offset=1)[1]["result"] == ["pekerjaan"]
    full = action(client, "current_package_list_with_resources", limit=10)[1]["result"]
    assert [p["name"] for p in full] == ["pekerjaan", "agama"]  # most recently modified first
    assert full[0]["resources"]
    assert action(client, "site_read")[1]["result"] is True
    status = action(client, "status_show")[1]["result"]
    assert status["site_title"] and "datastore" in status["extensions"]
    assert "package" in action(client, "help_show", name="package_show")[1]["result"]


def test_organizations_groups_tags_licences(client, two):
    # Default order is by title, as in CKAN.
    assert action(client, "organization_list")[1]["result"] == ["bappeda", "dukcapil", "disnaker"]
    names = action(client, "organization_list", sort="name asc")[1]["result"]
    assert names == ["bappeda", "disnaker", "dukcapil"]
    dicts_ = action(client, "organization_list", all_fields="1", sort="package_count desc")[1]["result"]
    assert dicts_[0]["package_count"] == 1 and dicts_[-1]["name"] == "bappeda"
    org = action(client, "organization_show", id="dukcapil", include_datasets="true")[1]["result"]
    assert org["package_count"] == 1 and [p["name"] for p in org["packages"]] == ["agama"]
    assert action(client, "organization_show", id=org["id"])[1]["result"]["name"] == "dukcapil"
    assert action(client, "organization_show", id="nope")[0] == 404
    groups = action(client, "group_list", sort="name asc")[1]["result"]
    assert "agama" in groups and "kependudukan" in groups
    group = action(client, "group_show", id="ketenagakerjaan", include_datasets=True, method="post")[1]["result"]
    assert group["package_count"] == 1 and group["packages"][0]["name"] == "pekerjaan"
    assert group["is_organization"] is False
    assert action(client, "tag_list")[1]["result"] == ["agama", "pekerjaan", "penduduk"]
    assert action(client, "tag_list", query="pe")[1]["result"] == ["pekerjaan", "penduduk"]
    licences = action(client, "license_list")[1]["result"]
    assert "CC-BY-4.0" in {lic["id"] for lic in licences}
    assert action(client, "organization_list", sort="bogus")[0] == 409


def test_activity_list_has_each_published_version(client, two):
    status, body = action(client, "package_activity_list", id="agama")
    items = body["result"]
    assert status == 200
    assert [a["data"]["package"]["version"] for a in items] == ["1.1.0", "1.0.0"]
    assert [a["activity_type"] for a in items] == ["changed package", "new package"]
    assert all(CKAN_TIME.match(a["timestamp"]) for a in items)
    assert items[0]["user_id"] is None  # no personal data: the actor is the institution
    assert action(client, "package_activity_list", id="agama", limit=1, offset=1)[1]["result"][0][
        "activity_type"] == "new package"
    assert action(client, "package_activity_list", id="tidak-ada")[0] == 404


def test_unknown_parameters_are_ignored_except_by_package_search(client, two):
    assert action(client, "package_list", include_private="true", include_drafts="true")[0] == 200
    assert action(client, "package_show", id="agama", include_datasets="true")[0] == 200
    assert action(client, "package_search", include_private="true", include_drafts="true")[0] == 200
    status, body = action(client, "package_search", bogus="1")
    assert status == 400 and "bogus" in body["error"]["message"]
