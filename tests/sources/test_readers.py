"""Every export format reads into the same tables; damaged files fail clearly and quote no value."""
import shutil
import zipfile

import pandas as pd
import pytest

from portal.demogen.generator import generate_district
from portal.sources import CORE_TABLES, SourceError, read_source

BOOKKEEPING = ["_baris", "_berkas"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    base = tmp_path_factory.mktemp("formats")
    paths = {}
    for fmt, name in (("csv", "csv"), ("xlsx", "export.xlsx"), ("sqlite", "export.sqlite")):
        generate_district(base / name, residents=1500, seed=3, fmt=fmt)
        paths[fmt] = base / name
    archive = base / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
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
        assert list(left.columns)[-2:] == BOOKKEEPING
        assert len(left) == len(right), table
        for column in left.columns.drop(BOOKKEEPING):
            assert left[column].tolist() == right[column].tolist(), (table, column)


def test_bookkeeping_columns_cite_the_row_and_file(exports):
    csv = read_source(exports["csv"])["tweb_penduduk"]
    assert csv["_baris"].tolist() == list(range(2, len(csv) + 2))
    assert set(csv["_berkas"]) == {"tweb_penduduk.csv"}
    assert set(read_source(exports["zip"])["config"]["_berkas"]) == {"export.zip/export/config.csv"}
    sheet = read_source(exports["xlsx"])["tweb_keluarga"]
    assert sheet["_baris"].tolist() == list(range(2, len(sheet) + 2))
    assert set(sheet["_berkas"]) == {"export.xlsx/tweb_keluarga"}
    sql = read_source(exports["sqlite"])["tweb_penduduk"]
    assert sql["_baris"].tolist() == sql["id"].astype(int).tolist()
    assert set(sql["_berkas"]) == {"export.sqlite/tweb_penduduk"}


def test_nik_keeps_all_sixteen_digits(exports):
    people = read_source(exports["csv"])["tweb_penduduk"]
    assert people["nik"].str.fullmatch(r"\d{16}").all()


@pytest.mark.parametrize("encoding,sep", [("cp1252", ";"), ("latin-1", ";"), ("utf-8-sig", "\t"),
                                          ("utf-8", "|"), ("utf-16", "\t")])
def test_encodings_and_delimiters_are_detected(tmp_path, encoding, sep, small_tables, write_csvs):
    tables = small_tables()
    tables["tweb_penduduk"]["nama"] = ["NI LUH SÉKAR ÄYU", "I MADE BAGUS"]  # in both code pages
    source = read_source(write_csvs(tmp_path / "desa", tables, encoding, sep))
    people = source["tweb_penduduk"]
    assert people["nama"].tolist() == ["NI LUH SÉKAR ÄYU", "I MADE BAGUS"]
    assert people["nik"].tolist() == small_tables()["tweb_penduduk"]["nik"].tolist()
    assert list(people.columns[:3]) == ["id", "config_id", "nama"]


def test_a_cell_over_two_lines_keeps_the_line_numbers_true(tmp_path, small_tables, write_csvs):
    source = read_source(write_csvs(tmp_path / "desa", small_tables()))
    people = source["tweb_penduduk"]
    assert people["alamat_sekarang"].iloc[0] == "Jalan Mawar\nNo. 5"
    assert people["_baris"].tolist() == [2, 4]  # the first record spans lines 2 and 3


def test_one_desa_without_config_id_gets_its_config_row_id(tmp_path, small_tables, write_csvs):
    source = read_source(write_csvs(tmp_path / "desa", small_tables()))
    for table in ("tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk"):
        assert set(source[table]["config_id"]) == {"4"}, table
    assert "config_id" not in source["config"].columns


def test_several_config_rows_without_config_id_is_an_error(tmp_path, small_tables, write_csvs):
    tables = small_tables()
    tables["config"] = pd.concat([tables["config"]] * 2, ignore_index=True)
    with pytest.raises(SourceError, match="config berisi 2 baris.*config_id"):
        read_source(write_csvs(tmp_path / "desa", tables))


def _break(folder, text: str):
    """The export in ``folder`` with its residents' file replaced by ``text``."""
    (folder / "tweb_penduduk.csv").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return folder


@pytest.mark.parametrize("content,expected", [
    ("id,nama,nik\n10,NI LUH SÉKAR ÄYU,5102014507950001,extra\n", r"tweb_penduduk.csv baris 2: 4 kolom"),
    ("id,nama,nik\n10,NI LUH SÉKAR ÄYU,5102014507950001\n11,I MADE BAGUS", r"baris 3: 2 kolom"),
    ('id,nama,nik\n10,"NI LUH SÉKAR ÄYU,5102014507950001\n', r"tweb_penduduk.csv baris \d: tanda kutip"),
    ("id,nama,nik,nama\n10,NI LUH SÉKAR ÄYU,5102014507950001,x\n", r"ganda .*ke-2 dan ke-4"),
    ("10,I MADE BAGUS,I MADE BAGUS\n", r"ganda .*ke-2 dan ke-3"),
    ("", r"tweb_penduduk.csv: berkas kosong"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, r"tweb_penduduk.csv: berkas biner"),
    (bytes(range(1, 32)) * 100, r"tweb_penduduk.csv: berkas biner"),
])
def test_damaged_csv_names_file_and_row_never_a_value(tmp_path, content, expected, small_tables, write_csvs,
                                                     assert_quotes_no_value):
    folder = write_csvs(tmp_path / "desa", small_tables())
    with pytest.raises(SourceError, match=expected) as caught:
        read_source(_break(folder, content))
    assert_quotes_no_value(str(caught.value))


def test_missing_core_table_is_named(exports, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(exports["csv"], partial)
    (partial / "config.csv").unlink()
    with pytest.raises(SourceError, match="config"):
        read_source(partial)


@pytest.mark.parametrize("content,name", [(b"\x00\x01garbage", "junk.bin"), (b"", "empty.xlsx"),
                                          (b"PK\x03\x04broken", "broken.zip"), (b"x" * 100, "old.xls")])
def test_unreadable_sources_get_a_clear_error(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError, match=name.replace(".", r"\.")):
        read_source(path)


def test_missing_source_is_reported(tmp_path):
    with pytest.raises(SourceError, match="tidak ditemukan"):
        read_source(tmp_path / "nope")


def _zip(path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _csv_bytes(tables) -> dict[str, bytes]:
    return {f"{name}.csv": frame.to_csv(index=False).encode() for name, frame in tables.items()}


@pytest.mark.parametrize("evil", ["../tweb_penduduk.csv", "/etc/tweb_penduduk.csv",
                                  "a/../../tweb_penduduk.csv", "C:\\temp\\x.csv"])
def test_zip_with_path_traversal_is_refused(tmp_path, evil, small_tables):
    members = {**_csv_bytes(small_tables()), evil: b"id\n1\n"}
    with pytest.raises(SourceError, match="desa.zip: arsip berisi path yang tidak aman"):
        read_source(_zip(tmp_path / "desa.zip", members))


def test_zip_bomb_is_refused_by_ratio(tmp_path, small_tables):
    members = {**_csv_bytes(small_tables()), "tweb_penduduk_sex.csv": b"id,nama\n" + b"0" * 30_000_000}
    with pytest.raises(SourceError, match="rasio kompresi"):
        read_source(_zip(tmp_path / "bomb.zip", members))


def test_zip_bomb_is_refused_by_total_size(tmp_path, monkeypatch, small_tables):
    from portal.sources import safezip

    monkeypatch.setattr(safezip, "MAX_TOTAL_BYTES", 100)
    with pytest.raises(SourceError, match="lebih dari"):
        read_source(_zip(tmp_path / "big.zip", _csv_bytes(small_tables()), zipfile.ZIP_STORED))


def test_zip_of_one_desa_in_a_folder_reads_like_the_folder(tmp_path, small_tables):
    members = {f"Desa Bajera/{n}": d for n, d in _csv_bytes(small_tables()).items()}
    members["__MACOSX/Desa Bajera/._config.csv"] = b"\x00\x05junk"
    source = read_source(_zip(tmp_path / "bajera.zip", members))
    assert source.kind == "zip"
    assert set(source["tweb_penduduk"]["_berkas"]) == {"bajera.zip/Desa Bajera/tweb_penduduk.csv"}
    assert source["tweb_penduduk"]["nik"].tolist() == small_tables()["tweb_penduduk"]["nik"].tolist()


def test_workbook_dates_and_numbers_read_as_opensid_text(tmp_path, small_tables, workbook):
    from datetime import datetime

    def typed(book):
        sheet = book["tweb_penduduk"]
        sheet["A2"].value = 10  # ids typed as numbers
        sheet["F2"].value = datetime(1995, 7, 5)  # a real date cell

    source = read_source(workbook(tmp_path / "desa.xlsx", small_tables(), typed))
    people = source["tweb_penduduk"]
    assert people["id"].tolist() == ["10", "11"]
    assert people["tanggallahir"].tolist() == ["1995-07-05", "1990-01-01"]
    assert people["_baris"].tolist() == [2, 3]


def test_workbook_with_a_nik_typed_as_a_number_is_refused(tmp_path, small_tables, assert_quotes_no_value, workbook):
    def numeric_nik(book):
        book["tweb_penduduk"]["C3"].value = 5102014507950001

    with pytest.raises(SourceError, match="desa.xlsx/tweb_penduduk baris 3 kolom nik") as caught:
        read_source(workbook(tmp_path / "desa.xlsx", small_tables(), numeric_nik))
    assert_quotes_no_value(str(caught.value))


def test_macro_workbooks_and_external_links_are_refused(tmp_path, small_tables, workbook):
    plain = workbook(tmp_path / "desa.xlsx", small_tables())
    xlsm = tmp_path / "desa.xlsm"
    shutil.copy(plain, xlsm)
    with pytest.raises(SourceError, match="makro"):
        read_source(xlsm)
    for part, expected in (("xl/vbaProject.bin", "makro"), ("xl/externalLinks/externalLink1.xml", "tautan")):
        tampered = tmp_path / f"tampered-{expected}.xlsx"
        shutil.copy(plain, tampered)
        with zipfile.ZipFile(tampered, "a") as zf:
            zf.writestr(part, b"<x/>")
        with pytest.raises(SourceError, match=expected):
            read_source(tampered)


def test_fast_and_exact_csv_parsers_agree(exports, tmp_path, monkeypatch, small_tables, write_csvs):
    from portal.sources.csv import parse

    folder = write_csvs(tmp_path / "desa", small_tables())
    with open(folder / "tweb_keluarga.csv", "a", encoding="utf-8") as handle:
        handle.write(",,,\n8,5102010101200002,11,2\n")  # a spreadsheet's empty row, then data
    fast = [read_source(exports["csv"]), read_source(folder)]
    monkeypatch.setattr(parse, "fast_frame", lambda *args: None)
    exact = [read_source(exports["csv"]), read_source(folder)]
    for one, other in zip(fast, exact):
        for table in CORE_TABLES:
            pd.testing.assert_frame_equal(one[table], other[table])
    assert exact[1]["tweb_keluarga"]["_baris"].tolist() == [2, 4]
