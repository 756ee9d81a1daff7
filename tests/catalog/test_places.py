"""Village profiles, kecamatan pages, the dashboard, feeds and the sitemap."""
import xml.etree.ElementTree as ET

import pytest

from portal.datasets.geo import GEO_DATASETS
from tests.support.world import publish_all

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def all_published(app, harvested, users, tmp_path_factory):
    """Every table of the harvest published."""
    return publish_all(app, harvested, users, tmp_path_factory)


def test_desa_profile_shows_every_published_table_for_that_desa(client, all_published):
    page = client.get("/desa/51.02.01.2001").get_data(as_text=True)
    assert "Desa Bajera" in page and "Kecamatan Selemadeg" in page
    # Every statistic table; the desa boundaries are drawn on the maps, not a table section.
    geographic = {spec.name for spec in GEO_DATASETS}
    assert page.count("<section") == len([r for r in all_published if r.dataset.name not in geographic])
    assert "/dataset/penduduk-menurut-agama/version/1.0.0" in page
    assert "<svg" in page and "<table" in page  # a chart and its table alternative
    assert "51.02.01.2002" not in page.split("<h1>")[1]  # no other desa's rows


def test_unknown_desa_is_404(client, all_published):
    assert client.get("/desa/51.02.99.9999").status_code == 404


def test_kecamatan_lists_its_desa_with_population(client, all_published):
    page = client.get("/kecamatan/51.02.01").get_data(as_text=True)
    assert "Kecamatan Selemadeg" in page
    for name in ("Bajera", "Wanagiri", "Bajera Utara"):
        assert name in page
    assert "/desa/51.02.01.2010" in page


def test_dashboard_links_each_chart_to_the_version_it_used(client, all_published):
    page = client.get("/dasbor").get_data(as_text=True)
    assert "Piramida penduduk" in page and "Penduduk dan keluarga per kecamatan" in page
    assert "/dataset/penduduk-menurut-kelompok-umur/version/1.0.0" in page
    assert "/dataset/penduduk-dan-keluarga/version/1.0.0" in page
    assert "Indikator utama" in page


def test_pages_show_nothing_of_drafts(client, harvested):
    assert "/dataset/" not in client.get("/desa/51.02.01.2001").get_data(as_text=True).split("<main")[1]
    assert "Piramida penduduk" not in client.get("/dasbor").get_data(as_text=True)


def test_atom_feed_lists_published_versions(client, all_published):
    response = client.get("/feeds/releases.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(all_published)
    health = ET.fromstring(client.get("/feeds/topic/kesehatan.atom").get_data())
    titles = [e.find(f"{ATOM}title").text for e in health.findall(f"{ATOM}entry")]
    assert titles and all("versi 1.0.0" in t for t in titles)
    assert len(titles) < len(entries)
    assert client.get("/feeds/topic/tidak-ada.atom").status_code == 404


def test_feed_has_no_drafts(client, harvested):
    feed = ET.fromstring(client.get("/feeds/releases.atom").get_data())
    assert feed.findall(f"{ATOM}entry") == []


def test_sitemap_lists_datasets_versions_and_places(client, all_published):
    root = ET.fromstring(client.get("/sitemap.xml").get_data())
    urls = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(u.endswith("/dataset/penduduk-dan-keluarga") for u in urls)
    assert any(u.endswith("/desa/51.02.10.2014") for u in urls)
    assert len(urls) >= 3 + 2 * len(all_published) + 10 + 133
