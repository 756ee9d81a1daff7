"""DCAT-AP 3 graphs of the catalog and its datasets, built with rdflib.

Every node a DCAT-AP 3 shape constrains by class (licence, media type, location, agent,
concept...) is typed explicitly, because a SHACL validator checks ``rdf:type`` in the
data graph and does not infer it. Versions are datasets of their own, linked to the
dataset by ``dcat:hasVersion``; the dataset's own distributions are the latest files.
"""
from __future__ import annotations

from datetime import UTC, datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, OWL, RDF, RDFS, SKOS, XSD

from portal.api import dicts
from portal.api.index import Entry, VersionInfo
from portal.core.site import base_url, district_code, district_name
from portal.datasets.geo import geojson_bbox

# rdflib ships DCAT 2 as a closed namespace; DCAT 3 adds version terms such as hasVersion.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
# Portal topics on the EU data-theme vocabulary, for harvesters such as data.europa.eu.
EU_THEMES = {"kependudukan": ("SOCI", "Population and society"), "pendidikan": ("EDUC", "Education, culture and sport"),
             "kesehatan": ("HEAL", "Health"), "ketenagakerjaan": ("ECON", "Economy and finance"),
             "jaminan-sosial": ("SOCI", "Population and society"), "agama": ("SOCI", "Population and society")}
FORMATS = {
    "rdf": ("xml", "application/rdf+xml"), "xml": ("xml", "application/rdf+xml"),
    "ttl": ("turtle", "text/turtle"), "jsonld": ("json-ld", "application/ld+json"),
}
# The Satu Data Indonesia regulation every dataset's metadata conforms to (dct:conformsTo).
SDI_STANDARD = ("https://peraturan.bpk.go.id/Details/108813/perpres-no-39-tahun-2019",
                "Peraturan Presiden Nomor 39 Tahun 2019 tentang Satu Data Indonesia")
# SDI fields DCAT has no term for, as properties of the portal's own vocabulary
# (<portal>/ns/satudata#konsep ...); shapes are open, so DCAT-AP still validates.
SDI_TERMS = ("konsep", "definisi", "klasifikasi", "ukuran", "satuan", "tingkat_penyajian",
             "cakupan_wilayah", "periode_data", "kode_referensi")
JSONLD_CONTEXT = {"dcat": str(DCAT), "dct": str(DCT), "foaf": str(FOAF), "owl": str(OWL),
                  "adms": str(ADMS), "spdx": str(SPDX), "vcard": str(VCARD), "hydra": str(HYDRA),
                  "skos": str(SKOS), "xsd": str(XSD)}


def new_graph() -> Graph:
    """An empty graph with the prefixes every serialisation uses."""
    g = Graph()
    for prefix, ns in JSONLD_CONTEXT.items():
        g.bind(prefix, Namespace(ns))
    return g


