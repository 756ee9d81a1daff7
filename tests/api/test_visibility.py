"""Drafts, submitted, rejected, superseded and withdrawn releases never reach any API or DCAT output."""
import json
from pathlib import Path

import pytest

from portal.api.dicts import stable_id
from portal.audit.models import AuditEvent
from portal.core.time import utcnow
from portal.core.vocabularies import ReleaseStatus as S
from portal.extensions import db
from tests.support.catalog import action

HIDDEN = {"tabel-draf": S.DRAFT, "tabel-diajukan": S.SUBMITTED, "tabel-ditolak": S.REJECTED,
          "tabel-digantikan": S.SUPERSEDED, "tabel-ditarik": S.WITHDRAWN}
SECRET_TAG = "tag-rahasia"


@pytest.fixture
def mixed(factory):
    """Hidden-only datasets, and 'campuran' whose only visible version is 1.0.0."""
    hidden = {name: factory.dataset(name, [("1.0.0", status)], tags=(SECRET_TAG,), commit=False,
                                    org="opd-rahasia", topic="kesehatan")
              for name, status in HIDDEN.items()}
    campuran = factory.dataset("campuran", [("1.0.0", S.PUBLISHED), ("1.1.0", S.WITHDRAWN),
                                            ("1.2.0", S.SUBMITTED), ("1.3.0", S.DRAFT),
                                            ("1.4.0", S.REJECTED)], commit=False)
    withdrawn = [r for r in campuran.releases if r.version == "1.1.0"][0]
    db.session.add(AuditEvent(action="withdraw", release=withdrawn, at=utcnow()))
    db.session.commit()
    return hidden, campuran


def everything(client, app) -> str:
    """Every API and DCAT answer about the whole catalog, concatenated."""
    bodies = []
    for name, params in [
        ("package_list", {}), ("current_package_list_with_resources", {}),
        ("package_search", {"rows": 1000, "facet.field": '["tags","organization","groups"]'}),
        ("package_search", {"q": "tabel-draf"}), ("package_search", {"fq": f"tags:{SECRET_TAG}"}),
        ("organization_list", {"all_fields": "true"}), ("group_list", {"all_fields": "true"}),
        ("tag_list", {}), ("tag_list", {"all_fields": "true"}),
        *(("organization_show", {"id": org, "include_datasets": "true"})
          for org in action(client, "organization_list")[1]["result"]),
        *(("group_show", {"id": group, "include_datasets": "true"})
          for group in action(client, "group_list")[1]["result"]),
        *(("package_show", {"id": n}) for n in action(client, "package_list")[1]["result"]),
        *(("package_activity_list", {"id": n}) for n in action(client, "package_list")[1]["result"]),
    ]:
        status, body = action(client, name, **params)
        assert status == 200, (name, body)
        bodies.append(json.dumps(body))
    names = action(client, "package_list")[1]["result"]
    for url in ("/catalog.ttl", "/catalog.jsonld", "/catalog.rdf", "/api/docs", "/api/openapi.json",
                *(f"/dataset/{n}.ttl" for n in names), *(f"/dataset/{n}.jsonld" for n in names)):
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.get_data(as_text=True))
    return "\n".join(bodies)


def test_hidden_releases_never_appear(client, app, mixed):
    hidden, campuran = mixed
    text = everything(client, app)
    for name in HIDDEN:
        assert name not in text, name
    assert SECRET_TAG not in text
    for version in ("1.2.0", "1.3.0", "1.4.0"):
        assert version not in text, version
    assert "/version/1.1.0" not in text  # the withdrawn version's files and pages are gone
    pkg = action(client, "package_show", id="campuran")[1]["result"]
    assert pkg["version"] == "1.0.0"
    for name, ds in hidden.items():
        assert action(client, "package_show", id=name)[0] == 404
        assert action(client, "package_show", id=ds.id)[0] == 404
        assert action(client, "package_activity_list", id=name)[0] == 404
        assert client.get(f"/dataset/{name}.ttl").status_code == 404
        for f in ds.releases[0].files:
            rid = stable_id("resource", ds.id, f.name)
            assert action(client, "resource_show", id=rid)[0] == 404
            assert action(client, "datastore_search", resource_id=rid)[0] == 404
            assert client.get(f"/datastore/dump/{rid}").status_code == 404


def test_withdrawal_is_an_activity_and_the_table_is_the_visible_version(client, mixed):
    _, campuran = mixed
    items = action(client, "package_activity_list", id="campuran")[1]["result"]
    assert [a["activity_type"] for a in items] == ["changed package", "new package"]
    assert items[0]["data"]["withdrawn_version"] == "1.1.0"
    assert items[0]["data"]["package"]["version"] == "1.0.0"
    assert items[0]["timestamp"] > items[1]["timestamp"]
    pkg = action(client, "package_show", id="campuran")[1]["result"]
    assert pkg["metadata_modified"] == items[0]["timestamp"]  # harvesters see the withdrawal
    rid = stable_id("resource", campuran.id, "campuran.csv")
    records = action(client, "datastore_search", resource_id=rid)[1]["result"]["records"]
    assert records[0]["jumlah"] == 120  # 1.0.0's value; 1.1.0 had 121


def test_the_real_pipeline_draft_is_invisible_until_approved(client, app, harvested, users, shapes_graph):
    from portal.api.dcat import new_graph  # noqa: F401  (the API is importable with the pipeline)
    from portal.datasets import services

    release = harvested.drafts[0]
    name = release.dataset.name
    assert name not in everything(client, app)
    services.submit(release, users["produsen"], "Rilis pertama.")
    db.session.commit()
    assert action(client, "package_show", id=name)[0] == 404
    services.approve(release, users["walidata"], "Setuju.")
    pkg = action(client, "package_show", id=name)[1]["result"]
    assert pkg["version"] == release.version
    csv_res = next(r for r in pkg["resources"] if r["format"] == "CSV")
    found = action(client, "datastore_search", resource_id=csv_res["id"], limit=1)[1]["result"]
    assert found["total"] > 0 and "kode_desa" in [f["id"] for f in found["fields"]]
    import pyshacl
    from rdflib import Graph
    graph = Graph().parse(data=client.get(f"/dataset/{name}.ttl").get_data(), format="turtle")
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes_graph)
    assert conforms, report


@pytest.fixture(scope="module")
def shapes_graph():
    """The DCAT-AP 3.0.1 shapes."""
    from rdflib import Graph

    return Graph().parse(Path(__file__).parent / "data" / "dcat-ap-3.0.1-SHACL.ttl")
