"""The catalogue of statistic tables: declared once as data, counted by generic code."""
from __future__ import annotations

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
}
UNIT_LABELS = {"PENDUDUK": 1, "KELUARGA": 2}


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
          organization="dp3ap2kb", privacy_class=SPECIFIC, tags=("KB", "kesehatan")),
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


def get_spec(name: str) -> TableSpec:
    """The spec called ``name``; KeyError when unknown."""
    for spec in CATALOGUE:
        if spec.name == name:
            return spec
    raise KeyError(name)
