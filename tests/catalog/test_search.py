"""Search at /dataset: relevance, stemming, facets, sorting, paging, and published data only."""
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import insert
from werkzeug.datastructures import MultiDict

from portal.catalog.search import SearchParams, search
from portal.core.vocabularies import PrivacyClass, ReleaseStatus
from portal.datasets import services
from portal.extensions import db
from portal.search.index import SearchEntry, reindex
from tests.support.search_catalog import result_names

S = ReleaseStatus


def facets(**args) -> dict[str, dict[str, int]]:
    """{field: {value: count}} of a search given as URL arguments."""
    with current_app.test_request_context():
        result = search(SearchParams.from_args(MultiDict(args)))
    return {g.facet.field: {v.value: v.count for v in g.values} for g in result.facets}


def test_a_title_match_ranks_above_a_description_match(client, catalog):
    catalog.add("sekolah", "Jumlah Sekolah per Desa", "Sekolah menurut agama yang mengelolanya.")
    catalog.add("agama", "Penduduk menurut Agama", "Jumlah warga per desa.")
    catalog.add("umur", "Penduduk menurut Umur", "Kelompok umur lima tahunan.")
    page = client.get("/dataset?q=agama").get_data(as_text=True)
    assert result_names(page) == ["agama", "sekolah"]
    assert "<mark>agama</mark>" in page  # the matched word is highlighted in the snippet


def test_column_labels_and_tags_are_searched(client, catalog):
    catalog.add("satu", "Tabel Satu", tags=("kesejahteraan",))
    catalog.add("dua", "Tabel Dua")
    # The factory's schema has a field titled "Nama Kecamatan".
    assert set(result_names(client.get("/dataset?q=kecamatan").get_data(as_text=True))) == {"satu", "dua"}
    assert result_names(client.get("/dataset?q=kesejahteraan").get_data(as_text=True)) == ["satu"]


def test_kependudukan_finds_penduduk(client, catalog):
    catalog.add("warga", "Penduduk per Desa", "Jumlah warga setiap desa.", topic="agama")
    catalog.add("sekolah", "Sekolah per Desa", topic="pendidikan", org="disdik")
    assert result_names(client.get("/dataset?q=kependudukan").get_data(as_text=True)) == ["warga"]
    assert result_names(client.get("/dataset?q=PENDUDUK").get_data(as_text=True)) == ["warga"]
    assert result_names(client.get("/dataset?q=penduduk+sekolah").get_data(as_text=True)) == []


def test_english_titles_are_searched_too(client, catalog):
    ds = catalog.add("agama", "Penduduk menurut Agama")
    ds.title_en = "Residents by Religion"
    reindex(ds)
    db.session.commit()
    # (English first: the test's app context keeps the first request's language.)
    assert "Residents by Religion" in client.get("/dataset?q=religion&lang=en").get_data(as_text=True)
    assert result_names(client.get("/dataset?q=religion").get_data(as_text=True)) == ["agama"]


@pytest.fixture
def faceted(catalog):
    """Five datasets that differ in every facet."""
    catalog.add("a", "Data A", topic="kependudukan", org="bappeda", tags=("desa", "penduduk"))
    catalog.add("b", "Data B", topic="kependudukan", org="disdik", tags=("desa",), licence="CC0-1.0")
    catalog.add("c", "Data C", topic="pendidikan", org="disdik", tags=("sekolah",),
                privacy=PrivacyClass.SPECIFIC)
    catalog.add("d", "Data D", topic="kesehatan", org="dinkes", tags=("desa", "sehat"),
                drop_formats=("zip",))
    catalog.add("e", "Data E", topic="kesehatan", org="dinkes", tags=(), licence="ODC-BY-1.0",
                privacy=PrivacyClass.SPECIFIC, drop_formats=("zip",))
    return catalog


@pytest.mark.parametrize("param, value, expected", [
    ("topic", "kesehatan", {"d", "e"}),
    ("org", "disdik", {"b", "c"}),
    ("tag", "desa", {"a", "b", "d"}),
    ("format", "zip", {"a", "b", "c"}),
    ("licence", "CC0-1.0", {"b"}),
    ("privacy", "spesifik", {"c", "e"}),
])
def test_each_facet_filters(client, faceted, param, value, expected):
    page = client.get("/dataset", query_string={param: value}).get_data(as_text=True)
    assert set(result_names(page)) == expected


