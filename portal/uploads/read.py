"""Read an uploaded file into one text table, bounded before any work is done.

CSV (any common encoding and delimiter) goes through the sources' CSV gate and parser; an
XLSX workbook is scanned whole (workbook.py) and one sheet is read; a zip holds a Frictionless
data package (datapackage.json and one CSV resource) or a single CSV. Every frame has text
cells, ``_baris`` (the row a record starts on, header = 1) and ``_berkas``.
"""
from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from portal.sources.csv import read_csv_bytes
from portal.sources.safezip import check_archive, read_member
from portal.sources.tables import ROW_COLUMN, SourceError, column_label
from portal.sources.xlsx import check_workbook, read_sheet
from portal.uploads.errors import UploadError, place
from portal.uploads.workbook import scan_workbook

# Bounds of one upload (rules as data): an OPD table is a few thousand rows of a few columns.
MAX_UPLOAD_BYTES = 50 * 1024**2
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 1024
KINDS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
         ".zip": "zip"}
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Upload:
    """One uploaded table as text, and what the reader noticed about the file."""

    frame: pd.DataFrame
    where: str
    kind: str
    names: dict[str, str] = field(default_factory=dict)  # column -> label for messages
    declared: dict[str, dict] = field(default_factory=dict)  # a data package's field descriptors
    dropped: list[str] = field(default_factory=list)  # what of the file is never carried on

    @property
    def columns(self) -> list[str]:
        """The table's columns (bookkeeping left out)."""
        return [c for c in self.frame.columns if not c.startswith("_")]


def slug(name: str) -> str:
    """A header cell as a column name: lower case, words joined by '_'."""
    return _SLUG.sub("_", name.strip().lower()).strip("_")


def read_upload(content: bytes, filename: str, sheet: str | None = None) -> Upload:
    """The table of an uploaded file; UploadError (file, row, column, never a value) if refused."""
    where = PurePosixPath(filename.replace("\\", "/")).name or "unggahan"
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError(f"{where}: berkas lebih dari {MAX_UPLOAD_BYTES // 1024**2} MB")
    kind = KINDS.get(PurePosixPath(where.lower()).suffix)
    if kind is None:
        raise UploadError(f"{where}: jenis berkas tidak didukung (CSV, XLSX, atau zip paket data)")
    try:
        if kind == "xlsx":
            upload = _xlsx(content, where, sheet)
        elif kind == "zip":
            upload = _zip(content, where)
        else:
            upload = Upload(read_csv_bytes(content, where), where, "csv")
    except SourceError as exc:
        raise UploadError(str(exc)) from None
    return _bounded(_named(upload))


def _xlsx(content: bytes, where: str, sheet: str | None) -> Upload:
    """One sheet of a workbook, after the whole workbook is scanned."""
    from openpyxl import load_workbook

    with tempfile.TemporaryDirectory(prefix="portal-upload-") as tmp:
        path = Path(tmp) / ("upload.xlsm" if where.lower().endswith(".xlsm") else "upload.xlsx")
        path.write_bytes(content)
        check_workbook(path, where)
        chosen, dropped = scan_workbook(content, where, sheet)
        try:
            book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except Exception:
            raise UploadError(f"{where}: buku kerja rusak atau tidak dapat dibaca") from None
        try:
            frame = read_sheet(book[chosen], f"{where}/{chosen}")
        finally:
            book.close()
    return Upload(frame, f"{where}/{chosen}", "xlsx", dropped=dropped)


def _zip(content: bytes, where: str) -> Upload:
    """A Frictionless data package (datapackage.json + one CSV resource) or one CSV, zipped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise UploadError(f"{where}: arsip zip rusak atau bukan zip") from None
    with archive:
        members = {i.filename: i for i in check_archive(archive, where) if not i.is_dir()}
        descriptor, path = _descriptor(archive, members, where)
        if path not in members:
            raise UploadError(f"{where}: berkas CSV sumber daya paket data tidak ada di arsip")
        data = read_member(archive, members[path], where)
    upload = Upload(read_csv_bytes(data, f"{where}!{path}"), f"{where}!{path}", "zip")
    resource = (descriptor.get("resources") or [{}])[0] if descriptor else {}
    schema = resource.get("schema") if isinstance(resource.get("schema"), dict) else {}
    upload.declared = {slug(str(f.get("name", ""))): f for f in schema.get("fields", [])
                       if isinstance(f, dict)}
    return upload


def _descriptor(archive: zipfile.ZipFile, members: dict, where: str) -> tuple[dict, str]:
    """The package descriptor (if any) and the path of its one CSV table."""
    csvs = [n for n in members if n.lower().endswith(".csv")]
    name = next((n for n in members if PurePosixPath(n).name == "datapackage.json"), None)
    if name is None:
        if len(csvs) != 1:
            raise UploadError(f"{where}: arsip harus berisi datapackage.json atau tepat satu CSV")
        return {}, csvs[0]
    raw = read_member(archive, members[name], where)
    try:
        descriptor = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise UploadError(f"{where}: datapackage.json bukan JSON yang sah") from None
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    tables = [r for r in resources or [] if isinstance(r, dict) and isinstance(r.get("path"), str)
              and r["path"].lower().endswith(".csv")]
    if len(tables) != 1:
        raise UploadError(f"{where}: paket data harus memuat tepat satu tabel CSV")
    base = PurePosixPath(name).parent
    path = str(base / tables[0]["path"]) if str(base) != "." else tables[0]["path"]
    return descriptor, path


def _named(upload: Upload) -> Upload:
    """Columns renamed to plain identifiers; two headers that become one name are refused."""
    frame, renamed = upload.frame, {}
    for position, column in enumerate(frame.columns, 1):
        if column.startswith("_"):
            continue
        name = slug(column)
        if not name or not name[0].isalpha():
            raise UploadError(f"{upload.where}: header kolom ke-{position} harus diawali huruf")
        if name in renamed.values():
            raise UploadError(f"{upload.where}: dua kolom bernama sama setelah dinormalkan "
                              f"(kolom ke-{position})")
        renamed[column] = name
        upload.names[name] = column_label(name, position)
    upload.frame = frame.rename(columns=renamed)
    return upload


def _bounded(upload: Upload) -> Upload:
    """Refuse a table with too many rows or columns, no rows, or a cell longer than a label."""
    columns = upload.columns
    if len(columns) > MAX_COLUMNS:
        raise UploadError(f"{upload.where}: {len(columns)} kolom, paling banyak {MAX_COLUMNS}")
    if len(upload.frame) > MAX_ROWS:
        raise UploadError(f"{upload.where}: lebih dari {MAX_ROWS} baris data")
    if upload.frame.empty:
        raise UploadError(f"{upload.where}: tabel tidak berisi baris data")
    for column in columns:
        lengths = upload.frame[column].str.len()
        if (lengths > MAX_CELL_CHARS).any():
            row = int(upload.frame[ROW_COLUMN].to_numpy()[int(lengths.to_numpy().argmax())])
            raise UploadError(f"{place(upload.where, row, upload.names[column])}: isi sel lebih "
                              f"dari {MAX_CELL_CHARS} karakter")
    return upload
