"""The independent auditor's attack on the published data-quality table (issue 13.5).

The quality table counts people (residents with a field left BELUM MENGISI, without a valid
NIK, families without a head) per desa, so it passes the auditor like any table. Written
apart from portal.privacy.quality (the protector of that table) on purpose: it reads only
the quality CSV that would be published, the catalogue tables as they would stand after the
release (new versions, else the last published), the previous quality version, and what
the catalogue tells everyone (which table a BELUM MENGISI row repeats; the unit table).

What it attacks, desa by desa:
- a BELUM MENGISI count repeats its table's cell: published where that cell is hidden, it
  pins the hidden cell ("terkunci"); published differently, the files contradict
  ("konsistensi"); its denominator is the sum of the table's rows of the desa: published
  while one of those rows is hidden, it pins the hidden rows' sum ("terkunci");
- the NIK count's denominator is the published resident count: published where that is
  hidden, it pins it ("terkunci");
- a count of people no other table publishes (NIK, head of family, warnings): 1..k-1
  published ("ambang"); its complement in a published denominator 1..k-1
  ("semua-kecuali-satu");
- a share published while its count or denominator is hidden gives the hidden one back
  within rounding ("terkunci");
- across versions: a count published last version and hidden now is pinned to its old
  value plus or minus the largest change of that indicator's counts published in both
  versions (of any indicator's, when none of its own is); under k wide, it leaks ("versi").
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

from portal.core.cells import SUPPRESSED
from portal.privacy.audit import AuditFinding
from portal.statistics.catalogue import UNFILLED_CODE, UNIT_LABELS
from portal.statistics.quality import NIK_INVALID, SCORE, indicators

QUALITY_COLUMNS = ("kode_desa", "kode", "jumlah", "penyebut", "persen")


class QualityFormatError(ValueError):
    """The quality file does not read as the declared table."""


def _read(content: bytes, what: str) -> pd.DataFrame:
    """A published CSV as text ('x' hidden, '' not applicable); QualityFormatError otherwise."""
    try:
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError) as exc:
        raise QualityFormatError(f"{what}: berkas tidak terbaca") from exc
    return frame


def _number(text: str) -> float | None:
    """A published cell: its number, None when hidden; QualityFormatError when neither."""
    text = str(text).strip()
    if text == SUPPRESSED:
        return None
    if text == "":
        return np.nan  # not applicable
    try:
        value = float(text)
    except ValueError as exc:
        raise QualityFormatError("sel bukan angka, 'x' atau kosong") from exc
    if value < 0 or value != value:
        raise QualityFormatError("sel negatif")
    return value


def _cells(frame: pd.DataFrame) -> dict[tuple[str, int], dict]:
    """(kode_desa, kode) -> {jumlah, penyebut, persen} as numbers (None hidden, NaN n/a)."""
    missing = [c for c in QUALITY_COLUMNS if c not in frame.columns]
    if missing:
        raise QualityFormatError(f"kolom {missing[0]} tidak ada")
    out = {}
    for row in frame.itertuples(index=False):
        try:
            kode = int(row.kode)
        except ValueError as exc:
            raise QualityFormatError("kode indikator bukan bilangan") from exc
        out[(str(row.kode_desa), kode)] = {c: _number(getattr(row, c)) for c in ("jumlah", "penyebut", "persen")}
    return out


def _table_cells(content: bytes, name: str) -> dict[str, dict[int, float | None]]:
    """A catalogue table's jumlah by desa and category code (None hidden)."""
    frame = _read(content, name)
    if not {"kode_desa", "kode", "jumlah"} <= set(frame.columns):
        raise QualityFormatError(f"{name}: kolom kode_desa, kode atau jumlah tidak ada")
    out: dict[str, dict[int, float | None]] = {}
    for desa, kode, jumlah in zip(frame["kode_desa"], frame["kode"], frame["jumlah"], strict=True):
        out.setdefault(str(desa), {})[int(kode)] = _number(jumlah)
    return out