def _time(value: datetime) -> Literal:
    return Literal(value.replace(tzinfo=UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _typed(g: Graph, uri: str, *classes: URIRef, label: str | None = None) -> URIRef:
    node = URIRef(uri)
    for cls in classes:
        g.add((node, RDF.type, cls))
    if label:
        g.add((node, SKOS.prefLabel, Literal(label)))
    return node


def catalog_uri() -> URIRef:
    """The catalog's URI: the portal's address, as ckanext-dcat uses site_url."""
    return URIRef(f"{base_url()}/")


def dataset_uri(entry: Entry, version: VersionInfo | None = None) -> URIRef:
    """A dataset's URI, or one version's (its permanent page)."""
    base = f"{base_url()}/dataset/{entry.name}"
    return URIRef(f"{base}/version/{version.version}" if version else base)


def _agent(g: Graph, uri: str, name: str) -> URIRef:
    node = _typed(g, uri, FOAF.Agent, FOAF.Organization)
    g.add((node, FOAF.name, Literal(name)))
    return node


def publisher(g: Graph) -> URIRef:
    """The district government, publisher of the catalog."""
    code = district_code()
    return _agent(g, f"{base_url()}/organization/pemerintah-{code}",
                  f"Pemerintah {district_name()}")


def spatial(g: Graph) -> URIRef:
    """The kabupaten the catalog covers, with its Kemendagri code."""
    code = district_code()
    node = _typed(g, f"{base_url()}/wilayah/{code}", DCT.Location, label=district_name())
    g.add((node, DCT.identifier, Literal(code)))
    return node


def _geographic_extent(g: Graph, entry: Entry, version: VersionInfo) -> BNode | None:
    """A geographic dataset's extent (its GeoJSON's bounding box and centre, WKT in lng lat)."""
    geojson = next((f for f in version.files if f.format == "geojson"), None)
    box = geojson_bbox(geojson.sha256, geojson.name) if geojson else None
    if box is None:
        return None
    west, south, east, north = box
    node = BNode()
    g.add((node, RDF.type, DCT.Location))
    g.add((node, DCAT.bbox, Literal(f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},"
                                    f"{west} {south}))", datatype=GSP.wktLiteral)))
    g.add((node, DCAT.centroid, Literal(f"POINT({(west + east) / 2:.6f} {(south + north) / 2:.6f})",
                                        datatype=GSP.wktLiteral)))
    return node


def theme_scheme(g: Graph) -> URIRef:
    """The portal's topics as a concept scheme (the catalog's theme taxonomy)."""
    scheme = _typed(g, f"{base_url()}/group", SKOS.ConceptScheme)
    g.add((scheme, DCT.title, Literal("Topik Portal Satu Data", lang="id")))
    return scheme


def _theme(g: Graph, topic: str) -> list[URIRef]:
    core = dicts.group_core(topic)
    scheme = theme_scheme(g)
    own = _typed(g, f"{base_url()}/group/{topic}", SKOS.Concept, label=core["title"])
    g.add((own, SKOS.inScheme, scheme))
    themes = [own]
    if topic in EU_THEMES:
        code, label = EU_THEMES[topic]
        themes.append(_typed(g, f"{EU}data-theme/{code}", SKOS.Concept, label=label))
    return themes


def _distribution(g: Graph, entry: Entry, version: VersionInfo, position: int, uri: str) -> URIRef:
    f = version.files[position]
    node = _typed(g, uri, DCAT.Distribution)
    lic = dicts.licence(entry.licence_id)
    g.add((node, DCT.title, Literal(f.name)))
    g.add((node, DCT.description, Literal(dicts.FILE_DESCRIPTIONS.get(f.format, f.name), lang="id")))
    g.add((node, DCAT.accessURL, URIRef(f"{dataset_uri(entry, version)}")))
    g.add((node, DCAT.downloadURL, URIRef(dicts.file_url(entry, version, f.name))))
    g.add((node, DCAT.mediaType, _typed(g, f"{IANA}{f.media_type}", DCT.MediaType)))
    g.add((node, DCT["format"], _typed(g, f"{EU}file-type/{f.format.upper()}", DCT.MediaTypeOrExtent)))
    g.add((node, DCAT.byteSize, Literal(f.bytes, datatype=XSD.nonNegativeInteger)))
    checksum = BNode()
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, _typed(g, str(SPDX.checksumAlgorithm_sha256), SPDX.ChecksumAlgorithm)))
    g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
    g.add((node, SPDX.checksum, checksum))
    if lic.url:
        licence = _typed(g, lic.url, DCT.LicenseDocument)
        g.add((licence, DCT.title, Literal(lic.title)))
        g.add((node, DCT.license, licence))
    g.add((node, DCT.issued, _time(version.published_at)))
    g.add((node, DCT.modified, _time(version.published_at)))
    return node


def _describe(g: Graph, node: URIRef, entry: Entry, version: VersionInfo, title: str,
              landing: URIRef) -> None:
    """Properties shared by a dataset and each of its versions."""
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCT.title, Literal(title, lang="id")))
    g.add((node, DCT.description, Literal(entry.description or entry.title, lang="id")))
    g.add((node, DCAT.version, Literal(version.version)))
    g.add((node, OWL.versionInfo, Literal(version.version)))
    if version.change_note:
        g.add((node, ADMS.versionNotes, Literal(version.change_note, lang="id")))
    for tag in entry.tags:
        g.add((node, DCAT.keyword, Literal(tag, lang="id")))
    for theme in _theme(g, entry.topic):
        g.add((node, DCAT.theme, theme))
    org = _agent(g, f"{base_url()}/organization/{entry.org.name}", entry.org.title)
    g.add((node, DCT.publisher, org))
    contact = _typed(g, f"{base_url()}/organization/{entry.org.name}#kontak",
                     VCARD.Kind, VCARD.Organization)
    g.add((contact, VCARD.fn, Literal(entry.org.title)))
    g.add((contact, VCARD.hasURL, URIRef(f"{base_url()}/dataset?organization={entry.org.name}")))
    if entry.org.email:  # the OPD's role address, never a person's
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{entry.org.email}")))
    g.add((node, DCAT.contactPoint, contact))
    _satu_data(g, node, entry)
    frequency = dicts.EU_FREQUENCY.get(entry.frequency, "UNKNOWN")
    g.add((node, DCT.accrualPeriodicity, _typed(g, f"{EU}frequency/{frequency}", DCT.Frequency)))
    g.add((node, DCT.spatial, spatial(g)))
    extent = _geographic_extent(g, entry, version)
    if extent is not None:
        g.add((node, DCT.spatial, extent))
    g.add((node, DCT.language, _typed(g, f"{EU}language/IND", DCT.LinguisticSystem)))
    g.add((node, DCT.accessRights, _typed(g, f"{EU}access-right/PUBLIC", DCT.RightsStatement)))
    g.add((node, DCAT.landingPage, _typed(g, str(landing), FOAF.Document)))
    period = BNode()
    g.add((period, RDF.type, DCT.PeriodOfTime))
    g.add((period, DCAT.endDate, Literal(version.reference_date, datatype=XSD.date)))
    g.add((node, DCT.temporal, period))


