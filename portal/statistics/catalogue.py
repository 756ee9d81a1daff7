"""The catalogue of statistic tables: declared once as data, counted by generic code."""
from __future__ import annotations

import re
from dataclasses import dataclass

from portal.core.vocabularies import PrivacyClass

GENERAL, SPECIFIC = PrivacyClass.GENERAL, PrivacyClass.SPECIFIC

# Publishing OPD (organisasi perangkat daerah) of each table, by default.
ORGANIZATIONS: dict[str, str] = {
    "disdukcapil": "Dinas Kependudukan dan Pencatatan Sipil",
    "dinas-pendidikan": "Dinas Pendidikan, Kepemudaan dan Olahraga",
    "dinas-kesehatan": "Dinas Kesehatan",
    "dinas-sosial": "Dinas Sosial",
    "disnaker": "Dinas Tenaga Kerja",
    "kesra": "Bagian Kesejahteraan Rakyat Sekretariat Daerah",
    "dp3ap2kb": "Dinas Pengendalian Penduduk dan Keluarga Berencana",
}

# OpenSID's default brackets (tweb_penduduk_umur); a person falls in [dari, sampai].
AGE_RANGES: tuple[tuple[int, int, str], ...] = (
    (0, 1, "DI BAWAH 1 TAHUN"), (2, 4, "2 S/D 4 TAHUN"),
    *((a, a + 4, f"{a} S/D {a + 4} TAHUN") for a in range(5, 75, 5)),
    (75, 99999, "DI ATAS 75 TAHUN"),
)
AGE_CATEGORIES: tuple[tuple[int, int, str], ...] = (
    (0, 5, "BALITA"), (6, 17, "ANAK-ANAK"), (18, 30, "DEWASA"), (31, 99999, "TUA"),
)
FLAGS: dict[str, dict[int, str]] = {
    "akta_lahir": {1: "MEMILIKI AKTA KELAHIRAN", 2: "BELUM MEMILIKI AKTA KELAHIRAN"},
    "bpjs_ketenagakerjaan": {1: "TERDAFTAR BPJS KETENAGAKERJAAN",
                             2: "TIDAK TERDAFTAR BPJS KETENAGAKERJAAN"},
}
UNIT_LABELS = {"PENDUDUK": 1, "KELUARGA": 2}
# OpenSID's tweb_cara_kb.sex: the form offers each method to one sex (99 Lainnya to both).
KB_METHOD_SEX: tuple[tuple[int, int], ...] = ((1, 2), (2, 2), (3, 2), (4, 1), (5, 2), (6, 2), (7, 1))


@dataclass(frozen=True)
class TableSpec:
    """One published table: a population of one desa counted by one dimension, by sex."""

    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    # How rows are formed: "code" (an OpenSID code list), "age" (brackets), "flag", "unit".
    dimension: str
    column: str = ""
    code_list: str = ""
    brackets: tuple[tuple[int, int, str], ...] = ()
    unit: str = "penduduk"          # "penduduk" (residents) or "keluarga" (families)
    population: str = "all"         # which members of the unit are counted (see compute.POPULATIONS)
    topic: str = "kependudukan"
    organization: str = "disdukcapil"
    privacy_class: PrivacyClass = GENERAL
    tags: tuple[str, ...] = ()
    # Residents whose code is empty or unknown are counted as BELUM MENGISI, as OpenSID does.
    count_unfilled: bool = True
    # What the table is counted from beyond the core register: optional source tables
    # ("log_penduduk") or register columns ("tweb_penduduk.status"). A source lacking one is
    # warned about once and the table is not drafted (never a zero published as data).
    needs: tuple[str, ...] = ()
    # How the table is counted where it differs from OpenSID/OpenKab; shown with the dataset.
    method: str = ""
    method_en: str = ""
    # Categories OpenSID offers to one sex only, as (code, sex: 1 laki-laki, 2 perempuan): the
    # other sex's count is zero by definition (privacy.policy.zero_by_definition).
    one_sex: tuple[tuple[int, int], ...] = ()


# Every row of every table carries these keys; dotted Kemendagri codes (kode referensi).
KEY_FIELDS = ("kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan", "kode", "kategori")
COUNT_FIELDS = ("jumlah", "laki_laki", "perempuan")
UNFILLED_CODE, UNFILLED_LABEL = 777, "BELUM MENGISI"


def _code(name, column, code_list, title, title_en, what, what_en, **kw) -> TableSpec:
    return TableSpec(
        name=name, title=title, title_en=title_en, dimension="code", column=column,
        code_list=code_list,
        description=f"Jumlah {kw.pop('who', 'penduduk')} di setiap desa menurut {what} dan jenis "
                    "kelamin, dihitung dari data OpenSID desa pada tanggal referensi.",
        description_en=f"Number of {kw.pop('who_en', 'residents')} of each village by {what_en} "
                       "and sex, counted from the villages' OpenSID data on the reference date.",
        **kw)