def test_facet_counts_cover_everything_that_matched(faceted):
    counts = facets()
    assert counts["topic"] == {"kependudukan": 2, "pendidikan": 1, "kesehatan": 2}
    assert counts["organization"] == {"bappeda": 1, "disdik": 2, "dinkes": 2}
    assert counts["tags"] == {"desa": 3, "penduduk": 1, "sekolah": 1, "sehat": 1}
    assert counts["format"] == {"csv": 5, "json": 5, "zip": 3}
    assert counts["licence"] == {"CC-BY-4.0": 3, "CC0-1.0": 1, "ODC-BY-1.0": 1}
    assert counts["privacy"] == {"umum": 3, "spesifik": 2}


def test_facets_combine_and_counts_follow_the_filters(client, faceted):
    assert facets(tag="desa")["organization"] == {"bappeda": 1, "disdik": 1, "dinkes": 1}
    assert facets(tag="desa", org="dinkes")["topic"] == {"kesehatan": 1}
    page = client.get("/dataset?tag=desa&org=dinkes").get_data(as_text=True)
    assert result_names(page) == ["d"]
    # The active filters can be removed one by one; the link keeps the other one.
    assert 'href="/dataset?org=dinkes"' in page and 'href="/dataset?tag=desa"' in page
    assert result_names(client.get("/dataset?tag=desa&tag=sehat").get_data(as_text=True)) == ["d"]


def test_facet_values_render_with_titles_and_counts(client, faceted):
    page = client.get("/dataset").get_data(as_text=True)
    assert 'href="/dataset?org=dinkes" rel="nofollow">Dinas Kesehatan</a> <span class="count">2</span>' in page
    assert '>Kesehatan</a> <span class="count">2</span>' in page


def test_sort_by_name_update_and_relevance(client, catalog):
    catalog.add("m", "Mangga penduduk", "penduduk")  # published first
    catalog.add("z", "Zaitun", "penduduk penduduk")
    catalog.add("b", "Belimbing penduduk")  # published last
    assert result_names(client.get("/dataset?sort=name").get_data(as_text=True)) == ["b", "m", "z"]
    assert result_names(client.get("/dataset").get_data(as_text=True)) == ["b", "z", "m"]  # newest first
    assert result_names(client.get("/dataset?sort=updated").get_data(as_text=True)) == ["b", "z", "m"]
    ranked = result_names(client.get("/dataset?q=penduduk").get_data(as_text=True))
    assert ranked[-1] == "z"  # the only one without the word in its title
    assert result_names(client.get("/dataset?q=penduduk&sort=name").get_data(as_text=True)) == ["b", "m", "z"]
    assert client.get("/dataset?sort=bogus").status_code == 200


def test_paging(client, catalog):
    for i in range(25):
        catalog.add(f"data-{i:02d}", f"Data {i:02d}")
    first = result_names(client.get("/dataset?sort=name").get_data(as_text=True))
    second_page = client.get("/dataset?sort=name&page=2").get_data(as_text=True)
    second = result_names(second_page)
    assert len(first) == 20 and len(second) == 5
    assert first + second == [f"data-{i:02d}" for i in range(25)]
    assert "Halaman 2 dari 2" in second_page and 'href="/dataset?sort=name" rel="prev"' in second_page
    assert result_names(client.get("/dataset?sort=name&page=99").get_data(as_text=True)) == second
    assert result_names(client.get("/dataset?sort=name&page=x").get_data(as_text=True)) == first


def test_the_whole_query_is_in_the_url_and_the_form_keeps_it(client, faceted):
    page = client.get("/dataset?q=data&tag=desa&sort=name").get_data(as_text=True)
    assert result_names(page) == ["a", "b", "d"]
    assert '<input type="hidden" name="tag" value="desa">' in page
    assert '<input type="hidden" name="sort" value="name">' in page
    assert 'href="/dataset?q=data&amp;tag=desa&amp;sort=updated"' in page


def test_the_query_is_escaped(client, catalog):
    catalog.add("a", "Data A")
    page = client.get("/dataset", query_string={"q": '<script>alert(1)</script> "a* OR'}).get_data(as_text=True)
    assert "<script>alert" not in page


