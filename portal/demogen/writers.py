"""Write the demo district's four OpenSID tables as CSV files, one XLSX workbook or one SQLite file."""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
    for name in tables:  # the register's four, then any village tables (issue 16)
        tables[name].to_csv(out / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8", na_rep="")


def _csv_lines(frame: pd.DataFrame) -> bytes:
    """The rows of a frame of integers and text as pandas' to_csv writes them, built in Arrow.

    Minimal quoting (a cell holding a comma, quote or line break is quoted, quotes doubled),
    an empty cell for NULL; pandas' own writer would take most of a batch's time.
    """
    return lines_bytes(row_lines(frame)) if len(frame) else b""


def row_lines(frame: pd.DataFrame) -> pa.Array:
    """Each row of a frame of integers and text as its CSV line (with the line end), in Arrow.

    A row's line depends on that row alone, so a monthly series re-formats only changed rows.
    """
    cells = []
    for column in pa.Table.from_pandas(frame, preserve_index=False).columns:
        if not (pa.types.is_integer(column.type) or pa.types.is_string(column.type)
                or pa.types.is_large_string(column.type)
                or pa.types.is_null(column.type)):
            raise TypeError(f"column of type {column.type}: write it with pandas")
        text = pc.fill_null(pc.cast(column, pa.string()), "")
        if pa.types.is_integer(column.type):
            cells.append(text)  # digits and a minus sign never need quotes
            continue
        needs = pc.match_substring_regex(text, r'[,"\r\n]')
        if pc.any(needs).as_py():
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
            text = pc.if_else(needs, quoted, text)
        cells.append(text)
    # Each row plus its line end; the text of all of them is then one contiguous buffer.
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "", "\n")
    return pa.chunked_array([lines]).combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines


def lines_bytes(lines: pa.Array) -> bytes:
    """The text of an Arrow array of lines, one after the other, as bytes."""
    if not len(lines):
        return b""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    return lines.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]


def append_csv(out: Path, name: str, frame: pd.DataFrame, header: bool) -> None:
    """Add rows to one table's CSV as write_csv writes it (the header only with the first)."""
    try:
        body = _csv_lines(frame)
    except TypeError:  # a float column (coordinates): pandas formats it
        with open(out / f"{name}.csv", "w" if header else "a", encoding="utf-8", newline="") as handle:
            frame.to_csv(handle, index=False, header=header, lineterminator="\n", na_rep="")
        return
    with open(out / f"{name}.csv", "wb" if header else "ab") as handle:
        if header:
            handle.write((",".join(frame.columns) + "\n").encode("utf-8"))
        handle.write(body)


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
        """Write the database at ``path`` (a temporary name, moved into place by _atomic)."""
        con = sqlite3.connect(path)
        try:
            with con:
                for name in tables:
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
        """Write the workbook at ``path`` (a temporary name, moved into place by _atomic)."""
        wb = Workbook(write_only=True)
        for name in tables:
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
