"""Step 2 of a CSV read: bytes to text, in the encodings OpenSID exports and spreadsheets use.

UTF-16 by its byte-order mark (Excel's "Unicode text"), else strict UTF-8 (a BOM dropped), else
Windows-1252. Text that is mostly control characters is binary data, not a CSV.
"""
from __future__ import annotations

from ..tables import SourceError
from .dialect import is_utf16, unknown_encoding

# More control characters than this share of the text means binary data, not a CSV.
MAX_CONTROL_SHARE = 0.01
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


def looks_binary(text: str) -> bool:
    """Whether the start of a text holds more control characters than any CSV would."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch in _CONTROL)
    return controls > MAX_CONTROL_SHARE * max(len(sample), 1)


def _text(data: bytes, where: str) -> str:
    """The text of a CSV: UTF-16 by BOM, else strict UTF-8 (BOM dropped), else Windows-1252."""
    if is_utf16(data):
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
        raise unknown_encoding(where) from None


def decode(data: bytes, where: str) -> str:
    """The text of a CSV's bytes; an empty, binary or undecodable file is a SourceError."""
    if not data or data.isspace():
        raise SourceError(f"{where}: berkas kosong")
    text = _text(data, where)
    if looks_binary(text):
        raise SourceError(f"{where}: berkas biner, bukan CSV")
    return text
