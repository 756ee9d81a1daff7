"""Find the OpenSID exports in a path and read each with its format's reader.

A source path is a CSV folder, a zip, a workbook, a SQLite file, or a folder of several of
them (one desa each, merged by ``merge``). ``find_exports`` says which exports a path holds,
each read only when asked; ``stream_csv_folder`` opens a one-export CSV folder for a chunked
read. Every CSV goes through ``portal.sources.csv``, every workbook through ``xlsx``, every
SQLite file through ``sql``, every zip through ``safezip``.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from .csv import CsvStream, StreamUnsuitable, open_stream, read_csv_bytes, read_csv_file
from .safezip import member_path, open_archive, read_member
from .sql import read_sqlite_file
from .tables import CORE_TABLES, KNOWN_TABLES, SourceError, require_core, single_desa_config_id
from .xlsx import read_workbook

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Export:
    """One export (one desa, or a gabungan) inside a source, read only when asked."""

    label: str  # where it is, relative to the source: "desa-a", "desa-b.zip", "export.xlsx"
    kind: str
    load: Callable[[], dict[str, pd.DataFrame]]


def table_of(name: str) -> str | None:
    """The OpenSID table a CSV file name stands for, if the portal reads it."""
    path = PurePosixPath(name)
    if path.suffix.lower() != ".csv" or path.name.startswith("."):
        return None  # includes the "._name.csv" companions macOS puts in zips
    table = path.stem.strip().lower()
    return table if table in KNOWN_TABLES else None


def _add(tables: dict[str, pd.DataFrame], table: str, frame: pd.DataFrame, where: str) -> None:
    """Keep ``frame`` as ``table``; a table in two files of one export is an error."""
    if table in tables:
        raise SourceError(f"{where}: tabel {table} ada di dua berkas")
    tables[table] = frame


def csv_files(folder: Path) -> list[Path]:
    """The CSV files of OpenSID tables directly in ``folder``; a symbolic link is refused."""
    files = sorted(p for p in folder.iterdir() if table_of(p.name) and (p.is_symlink() or p.is_file()))
    for path in files:
        if path.is_symlink():
            # A link may point anywhere on the server; an export is plain files.
            raise SourceError(f"{folder.name}/{path.name}: tautan simbolik tidak diterima; salin berkasnya")
    return files


def _folder_export(folder: Path, prefix: str, label: str) -> Export:
    """The export of a CSV folder; its files are cited as ``prefix`` + file name."""
    def load() -> dict[str, pd.DataFrame]:
        """Read every table file of the folder."""
        tables: dict[str, pd.DataFrame] = {}
        for path in csv_files(folder):
            _add(tables, table_of(path.name), read_csv_file(path, f"{prefix}{path.name}"), label)
        return tables

    return Export(label=label, kind="csv", load=load)


def _zip_exports(path: Path, label: str) -> list[Export]:
    """One export per folder inside the zip that holds a core table's CSV."""
    with open_archive(path, label) as archive:
        groups: dict[PurePosixPath, list[str]] = {}
        for info in archive.infolist():
            member = member_path(info, label)
            if info.is_dir() or "__MACOSX" in member.parts or not table_of(member.name):
                continue
            groups.setdefault(member.parent, []).append(info.filename)
    exports = []
    for folder, names in sorted(groups.items()):
        if not any(table_of(n) in CORE_TABLES for n in names):
            continue

        def load(names: list[str] = names) -> dict[str, pd.DataFrame]:
            """Read this folder's table files out of the zip."""
            tables: dict[str, pd.DataFrame] = {}
            with open_archive(path, label) as archive:
                for name in names:
                    where = f"{label}/{member_path(archive.getinfo(name), label)}"
                    data = read_member(archive, archive.getinfo(name), where)
                    _add(tables, table_of(name), read_csv_bytes(data, where), where)
            return tables

        inner = label if folder == PurePosixPath(".") else f"{label}/{folder}"
        exports.append(Export(label=inner, kind="zip", load=load))
    if not exports:
        raise SourceError(f"{label}: arsip tidak berisi berkas CSV tabel OpenSID "
                          f"({', '.join(CORE_TABLES)})")
    return exports