CATALOGUE: tuple[TableSpec, ...] = (
    TableSpec(
        name="penduduk-dan-keluarga", dimension="unit",
        title="Jumlah Penduduk dan Keluarga per Desa", title_en="Population and Families by Village",
        description="Jumlah penduduk hidup dan jumlah keluarga aktif di setiap desa menurut jenis "
                    "kelamin (keluarga: jenis kelamin kepala keluarga).",
        description_en="Living residents and active families of each village by sex (families: "
                       "sex of the head of family).",
        tags=("penduduk", "keluarga", "jenis kelamin", "demografi")),
    TableSpec(
        name="penduduk-menurut-kelompok-umur", dimension="age", brackets=AGE_RANGES,
        title="Penduduk menurut Kelompok Umur (Rentang) dan Jenis Kelamin",
        title_en="Residents by Age Group and Sex",
        description="Jumlah penduduk di setiap desa menurut kelompok umur lima tahunan (rentang umur "
                    "OpenSID) dan jenis kelamin; umur dihitung pada tanggal referensi.",
        description_en="Residents of each village by five-year age group (OpenSID brackets) and sex; "
                       "ages computed on the reference date.",
        tags=("umur", "piramida penduduk", "demografi")),
    TableSpec(
        name="penduduk-menurut-kategori-umur", dimension="age", brackets=AGE_CATEGORIES,
        title="Penduduk menurut Kategori Umur dan Jenis Kelamin",
        title_en="Residents by Age Category and Sex",
        description="Jumlah penduduk di setiap desa menurut kategori umur OpenSID (balita, anak-anak, "
                    "dewasa, tua) dan jenis kelamin.",
        description_en="Residents of each village by OpenSID age category (toddlers, children, "
                       "adults, elderly) and sex.",
        tags=("umur", "anak", "demografi")),
    _code("penduduk-menurut-pendidikan-dalam-kk", "pendidikan_kk_id", "pendidikan_kk",
          "Penduduk menurut Pendidikan dalam KK", "Residents by Education Attained",
          "pendidikan yang ditamatkan (dalam KK)", "education attained", topic="pendidikan",
          organization="dinas-pendidikan", tags=("pendidikan",)),
    _code("penduduk-menurut-pendidikan-sedang-ditempuh", "pendidikan_sedang_id", "pendidikan_sedang",
          "Penduduk menurut Pendidikan yang Sedang Ditempuh", "Residents by Current Schooling",
          "pendidikan yang sedang ditempuh", "current schooling", topic="pendidikan",
          organization="dinas-pendidikan", tags=("pendidikan", "sekolah")),
    _code("penduduk-menurut-pekerjaan", "pekerjaan_id", "pekerjaan",
          "Penduduk menurut Pekerjaan", "Residents by Occupation", "pekerjaan", "occupation",
          topic="ketenagakerjaan", organization="disnaker", tags=("pekerjaan", "tenaga kerja")),
    _code("penduduk-menurut-status-perkawinan", "status_kawin", "status_kawin",
          "Penduduk menurut Status Perkawinan", "Residents by Marital Status",
          "status perkawinan", "marital status", tags=("perkawinan",)),
    _code("penduduk-menurut-agama", "agama_id", "agama", "Penduduk menurut Agama",
          "Residents by Religion", "agama", "religion", topic="agama", organization="kesra",
          tags=("agama",)),
    _code("penduduk-menurut-warga-negara", "warganegara_id", "warganegara",
          "Penduduk menurut Kewarganegaraan", "Residents by Citizenship", "kewarganegaraan",
          "citizenship", tags=("kewarganegaraan", "WNA")),
    _code("penduduk-menurut-hubungan-dalam-kk", "kk_level", "hubungan",
          "Penduduk menurut Hubungan dalam Keluarga", "Residents by Relationship to Head of Family",
          "hubungan dalam kartu keluarga", "relationship to the head of family",
          tags=("keluarga",)),
    _code("penduduk-menurut-golongan-darah", "golongan_darah_id", "golongan_darah",
          "Penduduk menurut Golongan Darah", "Residents by Blood Type", "golongan darah",
          "blood type", topic="kesehatan", organization="dinas-kesehatan",
          privacy_class=SPECIFIC, tags=("kesehatan", "golongan darah")),
    _code("penduduk-menurut-disabilitas", "cacat_id", "cacat",
          "Penyandang Disabilitas", "Residents with Disabilities", "jenis disabilitas",
          "type of disability", topic="jaminan-sosial", organization="dinas-sosial",
          privacy_class=SPECIFIC, tags=("disabilitas", "kesehatan")),
    _code("penduduk-menurut-penyakit-menahun", "sakit_menahun_id", "sakit_menahun",
          "Penduduk menurut Penyakit Menahun", "Residents by Chronic Illness", "penyakit menahun",
          "chronic illness", topic="kesehatan", organization="dinas-kesehatan",
          privacy_class=SPECIFIC, tags=("kesehatan", "penyakit")),
    _code("akseptor-kb", "cara_kb_id", "cara_kb", "Akseptor KB menurut Cara KB",
          "Family Planning Users by Method", "cara KB (penduduk berstatus kawin)",
          "family planning method (married residents)", population="kawin",
          who="penduduk berstatus kawin", who_en="married residents", topic="kesehatan",
          organization="dp3ap2kb", privacy_class=SPECIFIC, tags=("KB", "kesehatan"),
          one_sex=KB_METHOD_SEX,
          method="Formulir OpenSID menawarkan setiap cara KB kepada satu jenis kelamin (pil, IUD, "
                 "suntik, susuk dan sterilisasi wanita kepada perempuan; kondom dan sterilisasi pria "
                 "kepada laki-laki; lainnya kepada keduanya), jadi jenis kelamin lainnya diterbitkan "
                 "sebagai 0, bukan disembunyikan. Bila data satu desa menyalahi aturan itu, sel "
                 "tersebut dihitung seperti sel lain di setiap desa.",
          method_en="OpenSID's form offers each method to one sex (the pill, IUD, injections, "
                    "implants and female sterilisation to women; condoms and vasectomy to men; "
                    "other to both), so the other sex is published as 0, not hidden. Where one "
                    "village's data break that rule, those cells are counted like any other in "
                    "every village."),
    _code("status-kehamilan", "hamil", "hamil", "Status Kehamilan", "Pregnancy Status",
          "status kehamilan", "pregnancy status", population="perempuan",
          who="penduduk perempuan", who_en="female residents", topic="kesehatan",
          organization="dinas-kesehatan", privacy_class=SPECIFIC, tags=("kesehatan", "ibu hamil")),
    TableSpec(
        name="kepemilikan-akta-kelahiran", dimension="flag", column="akta_lahir",
        title="Kepemilikan Akta Kelahiran", title_en="Birth Certificate Ownership",
        description="Jumlah penduduk di setiap desa yang memiliki dan belum memiliki akta kelahiran, "
                    "menurut jenis kelamin.",
        description_en="Residents of each village with and without a birth certificate, by sex.",
        tags=("akta kelahiran", "dokumen"), count_unfilled=False),
    _code("kepemilikan-ktp", "status_rekam", "status_rekam", "Kepemilikan KTP Elektronik",
          "Electronic ID Card Status", "status perekaman KTP-el (umur 17 tahun ke atas atau pernah "
          "kawin)", "electronic ID card status (aged 17 and over or ever married)",
          population="wajib_ktp", who="penduduk wajib KTP", who_en="residents required to hold an "
          "ID card", tags=("KTP", "dokumen")),
    _code("penduduk-menurut-asuransi-kesehatan", "id_asuransi", "asuransi",
          "Penduduk menurut Asuransi Kesehatan", "Residents by Health Insurance",
          "asuransi kesehatan", "health insurance", topic="kesehatan",
          organization="dinas-kesehatan", privacy_class=SPECIFIC, tags=("BPJS", "asuransi")),
    _code("keluarga-menurut-kelas-sosial", "kelas_sosial", "kelas_sosial",
          "Keluarga menurut Kelas Sosial", "Families by Welfare Class",
          "kelas sosial (tingkat kesejahteraan)", "welfare class", unit="keluarga",
          who="keluarga aktif", who_en="active families", topic="jaminan-sosial",
          organization="dinas-sosial", privacy_class=SPECIFIC, tags=("keluarga", "kesejahteraan")),
)


