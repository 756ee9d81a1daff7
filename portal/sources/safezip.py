"""Open zip containers (exports, .xlsx workbooks) without trusting them: bombs, traversal, encryption."""
from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

from .tables import SourceError

# A whole district is ~150 MB of CSV; anything past this is not an OpenSID export.
MAX_TOTAL_BYTES = 2 * 1024**3
# Exports and workbooks compress 4-10x; zip bombs compress 1000x and more.
MAX_RATIO = 100
# Tiny members (a header-only CSV) can compress very well; their ratio means nothing.
RATIO_FLOOR_BYTES = 1024 * 1024


def member_path(info: zipfile.ZipInfo, where: str) -> PurePosixPath:
    """The member's path inside the archive; absolute or escaping paths are refused."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise SourceError(f"{where}: arsip berisi path yang tidak aman (di luar folder arsip)")
    return path


def check_archive(archive: zipfile.ZipFile, where: str) -> list[zipfile.ZipInfo]:
    """Every member after the safety checks: paths, links, encryption, size and ratio."""
    members = archive.infolist()
    total = 0
    for info in members:
        member_path(info, where)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise SourceError(f"{where}: arsip berisi tautan simbolik")
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise SourceError(f"{where}: arsip terenkripsi tidak didukung")
        total += info.file_size
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise SourceError(f"{where}: rasio kompresi tidak wajar (zip bomb?)")
    if total > MAX_TOTAL_BYTES:
        raise SourceError(f"{where}: isi arsip lebih dari {MAX_TOTAL_BYTES // 1024**2} MB")
    return members


def open_archive(path: Path, where: str) -> zipfile.ZipFile:
    """Open and check a zip file; a damaged archive is a SourceError."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SourceError(f"{where}: arsip zip rusak atau bukan zip") from None
    try:
        check_archive(archive, where)
    except SourceError:
        archive.close()
        raise
    return archive


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    """The bytes of one member, never more than it declared (the header may lie)."""
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise SourceError(f"{where}: isi arsip rusak") from None
    if len(data) > info.file_size:
        raise SourceError(f"{where}: ukuran isi arsip tidak sesuai header")
    return data
