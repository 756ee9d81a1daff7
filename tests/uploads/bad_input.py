"""The upload bad-input corpus: hostile files built at test time (no personal-looking file committed).

Each case returns (file bytes, file name, schema or None, sheet or None) and states fragments
its error must contain (row, column, what). Values a case plants that must never be echoed go
into ``SECRETS``. Synthetic NIK, phone numbers and names are made up here, never read.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

DESA = ("5102012001", "5102012002", "5102012003", "5102012004")
NIK = "5102014107900001"  # shaped like a NIK (Tabanan, 1 Jul 1990, woman), made up
PHONE = "081234567890"
EMAIL = "warga.contoh@example.com"
NAME = "Ni Luh Contoh Sekali"
SECRETS = (NIK, PHONE, EMAIL, NAME, "ZZ-RAHASIA")


@dataclass(frozen=True)
class Case:
    """One hostile upload and the fragments its error must show."""

    name: str
    build: Callable[[], tuple[bytes, str, dict | None, str | None]]
    expect: tuple[str, ...]


CASES: list[Case] = []


def case(name: str, *expect: str):
    """Register the decorated builder as a case of the corpus."""
    def register(build):
        CASES.append(Case(name, build, expect))
        return build
    return register


def good_rows(n: int = 4, value: int = 40) -> list[list[str]]:
    """A clean table: desa x sex counts (header first)."""
    rows = [["kode_desa", "tahun", "jenis_kelamin", "jumlah_penduduk"]]
    for code in DESA[:n]:
        rows += [[code, "2025", "laki-laki", str(value)], [code, "2025", "perempuan", str(value + 7)]]
    return rows


def csv_bytes(rows: list[list[str]], sep: str = ",", encoding: str = "utf-8") -> bytes:
    """Rows as CSV text."""
    return ("\n".join(sep.join(r) for r in rows) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list], extra=None) -> bytes:
    """A workbook whose first sheet holds ``rows``; ``extra(book)`` adds the hostile part."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    for row in rows:
        sheet.append(row)
    if extra is not None:
        extra(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_column(name: str, values: list[str]) -> list[list[str]]:
    """The clean table with one more column."""
    rows = good_rows()
    return [rows[0] + [name]] + [r + [values[i % len(values)]] for i, r in enumerate(rows[1:])]


# Person-level records ----------------------------------------------------------------------
@case("kolom NIK", "kolom nik", "NIK", "data pribadi")
def nik_column():
    return csv_bytes(with_column("nik", [NIK])), "a.csv", None, None


@case("kolom No. KK", "kolom no_kk", "No. KK")
def kk_column():
    return csv_bytes(with_column("no_kk", [NIK])), "a.csv", None, None


@case("NIK di kolom tanpa nama khusus", "baris 2", "kolom keterangan", "NIK")
def nik_in_note():
    return csv_bytes(with_column("keterangan", [NIK])), "a.csv", None, None


@case("nama orang", "kolom nama_lengkap", "nama orang")
def person_names():
    return csv_bytes(with_column("nama_lengkap", [NAME, "ZZ-RAHASIA"])), "a.csv", None, None


@case("tanggal lahir", "kolom tanggal_lahir", "tanggal lahir")
def birth_dates():
    return csv_bytes(with_column("tanggal_lahir", ["01/07/1990"])), "a.csv", None, None


@case("tanggal lengkap di kolom bebas", "baris 2", "kolom catatan", "tanggal lengkap")
def dates_in_note():
    return csv_bytes(with_column("catatan", ["12/03/1987", "13/03/1987"])), "a.csv", None, None


@case("nomor telepon", "kolom no_hp", "nomor telepon")
def phones():
    return csv_bytes(with_column("no_hp", [PHONE])), "a.csv", None, None


@case("telepon di kolom bebas", "baris 2", "kolom kontak", "nomor telepon")
def phone_in_note():
    return csv_bytes(with_column("kontak", [PHONE])), "a.csv", None, None


@case("e-mail", "kolom email", "e-mail")
def emails():
    return csv_bytes(with_column("email", [EMAIL])), "a.csv", None, None


@case("alamat rumah", "kolom alamat", "alamat")
def addresses():
    return csv_bytes(with_column("alamat", ["Jl. Contoh No. 1"])), "a.csv", None, None


@case("RT/RW di kategori", "baris 2", "RT/RW")
def rt_rw():
    return csv_bytes(with_column("lokasi_kerja", ["RT 01/RW 02"])), "a.csv", None, None


@case("daftar orang tanpa NIK", "tampaknya orang", "umur")
def people_without_nik():
    rows = [["kode_desa", "umur", "jenis_kelamin", "pekerjaan"]]
    rows += [[DESA[i % 4], str(20 + i), "laki-laki" if i % 2 else "perempuan", f"p{i % 3}"] for i in range(40)]
    return csv_bytes(rows), "a.csv", None, None


@case("orang dengan hitungan 1", "tampaknya orang")
def people_counted_once():
    rows = [["kode_desa", "umur", "jenis_kelamin", "jumlah"]]
    rows += [[DESA[i % 4], str(20 + i), "laki-laki" if i % 2 else "perempuan", "1"] for i in range(40)]
    return csv_bytes(rows), "a.csv", None, None


@case("daftar tanpa pernyataan bukan orang", "rows_are_not_people")
def list_without_declaration():
    rows = [["kode_desa", "sekolah", "akreditasi"]] + [[DESA[i % 4], f"SD {i}", "A"] for i in range(8)]
    return csv_bytes(rows), "a.csv", None, None


# The workbook itself ------------------------------------------------------------------------
def _hidden_sheet(book):
    sheet = book.create_sheet("arsip")
    sheet.sheet_state = "hidden"
    sheet.append(["nik"])
    sheet.append([NIK])


@case("NIK di lembar tersembunyi", "lembar tersembunyi", "baris 2", "kolom A", "NIK")
def nik_hidden_sheet():
    return xlsx_bytes(good_rows(), _hidden_sheet), "a.xlsx", None, None


def _very_hidden(book):
    sheet = book.create_sheet("x")
    sheet.sheet_state = "veryHidden"
    sheet["B3"] = PHONE


@case("telepon di lembar sangat tersembunyi", "lembar tersembunyi", "baris 3", "kolom B", "telepon")
def phone_very_hidden():
    return xlsx_bytes(good_rows(), _very_hidden), "a.xlsx", None, None


def _comment(book):
    from openpyxl.comments import Comment

    book["data"]["D2"].comment = Comment(f"cek {NIK}", "petugas")


@case("NIK di komentar sel", "komentar sel", "NIK")
def nik_comment():
    return xlsx_bytes(good_rows(), _comment), "a.xlsx", None, None


def _named(book):
    from openpyxl.workbook.defined_name import DefinedName

    book.defined_names["rahasia"] = DefinedName("rahasia", attr_text=f'"{NIK}"')


@case("NIK di nama rentang", "nama rentang", "NIK")
def nik_named_range():
    return xlsx_bytes(good_rows(), _named), "a.xlsx", None, None


def _formula(book):
    book["data"]["D3"] = "=D2*2"


@case("sel rumus", "baris 3", "kolom D", "rumus")
def formula_cell():
    return xlsx_bytes(good_rows(), _formula), "a.xlsx", None, None


@case("buku kerja bermakro", "makro")
def macro_workbook():
    content = xlsx_bytes(good_rows())
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(buffer, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item))
        out.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return buffer.getvalue(), "a.xlsx", None, None


