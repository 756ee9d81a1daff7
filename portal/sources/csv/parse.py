"""Step 3 of a CSV read: text to a frame of text cells, with each row's line in the file.

Two parsers give the same frame. pyarrow's (``fast_frame``) is used when every record is one
line, the common case; anything unusual (cells over several lines, blank lines, a bad row, a
quoted header) goes to Python's csv module (``exact_frame``), which numbers each record by the
line it starts on and reports the precise line of an error, never a value.
"""
from __future__ import annotations

import csv
import io
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..tables import SourceError, build_frame, column_names, finish_frame
from .dialect import header_names, sniff_delimiter

# OpenSID keeps map polygons (config.path, tweb_wil_clusterdesa.path) in one cell; the
# csv module's default 128 KiB field limit would reject a detailed village boundary. Cells
# are held to tables.cell_limit by our own checks, with a message that names the column.
FIELD_LIMIT = 64 * 1024 * 1024
# How pyarrow's strings become pandas text columns (the same dtype as the stream's chunks).
STRING_TYPES = {pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get


def csv_options(positional: list[str], keep: list[int], delimiter: str, skip_rows: int = 0) -> dict:
    """pyarrow's options to read columns ``keep`` (by position) as text, nothing as null."""
    return dict(
        read_options=pcsv.ReadOptions(column_names=positional, skip_rows=skip_rows),
        parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            include_columns=[positional[i] for i in keep],
            column_types={positional[i]: pa.string() for i in keep}, null_values=[],
            strings_can_be_null=False, quoted_strings_can_be_null=False))


def filled_rows(table: pa.Table) -> pa.ChunkedArray | None:
    """A mask of the rows with at least one non-empty cell, or None when every row has one."""
    if not (table.num_rows and table.num_columns):
        return None
    filled = pc.not_equal(table.column(0), "")
    for column in table.columns[1:]:
        filled = pc.or_(filled, pc.not_equal(column, ""))
    return None if pc.all(filled).as_py() else filled


def fast_frame(text: str, delimiter: str, where: str) -> pd.DataFrame | None:
    """The table parsed by pyarrow, or None when only the exact (Python) parser can tell.

    pyarrow cannot say on which line a record starts, so it is used only when every
    record is exactly one line: then the first data row is line 2, the next line 3, ...
    """
    first_end = text.find("\n")
    first = text[:first_end] if first_end >= 0 else text
    if not first.strip() or '"' in first:
        return None
    names = header_names(first, delimiter, where)
    positional = [str(i) for i in range(len(names))]
    options = csv_options(positional, list(range(len(names))), delimiter, skip_rows=1)
    try:
        table = pcsv.read_csv(io.BytesIO(text.encode("utf-8")), **options)
    except (pa.ArrowInvalid, pa.ArrowException):
        return None  # its message may quote the row: the exact parser reports instead
    if table.num_rows + 1 != text.count("\n") + (0 if text.endswith("\n") else 1):
        return None  # a multi-line cell or a blank line: line numbers need the exact parser
    numbers = np.arange(2, table.num_rows + 2, dtype=np.int64)
    filled = filled_rows(table)
    if filled is not None:
        # Rows of empty cells left by a spreadsheet are skipped, as the exact parser does.
        numbers = numbers[filled.to_numpy(zero_copy_only=False)]
        table = table.filter(filled)
    return finish_frame(table.to_pandas(types_mapper=STRING_TYPES), names, numbers, where)


def exact_frame(text: str, delimiter: str, where: str) -> pd.DataFrame:
    """The table parsed by Python's csv module, each record numbered by the line it starts on."""
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(min(FIELD_LIMIT, sys.maxsize))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)  # leading blank lines before the header
        names = column_names(header, where)
        width = len(names)
        rows: list[list[str]] = []
        lines: list[int] = []
        previous = reader.line_num
        for row in reader:
            # A record starts on the line after the previous one ended (cells may span lines).
            start, previous = previous + 1, reader.line_num
            if len(row) != width:
                if not any(cell.strip() for cell in row):
                    continue  # blank line, or a row of empty cells left by a spreadsheet
                raise SourceError(f"{where} baris {start}: {len(row)} kolom, header {width} kolom "
                                  "(berkas rusak atau terpotong?)")
            if not any(row):
                continue
            rows.append(row)
            lines.append(start)
    except csv.Error:
        # The csv module's message is generic, but cite only our own words and the line.
        raise SourceError(f"{where} baris {reader.line_num}: tanda kutip tidak seimbang "
                          "(berkas rusak atau terpotong?)") from None
    except StopIteration:
        raise SourceError(f"{where}: berkas kosong") from None
    return build_frame(names, rows, lines, where)


def parse_text(text: str, where: str) -> pd.DataFrame:
    """One CSV table as text cells with ``_baris`` (file line, header = 1) and ``_berkas``."""
    delimiter = sniff_delimiter(text)
    fast = fast_frame(text, delimiter, where)
    return fast if fast is not None else exact_frame(text, delimiter, where)
