"""The bad-input corpus: broken OpenSID sources built at test time from the generated export.

Each case is a function that writes one bad source under ``ws.tmp`` and returns what to pass to
``flask harvest``; it states the fragments the error must contain (desa, table, row, column where
they apply). A case marked ``harmless`` is odd but safe input: the harvest reads it and proposes
nothing. Values a case plants that must never be echoed go into ``ws.secrets``.
"""
from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
import struct
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

TABLES = ("config", "tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk")
# Data row 5 of a table is line 7 of its CSV (header = line 1).
ROW, LINE = 5, "baris 7"
DESA = "desa 51.02.01.2001"  # the desa of that row
FORMULA = '=HYPERLINK("http://example.invalid/x","klik")'
MB = 1024 * 1024


@dataclass
class Workspace:
    """Where a case builds: the clean export, its own tmp folder, cleanups, planted values."""

    export: Path
    tmp: Path
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Case:
    """One bad source and the fragments its error must show."""

    name: str
    build: Callable[[Workspace], str]
    expect: tuple[str, ...]
    harmless: bool = False
    needs_mariadb: bool = False
    # Datasets a harmless case rightly changes: a bad desa boundary is drawn as a point, so
    # the boundary dataset gets a new draft (and nothing else does).
    changes: tuple[str, ...] = ()


CASES: list[Case] = []
BOUNDARIES = ("batas-wilayah-desa",)


def case(name: str, *expect: str, harmless: bool = False, needs_mariadb: bool = False,
         changes: tuple[str, ...] = ()):
    """Register the decorated builder as a case of the corpus."""
    def register(build: Callable[[Workspace], str]) -> Callable[[Workspace], str]:
        CASES.append(Case(name, build, expect, harmless, needs_mariadb, changes))
        return build
    return register


# --- helpers -------------------------------------------------------------------------------

def read(ws: Workspace, table: str) -> pd.DataFrame:
    """A table of the clean export, every cell as text."""
    return pd.read_csv(ws.export / f"{table}.csv", dtype=str, keep_default_na=False)


def raw(ws: Workspace, table: str) -> bytes:
    """The bytes of a table of the clean export."""
    return (ws.export / f"{table}.csv").read_bytes()


def copy(ws: Workspace, name: str = "export") -> Path:
    """A copy of the clean export to break."""
    dest = ws.tmp / name
    shutil.copytree(ws.export, dest)
    return dest


def edited(ws: Workspace, table: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> str:
    """A copy of the export with one table changed through a DataFrame."""
    folder = copy(ws)
    change(read(ws, table)).to_csv(folder / f"{table}.csv", index=False)
    return str(folder)


def cell(ws: Workspace, table: str, column: str, value: str, row: int = ROW, secret: bool = True) -> str:
    """A copy of the export with one cell replaced (and the value kept as a secret)."""
    if secret:
        ws.secrets.append(value)

    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value
        return frame
    return edited(ws, table, change)


def with_bytes(ws: Workspace, table: str, data: bytes) -> str:
    """A copy of the export with one table's file replaced by ``data``."""
    folder = copy(ws)
    (folder / f"{table}.csv").write_bytes(data)
    return str(folder)


def one_desa(ws: Workspace, config_id: str = "1") -> dict[str, pd.DataFrame]:
    """The four tables of one desa of the export (small, for workbooks and databases)."""
    tables = {}
    for table in TABLES:
        frame = read(ws, table)
        key = "id" if table == "config" else "config_id"
        tables[table] = frame[frame[key] == config_id].reset_index(drop=True)
    return tables


def zipped(ws: Workspace, members: list[tuple[str | zipfile.ZipInfo, bytes]], name: str = "export.zip") -> Path:
    """A zip with the given members (names may be unsafe on purpose)."""
    path = ws.tmp / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members:
            archive.writestr(member, data)
    return path


def clean_members(ws: Workspace, *skip: str) -> list[tuple[str, bytes]]:
    """The export's tables as zip members, less ``skip``."""
    return [(f"{t}.csv", raw(ws, t)) for t in TABLES if t not in skip]


def patch_central(path: Path, member: str, offset: int, fmt: str, value: int, local: int | None = None) -> None:
    """Overwrite a field of a member's central directory record (and local header) in place."""
    data = bytearray(path.read_bytes())
    encoded = member.encode()
    start = data.find(b"PK\x01\x02")
    while start >= 0:
        length = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46:start + 46 + length]) == encoded:
            struct.pack_into(fmt, data, start + offset, value)
            if local is not None:
                header = struct.unpack_from("<I", data, start + 42)[0]
                struct.pack_into(fmt, data, header + local, value)
            break
        start = data.find(b"PK\x01\x02", start + 4)
    else:
        raise AssertionError(f"{member} not in {path.name}")
    path.write_bytes(bytes(data))


