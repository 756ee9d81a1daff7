"""The tables counted from OpenSID's optional tables (issue 16), on hand-built rows."""
from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from portal.harvest.pipeline import harvest_tables
from portal.privacy.policy import MinimisationReport, minimise_table
from portal.sources.checks import CheckReport
from portal.sources.tables import OPTIONAL_TABLES
from portal.sources.wilayah import load_district
from portal.statistics.catalogue import (
    AKHIR,
    AWAL,
    CATALOGUE,
    LAHIR,
    MATI,
    PINDAH,
    REGISTER_TABLES,
    get_spec,
    programme_code,
)
from portal.statistics.village import aid, drafted, households_by_class, monthly_people, moves_out, report_month

REF = date(2026, 11, 1)  # report month: October 2026
DESA = pd.DataFrame({"kode_desa": ["51.02.01.2001", "51.02.01.2002"], "nama_desa": ["A", "B"],
                     "kode_kecamatan": "51.02.01", "nama_kecamatan": "K"}, index=["1", "2"])


def _people(rows: list[tuple]) -> pd.DataFrame:
    """(id, sex, status_dasar, config_id, id_kk) rows as the harvest's residents frame."""
    frame = pd.DataFrame(rows, columns=["id", "sex", "status_dasar", "config_id", "id_kk"], dtype=str)
    frame["id_rtm"] = "0"
    return frame


def _logs(rows: list[tuple]) -> pd.DataFrame:
    """(id, id_pend, kode, tgl_lapor[, ref_pindah]) rows minimised at the boundary, as the harvest does."""
    frame = pd.DataFrame([(*r, *(("1",) if len(r) == 4 else ())) for r in rows],
                         columns=["id", "id_pend", "kode_peristiwa", "tgl_lapor", "ref_pindah"], dtype=str)
    frame["config_id"] = "1"
    frame["tgl_peristiwa"] = "2020-01-01 00:00:00"  # never the month that counts
    frame["catatan"] = "NIK 5102014501900001 ditulis operator"
    return minimise_table(frame, "log_penduduk", MinimisationReport())


def _row(table, desa: str, kode: int) -> tuple[int, int, int]:
    frame = table.frame
    row = frame[(frame["kode_desa"] == desa) & (frame["kode"] == kode)].iloc[0]
    return int(row["jumlah"]), int(row["laki_laki"]), int(row["perempuan"])


def test_the_report_month_is_the_last_complete_month():
    assert report_month(date(2026, 11, 1)) == "2026-10"
    assert report_month(date(2026, 10, 31)) == "2026-10"
    assert report_month(date(2026, 1, 15)) == "2025-12"


def test_monthly_report_follows_opensid_latest_log_and_report_date():
    people = _people([("1", "1", "1", "1", "1"), ("2", "2", "1", "1", "1"), ("3", "1", "2", "1", "1"),
                      ("4", "2", "1", "1", "1"), ("5", "1", "3", "1", "1"), ("6", "2", "6", "1", "1")])
    logs = _logs([
        ("10", "1", "5", "2026-01-05 10:00:00"),      # awal
        ("11", "2", "1", "2026-02-05"),               # awal (born before the month)
        ("12", "3", "5", "2026-03-05"),
        ("13", "3", "2", "2026-05-05"),               # died before the month: not awal
        ("14", "4", "1", "2026-10-02"),               # born, reported in the month
        ("15", "5", "5", "2026-01-05"),               # awal, then moved out in the month
        ("16", "5", "3", "2026-10-30", "4"),
        ("17", "6", "5", "2026-01-05"),
        ("18", "6", "6", "2026-04-05"),               # pergi: not reported, not awal
        ("19", "1", "2", "2026-11-01"),               # after the month: not counted yet
    ])
    table = monthly_people(get_spec("laporan-bulanan-penduduk"), logs, people, DESA, report_month(REF))
    a = "51.02.01.2001"
    assert _row(table, a, AWAL) == (3, 2, 1)
    assert _row(table, a, LAHIR) == (1, 0, 1)
    assert _row(table, a, MATI) == (0, 0, 0)
    assert _row(table, a, PINDAH) == (1, 1, 0)
    assert _row(table, a, AKHIR) == (3, 1, 2)
    assert _row(table, "51.02.01.2002", AKHIR) == (0, 0, 0)
    moves = moves_out(get_spec("rincian-pindah-keluar"), logs, people, DESA, report_month(REF))
    assert _row(moves, a, 4) == (1, 1, 0) and _row(moves, a, 1) == (0, 0, 0)


def test_the_boundary_keeps_only_the_month_of_a_log_row():
    logs = _logs([("1", "1", "1", "2026-10-02 08:00:00")])
    assert list(logs["bulan_lapor"]) == ["2026-10"]
    assert not {"tgl_lapor", "tgl_peristiwa", "catatan"} & set(logs.columns)
    assert "NIK" not in logs.to_csv()


def test_programme_names_become_codes_never_text():
    assert programme_code("PKH Tahap 2") == 1
    assert programme_code("Bantuan Pangan Non Tunai") == 2
    assert programme_code("BLT-DD 2026") == 3
    assert programme_code("Beasiswa Pak Kades", "Dana Desa") == 94
    assert programme_code("Bantuan", "") == 99
    frame = pd.DataFrame({"id": ["1"], "nama": ["Bantuan untuk I Made Contoh"], "sasaran": ["1"],
                          "sdate": [""], "edate": [""], "asaldana": ["Provinsi"], "ndesc": ["x"]})
    kept = minimise_table(frame, "program", MinimisationReport())
    assert "nama" not in kept.columns and "ndesc" not in kept.columns
    assert list(kept["kode_program"]) == [92]


