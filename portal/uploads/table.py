"""The uploaded table made publishable: dotted area codes, checked values, unique keys, no formulas.

``prepare`` checks every cell against its column's role (an unknown desa code, a negative or
fractional count, an empty count, a full date as period, a duplicate key: each an error citing
row and column) and ``published`` writes the CSV and its Table Schema, hidden counts as the
declared missing value, every text cell that a spreadsheet would run as a formula neutralised.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portal.core.cells import SUPPRESSED, SUPPRESSED_LABEL
from portal.sources.tables import ROW_COLUMN
from portal.sources.wilayah import District
from portal.uploads.errors import UploadError, place
from portal.uploads.lines import Line, build_lines, margin_lines
from portal.uploads.read import Upload
from portal.uploads.regions import from_codes, from_names
from portal.uploads.roles import Column, require_roles

PERIOD = re.compile(r"(19|20)\d{2}(-(0[1-9]|1[0-2])|-?[QqSs][1-4]|-?(TW|tw)[1-4])?")
COUNT = re.compile(r"\d+")
NUMBER = re.compile(r"-?\d+(\.\d+)?")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_COUNT = 10**9
LEVEL_TITLES = {"desa": "Kode desa/kelurahan (Kemendagri)", "kecamatan": "Kode kecamatan (Kemendagri)"}


@dataclass
class Prepared:
    """The table as it will be published, before hiding: text frame, counts, sums."""

    frame: pd.DataFrame
    columns: list[Column]
    key: list[str]
    code: str
    counts: np.ndarray  # rows x count columns, int64
    count_names: list[str]
    lines: list[Line]
    source_rows: np.ndarray
    level: str
    margins: list[Line]  # virtual totals an attacker may hold (lines.margin_lines)
    known: np.ndarray    # their values (never stored: the sums of hidden cells are among them)


def neutral(value: str) -> str:
    """A text cell a spreadsheet would not run as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _neutralised(values: pd.Series) -> pd.Series:
    """``neutral`` over a column: only the cells a spreadsheet would run are changed."""
    risky = values.str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool)
    if not risky.any():
        return values
    return values.where(~risky, values.map(neutral))


def _areas(upload: Upload, columns: list[Column], district: District, rows: np.ndarray):
    """The code column (dotted codes) and the columns list with it; names matched when no code."""
    frame, where = upload.frame, upload.where
    code = next((c for c in columns if c.peran == "kode_wilayah"), None)
    if code is not None:
        areas = from_codes(frame[code.name], rows, district, where, upload.names[code.name])
        return code, areas, columns
    names = [c for c in columns if c.peran == "nama_wilayah"]
    kec = next((c for c in names if "kec" in c.name), None)
    desa = next((c for c in names if c is not kec), None)
    areas = from_names(frame[desa.name] if desa else None, frame[kec.name] if kec else None, rows,
                       district, where, (upload.names.get(desa.name if desa else "", "desa"),
                                         upload.names.get(kec.name if kec else "", "kecamatan")))
    name = "kode_desa" if desa is not None else "kode_kecamatan"
    if name in frame.columns:
        raise UploadError(f"{where}: kolom {name} ada tetapi tidak berperan kode wilayah")
    code = Column(name, "kode_wilayah", title=LEVEL_TITLES["desa" if desa else "kecamatan"],
                  meta={"konsep": "Kode wilayah Kemendagri"})
    return code, areas, [code, *columns]


def _check_values(upload: Upload, column: Column, rows: np.ndarray) -> None:
    """Every cell of a period or measure column is of its kind; the first wrong one is cited."""
    values = upload.frame[column.name].str.strip()
    label = upload.names[column.name]
    if column.peran == "periode":
        bad, why = ~values.str.fullmatch(PERIOD), ("periode harus tahun (2024), tahun-bulan (2024-06), "
                                                    "triwulan (2024-Q2) atau semester (2024-S1); "
                                                    "bukan tanggal lengkap")
    elif column.counted:
        bad = ~values.str.fullmatch(COUNT)
        why = "jumlah orang/keluarga harus bilangan cacah (tanpa minus, pecahan, titik ribuan, atau sel kosong)"
        if not bad.any():
            big = values.str.len() > 9
            bad, why = big, "jumlah orang/keluarga terlalu besar (lebih dari 1 miliar)"
    elif column.peran == "ukuran":
        bad, why = ~values.str.fullmatch(NUMBER), "besaran harus angka (titik sebagai desimal, tanpa titik ribuan)"
    else:
        return
    if bad.any():
        row = int(rows[int(np.flatnonzero(bad.to_numpy())[0])])
        raise UploadError(f"{place(upload.where, row, label)}: {why}")


