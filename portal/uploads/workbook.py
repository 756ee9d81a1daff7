"""Scan a whole uploaded workbook before one sheet of it is read.

Every sheet (hidden and very hidden ones too), every part that can carry text a produsen does
not see (cell comments and their threads, named ranges, pivot caches, drawings), and what
cannot be checked at all (embedded objects, pictures, ActiveX) is refused. Document properties
(creator, last modified by) are personal data: they are dropped, never carried into a published
file. Formula cells in the chosen sheet are refused (their value is whatever the last program
that saved the file computed, or nothing). A finding cites sheet, row and column or the part.
"""
from __future__ import annotations

import io
import zipfile

from portal.privacy.scan import scan_text
from portal.sources.safezip import check_archive, read_member
from portal.sources.tables import SourceError
from portal.sources.xlsx import cell_text
from portal.uploads.errors import UploadError, place

# Parts whose text is what openpyxl reads as cells (scanned cell by cell), or formatting only.
CELL_OR_FORMAT_PARTS = ("xl/worksheets/sheet", "xl/sharedstrings.xml", "xl/styles.xml", "xl/theme/",
                        "xl/calcchain.xml", "[content_types].xml", "_rels/", "xl/_rels/",
                        "xl/worksheets/_rels/", "xl/printersettings/")
# Parts never carried on: the document properties (who made and last changed the file).
DROPPED_PARTS = ("docprops/",)
# Parts no scanner can read: the whole file is refused.
OPAQUE_PARTS = ("xl/embeddings/", "xl/activex/", "xl/media/", "xl/vbaproject", "customxml/")
MAX_SCANNED_CELLS = 5_000_000
EXPLAIN = {
    "nik": "NIK", "nik_or_kk": "NIK atau No. KK (16 digit)", "excel_nik": "NIK yang dibulatkan Excel",
    "phone": "nomor telepon", "email": "alamat e-mail", "rt_rw": "RT/RW (alamat)",
    "date": "tanggal lengkap (tanggal lahir?)", "hex_hash": "hash (NIK yang disamarkan?)",
}


def explain(pattern: str) -> str:
    """A finding's pattern in the words of a produsen."""
    return EXPLAIN.get(pattern, pattern)


def scan_workbook(content: bytes, where: str, sheet: str | None) -> tuple[str, list[str]]:
    """The title of the sheet to read, and what of the file is dropped; UploadError if refused."""
    dropped = _scan_parts(content, where)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception:
        raise UploadError(f"{where}: buku kerja rusak atau tidak dapat dibaca") from None
    try:
        chosen = _choose(book, where, sheet)
        budget = [MAX_SCANNED_CELLS]
        for ws in book.worksheets:
            _scan_sheet(ws, where, ws.title == chosen, budget)
    finally:
        book.close()
    others = [ws for ws in book.sheetnames if ws != chosen]
    if others:
        dropped.append(f"{len(others)} lembar lain (dipindai, tidak dibawa)")
    return chosen, dropped


def _choose(book, where: str, sheet: str | None) -> str:
    """The sheet named ``sheet``, else the first visible one."""
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise UploadError(f"{where}: lembar yang dipilih tidak ada di buku kerja")
        return sheet
    visible = [ws.title for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise UploadError(f"{where}: buku kerja tidak punya lembar yang tampak")
    return visible[0]


def _scan_parts(content: bytes, where: str) -> list[str]:
    """Refuse opaque parts and any part whose text looks personal; list what is dropped."""
    dropped = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise UploadError(f"{where}: buku kerja rusak atau bukan XLSX") from None
    with archive:
        try:
            members = check_archive(archive, where)
        except SourceError as exc:
            raise UploadError(str(exc)) from None
        for info in members:
            part = info.filename.lower()
            if info.is_dir() or part.startswith(CELL_OR_FORMAT_PARTS):
                continue
            if part.startswith(OPAQUE_PARTS) or "oleobject" in part:
                raise UploadError(f"{where}: buku kerja berisi objek tersemat, gambar atau makro "
                                  f"({info.filename}); simpan ulang tabelnya saja sebagai .xlsx")
            if part.startswith(DROPPED_PARTS):
                dropped.append("properti dokumen (pembuat, pengubah terakhir)")
                continue
            text = read_member(archive, info, where).decode("utf-8", errors="replace")
            findings = scan_text(info.filename, text)
            if findings:
                what = _part_kind(part)
                raise UploadError(f"{where}: {what} ({info.filename} baris {findings[0].line}) "
                                  f"memuat {explain(findings[0].pattern)}; hapus lalu unggah ulang")
    return sorted(set(dropped))


def _part_kind(part: str) -> str:
    """A workbook part in the words of a produsen."""
    if "comment" in part:
        return "komentar sel"
    if part == "xl/workbook.xml":
        return "nama rentang (named range) atau properti buku kerja"
    if "pivot" in part:
        return "cache pivot"
    return "bagian buku kerja"


def _scan_sheet(ws, where: str, chosen: bool, budget: list[int]) -> None:
    """Formulas in the chosen sheet; personal patterns in every other (hidden ones too)."""
    state = getattr(ws, "sheet_state", "visible")
    label = f"{where}/{ws.title}" if state == "visible" else f"{where}/{ws.title} (lembar tersembunyi)"
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        budget[0] -= len(row)
        if budget[0] < 0:
            raise UploadError(f"{where}: buku kerja lebih dari {MAX_SCANNED_CELLS} sel")
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            if isinstance(value, str) and value.startswith("=") and len(value) > 1:
                if chosen:
                    raise UploadError(f"{place(label, r, _letter(c))}: sel berisi rumus; salin lalu "
                                      "tempel sebagai nilai sebelum mengunggah")
                continue
            if chosen:
                continue  # the chosen sheet is judged column by column (persons.py)
            try:
                text = cell_text(value, label, r, _letter(c))
            except SourceError as exc:
                raise UploadError(str(exc)) from None
            findings = scan_text(label, text)
            if findings:
                raise UploadError(f"{place(label, r, _letter(c))}: memuat "
                                  f"{explain(findings[0].pattern)}; lembar lain ikut dipindai, "
                                  "hapus lalu unggah ulang")


def _letter(column: int) -> str:
    """A spreadsheet column letter (1 -> A)."""
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out
