"""Refuse person-level records, with a reason a produsen understands.

A column is personal by its name (NIK, No. KK, a person's name, birth date, phone, e-mail,
address) or by its values (the portal's output scanner's patterns). Rows are people when the
table counts nobody (or counts 1 in most rows) and its area plus quasi-identifiers (age, sex,
religion, occupation, ...) leave most rows unique. A list of places or organisations (schools,
health facilities) passes only when nothing personal is found and the produsen declares that
its rows are not people. Every message cites file, row and column, never a value.
"""
from __future__ import annotations

import pandas as pd

from portal.privacy.scan import scan_text
from portal.sources.tables import ROW_COLUMN
from portal.uploads.errors import UploadError, place
from portal.uploads.roles import Column, words
from portal.uploads.workbook import explain

# Column-name words that mean a personal value, and why (rules as data).
PERSONAL_NAMES: dict[str, str] = {
    "nik": "NIK", "nomor_induk_kependudukan": "NIK", "no_kk": "No. KK", "nomor_kk": "No. KK",
    "nkk": "No. KK", "tanggal_lahir": "tanggal lahir", "tgl_lahir": "tanggal lahir",
    "tempat_lahir": "tempat dan tanggal lahir", "ttl": "tempat dan tanggal lahir",
    "telepon": "nomor telepon", "telp": "nomor telepon", "no_hp": "nomor telepon", "hp": "nomor telepon",
    "whatsapp": "nomor telepon", "wa": "nomor telepon", "email": "alamat e-mail", "e_mail": "alamat e-mail",
    "surel": "alamat e-mail", "alamat": "alamat", "alamat_rumah": "alamat", "jalan": "alamat",
    "nisn": "nomor induk siswa", "npwp": "NPWP", "no_rekening": "nomor rekening", "bpjs": "nomor BPJS",
}
PERSONAL_WORDS = {"nik": "NIK", "kk": "No. KK", "lahir": "tanggal lahir", "telepon": "nomor telepon",
                  "hp": "nomor telepon", "email": "alamat e-mail", "alamat": "alamat", "nisn": "NISN",
                  "npwp": "NPWP", "rekening": "nomor rekening"}
# "nama_<x>" names a place or an organisation when <x> is one of these; otherwise a person.
PLACE_WORDS = {"desa", "kelurahan", "kecamatan", "wilayah", "dusun", "sekolah", "puskesmas", "faskes",
               "fasilitas", "rumah_sakit", "rs", "klinik", "posyandu", "instansi", "opd", "organisasi",
               "lembaga", "kegiatan", "program", "usaha", "pasar", "jalan_desa", "objek", "kelompok",
               "koperasi", "bumdes", "tempat", "satuan", "unit", "jenis", "kategori", "komoditas",
               "perusahaan", "badan", "sarana", "bangunan", "kabupaten", "provinsi"}
QUASI_WORDS = {"umur", "usia", "jenis_kelamin", "kelamin", "sex", "jk", "agama", "pekerjaan",
               "pendidikan", "status_kawin", "perkawinan", "golongan_darah", "tahun_lahir", "dusun",
               "rt", "rw", "suku", "disabilitas", "penyakit"}
UNIQUE_SHARE = 0.5   # rows unique on area + quasi-identifiers: "most"
ONE_SHARE = 0.8      # counts of 1 in this share of rows: one person per row
LIST_HINT = ("jika baris-barisnya adalah tempat atau lembaga (sekolah, fasilitas kesehatan), "
             "nyatakan 'rows_are_not_people' di skema")


def _personal_name(column: Column) -> str | None:
    """Why a column's name says it holds a personal value, or None."""
    name = column.name
    if name in PERSONAL_NAMES:
        return PERSONAL_NAMES[name]
    found = words(name)
    if "jumlah" in found or column.peran == "ukuran":
        return None  # jumlah_kk counts families; it holds no one's number
    for word, why in PERSONAL_WORDS.items():
        if word in found:
            return why
    if found and name.split("_")[0] == "nama" and column.peran != "nama_wilayah":
        rest = name[len("nama_"):] if name.startswith("nama_") else ""
        if rest not in PLACE_WORDS and not (words(rest) & PLACE_WORDS):
            return "nama orang"
    return None


def check_columns(frame: pd.DataFrame, columns: list[Column], where: str,
                  names: dict[str, str]) -> None:
    """Refuse a column that is personal by name, or whose values look personal."""
    rows = frame[ROW_COLUMN].to_numpy()
    for column in columns:
        label = names.get(column.name, column.name)
        why = _personal_name(column)
        if why is not None:
            raise UploadError(f"{place(where, None, label)}: kolom ini tampaknya berisi {why} — data "
                              "pribadi per orang tidak boleh diunggah; unggah rekapitulasi per wilayah "
                              "(jumlah orang per desa dan kategori)")
        values = frame[column.name]
        first = ~values.duplicated()
        unique = values[first]
        findings = scan_text(where, "\n".join(v.replace("\n", " ").replace("\r", " ") for v in unique))
        if findings and not (column.peran == "periode" and findings[0].pattern == "date"):
            row = int(rows[first.to_numpy().nonzero()[0][findings[0].line - 1]])
            raise UploadError(f"{place(where, row, label)}: sel tampaknya berisi "
                              f"{explain(findings[0].pattern)} — data pribadi tidak boleh diunggah")


def check_rows(frame: pd.DataFrame, columns: list[Column], where: str, declared_not_people: bool) -> None:
    """Refuse rows that are people; a list of places needs the produsen's declaration."""
    counts = [c for c in columns if c.counted]
    quasi = [c.name for c in columns if c.peran in ("dimensi", "catatan")
             and (words(c.name) & QUASI_WORDS or c.name in QUASI_WORDS)]
    area = [c.name for c in columns if c.peran in ("kode_wilayah", "nama_wilayah")]
    ones = False
    if counts:
        numbers = frame[[c.name for c in counts]].apply(pd.to_numeric, errors="coerce")
        ones = bool((numbers.le(1).all(axis=1)).mean() >= ONE_SHARE)
    if quasi and (not counts or ones):
        unique = ~frame.duplicated(subset=area + quasi, keep=False)
        if unique.mean() > UNIQUE_SHARE:
            raise UploadError(f"{where}: baris-baris tabel ini tampaknya orang, bukan wilayah: kombinasi "
                              f"wilayah dan {', '.join(quasi)} membuat sebagian besar baris unik "
                              "sehingga orangnya dapat dikenali; unggah jumlah orang per kategori")
    if not any(c.peran == "ukuran" for c in columns) and not declared_not_people:
        raise UploadError(f"{where}: tabel ini tidak memuat jumlah orang atau keluarga maupun besaran; "
                          f"daftar per baris hanya boleh bila barisnya bukan orang — {LIST_HINT}")
