"""Area columns to dotted Kemendagri codes of the portal's district, or an error per row.

Codes may be written dotted or not (51.02.01.2001 or 5102012001); the district's own code and
its kecamatan codes are allowed too (rows that total their desa). Names of desa or kecamatan
are matched against the bundled region list; a name that matches nothing, or more than one
desa, is reported by row (never by its text).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portal.sources.wilayah import District, dotted
from portal.uploads.errors import UploadError, place

CODE_SHAPE = re.compile(r"\d{2}(?:\.?\d{2}(?:\.?\d{2}(?:\.?\d{4})?)?)?")
LEVELS = {2: "kabupaten", 3: "kecamatan", 4: "desa"}  # dotted parts -> level
NAME_PREFIXES = ("desa ", "kelurahan ", "kel. ", "kel ", "kecamatan ", "kec. ", "kec ")
MAX_LISTED = 20


@dataclass
class Areas:
    """Each row's dotted code and level, and the rows whose area matched nothing."""

    codes: pd.Series
    levels: pd.Series


def looks_like_codes(values: pd.Series) -> bool:
    """Whether every non-empty value is shaped like a region code (2, 4, 6 or 10 digits)."""
    filled = values[values.str.strip() != ""].str.strip()
    return bool(len(filled)) and bool(filled.str.fullmatch(r"\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?"
                                                         r"|\d{6}|\d{10}").all())


def known_codes(district: District) -> dict[str, str]:
    """Dotted code -> level of the district, its kecamatan and desa."""
    out = {district.kode: "kabupaten"}
    for kec in district.kecamatan:
        out[kec.kode] = "kecamatan"
        out.update({d.kode: "desa" for d in kec.desa})
    return out


def from_codes(values: pd.Series, rows: np.ndarray, district: District, where: str,
               column: str) -> Areas:
    """Dotted codes of a code column; UploadError on the first malformed or unknown code."""
    known = known_codes(district)
    stripped = values.str.strip()
    first = ~stripped.duplicated()
    mapping = {}
    for value, row in zip(stripped[first], rows[first.to_numpy()]):
        if not value or not CODE_SHAPE.fullmatch(value) or len(value.replace(".", "")) not in (4, 6, 10):
            raise UploadError(f"{place(where, int(row), column)}: bukan kode wilayah Kemendagri "
                              "(2.2.2.4 digit, bertitik atau tidak)")
        code = dotted(value)
        if code not in known:
            raise UploadError(f"{place(where, int(row), column)}: kode wilayah tidak dikenal di "
                              f"{district.nama} (salah ketik, atau desa di luar kabupaten?)")
        mapping[value] = code
    codes = stripped.map(mapping).astype("str")
    return Areas(codes, codes.map(known))


def normal_name(text: str) -> str:
    """A desa or kecamatan name for matching: no accents, case, prefix or punctuation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()
    for prefix in NAME_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
    return re.sub(r"[^a-z0-9]", "", text)


def from_names(desa: pd.Series | None, kecamatan: pd.Series | None, rows: np.ndarray,
               district: District, where: str, columns: tuple[str, str]) -> Areas:
    """Dotted codes of desa names (within their kecamatan when given) or of kecamatan names."""
    kec_by_name: dict[str, list[str]] = {}
    desa_by_name: dict[tuple[str, str], list[str]] = {}
    for kec in district.kecamatan:
        kec_by_name.setdefault(normal_name(kec.nama), []).append(kec.kode)
        for d in kec.desa:
            desa_by_name.setdefault((normal_name(d.nama), ""), []).append(d.kode)
            desa_by_name.setdefault((normal_name(d.nama), kec.kode), []).append(d.kode)
    out, unmatched = [], []
    for i, row in enumerate(rows):
        kec_codes = kec_by_name.get(normal_name(kecamatan.iloc[i])) if kecamatan is not None else None
        if desa is None:
            found = kec_codes or []
        else:
            scope = kec_codes[0] if kec_codes and len(kec_codes) == 1 else ""
            found = desa_by_name.get((normal_name(desa.iloc[i]), scope), [])
        if len(found) != 1:
            unmatched.append(int(row))
            out.append("")
        else:
            out.append(found[0])
    if unmatched:
        column = columns[0] if desa is not None else columns[1]
        listed = ", ".join(str(r) for r in unmatched[:MAX_LISTED])
        more = f" dan {len(unmatched) - MAX_LISTED} lainnya" if len(unmatched) > MAX_LISTED else ""
        raise UploadError(f"{where} kolom {column}: {len(unmatched)} nama wilayah tidak cocok dengan "
                          f"daftar wilayah Kemendagri {district.nama} (baris {listed}{more}); "
                          "perbaiki ejaannya, tambahkan kolom kecamatan, atau pakai kode wilayah")
    codes = pd.Series(out, index=rows if desa is None and kecamatan is None else
                      (desa if desa is not None else kecamatan).index, dtype="str")
    level = "desa" if desa is not None else "kecamatan"
    return Areas(codes, pd.Series(level, index=codes.index, dtype="str"))
