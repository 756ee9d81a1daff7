"""The stunting convergence tables (OpenKab's quarterly scorecard), on hand-built posyandu rows."""
from __future__ import annotations

from datetime import date

import pandas as pd

from portal.privacy.policy import MinimisationReport, minimise_table
from portal.statistics.catalogue import (
    ANAK,
    ANAK_0_5,
    GIZI_KURANG,
    IBU,
    IBU_BERSALIN,
    IBU_RISIKO,
    STUNTING,
    STUNTING_TABLES,
)
from portal.statistics.identities import broken
from portal.statistics.stunting import count_stunting, report_quarter

REF = date(2026, 11, 1)  # last complete quarter: July-September 2026
DESA = pd.DataFrame({"kode_desa": ["51.02.01.2001", "51.02.01.2002"], "nama_desa": ["A", "B"],
                     "kode_kecamatan": "51.02.01", "nama_kecamatan": "K"}, index=["1", "2"])
A, B = DESA["kode_desa"]
MOTHER_ANSWERS = ("pemeriksaan_kehamilan", "konsumsi_pil_fe", "pemeriksaan_nifas", "konseling_gizi",
                  "kunjungan_rumah", "akses_air_bersih", "kepemilikan_jamban", "jaminan_kesehatan")
CHILD_ANSWERS = ("pemberian_imunisasi_dasar", "pengukuran_berat_badan", "pengukuran_tinggi_badan",
                 "konseling_gizi_ayah", "konseling_gizi_ibu", "kunjungan_rumah", "air_bersih",
                 "kepemilikan_jamban", "akta_lahir", "jaminan_kesehatan", "pengasuhan_paud")
# Residents: mothers 1-6 (women), children 11 (boy), 12 (girl), 13 (boy), 14 (girl).
PEOPLE = pd.DataFrame({"id": ["1", "2", "3", "4", "5", "6", "11", "12", "13", "14"],
                       "sex": ["2"] * 6 + ["1", "2", "1", "2"], "status_dasar": "1",
                       "config_id": ["1"] * 5 + ["2"] + ["1"] * 4})


