"""The declarative privacy policy: the UU PDP class of every OpenSID column and table."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from portal.core.vocabularies import PrivacyClass

# Bump on any change to a class, a rule or a threshold; every release's report cites it.
POLICY_VERSION = "2026.4"


class ColumnClass(str, enum.Enum):
    """How the harvest treats a source column."""

    DIRECT = "identitas_langsung"      # dropped at the harvest boundary
    QUASI = "identitas_tidak_langsung"  # generalised before counting
    GENERAL = "umum"                    # counted as is
    SPECIFIC = "spesifik"               # UU PDP Pasal 4(2): counted under the stricter k
    TECHNICAL = "teknis"                # keys and bookkeeping, dropped after linking


D, Q, G, S, T = (ColumnClass.DIRECT, ColumnClass.QUASI, ColumnClass.GENERAL,
                 ColumnClass.SPECIFIC, ColumnClass.TECHNICAL)

# Columns of tweb_penduduk. A column not listed here is treated as a direct identifier.
PENDUDUK: dict[str, ColumnClass] = {
    **dict.fromkeys((
        "nama", "nik", "ayah_nik", "ibu_nik", "nama_ayah", "nama_ibu", "telepon", "email",
        "email_token", "email_tgl_kadaluarsa", "email_tgl_verifikasi", "telegram",
        "telegram_token", "telegram_tgl_kadaluarsa", "telegram_tgl_verifikasi",
        "alamat_sebelumnya", "alamat_sekarang", "dokumen_pasport", "dokumen_kitas",
        "akta_lahir", "akta_perkawinan", "akta_perceraian", "no_asuransi",
        "bpjs_ketenagakerjaan", "foto", "lat", "lng", "tag_id_card", "no_kk_sebelumnya",
        "tempatlahir", "tanggalperkawinan", "tanggalperceraian", "tanggal_akhir_paspor",
        "tanggal_cetak_ktp", "tempat_cetak_ktp", "waktu_lahir", "ket", "negara_asal", "suku",
        "id_rtm", "rtm_level", "hubung_warga", "berat_lahir", "panjang_lahir",
    ), D),
    "tanggallahir": Q,
    "id_cluster": Q,
    **dict.fromkeys((
        "sex", "agama_id", "pendidikan_kk_id", "pendidikan_sedang_id", "pekerjaan_id",
        "status_kawin", "warganegara_id", "kk_level", "status", "ktp_el", "status_rekam",
        "bahasa_id", "tempat_dilahirkan", "jenis_kelahiran", "kelahiran_anak_ke",
        "penolong_kelahiran",
    ), G),
    **dict.fromkeys((
        "golongan_darah_id", "cacat_id", "sakit_menahun_id", "cara_kb_id", "hamil",
        "id_asuransi",
    ), S),
    **dict.fromkeys((
        "id", "config_id", "id_kk", "status_dasar", "created_at", "created_by",
        "updated_at", "updated_by",
    ), T),
}


# Columns of tweb_keluarga. Unknown columns are treated as direct identifiers.
KELUARGA: dict[str, ColumnClass] = {
    **dict.fromkeys(("no_kk", "alamat", "tgl_daftar", "tgl_cetak_kk"), D),
    "id_cluster": Q,
    "kelas_sosial": S,
    **dict.fromkeys(("id", "config_id", "nik_kepala", "updated_at", "updated_by"), T),
}
# config: one row per desa. Place names and codes are public reference data; the office's
# contacts and position are not needed and may be a village head's own phone, so they go.
CONFIG: dict[str, ColumnClass] = {
    **dict.fromkeys(("nama_desa", "kode_desa", "nama_kecamatan", "kode_kecamatan",
                     "nama_kabupaten", "kode_kabupaten", "nama_propinsi", "kode_propinsi",
                     "kode_pos"), G),
    **dict.fromkeys(("app_key", "alamat_kantor", "email_desa", "telepon", "website", "lat",
                     "lng", "nama_kepala_desa", "nip_kepala_desa", "logo", "kantor_desa"), D),
    "id": T,
}
# tweb_wil_clusterdesa: dusun / RW / RT are generalised to the desa; a cluster's head is a person.
CLUSTER: dict[str, ColumnClass] = {
    **dict.fromkeys(("dusun", "rw", "rt"), Q),
    **dict.fromkeys(("id_kepala", "lat", "lng", "path", "zoom", "map_tipe"), D),
    **dict.fromkeys(("id", "config_id", "urut", "urut_cetak"), T),
}
POLICY: dict[str, dict[str, ColumnClass]] = {
    "tweb_penduduk": PENDUDUK, "tweb_keluarga": KELUARGA, "config": CONFIG,
    "tweb_wil_clusterdesa": CLUSTER,
}
# Why a column is specific data (UU PDP Pasal 4(2)); shown in the policy page.
SPECIFIC_GROUNDS: dict[str, str] = {
    "golongan_darah_id": "kesehatan", "cacat_id": "kesehatan (disabilitas, juga Pasal 26)",
    "sakit_menahun_id": "kesehatan", "cara_kb_id": "kesehatan", "hamil": "kesehatan",
    "id_asuransi": "keuangan pribadi", "kelas_sosial": "keuangan pribadi",
}
# Populations of the statistics catalogue restricted to children (under 18, data anak, Pasal
# 4(2)e): every table counting only such a population is specific data whatever its column.
CHILD_POPULATIONS: frozenset[str] = frozenset({"anak", "anak_anak", "di_bawah_18"})
CHILD_AGE_LIMIT = 18
# Categories of specific-data tables that are not themselves sensitive (absence of the
# attribute, or not filled in). Every other category is sensitive for the 90 % group rule.
UNFILLED = 777
NOT_SENSITIVE: dict[str, frozenset[int]] = {
    "cacat": frozenset({7}), "sakit_menahun": frozenset({14}), "hamil": frozenset({2}),
    "golongan_darah": frozenset({13}), "asuransi": frozenset(), "cara_kb": frozenset(),
    "kelas_sosial": frozenset(),
}
# Group attribute disclosure (Lupp & Langsrud): a row is disclosive when all but at most this
# many persons fall in one category, or a sensitive category holds this share or more.
GROUP_ALL_BUT = 1
GROUP_DOMINANCE = 0.9

# Direct identifiers reduced at the boundary to a yes/no fact before they are dropped.
DERIVED_FLAGS = {"akta_lahir": "akta_lahir"}


@dataclass
class MinimisationReport:
    """What the harvest boundary removed, by column name only."""

    policy_version: str = POLICY_VERSION
    dropped_direct: list[str] = field(default_factory=list)
    dropped_unknown: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-able form for the harvest and privacy reports."""
        return {"policy_version": self.policy_version, "dropped_direct": self.dropped_direct,
                "dropped_unknown": self.dropped_unknown}


