"""Trends across versions: the dataset page's chart and table, place pages and the dashboard's change."""
from __future__ import annotations

import re
from datetime import date

import pytest

from portal.core.vocabularies import ReleaseStatus
from portal.extensions import db
from portal.harvest.models import HarvestRun
from tests.support.catalog import CatalogFactory
from tests.support.series import grown, monthly

NAME = "agama"


@pytest.fixture
def factory(app) -> CatalogFactory:
    """Catalogue rows and files made directly."""
    return CatalogFactory(app)


def _section(page: str) -> str:
    found = re.search(r'<section id="tren".*?</section>', page, re.S)
    assert found, "no trend section"
    return found.group(0)


def _table_rows(section: str) -> list[list[str]]:
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_district_trend_has_a_point_per_version_linked_to_it(client, factory):
    monthly(factory, NAME, 3)
    section = _section(client.get(f"/dataset/{NAME}").get_data(as_text=True))
    rows = _table_rows(section)
    # Every category together: 120 + 35 + 940 shown (Hindu of Desa Satu hidden: a lower bound).
    assert [r[:3] for r in rows] == [["01-01-2026", "1.0.0", "≥ 1.095"], ["01-02-2026", "1.1.0", "≥ 1.105"],
                                     ["01-03-2026", "1.2.0 (versi ini)", "≥ 1.115"]]
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        assert f'href="/dataset/{NAME}/version/{version}"' in section
    assert section.count("<circle") == 3 and section.count("<path") == 1
    assert f'href="/dataset/{NAME}/series.csv"' in section and f'href="/dataset/{NAME}/series.xlsx"' in section


def test_a_category_and_a_desa_are_chosen_by_query_and_hidden_is_never_zero(client, factory):
    def rows_of(month):
        rows = grown(month)
        if month == 2:
            rows[0][6:9] = ["x", "x", "x"]  # Desa Satu, Islam: hidden in February
        return rows
    monthly(factory, NAME, 3, rows_of)
    page = client.get(f"/dataset/{NAME}?tren=51.02.01.2001&tren_kategori=1").get_data(as_text=True)
    section = _section(page)
    assert [r[2:] for r in _table_rows(section)] == [["120", ""], ["x", "disembunyikan"], ["140", ""]]
    assert "Desa Satu" in section and 'value="51.02.01.2001" selected' in section
    assert section.count("<circle") == 2 and "<path" not in section  # the line breaks at the hidden point
    kecamatan = _section(client.get(f"/dataset/{NAME}?tren=51.02.01&tren_kategori=1").get_data(as_text=True))
    assert [r[2] for r in _table_rows(kecamatan)] == ["155", "≥ 35", "175"]


def test_a_place_missing_from_a_version_is_no_data(client, factory):
    def rows_of(month):
        rows = grown(month)
        return rows if month > 1 else rows[:3]  # Desa Tiga first published in February
    monthly(factory, NAME, 2, rows_of)
    section = _section(client.get(f"/dataset/{NAME}?tren=51.02.02.2001").get_data(as_text=True))
    assert [r[2] for r in _table_rows(section)] == ["–", "940"]


def test_a_withdrawn_version_is_no_point(client, factory):
    monthly(factory, NAME, 3, statuses={2: ReleaseStatus.WITHDRAWN})
    section = _section(client.get(f"/dataset/{NAME}").get_data(as_text=True))
    assert [r[1] for r in _table_rows(section)] == ["1.0.0", "1.2.0 (versi ini)"]
    assert "/version/1.1.0" not in section


@pytest.mark.parametrize("query", ["tren=" + "9" * 5000, "tren=<script>", "tren_kategori=%00",
                                   "tren=51.02.01.2009&tren_kategori=99", "tren=51.02&tren_kategori=",
                                   "tren=%ZZ", "tren_kategori[]=1"])
def test_bad_choices_fall_back_to_the_district(client, factory, query):
    monthly(factory, NAME, 2)
    response = client.get(f"/dataset/{NAME}?{query}")
    assert response.status_code == 200
    section = _section(response.get_data(as_text=True))
    assert "<script>" not in section and "9" * 50 not in section
    assert 'selected' not in section.split('name="tren"', 1)[1].split("</select>", 1)[0]


def test_an_older_version_page_marks_its_own_point(client, factory):
    monthly(factory, NAME, 3)
    section = _section(client.get(f"/dataset/{NAME}/version/1.1.0").get_data(as_text=True))
    assert [r[1] for r in _table_rows(section)] == ["1.0.0", "1.1.0 (versi ini)", "1.2.0"]


def _population(month: int) -> list[list[str]]:
    """penduduk-dan-keluarga of two desa: Bajera grows by 5 people a month, its families hidden in month 2."""
    rows = [
        ["51.02.01.2001", "Bajera", "51.02.01", "Selemadeg", "1", "PENDUDUK", str(1000 + 5 * month), "500", "500"],
        ["51.02.01.2001", "Bajera", "51.02.01", "Selemadeg", "2", "KELUARGA", "300", "200", "100"],
        ["51.02.01.2002", "Wanagiri", "51.02.01", "Selemadeg", "1", "PENDUDUK", "800", "400", "400"],
        ["51.02.01.2002", "Wanagiri", "51.02.01", "Selemadeg", "2", "KELUARGA", "250", "150", "100"],
    ]
    if month == 2:
        rows[1][6:9] = ["x", "x", "x"]
    return rows


