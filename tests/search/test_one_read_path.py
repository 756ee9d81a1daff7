"""One read path: the /dataset page and package_search give the same datasets in the same order.

Twenty questions (single words, stems, phrases, several words under CKAN's minimum match,
facets, sort orders and pages) are asked of both faces; each must list the same dataset
names in the same order. Sorts map as the page names them to CKAN's: relevance is
``score desc, metadata_modified desc`` (CKAN's default), name is ``title_string asc``,
updated is ``metadata_modified desc``; a page of 20 is ``rows=20&start=(page-1)*20``.
"""
from __future__ import annotations

import pytest

from portal.core.vocabularies import PrivacyClass
from tests.support.catalog import action
from tests.support.search_catalog import result_names

PAGE_SIZE = 20
TOPICS = ("kependudukan", "pendidikan", "kesehatan", "agama")
ORGS = ("bappeda", "disdik", "dinkes")
SUBJECTS = [
    ("Penduduk menurut Agama", "Jumlah penduduk setiap desa menurut agama.", ("agama", "desa")),
    ("Penduduk menurut Pendidikan", "Pendidikan yang ditamatkan penduduk desa.", ("pendidikan",)),
    ("Jumlah Sekolah per Desa", "Sekolah dasar dan menengah di setiap desa.", ("sekolah", "desa")),
    ("Status Kehamilan", "Ibu hamil per desa, data kesehatan ibu dan anak.", ("kesehatan", "anak", "desa")),
    ("Kepemilikan Akta Kelahiran", "Anak yang memiliki akta kelahiran per desa.", ("anak", "dokumen")),
    ("Penduduk menurut Pekerjaan", "Pekerjaan penduduk usia kerja per desa.", ("pekerjaan",)),
    ("Penyandang Disabilitas", "Jumlah penyandang disabilitas per desa.", ("kesehatan",)),
    ("Kepadatan Penduduk", "Kepadatan penduduk per kilometer persegi.", ("penduduk",)),
]


@pytest.fixture
def world(catalog):
    """24 published datasets: 8 subjects in 3 copies across OPDs, topics, tags, licences and classes."""
    for copy in range(3):
        for i, (title, notes, tags) in enumerate(SUBJECTS):
            n = copy * len(SUBJECTS) + i
            catalog.add(f"d{n:02d}", f"{title} {('', 'Kecamatan', 'Kabupaten')[copy]}".strip(), notes,
                        org=ORGS[n % 3], topic=TOPICS[n % 4], tags=tags,
                        licence=("CC-BY-4.0", "CC0-1.0")[n % 2],
                        privacy=(PrivacyClass.GENERAL, PrivacyClass.SPECIFIC)[n % 5 == 0],
                        drop_formats=("zip",) if n % 3 == 0 else ())
    return catalog


QUESTIONS = [
    ({"q": "penduduk"}, {"q": "penduduk"}),
    ({"q": "kependudukan"}, {"q": "kependudukan"}),  # a stem: finds "penduduk"
    ({"q": "didik"}, {"q": "didik"}),  # the root finds "pendidikan"
    ({"q": "kelahiran"}, {"q": "kelahiran"}),
    ({"q": "sekolah desa"}, {"q": "sekolah desa"}),  # two words: both
    ({"q": "jumlah penduduk desa"}, {"q": "jumlah penduduk desa"}),  # three words: any two
    ({"q": "kesehatan ibu hamil anak"}, {"q": "kesehatan ibu hamil anak"}),  # four: any three
    ({"q": '"menurut agama"'}, {"q": '"menurut agama"'}),  # a phrase
    ({"q": "penduduk -pekerjaan"}, {"q": "penduduk -pekerjaan"}),  # a word excluded
    ({"topic": "kesehatan"}, {"fq": "groups:kesehatan"}),
    ({"org": "disdik"}, {"fq": "organization:disdik"}),
    ({"tag": ["desa", "anak"]}, {"fq": "tags:desa tags:anak"}),
    ({"format": "zip"}, {"fq": "res_format:ZIP"}),
    ({"licence": "CC0-1.0", "privacy": "spesifik"},
     {"fq": "license_id:CC0-1.0 extras_klasifikasi_uu_pdp:spesifik"}),
    ({"q": "penduduk", "org": "bappeda"}, {"q": "penduduk", "fq": "organization:bappeda"}),
    ({"sort": "name"}, {"sort": "title_string asc"}),
    ({"sort": "updated"}, {"sort": "metadata_modified desc"}),
    ({"q": "desa", "sort": "name"}, {"q": "desa", "sort": "title_string asc"}),
    ({"page": 2}, {"start": 20}),
    ({"q": "desa", "sort": "updated", "page": 2}, {"q": "desa", "sort": "metadata_modified desc", "start": 20}),
]


def test_twenty_questions_are_asked(world):
    assert len(QUESTIONS) == 20


@pytest.mark.parametrize("page_args, api_params", QUESTIONS, ids=[str(q[0]) for q in QUESTIONS])
def test_the_page_and_package_search_list_the_same_datasets_in_the_same_order(
        client, world, page_args, api_params):
    page = result_names(client.get("/dataset", query_string=page_args).get_data(as_text=True))
    status, body = action(client, "package_search", rows=PAGE_SIZE, **api_params)
    assert status == 200, body
    assert [p["name"] for p in body["result"]["results"]] == page
    assert page  # every question finds something


def test_the_totals_agree_and_minimum_match_widens_longer_queries(client, world):
    # ckan/lib/search/query.py: mm "2<-1 5<80%": two words need both, three may miss one.
    def count(q: str) -> int:
        return action(client, "package_search", q=q)[1]["result"]["count"]

    assert count("sekolah hamil") == 0  # no dataset has both words
    assert count("sekolah hamil desa") == count("sekolah") + count("hamil") > 0  # any two of three
    page = client.get("/dataset", query_string={"q": "jumlah penduduk desa"}).get_data(as_text=True)
    assert f"{count('jumlah penduduk desa')} dataset" in page
