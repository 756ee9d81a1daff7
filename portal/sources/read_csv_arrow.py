"""The fast path of the CSV reader: pyarrow's parser for the common case of one record per line."""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from .tables import column_names, finish_frame

try:  # pyarrow is pinned, but the exact path in read_csv.py works without it
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv
except ImportError:  # pragma: no cover
    pa = None


def fast_frame(text: str, delimiter: str, where: str) -> pd.DataFrame | None:
    """The table parsed by pyarrow, or None when only the exact (Python) parser can tell.

    pyarrow cannot say on which line a record starts, so it is used only when every
    record is exactly one line: then the first data row is line 2, the next line 3, ...
    Anything unusual (cells over several lines, blank lines, a bad row, a quoted header)
    returns None, and the exact parser gives the precise line or error message.
    """
    first_end = text.find("\n")
    first = text[:first_end] if first_end >= 0 else text
    if pa is None or not first.strip() or '"' in first:
        return None
    names = column_names(next(csv.reader([first.rstrip("\r")], delimiter=delimiter)), where)
    positional = [str(i) for i in range(len(names))]
    try:
        table = pcsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pcsv.ReadOptions(column_names=positional, skip_rows=1),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(positional, pa.string()), null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None  # its message may quote the row: the exact parser reports instead
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if table.num_rows + 1 != lines:
        return None  # a multi-line cell or a blank line: line numbers need the exact parser
    numbers = np.arange(2, table.num_rows + 2, dtype=np.int64)
    if table.num_columns:
        filled = pc.not_equal(table.column(0), "")
        for column in table.columns[1:]:
            filled = pc.or_(filled, pc.not_equal(column, ""))
        if not pc.all(filled).as_py():
            # Rows of empty cells left by a spreadsheet are skipped, as the exact parser does.
            numbers = numbers[filled.to_numpy(zero_copy_only=False)]
            table = table.filter(filled)
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    return finish_frame(frame, names, numbers, where)
