"""Counting the catalogue's tables (portal/statistics/compute.py) on small frames built by hand.

The frames are what the privacy policy hands to the counting: minimised residents (desa as
``config_id``, ``sex``, ``status_dasar``, ``umur`` on the reference date, code columns) and
minimised families (``config_id``, the head's sex as ``kepala_sex``, ``aktif``). Every number
asserted below is counted by hand from the rows written here.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from portal.privacy.policy import minimise_residents
from portal.statistics.catalogue import CATALOGUE, UNFILLED_CODE, get_spec
from portal.statistics.compute import Tally, count_all, count_table, desa_frame

# Two desa of Kecamatan Selemadeg (51.02.01), with OpenSID's undotted codes and config ids 1 and 2.
CONFIG = pd.DataFrame({
    "id": ["1", "2"],
    "kode_desa": ["5102012001", "5102012002"],
    "nama_desa": [" Bajera ", "Wanagiri"],
    "kode_kecamatan": ["510201", "510201"],
    "nama_kecamatan": ["Selemadeg", "Selemadeg"],
})
BAJERA, WANAGIRI = "51.02.01.2001", "51.02.01.2002"
ALIVE, DEAD = "1", "2"
MALE, FEMALE = "1", "2"
# Every residents' column a table of the catalogue counts: left empty ("not filled") unless a test says.
CODE_COLUMNS = [spec.column for spec in CATALOGUE if spec.unit == "penduduk" and spec.column]


def residents(*rows: dict) -> pd.DataFrame:
    """Minimised residents: each row gives what differs from a living man of 30 in Bajera."""
    base = {**dict.fromkeys(CODE_COLUMNS, ""),
            "config_id": "1", "sex": MALE, "status_dasar": ALIVE, "umur": 30, "status_kawin": "1",
            "agama_id": "4", "hamil": "", "cara_kb_id": "", "status_rekam": "3", "akta_lahir": "1"}
    frame = pd.DataFrame([{**base, **row} for row in rows], columns=list(base))
    frame["umur"] = frame["umur"].astype("Int64")
    return frame


def families(*rows: dict) -> pd.DataFrame:
    """Minimised families: each row gives what differs from an active family in Bajera headed by a man."""
    base = {"config_id": "1", "kepala_sex": MALE, "aktif": True, "kelas_sosial": "2"}
    frame = pd.DataFrame([{**base, **row} for row in rows], columns=list(base))
    frame["aktif"] = frame["aktif"].astype(bool)
    return frame


def counts(table, kode_desa: str, kategori: str) -> tuple[int, int, int]:
    """(jumlah, laki_laki, perempuan) of one desa and category of a counted table."""
    frame = table.frame
    row = frame[(frame["kode_desa"] == kode_desa) & (frame["kategori"] == kategori)]
    assert len(row) == 1, (kode_desa, kategori)
    return tuple(int(row[c].iloc[0]) for c in ("jumlah", "laki_laki", "perempuan"))


@pytest.fixture
def desa() -> pd.DataFrame:
    """The two desa as the counting sees them."""
    return desa_frame(CONFIG)


def test_desa_frame_dots_the_codes_trims_names_and_is_indexed_by_config_id(desa):
    assert desa.index.tolist() == ["1", "2"]
    assert desa["kode_desa"].tolist() == [BAJERA, WANAGIRI]
    assert desa["kode_kecamatan"].tolist() == ["51.02.01", "51.02.01"]
    assert desa["nama_desa"].tolist() == ["Bajera", "Wanagiri"]


def test_living_residents_and_active_families_per_desa_by_sex(desa):
    people = residents(
        {}, {}, {"sex": FEMALE},                       # Bajera: two men, one woman
        {"status_dasar": DEAD},                        # died: not a resident any more
        {"status_dasar": "3", "sex": FEMALE},          # moved away
        {"config_id": "2", "sex": FEMALE},             # Wanagiri: one woman
    )
    homes = families(
        {}, {"kepala_sex": FEMALE},                    # Bajera: one headed by a man, one by a woman
        {"aktif": False},                              # the head has died: not an active family
        {"config_id": "2", "kepala_sex": FEMALE},
    )
    table = count_table(get_spec("penduduk-dan-keluarga"), people, homes, desa)
    assert counts(table, BAJERA, "PENDUDUK") == (3, 2, 1)
    assert counts(table, BAJERA, "KELUARGA") == (2, 1, 1)
    assert counts(table, WANAGIRI, "PENDUDUK") == (1, 0, 1)
    assert counts(table, WANAGIRI, "KELUARGA") == (1, 0, 1)


def test_each_living_resident_falls_in_exactly_one_age_group(desa):
    ages = [0, 1, 2, 4, 5, 9, 74, 75, 103]
    people = pd.concat([residents(*({"umur": a} for a in ages)),
                        residents({"umur": 40, "status_dasar": DEAD})], ignore_index=True)
    people.loc[len(people)] = people.iloc[0]
    people.loc[len(people) - 1, "umur"] = pd.NA  # no valid birth date: no age group
    table = count_table(get_spec("penduduk-menurut-kelompok-umur"), people, families(), desa)
    expected = {"DI BAWAH 1 TAHUN": 2, "2 S/D 4 TAHUN": 2, "5 S/D 9 TAHUN": 2, "70 S/D 74 TAHUN": 1,
                "DI ATAS 75 TAHUN": 2}
    for kategori, jumlah in expected.items():
        assert counts(table, BAJERA, kategori) == (jumlah, jumlah, 0), kategori
    bajera = table.frame[table.frame["kode_desa"] == BAJERA]
    assert bajera["jumlah"].sum() == len(ages)  # neither the dead nor the undated are counted
    assert UNFILLED_CODE not in bajera["kode"].tolist()  # age groups have no "not filled" row


def test_the_reference_date_decides_the_age_group(desa):
    # Minimised by the privacy policy as a harvest does: birth dates become ages on the day.
    raw = pd.DataFrame({
        "id": ["1", "2", "3", "4"], "config_id": ["1"] * 4, "sex": [FEMALE, FEMALE, MALE, MALE],
        "status_dasar": [ALIVE] * 4, "status_kawin": ["1"] * 4,
        "tanggallahir": ["2021-11-01", "2021-11-02", "1951-11-01", "1951-11-02"],
    })
    people, _ = minimise_residents(raw, date(2026, 11, 1))
    table = count_table(get_spec("penduduk-menurut-kelompok-umur"), people, families(), desa)
    assert counts(table, BAJERA, "5 S/D 9 TAHUN") == (1, 0, 1)  # fifth birthday on the reference date
    assert counts(table, BAJERA, "2 S/D 4 TAHUN") == (1, 0, 1)  # fifth birthday the day after
    assert counts(table, BAJERA, "DI ATAS 75 TAHUN") == (1, 1, 0)  # 75 on the reference date
    assert counts(table, BAJERA, "70 S/D 74 TAHUN") == (1, 1, 0)  # 75 the day after


def test_age_categories_of_opensid(desa):
    people = residents({"umur": 5}, {"umur": 6}, {"umur": 17, "sex": FEMALE}, {"umur": 18}, {"umur": 31})
    table = count_table(get_spec("penduduk-menurut-kategori-umur"), people, families(), desa)
    assert counts(table, BAJERA, "BALITA") == (1, 1, 0)
    assert counts(table, BAJERA, "ANAK-ANAK") == (2, 1, 1)
    assert counts(table, BAJERA, "DEWASA") == (1, 1, 0)
    assert counts(table, BAJERA, "TUA") == (1, 1, 0)


def test_an_empty_or_unknown_code_is_counted_as_not_filled(desa):
    people = residents({"agama_id": "4"}, {"agama_id": "1", "sex": FEMALE}, {"agama_id": ""},
                       {"agama_id": "99", "sex": FEMALE})
    table = count_table(get_spec("penduduk-menurut-agama"), people, families(), desa)
    assert counts(table, BAJERA, "HINDU") == (1, 1, 0)
    assert counts(table, BAJERA, "ISLAM") == (1, 0, 1)
    assert counts(table, BAJERA, "BELUM MENGISI") == (2, 1, 1)
    assert counts(table, WANAGIRI, "BELUM MENGISI") == (0, 0, 0)


def test_every_desa_has_every_category_even_when_nobody_is_counted(desa):
    table = count_table(get_spec("penduduk-menurut-agama"), residents({}), families(), desa)
    frame = table.frame
    assert len(frame) == 2 * len(table.categories)
    wanagiri = frame[frame["kode_desa"] == WANAGIRI]
    assert wanagiri["kategori"].tolist() == [c.label for c in table.categories]
    assert wanagiri["jumlah"].sum() == 0
    assert wanagiri["kategori"].iloc[-1] == "BELUM MENGISI"  # last, after the codes in order


def test_tables_count_only_their_population(desa):
    people = residents(
        {"sex": FEMALE, "hamil": "1", "status_kawin": "2", "cara_kb_id": "1"},
        {"sex": FEMALE, "hamil": "2", "status_kawin": "1", "cara_kb_id": "3"},  # not married: no KB count
        {"sex": MALE, "hamil": "1", "status_kawin": "2", "cara_kb_id": "4"},     # a man: no pregnancy count
    )
    pregnancy = count_table(get_spec("status-kehamilan"), people, families(), desa)
    assert counts(pregnancy, BAJERA, "Hamil") == (1, 0, 1)
    assert counts(pregnancy, BAJERA, "Tidak Hamil") == (1, 0, 1)
    contraception = count_table(get_spec("akseptor-kb"), people, families(), desa)
    assert counts(contraception, BAJERA, "Pil") == (1, 0, 1)
    assert counts(contraception, BAJERA, "Suntik") == (0, 0, 0)
    assert counts(contraception, BAJERA, "Kondom") == (1, 1, 0)


def test_id_card_table_counts_residents_of_17_or_ever_married(desa):
    people = residents({"umur": 16}, {"umur": 17}, {"umur": 15, "status_kawin": "2", "sex": FEMALE},
                       {"umur": 16, "status_kawin": "4", "sex": FEMALE}, {"umur": pd.NA})
    table = count_table(get_spec("kepemilikan-ktp"), people, families(), desa)
    bajera = table.frame[table.frame["kode_desa"] == BAJERA]
    assert (bajera["jumlah"].sum(), bajera["laki_laki"].sum(), bajera["perempuan"].sum()) == (3, 1, 2)


def test_birth_certificate_flag_has_no_not_filled_row(desa):
    people = residents({"akta_lahir": "1"}, {"akta_lahir": "2", "sex": FEMALE}, {"akta_lahir": "2"})
    table = count_table(get_spec("kepemilikan-akta-kelahiran"), people, families(), desa)
    assert counts(table, BAJERA, "MEMILIKI AKTA KELAHIRAN") == (1, 1, 0)
    assert counts(table, BAJERA, "BELUM MEMILIKI AKTA KELAHIRAN") == (2, 1, 1)
    assert [c.label for c in table.categories] == ["MEMILIKI AKTA KELAHIRAN", "BELUM MEMILIKI AKTA KELAHIRAN"]


def test_families_by_welfare_class_and_the_heads_sex(desa):
    homes = families({"kelas_sosial": "1"}, {"kelas_sosial": "1", "kepala_sex": FEMALE},
                     {"kelas_sosial": "1", "aktif": False}, {"kelas_sosial": "4", "config_id": "2"})
    table = count_table(get_spec("keluarga-menurut-kelas-sosial"), residents({}), homes, desa)
    assert counts(table, BAJERA, "Keluarga Pra Sejahtera") == (2, 1, 1)
    assert counts(table, WANAGIRI, "Sejahtera III") == (1, 1, 0)
    assert table.frame["jumlah"].sum() == 3


def test_a_resident_of_an_unknown_desa_or_sex_is_not_counted(desa):
    people = residents({}, {"config_id": "9"}, {"sex": ""}, {"sex": "3"})
    table = count_table(get_spec("penduduk-dan-keluarga"), people, families(), desa)
    assert counts(table, BAJERA, "PENDUDUK") == (1, 1, 0)
    assert table.frame[table.frame["kategori"] == "PENDUDUK"]["jumlah"].sum() == 1


def test_counting_in_chunks_gives_the_same_tables_as_counting_at_once(desa):
    rng = np.random.default_rng(3)
    n = 500
    people = residents(*({"config_id": str(rng.integers(1, 3)), "sex": str(rng.integers(1, 3)),
                          "umur": int(rng.integers(0, 90)), "status_kawin": str(rng.integers(1, 5)),
                          "pekerjaan_id": str(rng.integers(0, 12)),
                          "status_dasar": str(rng.choice(["1", "1", "1", "2"]))} for _ in range(n)))
    homes = families(*({"config_id": str(rng.integers(1, 3)), "kepala_sex": str(rng.integers(1, 3))}
                       for _ in range(40)))
    whole = count_all(CATALOGUE, people, homes, desa)
    tally = Tally(CATALOGUE, desa)
    for start in range(0, n, 128):
        tally.add_residents(people.iloc[start:start + 128])
    tally.add_families(homes)
    for at_once, chunked in zip(whole, tally.tables()):
        pd.testing.assert_frame_equal(at_once.frame, chunked.frame, obj=at_once.spec.name)
    alive = int((people["status_dasar"] == ALIVE).sum())
    units = whole[0].frame
    assert units[units["kategori"] == "PENDUDUK"]["jumlah"].sum() == alive
