"""The one error of an upload: where (file, row, column) and why, never the value."""
from __future__ import annotations


class UploadError(Exception):
    """The upload is refused; nothing was stored. The message names no cell value."""


def place(where: str, row: int | None = None, column: str | None = None) -> str:
    """How a message cites a cell: file (and sheet), row, column."""
    out = where
    if row is not None:
        out += f" baris {row}"
    if column is not None:
        out += f" kolom {column}"
    return out
