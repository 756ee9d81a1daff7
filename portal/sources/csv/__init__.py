"""Read one CSV table, in one direction: gate → decode → parse (→ chunks for a large file).

    dialect.py  how a CSV is spelled: BOM, delimiter, lines, header (asked by every step)
    gate.py     1. refuse before parsing: size cap, NUL bytes, a cell over its limit
    decode.py   2. bytes to text: UTF-16 by BOM, UTF-8 (BOM dropped), Windows-1252
    parse.py    3. text to a frame: pyarrow when every record is one line, else Python's csv
    stream.py   4. a large file in chunks of the wanted columns (UTF-8, one record per line)

Each step imports only the ones above it in this list. The entry points below are the only
doors for a whole table; ``open_stream`` is the door for a chunked one. Every frame has text
cells, ``_baris`` (the line its record starts on, header = 1) and ``_berkas`` (``where``).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .decode import decode
from .gate import gate_bytes, gate_file
from .parse import parse_text
from .stream import CHUNK_ROWS, CsvStream, StreamUnsuitable, open_stream

__all__ = ["CHUNK_ROWS", "CsvStream", "StreamUnsuitable", "open_stream", "read_csv_bytes",
           "read_csv_file"]


def read_csv_bytes(data: bytes, where: str) -> pd.DataFrame:
    """One CSV table from bytes in memory (a zip member, an upload), refused before parsing if unsafe."""
    gate_bytes(data, where)
    return parse_text(decode(data, where), where)


def read_csv_file(path: Path, where: str) -> pd.DataFrame:
    """One CSV table from a file on disk, refused before it is read into memory if unsafe."""
    gate_file(path, where)
    return parse_text(decode(path.read_bytes(), where), where)