# ---- Village data beyond the register (issue 16) ------------------------------------------
# Counted from optional OpenSID tables (statistics.village) or extra register columns.
# Dimensions of the register tables (compute.Tally counts these from residents and families);
# every other dimension is counted by statistics.village from the optional tables.
REGISTER_DIMENSIONS = frozenset({"unit", "age", "code", "flag", "rentan"})

# Laporan bulanan: the same seven codes for residents and families, so one flow identity
# (statistics.identities) covers both: akhir = awal + lahir + datang - mati - pindah - hilang.
AWAL, LAHIR, MATI, DATANG, PINDAH, HILANG, AKHIR = range(1, 8)
MONTHLY_FLOWS: dict[int, str] = {
    AWAL: "PENDUDUK AWAL BULAN", LAHIR: "LAHIR", MATI: "MATI", DATANG: "PINDAH DATANG",
    PINDAH: "PINDAH KELUAR", HILANG: "HILANG", AKHIR: "PENDUDUK AKHIR BULAN"}
# The residents' report again by citizenship, as OpenSID's columns WNI / WNA: the seven rows
# for WNI at code + 10 and for WNA at code + 20 (OpenSID: WNA = warganegara_id 2; WNI =
# every other value, so 3 DUA KEWARGANEGARAAN is WNI). Codes 1-7 stay the totals.
CITIZENSHIP_BLOCKS: dict[str, int] = {"WNI": 10, "WNA": 20}
WNA_CODE = "2"
MONTHLY_PENDUDUK: dict[int, str] = {
    **MONTHLY_FLOWS,
    **{code + offset: f"{label} ({name})" for name, offset in CITIZENSHIP_BLOCKS.items()
       for code, label in MONTHLY_FLOWS.items()}}
MONTHLY_KELUARGA: dict[int, str] = {
    AWAL: "KELUARGA AWAL BULAN", LAHIR: "KELUARGA BARU", MATI: "KEPALA KELUARGA MATI",
    DATANG: "KELUARGA PINDAH DATANG", PINDAH: "KELUARGA PINDAH KELUAR",
    HILANG: "KEPALA KELUARGA HILANG", AKHIR: "KELUARGA AKHIR BULAN"}
# OpenSID's ref_pindah: where a resident moving out went.
MOVE_DESTINATIONS: dict[int, str] = {
    1: "PINDAH KELUAR DESA/KELURAHAN", 2: "PINDAH KELUAR KECAMATAN",
    3: "PINDAH KELUAR KABUPATEN/KOTA", 4: "PINDAH KELUAR PROVINSI"}