def workbook(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """An .xlsx workbook, one sheet per table, written with openpyxl."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, frame in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for values in frame.itertuples(index=False):
            sheet.append(list(values))
    book.save(path)
    return path


def add_members(path: Path, members: dict[str, bytes]) -> Path:
    """Append members to an existing zip container (a workbook)."""
    with zipfile.ZipFile(path, "a") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def sqlite_export(ws: Workspace, skip: tuple[str, ...], name: str = "gabungan.sqlite") -> Path:
    """The export as a SQLite database gabungan, without the tables in ``skip``."""
    path = ws.tmp / name
    conn = sqlite3.connect(path)
    try:
        for table in TABLES:
            if table not in skip:
                read(ws, table).to_sql(table, conn, index=False)
    finally:
        conn.close()
    return path


def junk(size: int, seed: int, low: int = 0) -> bytes:
    """Deterministic random bytes (from ``low`` up to 255)."""
    rng = random.Random(seed)
    return bytes(rng.randrange(low, 256) for _ in range(size))


# --- text files: truncation, delimiters, encodings, junk --------------------------------

@case("truncated_mid_row", "tweb_penduduk.csv baris", "terpotong")
def _(ws):
    data = raw(ws, "tweb_penduduk")
    return with_bytes(ws, "tweb_penduduk", data[:len(data) // 2])


@case("truncated_inside_quotes", "tweb_keluarga.csv baris", "tanda kutip")
def _(ws):
    data = raw(ws, "tweb_keluarga")
    cut = data.rfind(b'"Banjar', 0, len(data) // 2) + 5  # inside an address cell
    return with_bytes(ws, "tweb_keluarga", data[:cut])


@case("truncated_to_header_line", "tabel tweb_penduduk", "kolom wajib tidak ada")
def _(ws):
    header = raw(ws, "tweb_penduduk").split(b"\n", 1)[0]
    return with_bytes(ws, "tweb_penduduk", header[: len(header) // 2])


@case("wrong_delimiter_colon", "tweb_penduduk.csv baris 2", "header 1 kolom")
def _(ws):
    folder = copy(ws)
    read(ws, "tweb_penduduk").to_csv(folder / "tweb_penduduk.csv", index=False, sep=":")
    return str(folder)


@case("rows_use_another_delimiter_than_the_header", "tweb_keluarga.csv baris 2", "kolom")
def _(ws):
    header, body = raw(ws, "tweb_keluarga").split(b"\n", 1)
    folder = copy(ws)
    read(ws, "tweb_keluarga").to_csv(folder / "body.csv", index=False, header=False, sep="|")
    data = header + b"\n" + (folder / "body.csv").read_bytes()
    (folder / "body.csv").unlink()
    (folder / "tweb_keluarga.csv").write_bytes(data)
    return str(folder)


@case("row_with_an_extra_cell", "tweb_penduduk.csv baris 7", "kolom")
def _(ws):
    lines = raw(ws, "tweb_penduduk").split(b"\n")
    lines[ROW + 1] += b",tambahan"
    return with_bytes(ws, "tweb_penduduk", b"\n".join(lines))


@case("utf16_without_bom", "tweb_penduduk.csv", "biner")
def _(ws):
    return with_bytes(ws, "tweb_penduduk", raw(ws, "tweb_penduduk").decode().encode("utf-16-le"))


@case("broken_utf16_with_bom", "config.csv", "UTF-16")
def _(ws):
    data = "\ufeff".encode("utf-16-le") + raw(ws, "config").decode().encode("utf-16-le")
    return with_bytes(ws, "config", data + b"\x00\xd8")  # a lone surrogate at the end


@case("neither_utf8_nor_windows1252", "tweb_penduduk.csv", "pengodean")
def _(ws):
    data = raw(ws, "tweb_penduduk")
    # 0x81 and 0x8D are undefined in Windows-1252 and invalid alone in UTF-8.
    return with_bytes(ws, "tweb_penduduk", data.replace(b"I KADEK", b"I K\x81D\x8dK", 1))


@case("ebcdic_export", "config.csv", "pengodean")
def _(ws):
    return with_bytes(ws, "config", raw(ws, "config").decode().encode("cp500"))


@case("binary_junk_with_nul_bytes", "tweb_penduduk.csv", "biner")
def _(ws):
    return with_bytes(ws, "tweb_penduduk", junk(200_000, seed=1))


@case("binary_junk_without_nul_bytes", "tweb_keluarga.csv", "biner")
def _(ws):
    # Every byte decodes as Windows-1252: only the share of control characters gives it away.
    data = bytes(b for b in junk(240_000, seed=2, low=1) if b not in b"\x81\x8d\x8f\x90\x9d")
    return with_bytes(ws, "tweb_keluarga", data)


@case("binary_file_as_the_source", "format sumber tidak dikenal")
def _(ws):
    path = ws.tmp / "export.dat"
    path.write_bytes(junk(4096, seed=3))
    return str(path)


@case("empty_file", "tweb_penduduk.csv", "berkas kosong")
def _(ws):
    return with_bytes(ws, "tweb_penduduk", b"")


@case("whitespace_only_file", "config.csv", "berkas kosong")
def _(ws):
    return with_bytes(ws, "config", b"\r\n  \n\n")


@case("line_of_100_mb", "tweb_penduduk.csv baris 2 kolom nama", "lebih dari 64 KiB")
def _(ws):
    folder = copy(ws)
    header = raw(ws, "tweb_penduduk").split(b"\n", 1)[0]
    width = header.count(b",") + 1
    chunk = b"A" * MB
    with (folder / "tweb_penduduk.csv").open("wb") as out:  # streamed: never 100 MB in memory here
        out.write(header + b"\n1,1,")
        for _ in range(100):
            out.write(chunk)
        out.write(b"," * (width - 3) + b"\n")
    return str(folder)


@case("long_cell_in_the_middle_of_a_valid_file", "tweb_keluarga.csv", LINE, "kolom alamat",
      "lebih dari 64 KiB")
def _(ws):
    # Quotes and delimiters inside: the column is found by pairing quotes, as the parser does.
    value = 'Banjar "Kaja", Gang Mawar, ' * 4000
    ws.secrets.append(value[:200])
    return cell(ws, "tweb_keluarga", "alamat", value, secret=False)


# --- headers and tables ------------------------------------------------------------------

@case("duplicated_header", "tweb_penduduk.csv", "kolom ganda", "ke-4", "ke-7")
def _(ws):
    return edited(ws, "tweb_penduduk", lambda f: f.rename(columns={"sex": "nik"}))


@case("header_row_missing", "tweb_penduduk.csv", "header")
def _(ws):
    first = read(ws, "tweb_penduduk").iloc[0]
    ws.secrets += [first["nik"], first["nama"]]  # the data row now stands where the header was
    return with_bytes(ws, "tweb_penduduk", raw(ws, "tweb_penduduk").split(b"\n", 1)[1])


@case("data_in_an_unnamed_column", "tweb_wil_clusterdesa.csv", "tidak bernama")
def _(ws):
    lines = raw(ws, "tweb_wil_clusterdesa").rstrip(b"\n").split(b"\n")
    return with_bytes(ws, "tweb_wil_clusterdesa",
                      b"\n".join([lines[0] + b","] + [line + b",9" for line in lines[1:]]) + b"\n")


@case("required_column_missing", "tabel tweb_penduduk", "kolom tanggallahir", "kolom wajib tidak ada")
def _(ws):
    return edited(ws, "tweb_penduduk", lambda f: f.drop(columns=["tanggallahir"]))


@case("config_id_missing_in_a_gabungan", "tweb_keluarga", "config_id")
def _(ws):
    return edited(ws, "tweb_keluarga", lambda f: f.drop(columns=["config_id"]))


@case("core_table_missing", "tabel wajib tidak ada", "tweb_penduduk")
def _(ws):
    folder = copy(ws)
    (folder / "tweb_penduduk.csv").unlink()
    return str(folder)


@case("table_file_is_a_folder", "tabel wajib tidak ada", "tweb_keluarga")
def _(ws):
    folder = copy(ws)
    (folder / "tweb_keluarga.csv").unlink()
    (folder / "tweb_keluarga.csv").mkdir()
    return str(folder)


# --- values: NIK, dates, codes, region --------------------------------------------------

@case("nik_mangled_by_excel", DESA, "tabel tweb_penduduk", LINE, "kolom nik", "notasi ilmiah")
def _(ws):
    return cell(ws, "tweb_penduduk", "nik", "5.10201E+15")


@case("impossible_date", DESA, "tabel tweb_penduduk", LINE, "kolom tanggallahir")
def _(ws):
    return cell(ws, "tweb_penduduk", "tanggallahir", "1987-02-30")


@case("birth_after_reference_date", "tabel tweb_penduduk", LINE, "kolom tanggallahir", "sesudah")
def _(ws):
    return cell(ws, "tweb_penduduk", "tanggallahir", "2031-07-14")


@case("unknown_sex_code", DESA, "tabel tweb_penduduk", LINE, "kolom sex", "kode tidak dikenal")
def _(ws):
    return cell(ws, "tweb_penduduk", "sex", "L9Q")


@case("resident_in_a_missing_family", DESA, "tabel tweb_penduduk", LINE, "kolom id_kk")
def _(ws):
    return cell(ws, "tweb_penduduk", "id_kk", "987654321")


@case("resident_in_a_missing_cluster", "tabel tweb_penduduk", LINE, "kolom id_cluster")
def _(ws):
    return cell(ws, "tweb_penduduk", "id_cluster", "876543219")


@case("resident_of_a_missing_desa", "tabel tweb_penduduk", LINE, "kolom config_id")
def _(ws):
    return cell(ws, "tweb_penduduk", "config_id", "765432")


@case("desa_outside_the_kabupaten", "tabel config", "baris 4", "kolom kode_desa", "di luar")
def _(ws):
    return cell(ws, "config", "kode_desa", "5103012001", row=2)


@case("desa_code_not_in_kemendagri_list", "tabel config", "baris 4", "kolom kode_desa", "Kemendagri")
def _(ws):
    return cell(ws, "config", "kode_desa", "5102019876", row=2)


@case("desa_code_with_dots", "tabel config", "baris 4", "kolom kode_desa", "10 digit")
def _(ws):
    return cell(ws, "config", "kode_desa", "51.02.01.2003", row=2, secret=False)


@case("same_desa_twice_in_config", "tabel config", "kolom kode_desa", "lebih dari sekali")
def _(ws):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[3, "kode_desa"] = frame.loc[2, "kode_desa"]
        return frame
    return edited(ws, "config", change)


@case("same_nik_alive_in_two_desa", DESA, "tabel tweb_penduduk", "baris 2", "kolom nik", "dua desa")
def _(ws):
    frame = read(ws, "tweb_penduduk")
    alive = frame[frame["status_dasar"] == "1"]
    first = alive.index[0]
    other = alive.index[alive["config_id"] != alive.loc[first, "config_id"]][0]
    ws.secrets.append(frame.loc[first, "nik"])
    frame.loc[other, "nik"] = frame.loc[first, "nik"]
    folder = copy(ws)
    frame.to_csv(folder / "tweb_penduduk.csv", index=False)
    return str(folder)


# --- formula injection ------------------------------------------------------------------

@case("formula_in_a_resident_name", harmless=True)
def _(ws):
    return cell(ws, "tweb_penduduk", "nama", FORMULA)


@case("formula_in_a_nik", harmless=True)
def _(ws):
    return cell(ws, "tweb_penduduk", "nik", "+cmd|' /C calc'!A0")


@case("formula_in_the_desa_name", "tabel config", "baris 3", "kolom nama_desa", "rumus")
def _(ws):
    return cell(ws, "config", "nama_desa", FORMULA, row=1)


@case("formula_in_the_kecamatan_name", "tabel config", "baris 3", "kolom nama_kecamatan", "rumus")
def _(ws):
    return cell(ws, "config", "nama_kecamatan", "@SUM(1+1)*cmd|' /C calc'!A0", row=1)


@case("formula_in_the_desa_code", "tabel config", "baris 3", "kolom kode_desa")
def _(ws):
    return cell(ws, "config", "kode_desa", "=1+5102012002", row=1)


@case("formula_in_a_code_column", "tabel tweb_penduduk", LINE, "kolom sex")
def _(ws):
    return cell(ws, "tweb_penduduk", "sex", "@SUM(A1:A9)")


# --- desa boundaries (config.path): a bad one never stops a harvest --------------------------

@case("desa_boundary_that_is_not_json", harmless=True, changes=BOUNDARIES)
def _(ws):
    return cell(ws, "config", "path", "[[[[-8.4917,115.0311],[-8.4811,115.0377],[-8.47")


@case("desa_boundary_crossing_itself", harmless=True, changes=BOUNDARIES)
def _(ws):
    bow_tie = "[[[[-8.5017,115.0011],[-8.4511,115.0577],[-8.5017,115.0577],[-8.4511,115.0011]]]]"
    return cell(ws, "config", "path", bow_tie)


@case("desa_boundary_of_3_mb_within_the_map_cell_limit", harmless=True, changes=BOUNDARIES)
def _(ws):
    ring = ",".join(f"[-8.{470000 + i % 9000:06d},115.{20000 + i:06d}]" for i in range(120_000))
    return cell(ws, "config", "path", f"[[[{ring}]]]", secret=False)


# --- zip archives ------------------------------------------------------------------------

@case("zip_bomb", "export.zip", "zip bomb")
def _(ws):
    path = zipped(ws, clean_members(ws, "tweb_penduduk"))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("tweb_penduduk.csv", "w") as out:  # 64 MB of newlines, ~64 KB packed
            for _ in range(64):
                out.write(b"\n" * MB)
    return str(path)


@case("zip_path_traversal", "export.zip", "tidak aman")
def _(ws):
    members = clean_members(ws, "tweb_penduduk") + [("../../tweb_penduduk.csv", raw(ws, "tweb_penduduk"))]
    return str(zipped(ws, members))


@case("zip_absolute_path", "export.zip", "tidak aman")
def _(ws):
    members = clean_members(ws, "config") + [("/tmp/opensid/config.csv", raw(ws, "config"))]
    return str(zipped(ws, members))


@case("zip_windows_path_traversal", "export.zip", "tidak aman")
def _(ws):
    members = clean_members(ws, "config") + [("..\\..\\config.csv", raw(ws, "config"))]
    return str(zipped(ws, members))


@case("zip_symlink_member", "export.zip", "tautan simbolik")
def _(ws):
    link = zipfile.ZipInfo("tweb_penduduk.csv")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return str(zipped(ws, clean_members(ws, "tweb_penduduk") + [(link, b"/etc/passwd")]))


@case("zip_encrypted_member", "export.zip", "terenkripsi")
def _(ws):
    path = zipped(ws, clean_members(ws))
    patch_central(path, "config.csv", 8, "<H", 0x1, local=6)  # the "encrypted" flag bit
    return str(path)


@case("zip_member_larger_than_its_header_says", "export.zip/tweb_keluarga.csv", "rusak")
def _(ws):
    path = zipped(ws, clean_members(ws))
    size = len(raw(ws, "tweb_keluarga"))
    patch_central(path, "tweb_keluarga.csv", 24, "<I", size // 2)
    return str(path)


@case("zip_truncated", "export.zip", "rusak")
def _(ws):
    path = zipped(ws, clean_members(ws))
    path.write_bytes(path.read_bytes()[:-4096])
    return str(path)


@case("zip_without_opensid_tables", "export.zip", "tidak berisi berkas CSV")
def _(ws):
    return str(zipped(ws, [("BACA.txt", b"ekspor kosong\n"), ("data/penduduk.json", b"{}")]))


@case("zip_with_a_table_twice", "export.zip", "tweb_penduduk", "dua berkas")
def _(ws):
    return str(zipped(ws, clean_members(ws) + [("TWEB_PENDUDUK.csv", raw(ws, "tweb_penduduk"))]))


# --- workbooks ---------------------------------------------------------------------------

@case("xlsm_workbook", "export.xlsm", "makro")
def _(ws):
    return str(workbook(ws.tmp / "export.xlsm", one_desa(ws)))


@case("xlsx_with_vba_project", "export.xlsx", "makro")
def _(ws):
    path = workbook(ws.tmp / "export.xlsx", one_desa(ws))
    return str(add_members(path, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(508)}))


@case("xlsx_with_external_link", "export.xlsx", "tautan eksternal")
def _(ws):
    path = workbook(ws.tmp / "export.xlsx", one_desa(ws))
    link = (b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><externalBook r:id="rId1" xmlns:r="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships"/></externalLink>')
    return str(add_members(path, {"xl/externalLinks/externalLink1.xml": link}))


@case("xlsx_that_is_junk", "export.xlsx", "rusak")
def _(ws):
    path = ws.tmp / "export.xlsx"
    path.write_bytes(b"PK\x03\x04" + junk(8192, seed=4))
    return str(path)


@case("xlsx_with_nik_as_a_number", "export.xlsx/tweb_penduduk baris 2", "kolom nik", "16 digit")
def _(ws):
    tables = one_desa(ws)
    people = tables["tweb_penduduk"].astype(object)
    people["nik"] = people["nik"].astype("int64")
    ws.secrets.append(str(people.loc[0, "nik"]))
    tables["tweb_penduduk"] = people
    return str(workbook(ws.tmp / "export.xlsx", tables))


@case("xlsx_missing_a_sheet", "tabel wajib tidak ada", "tweb_wil_clusterdesa")
def _(ws):
    tables = one_desa(ws)
    del tables["tweb_wil_clusterdesa"]
    return str(workbook(ws.tmp / "export.xlsx", tables))


# --- databases ---------------------------------------------------------------------------

@case("sqlite_gabungan_missing_a_table", "tabel wajib tidak ada", "tweb_keluarga")
def _(ws):
    return str(sqlite_export(ws, skip=("tweb_keluarga",)))


@case("sqlite_url_missing_a_table", "tabel wajib tidak ada", "tweb_penduduk")
def _(ws):
    return f"sqlite:///{sqlite_export(ws, skip=('tweb_penduduk',))}"


@case("sqlite_url_of_a_missing_file", "tidak ditemukan")
def _(ws):
    return f"sqlite:///{ws.tmp / 'tidak-ada.sqlite'}"


@case("sqlite_file_corrupt", "gabungan.sqlite", "SQLite")
def _(ws):
    path = ws.tmp / "gabungan.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + junk(8192, seed=5))
    return str(path)


@case("sql_url_refusing_connections", "tidak dapat dibaca", "OperationalError")
def _(ws):
    ws.secrets.append("Rahasia-Sandi-77")
    return "mysql+pymysql://opensid:Rahasia-Sandi-77@127.0.0.1:1/opensid_gabungan"


@case("sql_url_with_a_driver_not_installed", "driver")
def _(ws):
    ws.secrets.append("Rahasia-Sandi-78")
    return "oracle://opensid:Rahasia-Sandi-78@127.0.0.1:1/opensid"


@case("mariadb_gabungan_missing_a_table", "tabel wajib tidak ada", "tweb_keluarga", needs_mariadb=True)
def _(ws):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    server = make_url(os.environ["TEST_MARIADB_URL"])
    name = f"portal_test_bad_{uuid.uuid4().hex[:8]}"  # concurrent runs must not share it
    admin = create_engine(server, poolclass=NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")

    def drop() -> None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()
    ws.cleanups.append(drop)
    url = server.set(database=name)
    engine = create_engine(url, poolclass=NullPool)
    for table, frame in one_desa(ws).items():
        if table != "tweb_keluarga":
            frame.to_sql(table, engine, index=False)
    engine.dispose()
    return url.render_as_string(hide_password=False)


# --- paths and folders -------------------------------------------------------------------

@case("path_does_not_exist", "tidak ditemukan")
def _(ws):
    return str(ws.tmp / "tidak-ada")


@case("folder_without_csv", "tidak berisi ekspor")
def _(ws):
    folder = ws.tmp / "kosong"
    folder.mkdir()
    (folder / "catatan.txt").write_text("belum ada ekspor\n")
    return str(folder)


@case("unsupported_extension_ods", "export.ods", "tidak didukung")
def _(ws):
    path = ws.tmp / "export.ods"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    return str(path)


@case("unsupported_extension_json", "format sumber tidak dikenal")
def _(ws):
    path = ws.tmp / "export.json"
    path.write_text('{"tweb_penduduk": []}')
    return str(path)


@case("symlink_in_a_folder_export", "tweb_penduduk.csv", "tautan simbolik")
def _(ws):
    folder = copy(ws)
    outside = ws.tmp / "di-luar.csv"
    (folder / "tweb_penduduk.csv").rename(outside)
    (folder / "tweb_penduduk.csv").symlink_to(outside)
    return str(folder)


@case("folder_of_exports_with_the_same_desa_twice", "desa-b", "desa yang sama", "desa-a")
def _(ws):
    folder = ws.tmp / "kiriman"
    for name in ("desa-a", "desa-b"):
        (folder / name).mkdir(parents=True)
        for table, frame in one_desa(ws).items():
            frame.drop(columns=["config_id"], errors="ignore").to_csv(folder / name / f"{table}.csv", index=False)
    return str(folder)


@case("folder_of_exports_with_a_gabungan_inside", "desa-b", "2 desa")
def _(ws):
    folder = ws.tmp / "kiriman"
    (folder / "desa-a").mkdir(parents=True)
    for table, frame in one_desa(ws).items():
        frame.drop(columns=["config_id"], errors="ignore").to_csv(folder / "desa-a" / f"{table}.csv", index=False)
    (folder / "desa-b").mkdir()
    both = {t: pd.concat([one_desa(ws, "2")[t], one_desa(ws, "3")[t]]) for t in TABLES}
    for table, frame in both.items():
        frame.to_csv(folder / "desa-b" / f"{table}.csv", index=False)
    return str(folder)


# --- the optional tables of issue 16: log_penduduk, log_keluarga, program, program_peserta --
# A bad row of an optional table is reported (desa, table, row, column) and not counted; the
# register's tables and every other count stay as they were, so a re-harvest proposes nothing.

def appended(ws: Workspace, table: str, changes: dict[str, str]) -> str:
    """A copy of the export with one more row of ``table``: a copy of its row ROW, changed."""
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        row = frame.iloc[[ROW]].copy()
        for column, value in changes.items():
            row[column] = value
        return pd.concat([frame, row], ignore_index=True)
    return edited(ws, table, change)


@case("log_row_of_a_resident_who_does_not_exist", harmless=True)
def _(ws):
    return appended(ws, "log_penduduk", {"id": "99999901", "id_pend": "99999901"})


@case("log_row_with_an_unknown_event_code", harmless=True)
def _(ws):
    return appended(ws, "log_penduduk", {"id": "99999902", "kode_peristiwa": "9"})


@case("log_row_reported_after_the_reference_date", harmless=True)
def _(ws):
    return appended(ws, "log_penduduk", {"id": "99999903", "kode_peristiwa": "2",
                                         "tgl_lapor": "2027-05-01 10:00:00"})


@case("nik_typed_into_a_log_note", harmless=True)
def _(ws):
    nik = read(ws, "tweb_penduduk")["nik"].iloc[ROW]
    ws.secrets.append(nik)
    return cell(ws, "log_penduduk", "catatan", f"pindah bersama {nik}, hubungi 081234567890")


@case("log_rows_with_the_same_id", "tabel log_penduduk", "kolom id", "id yang sama")
def _(ws):
    return appended(ws, "log_penduduk", {"tgl_lapor": "2016-01-01 10:00:00"})


@case("family_log_of_a_family_that_does_not_exist", harmless=True)
def _(ws):
    return appended(ws, "log_keluarga", {"id": "99999904", "id_kk": "99999904"})


@case("aid_recipient_pointing_at_nobody", harmless=True)
def _(ws):
    return appended(ws, "program_peserta", {"id": "99999905", "kartu_id_pend": "99999905"})


@case("aid_recipient_of_a_programme_that_does_not_exist", harmless=True)
def _(ws):
    return appended(ws, "program_peserta", {"id": "99999906", "program_id": "99999906"})


@case("programme_named_after_a_person", harmless=True)
def _(ws):
    name = read(ws, "tweb_penduduk")["nama"].iloc[ROW]
    ws.secrets.append(name)
    return appended(ws, "program", {"id": "99999907", "config_id": "1", "nama": f"Santunan {name}",
                                    "sdate": "2020-01-01", "edate": "2020-12-31", "status": "0"})


@case("programme_with_an_unknown_target_and_an_impossible_period", harmless=True)
def _(ws):
    return appended(ws, "program", {"id": "99999908", "sasaran": "7", "sdate": "2026-12-31",
                                    "edate": "2026-01-01"})


@case("household_whose_head_does_not_exist", harmless=True)
def _(ws):
    return appended(ws, "tweb_rtm", {"id": "99999909", "nik_kepala": "99999909", "no_kk": "510201200199999"})


@case("household_table_with_the_number_column_missing", harmless=True)
def _(ws):
    # Without no_kk the households cannot be counted: one warning, and the household tables
    # are not drafted this time (nothing new is proposed; the last harvest's drafts stay).
    return edited(ws, "tweb_rtm", lambda f: f.drop(columns=["no_kk"]))


# --- the stunting tables (OpenSID v23.02+): posyandu, kia, ibu_hamil, bulanan_anak -----------
# A bad record is reported (desa, table, row, column) and not counted; the quarter's tables stay.

@case("posyandu_record_in_the_future", harmless=True)
def _(ws):
    return appended(ws, "bulanan_anak", {"id_bulanan_anak": "99999921", "created_at": "2027-02-01 09:00:00"})


@case("child_record_pointing_at_no_kia_card", harmless=True)
def _(ws):
    return appended(ws, "bulanan_anak", {"id_bulanan_anak": "99999922", "kia_id": "99999922"})


@case("kia_card_of_a_mother_who_does_not_exist", harmless=True)
def _(ws):
    return appended(ws, "kia", {"id": "99999923", "ibu_id": "99999923", "anak_id": ""})


@case("nik_typed_into_a_posyandu_name_and_a_kia_number", harmless=True)
def _(ws):
    nik = read(ws, "tweb_penduduk")["nik"].iloc[ROW]
    ws.secrets.append(nik)
    folder = Path(cell(ws, "posyandu", "nama", f"Posyandu rumah {nik}", secret=False))
    kia = read(ws, "kia")
    kia.loc[ROW, "no_kia"] = nik
    kia.to_csv(folder / "kia.csv", index=False)
    return str(folder)


@case("child_records_with_the_same_key", "tabel bulanan_anak", "kolom id_bulanan_anak", "id yang sama")
def _(ws):
    return appended(ws, "bulanan_anak", {"created_at": "2026-08-01 09:00:00"})


@case("child_record_with_a_tikar_code_outside_the_list", harmless=True)
def _(ws):
    return appended(ws, "bulanan_anak", {"id_bulanan_anak": "99999924", "status_tikar": "9",
                                         "created_at": "2026-08-20 09:00:00"})


@case("pregnancy_record_with_an_unknown_status_and_an_impossible_month", harmless=True)
def _(ws):
    return appended(ws, "ibu_hamil", {"id_ibu_hamil": "99999925", "status_kehamilan": "7",
                                      "usia_kehamilan": "15", "created_at": "2026-08-20 09:00:00"})