def test_desa_and_kecamatan_pages_show_the_trend_of_their_headline_numbers(client, factory):
    monthly(factory, "penduduk-dan-keluarga", 3, _population)
    desa = _section(client.get("/desa/51.02.01.2001").get_data(as_text=True))
    tables = desa.split("<tbody>")[1:]
    assert [r[2] for r in _table_rows("<tbody>" + tables[0])] == ["1.005", "1.010", "1.015"]
    assert [r[2:] for r in _table_rows("<tbody>" + tables[1])] == [["300", ""], ["x", "disembunyikan"], ["300", ""]]
    assert 'href="/dataset/penduduk-dan-keluarga/version/1.2.0"' in desa
    kecamatan = _section(client.get("/kecamatan/51.02.01").get_data(as_text=True))
    people = _table_rows("<tbody>" + kecamatan.split("<tbody>")[1])
    assert [r[2] for r in people] == ["1.805", "1.810", "1.815"]
    families = _table_rows("<tbody>" + kecamatan.split("<tbody>")[2])
    assert [r[2] for r in families] == ["550", "≥ 250", "550"]  # a lower bound, never 250 as if exact


def test_the_dashboard_shows_month_on_month_change(client, factory):
    monthly(factory, "penduduk-dan-keluarga", 3, _population)
    page = client.get("/dasbor").get_data(as_text=True)
    change = re.search(r'<section id="perubahan".*?</section>', page, re.S).group(0)
    assert "+5 (+0,28%)" in change  # 1.810 -> 1.815 people in the district
    assert "1.810 (01-02-2026) → 1.815 (01-03-2026)" in change
    # Families went from a lower bound (hidden in February) to 550: no change can be claimed.
    assert "tidak dapat dihitung" in change and "≥ 250" in change


def test_no_trend_section_without_the_population_dataset(client, factory):
    monthly(factory, NAME, 2)
    assert 'id="tren"' not in client.get("/desa/51.02.01.2001").get_data(as_text=True)
    assert 'id="perubahan"' not in client.get("/dasbor").get_data(as_text=True)


def test_a_table_without_counts_has_no_trend_section(client, factory):
    def rows_of(month):
        return [[r[0], r[1], r[2], r[3], "batas", "poligon", "1", "1", "1"] for r in grown(month)]
    ds = monthly(factory, NAME, 2, rows_of)
    from portal.datasets.storage import sha256_bytes
    from portal.extensions import db
    for release in ds.releases:  # the header without kode/jumlah: a list of places, not counts
        path = factory.storage.published_dir(NAME, release.version) / f"data/{NAME}.csv"
        content = path.read_bytes().replace(b"kode,kategori,jumlah", b"jenis,bentuk,luas", 1)
        path.write_bytes(content)
        release.file(f"{NAME}.csv").sha256 = sha256_bytes(content)
    db.session.commit()
    page = client.get(f"/dataset/{NAME}")
    assert page.status_code == 200 and 'id="tren"' not in page.get_data(as_text=True)


def test_every_trend_chart_is_an_image_with_a_title_and_a_table(client, factory):
    monthly(factory, "penduduk-dan-keluarga", 3, _population)
    for url in ("/dataset/penduduk-dan-keluarga", "/desa/51.02.01.2001", "/kecamatan/51.02.01", "/dasbor"):
        page = client.get(url).get_data(as_text=True)
        charts = re.findall(r'<svg role="img" aria-labelledby="(tren[^" ]*)-title \1-desc"', page)
        assert charts, url
        for chart in charts:
            assert page.count(f'id="{chart}-title"') == 1 and page.count(f'id="{chart}-desc"') == 1
        assert page.count('<svg class="trend"') == 0 and page.count("Angka tren dalam tabel") == len(charts)


def _harvested(dataset, runs: dict) -> None:
    """Mark each version of ``dataset`` as drafted by the harvest of its reference date."""
    for release in dataset.releases:
        release.harvest_id = runs[release.reference_date].id
    db.session.commit()


def test_a_harvest_that_brought_a_dataset_no_version_is_named_under_its_trend(client, factory):
    runs = {}
    for month in (1, 2, 3):
        run = HarvestRun(source="ekspor", source_kind="csv", reference_date=date(2026, month, 1), status="ok")
        db.session.add(run)
        runs[run.reference_date] = run
    db.session.flush()
    _harvested(monthly(factory, NAME, 3), runs)  # a version every month
    _harvested(monthly(factory, "agama-ditahan", 2), runs)  # none in March
    monthly(factory, "agama-unggahan", 1)  # uploaded by an OPD: no harvest drafted it
    assert "tren-tanpa-versi" not in _section(client.get(f"/dataset/{NAME}").get_data(as_text=True))
    kept = _section(client.get("/dataset/agama-ditahan").get_data(as_text=True))
    note = re.search(r'<p class="muted" id="tren-tanpa-versi">(.*?)</p>', kept, re.S).group(1)
    assert "01-03-2026" in note and "01-02-2026" not in note and "lapisan privasi" in note
    assert "tren-tanpa-versi" not in _section(client.get("/dataset/agama-unggahan").get_data(as_text=True))