def _minimised(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows as OpenSID exports them (every cell text), through the harvest boundary."""
    frame = pd.DataFrame(rows).fillna("").astype(str)
    return minimise_table(frame, table, MinimisationReport())


def _mother(row_id: int, kia: int, day: str, usia: int = 5, status: str = "1", born: str = "",
            desa: str = "1", **answers: int) -> dict:
    return {"id_ibu_hamil": row_id, "config_id": desa, "posyandu_id": 1, "kia_id": kia,
            "status_kehamilan": status, "usia_kehamilan": usia, "tanggal_melahirkan": born,
            "created_at": f"{day} 09:00:00", **{c: answers.get(c, 0) for c in MOTHER_ANSWERS}}


def _child(row_id: int, kia: int, day: str, umur: int, gizi: str = "1", tikar: str = "4",
           campak: str = "0", desa: str = "1", **answers: int) -> dict:
    return {"id_bulanan_anak": row_id, "config_id": desa, "posyandu_id": 1, "kia_id": kia,
            "status_gizi": gizi, "umur_bulan": umur, "status_tikar": tikar,
            "pemberian_imunisasi_campak": campak, "berat_badan": "7.5", "tinggi_badan": "66.0",
            "created_at": f"{day} 09:00:00", **{c: answers.get(c, 0) for c in CHILD_ANSWERS}}


KIA = [  # id, desa, ibu_id, anak_id (empty before the birth)
    {"id": 1, "config_id": "1", "no_kia": "KIA-1", "ibu_id": 1, "anak_id": ""},
    {"id": 2, "config_id": "1", "no_kia": "KIA-2", "ibu_id": 2, "anak_id": ""},
    {"id": 3, "config_id": "1", "no_kia": "KIA-3", "ibu_id": 3, "anak_id": ""},
    {"id": 4, "config_id": "1", "no_kia": "KIA-4", "ibu_id": 4, "anak_id": ""},
    {"id": 5, "config_id": "2", "no_kia": "KIA-5", "ibu_id": 6, "anak_id": ""},
    {"id": 11, "config_id": "1", "no_kia": "KIA-11", "ibu_id": 5, "anak_id": 11},
    {"id": 12, "config_id": "1", "no_kia": "KIA-12", "ibu_id": 5, "anak_id": 12},
    {"id": 13, "config_id": "1", "no_kia": "KIA-13", "ibu_id": 5, "anak_id": 13},
    {"id": 14, "config_id": "1", "no_kia": "KIA-14", "ibu_id": 5, "anak_id": 14},
    {"id": 15, "config_id": "1", "no_kia": "KIA-15", "ibu_id": 5, "anak_id": ""},
]
MOTHERS = [
    # 1: trimester 3 (8 months), one check only -> pemeriksaan T; one pill -> Y; counselling twice -> Y.
    _mother(1, 1, "2026-07-10", usia=7, pemeriksaan_kehamilan=1, konsumsi_pil_fe=1, konseling_gizi=1,
            akses_air_bersih=1),
    _mother(2, 1, "2026-08-10", usia=8, konseling_gizi=1, kepemilikan_jamban=1),
    # 2: trimester 2, one check -> Y; high risk (2) and a home visit -> kunjungan Y.
    _mother(3, 2, "2026-08-12", usia=4, status="2", pemeriksaan_kehamilan=1, kunjungan_rumah=1),
    # 3: normal, a home visit does not count (only KEK / high risk are visited for the indicator).
    _mother(4, 3, "2026-09-01", usia=2, kunjungan_rumah=1, jaminan_kesehatan=1),
    # 4: delivered: pemeriksaan etc. TS; three postnatal checks -> nifas Y.
    _mother(5, 4, "2026-07-02", usia=9, born="2026-07-01", status="3", pemeriksaan_nifas=1),
    _mother(6, 4, "2026-07-20", usia=9, born="2026-07-01", status="3", pemeriksaan_nifas=1),
    _mother(7, 4, "2026-08-10", usia=9, born="2026-07-01", status="3", pemeriksaan_nifas=1),
    # 5: desa B, normal, trimester 1.
    _mother(8, 5, "2026-09-30", usia=3, desa="2", pemeriksaan_kehamilan=1),
    # Not counted: before the quarter, after it, status empty (not a scorecard row).
    _mother(9, 2, "2026-06-30", usia=3, pemeriksaan_kehamilan=1),
    _mother(10, 2, "2026-10-02", usia=6, status="3"),
    _mother(11, 3, "2026-08-01", usia=3, status="", konsumsi_pil_fe=1),
]
CHILDREN = [
    # 11 (boy): 20 months at most -> category 4; 15 weighings in all, 14 of them before the
    # quarter (any date counts) -> berat Y; counselling 2 -> T; basic and measles given (2) -> Y.
    *[_child(100 + m, 11, f"2025-{m:02d}-15", umur=m + 5, pengukuran_berat_badan=1) for m in range(1, 13)],
    _child(113, 11, "2026-01-15", umur=18, pengukuran_berat_badan=1),
    _child(114, 11, "2026-02-15", umur=19, pengukuran_berat_badan=1),
    _child(115, 11, "2026-08-15", umur=20, gizi="4", tikar="2", campak="2", pemberian_imunisasi_dasar=1,
           pengukuran_berat_badan=1, pengukuran_tinggi_badan=1, konseling_gizi_ibu=1, kunjungan_rumah=1),
    _child(116, 11, "2026-09-15", umur=20, gizi="4", tikar="3", konseling_gizi_ibu=1, kunjungan_rumah=1,
           akta_lahir=1),
    # 12 (girl): 8 months -> category 2 with umur <= 9: basic immunisation alone -> Y;
    # measles "1" (Belum) would not count anyway; weighed 4 times -> T (needs 5).
    *[_child(200 + m, 12, f"2026-0{m}-10", umur=m + 1, pengukuran_berat_badan=1) for m in range(4, 8)],
    _child(208, 12, "2026-08-10", umur=8, gizi="2", tikar="4", campak="1", pemberian_imunisasi_dasar=1),
    # 13 (boy): 3 months -> category 1: imunisasi, berat, konseling, PAUD are TS.
    _child(300, 13, "2026-07-05", umur=3, tikar="1", pengukuran_tinggi_badan=0, air_bersih=1),
    # 14 (girl): 11 months, basic immunisation but measles not given -> category 2, umur > 9 -> T.
    _child(400, 14, "2026-09-05", umur=11, campak="1", pemberian_imunisasi_dasar=1,
           pengukuran_tinggi_badan=1),
    # Not counted: a card without a child, a card that does not exist, an age outside 0-23,
    # a TIKAR code outside the list, a record after the reference date.
    _child(500, 15, "2026-08-01", umur=4),
    _child(501, 99, "2026-08-01", umur=4),
    _child(502, 14, "2026-08-01", umur=30),
    _child(503, 14, "2026-08-02", umur=10, tikar="9"),
    _child(504, 12, "2026-12-01", umur=12, tikar="2"),
]


def _tables() -> dict[str, pd.DataFrame]:
    frames = {"kia": _minimised("kia", KIA), "ibu_hamil": _minimised("ibu_hamil", MOTHERS),
              "bulanan_anak": _minimised("bulanan_anak", CHILDREN)}
    counted = count_stunting(STUNTING_TABLES, frames, PEOPLE, DESA, REF)
    return {t.spec.name: t.frame for t in counted}


def _cell(frame: pd.DataFrame, desa: str, kode: int) -> tuple[int, int, int]:
    row = frame[(frame["kode_desa"] == desa) & (frame["kode"] == kode)].iloc[0]
    return int(row["jumlah"]), int(row["laki_laki"]), int(row["perempuan"])


def test_the_quarter_is_the_last_complete_one():
    assert report_quarter(date(2026, 11, 1)) == (2026, 3)
    assert report_quarter(date(2026, 9, 30)) == (2026, 3)
    assert report_quarter(date(2026, 9, 29)) == (2026, 2)
    assert report_quarter(date(2026, 2, 1)) == (2025, 4)


def test_the_boundary_keeps_no_name_number_or_date():
    kia, mothers = _minimised("kia", KIA), _minimised("ibu_hamil", MOTHERS)
    assert "no_kia" not in kia.columns
    assert {"created_at", "tanggal_melahirkan"}.isdisjoint(mothers.columns)
    assert set(mothers["bulan_periksa"]) >= {"2026-07", "2026-09"} and set(mothers["bersalin"]) == {"", "1"}


def test_targets_count_each_card_once_in_the_desa_of_its_rows():
    targets = _tables()["konvergensi-stunting-sasaran"]
    assert _cell(targets, A, IBU) == (4, 0, 4)          # cards 1-4; card 2's June/October rows aside
    assert _cell(targets, B, IBU) == (1, 0, 1)
    assert _cell(targets, A, IBU_RISIKO) == (2, 0, 2)   # card 2 (risti) and card 4 (KEK)
    assert _cell(targets, A, IBU_BERSALIN) == (1, 0, 1)
    assert _cell(targets, A, ANAK) == (4, 2, 2)         # children 11-14, by their own sex
    assert _cell(targets, A, ANAK_0_5) == (1, 1, 0)     # child 13
    assert _cell(targets, A, STUNTING) == (1, 1, 0)     # child 11's last status
    assert _cell(targets, A, GIZI_KURANG) == (1, 0, 1)  # child 12
    assert _cell(targets, B, ANAK) == (0, 0, 0)


def test_tikar_counts_the_last_row_of_the_quarter():
    tikar = _tables()["konvergensi-stunting-tikar"]
    # 11: red in August, yellow in September -> yellow; 12 green; 13 not measured; 14 green.
    assert [_cell(tikar, A, code)[0] for code in (1, 2, 3, 4)] == [1, 0, 1, 2]


def test_each_service_follows_the_scorecard_rules():
    services = _tables()["konvergensi-stunting-layanan"]
    got = {code: _cell(services, A, code)[0] for code in (*range(1, 9), *range(11, 21))}
    assert got[1] == 1   # card 1 (trimester 3) has one check of two; card 2 one of one; card 3 none
    assert got[2] == 1   # card 1 took pills; card 3's pill row has no status
    assert got[3] == 1   # card 4: three postnatal checks
    assert got[4] == 1   # card 1: two counselling rows in trimester 3
    assert got[5] == 1   # card 2 (high risk) visited; card 3 (normal) visited but not counted
    assert (got[6], got[7], got[8]) == (1, 1, 1)
    assert got[11] == 2  # child 11 (dasar + measles given), 12 (<= 9 months: dasar); 14 not
    assert got[12] == 1  # child 11: 15 weighings up to the quarter's end; 12: four, needs five
    assert got[13] == 2  # children 11 and 14 measured
    assert got[14] == 0  # child 11 counselled twice, needs 15
    assert got[15] == 1  # child 11: two home visits
    assert (got[16], got[18]) == (1, 1)
    assert _cell(services, B, 1) == (1, 0, 1)


def test_the_tables_keep_their_declared_identities():
    assert broken(_tables()) == []


def test_a_row_with_a_code_outside_the_list_is_not_counted():
    base = _tables()
    extra = [*CHILDREN, _child(600, 11, "2026-08-20", umur=20, gizi="7")]  # code outside the list
    frames = {"kia": _minimised("kia", KIA), "ibu_hamil": _minimised("ibu_hamil", MOTHERS),
              "bulanan_anak": _minimised("bulanan_anak", extra)}
    again = {t.spec.name: t.frame for t in count_stunting(STUNTING_TABLES, frames, PEOPLE, DESA, REF)}
    for name, frame in base.items():
        pd.testing.assert_frame_equal(frame, again[name])


def test_an_unknown_column_of_a_stunting_table_is_dropped_as_a_direct_identifier():
    rows = pd.DataFrame([_child(1, 11, "2026-08-01", umur=4)]).astype(str).assign(catatan_bidan="rujuk ke RS")
    report = MinimisationReport()
    kept = minimise_table(rows, "bulanan_anak", report)
    assert "catatan_bidan" not in kept.columns and report.dropped_unknown == ["bulanan_anak.catatan_bidan"]
    assert {"berat_badan", "status_gizi"} <= set(kept.columns) and "created_at" not in kept.columns
