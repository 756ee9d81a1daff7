"""Read an OpenSID export (CSV folder or zip, XLSX, SQLite) into text DataFrames."""
from __future__ import annotations

import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

CORE_TABLES = ("config", "tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk")


class SourceError(Exception):
    """The source cannot be read at all; the message names no personal value."""


@dataclass
class SourceTables:
    """The OpenSID tables of one harvest source, every cell as text."""

    kind: str
    label: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def _read_csv(handle, table: str) -> pd.DataFrame:
    """Read one CSV table as text, keeping NIK-like codes intact."""
    try:
        return pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[],
                           encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(f"tabel {table}: berkas CSV tidak dapat dibaca ({type(exc).__name__})") from None


def _from_csv_dir(path: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: _read_csv(p, p.stem) for p in sorted(path.glob("*.csv"))}


def _from_zip(path: Path) -> dict[str, pd.DataFrame]:
    tables = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = Path(info.filename).name
            if info.is_dir() or not name.endswith(".csv"):
                continue
            with archive.open(info) as handle:
                tables[name[:-4]] = _read_csv(handle, name[:-4])
    return tables


def _from_xlsx(path: Path) -> dict[str, pd.DataFrame]:
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False,
                           engine="openpyxl")
    return {name: frame for name, frame in sheets.items()}


def _from_sqlite(path: Path) -> dict[str, pd.DataFrame]:
    uri = f"file:{path}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            name: pd.read_sql_query(f'SELECT * FROM "{name}"', conn).astype("string")
            .fillna("").astype(object)
            for name in names
        }


def _detect(path: Path):
    """The format of a source and the function that reads it."""
    if path.is_dir():
        return "csv", _from_csv_dir
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return "zip", _from_zip
    if suffix == ".xlsx":
        return "xlsx", _from_xlsx
    with open(path, "rb") as handle:
        if handle.read(16) == b"SQLite format 3\x00":
            return "sqlite", _from_sqlite
    raise SourceError(f"format sumber tidak dikenal: {path.name}")


def read_source(source: str | Path) -> SourceTables:
    """Read every table of an export; the four core tables must be present."""
    path = Path(source)
    if not path.exists():
        raise SourceError(f"sumber tidak ditemukan: {path.name}")
    kind, reader = _detect(path)
    try:
        tables = reader(path)
    except SourceError:
        raise
    except (zipfile.BadZipFile, sqlite3.DatabaseError, ValueError, KeyError, OSError) as exc:
        # The exception text may quote cell contents: report only its kind.
        raise SourceError(f"{path.name}: berkas {kind} rusak atau tidak dapat dibaca "
                          f"({type(exc).__name__})") from None
    missing = [t for t in CORE_TABLES if t not in tables]
    if missing:
        raise SourceError("tabel wajib tidak ada: " + ", ".join(missing))
    for name, frame in tables.items():
        frame.columns = [str(c).strip().lower() for c in frame.columns]
    return SourceTables(kind=kind, label=path.name, tables=tables)
