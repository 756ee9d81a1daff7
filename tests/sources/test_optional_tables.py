"""The optional tables of issue 16 in every kind of source, and their checks."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from portal.demogen.generator import generate_district
from portal.sources import read_source
from portal.sources.checks import check_tables
from portal.sources.tables import OPTIONAL_TABLES
from portal.sources.wilayah import load_district

REF = date(2026, 11, 1)


@pytest.mark.parametrize("fmt", ["csv", "sqlite", "xlsx"])
def test_every_source_kind_reads_the_optional_tables(tmp_path, fmt):
    out = tmp_path / ("export" if fmt == "csv" else f"export.{fmt}")
    generate_district(out, residents=1330, seed=2, fmt=fmt)
    source = read_source(out)
    assert set(OPTIONAL_TABLES) <= set(source.tables)
    report = check_tables(source, REF, load_district("51.02"))
    assert report.errors == [] and sorted(report.optional) == sorted(OPTIONAL_TABLES)
    assert {p.table for p in report.warnings} <= {"config"}


def test_a_sql_url_reads_them_too(tmp_path):
    out = tmp_path / "gabungan.sqlite"
    generate_district(out, residents=1330, seed=2, fmt="sqlite")
    source = read_source(f"sqlite:///{out}")
    assert set(OPTIONAL_TABLES) <= set(source.tables)


@pytest.fixture
def source(tmp_path):
    generate_district(tmp_path / "export", residents=1330, seed=2)
    return read_source(tmp_path / "export")


def _problems(source, table: str, column: str) -> list:
    return [p for p in check_tables(source, REF, load_district("51.02")).problems
            if p.table == table and p.column == column]


def test_a_log_row_of_nobody_and_a_date_after_the_reference_are_cited_without_values(source):
    logs = source["log_penduduk"]
    logs.loc[3, "id_pend"] = "987654321"
    logs.loc[4, "tgl_lapor"] = "2027-01-02 10:00:00"
    orphan = _problems(source, "log_penduduk", "id_pend")
    assert [(p.severity, p.row) for p in orphan] == [("warning", int(logs.loc[3, "_baris"]))]
    assert "987654321" not in str(orphan[0]) and orphan[0].desa.startswith("51.02.")
    late = _problems(source, "log_penduduk", "tgl_lapor")
    assert [p.row for p in late] == [int(logs.loc[4, "_baris"])] and "2027" not in str(late[0])


def test_duplicate_log_ids_block_and_unknown_codes_warn(source):
    logs = source["log_penduduk"]
    logs.loc[5, "id"] = logs.loc[6, "id"]
    logs.loc[7, "kode_peristiwa"] = "9"
    dup = _problems(source, "log_penduduk", "id")
    assert {p.severity for p in dup} == {"error"} and len(dup) == 2
    assert [p.severity for p in _problems(source, "log_penduduk", "kode_peristiwa")] == ["warning"]


def test_aid_rows_pointing_nowhere_and_a_missing_column(source):
    source["program_peserta"].loc[0, "program_id"] = "424242"
    source.tables["tweb_rtm"] = source["tweb_rtm"].drop(columns=["no_kk"])
    report = check_tables(source, REF, load_district("51.02"))
    assert any(p.table == "program_peserta" and p.column == "program_id" for p in report.warnings)
    assert "tweb_rtm" not in report.optional
    assert [p.column for p in report.warnings if p.table == "tweb_rtm"] == ["no_kk"]


def test_a_kabupaten_programme_without_desa_is_no_problem(source):
    programmes = source["program"]
    assert (programmes["config_id"] == "").any()
    assert _problems(source, "program", "config_id") == []
    assert isinstance(programmes, pd.DataFrame)
