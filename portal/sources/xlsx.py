"""Read an OpenSID export saved as one .xlsx workbook, one sheet per table.

The same direction as a CSV: ``check_workbook`` is the gate (macros, external links, an unsafe
zip container), openpyxl decodes, ``read_sheet`` parses one sheet into the readers' frame
(text cells, ``_baris`` = sheet row, header = 1). ``read_workbook`` is the entry point.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from .safezip import open_archive
from .tables import KNOWN_TABLES, SourceError, build_frame, column_label, column_names

# Excel keeps 15 significant digits: a 16-digit NIK or No. KK typed as a number has
# already lost its last digit, so such a cell is refused rather than read wrong.
MAX_EXACT_NUMBER = 10**15
_MACRO_PARTS = ("xl/vbaproject.bin", "xl/vbadata.xml")


def check_workbook(path: Path, where: str) -> None:
    """Refuse macro-enabled workbooks, external links, and unsafe zip containers."""
    if path.suffix.lower() in (".xlsm", ".xltm", ".xlam"):
        raise SourceError(f"{where}: buku kerja dengan makro (.xlsm) tidak diterima; simpan sebagai .xlsx")
    with open_archive(path, where) as archive:
        names = [info.filename.lower() for info in archive.infolist()]
        content_types = ""
        if "[content_types].xml" in names:
            content_types = archive.read(archive.infolist()[names.index("[content_types].xml")]).decode(
                "utf-8", "replace").lower()
    if any(n in _MACRO_PARTS for n in names) or "macroenabled" in content_types:
        raise SourceError(f"{where}: buku kerja berisi makro; simpan ulang sebagai .xlsx tanpa makro")
    if any(n.startswith("xl/externallinks/") for n in names):
        raise SourceError(f"{where}: buku kerja berisi tautan eksternal; hapus tautannya lalu simpan ulang")


def cell_text(value: object, where: str, row: int, column: str) -> str:
    """A cell as OpenSID would export it as text; never lets an identifier pass through float."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        if abs(value) >= MAX_EXACT_NUMBER:
            raise SourceError(f"{where} baris {row} kolom {column}: angka 16 digit disimpan sebagai "
                              "bilangan (Excel membulatkannya); simpan kolom ini sebagai teks")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)


def read_sheet(sheet, where: str) -> pd.DataFrame:
    """One worksheet as text cells from its first non-empty row (the header) on; empty rows skipped."""
    rows_iter = enumerate(sheet.iter_rows(values_only=True), 1)
    for _number, header in rows_iter:
        if any(cell is not None and str(cell).strip() for cell in header):
            break
    else:
        raise SourceError(f"{where}: lembar kosong")
    names = column_names(header, where)
    width = len(names)
    labels = [column_label(name, i + 1) for i, name in enumerate(names)]
    rows: list[list[str]] = []
    lines: list[int] = []
    for number, values in rows_iter:
        if len(values) > width and any(v is not None and str(v).strip() for v in values[width:]):
            raise SourceError(f"{where} baris {number}: ada isi di luar kolom header")
        cells = [cell_text(v, where, number, labels[i]) for i, v in enumerate(values[:width])]
        if not any(c.strip() for c in cells):
            continue  # empty rows: spreadsheets keep formatted but empty rows around
        cells.extend([""] * (width - len(cells)))
        rows.append(cells)
        lines.append(number)
    return build_frame(names, rows, lines, where)


def read_workbook(path: Path, where: str) -> dict[str, pd.DataFrame]:
    """Every known OpenSID table of a workbook; ``_baris`` is the sheet row (header = 1)."""
    from openpyxl import load_workbook

    check_workbook(path, where)
    try:
        book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except SourceError:
        raise
    except Exception:
        # openpyxl raises many kinds for a damaged file; none of their texts are shown.
        raise SourceError(f"{where}: buku kerja rusak atau tidak dapat dibaca") from None
    tables: dict[str, pd.DataFrame] = {}
    try:
        for sheet in book.worksheets:
            table = sheet.title.strip().lower()
            if table not in KNOWN_TABLES:
                continue
            if table in tables:
                raise SourceError(f"{where}: tabel {table} muncul di dua lembar")
            tables[table] = read_sheet(sheet, f"{where}/{sheet.title}")
    except SourceError:
        raise
    except Exception:
        raise SourceError(f"{where}: buku kerja rusak atau tidak dapat dibaca") from None
    finally:
        book.close()
    return tables
