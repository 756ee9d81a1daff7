"""package_search, organization_list and group_list behave as CKAN itself does.

Each test names the CKAN source it follows (ckan/ckan, read at 2.11).
"""
from __future__ import annotations

import pytest

from portal.extensions import db
from tests.support.catalog import action


@pytest.fixture
def catalog(factory):
    """Six public datasets: three OPDs with 3, 2 and 1 datasets, three topics, various tags."""
    factory.org("disnaker", "Dinas Tenaga Kerja")
    factory.org("bappeda", "Badan Perencanaan Pembangunan Daerah")
    factory.dataset("agama", tags=("agama", "desa"), title="Penduduk menurut Agama", commit=False)
    factory.dataset("sekolah", topic="pendidikan", tags=("sekolah", "desa"), title="Jumlah Sekolah",
                    commit=False)
    factory.dataset("umur", tags=("umur",), title="Penduduk menurut Umur", commit=False)
    factory.dataset("pekerjaan", org="disnaker", topic="ketenagakerjaan", tags=("pekerjaan",),
                    title="Penduduk menurut Pekerjaan", commit=False)
    factory.dataset("pengangguran", org="disnaker", topic="ketenagakerjaan", tags=("kerja",),
                    title="Angka Pengangguran", commit=False)
    factory.dataset("rencana", org="bappeda", topic="pendidikan", tags=("rencana",),
                    title="Rencana Pembangunan Desa", commit=False)
    db.session.commit()


def found(client, **params) -> dict:
    """package_search's result; the call must succeed."""
    status, body = action(client, "package_search", **params)
    assert status == 200, body
    return body["result"]


def names(client, **params) -> list[str]:
    """The names package_search lists, in order."""
    return [p["name"] for p in found(client, rows=100, **params)["results"]]


def test_an_empty_or_match_all_q_finds_everything(client, catalog):
    # ckan/lib/search/query.py (PackageSearchQuery.run): q '' , '""' , "''" become "*:*".
    for q in ("", "*:*", '""', "''", "*"):
        assert found(client, q=q)["count"] == 6, q


def test_multi_word_q_uses_ckans_minimum_match(client, catalog):
    # ckan/lib/search/query.py: a q without ':' is dismax with mm "2<-1 5<80%".
    assert names(client, q="penduduk agama", sort="name asc") == ["agama"]  # two words: both
    # Three words may miss one: "penduduk umur sekolah" finds what has any two of them (the
    # school table is published by the Dinas Kependudukan, so it has "penduduk" and "sekolah").
    assert names(client, q="penduduk umur sekolah", sort="name asc") == ["sekolah", "umur"]
    assert names(client, q="penduduk umur sekolah pekerjaan", sort="name asc") == []  # four: any three
    assert set(names(client, q="penduduk agama umur")) == {"agama", "umur"}
    # A fielded q is the standard parser with q.op=AND: every clause must match.
    assert names(client, q="penduduk tags:umur") == ["umur"]


def test_a_sort_without_direction_is_a_400_search_query_error(client, catalog):
    # ckan/lib/search/query.py: Solr's "Can't determine a Sort Order" -> SearchQueryError (400).
    status, body = action(client, "package_search", sort="name")
    assert status == 400 and body["error"]["__type"] == "Search Query Error"
    assert body["error"]["message"] == 'Search Query is invalid: Invalid "sort" parameter'
    status, body = action(client, "package_search", sort="name sideways")
    assert status == 400 and body["error"]["__type"] == "Search Query Error"


def test_facet_field_that_is_not_json_is_a_409_validation_error(client, catalog):
    # ckan/logic/schema/__init__.py: facet.field is convert_to_json_if_string then list_of_strings
    # (ckan/logic/converters.py: "Could not parse as valid JSON").
    status, body = action(client, "package_search", **{"facet.field": "tags"})
    assert status == 409 and body["error"] == {"__type": "Validation Error",
                                               "facet.field": ["Could not parse as valid JSON"]}
    assert found(client, **{"facet.field": '["tags"]'})["facets"]["tags"]["desa"] == 2
    posted = action(client, "package_search", method="post", **{"facet.field": ["tags"]})[1]["result"]
    assert posted["facets"]["tags"]["desa"] == 2


def test_a_query_syntax_error_is_a_409_search_error(client, catalog):
    # ckan/lib/search/query.py: any other SolrError -> SearchError, which ckan/views/api.py answers 409.
    for q in ("organization:(a OR", 'title:"open', "nofield:x", "metadata_modified:[x TO *]"):
        status, body = action(client, "package_search", q=q)
        assert status == 409 and body["error"]["__type"] == "Search Error", q


@pytest.mark.parametrize("field", ["id", "name", "title_string", "metadata_modified", "metadata_created",
                                   "num_resources", "version", "license_id", "organization"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sorting_by_any_indexed_field_ckan_allows(client, catalog, field, direction):
    # ckan/logic/action/get.py package_search: sort is Solr's "field direction[, ...]" over the
    # indexed single-valued fields of ckan/config/solr/schema.xml.
    results = found(client, sort=f"{field} {direction}, name asc", rows=100)["results"]
    key = {"title_string": lambda p: p["title"].lower(),
           "organization": lambda p: p["organization"]["name"]}.get(field, lambda p: p[field])
    values = [key(p) for p in results]
    assert values == sorted(values, reverse=direction == "desc")
    assert len(results) == 6


@pytest.mark.parametrize("action_name, expected", [
    ("organization_list", ["dukcapil", "disnaker", "bappeda"]),
    ("group_list", None),
])
def test_group_lists_sort_by_package_count_most_first(client, catalog, action_name, expected):
    # ckan/logic/action/get.py _group_or_org_list: sort "packages" or "package_count" alone
    # means "package_count desc"; the allowed fields are name, packages, package_count, title.
    full = action(client, action_name, all_fields="true", sort="package_count desc")[1]["result"]
    counts = [g["package_count"] for g in full]
    assert counts == sorted(counts, reverse=True)
    by_count = [g["name"] for g in full]
    for sort in ("package_count", "packages", " packages "):
        assert action(client, action_name, sort=sort)[1]["result"] == by_count, sort
    if expected:
        assert by_count == expected
    ascending = action(client, action_name, sort="package_count asc", all_fields="1")[1]["result"]
    assert [g["package_count"] for g in ascending] == sorted(counts)
    status, body = action(client, action_name, sort="colour")
    assert status == 409 and body["error"]["message"] == ["Cannot sort by field `colour`"]


def test_group_lists_limit_offset_and_all_fields(client, catalog):
    # ckan/logic/action/get.py _group_or_org_list: limit (max 1000, or 25 with all_fields), offset.
    names_ = action(client, "organization_list")[1]["result"]
    assert names_ == sorted(names_, key=lambda n: {"bappeda": "Badan", "disnaker": "Dinas T",
                                                    "dukcapil": "Dinas K"}[n])  # title asc
    assert action(client, "organization_list", limit=1, offset=1)[1]["result"] == names_[1:2]
    assert action(client, "organization_list", limit=0)[1]["result"] == names_  # 0: no limit
    everything = action(client, "organization_list", all_fields="true")[1]["result"]
    assert [o["name"] for o in everything] == names_
    assert {"id", "name", "title", "package_count"} <= set(everything[0])
    assert action(client, "group_list", limit=2, offset=0, sort="name asc")[1]["result"] == sorted(
        action(client, "group_list", sort="name asc")[1]["result"])[:2]
    assert action(client, "organization_list", sort="name desc")[1]["result"] == sorted(names_, reverse=True)