def audit_quality(quality: bytes, tables: dict[str, bytes], unit_table: str, catalogue, k: int,
                  previous: bytes | None = None, name: str = "kualitas-data-desa") -> list[AuditFinding]:
    """Attack the quality table as it would be published; the findings (empty: it passes).

    ``tables`` are the catalogue tables' CSVs as they stand after this release; ``k`` is the
    threshold of general data; ``previous`` the last published quality CSV, if any.
    """
    try:
        cells = _cells(_read(quality, name))
        sources = {n: _table_cells(c, n) for n, c in tables.items()}
        before = _cells(_read(previous, name)) if previous else {}
    except QualityFormatError as exc:
        return [AuditFinding("format", name, detail=f": {exc}")]
    inds = {i.code: i for i in indicators(catalogue)}
    findings: list[AuditFinding] = []
    for (desa, kode), cell in sorted(cells.items()):
        ind = inds.get(kode)
        if ind is None:
            findings.append(AuditFinding("format", name, desa, str(kode), detail=": indikator tak dikenal"))
            continue
        if kode == SCORE:
            continue
        where = {"table": name, "kode_desa": desa, "kategori": ind.label}
        if ind.source:
            findings += _repeated(cell, sources.get(ind.source, {}).get(desa), where)
        else:
            findings += _new_count(cell, k, where)
            if kode == NIK_INVALID:
                people = sources.get(unit_table, {}).get(desa, {}).get(UNIT_LABELS["PENDUDUK"])
                if people is None and cell["penyebut"] is not None:
                    findings.append(AuditFinding("terkunci", column="penyebut", **where,
                                                 detail=": jumlah penduduk tersembunyi diterbitkan"))
        findings += _share(cell, where)
    return findings + _versions(cells, before, inds, k, name)


def _repeated(cell: dict, rows: dict[int, float | None] | None, where: dict) -> list[AuditFinding]:
    """A BELUM MENGISI row against the table it repeats."""
    out = []
    source = None if rows is None else rows.get(UNFILLED_CODE)
    count = cell["jumlah"]
    if count is not None and not (isinstance(count, float) and np.isnan(count)):
        if rows is None or source is None:
            out.append(AuditFinding("terkunci", column="jumlah", **where,
                                    detail=": sel tersembunyi tabel sumber diterbitkan"))
        elif source != count:
            out.append(AuditFinding("konsistensi", column="jumlah", **where))
    total = cell["penyebut"]
    if total is not None and not np.isnan(total):
        if rows is None or any(v is None for v in rows.values()):
            out.append(AuditFinding("terkunci", column="penyebut", **where,
                                    detail=": jumlah sel tersembunyi tabel sumber diterbitkan"))
        elif sum(rows.values()) != total:
            out.append(AuditFinding("konsistensi", column="penyebut", **where))
    return out


def _new_count(cell: dict, k: int, where: dict) -> list[AuditFinding]:
    """A count no other table publishes: never small, nor its complement."""
    out = []
    count, total = cell["jumlah"], cell["penyebut"]
    if count is None or np.isnan(count):
        return out
    if 1 <= count < k:
        out.append(AuditFinding("ambang", column="jumlah", **where))
    if total is not None and not np.isnan(total) and 1 <= total - count < k:
        out.append(AuditFinding("semua-kecuali-satu", column="jumlah", **where))
    return out


def _share(cell: dict, where: dict) -> list[AuditFinding]:
    """A share gives back a hidden count or denominator."""
    share = cell["persen"]
    if share is None or np.isnan(share):
        return []
    if cell["jumlah"] is None or cell["penyebut"] is None:
        return [AuditFinding("terkunci", column="persen", **where,
                             detail=": persen diterbitkan dari sel tersembunyi")]
    return []


def _versions(cells: dict, before: dict, inds: dict, k: int, name: str) -> list[AuditFinding]:
    """Counts published last version and hidden now, pinned by the indicator's change."""
    change: dict[int, float] = {}
    for key, cell in cells.items():
        old = before.get(key)
        if old is None:
            continue
        a, b = cell["jumlah"], old["jumlah"]
        if a is not None and b is not None and not np.isnan(a) and not np.isnan(b):
            change[key[1]] = max(change.get(key[1], 0.0), abs(a - b))
    # An indicator with no count published in both versions: the largest change of any (as
    # the table auditor's fallback); with none anywhere the attacker has no bound.
    fallback = max(change.values(), default=None)
    out = []
    for (desa, kode), cell in sorted(cells.items()):
        old = before.get((desa, kode))
        if kode == SCORE or old is None or cell["jumlah"] is not None or inds.get(kode) is None:
            continue
        if inds[kode].source:  # it repeats its table's cell, which the table's audit attacks
            continue
        bound = change.get(kode, fallback)
        if bound is not None and old["jumlah"] is not None and not np.isnan(old["jumlah"]) and 2 * bound < k:
            out.append(AuditFinding("versi", name, desa, inds[kode].label if kode in inds else str(kode),
                                    "jumlah"))
    return out
