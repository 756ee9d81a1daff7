"""An OpenSID MySQL/MariaDB database reads the same as its CSV export (gabungan and one desa)."""
import os
import re
import uuid

import pandas as pd
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from portal.demogen.generator import generate_district
from portal.sources import CORE_TABLES, SourceError, read_source, source_label

SERVER_URL = os.environ.get("TEST_MARIADB_URL", "")
INT_COLUMNS = {"sex", "kk_level", "status", "status_dasar", "hamil", "ktp_el", "status_rekam",
               "kelas_sosial"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@pytest.fixture(scope="module")
def server():
    """The MariaDB server URL (no database); CI must have one."""
    if not SERVER_URL:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI harus menjalankan uji MariaDB: TEST_MARIADB_URL belum diatur (.ci/run)")
        pytest.skip("TEST_MARIADB_URL tidak diatur: uji MariaDB dilewati")
    return make_url(SERVER_URL)


def _column_type(column: str, values: pd.Series) -> str:
    """OpenSID-like column types: INT keys and codes, DATE, DATETIME, VARCHAR for the rest."""
    filled = values[values != ""]
    if column == "id":
        return "INT NOT NULL PRIMARY KEY"
    is_key = column == "config_id" or column.startswith("id_") or column.endswith("_id")
    if (is_key or column in INT_COLUMNS) and filled.str.fullmatch(r"-?\d{1,9}").all():
        return "INT NULL"
    if len(filled) and filled.str.fullmatch(DATE).all():
        return "DATE NULL"
    if len(filled) and filled.str.fullmatch(DATETIME).all():
        return "DATETIME NULL"
    return "VARCHAR(255) NULL" if filled.str.len().max(skipna=True) <= 255 else "TEXT NULL"


def _load(engine, tables: dict[str, pd.DataFrame]) -> None:
    """CREATE and INSERT the tables as OpenSID's own schema would hold them (NULL for empty)."""
    with engine.begin() as conn:
        for name, frame in tables.items():
            types = {c: _column_type(c, frame[c]) for c in frame.columns}
            columns = ", ".join(f"`{c}` {t}" for c, t in types.items())
            conn.exec_driver_sql(f"CREATE TABLE `{name}` ({columns}) CHARACTER SET utf8mb4")
            nullable = [c for c, t in types.items() if not t.startswith("VARCHAR") and c != "id"]
            rows = frame.astype(object)
            for c in nullable:
                rows[c] = rows[c].where(rows[c] != "", None)
            marks = ", ".join(["%s"] * len(frame.columns))
            names = ", ".join(f"`{c}`" for c in frame.columns)
            conn.exec_driver_sql(f"INSERT INTO `{name}` ({names}) VALUES ({marks})",
                                 [tuple(r) for r in rows.itertuples(index=False)])


@pytest.fixture(scope="module")
def databases(server, tmp_path_factory, one_desa, write_export):
    """A gabungan database, a one-desa database (before v2401) and the CSV exports of both."""
    base = tmp_path_factory.mktemp("sql")
    generate_district(base / "gabungan", residents=1500, seed=9, fmt="csv")
    gabungan = {t: pd.read_csv(base / "gabungan" / f"{t}.csv", dtype=str, keep_default_na=False)
                for t in CORE_TABLES}
    desa = one_desa(gabungan, 12)
    write_export(base / "desa", desa)
    admin = create_engine(server, poolclass=NullPool)
    suffix = uuid.uuid4().hex[:8]  # concurrent runs must not share a database
    names = {"gabungan": f"portal_test_gabungan_{suffix}", "desa": f"portal_test_desa_{suffix}"}
    try:
        for key, tables in (("gabungan", gabungan), ("desa", desa)):
            with admin.begin() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE `{names[key]}` CHARACTER SET utf8mb4")
            engine = create_engine(server.set(database=names[key]), poolclass=NullPool)
            _load(engine, tables)
            engine.dispose()
        yield {key: (server.set(database=db).render_as_string(hide_password=False), base / key)
               for key, db in names.items()}
    finally:
        with admin.begin() as conn:
            for db in names.values():
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{db}`")
        admin.dispose()


@pytest.mark.parametrize("which", ["gabungan", "desa"])
def test_database_reads_the_same_as_its_csv_export(databases, which):
    url, export = databases[which]
    from_sql, from_csv = read_source(url), read_source(export)
    assert from_sql.kind == "mysql"
    database = make_url(url).database
    for table in CORE_TABLES:
        left, right = from_csv[table], from_sql[table]
        assert list(left.columns) == list(right.columns), table
        assert len(left) == len(right), table
        for column in left.columns.drop(["_baris", "_berkas"]):
            assert left[column].tolist() == right[column].tolist(), (table, column)
        assert right["_baris"].tolist() == right["id"].astype(int).tolist()
        assert set(right["_berkas"]) == {f"{database}/{table}"}
    if which == "desa":  # OpenSID before v2401: config_id comes from the one config row
        assert set(from_sql["tweb_penduduk"]["config_id"]) == {"1"}
    assert from_sql["tweb_penduduk"]["nik"].str.fullmatch(r"\d{16}").all()


def test_the_password_never_shows(databases):
    url, _ = databases["gabungan"]
    assert read_source(url).label == make_url(url).render_as_string(hide_password=True)


def test_source_label_hides_the_password_and_driver_options():
    secret = "mysql+pymysql://opensid:S3cret-Pa55@10.0.0.5:3306/opensid_gabungan?password=S3cret-Pa55"
    assert source_label(secret) == "mysql+pymysql://opensid:***@10.0.0.5:3306/opensid_gabungan"


def test_plain_mysql_url_uses_the_installed_driver(databases):
    url, _ = databases["desa"]
    assert read_source(url.replace("mysql+pymysql://", "mysql://", 1)).kind == "mysql"


def test_wrong_password_and_missing_tables_are_clear_errors(server, databases):
    url, _ = databases["desa"]
    wrong = make_url(url).set(password="not-the-password")
    with pytest.raises(SourceError, match="kode 1045") as caught:
        read_source(wrong.render_as_string(hide_password=False))
    assert "not-the-password" not in str(caught.value)
    empty = server.set(database="portal_test")  # created by .ci/run, holds no OpenSID table
    with pytest.raises(SourceError, match="tabel wajib tidak ada: config, tweb_wil_clusterdesa"):
        read_source(empty.render_as_string(hide_password=False))


def test_sqlite_url_reads_like_the_file(tmp_path):
    generate_district(tmp_path / "export.sqlite", residents=1400, seed=2, fmt="sqlite")
    by_url = read_source(f"sqlite:///{tmp_path / 'export.sqlite'}")
    by_path = read_source(tmp_path / "export.sqlite")
    assert by_url.kind == by_path.kind == "sqlite"
    for table in CORE_TABLES:
        pd.testing.assert_frame_equal(by_url[table], by_path[table])