@case("berkas .xlsm", ".xlsm")
def xlsm_name():
    return xlsx_bytes(good_rows()), "a.xlsm", None, None


@case("objek tersemat", "objek tersemat")
def embedded_object():
    content = xlsx_bytes(good_rows())
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(buffer, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item))
        out.writestr("xl/embeddings/oleObject1.bin", b"ole")
    return buffer.getvalue(), "a.xlsx", None, None


@case("tautan eksternal", "tautan eksternal")
def external_link():
    content = xlsx_bytes(good_rows())
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(buffer, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item))
        out.writestr("xl/externalLinks/externalLink1.xml", b"<externalLink/>")
    return buffer.getvalue(), "a.xlsx", None, None


@case("lembar kosong", "lembar kosong")
def empty_sheet():
    return xlsx_bytes([]), "a.xlsx", None, None


@case("lembar yang dipilih tidak ada", "lembar yang dipilih tidak ada")
def missing_sheet():
    return xlsx_bytes(good_rows()), "a.xlsx", None, "tidak-ada"


@case("NIK sebagai bilangan di XLSX", "16 digit")
def nik_as_number():
    rows = good_rows()
    rows[2][3] = int(NIK)
    return xlsx_bytes(rows), "a.xlsx", None, None


@case("buku kerja rusak", "rusak")
def broken_workbook():
    return b"PK\x03\x04 bukan zip", "a.xlsx", None, None


# Codes, keys and values -------------------------------------------------------------------
@case("kode desa tidak dikenal", "baris 3", "kolom kode_desa", "tidak dikenal")
def unknown_desa():
    rows = good_rows()
    rows[2][0] = "5102019999"
    return csv_bytes(rows), "a.csv", None, None


@case("kode desa salah ketik", "baris 4", "kolom kode_desa", "bukan kode wilayah")
def misspelt_code():
    rows = good_rows()
    rows[3][0] = "51.02.01.20O1"
    return csv_bytes(rows), "a.csv", None, None


@case("kode desa kabupaten lain", "baris 2", "tidak dikenal")
def other_district():
    rows = good_rows()
    rows[1][0] = "3201012001"
    return csv_bytes(rows), "a.csv", None, None


@case("nama desa salah eja", "nama wilayah tidak cocok", "baris 2")
def misspelt_desa_name():
    rows = [["desa", "jumlah_penduduk"], ["Desa Yang Tidak Ada", "40"], ["Desa Lain Fiktif", "50"]]
    return csv_bytes(rows), "a.csv", None, None


@case("kunci ganda", "baris 2 dan 3", "kunci ganda")
def duplicate_keys():
    rows = good_rows()
    rows[2][2] = "laki-laki"
    return csv_bytes(rows), "a.csv", None, None


