"""The Table Schema of an upload: per column a role, a type and, for a measure, what it counts.

Inferred from names and values (rules as data below), then confirmed or corrected by the
produsen (a schema JSON on the CLI, the mapping page on the web), with the Satu Data Indonesia
variable metadata (MS-Var) per column. A measure counts people or families (the privacy
threshold applies) or is a quantity that identifies no one (rupiah, hectares, schools).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from portal.uploads.errors import UploadError
from portal.uploads.read import Upload
from portal.uploads.regions import looks_like_codes

ROLES = ("kode_wilayah", "nama_wilayah", "periode", "dimensi", "ukuran", "catatan")
MEASURES = ("orang", "keluarga", "besaran")  # besaran: a quantity that identifies no one
MSVAR = ("konsep", "definisi", "klasifikasi", "ukuran", "satuan", "tipe_data", "aturan_validasi")
AREA_CODE_NAMES = ("kode_desa", "kode_kelurahan", "kode_wilayah", "kode_kecamatan", "kode_kemendagri",
                   "kode_desa_kelurahan", "kode_kec", "kd_desa", "kode")
AREA_NAME_WORDS = ("desa", "kelurahan", "kecamatan", "nama_desa", "nama_kelurahan", "nama_kecamatan",
                   "desa_kelurahan", "wilayah", "nama_wilayah", "kec")
PERIOD_NAMES = ("tahun", "periode", "bulan", "triwulan", "semester", "tahun_data", "tahun_anggaran",
                "periode_data")
# A measure whose name holds one of these words is a quantity (checked before the count words).
QUANTITY_WORDS = ("rupiah", "rp", "anggaran", "realisasi", "luas", "ha", "hektar", "km", "ton", "kg",
                  "sekolah", "unit", "persen", "persentase", "rasio", "rata", "indeks", "produksi",
                  "nilai", "panjang", "jarak", "kapasitas", "puskesmas", "fasilitas", "kendaraan",
                  "bangunan", "jembatan", "pasar", "volume", "harga", "skor", "ternak", "ekor",
                  "lokasi", "titik", "kegiatan", "meter", "liter")
FAMILY_WORDS = ("keluarga", "kk", "rumah_tangga", "rumahtangga", "rt_miskin", "krt")
COUNT_WORDS = ("jumlah", "penduduk", "orang", "jiwa", "pasien", "siswa", "murid", "balita", "anak",
               "ibu", "bayi", "peserta", "penerima", "laki", "perempuan", "pria", "wanita", "lansia",
               "pengangguran", "pekerja", "guru", "kasus", "warga", "pemilih", "mahasiswa", "total")
MAX_DIMENSION_VALUES = 200
AGE_WORDS = {"umur", "usia"}
NOTE_WORDS = {"keterangan", "catatan", "ket", "sumber"}


@dataclass
class Column:
    """One column of the upload as the produsen confirmed it."""

    name: str
    peran: str  # the column's role in the table (kode_wilayah, ukuran, ...)
    type: str = "string"
    measure: str | None = None
    title: str = ""
    meta: dict = field(default_factory=dict)
    total_of: list[str] = field(default_factory=list)  # a measure that sums others in its row

    @property
    def counted(self) -> bool:
        """A count of people or families: the privacy threshold applies."""
        return self.peran == "ukuran" and self.measure in ("orang", "keluarga")


def words(name: str) -> set[str]:
    """The words of a column name (jumlah_penduduk -> {jumlah, penduduk})."""
    return {w for w in name.split("_") if w}


def _is_number(values: pd.Series) -> bool:
    filled = values[values != ""]
    return bool(len(filled)) and bool(filled.str.fullmatch(r"-?\d+(\.\d+)?").all())


def measure_kind(name: str) -> str:
    """What a numeric column counts, by its name; a count of people when unsure (fail closed)."""
    found = words(name)
    if found & set(QUANTITY_WORDS):
        return "besaran"
    if found & set(FAMILY_WORDS):
        return "keluarga"
    return "orang"


def infer_column(name: str, values: pd.Series, rows: int) -> Column:
    """The role, type and measure of one column, from its name and its values."""
    stripped = values.str.strip()
    found = words(name)
    if name in AREA_CODE_NAMES or (not name.startswith("jumlah") and looks_like_codes(stripped)):
        return Column(name, "kode_wilayah")
    if name in AREA_NAME_WORDS or (found & {"desa", "kelurahan", "kecamatan"} and "jumlah" not in found
                                   and not _is_number(stripped)):
        return Column(name, "nama_wilayah")
    if name in PERIOD_NAMES or found & {"tahun", "periode", "bulan"} and not _is_number(stripped) \
            or (name.startswith("tahun") and stripped.str.fullmatch(r"(19|20)\d{2}").all()):
        return Column(name, "periode")
    if found & AGE_WORDS:
        return Column(name, "dimensi")  # an age is a category (and a quasi-identifier), not a count
    if _is_number(stripped):
        kind = measure_kind(name)
        integral = not stripped.str.contains(".", regex=False).any()
        return Column(name, "ukuran", "integer" if kind != "besaran" or integral else "number", kind)
    if found & NOTE_WORDS:
        return Column(name, "catatan")
    distinct = stripped.nunique()
    if distinct <= MAX_DIMENSION_VALUES and (distinct < rows or rows <= MAX_DIMENSION_VALUES):
        return Column(name, "dimensi")
    return Column(name, "catatan")


def infer(upload: Upload) -> list[Column]:
    """A first guess at every column's role, type and measure."""
    rows = len(upload.frame)
    columns = []
    for name in upload.columns:
        column = infer_column(name, upload.frame[name], rows)
        declared = upload.declared.get(name, {})
        column.title = str(declared.get("title") or name.replace("_", " ").capitalize())[:200]
        column.meta = {"konsep": column.title, "definisi": str(declared.get("description", ""))[:2000]}
        columns.append(column)
    totals = [c for c in columns if c.counted and c.name in ("jumlah", "total", "jumlah_total")]
    parts = [c.name for c in columns if c.counted and c not in totals]
    if len(totals) == 1 and len(parts) >= 2:
        totals[0].total_of = parts
    return columns