def classify(column: str, table: str = "tweb_penduduk") -> ColumnClass:
    """The class of a column; unknown columns (and tables) fail closed as direct identifiers."""
    return POLICY.get(table, {}).get(column, ColumnClass.DIRECT)


def table_class(spec) -> PrivacyClass:
    """A statistic table's UU PDP class: specific if its column, population or catalogue says so."""
    source = "tweb_keluarga" if spec.unit == "keluarga" else "tweb_penduduk"
    if (spec.privacy_class is PrivacyClass.SPECIFIC or spec.population in CHILD_POPULATIONS
            or (spec.column and classify(spec.column, source) is ColumnClass.SPECIFIC)):
        return PrivacyClass.SPECIFIC
    return PrivacyClass.GENERAL


def sensitive_codes(spec, codes: list[int]) -> set[int]:
    """Categories of a specific-data table that the 90 % group rule watches."""
    quiet = NOT_SENSITIVE.get(spec.code_list, frozenset()) | {UNFILLED}
    return {c for c in codes if c not in quiet}


def zero_by_definition(spec, codes, columns: list[str], values: np.ndarray) -> np.ndarray:
    """Count cells that are zero by the table's definition: published as 0, never hidden and
    never a small count (rows x columns bools; values NaN where hidden, as the auditor reads).

    - every laki_laki cell of a table of women, when all are 0 (status kehamilan);
    - the other sex of a category OpenSID offers to one sex only (spec.one_sex: the pill,
      the IUD, sterilisation of women for women; the condom and vasectomy for men), when
      every desa counts 0 there.
    Where the data break the definition (a man counted with the pill, anywhere), that
    category's column is counted as usual in every desa, so no published 0 says more than
    the others.
    """
    out = np.zeros(values.shape, dtype=bool)
    if spec is None or not len(values):
        return out
    where = {c: i for i, c in enumerate(columns)}
    if spec.population == "perempuan" and "laki_laki" in where:
        out[:, where["laki_laki"]] = bool((values[:, where["laki_laki"]] == 0).all())
    codes = np.asarray(codes).astype(str)
    for code, sex in getattr(spec, "one_sex", ()):
        other, rows = where.get("perempuan" if sex == 1 else "laki_laki"), codes == str(code)
        if other is not None and rows.any() and bool((values[rows, other] == 0).all()):
            out[rows, other] = True
    return out


