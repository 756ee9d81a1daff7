"""Step 1 of a CSV read: refuse what must not be parsed, before it is decoded or parsed.

A 100 MB line (a broken export, a pasted blob) costs a parser about ten times its size in
memory. The bytes are scanned in blocks first (LineGate): only a physical line longer than
MAX_CELL is looked at cell by cell (check_line), and that stops as soon as one cell passes its
limit, so such a file is refused after reading about one block of the line. Cells over several
short lines, UTF-16 text and workbooks are checked after parsing (tables.check_cell_lengths),
with the same message. ``gate_file`` and ``gate_bytes`` are the two doors: a file on disk (also
over its size cap) and bytes already in memory (a zip member, an upload).
"""
from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..safezip import MAX_TOTAL_BYTES
from ..tables import MAX_CELL, SourceError, cell_limit, cell_too_long, column_label
from .dialect import header_names, is_utf16, lines, readable_head, sniff_delimiter, unknown_encoding

# Bytes read at a time while a long line is looked at cell by cell.
LINE_BLOCK = 1024 * 1024
# Bytes read at a time while the lines of a file are measured.
SCAN_BLOCK = 16 * 1024 * 1024
_QUOTE, _NEWLINE = ord('"'), ord("\n")

ReadAt = Callable[[int, int], bytes]


def file_reader(path) -> ReadAt:
    """``read_at(offset, size)`` over a file on disk."""
    def read_at(offset: int, size: int) -> bytes:
        """Up to ``size`` bytes from ``offset``."""
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(size)
    return read_at


def bytes_reader(data: bytes) -> ReadAt:
    """``read_at(offset, size)`` over bytes in memory, without copying them."""
    view = memoryview(data)
    return lambda offset, size: view[offset:offset + size]


def check_line(read_at: ReadAt, offset: int, line: int, names: list[str], delimiter: str,
               where: str) -> None:
    """Raise if a cell of the record starting at ``offset`` (file line ``line``) is over its limit.

    Quotes are paired as a CSV writer doubles them; reading stops at the end of the record,
    at the first cell over its limit, or once the record has more cells than the header.
    """
    width = max(len(names), 1)
    separator = ord(delimiter)
    column, cell_start, position, quoted = 0, offset, offset, 0
    size = 2 * MAX_CELL  # most long lines are map polygons of a few hundred KiB: start small
    while True:
        block = read_at(position, size)
        size = LINE_BLOCK
        if not len(block):
            if position - cell_start > _limit(names, column):
                raise _too_long(where, line, names, column)
            return
        data = np.frombuffer(block, np.uint8)
        # Inside quotes after an odd number of quote characters since the record began.
        state = np.bitwise_xor.accumulate((data == _QUOTE).view(np.uint8)) ^ quoted
        ends = np.flatnonzero(((data == separator) | (data == _NEWLINE)) & (state == 0))
        # No more than the header's cells are looked at: a line of a million commas is cut short.
        for end in ends[:width + 1 - column]:
            if position + int(end) - cell_start > _limit(names, column):
                raise _too_long(where, line, names, column)
            if data[end] == _NEWLINE:
                return
            column, cell_start = column + 1, position + int(end) + 1
        if column > width:
            raise SourceError(f"{where} baris {line}: lebih dari {width} kolom, header {width} kolom "
                              "(berkas rusak atau terpotong?)")
        if position + len(block) - cell_start > _limit(names, column):
            raise _too_long(where, line, names, column)  # without reading the rest of the cell
        quoted = int(state[-1])
        position += len(block)


def _limit(names: list[str], column: int) -> int:
    """The cell limit of the column at ``column`` (0-based); a column past the header has the plain one."""
    return cell_limit(names[column] if column < len(names) else "")


def _too_long(where: str, line: int, names: list[str], column: int) -> SourceError:
    """The error for the cell at ``column`` of file line ``line``, citing its column, never its value."""
    name = names[column] if column < len(names) else ""
    return cell_too_long(where, line, column_label(name, column + 1), _limit(names, column))


