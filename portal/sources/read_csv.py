"""Parse one OpenSID CSV table: encoding and delimiter detection, strict shape checks."""
from __future__ import annotations

import csv
import io
import sys

import pandas as pd

from .read_csv_arrow import fast_frame
from .read_csv_gate import ReadAt, bytes_reader, file_reader, scan
from .tables import MAX_CELL, SourceError, build_frame, column_names

DELIMITERS = (",", ";", "\t", "|")
# OpenSID keeps map polygons (config.path, tweb_wil_clusterdesa.path) in one cell; the
# csv module's default 128 KiB field limit would reject a detailed village boundary. Cells
# are held to tables.cell_limit by our own checks, with a message that names the column.
FIELD_LIMIT = 64 * 1024 * 1024
# More control characters than this share of the text means binary data, not a CSV.
MAX_CONTROL_SHARE = 0.01
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


def decode(data: bytes, where: str) -> str:
    """The text of a CSV: UTF-16 by BOM, else strict UTF-8 (BOM dropped), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a BOM.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceError(f"{where}: berkas UTF-16 rusak") from None
    if b"\x00" in data:
        raise SourceError(f"{where}: berkas biner, bukan CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Latin-1 text is Windows-1252 text too, except for C1 controls no CSV holds.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise SourceError(f"{where}: pengodean teks tidak dikenal "
                          "(bukan UTF-8 atau Windows-1252)") from None


def _lines(text: str):
    """The lines of a text one by one, without copying it whole (as io.StringIO would)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV, judged from its header line (the most frequent candidate)."""
    header = next((line for line in _lines(text) if line.strip()), "")
    counts = [(header.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch in _CONTROL)
    return controls > MAX_CONTROL_SHARE * max(len(sample), 1)


def _header(read_at: ReadAt) -> tuple[list[str], str]:
    """The header's names and the delimiter, as far as the first lines tell (for messages)."""
    head = bytes(read_at(0, 4 * MAX_CELL))
    text = head.decode("utf-8-sig", errors="replace")
    delimiter = sniff_delimiter(text)
    line = next((line for line in _lines(text) if line.strip()), "")
    if len(line) > MAX_CELL or not line.endswith("\n"):
        return [], delimiter  # no header worth the name: columns are cited by position
    try:
        return column_names(next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter)), ""), delimiter
    except (SourceError, csv.Error):
        return [], delimiter  # the parser reports a bad header itself


def check_cells(read_at: ReadAt, where: str) -> None:
    """Raise if a cell is over its limit, reading no more of a long line than needed."""
    names, delimiter = _header(read_at)
    scan(read_at, names, delimiter, where)


def check_file(path, where: str) -> None:
    """check_cells on a file on disk, before it is read into memory."""
    with open(path, "rb") as handle:
        if handle.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            return  # UTF-16: checked after decoding and parsing
    check_cells(file_reader(path), where)


def parse_csv(data: bytes, where: str) -> pd.DataFrame:
    """One CSV table as text cells with ``_baris`` (file line, header = 1) and ``_berkas``."""
    if not data.strip():
        raise SourceError(f"{where}: berkas kosong")
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if b"\x00" in data:
            raise SourceError(f"{where}: berkas biner, bukan CSV")
        # Before decoding: a 100 MB cell would cost ~1 GB to parse before it could be refused.
        check_cells(bytes_reader(data), where)
    text = decode(data, where)
    if _looks_binary(text):
        raise SourceError(f"{where}: berkas biner, bukan CSV")
    delimiter = sniff_delimiter(text)
    fast = fast_frame(text, delimiter, where)
    if fast is not None:
        return fast
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
