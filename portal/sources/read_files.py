"""Find the OpenSID exports in a path: a CSV folder, a zip, a workbook, a SQLite file, or a folder of them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from .read_csv import check_file, parse_csv
from .read_sql import read_sqlite_file
from .read_xlsx import read_workbook
from .safezip import MAX_TOTAL_BYTES, member_path, open_archive, read_member
from .tables import CORE_TABLES, KNOWN_TABLES, SourceError

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Export:
    """One export (one desa, or a gabungan) inside a source, read only when asked."""

    label: str  # where it is, relative to the source: "desa-a", "desa-b.zip", "export.xlsx"
    kind: str
    load: Callable[[], dict[str, pd.DataFrame]]


def _table_of(name: str) -> str | None:
    """The OpenSID table a CSV file name stands for, if the portal reads it."""
    path = PurePosixPath(name)
    if path.suffix.lower() != ".csv" or path.name.startswith("."):
        return None  # includes the "._name.csv" companions macOS puts in zips
    table = path.stem.strip().lower()
    return table if table in KNOWN_TABLES else None


def _add(tables: dict[str, pd.DataFrame], table: str, frame: pd.DataFrame, where: str) -> None:
    if table in tables:
        raise SourceError(f"{where}: tabel {table} ada di dua berkas")
    tables[table] = frame


def _csv_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if _table_of(p.name) and (p.is_symlink() or p.is_file()))
    for path in files:
        if path.is_symlink():
            # A link may point anywhere on the server; an export is plain files.
            raise SourceError(f"{folder.name}/{path.name}: tautan simbolik tidak diterima; salin berkasnya")
    return files


def _folder_export(folder: Path, prefix: str, label: str) -> Export:
    def load() -> dict[str, pd.DataFrame]:
        tables: dict[str, pd.DataFrame] = {}
        for path in _csv_files(folder):
            where = f"{prefix}{path.name}"
            if path.stat().st_size > MAX_TOTAL_BYTES:
                raise SourceError(f"{where}: berkas lebih dari {MAX_TOTAL_BYTES // 1024**3} GB")
            check_file(path, where)  # a cell of 100 MB is refused before the file is read
            _add(tables, _table_of(path.name), parse_csv(path.read_bytes(), where), label)
        return tables

    return Export(label=label, kind="csv", load=load)


def _zip_exports(path: Path, label: str) -> list[Export]:
    """One export per folder inside the zip that holds a core table's CSV."""
    with open_archive(path, label) as archive:
        groups: dict[PurePosixPath, list[str]] = {}
        for info in archive.infolist():
            member = member_path(info, label)
            if info.is_dir() or "__MACOSX" in member.parts or not _table_of(member.name):
                continue
            groups.setdefault(member.parent, []).append(info.filename)
    exports = []
    for folder, names in sorted(groups.items()):
        if not any(_table_of(n) in CORE_TABLES for n in names):
            continue

        def load(names: list[str] = names) -> dict[str, pd.DataFrame]:
            tables: dict[str, pd.DataFrame] = {}
            with open_archive(path, label) as archive:
                for name in names:
                    where = f"{label}/{member_path(archive.getinfo(name), label)}"
                    data = read_member(archive, archive.getinfo(name), where)
                    _add(tables, _table_of(name), parse_csv(data, where), where)
            return tables

        inner = label if folder == PurePosixPath(".") else f"{label}/{folder}"
        exports.append(Export(label=inner, kind="zip", load=load))
    if not exports:
        raise SourceError(f"{label}: arsip tidak berisi berkas CSV tabel OpenSID "
                          f"({', '.join(CORE_TABLES)})")
    return exports


def _file_exports(path: Path, label: str) -> list[Export]:
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
        if any(_table_of(p.name) in CORE_TABLES for p in _csv_files(path)):
            return "csv", [_folder_export(path, "", path.name)]
        exports: list[Export] = []
        for entry in sorted(path.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir() and _csv_files(entry):
                exports.append(_folder_export(entry, f"{entry.name}/", entry.name))
            elif entry.is_file() and entry.suffix.lower() in (".zip", ".xlsx", ".xlsm"):
                exports.extend(_file_exports(entry, entry.name))
        if not exports:
            raise SourceError(f"{path.name}: folder tidak berisi ekspor OpenSID (CSV, zip atau xlsx)")
        return "folder", exports
    exports = _file_exports(path, path.name)
    return exports[0].kind, exports
