"""Read an OpenSID source into text DataFrames: CSV folder or zip, XLSX, SQLite, a database URL,
or a folder of several single-desa exports merged into one gabungan.

Every table gets two bookkeeping columns so problems can be cited without values:
``_baris`` (int: the line of the CSV file or row of the sheet, header = 1, so the first
data row is 2; for database tables the row's ``id``) and ``_berkas`` (the file, sheet or
table relative to the source, e.g. ``desa-a/tweb_penduduk.csv``, ``export.xlsx/config``,
``opensid/tweb_penduduk``). Per-desa tables always carry ``config_id``: a one-desa export
without it gets the id of its single config row.
"""
from __future__ import annotations

import re
from pathlib import Path

from .exports import Export, find_exports
from .merge import merge_exports
from .sql import database_url, read_database, safe_label
from .tables import SourceError, SourceTables, require_core, single_desa_config_id

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_database_url(source: str | Path) -> bool:
    """Whether a source is a SQLAlchemy database URL rather than a path."""
    return isinstance(source, str) and bool(_URL.match(source))


def source_label(source: str | Path) -> str:
    """How a source may be shown, logged and stored: a URL without its password."""
    if is_database_url(source):
        try:
            return safe_label(database_url(str(source)))
        except SourceError:
            return "URL basis data tidak valid"
    return str(source)


def _load(export: Export, several: bool) -> dict:
    """The tables of one export, its core tables required and config_id given to a one-desa export."""
    tables = export.load()
    # In a folder of exports, name the export; alone, the files in the messages say enough.
    where = export.label if several else ""
    require_core(tables, where)
    return single_desa_config_id(tables, where or export.label)


def read_source(source: str | Path) -> SourceTables:
    """Read every core table (and known reference tables) of a source; see the module doc."""
    if is_database_url(source):
        kind, label, tables = read_database(str(source))
        require_core(tables, label)
        return SourceTables(kind=kind, label=label, tables=single_desa_config_id(tables, label))
    path = Path(source)
    if not path.exists():
        raise SourceError(f"sumber tidak ditemukan: {path.name}")
    try:
        kind, exports = find_exports(path)
        if len(exports) == 1:
            tables = _load(exports[0], several=False)
        else:
            tables = merge_exports([(e.label, _load(e, several=True)) for e in exports])
    except OSError as exc:
        # An OS error text can carry paths only, but keep the message uniform anyway.
        raise SourceError(f"{path.name}: tidak dapat dibaca ({type(exc).__name__})") from None
    return SourceTables(kind=kind, label=path.name, tables=tables)
