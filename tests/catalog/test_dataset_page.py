"""The dataset page: metadata, preview (page, sort, filter), chart, history, citation, API, JSON-LD."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest

from portal import create_app
from portal.auth.services import create_user
from portal.extensions import db
from tests.support.releases import audit_as_harvest, bump_first_count, protected_from
from tests.support.world import (
    REFERENCE_DATE,
    TEST_RESIDENTS,
    TEST_SEED,
    database_url,
    join_catalogue_opds,
    reset_database,
)

NAME = "penduduk-dan-keluarga"
AGE = "penduduk-menurut-kelompok-umur"
RELIGION = "penduduk-menurut-agama"
PUBLISH = (NAME, AGE, RELIGION)
LD_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Three tables published at 1.0.0, then penduduk-dan-keluarga again with a data change (1.1.0).

    Harvests are slow, so the whole module shares one app (its pages only read).
    """
    from portal.datasets import services
    from portal.demogen.generator import generate_district
    from portal.harvest.service import harvest

    tmp = tmp_path_factory.mktemp("dataset-page")
    uri = database_url(tmp)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp / "instance"),
                      "SQLALCHEMY_DATABASE_URI": uri, "STORAGE_DIR": str(tmp / "storage"),
                      "SECRET_KEY": "test-secret", "PORTAL_URL": "https://data.example.go.id"})
    # A request context: some workflow messages are translated, which needs a locale.
    with app.test_request_context():
        reset_database(uri)
        produsen = create_user("produsen@example.go.id", "produsen-test-pass", "produsen", "P")
        walidata = create_user("walidata@example.go.id", "walidata-test-pass", "walidata", "W")
        db.session.commit()

        export = tmp / "export"
        generate_district(export, residents=TEST_RESIDENTS, seed=TEST_SEED, fmt="csv")
        drafts = harvest(str(export), REFERENCE_DATE, produsen).drafts
        join_catalogue_opds(produsen)  # the harvest made the OPDs; its produsen submits for them
        for release in drafts:
            if release.dataset.name in PUBLISH:
                services.submit(release, produsen, "Rilis pertama.")
                db.session.commit()
                services.approve(release, walidata, "Setuju.")
                if release.dataset.name == NAME:
                    first = release
        # A data change (as tests/datasets make one): 1.1.0, audited against 1.0.0.
        protected = protected_from(first, bump_first_count)
        draft = services.create_draft(first.dataset, protected, date(2026, 12, 1), first.harvest_id,
                                      produsen, [{"title": "uji"}])
        audit_as_harvest(protected, draft, first)
        db.session.commit()
        services.submit(draft, produsen, "Data Desember.")
        db.session.commit()
        services.approve(draft, walidata, "Setuju.")
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(site):
    """A client of the shared app."""
    return site.test_client()