def _file_exports(path: Path, label: str) -> list[Export]:
    """The exports of one file: a zip (one per folder inside), a workbook or a SQLite file."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _zip_exports(path, label)
    if suffix in (".xlsx", ".xlsm", ".xltm"):
        return [Export(label=label, kind="xlsx", load=lambda: read_workbook(path, label))]
    if suffix in (".xls", ".xlsb", ".ods"):
        raise SourceError(f"{label}: format {suffix} tidak didukung; simpan sebagai .xlsx atau CSV")
    with open(path, "rb") as handle:
        if handle.read(16) == SQLITE_MAGIC:
            return [Export(label=label, kind="sqlite", load=lambda: read_sqlite_file(path, label))]
    raise SourceError(f"format sumber tidak dikenal: {label}")


def find_exports(path: Path) -> tuple[str, list[Export]]:
    """The kind of a source path and the exports it holds (several only in a folder or zip)."""
    if path.is_dir():
        if any(table_of(p.name) in CORE_TABLES for p in csv_files(path)):
            return "csv", [_folder_export(path, "", path.name)]
        exports: list[Export] = []
        for entry in sorted(path.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir() and csv_files(entry):
                exports.append(_folder_export(entry, f"{entry.name}/", entry.name))
            elif entry.is_file() and entry.suffix.lower() in (".zip", ".xlsx", ".xlsm"):
                exports.extend(_file_exports(entry, entry.name))
        if not exports:
            raise SourceError(f"{path.name}: folder tidak berisi ekspor OpenSID (CSV, zip atau xlsx)")
        return "folder", exports
    exports = _file_exports(path, path.name)
    return exports[0].kind, exports


@dataclass
class StreamedExport:
    """A one-export CSV folder opened for a chunked read: big tables as streams, the rest whole."""

    kind: str
    label: str
    tables: dict[str, pd.DataFrame]  # the small tables, read whole, config_id given as read_source does
    streams: dict[str, CsvStream]  # the big tables, scanned (cell limit, line count), not yet parsed


def _one_file_per_table(folder: Path) -> dict[str, Path]:
    """Each table's file in a folder holding one whole export; StreamUnsuitable otherwise."""
    files: dict[str, Path] = {}
    for path in csv_files(folder):
        table = table_of(path.name)
        if table in files:
            raise StreamUnsuitable(folder.name)  # two files for one table: the whole read reports it
        files[table] = path
    if any(t not in files for t in CORE_TABLES):
        raise StreamUnsuitable(folder.name)  # a folder of exports, or a table missing
    return files


def stream_csv_folder(folder: Path, streamed: Collection[str]) -> StreamedExport:
    """Open a gabungan CSV folder with the ``streamed`` tables as chunked streams.

    Raises StreamUnsuitable when the folder must be read whole by ``read_source`` (a folder of
    exports, a one-desa export without config_id, a file the stream cannot number exactly),
    and SourceError, as read_source would, for a cell over its limit or a damaged small table.
    Chunks read later may still raise StreamUnsuitable.
    """
    files = _one_file_per_table(folder)
    streams: dict[str, CsvStream] = {}
    for table in streamed:
        streams[table] = open_stream(files[table], files[table].name)
        if "config_id" not in streams[table].columns:
            raise StreamUnsuitable(table)  # a one-desa export: small, read whole
    small = {table: read_csv_file(path, path.name) for table, path in files.items() if table not in streams}
    require_core({**small, **dict.fromkeys(streams)}, "")
    return StreamedExport(kind="csv", label=folder.name, tables=single_desa_config_id(small, folder.name),
                          streams=streams)