def whole_columns(structural: np.ndarray) -> np.ndarray:
    """Count columns zero by definition in every row (a table of women's laki_laki)."""
    return structural.all(axis=0) if len(structural) else np.zeros(structural.shape[1], bool)


def policy_document() -> dict:
    """The policy as data for the admin page and the privacy report (no personal values)."""
    tables = {}
    for table, columns in POLICY.items():
        grouped: dict[str, list[str]] = {}
        for column, cls in columns.items():
            grouped.setdefault(cls.value, []).append(column)
        tables[table] = {cls: sorted(cols) for cls, cols in grouped.items()}
    return {
        "version": POLICY_VERSION, "tables": tables, "specific_grounds": SPECIFIC_GROUNDS,
        "unknown_column": ColumnClass.DIRECT.value,
        "child_age_limit": CHILD_AGE_LIMIT,
        "group_rules": {"all_but": GROUP_ALL_BUT, "dominance": GROUP_DOMINANCE},
        "generalised": {"tanggallahir": "umur pada tanggal referensi, lalu kelompok umur",
                        "id_cluster": "dusun/RW/RT digabung ke desa",
                        "dusun": "digabung ke desa", "rw": "digabung ke desa",
                        "rt": "digabung ke desa"},
    }


def completed_years(born: pd.Series, on: date) -> pd.Series:
    """Age in completed years on ``on``, as OpenSID counts it."""
    ref = pd.Timestamp(on)
    years = ref.year - born.dt.year
    before_birthday = (born.dt.month > ref.month) | (
        (born.dt.month == ref.month) & (born.dt.day > ref.day))
    return (years - before_birthday.astype(int)).astype("Int64")


def _keep(frame: pd.DataFrame, table: str, report: MinimisationReport) -> list[str]:
    policy = POLICY.get(table, {})
    keep = []
    for column in frame.columns:
        cls = classify(column, table)
        if column not in policy:
            report.dropped_unknown.append(f"{table}.{column}")
        elif cls is ColumnClass.DIRECT:
            report.dropped_direct.append(f"{table}.{column}")
        elif cls is not ColumnClass.QUASI:
            keep.append(column)
    return keep


def minimise_residents(people: pd.DataFrame, reference_date: date,
                       report: MinimisationReport | None = None) -> tuple[pd.DataFrame, MinimisationReport]:
    """Residents with identifiers dropped, birth date turned into age, place into desa."""
    report = report or MinimisationReport()
    out = people[_keep(people, "tweb_penduduk", report)].copy()
    if "config_id" not in out.columns:
        out["config_id"] = "1"  # a single-desa export: every resident lives in the one desa
    born = pd.to_datetime(people["tanggallahir"], format="%Y-%m-%d", errors="coerce")
    out["umur"] = completed_years(born, reference_date)
    for source, flag in DERIVED_FLAGS.items():
        if source in people.columns:
            out[flag] = np.where(people[source].str.strip() != "", "1", "2")
    return out, report


def minimise_families(families: pd.DataFrame, residents: pd.DataFrame,
                      report: MinimisationReport) -> pd.DataFrame:
    """Families reduced to desa, welfare class, and whether and with which sex their head lives."""
    out = families[_keep(families, "tweb_keluarga", report)].copy()
    if "config_id" not in out.columns:
        out["config_id"] = "1"
    heads = residents.set_index("id")[["sex", "status_dasar"]] if "id" in residents.columns else None
    head = heads.reindex(out["nik_kepala"]) if heads is not None else None
    out["kepala_sex"] = head["sex"].to_numpy() if head is not None else ""
    out["aktif"] = (head["status_dasar"] == "1").to_numpy() if head is not None else False
    return out.drop(columns=["nik_kepala"], errors="ignore")