def prepare(upload: Upload, columns: list[Column], district: District) -> Prepared:
    """The checked, normalised table and its sums; UploadError naming row and column."""
    require_roles(columns, upload.where)
    rows = upload.frame[ROW_COLUMN].to_numpy()
    code, areas, columns = _areas(upload, columns, district, rows)
    frame = pd.DataFrame(index=upload.frame.index)
    for column in columns:
        if column is code:
            frame[column.name] = areas.codes
            continue
        _check_values(upload, column, rows)
        values = upload.frame[column.name].str.strip()
        frame[column.name] = values if column.peran in ("ukuran", "periode") else _neutralised(values)
    period = next((c.name for c in columns if c.peran == "periode"), None)
    dims = [c.name for c in columns if c.peran == "dimensi"]
    key = [code.name, *([period] if period else []), *dims]
    duplicated = frame.duplicated(subset=key, keep=False).to_numpy()
    if duplicated.any():
        first, second = (int(rows[i]) for i in np.flatnonzero(duplicated)[:2])
        raise UploadError(f"{upload.where} baris {first} dan {second}: kunci ganda (wilayah, periode "
                          f"dan kategori sama: {', '.join(upload.names.get(k, k) for k in key)})")
    counted = [c for c in columns if c.counted]
    counts = frame[[c.name for c in counted]].astype(np.int64).to_numpy() if counted else \
        np.zeros((len(frame), 0), dtype=np.int64)
    periods = frame[period].to_numpy() if period else np.full(len(frame), "")
    lines = build_lines(frame[code.name].to_numpy(), periods, [frame[d].to_numpy() for d in dims],
                        [c.name for c in counted], {c.name: c.total_of for c in counted if c.total_of})
    _check_sums(counts.ravel(), lines, rows, [upload.names.get(c.name, c.name) for c in counted],
                upload.where)
    level = "desa" if (areas.levels == "desa").any() else "kecamatan"
    margins = margin_lines(frame[code.name].to_numpy(), periods, [frame[d].to_numpy() for d in dims],
                           len(counted))
    flat = counts.ravel()
    known = np.array([int(flat[list(children)].sum()) for _total, children in margins], dtype=np.int64)
    return Prepared(frame.reset_index(drop=True), columns, key, code.name, counts,
                    [c.name for c in counted], lines, rows, level, margins, known)


def _check_sums(flat: np.ndarray, lines: list[Line], rows: np.ndarray, labels: list[str], where: str) -> None:
    """Every total row or column adds up to its parts (else it is no total, and would mislead)."""
    width = max(len(labels), 1)
    for total, children in lines:
        if int(flat[list(children)].sum()) != int(flat[total]):
            r, j = divmod(total, width)
            raise UploadError(f"{place(where, int(rows[r]), labels[j])}: baris/kolom jumlah tidak sama "
                              "dengan jumlah rinciannya; perbaiki, atau beri kategori lain selain "
                              "'jumlah'/'total'")


def published_csv(prepared: Prepared, hidden: np.ndarray) -> bytes:
    """UTF-8 CSV; hidden counts written as the declared missing value."""
    out = prepared.frame[[c.name for c in prepared.columns]].copy()
    shape = prepared.counts.shape
    mask = hidden.reshape(shape) if shape[1] else np.zeros(shape, dtype=bool)
    for j, name in enumerate(prepared.count_names):
        out[name] = np.where(mask[:, j], SUPPRESSED, prepared.counts[:, j].astype(str))
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def table_schema(prepared: Prepared) -> dict:
    """The Table Schema with each column's role, measure and MS-Var metadata (``satudata``)."""
    fields = []
    for c in prepared.columns:
        kind = "integer" if c.counted else (c.type if c.peran == "ukuran" else "string")
        item = {"name": c.name, "title": c.title or c.name, "type": kind}
        if c.meta.get("definisi"):
            item["description"] = c.meta["definisi"]
        constraints = {}
        if c.name == prepared.code:
            constraints = {"required": True, "pattern": r"^\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?$"}
        elif c.counted:
            constraints = {"minimum": 0}
        if constraints:
            item["constraints"] = constraints
        satudata = {"peran": c.peran, **{k: v for k, v in c.meta.items() if v}}
        if c.peran == "ukuran":
            satudata["jenis_ukuran"] = c.measure
            satudata.setdefault("satuan", {"orang": "orang", "keluarga": "keluarga"}.get(c.measure, ""))
        if c.total_of:
            satudata["jumlah_dari"] = list(c.total_of)
        satudata.setdefault("tipe_data", kind)
        item["satudata"] = {k: v for k, v in satudata.items() if v != ""}
        fields.append(item)
    return {"fields": fields, "primaryKey": list(prepared.key),
            "missingValues": [{"value": SUPPRESSED, "label": SUPPRESSED_LABEL}]}
