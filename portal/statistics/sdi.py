"""Satu Data Indonesia metadata of every harvested table, declared as data beside the catalogue.

The Standar Data of Perpres 39/2019 Pasal 4 (konsep, definisi, klasifikasi, ukuran, satuan)
and the rest of the SDI metadata (tingkat penyajian, cakupan wilayah, sumber data, kode
referensi) for each table the harvest publishes, so that every harvested dataset is complete
before a walidata reviews it. Keys are the release metadata keys of portal.datasets.metadata.
Satuan follows BPS (``Orang``, not ``Jiwa``: ../shared/reference/satu-data.md §3).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from portal.core.site import district_code, district_name

# Kemendagri codes are the kode referensi of every regional row (reference §4).
REFERENCE_CODES = "Kode wilayah Kemendagri (Kepmendagri No 300.2.2-2138 Tahun 2025)"
OPENSID = "Data kependudukan OpenSID desa/kelurahan (Sistem Informasi Desa)"
# Where a table without its own entry below classifies by: desa, its dimension, sex.
AREA, SEX = "Wilayah (desa/kelurahan)", "Jenis kelamin"


@dataclass(frozen=True)
class Unit:
    """What a table counts: its concept, definition and unit of measure (satuan)."""

    konsep: str
    definisi: str
    satuan: str


UNITS: dict[str, Unit] = {
    "penduduk": Unit("Penduduk", "Orang yang tercatat sebagai penduduk desa/kelurahan dalam data "
                     "kependudukan desa (OpenSID) dan masih hidup serta berdomisili pada tanggal "
                     "referensi.", "Orang"),
    "keluarga": Unit("Keluarga", "Keluarga yang tercatat dengan satu Kartu Keluarga (KK) aktif "
                     "dalam data kependudukan desa (OpenSID) pada tanggal referensi; jenis kelamin "
                     "menurut kepala keluarga.", "Keluarga"),
    "rumah_tangga": Unit("Rumah tangga", "Rumah tangga yang tercatat di OpenSID desa (tweb_rtm) "
                         "dengan kepala rumah tangga penduduk yang masih hidup pada tanggal "
                         "referensi; jenis kelamin menurut kepala rumah tangga.", "Rumah tangga"),
}


@dataclass(frozen=True)
class TableMeta:
    """A table's own concept and classification; the rest follows from its unit."""

    konsep: str
    klasifikasi: str            # the dimension, between the area and sex
    ukuran: str = "Jumlah"
    satuan: str = ""            # "" = the unit's
    definisi: str = ""          # "" = the unit's, with the dimension
    by_sex: bool = True


_STUNTING = ("Ibu hamil dan anak 0-23 bulan yang tercatat di posyandu desa (OpenSID, kartu KIA) "
             "pada triwulan lengkap terakhir sebelum tanggal referensi.")
