"""The stunting tables (OpenSID v23.02+): optional, checked without values, merged with their links."""
from __future__ import annotations

import os
import uuid
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import NullPool

from portal.demogen.generator import generate_district
from portal.harvest.pipeline import harvest_tables
from portal.sources import CORE_TABLES, read_source
from portal.sources.checks import check_tables
from portal.sources.tables import STUNTING_TABLES
from portal.sources.wilayah import load_district

REF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("stunting") / "export"
    generate_district(out, residents=2660, seed=6)
    return out


@pytest.fixture
def source(export):
    return read_source(export)


def _problems(source, table: str, column: str) -> list:
    return [p for p in check_tables(source, REF, load_district("51.02")).problems
            if p.table == table and p.column == column]


def test_an_export_from_before_v23_02_harvests_with_one_warning_and_no_stunting_table(export, tmp_path):
    old = tmp_path / "v22.11"
    old.mkdir()
    for path in export.iterdir():
        if path.stem not in STUNTING_TABLES:
            (old / path.name).write_bytes(path.read_bytes())
    harvested = harvest_tables(old, REF, load_district("51.02"))
    assert harvested.failure is None and harvested.report.errors == []
    about = [p for p in harvested.report.warnings if "stunting" in p.message or p.table in STUNTING_TABLES]
    assert len(about) == 1 and "tidak dibuat" in about[0].message
    assert not [t for t in harvested.tables if "stunting" in t.spec.name]
    full = harvest_tables(export, REF, load_district("51.02"))
    stunting = {t.spec.name: t.frame for t in full.tables if "stunting" in t.spec.name}
    assert len(stunting) == 3 and stunting["konvergensi-stunting-sasaran"]["jumlah"].sum() > 0


def test_a_record_in_the_future_and_a_record_of_no_card_are_cited_without_values(source):
    rows = source["bulanan_anak"]
    rows.loc[2, "created_at"] = "2027-03-04 10:00:00"
    rows.loc[3, "kia_id"] = "99999999"
    late = _problems(source, "bulanan_anak", "created_at")
    assert [(p.severity, p.row) for p in late] == [("warning", int(rows.loc[2, "_baris"]))]
    assert "2027" not in str(late[0]) and late[0].desa.startswith("51.02.")
    orphan = _problems(source, "bulanan_anak", "kia_id")
    assert [p.row for p in orphan] == [int(rows.loc[3, "_baris"])] and "99999999" not in str(orphan[0])


def test_duplicate_keys_block_and_codes_or_ages_outside_the_list_warn(source):
    rows = source["bulanan_anak"]
    rows.loc[5, "id_bulanan_anak"] = rows.loc[6, "id_bulanan_anak"]
    rows.loc[7, "status_tikar"] = "9"
    rows.loc[8, "umur_bulan"] = "30"
    dup = _problems(source, "bulanan_anak", "id_bulanan_anak")
    assert {p.severity for p in dup} == {"error"} and len(dup) == 2
    assert [p.severity for p in _problems(source, "bulanan_anak", "status_tikar")] == ["warning"]
    assert [p.severity for p in _problems(source, "bulanan_anak", "umur_bulan")] == ["warning"]


def test_a_card_before_the_birth_is_fine_but_a_child_record_on_it_is_not_counted(source):
    kia = source["kia"]
    assert (kia["anak_id"] == "").any()  # pregnant women's cards
    assert _problems(source, "kia", "anak_id") == []
    childless = kia.loc[kia["anak_id"] == "", "id"].iloc[0]
    source["bulanan_anak"].loc[4, "kia_id"] = childless
    flagged = _problems(source, "bulanan_anak", "kia_id")
    assert [p.severity for p in flagged] == ["warning"] and "anak_id" in flagged[0].message


def test_without_kia_the_child_records_are_not_used(source):
    del source.tables["kia"]
    report = check_tables(source, REF, load_district("51.02"))
    assert "bulanan_anak" not in report.optional
    assert [p.message for p in report.warnings if p.table == "bulanan_anak"] == [
        "tabel kia tidak ada atau tidak lengkap; tabel ini tidak dipakai"]


def _one_desa(export, config_id: str, tmp_path) -> str:
    """One desa of the gabungan as its own export, its records' keys numbered from 1 again."""
    folder = tmp_path / f"desa-{config_id}"
    folder.mkdir()
    for path in export.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        key = "id" if path.stem == "config" else "config_id"
        if key in frame.columns:
            frame = frame[(frame[key] == config_id) | ((frame[key] == "") & (path.stem == "program"))]
        for column in ("id_ibu_hamil", "id_bulanan_anak", "id_sasaran_paud"):
            if column in frame.columns:
                frame[column] = [str(i) for i in range(1, len(frame) + 1)]
        frame.to_csv(folder / path.name, index=False)
    return folder


def test_single_desa_exports_merge_with_their_record_keys_renumbered(export, tmp_path):
    kiriman = tmp_path / "kiriman"
    kiriman.mkdir()
    for cid in ("3", "7"):
        _one_desa(export, cid, kiriman)
    merged = harvest_tables(kiriman, REF, load_district("51.02"))
    assert merged.failure is None and merged.report.errors == []
    assert not [p for p in merged.report.warnings if p.table in STUNTING_TABLES]
    whole = harvest_tables(export, REF, load_district("51.02"))
    for name in ("konvergensi-stunting-sasaran", "konvergensi-stunting-tikar", "konvergensi-stunting-layanan"):
        mine = next(t.frame for t in merged.tables if t.spec.name == name)
        theirs = next(t.frame for t in whole.tables if t.spec.name == name)
        theirs = theirs[theirs["kode_desa"].isin(mine["kode_desa"])].reset_index(drop=True)
        assert theirs["jumlah"].sum() > 0
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs, check_dtype=False)


@pytest.mark.parametrize("kind", ["mariadb", "sqlite"])
def test_a_database_reads_them_with_each_record_numbered_by_its_key(export, kind, tmp_path):
    if kind == "mariadb" and not os.environ.get("TEST_MARIADB_URL"):
        pytest.skip("TEST_MARIADB_URL tidak diatur: uji MariaDB dilewati")
    tables = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in export.glob("*.csv")
              if p.stem in (*CORE_TABLES, *STUNTING_TABLES)}
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'gabungan.sqlite'}"
        admin, server = None, None
    else:
        server = make_url(os.environ["TEST_MARIADB_URL"])
        name = f"portal_test_stunting_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, poolclass=NullPool)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        url = server.set(database=name).render_as_string(hide_password=False)
    try:
        engine = create_engine(url, poolclass=NullPool)
        # Stored out of order, with INT keys as in OpenSID's schema.
        shuffled = {n: f.sample(frac=1, random_state=1) if n in STUNTING_TABLES else f for n, f in tables.items()}
        for table, key in (("bulanan_anak", "id_bulanan_anak"), ("ibu_hamil", "id_ibu_hamil")):
            shuffled[table] = shuffled[table].astype({key: int})
        for table, frame in shuffled.items():
            frame.to_sql(table, engine, index=False)
        engine.dispose()
        source = read_source(url)
        rows = source["bulanan_anak"]
        assert len(rows) == len(tables["bulanan_anak"]) and set(STUNTING_TABLES) <= set(source.tables)
        assert rows["_baris"].tolist() == rows["id_bulanan_anak"].astype(int).tolist()
        assert rows["_baris"].is_monotonic_increasing  # read in key order, however stored
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
            admin.dispose()