# Aid programmes as published categories. program.nama is free text typed by each desa (and
# could hold anything), so it is never published: the boundary matches it against these
# national programmes (first match wins) and keeps only the code; any other programme is
# counted under its source of funds (program.asaldana, OpenSID's ASALDANA list).
PROGRAMMES: tuple[tuple[int, str, str], ...] = (
    (1, "PKH (PROGRAM KELUARGA HARAPAN)", r"\bPKH\b|KELUARGA HARAPAN"),
    (2, "BPNT / PROGRAM SEMBAKO", r"\bBPNT\b|NON ?TUNAI|SEMBAKO"),
    (3, "BLT DANA DESA", r"BLT.*(DANA DESA|\bDD\b)|BLT-?DD|BLT DESA"),
    (4, "BST (BANTUAN SOSIAL TUNAI)", r"\bBST\b|SOSIAL TUNAI"),
    (5, "PBI JKN / KIS", r"\bPBI\b|\bKIS\b|JAMKESMAS|INDONESIA SEHAT"),
    (6, "PIP / KIP", r"\bPIP\b|\bKIP\b|INDONESIA PINTAR"),
    (7, "BEDAH RUMAH / RTLH", r"BEDAH RUMAH|\bRTLH\b|TIDAK LAYAK HUNI"),
    (8, "BLSM", r"\bBLSM\b"),
)
FUND_SOURCES: dict[str, tuple[int, str]] = {
    "pusat": (91, "PROGRAM LAIN: DANA PUSAT"), "provinsi": (92, "PROGRAM LAIN: DANA PROVINSI"),
    "kab/kota": (93, "PROGRAM LAIN: DANA KABUPATEN/KOTA"),
    "dana desa": (94, "PROGRAM LAIN: DANA DESA"),
    "lain-lain (hibah)": (95, "PROGRAM LAIN: HIBAH DAN LAINNYA")}
OTHER_PROGRAMME = (99, "PROGRAM LAIN: ASAL DANA TIDAK DIISI")
PROGRAMME_CATEGORIES: dict[int, str] = {
    **{code: label for code, label, _ in PROGRAMMES},
    **dict(FUND_SOURCES.values()), OTHER_PROGRAMME[0]: OTHER_PROGRAMME[1]}
# program.sasaran (OpenSID's SasaranEnum) -> the unit a recipient is.
AID_TARGETS = {"1": "penduduk", "2": "keluarga", "3": "rumah_tangga"}
# Kelompok rentan (OpenSID's Laporan_rentan columns); categories overlap, so the table has
# no total of its own (identities: it is bounded, never summed).
VULNERABLE: dict[int, str] = {
    1: "DI BAWAH 1 TAHUN", 2: "1-5 TAHUN", 3: "6-12 TAHUN", 4: "13-15 TAHUN", 5: "16-18 TAHUN",
    6: "DI ATAS 60 TAHUN", 7: "PENYANDANG DISABILITAS", 8: "SAKIT MENAHUN", 9: "HAMIL"}

# Ethnicity (tweb_penduduk.suku) is NOT published. OpenSID keeps it as free text with no
# code list, so it could only be published after the portal coded it itself (spellings,
# clans, castes and personal notes in one field); in Tabanan nearly everyone is recorded as
# Bali, so every other group would be a handful of people per desa, hidden or disclosing
# (the 90 % group rule), and a coded table would mostly publish that dominance. The column
# stays a direct identifier in the privacy policy and is dropped at the harvest boundary.
SUKU_DECISION = "tidak diterbitkan: teks bebas tanpa daftar kode; kelompok kecil per desa"

_MONTHLY_METHOD = (
    "Rumus OpenSID (v2404+): bulan laporan = bulan terakhir yang lengkap pada tanggal referensi; "
    "peristiwa dihitung menurut tgl_lapor (bukan tgl_peristiwa); penduduk awal bulan = penduduk "
    "yang catatan log_penduduk terakhirnya sebelum bulan laporan berkode lahir (1) atau pindah "
    "masuk (5); akhir = awal + lahir + datang - mati - pindah - hilang. Jenis kelamin dan "
    "kewarganegaraan menurut data penduduk saat ini. Berbeda dengan OpenKab: OpenKab menghitung "
    "kode 6 (pergi) sebagai penduduk awal, menyaring peristiwa keluarga menurut tgl_peristiwa, "
    "dan memakai kode 3 untuk keluarga datang.")
_MONTHLY_METHOD_EN = (
    "OpenSID's formulas (v2404+): the report month is the last complete month on the reference "
    "date; events are counted by report date (tgl_lapor), not event date; the opening stock is "
    "the residents whose latest log_penduduk row before the month is a birth (1) or an arrival "
    "(5); closing = opening + births + arrivals - deaths - departures - missing. Sex and "
    "citizenship are the residents' current values. OpenKab differs: it counts code 6 (left) in "
    "the opening stock, filters family events by their own event date, and uses code 3 for "
    "arriving families.")
_AID_METHOD = (
    "Penerima program yang aktif pada tanggal referensi (sdate <= tanggal <= edate), dihitung "
    "sekali per program per penerima yang hidup, menurut kartu_id_pend (penduduk pemegang kartu: "
    "jenis kelaminnya; untuk keluarga dan rumah tangga jenis kelamin kepalanya). Nama program "
    "tidak diterbitkan: dicocokkan dengan program nasional, selain itu digolongkan menurut asal "
    "dana. OpenSID juga menghitung penerima yang sudah meninggal atau pindah; OpenKab tidak.")