@case("jumlah negatif", "baris 3", "kolom jumlah_penduduk", "bilangan cacah")
def negative_count():
    rows = good_rows()
    rows[2][3] = "-5"
    return csv_bytes(rows), "a.csv", None, None


@case("jumlah pecahan", "baris 4", "kolom jumlah_penduduk", "bilangan cacah")
def fractional_count():
    rows = good_rows()
    rows[3][3] = "12.5"
    return csv_bytes(rows), "a.csv", None, None


@case("jumlah kosong", "baris 2", "kolom jumlah_penduduk", "sel kosong")
def empty_count():
    rows = good_rows()
    rows[1][3] = ""
    return csv_bytes(rows), "a.csv", {"fields": [{"name": "jumlah_penduduk", "role": "ukuran",
                                                    "measure": "orang"}]}, None


@case("periode tanggal lengkap", "baris 2", "kolom tahun", "bukan tanggal lengkap")
def full_date_period():
    rows = good_rows()
    rows[1][1] = "2025-06-30"
    return csv_bytes(rows), "a.csv", None, None


@case("baris jumlah yang tidak sama", "baris 4", "tidak sama dengan jumlah rinciannya")
def wrong_total_row():
    rows = good_rows(1)
    rows.append([DESA[0], "2025", "jumlah", "999"])
    return csv_bytes(rows), "a.csv", None, None


@case("angka kecil semua di data spesifik", "semua angka", "k=10")
def all_small_specific():
    rows = [["kode_desa", "tahun", "penyakit", "jumlah_pasien"]]
    rows += [[d, "2025", p, str(n)] for d in DESA for p, n in (("tbc", 1), ("kusta", 4))]
    return csv_bytes(rows), "a.csv", None, None


@case("tanpa kolom wilayah", "tidak ada kolom wilayah")
def no_area():
    return csv_bytes([["kategori", "jumlah"], ["a", "10"], ["b", "20"]]), "a.csv", None, None


# Size, shape and encoding -----------------------------------------------------------------
@case("berkas raksasa", "lebih dari 50 MB")
def huge_file():
    return b"kode_desa,jumlah\n" + b"5102012001,1\n" * (50 * 1024 * 1024 // 13 + 10), "a.csv", None, None


@case("10.000 kolom", "10000 kolom")
def ten_thousand_columns():
    header = ["kode_desa"] + [f"k{i}" for i in range(9999)]
    return csv_bytes([header, [DESA[0]] + ["1"] * 9999]), "a.csv", None, None


@case("sel 64 KiB", "baris 3", "lebih dari")
def huge_cell():
    rows = with_column("keterangan", ["ok"])
    rows[2][-1] = "a" * (64 * 1024)
    return csv_bytes(rows), "a.csv", None, None


@case("zip bomb", "zip bomb")
def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.csv", b"kode_desa,jumlah\n" + b"0" * (20 * 1024 * 1024))
    return buffer.getvalue(), "a.zip", None, None


@case("zip dengan path keluar", "tidak aman")
def zip_traversal():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../data.csv", csv_bytes(good_rows()))
    return buffer.getvalue(), "a.zip", None, None


@case("paket data dengan dua tabel", "tepat satu tabel")
def package_two_tables():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", '{"resources": [{"path": "a.csv"}, {"path": "b.csv"}]}')
        archive.writestr("a.csv", csv_bytes(good_rows()))
        archive.writestr("b.csv", csv_bytes(good_rows()))
    return buffer.getvalue(), "a.zip", None, None


@case("UTF-16 dengan NIK", "NIK")
def utf16_with_nik():
    return csv_bytes(with_column("keterangan", [NIK]), "\t", "utf-16"), "a.csv", None, None


@case("Windows-1252 dengan nama orang", "kolom nama_pemilik", "nama orang")
def cp1252_names():
    return csv_bytes(with_column("nama_pemilik", ["José Contoh", "ZZ-RAHASIA"]), ";", "cp1252"), "a.csv", None, None


@case("berkas biner", "biner")
def binary_file():
    return b"\x00\x01\x02" * 100, "a.csv", None, None


@case("jenis berkas lain", "tidak didukung")
def wrong_kind():
    return b"%PDF-1.4", "a.pdf", None, None


@case("skema menyebut kolom yang tidak ada", "nama kolom tidak ada")
def schema_unknown_column():
    return csv_bytes(good_rows()), "a.csv", {"fields": [{"name": "tidak_ada", "role": "ukuran"}]}, None


@case("skema peran tidak dikenal", "peran tidak dikenal")
def schema_bad_role():
    return csv_bytes(good_rows()), "a.csv", {"fields": [{"name": "tahun", "role": "rahasia"}]}, None


@case("NIK di kolom besaran", "baris 2", "kolom anggaran_rupiah", "NIK")
def nik_in_quantity():
    rows = [["kode_desa", "tahun", "anggaran_rupiah"]] + [[d, "2025", NIK] for d in DESA]
    return csv_bytes(rows), "a.csv", None, None