TABLES: dict[str, TableMeta] = {
    "penduduk-dan-keluarga": TableMeta("Penduduk dan keluarga", "Penduduk/keluarga",
                                       satuan="Orang; keluarga"),
    "penduduk-menurut-kelompok-umur": TableMeta("Kelompok umur penduduk", "Kelompok umur lima tahunan"),
    "penduduk-menurut-kategori-umur": TableMeta("Kategori umur penduduk", "Kategori umur"),
    "penduduk-menurut-pendidikan-dalam-kk": TableMeta("Pendidikan yang ditamatkan",
                                                      "Pendidikan yang ditamatkan (KK)"),
    "penduduk-menurut-pendidikan-sedang-ditempuh": TableMeta("Pendidikan yang sedang ditempuh",
                                                             "Jenjang pendidikan yang sedang ditempuh"),
    "penduduk-menurut-pekerjaan": TableMeta("Pekerjaan penduduk", "Pekerjaan"),
    "penduduk-menurut-status-perkawinan": TableMeta("Status perkawinan", "Status perkawinan"),
    "penduduk-menurut-agama": TableMeta("Agama penduduk", "Agama"),
    "penduduk-menurut-warga-negara": TableMeta("Kewarganegaraan", "Kewarganegaraan"),
    "penduduk-menurut-hubungan-dalam-kk": TableMeta("Hubungan dalam keluarga",
                                                    "Hubungan dengan kepala keluarga"),
    "penduduk-menurut-golongan-darah": TableMeta("Golongan darah", "Golongan darah"),
    "penduduk-menurut-disabilitas": TableMeta("Penyandang disabilitas", "Jenis disabilitas"),
    "penduduk-menurut-penyakit-menahun": TableMeta("Penyakit menahun", "Jenis penyakit menahun"),
    "akseptor-kb": TableMeta("Akseptor keluarga berencana", "Cara KB",
                             definisi="Penduduk berstatus kawin yang tercatat memakai cara KB "
                                      "dalam data kependudukan desa (OpenSID) pada tanggal referensi."),
    "status-kehamilan": TableMeta("Status kehamilan", "Status kehamilan",
                                  definisi="Penduduk perempuan menurut status kehamilan yang "
                                           "tercatat dalam data kependudukan desa (OpenSID) pada "
                                           "tanggal referensi."),
    "kepemilikan-akta-kelahiran": TableMeta("Kepemilikan akta kelahiran",
                                            "Memiliki/belum memiliki akta kelahiran"),
    "kepemilikan-ktp": TableMeta("Kepemilikan KTP elektronik", "Status perekaman KTP-el",
                                 definisi="Penduduk wajib KTP (umur 17 tahun ke atas atau pernah "
                                          "kawin) menurut status perekaman KTP elektronik dalam "
                                          "data kependudukan desa (OpenSID) pada tanggal referensi."),
    "penduduk-menurut-asuransi-kesehatan": TableMeta("Kepesertaan asuransi kesehatan",
                                                     "Jenis asuransi kesehatan"),
    "keluarga-menurut-kelas-sosial": TableMeta("Kesejahteraan keluarga", "Kelas sosial keluarga"),
    "laporan-bulanan-penduduk": TableMeta("Perkembangan penduduk bulanan",
                                          "Komponen perkembangan (awal, lahir, mati, datang, "
                                          "pindah, hilang, akhir); kewarganegaraan"),
    "laporan-bulanan-keluarga": TableMeta("Perkembangan keluarga bulanan",
                                          "Komponen perkembangan keluarga"),
    "rincian-pindah-keluar": TableMeta("Perpindahan penduduk keluar", "Tujuan pindah"),
    "penerima-bantuan-sosial-penduduk": TableMeta("Penerima bantuan sosial", "Program bantuan"),
    "penerima-bantuan-sosial-keluarga": TableMeta("Keluarga penerima bantuan sosial", "Program bantuan"),
    "penerima-bantuan-sosial-rumah-tangga": TableMeta("Rumah tangga penerima bantuan sosial",
                                                      "Program bantuan"),
    "rumah-tangga-menurut-kelas-sosial": TableMeta("Kesejahteraan rumah tangga", "Kelas sosial"),
    "penduduk-menurut-status-penduduk": TableMeta("Status kependudukan", "Status penduduk (tetap/tidak tetap)"),
    "kepesertaan-bpjs-ketenagakerjaan": TableMeta("Kepesertaan BPJS Ketenagakerjaan",
                                                  "Terdaftar/tidak terdaftar"),
    "kelompok-rentan": TableMeta("Kelompok rentan", "Kelompok rentan (tumpang tindih)"),
    "konvergensi-stunting-sasaran": TableMeta(
        "Sasaran konvergensi stunting", "Kelompok sasaran (ibu hamil, anak 0-23 bulan)",
        definisi=_STUNTING),
    "konvergensi-stunting-tikar": TableMeta("Status TIKAR anak 0-23 bulan", "Status TIKAR",
                                            definisi=_STUNTING),
    "konvergensi-stunting-layanan": TableMeta("Penerima layanan konvergensi stunting",
                                              "Jenis layanan konvergensi", definisi=_STUNTING),
    "kualitas-data-desa": TableMeta(
        "Kualitas data kependudukan desa", "Indikator kualitas data", ukuran="Persentase; jumlah",
        satuan="Persen; orang; keluarga", by_sex=False,
        definisi="Kelengkapan dan keabsahan data kependudukan OpenSID setiap desa pada tanggal "
                 "referensi: pangsa isian yang belum diisi, NIK tidak valid, keluarga tanpa "
                 "kepala keluarga, peringatan pemeriksaan, dan skor kelengkapan."),
    "batas-wilayah-desa": TableMeta(
        "Batas wilayah administrasi desa", "", ukuran="Luas", satuan="Kilometer persegi (km²)",
        by_sex=False, definisi="Batas wilayah setiap desa/kelurahan sebagaimana dicatat desa di "
                               "OpenSID, sebagai poligon GeoJSON; luas dihitung dari batas itu."),
}


def district_domain() -> str:
    """The pemda's mail domain by the Indonesian convention: Kabupaten Tabanan ->
    tabanankab.go.id, Kota Denpasar -> denpasarkota.go.id."""
    name = district_name().lower()
    kind = "kota" if name.startswith("kota") else "kab"
    place = re.sub(r"^(kabupaten|kab\.?|kota)\s+", "", name)
    return f"{re.sub(r'[^a-z0-9]', '', place)}{kind}.go.id"


def opd_email(slug: str) -> str:
    """The role address of a catalogue OPD (slug@pemda domain), never a person's."""
    return f"{slug}@{district_domain()}"


def coverage() -> str:
    """The cakupan wilayah of a harvested table: every desa of the district."""
    return f"{district_name()} ({district_code()}), seluruh desa/kelurahan"


def _fallback(spec) -> TableMeta:
    """A table the data above does not (yet) describe: its title as its concept, categories."""
    title = re.sub(r"\s+per desa.*$", "", spec.title, flags=re.IGNORECASE)
    return TableMeta(title, "Kategori")


def table_metadata(spec) -> dict[str, str]:
    """The SDI metadata of a catalogue table (a TableSpec, or the boundaries' GeoSpec), keyed
    as the release metadata; a table without its entry in TABLES gets a plain fallback."""
    own = TABLES.get(spec.name) or _fallback(spec)
    unit = UNITS.get(getattr(spec, "unit", "penduduk"), UNITS["penduduk"])
    classes = [AREA, *([own.klasifikasi] if own.klasifikasi else []), *([SEX] if own.by_sex else [])]
    needs = [n.split(".")[0] for n in getattr(spec, "needs", ())]
    tables = ", ".join(dict.fromkeys(["tweb_penduduk", "tweb_keluarga", *needs]))
    return {
        "konsep": own.konsep,
        "definisi": own.definisi or unit.definisi,
        "klasifikasi": "; ".join(f"{i}. {c}" for i, c in enumerate(classes, 1)),
        "ukuran": own.ukuran,
        "satuan": own.satuan or unit.satuan,
        "tingkat_penyajian": "desa",
        "cakupan_wilayah": coverage(),
        "sumber_data": f"{OPENSID}, tabel {tables}; dipanen Portal Satu Data",
        "kode_referensi": f"{REFERENCE_CODES}: kode_desa, kode_kecamatan",
    }