_AID_METHOD_EN = (
    "Recipients of programmes active on the reference date (sdate <= date <= edate), each living "
    "recipient once per programme, through kartu_id_pend (the card holder: their sex; for "
    "families and households the head's sex). Programme names are not published: they are "
    "matched to national programmes, any other is grouped by source of funds. OpenSID also counts "
    "recipients who have died or moved; OpenKab does not.")


def _aid(target: str, who: str, who_en: str, needs: tuple[str, ...]) -> TableSpec:
    return TableSpec(
        name=f"penerima-bantuan-sosial-{target.replace('_', '-')}", dimension="bantuan",
        unit=target, title=f"Penerima Bantuan Sosial ({who.capitalize()}) menurut Program",
        title_en=f"Social Aid Recipients ({who_en.capitalize()}) by Programme",
        description=f"Jumlah {who} penerima bantuan sosial di setiap desa menurut program yang "
                    "aktif pada tanggal referensi, dengan asal dananya.",
        description_en=f"{who_en.capitalize()} receiving social aid in each village by programme "
                       "active on the reference date, with its source of funds.",
        topic="jaminan-sosial", organization="dinas-sosial", privacy_class=SPECIFIC,
        tags=("bantuan sosial", "PKH", "BPNT", "BLT Dana Desa"), needs=needs,
        method=_AID_METHOD, method_en=_AID_METHOD_EN, count_unfilled=False)


