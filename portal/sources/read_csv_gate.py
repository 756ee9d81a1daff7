"""Refuse a CSV cell too long to be OpenSID data before the file is parsed.

A 100 MB line (a broken export, a pasted blob) costs a parser about ten times its size in
memory. The bytes are scanned in blocks first (LineGate): only a physical line longer than
MAX_CELL is looked at cell by cell (check_line), and that stops as soon as one cell passes its
limit, so such a file is refused after reading about one block of the line. Cells over several
short lines, UTF-16 text and workbooks are checked after parsing (tables.check_cell_lengths),
with the same message.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .tables import MAX_CELL, SourceError, cell_limit, cell_too_long, column_label

# Bytes read at a time while a long line is looked at cell by cell.
LINE_BLOCK = 1024 * 1024
_QUOTE, _NEWLINE = ord('"'), ord("\n")

ReadAt = Callable[[int, int], bytes]


def file_reader(path) -> ReadAt:
    """``read_at(offset, size)`` over a file on disk."""
    def read_at(offset: int, size: int) -> bytes:
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
    return cell_limit(names[column] if column < len(names) else "")


def _too_long(where: str, line: int, names: list[str], column: int) -> SourceError:
    name = names[column] if column < len(names) else ""
    return cell_too_long(where, line, column_label(name, column + 1), _limit(names, column))


class LineGate:
    """Fed a CSV's bytes block by block, hands every physical line over MAX_CELL to ``check``."""

    def __init__(self, check: Callable[[int, int], None]):
        self.check = check  # check(offset, line) raises if the line holds a cell over its limit
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


def scan(read_at: ReadAt, names: list[str], delimiter: str, where: str,
         block: int = 16 * 1024 * 1024) -> None:
    """Check every long line of a CSV, reading it ``block`` bytes at a time."""
    gate = LineGate(lambda offset, line: check_line(read_at, offset, line, names, delimiter, where))
    position = 0
    while True:
        data = read_at(position, block)
        if not len(data):
            return
        gate.feed(data)
        position += len(data)
