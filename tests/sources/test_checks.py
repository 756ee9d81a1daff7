"""Harvest checks: every problem cites desa, table, row and column, never the value."""
from datetime import date

import pytest

from portal.sources import read_source
from portal.sources.checks import check_tables
from portal.sources.wilayah import load_district

REF = date(2026, 11, 1)


@pytest.fixture
def source(district_export):
    return read_source(district_export)


def _messages(report, severity="error"):
    return [p for p in report.problems if p.severity == severity]


def test_a_clean_generated_export_has_no_errors(source):
    report = check_tables(source, REF, load_district("51.02"))
    assert report.errors == []


def _first_alive(people):
    return people.index[people["status_dasar"] == "1"][0]


@pytest.mark.parametrize("column,value,message,severity", [
    ("sex", "3", "kode tidak dikenal", "error"),
    ("status_dasar", "5", "kode tidak dikenal", "error"),
    ("agama_id", "42", "BELUM MENGISI", "warning"),
    ("tanggallahir", "1990-13-01", "tanggal tidak valid", "error"),
    ("tanggallahir", "2030-01-01", "sesudah tanggal referensi", "error"),
    ("tanggallahir", "1850-01-01", "lebih dari 130 tahun", "error"),
    ("nik", "3.60204E+15", "notasi ilmiah", "error"),
    ("nik", "51020112345", "16 digit", "warning"),
    ("id_kk", "99999999", "keluarga tidak ada", "error"),
    ("id_cluster", "99999999", "wilayah tidak ada", "error"),
])
def test_each_rule_reports_desa_table_row_and_column(source, column, value, message, severity):
    people = source["tweb_penduduk"]
    idx = _first_alive(people)
    people.loc[idx, column] = value
    report = check_tables(source, REF, load_district("51.02"))
    found = [p for p in _messages(report, severity) if message in p.message and p.column == column]
    assert found, report.problems[:5]
    problem = found[0]
    assert problem.table == "tweb_penduduk" and problem.row == idx + 2
    assert problem.desa.startswith("51.02.")
    if len(value) > 3:  # short codes appear in row numbers by chance
        assert value not in str(problem)


def test_the_same_nik_alive_in_two_desa_blocks_the_harvest(source):
    people = source["tweb_penduduk"]
    alive = people[people["status_dasar"] == "1"]
    a = alive.index[0]
    b = alive.index[alive["config_id"] != people.loc[a, "config_id"]][0]
    people.loc[b, "nik"] = people.loc[a, "nik"]
    report = check_tables(source, REF, load_district("51.02"))
    found = [p for p in report.errors if "dua desa" in p.message]
    assert {p.row for p in found} == {a + 2, b + 2}


def test_desa_outside_the_district_and_unknown_codes_are_errors(source):
    config = source["config"]
    config.loc[0, "kode_desa"] = "5103012001"   # Badung, not Tabanan
    config.loc[1, "kode_desa"] = "5102019999"   # inside Tabanan but not on the official list
    report = check_tables(source, REF, load_district("51.02"))
    messages = [p.message for p in report.errors if p.table == "config"]
    assert any("di luar Kabupaten Tabanan" in m for m in messages)
    assert any("tidak ada dalam daftar Kemendagri" in m for m in messages)
    missing = [p for p in report.warnings if "tidak ada di sumber" in p.message]
    assert len(missing) == 1  # one line for the district, however many desa have no data yet
    assert missing[0].message.startswith("2 dari 133 desa")
    assert missing[0].message.endswith("51.02.01.2001, 51.02.01.2002")


def test_an_export_of_a_few_desa_gives_one_warning_naming_the_others(source):
    source.tables["config"] = source["config"].iloc[:3].copy()
    report = check_tables(source, REF, load_district("51.02"))
    missing = [p for p in report.warnings if "belum ada data" in p.message]
    assert len(missing) == 1 and missing[0].message.startswith("130 dari 133 desa")
    assert "51.02.10.2014" in missing[0].message and "51.02.01.2001" not in missing[0].message


def test_spelling_differences_are_warnings_and_names_are_kept(source):
    source["config"].loc[0, "nama_desa"] = "Bajra"
    report = check_tables(source, REF, load_district("51.02"))
    assert report.errors == []
    assert any(p.column == "nama_desa" for p in report.warnings)
    assert source["config"].loc[0, "nama_desa"] == "Bajra"


def test_missing_required_column_stops_further_checks(source):
    source.tables["tweb_penduduk"] = source["tweb_penduduk"].drop(columns=["tanggallahir"])
    report = check_tables(source, REF, load_district("51.02"))
    assert [(p.table, p.column) for p in report.errors] == [("tweb_penduduk", "tanggallahir")]