# ---- Village data beyond the register (issue 16): the optional OpenSID tables ------------
# Same rule as above: a column not listed is a direct identifier and is dropped. Dates of
# events are generalised to their month ("YYYY-MM") before counting; a programme's free-text
# name to the code of a national programme (statistics.catalogue.PROGRAMMES).
PENDUDUK.update({"id_rtm": T, "rtm_level": G})  # household number: a key, dropped after linking
DERIVED_FLAGS["bpjs_ketenagakerjaan"] = "bpjs_ketenagakerjaan"  # card number -> yes/no
LOG_PENDUDUK: dict[str, ColumnClass] = {
    **dict.fromkeys(("meninggal_di", "jam_mati", "akta_mati", "alamat_tujuan",
                     "maksud_tujuan_kedatangan", "catatan", "no_kk", "nama_kk"), D),
    **dict.fromkeys(("tgl_lapor", "tgl_peristiwa"), Q),
    **dict.fromkeys(("kode_peristiwa", "ref_pindah"), G),
    **dict.fromkeys(("sebab", "penolong_mati"), S),
    **dict.fromkeys(("id", "config_id", "id_pend", "created_at", "created_by", "updated_at",
                     "updated_by"), T),
}
LOG_KELUARGA: dict[str, ColumnClass] = {
    "tgl_peristiwa": Q, **dict.fromkeys(("id_peristiwa", "kk_sex"), G),
    **dict.fromkeys(("id", "config_id", "id_kk", "id_pend", "id_log_penduduk", "updated_by"), T),
}
PROGRAM: dict[str, ColumnClass] = {
    **dict.fromkeys(("ndesc", "slug", "userid"), D),
    "nama": Q,
    **dict.fromkeys(("sasaran", "status", "asaldana", "sdate", "edate"), G),
    **dict.fromkeys(("id", "config_id", "created_at", "created_by", "updated_at", "updated_by"), T),
}
PROGRAM_PESERTA: dict[str, ColumnClass] = {
    **dict.fromkeys(("peserta", "no_id_kartu", "kartu_nik", "kartu_nama", "kartu_tempat_lahir",
                     "kartu_tanggal_lahir", "kartu_alamat", "kartu_peserta"), D),
    **dict.fromkeys(("id", "config_id", "program_id", "kartu_id_pend", "created_at",
                     "created_by", "updated_at", "updated_by"), T),
}
RTM: dict[str, ColumnClass] = {
    **dict.fromkeys(("tgl_daftar", "bdt"), D),
    **dict.fromkeys(("kelas_sosial", "terdaftar_dtks"), S),
    # no_kk is the household number tweb_penduduk.id_rtm points to: a key, never published.
    **dict.fromkeys(("id", "config_id", "nik_kepala", "no_kk", "updated_at", "updated_by"), T),
}
POLICY.update({"log_penduduk": LOG_PENDUDUK, "log_keluarga": LOG_KELUARGA, "program": PROGRAM,
               "program_peserta": PROGRAM_PESERTA, "tweb_rtm": RTM})
SPECIFIC_GROUNDS.update({"sebab": "kesehatan (sebab kematian)", "penolong_mati": "kesehatan",
                         "terdaftar_dtks": "keuangan pribadi"})
# Quasi-identifiers of the optional tables and what the boundary keeps of them.
MONTH_OF = {("log_penduduk", "tgl_lapor"): "bulan_lapor",
            ("log_penduduk", "tgl_peristiwa"): "bulan_peristiwa",
            ("log_keluarga", "tgl_peristiwa"): "bulan_peristiwa"}

