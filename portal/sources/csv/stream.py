"""Step 4 of a CSV read: a large table in chunks, only the columns a harvest needs.

``open_stream`` scans the file once in blocks: the gate's cell limit, valid UTF-8, no NUL
byte, its line count, so that each chunk can number its rows as the whole-file reader would.
The stream is only used when every record is one line. Anything unusual (another encoding, a
quoted header, a cell over several lines, a malformed row) raises StreamUnsuitable, and the
caller reads the file whole with the exact parser, which reports the precise line or error.
"""
from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from ..tables import SourceError, finish_frame
from .decode import looks_binary
from .dialect import header_names, is_utf16, sniff_delimiter
from .gate import SCAN_BLOCK, file_reader, line_gate
from .parse import STRING_TYPES, csv_options, filled_rows

SAMPLE = 256 * 1024
# Rows per chunk by default: a few tens of MB of text, whatever the size of the district.
CHUNK_ROWS = 200_000


class StreamUnsuitable(Exception):
    """The file needs the exact whole-file parser (numbering, encoding or shape)."""


@dataclass(frozen=True)
class CsvStream:
    """A CSV table that can be read in chunks: its header and line count, from one scan."""

    path: Path
    where: str
    names: list[str]  # header cells as column names; "" for a column without a name
    delimiter: str
    lines: int
    size: int

    @property
    def columns(self) -> list[str]:
        """The named columns, in file order."""
        return [name for name in self.names if name]

    def chunks(self, wanted, rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        """The table in chunks of about ``rows`` rows, only the ``wanted`` columns (and any
        unnamed one, which must be empty), with ``_baris`` and ``_berkas`` as the whole read gives."""
        positional = [str(i) for i in range(len(self.names))]
        keep = [i for i, name in enumerate(self.names) if not name or name in wanted]
        names = [self.names[i] for i in keep]
        options = csv_options(positional, keep, self.delimiter)
        line = 2
        for data in self._blocks(rows):
            table = self._parse(data, options)
            records = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
            del data  # not held while the next block is read
            # One record per line, or the row numbers would be wrong: the exact parser decides.
            if table.num_rows != records:
                raise StreamUnsuitable(self.where)
            numbers = np.arange(line, line + table.num_rows, dtype=np.int64)
            line += table.num_rows
            frame = table.to_pandas(types_mapper=STRING_TYPES)
            del table
            yield finish_frame(frame, names, numbers, self.where)
        if line - 1 != self.lines:
            raise StreamUnsuitable(self.where)

    def _blocks(self, rows: int) -> Iterator[bytes]:
        """The data lines after the header, in blocks of whole lines of about ``rows`` lines.

        Read here, not by pyarrow's streaming reader: that one parses ahead of its consumer
        and would hold most of a large file in memory.
        """
        per_row = max(self.size / max(self.lines, 1), 1.0)
        block = int(min(max(rows * per_row, 1 << 16), 1 << 30))
        with open(self.path, "rb") as handle:
            handle.readline()  # the header, checked by open_stream
            carry = b""
            while True:
                data = handle.read(block)
                at_end = not data
                data = carry + data
                if not data:
                    return
                cut = len(data) if at_end else data.rfind(b"\n") + 1
                if cut == 0:
                    carry = data  # no line end yet: read on
                    continue
                data, carry = data[:cut], data[cut:]
                yield data
                if at_end:
                    return

    def _parse(self, data: bytes, options: dict) -> pa.Table:
        """One block parsed by pyarrow; StreamUnsuitable when only the exact parser can tell."""
        try:
            table = pcsv.read_csv(pa.py_buffer(data), **options)
        except (pa.ArrowInvalid, pa.ArrowException):
            # Its message may quote the row: the exact parser reports instead.
            raise StreamUnsuitable(self.where) from None
        if filled_rows(table) is not None:
            # A row of empty cells is skipped only if all its columns are empty: the
            # columns left unread cannot tell, so the whole-file reader decides.
            raise StreamUnsuitable(self.where)
        return table


def _header(head: bytes, where: str) -> tuple[list[str], str]:
    """The names and delimiter of a plain one-line header; StreamUnsuitable for anything else."""
    if not head.strip() or is_utf16(head):
        raise StreamUnsuitable(where)
    sample = head.decode("utf-8-sig", errors="ignore")
    end = sample.find("\n")
    first = sample[:end] if end >= 0 else ""
    if not first.strip() or '"' in first or looks_binary(sample):
        raise StreamUnsuitable(where)
    delimiter = sniff_delimiter(first)
    try:
        return header_names(first, delimiter, where), delimiter
    except SourceError:
        raise StreamUnsuitable(where) from None


def open_stream(path: Path, where: str) -> CsvStream:
    """Scan ``path`` once; raise StreamUnsuitable unless it can be read in chunks.

    The scan refuses a cell over its limit (SourceError) as the whole-file reader would,
    before any of the file is parsed.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines, last, size = 0, b"", 0
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE)
        names, delimiter = _header(head, where)
        gate = line_gate(file_reader(path), names, delimiter, where)
        block = head
        while block:
            if b"\x00" in block:
                raise StreamUnsuitable(where)
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                raise StreamUnsuitable(where) from None  # Windows-1252: the exact reader decodes it
            gate.feed(block)
            newlines += block.count(b"\n")
            size += len(block)
            last = block[-1:]
            block = handle.read(SCAN_BLOCK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise StreamUnsuitable(where) from None
    lines = newlines + (0 if last == b"\n" else 1)
    if lines < 2:
        raise StreamUnsuitable(where)
    return CsvStream(path=path, where=where, names=names, delimiter=delimiter, lines=lines, size=size)
