"""Data quality per desa (portal/statistics/quality.py) and what of it may be published
(portal/privacy/quality.py), on small frames built by hand; every number is counted by hand.

NIK here are synthetic, assembled from their parts (never a real person's number).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from portal.privacy.quality import HIDDEN, protect_quality
from portal.statistics.catalogue import UNFILLED_CODE, get_spec
from portal.statistics.compute import StatTable, categories_for, desa_frame
from portal.statistics.identities import UNIT_TABLE
from portal.statistics.quality import (
    NIK_INVALID,
    NO_HEAD,
    SCORE,
    UNFILLED_BASE,
    WARNING_BASE,
    QualityTally,
    indicators,
    nik_valid,
    quality_frame,
    warning_kind,
    warnings_by_desa,
)

CONFIG = pd.DataFrame({"id": ["1", "2"], "kode_desa": ["5102012001", "5102012002"],
                       "nama_desa": ["Bajera", "Wanagiri"], "kode_kecamatan": ["510201", "510201"],
                       "nama_kecamatan": ["Selemadeg", "Selemadeg"]})
BAJERA, WANAGIRI = "51.02.01.2001", "51.02.01.2002"
REFERENCE = date(2026, 11, 1)
AGAMA = get_spec("penduduk-menurut-agama")
UNIT = get_spec(UNIT_TABLE)
CATALOGUE = (UNIT, AGAMA)  # a small catalogue: one counted field that may be left unfilled


def nik(prefix="5102", kecamatan="01", day="05", month="11", year="90", serial="0001") -> str:
    """A synthetic NIK from its parts."""
    return f"{prefix}{kecamatan}{day}{month}{year}{serial}"


@pytest.mark.parametrize("value", [
    nik(), nik(day="45"), nik(day="71", month="01"), nik(day="29", month="02"), nik(day="69", month="02"),
    f"  {nik()} ", nik(prefix="1101"),
])
def test_a_valid_nik_passes(value):
    assert nik_valid(pd.Series([value])).tolist() == [True]


@pytest.mark.parametrize("value", [
    "", None, np.nan, nik()[:15], nik() + "1", nik().replace("1", "a", 1), "5.102010511E+15",
    "0" + nik()[1:],              # OpenSID's temporary NIK
    nik(prefix="5199"),            # no such kabupaten in Bali
    nik(prefix="0000"), nik(kecamatan="00"),
    nik(day="00"), nik(day="32"), nik(day="40"), nik(day="72"), nik(day="30", month="02"),
    nik(day="31", month="04"), nik(month="00"), nik(month="13"), nik(serial="0000"),
    "5102-0105-1190-0001",
])
def test_an_invalid_nik_fails(value):
    assert nik_valid(pd.Series([value], dtype=object)).tolist() == [False]


def test_the_rule_reads_a_whole_column_at_once():
    values = pd.Series([nik(), "", nik(month="13"), nik(day="41")], index=[10, 11, 12, 13])
    assert nik_valid(values).tolist() == [True, False, False, True]


def _desa() -> pd.DataFrame:
    return desa_frame(CONFIG)


def test_the_tally_counts_living_residents_without_a_valid_nik_per_desa_over_chunks():
    tally = QualityTally(_desa(), REFERENCE)
    tally.add_residents(pd.DataFrame({
        "config_id": ["1", "1", "1", "2", "9"], "status_dasar": ["1", "1", "2", "1", "1"],
        "nik": [nik(), "0" + nik()[1:], "", nik(month="13"), ""],
        "updated_at": ["2026-03-02 10:00:00", "2026-05-01 08:00:00", "2026-12-24 00:00:00", "kemarin", ""]}))
    tally.add_residents(pd.DataFrame({"config_id": ["2"], "status_dasar": ["1"], "nik": [nik()],
                                      "updated_at": ["2026-06-30"]}))
    # Bajera: one living resident with a temporary NIK (the dead one and desa 9 do not count).
    assert tally.nik_invalid.tolist() == [1, 1]
    # The newest change up to the reference date; a date after it or unreadable is ignored.
    assert [c.strftime("%Y-%m") for c in tally.changed] == ["2026-05", "2026-06"]


def test_the_tally_counts_families_whose_head_is_not_a_resident():
    tally = QualityTally(_desa(), REFERENCE)
    tally.add_families(pd.DataFrame({"config_id": ["1", "1", "2", "2"],
                                     "kepala_sex": ["1", np.nan, np.nan, np.nan],
                                     "aktif": [True, False, False, False]}))
    assert tally.no_head.tolist() == [1, 2]


def test_warnings_are_sorted_into_kinds_by_desa():
    assert warning_kind("kode tidak dikenal (dihitung sebagai BELUM MENGISI)") == 1
    assert warning_kind("NIK harus 16 digit") == 2
    assert warning_kind("kepala keluarga tidak ada di tweb_penduduk (keluarga tidak dihitung)") == 6
    assert warning_kind("batas desa tidak valid") == 9  # any other warning
    by_desa = {(BAJERA, "NIK harus 16 digit"): 3, (BAJERA, "kode tidak dikenal (x)"): 2,
               (WANAGIRI, "kode tidak dikenal (y)"): 4, (WANAGIRI, "kode tidak dikenal (z)"): 1,
               ("", "nama desa berbeda"): 7, ("51.02.09.9999", "NIK harus 16 digit"): 1}
    assert warnings_by_desa(by_desa, _desa()) == {BAJERA: {2: 3, 1: 2}, WANAGIRI: {1: 5}}


def _table(spec, counts: dict[str, dict[int, int]]) -> StatTable:
    """A counted table: {desa: {kode: jumlah}} (men only, enough for these rules)."""
    cats = categories_for(spec)
    desa = _desa().set_index("kode_desa", drop=False)
    rows = []
    for kode_desa, by_code in counts.items():
        place = desa.loc[kode_desa]
        for cat in cats:
            n = by_code.get(cat.code, 0)
            rows.append({"kode_desa": kode_desa, "nama_desa": place["nama_desa"],
                         "kode_kecamatan": place["kode_kecamatan"], "nama_kecamatan": place["nama_kecamatan"],
                         "kode": cat.code, "kategori": cat.label, "jumlah": n, "laki_laki": n, "perempuan": 0})
    return StatTable(spec, cats, pd.DataFrame(rows))


def _protected(table: StatTable, hidden: set[tuple[str, int]]) -> pd.DataFrame:
    """The table as published, with the (desa, kode) cells named hidden as <NA>."""
    frame = table.frame.astype({"jumlah": object})
    for i, row in frame.iterrows():
        if (row["kode_desa"], row["kode"]) in hidden:
            frame.at[i, "jumlah"] = pd.NA
    return frame


def _world(nik_bad=(12, 2), no_head=(10, 1), people=(200, 9), families=(60, 3)):
    """Counted tables and a tally for Bajera (large) and Wanagiri (small), by hand."""
    unit = _table(UNIT, {BAJERA: {1: people[0], 2: families[0]}, WANAGIRI: {1: people[1], 2: families[1]}})
    agama = _table(AGAMA, {BAJERA: {1: 150, 4: 40, UNFILLED_CODE: 10},
                           WANAGIRI: {4: 7, UNFILLED_CODE: 2}})
    tally = QualityTally(_desa(), REFERENCE)
    tally.nik_invalid[:] = nik_bad
    tally.no_head[:] = no_head
    tally.changed = [pd.Timestamp("2026-10-15"), None]
    return unit, agama, tally


def _cell(frame: pd.DataFrame, desa: str, code: int) -> dict:
    return frame[(frame["kode_desa"] == desa) & (frame["kode"] == code)].iloc[0].to_dict()


def test_raw_counts_per_desa_and_indicator():
    unit, agama, tally = _world()
    raw = quality_frame([unit, agama], tally, {BAJERA: {2: 3}}, CATALOGUE)
    codes = [i.code for i in indicators(CATALOGUE)]
    assert len(raw) == 2 * len(codes)
    assert (_cell(raw, BAJERA, NIK_INVALID)["jumlah"], _cell(raw, BAJERA, NIK_INVALID)["penyebut"]) == (12, 200)
    assert (_cell(raw, BAJERA, NO_HEAD)["jumlah"], _cell(raw, BAJERA, NO_HEAD)["penyebut"]) == (10, 70)
    assert (_cell(raw, BAJERA, UNFILLED_BASE)["jumlah"], _cell(raw, BAJERA, UNFILLED_BASE)["penyebut"]) == (10, 200)
    assert _cell(raw, BAJERA, WARNING_BASE + 2)["jumlah"] == 3
    assert _cell(raw, WANAGIRI, WARNING_BASE + 2)["jumlah"] == 0
    assert _cell(raw, BAJERA, SCORE)["perubahan_terakhir"] == "2026-10"
    assert _cell(raw, WANAGIRI, SCORE)["perubahan_terakhir"] == ""


def test_published_counts_shares_and_score_of_a_large_desa():
    unit, agama, tally = _world()
    raw = quality_frame([unit, agama], tally, {BAJERA: {2: 3, 1: 40}}, CATALOGUE)
    published = protect_quality(raw, {UNIT.name: unit.frame, AGAMA.name: agama.frame}, UNIT.name,
                                CATALOGUE, k=5)
    nik_row = _cell(published, BAJERA, NIK_INVALID)
    assert (nik_row["jumlah"], nik_row["penyebut"], nik_row["persen"]) == (12, 200, 6.0)
    head = _cell(published, BAJERA, NO_HEAD)
    assert (head["jumlah"], head["penyebut"], head["persen"]) == (10, 70, 14.3)
    unfilled = _cell(published, BAJERA, UNFILLED_BASE)
    assert (unfilled["jumlah"], unfilled["penyebut"], unfilled["persen"]) == (10, 200, 5.0)
    # Warnings: a small count is hidden like any count; a warning has no share.
    assert _cell(published, BAJERA, WARNING_BASE + 2)["jumlah"] == HIDDEN
    assert _cell(published, BAJERA, WARNING_BASE + 1)["jumlah"] == 40
    assert _cell(published, BAJERA, WARNING_BASE + 1)["persen"] is None
    assert _cell(published, BAJERA, WARNING_BASE + 3)["jumlah"] == 0
    # score = 100 x (1 - mean(6.0 %, 14.3 %, 5.0 %)) from the three published shares.
    score = _cell(published, BAJERA, SCORE)
    assert (score["jumlah"], score["penyebut"]) == (3, 3)
    assert score["persen"] == pytest.approx(round(100 * (1 - (0.06 + 0.143 + 0.05) / 3), 1))


def test_small_counts_and_everything_derived_from_them_are_hidden():
    unit, agama, tally = _world()
    raw = quality_frame([unit, agama], tally, {}, CATALOGUE)
    # As protected: Wanagiri's population (9) published, its families (3) hidden, and its
    # BELUM MENGISI row of agama (2) hidden.
    published = protect_quality(
        raw, {UNIT.name: _protected(unit, {(WANAGIRI, 2)}),
              AGAMA.name: _protected(agama, {(WANAGIRI, UNFILLED_CODE)})}, UNIT.name, CATALOGUE, k=5)
    nik_row = _cell(published, WANAGIRI, NIK_INVALID)  # 2 of 9: small
    assert nik_row["jumlah"] == HIDDEN and nik_row["persen"] == HIDDEN and nik_row["penyebut"] == 9
    head = _cell(published, WANAGIRI, NO_HEAD)  # its denominator would give it away: hidden too
    assert head["jumlah"] == HIDDEN and head["penyebut"] == HIDDEN and head["persen"] == HIDDEN
    unfilled = _cell(published, WANAGIRI, UNFILLED_BASE)
    assert unfilled["jumlah"] == HIDDEN and unfilled["penyebut"] == HIDDEN and unfilled["persen"] == HIDDEN
    score = _cell(published, WANAGIRI, SCORE)
    assert score["jumlah"] == 0 and score["persen"] is None  # no published share: no score


def test_a_large_count_is_hidden_when_its_complement_or_denominator_is_hidden():
    unit, agama, tally = _world(nik_bad=(198, 9))
    raw = quality_frame([unit, agama], tally, {}, CATALOGUE)
    published = protect_quality(raw, {UNIT.name: _protected(unit, {(WANAGIRI, 1)}), AGAMA.name: agama.frame},
                                UNIT.name, CATALOGUE, k=5)
    # Bajera: 198 of 200 without a valid NIK tells that 2 have one (a small group): hidden.
    assert _cell(published, BAJERA, NIK_INVALID)["jumlah"] == HIDDEN
    # Wanagiri: its population is hidden, so no count that would bound it is published.
    row = _cell(published, WANAGIRI, NIK_INVALID)
    assert row["jumlah"] == HIDDEN and row["penyebut"] == HIDDEN


def test_an_unfilled_field_shows_exactly_the_published_cell_of_its_table():
    unit, agama, tally = _world()
    raw = quality_frame([unit, agama], tally, {}, CATALOGUE)
    # Another agama row of Bajera hidden: the count is still the table's own published cell,
    # but the denominator (the sum of the desa's rows) cannot be added up, so no share.
    published = protect_quality(raw, {UNIT.name: unit.frame, AGAMA.name: _protected(agama, {(BAJERA, 4)})},
                                UNIT.name, CATALOGUE, k=5)
    row = _cell(published, BAJERA, UNFILLED_BASE)
    assert row["jumlah"] == 10 and row["penyebut"] == HIDDEN and row["persen"] == HIDDEN
    # A table missing from the protected ones fails closed: hidden.
    alone = protect_quality(raw, {UNIT.name: unit.frame}, UNIT.name, CATALOGUE, k=5)
    assert _cell(alone, BAJERA, UNFILLED_BASE)["jumlah"] == HIDDEN


def test_the_threshold_never_falls_below_three():
    unit, agama, tally = _world(nik_bad=(2, 0))
    raw = quality_frame([unit, agama], tally, {}, CATALOGUE)
    published = protect_quality(raw, {UNIT.name: unit.frame, AGAMA.name: agama.frame}, UNIT.name,
                                CATALOGUE, k=1)
    assert _cell(published, BAJERA, NIK_INVALID)["jumlah"] == HIDDEN
    assert _cell(published, WANAGIRI, NIK_INVALID)["jumlah"] == 0  # zero is no small group