def rows_of(page: str) -> list[list[str]]:
    """The preview grid's body rows as text cells."""
    body = page.split('<table class="preview">', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_metadata_and_villages(client):
    page = client.get(f"/dataset/{NAME}").text
    assert "Jumlah Penduduk dan Keluarga per Desa" in page
    assert "Dinas Kependudukan dan Pencatatan Sipil" in page  # publisher OPD
    assert "Walidata Kabupaten Tabanan" in page and "Creative Commons Attribution 4.0" in page
    assert "01-12-2026" in page  # temporal coverage: the reference date of the latest version
    assert "10 kecamatan, 133 desa" in page
    assert "<details class=\"villages\">" in page and "/desa/51.02.01.2001" in page
    assert "/kecamatan/51.02.01" in page
    assert "1.1.0" in page


def test_preview_pages(client):
    first = client.get(f"/dataset/{NAME}").text
    assert "Halaman 1 dari 11" in first and "51.02.01.2001" in first
    last = client.get(f"/dataset/{NAME}?page=11").text
    assert "Halaman 11 dari 11" in last and "51.02.10.2014" in last
    assert len(rows_of(last)) < 25 and len(rows_of(first)) == 25
    # Headers link to their sort and carry the column title from the Table Schema.
    assert re.search(r'<th scope="col" aria-sort="none">'
                     r'<a href="[^"]*sort=jumlah[^"]*" rel="nofollow" title="[^"]+">jumlah', first)


def test_preview_sorts_numbers_with_hidden_cells_last(client):
    url = f"/dataset/{NAME}/version/1.0.0?sort=jumlah&dir=desc&kecamatan=51.02.01"
    page = client.get(url).text
    assert 'aria-sort="descending"' in page
    values = [r[6] for r in rows_of(page)]
    shown = [int(v) for v in values if v != "x"]
    assert shown == sorted(shown, reverse=True) and shown
    # Hidden cells are marked and come after every shown value, in both directions.
    assert values[:len(shown)] == [str(v) for v in shown]
    ascending = [r[6] for r in rows_of(client.get(url.replace("desc", "asc")).text)]
    numbers = [int(v) for v in ascending if v != "x"]
    assert numbers == sorted(numbers)
    assert ascending[:len(numbers)] == [str(v) for v in numbers]
    # The header links toggle the direction and keep the filter.
    assert "sort=jumlah&amp;dir=asc" in page and "kecamatan=51.02.01" in page


def test_hidden_cells_are_marked(client):
    page = client.get(f"/dataset/{AGE}?desa=51.02.01.2001").text
    assert '<td class="suppressed"><abbr title=' in page


def test_preview_filters_by_kecamatan_and_desa(client):
    kec = rows_of(client.get(f"/dataset/{NAME}?kecamatan=51.02.01").text)
    assert kec and all(r[2] == "51.02.01" for r in kec)
    page = client.get(f"/dataset/{NAME}?kecamatan=51.02.01&desa=51.02.01.2002").text
    desa = rows_of(page)
    assert [r[0] for r in desa] == ["51.02.01.2002", "51.02.01.2002"]
    assert "2 dari 266 baris" in page
    assert '<option value="51.02.01.2002" selected>' in page
    # A desa from another kecamatan is dropped rather than showing nothing.
    mismatch = rows_of(client.get(f"/dataset/{NAME}?kecamatan=51.02.01&desa=51.02.02.2001").text)
    assert all(r[2] == "51.02.01" for r in mismatch) and len(mismatch) > 2


def test_paging_keeps_filter_and_sort(client):
    page = client.get(f"/dataset/{AGE}?kecamatan=51.02.01&sort=kategori&dir=asc").text
    nxt = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    assert "kecamatan=51.02.01" in nxt and "sort=kategori" in nxt and "page=2" in nxt


def test_pyramid_for_age_table_and_bars_otherwise(client):
    age = client.get(f"/dataset/{AGE}").text
    assert "Piramida penduduk" in age and "<svg" in age and "Laki-laki" in age
    religion = client.get(f"/dataset/{RELIGION}").text
    assert "Piramida penduduk" not in religion and "Jumlah menurut kategori" in religion
    for page in (age, religion):
        chart = page.split('<figure class="chart dataset-chart">', 1)[1]
        assert '<title id="chart-title">' in chart and '<desc id="chart-desc">' in chart
        assert '<details class="chart-data">' in chart and "<caption>" in chart  # table alternative
    assert "<script>" not in age and "<script src" not in age  # no JavaScript needed


def test_chart_is_a_lower_bound_where_cells_are_hidden(client):
    page = client.get(f"/dataset/{RELIGION}").text
    table = page.split('<details class="chart-data">', 1)[1].split("</details>", 1)[0]
    assert "≥" in table and "batas bawah" in table


def test_chart_follows_the_filter(client):
    page = client.get(f"/dataset/{NAME}?kecamatan=51.02.01").text
    assert "Kecamatan Selemadeg" in page.split('<figure class="chart dataset-chart">', 1)[1]


def test_history_links_versions_with_diff_summary(client):
    page = client.get(f"/dataset/{NAME}").text
    history = page.split('id="h-history"', 1)[1]
    assert f"/dataset/{NAME}/version/1.0.0" in history
    assert "Data Desember." in history and "Rilis pertama." in history
    assert "Dibanding 1.0.0:" in history and "sel berubah" in history
    assert "baru disembunyikan" in history and "kini ditampilkan" in history


def test_citation_is_pinned_to_version_url_and_access_date(client):
    page = unescape(client.get(f"/dataset/{NAME}/version/1.0.0").text)
    today = datetime.now(UTC).date()
    url = f"https://data.example.go.id/dataset/{NAME}/version/1.0.0"
    cite = page.split('id="h-cite"', 1)[1].split("</section>", 1)[0]
    apa, bibtex = re.findall(r"<code>(.*?)</code>", cite, re.S)
    assert "(Versi 1.0.0)" in apa and url in apa and "[Data set]" in apa
    assert f"{today.day} " in apa and str(today.year) in apa
    assert bibtex.startswith("@misc{") and "version = {1.0.0}" in bibtex
    assert f"url = {{{url}}}" in bibtex and f"urldate = {{{today.isoformat()}}}" in bibtex


def test_api_snippets_use_the_real_ids(client):
    page = unescape(client.get(f"/dataset/{NAME}").text)
    package = client.get(f"/api/3/action/package_show?id={NAME}").get_json()["result"]
    csv = next(r for r in package["resources"] if r["format"] == "CSV")
    assert f"https://data.example.go.id/api/3/action/package_show?id={NAME}" in page
    assert f"datastore_search?resource_id={csv['id']}" in page
    assert "RemoteCKAN('https://data.example.go.id')" in page
    assert f"resource_id='{csv['id']}'" in page
    found = client.get(f"/api/3/action/datastore_search?resource_id={csv['id']}&limit=1").get_json()
    assert found["success"]


def test_json_ld_parses_and_describes_the_version(client):
    page = client.get(f"/dataset/{NAME}/version/1.0.0").text
    head = page.split("</head>", 1)[0]
    data = json.loads(LD_RE.search(head).group(1))
    assert data["@type"] == "Dataset" and data["version"] == "1.0.0"
    assert data["url"] == f"https://data.example.go.id/dataset/{NAME}/version/1.0.0"
    assert data["name"] and data["description"] and data["keywords"]
    assert data["license"].startswith("https://creativecommons.org/")
    assert data["creator"]["@type"] == data["publisher"]["@type"] == "GovernmentOrganization"
    assert data["temporalCoverage"] == REFERENCE_DATE.isoformat()
    assert data["spatialCoverage"]["@type"] == "Place" and "Tabanan" in data["spatialCoverage"]["name"]
    assert data["datePublished"] <= data["dateModified"]
    assert data["isAccessibleForFree"] is True
    assert data["includedInDataCatalog"]["@type"] == "DataCatalog"
    download = data["distribution"][0]
    assert download["@type"] == "DataDownload" and download["encodingFormat"] == "text/csv"
    assert download["contentUrl"].endswith(f"/version/1.0.0/download/{NAME}.csv")
    assert download["contentSize"].endswith(" B")


def test_json_ld_cannot_close_its_script_element():
    from portal.catalog.jsonld import dumps

    text = str(dumps({"name": "</script><script>alert(1)</script> & <!--"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script> & <!--"


def test_csp_still_forbids_inline_scripts(client):
    response = client.get(f"/dataset/{NAME}")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_withdrawn_and_unknown_versions_are_not_served(client):
    assert client.get(f"/dataset/{NAME}/version/9.9.9").status_code == 404
    assert client.get("/dataset/tidak-ada").status_code == 404


def test_english_page_renders(client):
    page = client.get(f"/dataset/{AGE}?lang=en")
    assert page.status_code == 200 and 'lang="en"' in page.text


def test_codes_sort_as_numbers_and_names_as_text(client):
    codes = [r[4] for r in rows_of(client.get(f"/dataset/{AGE}?desa=51.02.01.2001&sort=kode").text)]
    assert codes == [str(n) for n in sorted(int(c) for c in codes)] and "10" in codes
    names = [r[1] for r in rows_of(client.get(f"/dataset/{NAME}?sort=nama_desa&dir=desc").text)]
    assert names == sorted(names, key=str.casefold, reverse=True)


def test_bad_parameters_fall_back_to_the_plain_view(client):
    page = client.get(f"/dataset/{NAME}?sort=%3Cscript%3E&dir=sideways&page=abc&kecamatan=99").text
    assert "Halaman 1 dari 11" in page and "<script>" not in page.split("</head>", 1)[1]
