"""How a CSV is spelled: its byte-order mark, its delimiter, its lines and its header.

The bottom of the CSV path: the gate, the decoder, the parsers and the stream all ask these
questions, and this module asks nothing of them.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator

from ..tables import SourceError, column_names

DELIMITERS = (",", ";", "\t", "|")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def unknown_encoding(where: str) -> SourceError:
    """The error for text in neither of the encodings a CSV may use (no byte of it quoted)."""
    return SourceError(f"{where}: pengodean teks tidak dikenal (bukan UTF-8 atau Windows-1252)")


def readable_head(head: bytes) -> bool:
    """Whether a CSV's first bytes are UTF-8 or Windows-1252 text (a cut at the end allowed).

    EBCDIC, for one, is neither: its letters fall on bytes Windows-1252 leaves undefined.
    """
    try:
        head.decode("utf-8-sig")
        return True
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(head) - 3:
            return True  # a character cut by the end of the sample
    try:
        head.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def is_utf16(head: bytes) -> bool:
    """Whether bytes start with a UTF-16 byte-order mark (Excel's "Unicode text" export)."""
    return bytes(head[:2]) in UTF16_BOMS


def lines(text: str) -> Iterator[str]:
    """The lines of a text one by one, without copying it whole (as io.StringIO would)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV, judged from its header line (the most frequent candidate)."""
    header = next((line for line in lines(text) if line.strip()), "")
    counts = [(header.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


def header_names(line: str, delimiter: str, where: str) -> list[str]:
    """A one-line header's cells as column names (SourceError or csv.Error if it is no header)."""
    return column_names(next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter)), where)