VILLAGE_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        name="laporan-bulanan-penduduk", dimension="peristiwa", unit="penduduk",
        title="Laporan Bulanan Perkembangan Penduduk per Desa",
        title_en="Monthly Population Change Report by Village",
        description="Penduduk awal bulan, lahir, mati, pindah datang, pindah keluar, hilang dan "
                    "penduduk akhir bulan di setiap desa, menurut jenis kelamin dan "
                    "kewarganegaraan (WNI/WNA), untuk bulan "
                    "laporan (bulan lengkap terakhir pada tanggal referensi).",
        description_en="Opening population, births, deaths, arrivals, departures, missing and "
                       "closing population of each village by sex and citizenship (Indonesian / "
                       "foreign), for the report month (the "
                       "last complete month on the reference date).",
        tags=("laporan bulanan", "mutasi penduduk", "kelahiran", "kematian", "pindah"),
        needs=("log_penduduk",),
        method=_MONTHLY_METHOD + " Kewarganegaraan seperti OpenSID: WNA = warganegara_id 2, WNI = "
               "selainnya (termasuk 3 dua kewarganegaraan dan yang kosong); OpenKab menghitung "
               "kode 3 sebagai WNA. Baris WNI berkode 11-17, WNA 21-27; kode 1-7 jumlahnya.",
        method_en=_MONTHLY_METHOD_EN + " Citizenship as in OpenSID: foreign (WNA) = "
                  "warganegara_id 2, Indonesian (WNI) = any other (dual citizenship 3 and empty "
                  "included); OpenKab counts code 3 as foreign. WNI rows are coded 11-17, WNA "
                  "21-27; codes 1-7 are their sums.",
        count_unfilled=False),
    TableSpec(
        name="laporan-bulanan-keluarga", dimension="peristiwa", unit="keluarga",
        title="Laporan Bulanan Perkembangan Keluarga per Desa",
        title_en="Monthly Family Change Report by Village",
        description="Keluarga awal bulan, keluarga baru, kepala keluarga mati, keluarga pindah "
                    "datang dan keluar, kepala keluarga hilang dan keluarga akhir bulan di setiap "
                    "desa, menurut jenis kelamin kepala keluarga.",
        description_en="Opening families, new families, heads deceased, families arriving and "
                       "leaving, heads missing and closing families of each village, by sex of "
                       "the head of family.",
        tags=("laporan bulanan", "keluarga", "mutasi"), needs=("log_penduduk", "log_keluarga"),
        method=_MONTHLY_METHOD + " Keluarga: hanya peristiwa kepala keluarga (kk_level 1); bulan "
               "menurut tgl_lapor log_penduduk yang ditautkan, jika tidak ada menurut "
               "tgl_peristiwa log_keluarga.",
        method_en=_MONTHLY_METHOD_EN + " Families: events of heads of family only (kk_level 1); "
                  "month by the linked log_penduduk report date, else the family event's date.",
        count_unfilled=False),
    TableSpec(
        name="rincian-pindah-keluar", dimension="pindah", unit="penduduk",
        title="Rincian Penduduk Pindah Keluar menurut Tujuan",
        title_en="Residents Moving Out by Destination",
        description="Penduduk pindah keluar pada bulan laporan di setiap desa menurut tujuan "
                    "(desa, kecamatan, kabupaten/kota, provinsi lain) dan jenis kelamin.",
        description_en="Residents moving out in the report month from each village by "
                       "destination (another village, subdistrict, district or province) and sex.",
        tags=("laporan bulanan", "pindah", "migrasi"), needs=("log_penduduk",),
        method=_MONTHLY_METHOD + " Tujuan kosong atau tidak dikenal dihitung sebagai pindah "
               "keluar desa (bawaan OpenSID).",
        method_en=_MONTHLY_METHOD_EN + " An empty or unknown destination counts as another "
                  "village (OpenSID's default).",
        count_unfilled=False),
    _aid("penduduk", "penduduk", "residents", ("program", "program_peserta")),
    _aid("keluarga", "keluarga", "families", ("program", "program_peserta")),
    _aid("rumah_tangga", "rumah tangga", "households", ("program", "program_peserta", "tweb_rtm")),
    TableSpec(
        name="rumah-tangga-menurut-kelas-sosial", dimension="rumah_tangga", unit="rumah_tangga",
        code_list="kelas_sosial",
        title="Rumah Tangga menurut Kelas Sosial", title_en="Households by Welfare Class",
        description="Jumlah rumah tangga di setiap desa menurut kelas sosial keluarga kepala rumah "
                    "tangga dan jenis kelamin kepala rumah tangga.",
        description_en="Households of each village by the welfare class of the household head's "
                       "family and by sex of the household head.",
        topic="jaminan-sosial", organization="dinas-sosial", privacy_class=SPECIFIC,
        tags=("rumah tangga", "kesejahteraan", "DTKS"), needs=("tweb_rtm",),
        method="Rumah tangga (tweb_rtm) yang kepalanya penduduk hidup; kelas sosial OpenSID ada "
               "di tweb_keluarga, maka dipakai kelas sosial keluarga kepala rumah tangga.",
        method_en="Households (tweb_rtm) whose head is a living resident; OpenSID keeps the "
                  "welfare class on tweb_keluarga, so the class of the head's family is used."),
    _code("penduduk-menurut-status-penduduk", "status", "status_penduduk",
          "Penduduk menurut Status Kependudukan (Tetap/Tidak Tetap)",
          "Residents by Residence Status (Permanent/Non-permanent)", "status kependudukan",
          "residence status", tags=("status penduduk", "demografi"),
          needs=("tweb_penduduk.status",)),
    TableSpec(
        name="kepesertaan-bpjs-ketenagakerjaan", dimension="flag", column="bpjs_ketenagakerjaan",
        title="Kepesertaan BPJS Ketenagakerjaan", title_en="Employment Social Security Membership",
        description="Jumlah penduduk di setiap desa yang terdaftar dan tidak terdaftar BPJS "
                    "Ketenagakerjaan (nomor kartu terisi), menurut jenis kelamin.",
        description_en="Residents of each village registered or not with BPJS Ketenagakerjaan "
                       "(card number filled in), by sex.",
        topic="ketenagakerjaan", organization="disnaker", privacy_class=SPECIFIC,
        tags=("BPJS", "jaminan sosial", "tenaga kerja"), count_unfilled=False,
        needs=("tweb_penduduk.bpjs_ketenagakerjaan",),
        method="Nomor kartu tidak pernah dibaca lebih dari ada/tidaknya: batas panen mengubahnya "
               "menjadi ya/tidak lalu membuangnya.",
        method_en="The card number is reduced at the harvest boundary to yes/no, then dropped."),
    # Kelompok rentan repeats rows of the register tables (its identities are declared in
    # statistics.identities, "kelompok-rentan-dan-tabel-register"). The protector hides a
    # published 0 on the other side of rentan(<1, 1-5) = BALITA, and where every row on an
    # identity's sides is hidden already but the general-data age categories (k 5) leave
    # BALITA fewer than the specific k of 10 values, more of the age categories
    # (protect_lp._beside_sides); tests/privacy/test_vulnerable_groups.py and
    # test_identities_generated.py attack both.
    TableSpec(
        name="kelompok-rentan", dimension="rentan", unit="penduduk", population="rentan",
        title="Kelompok Rentan per Desa", title_en="Vulnerable Groups by Village",
        description="Penduduk hidup di setiap desa menurut kelompok rentan (bayi, balita, anak "
                    "usia sekolah, lanjut usia, penyandang disabilitas, sakit menahun, hamil) dan "
                    "jenis kelamin; satu penduduk dapat masuk beberapa kelompok.",
        description_en="Living residents of each village by vulnerable group (infants, toddlers, "
                       "school-age children, elderly, disabled, chronically ill, pregnant) and "
                       "sex; one resident may be in several groups.",
        topic="jaminan-sosial", organization="dinas-sosial", privacy_class=SPECIFIC,
        tags=("kelompok rentan", "disabilitas", "lansia", "anak"), count_unfilled=False,
        method="Kolom laporan rentan OpenSID; umur dalam tahun penuh pada tanggal referensi; "
               "disabilitas = cacat_id 1-6; sakit menahun = kode selain 14; hamil = kode 1.",
        method_en="OpenSID's vulnerable-groups report; ages in completed years on the reference "
                  "date; disability = cacat_id 1-6; chronic illness = any code but 14; pregnant "
                  "= code 1."),
)
CATALOGUE = CATALOGUE + VILLAGE_TABLES

# ---- Stunting convergence (issue 16): OpenKab's quarterly scorecard per desa --------------
# Counted by statistics.stunting from the posyandu records (OpenSID v23.02+: kia, ibu_hamil,
# bulanan_anak) for the last complete quarter on the reference date. Three tables: the
# targets (sasaran), the TIKAR status of the children, and who received each service; a
# service's coverage is its row of the services table over its targets (STUNTING_SERVICES).
STUNTING_DIMENSION = "stunting"
IBU, IBU_RISIKO, IBU_BERSALIN, ANAK, ANAK_0_5, GIZI_KURANG, GIZI_BURUK, STUNTING = range(1, 9)
STUNTING_TARGETS: dict[int, str] = {
    IBU: "IBU HAMIL", IBU_RISIKO: "IBU HAMIL KEK ATAU RISIKO TINGGI",
    IBU_BERSALIN: "IBU HAMIL YANG SUDAH BERSALIN (MASA NIFAS)", ANAK: "ANAK 0-23 BULAN",
    ANAK_0_5: "ANAK 0-5 BULAN", GIZI_KURANG: "ANAK GIZI KURANG", GIZI_BURUK: "ANAK GIZI BURUK",
    STUNTING: "ANAK STUNTING"}
