"""Choropleth maps drawn on the server from the published desa boundaries: hidden cells drawn
as hidden (never as zero), every desa a keyboard-reachable link naming its value, a table
alternative, SVG downloads that name their dataset and version, nothing fetched from outside."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from portal.catalog import maps
from portal.datasets import geo
from tests.support.maps import TABANAN, demo_features, desa_row, publish_boundaries, publish_table

SVG = "{http://www.w3.org/2000/svg}"
KEC = "51.02.01"
HIDDEN, ABSENT, POINT = "51.02.01.2002", "51.02.01.2003", "51.02.01.2010"
POPULATION = "penduduk-dan-keluarga"
RELIGION = "penduduk-menurut-agama"


def _people(kode: str) -> int:
    return 1000 + 10 * int(kode[-2:])


@pytest.fixture
def world(app):
    """Boundaries of all 133 desa (one drawn as its point), population of kecamatan Selemadeg
    (one desa hidden, one without a row), religion for two desa (one cell hidden)."""
    features = demo_features()
    for feature in features:
        if feature["id"] == POINT:
            feature["geometry"] = {"type": "Point", "coordinates": [115.06, -8.31]}
            feature["properties"].update(geometri="titik", luas_km2=None)
    publish_boundaries(app, features, "1.2.0")
    rows = []
    for desa in (d for d in TABANAN.desa if d.kode_kecamatan == KEC and d.kode != ABSENT):
        people = "x" if desa.kode == HIDDEN else str(_people(desa.kode))
        rows += [desa_row(desa.kode, "1", "PENDUDUK", people), desa_row(desa.kode, "2", "KELUARGA", "300")]
    publish_table(app, POPULATION, "Jumlah Penduduk dan Keluarga per Desa", rows, "2.3.0")
    publish_table(app, RELIGION, "Penduduk menurut Agama", [
        desa_row("51.02.01.2001", "1", "ISLAM", "x"), desa_row("51.02.01.2001", "4", "HINDU", "900"),
        desa_row("51.02.01.2004", "1", "ISLAM", "20"), desa_row("51.02.01.2004", "4", "HINDU", "500")], "1.4.0")
    return {f["id"]: f for f in features}


def _svg_in(html: str) -> ET.Element:
    """The first choropleth SVG of a page, parsed (it must be well-formed XML)."""
    found = re.search(r'<svg xmlns="http://www.w3.org/2000/svg"[^>]*class="choropleth".*?</svg>', html, re.S)
    assert found, "no map on the page"
    return ET.fromstring(found.group(0))


def _areas(svg: ET.Element) -> dict[str, ET.Element]:
    """The desa links of a map by desa code."""
    return {a.get("href").rsplit("/", 1)[-1]: a for a in svg.iter(f"{SVG}a")}


def _fill(anchor: ET.Element) -> str:
    shape = next(e for e in anchor if e.tag in (f"{SVG}path", f"{SVG}circle"))
    return shape.get("fill")


def test_dashboard_map_draws_hidden_as_hatched_never_as_zero(client, world):
    html = client.get("/dasbor").get_data(as_text=True)
    svg = _svg_in(html)
    areas = _areas(svg)
    assert set(areas) == set(world)  # every desa of the boundaries, each one link
    hidden = areas[HIDDEN]
    assert _fill(hidden) == "url(#peta-dasbor-arsir)"
    assert hidden.get("aria-label").endswith(": disembunyikan")
    assert hidden.find(f"{SVG}title").text == hidden.get("aria-label")
    absent = areas[ABSENT]
    assert _fill(absent) == maps.NO_DATA and absent.get("aria-label").endswith(": tidak ada data")
    shown = areas["51.02.01.2001"]
    assert shown.get("aria-label") == f"Bajera: {_people('51.02.01.2001'):,}".replace(",", ".")
    assert _fill(shown) in maps.PALETTE
    # The legend names the hatch; no hidden desa gets a colour of the scale (zero or other).
    legend = " ".join(t.text for t in svg.iter(f"{SVG}text"))
    assert "disembunyikan untuk melindungi data pribadi (bukan nol)" in legend
    assert all(_fill(a) not in maps.PALETTE for a in areas.values()
               if a.get("aria-label").endswith("disembunyikan"))
    # The table alternative shows the hidden cell as x, not 0.
    table = html[html.index("Tabel peta"):]
    row = re.search(rf"{HIDDEN}</td>.*?</tr>", table, re.S).group(0)
    assert 'class="suppressed"' in row and ">x</abbr>" in row and ">0<" not in row


def test_every_desa_is_a_keyboard_reachable_link_with_its_name_and_value(client, world):
    svg = _svg_in(client.get("/dasbor").get_data(as_text=True))
    for kode, anchor in _areas(svg).items():
        assert anchor.get("href") == f"/desa/{kode}"  # an <a href> is in the tab order
        name = world[kode]["properties"]["nama_desa"]
        assert anchor.get("aria-label").startswith(f"{name}: ")
    # The desa drawn as its point is a circle, still a link.
    point = _areas(svg)[POINT]
    assert point.find(f"{SVG}circle") is not None


def test_density_uses_the_boundary_area_and_a_point_has_none(client, world):
    svg = _svg_in(client.get("/dasbor?peta=kepadatan").get_data(as_text=True))
    areas = _areas(svg)
    kode = "51.02.01.2004"
    expected = _people(kode) / world[kode]["properties"]["luas_km2"]
    shown = areas[kode].get("aria-label").split(": ")[1]
    assert shown == maps.fmt(expected, "orang/km²")
    assert areas[POINT].get("aria-label").endswith("tidak ada data")  # no area, no density
    assert areas[HIDDEN].get("aria-label").endswith("disembunyikan")


def test_dataset_page_maps_a_chosen_category_as_count_or_share_without_script(client, world):
    page = client.get(f"/dataset/{RELIGION}?peta_kategori=4&peta_ukuran=persen").get_data(as_text=True)
    assert 'name="peta_kategori"' in page and 'name="peta_ukuran"' in page  # a plain GET form
    areas = _areas(_svg_in(page))
    share = 100 * 500 / _people("51.02.01.2004")
    assert areas["51.02.01.2004"].get("aria-label").endswith(maps.fmt(share, "%"))
    count = _areas(_svg_in(client.get(f"/dataset/{RELIGION}?peta_kategori=1").get_data(as_text=True)))
    assert count["51.02.01.2001"].get("aria-label").endswith("disembunyikan")  # hidden, never 0
    assert count["51.02.01.2004"].get("aria-label").endswith(": 20")


@pytest.mark.parametrize("query", ["peta_kategori=999", "peta_kategori=%3Cscript%3E",
                                   "peta_ukuran=%3Cscript%3Ealert(1)%3C/script%3E",
                                   "peta_kategori=" + "9" * 5000, "peta_ukuran=persen&peta_kategori="])
def test_bad_map_parameters_fall_back_to_the_first_category_as_a_count(client, world, query):
    response = client.get(f"/dataset/{RELIGION}?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page
    areas = _areas(_svg_in(page))
    assert areas["51.02.01.2004"].get("aria-label").endswith((": 20", "%"))
    svg = client.get(f"/dataset/{RELIGION}/version/1.4.0/peta.svg?{query}")
    assert svg.status_code == 200 and b"<script" not in svg.data


def test_kecamatan_map_shows_only_its_desa(client, world):
    svg = _svg_in(client.get(f"/kecamatan/{KEC}").get_data(as_text=True))
    assert set(_areas(svg)) == {d.kode for d in TABANAN.desa if d.kode_kecamatan == KEC}


@pytest.mark.parametrize("url, dataset, version", [
    ("/dasbor/peta.svg?peta=kepadatan", POPULATION, "2.3.0"),
    (f"/kecamatan/{KEC}/peta.svg", POPULATION, "2.3.0"),
    (f"/dataset/{RELIGION}/version/1.4.0/peta.svg?peta_kategori=4&peta_ukuran=persen", RELIGION, "1.4.0"),
])
def test_svg_download_names_its_dataset_and_version(client, world, url, dataset, version):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = ET.fromstring(response.data)
    desc = svg.find(f"{SVG}desc").text
    assert f"({dataset}) versi {version}" in desc
    assert f"({geo.BOUNDARIES.name}) versi 1.2.0" in desc
    meta = svg.find(f"{SVG}metadata")
    found = {e.get(f"{{{maps.NAMESPACE}}}dataset"): e.get(f"{{{maps.NAMESPACE}}}versi") for e in meta}
    assert found[dataset] == version and found[geo.BOUNDARIES.name] == "1.2.0"
    assert svg.find(f"{SVG}title").text


def test_maps_fetch_nothing_from_outside(client, world):
    for url in ("/dasbor", f"/kecamatan/{KEC}", f"/dataset/{RELIGION}", "/dasbor/peta.svg"):
        body = client.get(url).get_data(as_text=True)
        section = body if url.endswith(".svg") else ET.tostring(_svg_in(body), encoding="unicode")
        assert "<script" not in section and "xlink:href" not in section
        links = re.findall(r'(?:href|src)="([^"]*)"', section)
        assert links and all(link.startswith(("/", "#")) for link in links)
        urls = set(re.findall(r"https?://[^\s\"'<>]+", section))
        assert urls <= {"http://www.w3.org/2000/svg"}


def test_without_published_boundaries_there_is_no_map_and_no_svg(client, app):
    publish_table(app, POPULATION, "Jumlah Penduduk", [desa_row("51.02.01.2001", "1", "PENDUDUK", "900")])
    assert 'class="choropleth"' not in client.get("/dasbor").get_data(as_text=True)
    assert client.get("/dasbor/peta.svg").status_code == 404
    assert client.get(f"/kecamatan/{KEC}/peta.svg").status_code == 404


def test_classes_never_mix_hidden_into_the_scale():
    bounds = maps.breaks([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    assert len(bounds) == len(maps.PALETTE) and bounds[-1] == 10.0
    assert maps.breaks([]) == [] and maps.breaks([3.0, 3.0]) == [3.0]
    assert maps.label(maps.Area("x", "Desa", None, hidden=True), "orang") == "disembunyikan"
    assert maps.label(maps.Area("x", "Desa", 0.0), "orang") == "0"
