"""package_search: q, fq (values, quotes, ranges, OR, negation), paging, sort and facets."""
from datetime import datetime

import pytest

from portal.api.errors import SearchError, SearchQueryError
from portal.api.search import parse_sort
from portal.core.vocabularies import ReleaseStatus as S
from portal.extensions import db
from portal.search.errors import QueryError
from portal.search.query import compile_query, min_should_match, parse_time
from tests.support.catalog import action

DOC = {"id": ["d1"], "name": ["agama"], "organization": ["dukcapil"], "tags": ["jenis kelamin", "penduduk"],
       "text": ["Jumlah Penduduk menurut Agama"], "title": ["Jumlah Penduduk menurut Agama"],
       "metadata_modified": [datetime(2026, 3, 1, 12, 0)], "num_resources": [3]}


@pytest.mark.parametrize("query, expected", [
    ("organization:dukcapil", True),
    ("organization:disnaker", False),
    ("-organization:disnaker", True),
    ("NOT organization:dukcapil", False),
    ("organization:disnaker OR organization:dukcapil", True),
    ("organization:(disnaker OR dukcapil)", True),
    ('tags:"jenis kelamin"', True),
    ("tags:jenis", False),
    ("metadata_modified:[2026-01-01T00:00:00Z TO *]", True),
    ("metadata_modified:[2026-03-01T12:00:00Z TO *]", True),
    ("metadata_modified:{2026-03-01T12:00:00Z TO *]", False),
    ("metadata_modified:[* TO 2026-02-01T00:00:00.000000]", False),
    ("metadata_modified:[NOW-100DAYS TO NOW]", False),
    ("organization:disnaker OR organization:dukcapil metadata_modified:[2027-01-01T00:00:00Z TO *]", False),
    ("organization:disnaker OR organization:dukcapil metadata_modified:[2026-01-01T00:00:00Z TO *]", True),
    ("+name:agama -tags:penduduk", False),
    ("name:aga*", True),
    ("title:penduduk", True),
    ("title:kependudukan", True),  # a text field matches by stems, as the full text does
    ('title:"menurut agama"', True),
    ('title:"agama menurut"', False),
    ("num_resources:[2 TO 3]", True),
    ("*:*", True),
    ("metadata_modified:%5B2026-01-01T00:00:00Z%20TO%20*%5D", True),
])
def test_query_language(query, expected):
    predicate = compile_query(query).predicate
    assert (predicate is None or predicate(DOC, {})) is expected


@pytest.mark.parametrize("bad", ["organization:(a OR", "nofield:x", 'tags:"open', "metadata_modified:[x TO *]",
                                 "metadata_modified:[2026 TO]", "(" * 3000,
                                 "metadata_modified:[NOW-999999999999DAYS TO *]"])
def test_bad_queries_raise_query_errors(bad):
    with pytest.raises(QueryError):
        compile_query(bad)


def test_minimum_should_match_is_ckans():
    # ckan/lib/search/query.py: mm "2<-1 5<80%" for a q without a field.
    assert [min_should_match(n) for n in range(1, 11)] == [1, 2, 2, 3, 4, 4, 5, 6, 7, 8]


def test_sort_and_times():
    # ckan/lib/search/query.py: Solr's "Can't determine a Sort Order" is a SearchQueryError (400),
    # a field it cannot find is a SearchError (409).
    assert parse_sort("id asc, metadata_modified desc") == (("id", False), ("metadata_modified", True))
    with pytest.raises(SearchError):
        parse_sort("colour asc")
    with pytest.raises(SearchQueryError):
        parse_sort("name")
    assert parse_time("2026-03-01T13:00:00+01:00") == datetime(2026, 3, 1, 12, 0)


@pytest.fixture
def catalog(factory):
    """Five datasets across two OPDs and two topics, plus hidden ones."""
    factory.org("disnaker", "Dinas Tenaga Kerja")
    for i in range(3):
        factory.dataset(f"penduduk-{i}", tags=("penduduk",), commit=False)
    factory.dataset("pekerjaan", org="disnaker", topic="ketenagakerjaan", tags=("pekerjaan", "penduduk"),
                    title="Penduduk menurut Pekerjaan", commit=False)
    factory.dataset("pendidikan", org="disnaker", topic="pendidikan", tags=("pendidikan",), commit=False)
    factory.dataset("rahasia", [("1.0.0", S.SUBMITTED)], tags=("penduduk",), commit=False)
    db.session.commit()


