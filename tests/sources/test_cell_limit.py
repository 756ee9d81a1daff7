"""A cell too long to be OpenSID data is refused citing file, row and column, never read whole."""
import zipfile

import pandas as pd
import pytest

from portal.sources import SourceError, read_source
from portal.sources import tables as table_rules
from portal.sources.csv.gate import bytes_reader, check_cells
from portal.sources.csv.stream import open_stream
from portal.sources.tables import MAX_CELL

# Commas and quotes inside: the column is found by pairing quotes, as a CSV parser does.
LONG = 'Jalan "Mawar", ' * (MAX_CELL // 10)
MESSAGE = "tweb_penduduk.csv baris {} kolom alamat_sekarang: isi sel lebih dari 64 KiB"


def _people(small_tables, rows: int = 6) -> pd.DataFrame:
    """``rows`` copies of the second resident of ``small_tables``, each with its own id."""
    people = small_tables()["tweb_penduduk"]
    people = pd.concat([people.iloc[[1]]] * rows, ignore_index=True)
    people["id"] = [str(10 + i) for i in range(rows)]
    return people


@pytest.fixture
def with_long_cell(tmp_path, small_tables, write_csvs):
    """``with_long_cell(value=LONG, position=3)``: a CSV export whose resident at ``position``
    (file line ``position + 2``) has ``value`` as address."""
    def write(value=LONG, position=3):
        tables = small_tables()
        people = _people(small_tables)
        people.loc[position, "alamat_sekarang"] = value
        tables["tweb_penduduk"] = people
        return write_csvs(tmp_path / "desa", tables)
    return write


def test_a_long_cell_in_the_middle_of_a_file_is_cited_by_row_and_column(with_long_cell, assert_quotes_no_value):
    with pytest.raises(SourceError, match=MESSAGE.format(5)) as caught:
        read_source(with_long_cell())
    assert "Mawar" not in str(caught.value)
    assert_quotes_no_value(str(caught.value))


def test_the_chunked_reader_refuses_it_with_the_same_message(with_long_cell):
    folder = with_long_cell()
    with pytest.raises(SourceError, match=MESSAGE.format(5)):
        open_stream(folder / "tweb_penduduk.csv", "tweb_penduduk.csv")


def test_a_long_cell_over_several_short_lines_is_refused_after_parsing(with_long_cell):
    many_lines = "Jalan Mawar\n" * (MAX_CELL // 10)
    with pytest.raises(SourceError, match=MESSAGE.format(5)):
        read_source(with_long_cell(many_lines))


def test_a_long_cell_in_a_zip_is_cited_inside_the_zip(tmp_path, with_long_cell):
    folder = with_long_cell()
    archive = tmp_path / "desa.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in folder.iterdir():
            zf.write(path, f"desa/{path.name}")
    with pytest.raises(SourceError, match="desa.zip/desa/" + MESSAGE.format(5)):
        read_source(archive)


def test_a_long_cell_in_a_workbook_is_refused(tmp_path, monkeypatch, small_tables, workbook):
    def long_cell(book):
        book["tweb_penduduk"]["I3"].value = "x" * 2000

    # A workbook cell holds at most 32,767 characters (Excel, openpyxl): a lower limit shows the check.
    monkeypatch.setattr(table_rules, "MAX_CELL", 1000)
    tables = small_tables()
    with pytest.raises(SourceError, match="desa.xlsx/tweb_penduduk baris 3 kolom alamat_sekarang"):
        read_source(workbook(tmp_path / "desa.xlsx", tables, long_cell))


def test_a_map_polygon_may_be_long_but_not_endless(tmp_path, monkeypatch, small_tables, write_csvs):
    tables = small_tables()
    polygon = "[" + ",".join(f"[-8.{i:06d},115.{i:06d}]" for i in range(8000)) + "]"
    tables["config"]["path"] = [polygon]
    assert len(polygon) > MAX_CELL
    source = read_source(write_csvs(tmp_path / "desa", tables))
    assert source["config"]["path"].iloc[0] == polygon
    monkeypatch.setattr(table_rules, "MAX_MAP_CELL", MAX_CELL * 2)
    with pytest.raises(SourceError, match="config.csv baris 2 kolom path: isi sel lebih dari"):
        read_source(tmp_path / "desa")


def test_a_line_of_endless_columns_is_refused_at_the_header_width(tmp_path):
    data = b"id,nama,nik\n10,x," + b"," * (4 * MAX_CELL) + b"\n"
    with pytest.raises(SourceError, match="t.csv baris 2: lebih dari 3 kolom, header 3 kolom"):
        check_cells(bytes_reader(data), "t.csv")


def test_only_the_start_of_a_huge_cell_is_read():
    data = b"id,nama,nik\n10,x,1\n11," + b"A" * (64 * 1024 * 1024) + b",1\n"
    read = []
    reader = bytes_reader(data)

    def counting(offset, size):
        chunk = reader(offset, size)
        read.append(len(chunk))
        return chunk

    with pytest.raises(SourceError, match="t.csv baris 3 kolom nama"):
        check_cells(counting, "t.csv")
    # The header sample, the first block of the scan, one block of the line: never the cell whole.
    assert sum(read) < 20 * 1024 * 1024 and max(read) <= 16 * 1024 * 1024
