"""Checks of a harvested export; each problem cites desa, table, row and column, never a value."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portal.sources.codes import CODE_LISTS, COLUMN_CODE_LIST
from portal.sources.readers import SourceTables
from portal.sources.wilayah import District, dotted

REQUIRED_COLUMNS = {
    "config": ("id", "kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan"),
    "tweb_wil_clusterdesa": ("id", "rt", "rw", "dusun"),
    "tweb_keluarga": ("id", "no_kk", "nik_kepala"),
    "tweb_penduduk": ("id", "nik", "sex", "tanggallahir", "status_dasar", "id_kk", "id_cluster"),
}
# Codes a count cannot do without: an unknown value here blocks the harvest.
BLOCKING_CODES = ("sex", "status_dasar")
MAX_AGE = 130
# Reported per rule and table before the rest are summarised in one line.
LIMIT_PER_RULE = 50


@dataclass(frozen=True)
class Problem:
    """One finding of the checks; never carries the offending value."""

    severity: str  # "error" blocks the harvest, "warning" is counted and shown
    table: str
    message: str
    desa: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = [f"tabel {self.table}"]
        if self.desa:
            where.insert(0, f"desa {self.desa}")
        if self.row is not None:
            where.append(f"baris {self.row}")
        if self.column:
            where.append(f"kolom {self.column}")
        return f"{self.severity.upper()}: {', '.join(where)}: {self.message}"


@dataclass
class CheckReport:
    """All problems of one harvest."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that block the harvest."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that are reported but do not block."""
        return [p for p in self.problems if p.severity == "warning"]

    def add(self, *args, **kwargs) -> None:
        """Record a problem."""
        self.problems.append(Problem(*args, **kwargs))

    def to_dict(self, limit: int = 1000) -> dict:
        """A JSON-able summary for the harvest record (first ``limit`` problems)."""
        return {"errors": len(self.errors), "warnings": len(self.warnings),
                "problems": [asdict(p) for p in self.problems[:limit]]}


def _isin(values: pd.Series, allowed) -> pd.Series:
    """Membership test in Arrow: pandas' own isin on Arrow strings loops in Python."""
    allowed = list(allowed) if isinstance(allowed, (set, frozenset, dict)) else allowed
    found = pc.is_in(pa.array(values, type=pa.string()),
                     value_set=pa.array(allowed, type=pa.string()))
    return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=values.index)


class _Table:
    """One source table with the desa and row number of each of its rows."""

    def __init__(self, source: SourceTables, name: str, desa_by_config: dict[str, str]):
        self.name = name
        self.frame = source[name]
        config_ids = self.frame["config_id"] if "config_id" in self.frame.columns else None
        only = next(iter(desa_by_config.values()), "")
        self.desa = (config_ids.map(desa_by_config).fillna("") if config_ids is not None
                     else pd.Series(only, index=self.frame.index))
        # Readers give each row its place in the source file; header is row 1.
        self.rows = (pd.to_numeric(self.frame["_baris"], errors="coerce")
                     if "_baris" in self.frame.columns else pd.Series(self.frame.index + 2, index=self.frame.index))

    def flag(self, report: CheckReport, mask: pd.Series, column: str, message: str,
             severity: str = "error") -> None:
        """Report every row where ``mask`` holds (the first LIMIT_PER_RULE, then a count)."""
        hits = self.frame.index[mask.fillna(False).to_numpy(dtype=bool)]
        for idx in hits[:LIMIT_PER_RULE]:
            row = self.rows[idx]
            report.add(severity, self.name, message, desa=self.desa[idx],
                       row=None if pd.isna(row) else int(row), column=column)
        if len(hits) > LIMIT_PER_RULE:
            report.add(severity, self.name, f"dan {len(hits) - LIMIT_PER_RULE} baris lain: {message}",
                       column=column)


def _check_columns(source: SourceTables, report: CheckReport) -> None:
    for table, columns in REQUIRED_COLUMNS.items():
        for column in columns:
            if column not in source[table].columns:
                report.add("error", table, "kolom wajib tidak ada", column=column)


def _check_region(source: SourceTables, district: District | None, report: CheckReport) -> None:
    """Desa codes inside the district and known to Kemendagri; names compared, never renamed."""
    config = _Table(source, "config", {})
    codes = config.frame["kode_desa"].str.strip()
    config.flag(report, ~codes.str.fullmatch(r"\d{10}"), "kode_desa",
                "kode desa harus 10 digit tanpa titik")
    config.flag(report, codes.duplicated(keep=False), "kode_desa", "kode desa muncul lebih dari sekali")
    if district is None:
        return
    official = {d.kode: d for d in district.desa}
    dotted_codes = codes.map(lambda c: dotted(c) if c.isdigit() and len(c) == 10 else "")
    outside = ~dotted_codes.str.startswith(district.kode + ".")
    config.flag(report, outside, "kode_desa", f"desa di luar {district.nama} ({district.kode})")
    unknown = ~outside & ~_isin(dotted_codes, official)
    config.flag(report, unknown, "kode_desa", "kode desa tidak ada dalam daftar Kemendagri")
    names = config.frame["nama_desa"].str.strip().str.casefold()
    official_names = dotted_codes.map(lambda c: official[c].nama.casefold() if c in official else "")
    config.flag(report, ~outside & ~unknown & (names != official_names), "nama_desa",
                "nama desa berbeda dari daftar Kemendagri (tidak diubah)", severity="warning")
    for code in sorted(set(official) - set(dotted_codes)):
        report.add("warning", "config", "desa dalam daftar Kemendagri tidak ada di sumber",
                   desa=code, column="kode_desa")


