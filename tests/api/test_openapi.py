"""The OpenAPI document and the API page for people."""
from portal.api.registry import all_actions
from portal.api.writes import is_write


def test_openapi_lists_every_action_and_endpoint(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    for name in all_actions():
        path = doc["paths"][f"/api/3/action/{name}"]
        assert path["post"]["summary"] and "requestBody" in path["post"]
        assert ("get" in path) is not is_write(name)  # a GET of a write action answers 400
    for path in ("/datastore/dump/{resource_id}", "/catalog.ttl", "/dataset/{name}.jsonld"):
        assert path in doc["paths"]
    search = {p["name"] for p in doc["paths"]["/api/3/action/package_search"]["get"]["parameters"]}
    assert {"q", "fq", "rows", "start", "sort", "facet.field"} <= search
    ids = [op["operationId"] for path in doc["paths"].values() for op in path.values() if "operationId" in op]
    assert len(ids) == len(set(ids))


def test_openapi_says_how_to_write(client):
    """A client generator learns that writing takes an API token, and an upload a file part."""
    doc = client.get("/api/openapi.json").get_json()
    assert "read-only" not in doc["info"]["description"]
    scheme = doc["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    create = doc["paths"]["/api/3/action/package_create"]["post"]
    assert create["security"] == [{"apiToken": []}]
    assert {"name", "owner_org"} <= set(create["requestBody"]["content"]["application/json"]["schema"]["properties"])
    for name in ("resource_create", "resource_update", "resource_patch"):
        body = doc["paths"][f"/api/3/action/{name}"]["post"]["requestBody"]["content"]["multipart/form-data"]
        assert body["schema"]["properties"]["upload"]["format"] == "binary"
    show = doc["paths"]["/api/3/action/package_show"]
    assert "security" not in show["get"] and "security" not in show["post"]


def test_api_page_for_people(client, factory):
    factory.dataset("agama")
    page = client.get("/api/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "API data terbuka" in text
    assert "package_show?id=agama" in text and "datastore_search?resource_id=" in text
    assert "/api/openapi.json" in text
    for name in all_actions():
        assert f"<code>{name}</code>" in text
    assert "apikey=" in text and "resource_create(package_id=" in text  # how an OPD writes
    assert "<td><code>package_create</code></td><td>token API</td>" in text
    assert "<td><code>package_show</code></td><td>publik</td>" in text
    browser = client.get("/api", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert "API data terbuka" in browser.get_data(as_text=True)
    assert client.get("/api", headers={"Accept": "application/json"}).get_json() == {"version": 1}


def test_api_page_without_datasets(client):
    assert "Belum ada dataset" in client.get("/api/docs").get_data(as_text=True)