# OpenSID's status_tikar codes (Anak::STATUS_TIKAR), the child's last record of the quarter.
TIKAR: dict[int, str] = {1: "TIDAK DIUKUR", 2: "MERAH (SANGAT PENDEK)", 3: "KUNING (PENDEK)",
                         4: "HIJAU (NORMAL)"}
# Services (code -> label, the target rows whose difference is the service's target group):
# mothers 1-8, children 11-20, as the scorecard's 8 and 10 indicators.
STUNTING_SERVICES: dict[int, tuple[str, tuple[int, ...], tuple[int, ...]]] = {
    1: ("IBU HAMIL: PEMERIKSAAN KEHAMILAN", (IBU,), (IBU_BERSALIN,)),
    2: ("IBU HAMIL: PIL FE", (IBU,), (IBU_BERSALIN,)),
    3: ("IBU BERSALIN: PEMERIKSAAN NIFAS", (IBU_BERSALIN,), ()),
    4: ("IBU HAMIL: KONSELING GIZI", (IBU,), (IBU_BERSALIN,)),
    5: ("IBU HAMIL KEK/RISTI: KUNJUNGAN RUMAH", (IBU,), (IBU_BERSALIN,)),
    6: ("IBU HAMIL: AKSES AIR BERSIH", (IBU,), ()),
    7: ("IBU HAMIL: JAMBAN SEHAT", (IBU,), ()),
    8: ("IBU HAMIL: JAMINAN KESEHATAN", (IBU,), ()),
    11: ("ANAK: IMUNISASI DASAR", (ANAK,), (ANAK_0_5,)),
    12: ("ANAK: PENGUKURAN BERAT BADAN", (ANAK,), (ANAK_0_5,)),
    13: ("ANAK: PENGUKURAN TINGGI BADAN", (ANAK,), ()),
    14: ("ANAK: KONSELING GIZI ORANG TUA", (ANAK,), (ANAK_0_5,)),
    15: ("ANAK: KUNJUNGAN RUMAH", (ANAK,), ()),
    16: ("ANAK: AKSES AIR BERSIH", (ANAK,), ()),
    17: ("ANAK: JAMBAN SEHAT", (ANAK,), ()),
    18: ("ANAK: AKTA LAHIR", (ANAK,), ()),
    19: ("ANAK: JAMINAN KESEHATAN", (ANAK,), ()),
    20: ("ANAK: PENGASUHAN PAUD", (ANAK,), (ANAK_0_5,)),
}
_STUNTING_METHOD = (
    "Skor konvergensi OpenKab/OpenSID (Rekap.php, RekapService): triwulan = triwulan lengkap "
    "terakhir pada tanggal referensi; tanggal pemeriksaan = created_at (diisi formulir "
    "tanggal_periksa); baris dikelompokkan per kartu KIA; desa = desa posyandu yang mencatat. "
    "Ibu hamil: hanya baris dengan status_kehamilan terisi; bersalin bila tanggal_melahirkan "
    "terisi, selain itu trimester dari usia_kehamilan terbesar (<=3, <=6, >6). Anak 0-23 "
    "bulan: kategori dari umur_bulan terbesar (<6, 6-12, 13-17, >=18). Status gizi, KEK/risti "
    "dan TIKAR: baris terakhir triwulan. Cakupan layanan = baris tabel layanan dibagi sasaran "
    "layanannya: pemeriksaan kehamilan, pil Fe, konseling gizi, kunjungan rumah = ibu hamil - "
    "bersalin; nifas = bersalin; air, jamban, jaminan = ibu hamil; imunisasi, berat badan, "
    "konseling gizi, PAUD = anak 0-23 - anak 0-5 bulan; lainnya = anak 0-23 bulan. Berbeda "
    "dengan OpenKab: penghitungan 'semua tanggal' (berat badan, konseling) dibatasi sampai akhir "
    "triwulan agar triwulan yang sama selalu memberi angka yang sama; kunjungan rumah ibu "
    "membandingkan kode status 2/3 (OpenKab membandingkan kode dengan teks 'KEK'/'RISTI' sehingga "
    "selalu 0); imunisasi campak dihitung bila kodenya 2 (Sudah), bukan 1 (Belum) seperti OpenKab; "
    "baris PAUD (sasaran_paud) tidak diterbitkan (OpenKab selalu 0). Jenis kelamin anak dari "
    "tweb_penduduk (kia.anak_id); baris yang ditandai pemeriksaan data (kode di luar daftar, "
    "tanggal sesudah tanggal referensi, KIA yang tidak ada) tidak dihitung. Desa tanpa catatan "
    "posyandu pada triwulan itu bernilai 0: belum tentu tidak ada sasaran.")