def _programmes() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["1", "2", "3", "4"], "config_id": ["", "1", "1", "1"],
        "sasaran": ["2", "2", "2", "1"], "status": ["1", "1", "0", "1"],
        "sdate": ["2020-01-01", "2026-01-01", "2021-01-01", "2027-01-01"],
        "edate": ["2026-12-31", "2026-12-31", "2021-12-31", "2027-12-31"],
        "kode_program": [1, 1, 4, 5]})


def test_aid_counts_active_programmes_each_family_once_per_programme_and_only_the_living():
    people = _people([("1", "1", "1", "1", "100"), ("2", "2", "1", "1", "100"), ("3", "2", "1", "2", "200"),
                      ("4", "1", "2", "1", "300")])
    families = pd.DataFrame({"id": ["100", "200", "300"], "config_id": ["1", "2", "1"],
                             "kepala_sex": ["1", "2", "1"], "aktif": [True, True, False]})
    recipients = pd.DataFrame({
        "program_id": ["1", "2", "1", "1", "3", "4"],
        "kartu_id_pend": ["1", "2", "3", "4", "1", "1"]})
    table = aid(get_spec("penerima-bantuan-sosial-keluarga"), _programmes(), recipients, people, families,
                None, DESA, REF)
    # Family 100 in two PKH-coded programmes: once; family 300's head died: not counted;
    # the kabupaten-level programme counts in desa B; the expired BST and the future PBI: nothing.
    assert _row(table, "51.02.01.2001", 1) == (1, 1, 0)
    assert _row(table, "51.02.01.2002", 1) == (1, 0, 1)
    assert _row(table, "51.02.01.2001", 4) == (0, 0, 0)
    assert table.frame["jumlah"].sum() == 2


def test_households_by_the_welfare_class_of_the_head_s_family():
    people = _people([("1", "1", "1", "1", "100"), ("2", "2", "1", "1", "200"), ("3", "1", "2", "2", "300")])
    families = pd.DataFrame({"id": ["100", "200", "300"], "config_id": ["1", "1", "2"],
                             "kepala_sex": ["1", "2", "1"], "aktif": [True, True, False],
                             "kelas_sosial": ["1", "", "2"]})
    rtm = pd.DataFrame({"id": ["1", "2", "3"], "config_id": ["1", "1", "2"], "nik_kepala": ["1", "2", "3"],
                        "no_kk": ["51020120010001", "51020120010002", "51020120020001"]})
    table = households_by_class(get_spec("rumah-tangga-menurut-kelas-sosial"), rtm, people, families, DESA)
    assert _row(table, "51.02.01.2001", 1) == (1, 1, 0)
    assert _row(table, "51.02.01.2001", 777) == (1, 0, 1)
    assert table.frame["jumlah"].sum() == 2  # the dead head's household is not counted


def test_a_missing_table_warns_once_and_its_tables_are_not_drafted():
    report = CheckReport(optional=["program", "program_peserta"])
    specs = drafted(CATALOGUE, report, {"id", "sex", "status"})
    names = {s.name for s in specs}
    assert "laporan-bulanan-penduduk" not in names and "penerima-bantuan-sosial-keluarga" in names
    assert "kepesertaan-bpjs-ketenagakerjaan" not in names
    assert "penerima-bantuan-sosial-rumah-tangga" not in names
    tables = [p.table for p in report.warnings]
    assert tables.count("log_penduduk") == 1 and tables.count("log_keluarga") == 1
    log = next(p for p in report.warnings if p.table == "log_penduduk")
    assert "laporan-bulanan-penduduk" in log.message and "rincian-pindah-keluar" in log.message


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A small generated district with every optional table."""
    from portal.demogen.generator import generate_district

    out = tmp_path_factory.mktemp("village") / "export"
    generate_district(out, residents=1330, seed=5)
    return out


def test_a_generated_district_drafts_every_table_and_keeps_the_flow_identities(export):
    from portal.statistics.identities import broken

    harvested = harvest_tables(export, REF, load_district("51.02"))
    assert harvested.failure is None and harvested.report.errors == []
    assert sorted(t.spec.name for t in harvested.tables) == sorted(s.name for s in CATALOGUE)
    assert broken({t.spec.name: t.frame for t in harvested.tables}) == []
    monthly = next(t for t in harvested.tables if t.spec.name == "laporan-bulanan-penduduk").frame
    assert monthly.loc[monthly["kode"] == AWAL, "jumlah"].sum() > 1000


def test_an_older_export_without_the_optional_tables_harvests_with_warnings(export, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(export, old)
    for table in OPTIONAL_TABLES:
        (old / f"{table}.csv").unlink()
    people = pd.read_csv(old / "tweb_penduduk.csv", dtype=str, keep_default_na=False)
    people.drop(columns=["status", "bpjs_ketenagakerjaan"]).to_csv(old / "tweb_penduduk.csv", index=False)
    harvested = harvest_tables(old, REF, load_district("51.02"))
    assert harvested.failure is None and harvested.report.errors == []
    names = {t.spec.name for t in harvested.tables}
    assert names == {s.name for s in REGISTER_TABLES} - {"penduduk-menurut-status-penduduk",
                                                         "kepesertaan-bpjs-ketenagakerjaan"}
    missing = [p for p in harvested.report.warnings if "tidak dibuat" in p.message]
    assert len(missing) == 8  # 5 tables, the stunting tables (one line), 2 register columns