def _check_people(people: _Table, source: SourceTables, reference_date: date,
                  report: CheckReport) -> None:
    frame = people.frame
    for column, code_list in COLUMN_CODE_LIST.items():
        if column not in frame.columns:
            continue
        valid = {str(c) for c in CODE_LISTS[code_list]}
        values = frame[column].str.strip()
        if column in BLOCKING_CODES:
            people.flag(report, ~_isin(values, valid), column, "kode tidak dikenal")
        else:
            people.flag(report, (values != "") & ~_isin(values, valid), column,
                        "kode tidak dikenal (dihitung sebagai BELUM MENGISI)", severity="warning")
    born = pd.to_datetime(frame["tanggallahir"].str.strip(), format="%Y-%m-%d", errors="coerce")
    people.flag(report, born.isna(), "tanggallahir", "tanggal tidak valid atau bukan YYYY-MM-DD")
    ref = pd.Timestamp(reference_date)
    people.flag(report, born > ref, "tanggallahir", "tanggal lahir sesudah tanggal referensi")
    people.flag(report, born < ref - pd.DateOffset(years=MAX_AGE), "tanggallahir",
                f"umur lebih dari {MAX_AGE} tahun")
    _check_nik(people, born, report)
    if "config_id" in frame.columns:
        people.flag(report, ~_isin(frame["config_id"], source["config"]["id"]), "config_id",
                    "desa (config_id) tidak ada di tabel config")
    people.flag(report, ~_isin(frame["id_kk"], source["tweb_keluarga"]["id"]), "id_kk",
                "keluarga tidak ada di tweb_keluarga")
    people.flag(report, ~_isin(frame["id_cluster"], source["tweb_wil_clusterdesa"]["id"]),
                "id_cluster", "wilayah tidak ada di tweb_wil_clusterdesa")


def _check_nik(people: _Table, born: pd.Series, report: CheckReport) -> None:
    nik = people.frame["nik"].str.strip()
    excel = nik.str.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+")
    people.flag(report, excel, "nik", "NIK dalam notasi ilmiah (dirusak Excel): digit hilang")
    temporary = nik.str.startswith("0")  # NIK sementara, OpenSID's own placeholder
    malformed = ~excel & ~temporary & (nik != "") & ~nik.str.fullmatch(r"\d{16}")
    people.flag(report, malformed, "nik", "NIK harus 16 digit", severity="warning")
    full = nik.str.fullmatch(r"[1-9]\d{15}")
    day = pd.to_numeric(nik.str[6:8], errors="coerce")
    female = people.frame["sex"].str.strip() == "2"
    expected_day = born.dt.day + female.astype(int) * 40
    wrong_date = full & born.notna() & ((day != expected_day)
                                        | (pd.to_numeric(nik.str[8:10], errors="coerce") != born.dt.month))
    people.flag(report, wrong_date, "nik", "bagian tanggal lahir NIK tidak cocok dengan tanggal lahir "
                "dan jenis kelamin", severity="warning")
    alive = people.frame["status_dasar"].str.strip() == "1"
    counted = alive & full
    duplicated = counted & nik.where(counted).duplicated(keep=False)
    across = pd.Series(False, index=nik.index)
    if duplicated.any():
        desa_per_nik = (pd.DataFrame({"nik": nik[duplicated], "desa": people.desa[duplicated]})
                        .groupby("nik")["desa"].nunique())
        across = duplicated & nik.map(desa_per_nik).fillna(0).gt(1)
    people.flag(report, across, "nik", "NIK yang sama terdaftar hidup di dua desa atau lebih")
    people.flag(report, duplicated & ~across, "nik", "NIK yang sama terdaftar dua kali di desa ini")


def _check_families(families: _Table, source: SourceTables, report: CheckReport) -> None:
    kk = families.frame["no_kk"].str.strip()
    families.flag(report, (kk != "") & ~kk.str.fullmatch(r"\d{16}"), "no_kk",
                  "No. KK harus 16 digit", severity="warning")
    families.flag(report, (kk != "") & kk.duplicated(keep=False), "no_kk",
                  "No. KK yang sama muncul lebih dari sekali", severity="warning")
    heads = families.frame["nik_kepala"].str.strip()
    families.flag(report, ~_isin(heads, source["tweb_penduduk"]["id"]), "nik_kepala",
                  "kepala keluarga tidak ada di tweb_penduduk (keluarga tidak dihitung)",
                  severity="warning")


def check_tables(source: SourceTables, reference_date: date,
                 district: District | None = None) -> CheckReport:
    """Check structure, region codes, code values, dates, NIK and references of the core tables."""
    report = CheckReport()
    _check_columns(source, report)
    if report.errors:
        return report
    _check_region(source, district, report)
    config = source["config"]
    desa_by_config = dict(zip(config["id"], config["kode_desa"].map(
        lambda c: dotted(c) if str(c).isdigit() and len(str(c)) == 10 else str(c))))
    _check_people(_Table(source, "tweb_penduduk", desa_by_config), source, reference_date, report)
    _check_families(_Table(source, "tweb_keluarga", desa_by_config), source, report)
    return report
