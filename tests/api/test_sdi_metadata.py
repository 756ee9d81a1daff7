"""Satu Data Indonesia metadata through the API: CKAN extras, DCAT-AP, and package_patch."""
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDFS

from portal.auth.tokens import create_token
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Dataset
from portal.extensions import db
from tests.support.catalog import action

SHAPES_FILE = Path(__file__).parent / "data" / "dcat-ap-3.0.1-SHACL.ttl"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SDI = {"konsep": "Agama penduduk", "definisi": "Penduduk tercatat menurut agama.",
       "klasifikasi": "1. Wilayah; 2. Agama", "ukuran": "Jumlah", "satuan": "Orang",
       "tingkat_penyajian": "desa", "cakupan_wilayah": "Kabupaten Tabanan",
       "sumber_data": "OpenSID desa", "kode_referensi": "Kode wilayah Kemendagri"}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")


@pytest.fixture
def described(factory):
    """A published dataset whose SDI metadata is filled and whose OPD has a role address."""
    ds = factory.dataset("agama", [("1.0.0", ReleaseStatus.PUBLISHED)], commit=False)
    for key, value in SDI.items():
        setattr(ds, key, value)
    ds.organization.email = "disdukcapil@tabanankab.go.id"
    db.session.commit()
    return ds


def test_package_show_carries_the_satu_data_metadata_as_extras(client, described):
    pkg = action(client, "package_show", id="agama")[1]["result"]
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    for key, value in SDI.items():
        assert extras[key] == value, key
    assert extras["kontak"] == pkg["author_email"] == "disdukcapil@tabanankab.go.id"
    assert extras["tanggal_referensi"] == "2026-01-01" and "periode_data" not in extras
    assert [e["key"] for e in pkg["extras"]] == sorted(extras)


def test_a_dataset_without_its_metadata_has_no_empty_extras(client, factory):
    factory.dataset("pekerjaan")
    pkg = action(client, "package_show", id="pekerjaan")[1]["result"]
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert "konsep" not in extras and "kontak" not in extras and pkg["author_email"] is None
    assert all(extras.values())


def test_dcat_carries_the_metadata_and_still_conforms_to_dcat_ap_3(client, described, app):
    response = client.get("/dataset/agama.ttl")
    graph = Graph().parse(data=response.get_data(), format="turtle")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=Graph().parse(SHAPES_FILE))
    assert conforms, text
    node = URIRef(f"{app.config['PORTAL_URL'].rstrip('/')}/dataset/agama")
    standards = list(graph.objects(node, DCT.conformsTo))
    assert len(standards) == 1 and (standards[0], DCT.title, None) in graph
    contact = graph.value(node, DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:disdukcapil@tabanankab.go.id")
    assert str(graph.value(graph.value(node, DCT.provenance), RDFS.label)) == "OpenSID desa"
    sdi = Namespace(f"{app.config['PORTAL_URL'].rstrip('/')}/ns/satudata#")
    assert str(graph.value(node, sdi.satuan)) == "Orang"
    assert str(graph.value(node, sdi.tingkat_penyajian)) == "desa"


def test_package_patch_takes_the_fields_top_level_or_as_extras(client, users, described):
    token = create_token(users["produsen"], "sdi")[1]
    db.session.commit()
    headers = {"Authorization": token}
    response = client.post("/api/3/action/package_patch", headers=headers, json={
        "id": "agama", "satuan": "Jiwa",
        "extras": [{"key": "periode_data", "value": "2025"}, {"key": "produsen_data", "value": "x"}]})
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["result"]["satuan"] == "Jiwa" and body["result"]["periode_data"] == "2025"
    draft = db.session.get(Dataset, described.id).releases[-1]
    assert draft.status is ReleaseStatus.DRAFT and draft.meta["satuan"] == "Jiwa"
    # Nothing public changes before approval.
    extras = {e["key"]: e["value"] for e in action(client, "package_show", id="agama")[1]["result"]["extras"]}
    assert extras["satuan"] == "Orang"


@pytest.mark.parametrize("params, field", [
    ({"tingkat_penyajian": "provinsi"}, "Tingkat penyajian"),
    ({"satuan": 5}, "satuan"),
    ({"extras": "satuan=Orang"}, "extras"),
    ({"extras": [{"value": "Orang"}]}, "extras"),
    ({"extras": [{"key": "konsep", "value": ["a"]}]}, "konsep"),
])
def test_bad_metadata_in_a_patch_is_a_validation_error(client, users, described, params, field):
    token = create_token(users["produsen"], "sdi")[1]
    db.session.commit()
    response = client.post("/api/3/action/package_patch", headers={"Authorization": token},
                           json={"id": "agama", **params})
    body = response.get_json()
    assert response.status_code == 409 and body["error"]["__type"] == "Validation Error"
    assert field in str(body["error"])
    assert [r.status for r in db.session.get(Dataset, described.id).releases] == [ReleaseStatus.PUBLISHED]