def search(client, **params):
    status, body = action(client, "package_search", **params)
    assert status == 200, body
    return body["result"]


def test_search_filters_and_counts(client, catalog):
    assert search(client)["count"] == 5
    assert search(client, q="pekerjaan")["count"] == 2  # stemmed: also the Dinas Tenaga Kerja's dataset
    assert search(client, q="pekerjaan", fq="tags:pekerjaan")["count"] == 1
    assert search(client, fq="organization:disnaker")["count"] == 2
    assert search(client, fq="-organization:disnaker")["count"] == 3
    assert search(client, fq="groups:pendidikan OR groups:ketenagakerjaan")["count"] == 2
    assert search(client, fq='tags:"penduduk" organization:disnaker')["count"] == 1
    assert search(client, q="name:penduduk-1")["results"][0]["name"] == "penduduk-1"
    assert search(client, fq="res_format:CSV")["count"] == 5
    assert search(client, fq="metadata_modified:[2099-01-01T00:00:00Z TO *]")["count"] == 0
    assert search(client, fq="extras_klasifikasi_uu_pdp:umum")["count"] == 5
    narrow = search(client, fl="id,name,extras_klasifikasi_uu_pdp", sort="name asc", rows=1)["results"]
    assert list(narrow[0]) == ["id", "name", "extras_klasifikasi_uu_pdp"]
    assert narrow[0]["name"] == "pekerjaan" and narrow[0]["extras_klasifikasi_uu_pdp"] == "umum"


def test_paging_sort_and_empty_page_past_the_end(client, catalog):
    names = [p["name"] for p in search(client, sort="name asc", rows=1000)["results"]]
    assert names == sorted(names)
    first = search(client, sort="id asc", rows=2, start=0)
    second = search(client, sort="id asc", rows=2, start=2)
    third = search(client, sort="id asc", rows=2, start=4)
    ids = [p["id"] for page in (first, second, third) for p in page["results"]]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert first["count"] == 5 and first["sort"] == "id asc"
    past = search(client, sort="id asc", rows=2, start=6)
    assert past["results"] == [] and past["count"] == 5
    assert len(search(client, rows=5000)["results"]) == 5  # rows is capped at 1000, not refused
    newest = search(client)["results"]
    assert [p["metadata_modified"] for p in newest] == sorted((p["metadata_modified"] for p in newest), reverse=True)
    assert action(client, "package_search", sort="bogus asc")[0] == 409  # Solr: field can't be found
    assert action(client, "package_search", sort="name")[0] == 400  # Solr: can't determine a sort order
    assert action(client, "package_search", start=-1)[0] == 409


def test_facets(client, catalog):
    found = search(client, **{"facet.field": '["organization", "tags", "groups"]', "facet.limit": 2})
    assert found["facets"]["organization"] == {"dukcapil": 3, "disnaker": 2}
    assert found["facets"]["tags"] == {"penduduk": 4, "pekerjaan": 1}
    items = found["search_facets"]["organization"]["items"]
    assert {i["display_name"] for i in items} == {"Dinas Tenaga Kerja", "Dinas Kependudukan dan Pencatatan Sipil"}
    posted = action(client, "package_search", method="post", **{"facet.field": ["res_format"], "rows": 0})[1]["result"]
    assert posted["facets"] == {"res_format": {"CSV": 5, "JSON": 5, "ZIP": 5}} and posted["results"] == []
    assert search(client)["facets"] == {}
    assert action(client, "package_search", **{"facet.field": '["nope"]'})[0] == 409


def test_a_joined_word_needs_each_of_its_words_and_a_phrase_keeps_their_order(client, catalog):
    joined = search(client, q="penduduk/pekerjaan", sort="name asc")
    assert joined["count"] >= 1
    assert joined["results"] == search(client, q="penduduk pekerjaan", sort="name asc")["results"]
    assert search(client, q='"menurut pekerjaan"')["count"] == 1
    assert search(client, q='"pekerjaan menurut"')["count"] == 0