class LineGate:
    """Fed a CSV's bytes block by block, hands every physical line over MAX_CELL to ``check``."""

    def __init__(self, check: Callable[[int, int], None]):
        """``check(offset, line)`` raises if the line starting there holds a cell over its limit."""
        self.check = check
        self.offset = 0  # bytes fed so far
        self.line = 1  # number of the line being read (1 = the first)
        self.start = 0  # offset where that line began
        self.checked = -1  # start of the last line handed to check (a line may span blocks)

    def feed(self, block: bytes) -> None:
        """Take the next block of the file."""
        data = np.frombuffer(block, np.uint8)
        ends = np.flatnonzero(data == _NEWLINE) + self.offset
        starts = np.r_[self.start, ends + 1]
        # The last line is still open: its length so far already tells if it is too long.
        lengths = np.r_[ends, self.offset + len(block)] - starts
        for index in np.flatnonzero(lengths > MAX_CELL):
            if starts[index] != self.checked:
                self.checked = int(starts[index])
                self.check(self.checked, self.line + int(index))
        self.line += len(ends)
        self.start = int(starts[-1])
        self.offset += len(block)


def line_gate(read_at: ReadAt, names: list[str], delimiter: str, where: str) -> LineGate:
    """A LineGate that checks each long line of the CSV behind ``read_at`` cell by cell."""
    return LineGate(lambda offset, line: check_line(read_at, offset, line, names, delimiter, where))


def scan(read_at: ReadAt, names: list[str], delimiter: str, where: str,
         block: int = SCAN_BLOCK) -> None:
    """Check every long line of a CSV, reading it ``block`` bytes at a time."""
    gate = line_gate(read_at, names, delimiter, where)
    position = 0
    while True:
        data = read_at(position, block)
        if not len(data):
            return
        gate.feed(data)
        position += len(data)


def sniff_header(read_at: ReadAt) -> tuple[list[str], str]:
    """The header's names and the delimiter, as far as the first lines tell (for messages)."""
    head = bytes(read_at(0, 4 * MAX_CELL))
    text = head.decode("utf-8-sig", errors="replace")
    delimiter = sniff_delimiter(text)
    line = next((line for line in lines(text) if line.strip()), "")
    if len(line) > MAX_CELL or not line.endswith("\n"):
        return [], delimiter  # no header worth the name: columns are cited by position
    try:
        return header_names(line, delimiter, ""), delimiter
    except (SourceError, csv.Error):
        return [], delimiter  # the parser reports a bad header itself


def check_cells(read_at: ReadAt, where: str) -> None:
    """Raise if a cell is over its limit, reading no more of a long line than needed.

    Text in an encoding no CSV here uses is refused first: its lines and delimiters are not
    what they seem, so the cells could not be counted.
    """
    head = bytes(read_at(0, 4 * MAX_CELL))
    if b"\x00" in head:
        raise SourceError(f"{where}: berkas biner, bukan CSV")
    if not readable_head(head):
        raise unknown_encoding(where)
    names, delimiter = sniff_header(read_at)
    scan(read_at, names, delimiter, where)


def gate_file(path: Path, where: str) -> None:
    """Refuse a CSV file on disk over the size cap or with a cell over its limit, before reading it."""
    if path.stat().st_size > MAX_TOTAL_BYTES:
        raise SourceError(f"{where}: berkas lebih dari {MAX_TOTAL_BYTES // 1024**3} GB")
    with open(path, "rb") as handle:
        if is_utf16(handle.read(2)):
            return  # UTF-16: checked after decoding and parsing
    check_cells(file_reader(path), where)


def gate_bytes(data: bytes, where: str) -> None:
    """Refuse CSV bytes in memory that are binary or hold a cell over its limit, before decoding."""
    if is_utf16(data):
        return  # UTF-16: checked after decoding and parsing
    if b"\x00" in data:
        raise SourceError(f"{where}: berkas biner, bukan CSV")
    # Before decoding: a 100 MB cell would cost ~1 GB to parse before it could be refused.
    check_cells(bytes_reader(data), where)
