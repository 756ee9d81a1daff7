"""Every export format reads into the same tables."""
import shutil
import zipfile

import pytest

from portal.sources.generator import generate_district
from portal.sources.readers import CORE_TABLES, SourceError, read_source


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    base = tmp_path_factory.mktemp("formats")
    paths = {}
    for fmt, name in (("csv", "csv"), ("xlsx", "export.xlsx"), ("sqlite", "export.sqlite")):
        generate_district(base / name, residents=1500, seed=3, fmt=fmt)
        paths[fmt] = base / name
    archive = base / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for table in CORE_TABLES:
            zf.write(paths["csv"] / f"{table}.csv", f"export/{table}.csv")
    paths["zip"] = archive
    return paths


@pytest.mark.parametrize("fmt", ["xlsx", "sqlite", "zip"])
def test_formats_read_the_same_as_csv(exports, fmt):
    reference = read_source(exports["csv"])
    other = read_source(exports[fmt])
    assert other.kind == fmt
    for table in CORE_TABLES:
        left, right = reference[table], other[table]
        assert list(left.columns) == list(right.columns), table
        assert len(left) == len(right), table
        for column in ("id", "nik", "no_kk", "tanggallahir", "kode_desa", "sex"):
            if column in left.columns:
                assert left[column].tolist() == right[column].tolist(), (table, column)


def test_nik_keeps_all_sixteen_digits(exports):
    people = read_source(exports["csv"])["tweb_penduduk"]
    assert people["nik"].str.fullmatch(r"\d{16}").all()


def test_missing_core_table_is_named(exports, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(exports["csv"], partial)
    (partial / "config.csv").unlink()
    with pytest.raises(SourceError, match="config"):
        read_source(partial)


@pytest.mark.parametrize("content,name", [(b"\x00\x01garbage", "junk.bin"), (b"", "empty.xlsx")])
def test_unreadable_sources_get_a_clear_error(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError):
        read_source(path)


def test_missing_source_is_reported(tmp_path):
    with pytest.raises(SourceError, match="tidak ditemukan"):
        read_source(tmp_path / "nope")
