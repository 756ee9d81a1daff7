"""Home, topic and organisation pages, and the sitemap entries that lead to them."""
from portal.core.vocabularies import ReleaseStatus
from tests.support.search_catalog import result_names


def _fill(catalog):
    catalog.add("agama", "Penduduk menurut Agama", topic="agama", org="bappeda")
    catalog.add("sekolah", "Sekolah per Desa", topic="pendidikan", org="disdik")
    catalog.add("guru", "Guru per Desa", topic="pendidikan", org="disdik")
    catalog.add("draf", "Rencana Rahasia", topic="pendidikan", org="disdik",
                statuses=(ReleaseStatus.DRAFT,))


def test_topic_pages_list_their_published_datasets(client, catalog):
    _fill(catalog)
    index = client.get("/topik").get_data(as_text=True)
    assert 'href="/topik/pendidikan">Pendidikan</a>' in index and "2 dataset" in index
    page = client.get("/topik/pendidikan").get_data(as_text=True)
    assert result_names(page) == ["guru", "sekolah"]  # by name
    assert "Rencana Rahasia" not in page
    assert result_names(client.get("/topik/pendidikan?sort=updated").get_data(as_text=True)) == [
        "guru", "sekolah"]
    assert 'href="/dataset?topic=pendidikan"' in page and 'href="/feeds/topic/pendidikan.atom"' in page
    assert result_names(client.get("/topik/kesehatan").get_data(as_text=True)) == []
    assert client.get("/topik/tidak-ada").status_code == 404


def test_organisation_pages_list_their_published_datasets(client, catalog):
    _fill(catalog)
    index = client.get("/organisasi").get_data(as_text=True)
    assert 'href="/organisasi/disdik">Dinas Pendidikan</a>' in index
    assert 'href="/organisasi/dinkes">Dinas Kesehatan</a>' in index  # publishes nothing yet
    page = client.get("/organisasi/disdik").get_data(as_text=True)
    assert "<h1>Dinas Pendidikan</h1>" in page and "2 dataset diterbitkan" in page
    assert result_names(page) == ["guru", "sekolah"] and "Rencana Rahasia" not in page
    assert client.get("/organisasi/tidak-ada").status_code == 404


def test_listings_page_through_many_datasets(client, catalog):
    for i in range(23):
        catalog.add(f"data-{i:02d}", f"Data {i:02d}", topic="kesehatan", org="dinkes")
    first = result_names(client.get("/topik/kesehatan").get_data(as_text=True))
    page_two = client.get("/topik/kesehatan?page=2").get_data(as_text=True)
    assert first + result_names(page_two) == [f"data-{i:02d}" for i in range(23)]
    assert 'href="/topik/kesehatan" rel="prev"' in page_two
    assert len(result_names(client.get("/organisasi/dinkes?page=2").get_data(as_text=True))) == 3


def test_search_results_link_to_topic_and_organisation_pages(client, catalog):
    _fill(catalog)
    page = client.get("/dataset?q=agama").get_data(as_text=True)
    assert 'href="/organisasi/bappeda"' in page and 'href="/topik/agama"' in page


def test_home_has_search_topics_latest_releases_and_ways_in(client, catalog):
    _fill(catalog)
    page = client.get("/").get_data(as_text=True)
    assert 'action="/dataset"' in page and 'name="q"' in page
    assert 'href="/topik/pendidikan">Pendidikan</a> <span class="count">2 dataset</span>' in page
    assert 'href="/topik/agama">Agama</a> <span class="count">1 dataset</span>' in page
    assert 'href="/dasbor"' in page and 'href="/api"' in page
    latest = page[page.index("Rilis terbaru"):]
    assert latest.index("Guru per Desa") < latest.index("Sekolah per Desa") < latest.index("Penduduk menurut Agama")
    assert "Rencana Rahasia" not in page


def test_sitemap_lists_topic_and_organisation_pages(client, catalog):
    _fill(catalog)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    for path in ("/topik", "/topik/pendidikan", "/organisasi", "/organisasi/disdik", "/organisasi/bappeda"):
        assert f"<loc>http://localhost{path}</loc>" in sitemap
    # An organisation with nothing published has no page worth indexing yet.
    assert "/organisasi/dinkes" not in sitemap and "/dataset/draf" not in sitemap


def test_the_release_feed_is_served_once(client, app):
    rules = [r for r in app.url_map.iter_rules() if r.rule == "/feeds/releases.atom"]
    assert [r.endpoint for r in rules] == ["feeds.releases"]
