"""Helpers shared by the readers' tests, handed out as fixtures (test modules never import each other).

Each fixture returns a plain function: ``small_tables()`` builds a one-desa export in memory,
``write_csvs``/``workbook``/``write_export`` write it as a source, ``one_desa`` cuts one desa
out of a generated gabungan, ``assert_quotes_no_value`` checks an error names no personal value.
Every personal value here is invented.
"""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest

NIK_TEMP = "0102030405060708"  # a NIK sementara: the leading zero must survive
SECRET_NAME = "NI LUH SÉKAR ÄYU"  # non-ASCII on purpose: breaks naive encodings
PER_DESA = ("tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk")
# (table, column) -> table whose id it holds; written out here, independent of the code under test.
LINKS = {("tweb_penduduk", "id_kk"): "tweb_keluarga",
         ("tweb_penduduk", "id_cluster"): "tweb_wil_clusterdesa",
         ("tweb_keluarga", "nik_kepala"): "tweb_penduduk",
         ("tweb_keluarga", "id_cluster"): "tweb_wil_clusterdesa",
         ("tweb_wil_clusterdesa", "id_kepala"): "tweb_penduduk"}


def _small_tables() -> dict[str, pd.DataFrame]:
    """One desa as OpenSID before v2401 exported it: no config_id anywhere."""
    return {
        "config": pd.DataFrame({"id": ["4"], "kode_desa": ["5102012001"], "nama_desa": ["Bajera"]}),
        "tweb_wil_clusterdesa": pd.DataFrame({"id": ["1", "2"], "rt": ["0", "001"],
                                              "rw": ["0", "-"], "dusun": ["Kaja", "Kaja"]}),
        "tweb_keluarga": pd.DataFrame({"id": ["7"], "no_kk": ["5102010101200001"],
                                       "nik_kepala": ["10"], "id_cluster": ["2"]}),
        "tweb_penduduk": pd.DataFrame({
            "id": ["10", "11"], "nama": [SECRET_NAME, "I MADE BAGUS"],
            "nik": ["5102014507950001", NIK_TEMP], "id_kk": ["7", "7"], "sex": ["2", "1"],
            "tanggallahir": ["1995-07-05", "1990-01-01"], "status_dasar": ["1", "1"],
            "id_cluster": ["2", "2"], "alamat_sekarang": ["Jalan Mawar\nNo. 5", ""]}),
    }


def _write_csvs(folder, tables, encoding="utf-8", sep=","):
    """Write ``tables`` as one CSV file per table into ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, sep=sep, encoding=encoding)
    return folder


def _assert_quotes_no_value(message: str) -> None:
    """Fail if ``message`` holds any personal value of ``small_tables``."""
    for value in (SECRET_NAME, "5102014507950001", NIK_TEMP, "1995-07-05", "I MADE BAGUS"):
        assert value.lower() not in message.lower()


def _workbook(path, tables, tweak=None):
    """Write ``tables`` as one sheet per table; ``tweak(book)`` may change cells before saving."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, frame in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
    if tweak:
        tweak(book)
    book.save(path)
    return path


def _one_desa(gabungan: dict, config_id: int) -> dict[str, pd.DataFrame]:
    """One desa as its own OpenSID before v2401 holds it: no config_id, ids from 1."""
    cid = str(config_id)
    tables = {"config": gabungan["config"][gabungan["config"]["id"] == cid].assign(id="1")}
    new_ids = {}
    for table in PER_DESA:
        frame = gabungan[table][gabungan[table]["config_id"] == cid].drop(columns="config_id")
        new_ids[table] = dict(zip(frame["id"], (str(i) for i in range(1, len(frame) + 1))))
        tables[table] = frame.reset_index(drop=True)
    for (table, column), target in LINKS.items():
        tables[table][column] = tables[table][column].map(lambda v, t=target: new_ids[t].get(v, v))
    for table in PER_DESA:
        tables[table]["id"] = tables[table]["id"].map(new_ids[table])
    return tables


def _write_export(path, tables: dict[str, pd.DataFrame]):
    """Write one desa as a CSV folder (cp1252, ';'), a zip, or a workbook, by the path's suffix."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, frame in tables.items():
                zf.writestr(f"{name}.csv", frame.to_csv(index=False))
    elif path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        for name, frame in tables.items():
            sheet = book.create_sheet(name)
            sheet.append(list(frame.columns))
            for row in frame.itertuples(index=False):
                sheet.append(list(row))
        book.save(path)
    else:
        path.mkdir(parents=True)
        for name, frame in tables.items():
            frame.to_csv(path / f"{name}.csv", index=False, sep=";", encoding="cp1252", errors="replace")
    return path


@pytest.fixture(scope="session")
def small_tables():
    """``small_tables()``: a fresh one-desa export in memory (two residents, one family)."""
    return _small_tables


@pytest.fixture(scope="session")
def write_csvs():
    """``write_csvs(folder, tables, encoding="utf-8", sep=",")``: a CSV folder export."""
    return _write_csvs


@pytest.fixture(scope="session")
def assert_quotes_no_value():
    """``assert_quotes_no_value(message)``: the message names no value of ``small_tables``."""
    return _assert_quotes_no_value


@pytest.fixture(scope="session")
def workbook():
    """``workbook(path, tables, tweak=None)``: an .xlsx export, one sheet per table."""
    return _workbook


@pytest.fixture(scope="session")
def one_desa():
    """``one_desa(gabungan, config_id)``: one desa of a gabungan as its own export holds it."""
    return _one_desa


@pytest.fixture(scope="session")
def write_export():
    """``write_export(path, tables)``: one desa as a CSV folder, zip or workbook, by suffix."""
    return _write_export
