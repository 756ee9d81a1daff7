"""Checks of a harvested export; each problem cites desa, table, row and column only."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from portal.sources.readers import SourceTables

REQUIRED_COLUMNS = {
    "config": ("id", "kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan", "kode_kabupaten"),
    "tweb_wil_clusterdesa": ("id", "rt", "rw", "dusun"),
    "tweb_keluarga": ("id", "no_kk"),
    "tweb_penduduk": ("id", "nik", "sex", "tanggallahir", "status_dasar", "id_kk", "id_cluster"),
}
# The first data row is row 2 of the file: row 1 holds the header.
FIRST_ROW = 2


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

    def to_dict(self, limit: int = 500) -> dict:
        """A JSON-able summary for the harvest record (first ``limit`` problems)."""
        return {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [asdict(p) for p in self.problems[:limit]],
        }


def _desa_of(frame: pd.DataFrame, desa_by_config: dict[str, str]) -> pd.Series:
    if "config_id" in frame.columns:
        return frame["config_id"].map(desa_by_config).fillna("")
    only = next(iter(desa_by_config.values()), "")
    return pd.Series(only, index=frame.index)


def _flag(report: CheckReport, frame: pd.DataFrame, mask: pd.Series, desa: pd.Series,
          table: str, column: str, message: str, severity: str = "error", limit: int = 50) -> None:
    for idx in frame.index[mask][:limit]:
        report.add(severity, table, message, desa=desa[idx], row=int(idx) + FIRST_ROW, column=column)
    extra = int(mask.sum()) - limit
    if extra > 0:
        report.add(severity, table, f"{extra} baris lain dengan masalah yang sama", column=column)


def check_tables(source: SourceTables, codes: dict[str, dict[int, str]]) -> CheckReport:
    """Check structure, codes, dates and references of the core tables."""
    report = CheckReport()
    for table, columns in REQUIRED_COLUMNS.items():
        for column in columns:
            if column not in source[table].columns:
                report.add("error", table, "kolom wajib tidak ada", column=column)
    if report.errors:
        return report
    config = source["config"]
    desa_by_config = dict(zip(config["id"], config["kode_desa"]))
    people = source["tweb_penduduk"]
    desa = _desa_of(people, desa_by_config)
    for column, code_list in (("sex", "sex"), ("status_dasar", "status_dasar")):
        valid = {str(c) for c in codes[code_list]}
        _flag(report, people, ~people[column].isin(valid), desa, "tweb_penduduk", column,
              "kode tidak dikenal")
    born = pd.to_datetime(people["tanggallahir"], format="%Y-%m-%d", errors="coerce")
    _flag(report, people, born.isna(), desa, "tweb_penduduk", "tanggallahir",
          "tanggal tidak valid")
    if "config_id" in people.columns:
        _flag(report, people, ~people["config_id"].isin(set(config["id"])), desa,
              "tweb_penduduk", "config_id", "desa (config_id) tidak ada di tabel config")
    families = set(source["tweb_keluarga"]["id"])
    _flag(report, people, ~people["id_kk"].isin(families), desa, "tweb_penduduk", "id_kk",
          "keluarga tidak ada di tweb_keluarga")
    clusters = set(source["tweb_wil_clusterdesa"]["id"])
    _flag(report, people, ~people["id_cluster"].isin(clusters), desa, "tweb_penduduk",
          "id_cluster", "wilayah tidak ada di tweb_wil_clusterdesa")
    return report
