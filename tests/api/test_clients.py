"""Real clients against a live server: ckanapi's RemoteCKAN and CKAN's harvester paging loop."""
import json
import urllib.request
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from ckanapi import NotFound, RemoteCKAN, ValidationError

from portal.api import guard
from portal.extensions import db
from tests.support.catalog import T0

MANY = 250


@pytest.fixture
def many(factory):
    """250 published datasets in three OPDs; dataset i is published 7*(i+1) minutes after T0."""
    for org, title in (("dukcapil", "Dinas Kependudukan"), ("disdik", "Dinas Pendidikan"),
                       ("dinkes", "Dinas Kesehatan")):
        factory.org(org, title)
    for i in range(MANY):
        factory.dataset(f"tabel-{i:03d}", org=("dukcapil", "disdik", "dinkes")[i % 3], commit=False)
    db.session.commit()
    return [f"tabel-{i:03d}" for i in range(MANY)]


def harvest(base: str, fq: str | None = None) -> tuple[list[str], int]:
    """ckanext-harvest's gather loop: rows=100, start += 100, sort=id asc, until an empty page."""
    ids, start, previous, requests_made = [], 0, None, 0
    while True:
        params = {"rows": 100, "start": start, "sort": "id asc"}
        if fq:
            params["fq"] = fq
        url = f"{base}/api/3/action/package_search?{urlencode(params)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            raw = response.read()
        requests_made += 1
        assert raw != previous, "paging doesn't seem to work: two identical pages"
        previous = raw
        results = json.loads(raw)["result"]["results"]
        if not results:
            return ids, requests_made
        ids += [p["id"] for p in results]
        start += 100


def test_harvester_loop_gets_every_dataset_once(live_server, many, app):
    # A tight limiter: a harvester's few large pages still pass.
    app.config.update(API_RATE_LIMIT=60, API_RATE_BURST=10)
    guard.configure(app)
    ids, requests_made = harvest(live_server)
    assert requests_made == 4  # three pages and the empty one that ends the loop
    assert len(ids) == len(set(ids)) == MANY and ids == sorted(ids)
    listed = RemoteCKAN(live_server).action.package_list()
    assert listed == many
    # Incremental run: only datasets modified since T (published after dataset 199).
    since = (T0 + timedelta(minutes=7 * 200, seconds=30)).strftime("%Y-%m-%dT%H:%M:%S")
    recent, _ = harvest(live_server, fq=f"metadata_modified:[{since}Z TO *]")
    assert len(recent) == len(set(recent)) == MANY - 200


def test_ckanapi_remote_client(live_server, many):
    ckan = RemoteCKAN(live_server, user_agent="portal-tests/1.0")
    assert ckan.action.package_list()[:2] == ["tabel-000", "tabel-001"]
    seen, start = [], 0
    while True:  # `ckanapi search datasets` pages by start += len(results)
        page = ckan.action.package_search(q="*:*", rows=64, start=start, sort="name asc")
        if not page["results"]:
            break
        seen += [p["name"] for p in page["results"]]
        start += len(page["results"])
    assert seen == many and page["count"] == MANY
    pkg = ckan.action.package_show(id="tabel-042")
    assert pkg["name"] == "tabel-042" and pkg["version"] == "1.0.0" and len(pkg["resources"]) == 3
    assert sorted(ckan.action.organization_list()) == ["dinkes", "disdik", "dukcapil"]
    csv_id = next(r["id"] for r in pkg["resources"] if r["format"] == "CSV")
    assert ckan.action.datastore_search(resource_id=csv_id, limit=2)["total"] == 4
    with pytest.raises(NotFound):
        ckan.action.package_show(id="tidak-ada")
    with pytest.raises(ValidationError) as error:
        ckan.action.package_show()
    assert error.value.error_dict["id"] == ["Missing value"]
    with pytest.raises(ValidationError):
        ckan.action.package_search(rows="banyak")
    assert ckan.call_action("package_show", {"id": "tabel-001"})["name"] == "tabel-001"
    # get_only sends GET with query parameters (and still a JSON content type).
    getter = RemoteCKAN(live_server, get_only=True)
    assert getter.action.package_search(fq="organization:disdik", rows=0)["count"] == 83
