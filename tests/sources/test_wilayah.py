"""Region reference: loading Kabupaten Tabanan from the bundled Kemendagri table."""
from __future__ import annotations

import pytest

from portal.sources.wilayah import WILAYAH_CSV, District, dotted, load_district, undotted

# Kecamatan of Tabanan (51.02) and their number of desa, Kepmendagri 300.2.2-2138/2025.
TABANAN_KECAMATAN = {
    "51.02.01": ("Selemadeg", 10),
    "51.02.02": ("Selemadeg Timur", 10),
    "51.02.03": ("Selemadeg Barat", 11),
    "51.02.04": ("Kerambitan", 15),
    "51.02.05": ("Tabanan", 12),
    "51.02.06": ("Kediri", 15),
    "51.02.07": ("Marga", 16),
    "51.02.08": ("Penebel", 18),
    "51.02.09": ("Baturiti", 12),
    "51.02.10": ("Pupuan", 14),
}


def test_tabanan_has_10_kecamatan_and_133_desa():
    district = load_district("51.02")
    assert isinstance(district, District)
    assert (district.kode, district.nama) == ("51.02", "Kabupaten Tabanan")
    assert (district.kode_provinsi, district.nama_provinsi) == ("51", "Bali")
    assert len(district.kecamatan) == 10
    assert len(district.desa) == 133
    got = {k.kode: (k.nama, len(k.desa)) for k in district.kecamatan}
    assert got == TABANAN_KECAMATAN


def test_desa_are_dotted_in_code_order_and_belong_to_their_kecamatan():
    district = load_district("51.02")
    codes = [d.kode for d in district.desa]
    assert codes == sorted(codes)
    assert (district.desa[0].kode, district.desa[0].nama) == ("51.02.01.2001", "Bajera")
    assert (district.desa[-1].kode, district.desa[-1].nama) == ("51.02.10.2014", "Sai")
    for kec in district.kecamatan:
        for desa in kec.desa:
            assert desa.kode_kecamatan == kec.kode
            assert desa.kode.startswith(kec.kode + ".")
            assert len(undotted(desa.kode)) == 10
    # Every Tabanan village is a desa (2xxx), none a kelurahan (1xxx).
    assert all(d.kode.split(".")[-1].startswith("2") for d in district.desa)


def test_dotted_and_undotted_codes_give_the_same_cached_district():
    assert load_district("5102") is load_district("51.02")
    assert load_district() is load_district("51.02")


@pytest.mark.parametrize(
    ("plain", "with_dots"),
    [("51", "51"), ("5102", "51.02"), ("510201", "51.02.01"), ("5102012001", "51.02.01.2001")],
)
def test_dotted_undotted_round_trip(plain, with_dots):
    assert undotted(with_dots) == plain
    assert dotted(plain) == with_dots
    assert dotted(with_dots) == with_dots


@pytest.mark.parametrize("bad", ["510", "51020120011", "5x02", ""])
def test_dotted_rejects_malformed_codes(bad):
    with pytest.raises(ValueError):
        dotted(bad)


@pytest.mark.parametrize("code", ["99.99", "51.98"])
def test_unknown_district_code_is_a_clear_error(code):
    with pytest.raises(ValueError, match="unknown"):
        load_district(code)


@pytest.mark.parametrize("code", ["51", "51.02.01", "5102012001", "Tabanan"])
def test_codes_that_are_not_a_kabupaten_are_rejected(code):
    with pytest.raises(ValueError, match="kabupaten/kota"):
        load_district(code)


def test_region_file_is_bundled_with_its_licence():
    assert WILAYAH_CSV.is_file()
    assert WILAYAH_CSV.read_text(encoding="utf-8").startswith("kode,nama\n")
    licence = (WILAYAH_CSV.parent / "LICENSE-wilayah.txt").read_text(encoding="utf-8")
    assert "cahyadsn/wilayah" in licence and "MIT" in licence and "300.2.2-2138" in licence