_STUNTING_METHOD_EN = (
    "OpenKab/OpenSID convergence scorecard (Rekap.php, RekapService): the quarter is the last "
    "complete quarter on the reference date; the examination date is created_at (the form's "
    "tanggal_periksa); rows are grouped per KIA card; the village is that of the posyandu "
    "recording it. Mothers: only rows with a pregnancy status; delivered when tanggal_melahirkan "
    "is filled in, else the trimester from the largest usia_kehamilan (<=3, <=6, >6). Children "
    "0-23 months: the category from the largest umur_bulan (<6, 6-12, 13-17, >=18). Nutrition, "
    "KEK/high-risk and TIKAR status: the quarter's last row. Coverage = a row of the services "
    "table over its target group: antenatal care, iron tablets, nutrition counselling, home "
    "visits = mothers - delivered; postnatal care = delivered; water, sanitation, insurance = "
    "mothers; immunisation, weighing, counselling, early childhood care = children 0-23 - "
    "children 0-5 months; the rest = children 0-23 months. Unlike OpenKab: counts 'at any date' "
    "(weighing, counselling) stop at the end of the quarter, so one quarter always gives the "
    "same numbers; mothers' home visits compare status codes 2/3 (OpenKab compares the code with "
    "the text 'KEK'/'RISTI', so always 0); measles immunisation counts code 2 (given), not 1 "
    "(not yet) as OpenKab does; the PAUD rows (sasaran_paud) are not published (always 0 in "
    "OpenKab). A child's sex comes from tweb_penduduk (kia.anak_id); rows the data checks flag "
    "(codes outside the list, dates after the reference date, missing KIA card) are not counted. "
    "A village without posyandu records in the quarter shows 0: not necessarily no targets.")


def _stunting(name: str, code_list: str, title: str, title_en: str, what: str, what_en: str,
              tags: tuple[str, ...]) -> TableSpec:
    return TableSpec(
        name=name, dimension=STUNTING_DIMENSION, code_list=code_list, title=title,
        title_en=title_en,
        description=f"{what} di setiap desa pada triwulan lengkap terakhir, menurut jenis kelamin "
                    "(ibu: perempuan; anak: jenis kelamin anak), dari catatan posyandu OpenSID.",
        description_en=f"{what_en} of each village in the last complete quarter, by sex (mothers: "
                       "female; children: the child's sex), from OpenSID's posyandu records.",
        topic="kesehatan", organization="dinas-kesehatan", privacy_class=SPECIFIC,
        tags=("stunting", "konvergensi", "posyandu", *tags), count_unfilled=False,
        needs=("bulanan_anak",), method=_STUNTING_METHOD, method_en=_STUNTING_METHOD_EN)


STUNTING_TABLES: tuple[TableSpec, ...] = (
    _stunting("konvergensi-stunting-sasaran", "stunting_sasaran",
              "Konvergensi Stunting: Sasaran per Desa per Triwulan",
              "Stunting Convergence: Targets by Village and Quarter",
              "Ibu hamil (KEK/risiko tinggi, sudah bersalin) dan anak 0-23 bulan (0-5 bulan, gizi "
              "kurang, gizi buruk, stunting)",
              "Pregnant women (chronic energy deficiency/high risk, delivered) and children 0-23 "
              "months (0-5 months, underweight, severely underweight, stunted)",
              ("ibu hamil", "baduta", "gizi")),
    _stunting("konvergensi-stunting-tikar", "status_tikar",
              "Konvergensi Stunting: Status TIKAR Anak 0-23 Bulan per Desa per Triwulan",
              "Stunting Convergence: Children 0-23 Months by TIKAR Status, by Village and Quarter",
              "Anak 0-23 bulan menurut status TIKAR (tinggi badan menurut umur: hijau, kuning, "
              "merah, tidak diukur)",
              "Children 0-23 months by TIKAR status (height for age: green, yellow, red, not "
              "measured)", ("TIKAR", "tinggi badan")),
    _stunting("konvergensi-stunting-layanan", "stunting_layanan",
              "Konvergensi Stunting: Penerima Layanan per Desa per Triwulan",
              "Stunting Convergence: Service Recipients by Village and Quarter",
              "Ibu hamil dan anak 0-23 bulan yang menerima setiap layanan konvergensi (8 layanan "
              "ibu, 10 layanan anak; cakupan = dibagi sasaran layanannya)",
              "Pregnant women and children 0-23 months receiving each convergence service (8 for "
              "mothers, 10 for children; coverage = over the service's target group)",
              ("layanan kesehatan", "imunisasi")),
)
CATALOGUE = CATALOGUE + STUNTING_TABLES


def is_register(spec: TableSpec) -> bool:
    """Whether the register counter (compute.Tally) counts this table."""
    return spec.dimension in REGISTER_DIMENSIONS


REGISTER_TABLES: tuple[TableSpec, ...] = tuple(s for s in CATALOGUE if is_register(s))


def get_spec(name: str) -> TableSpec:
    """The spec called ``name``; KeyError when unknown."""
    for spec in CATALOGUE:
        if spec.name == name:
            return spec
    raise KeyError(name)


def programme_code(name: object, funds: object = "") -> int:
    """The published category of an aid programme: a national programme, else its source of funds."""
    text = str(name or "").upper()
    for code, _label, pattern in PROGRAMMES:
        if re.search(pattern, text):
            return code
    return FUND_SOURCES.get(str(funds or "").strip().lower(), OTHER_PROGRAMME)[0]