def test_drafts_and_withdrawn_datasets_are_never_found(client, catalog):
    catalog.add("terbit", "Rahasia terbit")
    for name, statuses in {"draf": (S.DRAFT,), "diajukan": (S.SUBMITTED,), "ditolak": (S.REJECTED,),
                           "ditarik": (S.WITHDRAWN,), "ditarik-lagi": (S.WITHDRAWN, S.DRAFT)}.items():
        catalog.add(name, f"Rahasia {name}", statuses=statuses)
    for url in ("/dataset?q=rahasia", "/dataset", "/dataset?tag=umum"):
        assert result_names(client.get(url).get_data(as_text=True)) == ["terbit"]
    assert facets()["tags"] == {"umum": 1}


def test_a_stale_index_entry_still_never_shows_an_unpublished_dataset(client, catalog):
    ds = catalog.add("ditarik", "Rahasia ditarik", statuses=(S.WITHDRAWN,))
    db.session.execute(insert(SearchEntry), [{
        "dataset_id": ds.id, "name": ds.name, "title": ds.title, "title_en": "", "description": "",
        "description_en": "", "organization": "bappeda", "organization_title": "x", "topic": "agama",
        "version": "1.0.0", "updated_at": ds.created_at, "formats": "csv"}])
    db.session.commit()
    assert result_names(client.get("/dataset").get_data(as_text=True)) == []


def test_reindex_command_rebuilds_the_index(client, runner, catalog):
    catalog.add("a", "Data Alpha")
    db.session.execute(SearchEntry.__table__.delete())
    db.session.commit()
    assert result_names(client.get("/dataset").get_data(as_text=True)) == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "1 dataset diindeks" in result.output
    assert result_names(client.get("/dataset?q=alpha").get_data(as_text=True)) == ["a"]


def test_the_index_follows_publish_metadata_edit_and_withdraw(client, users, harvested):
    name = harvested.drafts[0].dataset.name
    assert name not in client.get("/dataset?q=penduduk").get_data(as_text=True)
    release = harvested.drafts[0]
    services.submit(release, users["produsen"], "Rilis pertama.")
    db.session.commit()
    assert result_names(client.get("/dataset?q=penduduk").get_data(as_text=True)) == []
    services.approve(release, users["walidata"], "Setuju.")
    assert result_names(client.get("/dataset?q=kependudukan").get_data(as_text=True)) == [name]
    assert result_names(client.get("/dataset?q=kelamin").get_data(as_text=True)) == [name]

    # A metadata edit is a draft until it is approved: the old title stays what is found.
    edit = services.edit_metadata(release.dataset, users["produsen"],
                                  {"title": "Statistik Zebra Kabupaten", "tags": "zebra"})
    db.session.commit()
    assert result_names(client.get("/dataset?q=zebra").get_data(as_text=True)) == []
    services.submit(edit, users["produsen"], "Judul baru.")
    db.session.commit()
    services.approve(edit, users["walidata"], "Setuju.")
    assert result_names(client.get("/dataset?q=zebra").get_data(as_text=True)) == [name]
    assert result_names(client.get("/dataset?tag=zebra").get_data(as_text=True)) == [name]

    # Withdrawing the edit brings the previous title back; withdrawing everything empties it.
    services.withdraw(edit, users["walidata"], "Judul keliru.")
    db.session.commit()
    assert result_names(client.get("/dataset?q=zebra").get_data(as_text=True)) == []
    assert result_names(client.get("/dataset?q=penduduk").get_data(as_text=True)) == [name]
    services.withdraw(release, users["walidata"], "Insiden.")
    db.session.commit()
    assert result_names(client.get("/dataset?q=penduduk").get_data(as_text=True)) == []
    assert result_names(client.get("/dataset").get_data(as_text=True)) == []


def test_latest_version_and_date_are_shown(client, catalog):
    ds = catalog.add("a", "Data A", statuses=(S.PUBLISHED, S.PUBLISHED))
    latest = max(ds.releases, key=lambda r: r.published_at)
    page = client.get("/dataset").get_data(as_text=True)
    assert f"versi {latest.version}, {latest.published_at:%d-%m-%Y %H:%M} UTC" in page
    assert latest.published_at - min(r.published_at for r in ds.releases) == timedelta(minutes=7)