# Stunting convergence (v23.02+): health records of pregnant women and small children, data
# anak and kesehatan (UU PDP Pasal 4(2)). Names, addresses, card numbers and the expected
# birth date go; the examination date (created_at) is kept as its month, the delivery date
# only as whether the mother has given birth; the service answers are specific data.
_KEYS = ("config_id", "posyandu_id", "kia_id", "created_by", "updated_at", "updated_by")
POSYANDU: dict[str, ColumnClass] = {
    **dict.fromkeys(("nama", "alamat"), D),
    **dict.fromkeys(("id", "config_id", "created_at", "created_by", "updated_at", "updated_by"), T),
}
KIA: dict[str, ColumnClass] = {
    **dict.fromkeys(("no_kia", "hari_perkiraan_lahir"), D),
    **dict.fromkeys(("id", "config_id", "ibu_id", "anak_id", "created_at", "created_by",
                     "updated_at", "updated_by"), T),
}
IBU_HAMIL: dict[str, ColumnClass] = {
    **dict.fromkeys(("created_at", "tanggal_melahirkan"), Q),
    **dict.fromkeys(("status_kehamilan", "usia_kehamilan", "butir_pil_fe", "pemeriksaan_kehamilan",
                     "konsumsi_pil_fe", "pemeriksaan_nifas", "konseling_gizi", "kunjungan_rumah",
                     "akses_air_bersih", "kepemilikan_jamban", "jaminan_kesehatan"), S),
    **dict.fromkeys(("id_ibu_hamil", *_KEYS), T),
}
BULANAN_ANAK: dict[str, ColumnClass] = {
    "created_at": Q,
    **dict.fromkeys(("status_gizi", "umur_bulan", "status_tikar", "pemberian_imunisasi_campak",
                     "berat_badan", "tinggi_badan", "pemberian_imunisasi_dasar",
                     "pengukuran_berat_badan", "pengukuran_tinggi_badan", "konseling_gizi_ayah",
                     "konseling_gizi_ibu", "kunjungan_rumah", "air_bersih", "kepemilikan_jamban",
                     "akta_lahir", "jaminan_kesehatan", "pengasuhan_paud"), S),
    **dict.fromkeys(("id_bulanan_anak", *_KEYS), T),
}
SASARAN_PAUD: dict[str, ColumnClass] = {
    "created_at": Q,
    **dict.fromkeys(("kategori_usia", "januari", "februari", "maret", "april", "mei", "juni",
                     "juli", "agustus", "september", "oktober", "november", "desember"), S),
    **dict.fromkeys(("id_sasaran_paud", *_KEYS), T),
}
POLICY.update({"posyandu": POSYANDU, "kia": KIA, "ibu_hamil": IBU_HAMIL,
               "bulanan_anak": BULANAN_ANAK, "sasaran_paud": SASARAN_PAUD})
SPECIFIC_GROUNDS.update({
    **dict.fromkeys((c for c, cls in IBU_HAMIL.items() if cls is S), "kesehatan (ibu hamil)"),
    **dict.fromkeys((c for c, cls in BULANAN_ANAK.items() if cls is S), "kesehatan; data anak"),
    **dict.fromkeys((c for c, cls in SASARAN_PAUD.items() if cls is S), "data anak"),
})
MONTH_OF.update({(table, "created_at"): "bulan_periksa"
                 for table in ("ibu_hamil", "bulanan_anak", "sasaran_paud")})
# Dates kept only as whether they are filled in: "1" when a date, "" otherwise.
DATE_GIVEN = {("ibu_hamil", "tanggal_melahirkan"): "bersalin"}
# The stunting tables' categories that are not sensitive for the group rule: all mothers,
# delivered, all children, the youngest (statistics.catalogue.STUNTING_TARGETS); a green or
# unmeasured TIKAR status; receiving a service (its rows overlap, none is a share of a group).
NOT_SENSITIVE.update({"stunting_sasaran": frozenset({1, 3, 4, 5}), "status_tikar": frozenset({1, 4}),
                      "stunting_layanan": frozenset(range(1, 21))})


def _month(values: pd.Series) -> pd.Series:
    """A date or timestamp as its month "YYYY-MM"; "" when it is not a date."""
    text = values.fillna("").astype(str).str.strip()
    ok = text.str.match(r"^\d{4}-\d{2}-\d{2}")
    return text.str.slice(0, 7).where(ok, "")


def minimise_table(frame: pd.DataFrame, table: str, report: MinimisationReport) -> pd.DataFrame:
    """An optional table with its direct identifiers dropped and dates reduced to months."""
    from portal.statistics.catalogue import programme_code  # the catalogue declares programmes

    out = frame[_keep(frame, table, report)].copy()
    for (name, column), month in MONTH_OF.items():
        if name == table and column in frame.columns:
            out[month] = _month(frame[column]).to_numpy()
    for (name, column), flag in DATE_GIVEN.items():
        if name == table and column in frame.columns:
            month = _month(frame[column])
            out[flag] = np.where((month != "") & (month != "0000-00"), "1", "")
    if table == "program" and "nama" in frame.columns:
        funds = frame["asaldana"] if "asaldana" in frame.columns else pd.Series("", index=frame.index)
        out["kode_program"] = [programme_code(n, f) for n, f in zip(frame["nama"], funds)]
    return out
