"""DCAT-AP 3 output: valid against the official SHACL shapes, versions linked, Hydra paging."""
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, OWL, RDF

from portal.api.index import snapshot
from portal.core.vocabularies import ReleaseStatus as S
from portal.extensions import db

# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")
# A copy of reference/dcat-ap-3.0.1-SHACL.ttl (SEMICeu/DCAT-AP release 3.0.1), kept in the repo.
SHAPES_FILE = Path(__file__).parent / "data" / "dcat-ap-3.0.1-SHACL.ttl"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
PARSERS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}
MEDIA = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "xml": "application/rdf+xml",
         "jsonld": "application/ld+json"}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The DCAT-AP 3.0.1 shapes, parsed once."""
    return Graph().parse(SHAPES_FILE)


def violations(graph: Graph, shapes: Graph) -> str:
    """The validation report text, empty when the graph conforms."""
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes)
    return "" if conforms else text


@pytest.fixture
def catalog(factory):
    """Two datasets, one with two published versions and a withdrawn and a draft one."""
    factory.org("disnaker", "Dinas Tenaga Kerja")
    factory.dataset("agama", [("1.0.0", S.PUBLISHED), ("1.1.0", S.PUBLISHED), ("1.2.0", S.WITHDRAWN),
                              ("1.3.0", S.DRAFT)], commit=False)
    factory.dataset("pekerjaan", org="disnaker", topic="ketenagakerjaan", tags=("pekerjaan",), commit=False)
    db.session.commit()


def fetch(client, url: str, fmt: str) -> Graph:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == MEDIA[fmt]
    return Graph().parse(data=response.get_data(), format=PARSERS[fmt])


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_catalog_and_dataset_conform_to_dcat_ap_3(client, catalog, shapes, fmt):
    assert violations(fetch(client, f"/catalog.{fmt}", fmt), shapes) == ""
    assert violations(fetch(client, f"/dataset/agama.{fmt}", fmt), shapes) == ""


def test_the_shapes_do_catch_a_broken_dataset(client, catalog, shapes):
    graph = fetch(client, "/dataset/agama.ttl", "ttl")
    for version in graph.subjects(RDF.type, DCAT.Dataset):
        graph.remove((version, DCT.title, None))
    assert "MinCountConstraintComponent" in violations(graph, shapes)


def test_dataset_links_versions_and_describes_each_file(client, catalog, app):
    base = app.config["PORTAL_URL"].rstrip("/")
    g = fetch(client, "/dataset/agama.ttl", "ttl")
    node = URIRef(f"{base}/dataset/agama")
    assert g.value(node, OWL.versionInfo) == Literal("1.1.0")
    versions = set(g.objects(node, DCAT.hasVersion))
    assert versions == {URIRef(f"{base}/dataset/agama/version/1.0.0"), URIRef(f"{base}/dataset/agama/version/1.1.0")}
    assert g.value(node, DCAT.hasCurrentVersion) == URIRef(f"{base}/dataset/agama/version/1.1.0")
    assert g.value(URIRef(f"{base}/dataset/agama/version/1.1.0"), DCAT.previousVersion) == \
        URIRef(f"{base}/dataset/agama/version/1.0.0")
    distributions = list(g.objects(node, DCAT.distribution))
    assert len(distributions) == 3
    for dist in distributions:
        url = str(g.value(dist, DCAT.downloadURL))
        assert "/dataset/agama/version/1.1.0/download/" in url
        assert g.value(dist, DCAT.mediaType) is not None
        assert int(g.value(dist, DCAT.byteSize)) > 0
        checksum = g.value(dist, SPDX.checksum)
        assert len(str(g.value(checksum, SPDX.checksumValue))) == 64
        assert str(g.value(dist, DCT.license)) == "https://creativecommons.org/licenses/by/4.0/"
    spatial = g.value(node, DCT.spatial)
    assert str(g.value(spatial, DCT.identifier)) == "51.02"
    assert g.value(node, DCT.publisher) is not None
    text = g.serialize(format="turtle")
    assert "1.2.0" not in text and "1.3.0" not in text  # withdrawn and draft versions never appear


def test_catalog_has_a_publisher_and_lists_the_datasets(client, catalog, app):
    g = fetch(client, "/catalog.jsonld", "jsonld")
    cat = next(g.subjects(RDF.type, DCAT.Catalog))
    assert str(g.value(g.value(cat, DCT.publisher), FOAF.name)) == "Pemerintah Kabupaten Tabanan"
    assert len(list(g.objects(cat, DCAT.dataset))) == 2
    assert fetch(client, "/catalog.xml", "xml")


def test_hydra_paging_and_modified_since(client, factory, app):
    app.config["DCAT_PAGE_SIZE"] = 2
    for i in range(5):
        factory.dataset(f"tabel-{i}", commit=False)
    db.session.commit()
    seen, url, pages = [], "/catalog.ttl", 0
    while url:
        g = fetch(client, url, "ttl")
        cat = next(g.subjects(RDF.type, DCAT.Catalog))
        seen += [str(d) for d in g.objects(cat, DCAT.dataset)]
        paging = next(g.subjects(RDF.type, HYDRA.PagedCollection))
        assert int(g.value(paging, HYDRA.totalItems)) == 5
        assert g.value(paging, HYDRA.firstPage) is not None
        nxt = g.value(paging, HYDRA.next)
        url = str(nxt).replace(app.config["PORTAL_URL"].rstrip("/"), "") if nxt else None
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == 5
    assert client.get("/catalog.ttl?page=4").status_code == 404
    assert client.get("/catalog.ttl?page=0").status_code == 400
    assert client.get("/catalog.ttl?modified_since=kemarin").status_code == 400
    g = fetch(client, "/catalog.ttl?modified_since=2099-01-01T00:00:00Z", "ttl")
    assert list(g.objects(None, DCAT.dataset)) == []
    g = fetch(client, "/catalog.ttl?modified_since=2020-01-01", "ttl")
    paging = next(g.subjects(RDF.type, HYDRA.PagedCollection))
    assert int(g.value(paging, HYDRA.totalItems)) == 5


def test_unknown_dataset_is_404(client, catalog):
    assert client.get("/dataset/tidak-ada.ttl").status_code == 404
    assert client.get("/dataset/agama.csv").status_code == 404


def test_cached_rdf_follows_a_new_publication(client, factory):
    ds = factory.dataset("agama")
    first = client.get("/dataset/agama.ttl").get_data()
    assert client.get("/dataset/agama.ttl").get_data() == first
    factory.release(ds, "1.1.0", S.PUBLISHED)
    db.session.commit()
    assert b"1.1.0" in client.get("/dataset/agama.ttl").get_data()
    assert b"1.1.0" in client.get("/catalog.ttl").get_data()


def test_dcat_memo_keys_on_the_parameters_that_matter(client, factory):
    """Issue 12 (Also): junk query parameters no longer add entries to the DCAT memo."""
    factory.dataset("penduduk")
    first = client.get("/catalog.ttl?page=1")
    assert first.status_code == 200
    memo = snapshot().memo["dcat"]
    size = len(memo)
    for junk in range(20):
        again = client.get(f"/catalog.ttl?page=1&junk={junk}&utm_source=x")
        assert again.status_code == 200 and again.get_data() == first.get_data()
    assert len(memo) == size
    client.get("/catalog.ttl?page=1&modified_since=2020-01-01")
    assert len(memo) == size + 1  # a parameter that matters is its own entry
