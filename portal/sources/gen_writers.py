"""Write the demo district's four OpenSID tables as CSV files, one XLSX workbook or one SQLite file."""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

TABLE_NAMES = ("config", "tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk")
FORMATS = ("csv", "xlsx", "sqlite")


def check_target(out: Path, fmt: str) -> None:
    """Refuse to overwrite: raise FileExistsError if ``out`` already holds anything."""
    if out.is_dir() and not out.is_symlink():
        if fmt != "csv":
            raise FileExistsError(f"refusing to write {fmt} output over the existing directory {out}")
        if any(out.iterdir()):
            raise FileExistsError(f"refusing to overwrite: {out} is a non-empty directory")
    elif out.exists() or out.is_symlink():
        raise FileExistsError(f"refusing to overwrite the existing file {out}")


def _values(series: pd.Series) -> list:
    """Column values as plain Python objects with None for NULL."""
    return series.astype(object).where(series.notna(), None).tolist()


def _sql_type(series: pd.Series) -> str:
    """SQLite column type: identifiers such as NIK and No. KK are strings, hence TEXT."""
    if pd.api.types.is_integer_dtype(series.dtype):
        return "INTEGER"
    if pd.api.types.is_float_dtype(series.dtype):
        return "REAL"
    return "TEXT"


def write_csv(tables: Mapping[str, pd.DataFrame], out: Path) -> None:
    """One UTF-8 (no BOM) comma-separated file per table, header row, empty cell for NULL."""
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        tables[name].to_csv(out / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8", na_rep="")


def _atomic(out: Path, write: Callable[[Path], None]) -> None:
    """Write to a sibling temporary file and move it into place, so a failure leaves no half file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    tmp.unlink(missing_ok=True)
    try:
        write(tmp)
        check_target(out, "file")  # something may have appeared while we were generating
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def write_sqlite(tables: Mapping[str, pd.DataFrame], out: Path) -> None:
    """One SQLite database holding the four tables, NIK and No. KK as TEXT."""

    def write(path: Path) -> None:
        con = sqlite3.connect(path)
        try:
            with con:
                for name in TABLE_NAMES:
                    df = tables[name]
                    cols = ", ".join(
                        f'"{c}" {_sql_type(df[c])}' + (" PRIMARY KEY" if c == "id" else "") for c in df.columns
                    )
                    con.execute(f'CREATE TABLE "{name}" ({cols})')
                    marks = ", ".join("?" * len(df.columns))
                    rows = zip(*(_values(df[c]) for c in df.columns))
                    con.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
        finally:
            con.close()

    _atomic(out, write)


def write_xlsx(tables: Mapping[str, pd.DataFrame], out: Path) -> None:
    """One workbook, one sheet per table; identifiers are written as text cells, NULL as empty."""
    from openpyxl import Workbook

    def write(path: Path) -> None:
        wb = Workbook(write_only=True)
        for name in TABLE_NAMES:
            df = tables[name]
            ws = wb.create_sheet(title=name)
            ws.append(list(df.columns))
            for row in zip(*(_values(df[c]) for c in df.columns)):
                ws.append(row)
        wb.save(path)

    _atomic(out, write)


WRITERS: dict[str, Callable[[Mapping[str, pd.DataFrame], Path], None]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "sqlite": write_sqlite,
}
