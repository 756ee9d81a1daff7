"""The declarative privacy policy: the UU PDP class of every OpenSID column."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

POLICY_VERSION = "2026.1"


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
    """The class of a column; unknown columns fail closed as direct identifiers."""
    policy = KELUARGA if table == "tweb_keluarga" else PENDUDUK
    return policy.get(column, ColumnClass.DIRECT)


def completed_years(born: pd.Series, on: date) -> pd.Series:
    """Age in completed years on ``on``, as OpenSID counts it."""
    ref = pd.Timestamp(on)
    years = ref.year - born.dt.year
    before_birthday = (born.dt.month > ref.month) | (
        (born.dt.month == ref.month) & (born.dt.day > ref.day))
    return (years - before_birthday.astype(int)).astype("Int64")


def _keep(frame: pd.DataFrame, table: str, report: MinimisationReport) -> list[str]:
    policy = KELUARGA if table == "tweb_keluarga" else PENDUDUK
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