def _satu_data(g: Graph, node: URIRef, entry: Entry) -> None:
    """Satu Data Indonesia metadata: conformsTo the regulation, the data source as provenance,
    the Standar Data and the rest as properties of the portal's SDI vocabulary."""
    standard = _typed(g, SDI_STANDARD[0], DCT.Standard)
    g.add((standard, DCT.title, Literal(SDI_STANDARD[1], lang="id")))
    g.add((node, DCT.conformsTo, standard))
    source = entry.sdi.get("sumber_data")
    if source:
        statement = _typed(g, f"{dataset_uri(entry)}#sumber-data", DCT.ProvenanceStatement)
        g.add((statement, RDFS.label, Literal(source, lang="id")))
        g.add((node, DCT.provenance, statement))
    vocabulary = Namespace(f"{base_url()}/ns/satudata#")
    for key in SDI_TERMS:
        if entry.sdi.get(key):
            g.add((node, vocabulary[key], Literal(entry.sdi[key], lang="id")))


def add_dataset(g: Graph, entry: Entry) -> URIRef:
    """The dataset (latest files) and every published version, linked both ways."""
    node = dataset_uri(entry)
    latest = entry.latest
    _describe(g, node, entry, latest, entry.title, node)
    g.add((node, DCT.identifier, Literal(entry.id)))
    g.add((node, DCT.issued, _time(entry.created)))
    g.add((node, DCT.modified, _time(entry.modified)))
    for i, f in enumerate(latest.files):
        rid = dicts.stable_id("resource", entry.id, f.name)
        g.add((node, DCAT.distribution, _distribution(g, entry, latest, i, f"{node}/resource/{rid}")))
    previous = None
    for version in reversed(entry.versions):
        vnode = dataset_uri(entry, version)
        _describe(g, vnode, entry, version, f"{entry.title} (versi {version.version})", vnode)
        g.add((vnode, DCT.identifier, Literal(f"{entry.id}/{version.version}")))
        g.add((vnode, DCT.issued, _time(version.published_at)))
        g.add((vnode, DCT.isVersionOf, node))
        for i, f in enumerate(version.files):
            g.add((vnode, DCAT.distribution, _distribution(g, entry, version, i, f"{vnode}/download/{f.name}")))
        if previous is not None:
            g.add((vnode, DCAT.previousVersion, previous))
        g.add((node, DCAT.hasVersion, vnode))
        previous = vnode
    g.add((node, DCAT.hasCurrentVersion, dataset_uri(entry, latest)))
    return node


def add_catalog(g: Graph, title: str, modified: datetime | None) -> URIRef:
    """The catalog node: title, description, publisher, homepage, language, spatial."""
    node = catalog_uri()
    g.add((node, RDF.type, DCAT.Catalog))
    g.add((node, DCT.title, Literal(title, lang="id")))
    g.add((node, DCT.description, Literal(
        f"Katalog data terbuka {district_name()}: statistik per desa, versi terbit yang "
        "telah disetujui walidata dan dilindungi sesuai UU No. 27 Tahun 2022.", lang="id")))
    g.add((node, DCT.publisher, publisher(g)))
    g.add((node, FOAF.homepage, _typed(g, str(node), FOAF.Document)))
    g.add((node, DCT.language, _typed(g, f"{EU}language/IND", DCT.LinguisticSystem)))
    g.add((node, DCT.spatial, spatial(g)))
    g.add((node, DCAT.themeTaxonomy, theme_scheme(g)))
    if modified:
        g.add((node, DCT.modified, _time(modified)))
    # No dcat:DataService for the API: the official 3.0.1 shapes reference two property
    # shapes they never define, so any DataService node makes a SHACL validator fail.
    return node


def add_paging(g: Graph, page_url, page: int, pages: int, total: int, per_page: int) -> None:
    """Hydra paging as ckanext-dcat writes it: both the old and the new property names."""
    node = URIRef(page_url(page))
    g.add((node, RDF.type, HYDRA.PagedCollection))
    g.add((node, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    g.add((node, HYDRA.itemsPerPage, Literal(per_page, datatype=XSD.integer)))
    links = {"first": 1, "last": pages, "next": page + 1 if page < pages else None,
             "previous": page - 1 if page > 1 else None}
    for name, target in links.items():
        if target is None:
            continue
        g.add((node, HYDRA[name], URIRef(page_url(target))))
        g.add((node, HYDRA[f"{name}Page"], Literal(page_url(target))))


def serialize(g: Graph, fmt: str) -> tuple[bytes, str]:
    """The graph in one of the formats (rdf/xml, ttl, jsonld) and its media type."""
    rdflib_format, media_type = FORMATS[fmt]
    if rdflib_format == "json-ld":
        data = g.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    else:
        data = g.serialize(format=rdflib_format)
    return data.encode("utf-8"), media_type