def apply_schema(columns: list[Column], schema: dict, where: str) -> list[Column]:
    """The produsen's corrections (role, measure, title, MS-Var, total_of) over the inference."""
    by_name = {c.name: c for c in columns}
    fields = schema.get("fields", [])
    if not isinstance(fields, list):
        raise UploadError(f"{where}: skema: 'fields' harus daftar")
    for i, item in enumerate(fields, 1):
        if not isinstance(item, dict) or item.get("name") not in by_name:
            raise UploadError(f"{where}: skema field ke-{i}: nama kolom tidak ada di tabel")
        column = by_name[item["name"]]
        if "role" in item:
            if item["role"] not in ROLES:
                raise UploadError(f"{where}: skema kolom {column.name}: peran tidak dikenal "
                                  f"(pilih {', '.join(ROLES)})")
            column.peran = item["role"]
        if column.peran == "ukuran":
            column.measure = item.get("measure", column.measure or "orang")
            if column.measure not in MEASURES:
                raise UploadError(f"{where}: skema kolom {column.name}: ukuran harus "
                                  f"{', '.join(MEASURES)}")
            column.type = "integer" if column.measure != "besaran" else item.get("type", column.type)
            if column.type not in ("integer", "number"):
                column.type = "number"
        else:
            column.measure, column.type = None, "string"
        if "title" in item:
            column.title = str(item["title"]).strip()[:200] or column.title
        column.meta.update({k: str(item[k]).strip()[:2000] for k in MSVAR if k in item})
        if "total_of" in item:
            column.total_of = [str(n) for n in item["total_of"]]
    for column in columns:
        for part in column.total_of:
            if part not in by_name or not by_name[part].counted or not column.counted:
                raise UploadError(f"{where}: skema kolom {column.name}: 'total_of' harus menyebut "
                                  "kolom ukuran orang/keluarga")
    return columns


def describe(columns: list[Column]) -> dict:
    """The confirmed schema as the produsen edits it (the CLI prints it for --schema)."""
    return {"fields": [{"name": c.name, "role": c.peran, "type": c.type, "title": c.title,
                        **({"measure": c.measure} if c.peran == "ukuran" else {}),
                        **({"total_of": c.total_of} if c.total_of else {}),
                        **{k: c.meta.get(k, "") for k in MSVAR}} for c in columns]}


def require_roles(columns: list[Column], where: str) -> None:
    """A table needs an area column; at most one area code column and one period column."""
    roles = [c.peran for c in columns]
    if "kode_wilayah" not in roles and "nama_wilayah" not in roles:
        raise UploadError(f"{where}: tidak ada kolom wilayah (kode atau nama desa/kecamatan); "
                          "tabel Satu Data disajikan per wilayah")
    for role in ("kode_wilayah", "periode"):
        if roles.count(role) > 1:
            raise UploadError(f"{where}: lebih dari satu kolom berperan {role}")
    if sum(1 for c in columns if c.peran == "nama_wilayah") > 2:
        raise UploadError(f"{where}: lebih dari dua kolom nama wilayah")


NUMBER = re.compile(r"-?\d+(\.\d+)?")
