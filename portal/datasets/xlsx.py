"""A deterministic XLSX of a published table: numbers as numbers, text never a formula.

Written by hand (SpreadsheetML is a handful of XML parts) rather than with a library, so
the same table always gives the same bytes: the sha256 shown on the version page is
recorded at publication, and the file can be rebuilt and checked against it at any time.
Text goes in inline-string cells, which a spreadsheet never evaluates; a text that starts
with = + - @ also gets the quote-prefix style, so editing the cell keeps it text.
"""
from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

from portal.datasets.packaging import ZIP_EPOCH, table_schema_of, typed_rows

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@")
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

CONTENT_TYPES = _HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}"/>'
    f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_SHEET_TYPE}"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
ROOT_RELS = _HEAD + (
    f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = _HEAD + (
    f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
    '<sheet name="data" sheetId="1" r:id="rId1"/><sheet name="keterangan" sheetId="2" r:id="rId2"/>'
    '</sheets></workbook>')
WORKBOOK_RELS = _HEAD + (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
# Style 0 normal, 1 bold header, 2 quote prefix (text that looks like a formula).
STYLES = _HEAD + (
    f'<styleSheet xmlns="{_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/>'
    '</cellXfs></styleSheet>')


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value, style: int = 0) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        value = str(value).lower()
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = _XML_ILLEGAL.sub("", str(value))
    if not style and text.startswith(FORMULA_START):
        style = 2
    style_attr = f' s="{style}"' if style else ""
    return (f'<c r="{ref}" t="inlineStr"{style_attr}><is>'
            f'<t xml:space="preserve">{escape(text)}</t></is></c>')


def _sheet(rows: list[list], frozen_header: bool) -> str:
    out = [_HEAD, f'<worksheet xmlns="{_NS}">']
    if frozen_header:
        out.append('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                   'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>')
    out.append("<sheetData>")
    for r, row in enumerate(rows, start=1):
        style = 1 if r == 1 and frozen_header else 0
        cells = "".join(_cell(f"{_column(c)}{r}", v, style) for c, v in enumerate(row))
        out.append(f'<row r="{r}">{cells}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out)


def workbook(descriptor: dict, csv_bytes: bytes) -> bytes:
    """The XLSX of a package's table, with a second sheet that explains it."""
    schema = table_schema_of(descriptor)
    header, rows = typed_rows(csv_bytes, schema)
    missing = [m for m in schema.get("missingValues", []) if isinstance(m, dict)]
    # A hidden count stays visible as its marker, as in the CSV; the sheet says what it means.
    marker = missing[0]["value"] if missing else None
    cells = [[marker if v is None and marker is not None else v for v in row] for row in rows]
    notes = [["Keterangan", ""], ["Judul", descriptor.get("title", "")],
             ["Versi", descriptor.get("version", "")],
             ["Lisensi", descriptor["licenses"][0].get("title", descriptor["licenses"][0]["name"])],
             ["Halaman", descriptor.get("homepage", "")]]
    notes += [[f'Nilai "{m["value"]}"', m.get("label", "")] for m in missing]
    parts = {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        "xl/worksheets/sheet1.xml": _sheet([header, *cells], frozen_header=True),
        "xl/worksheets/sheet2.xml": _sheet(notes, frozen_header=False),
    }
    buffer = io.BytesIO()
    # Stored, not deflated: the bytes then depend on nothing but this module and the table.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
