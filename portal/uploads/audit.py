"""The independent auditor of an upload: attacks the published CSV with linear programs.

It reads only what is published (the CSV and its Table Schema with each column's role) and
derives the table's own sums as any reader would (lines.py). Each hidden cell is bounded
below and above under those sums and non-negativity; a range narrower than k, a small count
published, or a zero published in specific data is a finding that names row and column.
"""
from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from portal.core.cells import SUPPRESSED
from portal.uploads.lines import Line, build_lines, margin_lines

RULES = {"ambang": "angka kecil (1 sampai k-1) diterbitkan",
         "nol-spesifik": "nol diterbitkan di tabel data spesifik",
         "terkunci": "nilai sel tersembunyi dapat dihitung tepat dari angka yang terbit",
         "interval": "rentang nilai sel tersembunyi yang dapat dihitung lebih sempit dari k",
         "format": "berkas tidak sesuai Table Schema yang dideklarasikan"}


def attack(values: np.ndarray, lines: list[Line], k: int) -> tuple[list[tuple[int, float]], int, float | None]:
    """Hidden cells (NaN in ``values``, flat) whose range is under k: [(cell, width)], LPs, narrowest."""
    hidden = np.flatnonzero(np.isnan(values))
    if not len(hidden):
        return [], 0, None
    parent = {int(c): int(c) for c in hidden}

    def root(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    used = []
    for total, children in lines:
        members = [m for m in (total, *children) if m in parent]
        if not members:
            continue
        used.append((total, children))
        for m in members[1:]:
            parent[root(m)] = root(members[0])
    components: dict[int, list[int]] = {}
    for c in parent:
        components.setdefault(root(c), []).append(c)
    by_root: dict[int, list[Line]] = {}
    for line in used:
        first = next(m for m in (line[0], *line[1]) if m in parent)
        by_root.setdefault(root(first), []).append(line)
    narrow, lps, narrowest = [], 0, None
    for r, cells in components.items():
        eqs = by_root.get(r, [])
        if not eqs:
            continue  # in no sum: nothing bounds it but >= 0
        if len(eqs) == 1:
            found = _one_sum(eqs[0], values, k)
            narrow += found[0]
            if found[1] is not None:
                narrowest = found[1] if narrowest is None else min(narrowest, found[1])
            continue
        position = {c: i for i, c in enumerate(sorted(cells))}
        data, rows, cols, rhs = [], [], [], []
        for e, (total, children) in enumerate(eqs):
            b = 0.0
            for m, coef in ((total, -1.0), *((c, 1.0) for c in children)):
                if m in position:
                    data.append(coef)
                    rows.append(e)
                    cols.append(position[m])
                else:
                    b -= coef * values[m]
            rhs.append(b)
        a = csr_matrix((data, (rows, cols)), shape=(len(eqs), len(position)))
        for c, i in position.items():
            objective = np.zeros(len(position))
            objective[i] = 1.0
            low = linprog(objective, A_eq=a, b_eq=rhs, bounds=(0, None), method="highs")
            high = linprog(-objective, A_eq=a, b_eq=rhs, bounds=(0, None), method="highs")
            lps += 2
            if high.status == 3:
                continue  # unbounded above: as wide as can be
            if low.status != 0 or high.status != 0:
                narrow.append((c, 0.0))  # the sums contradict each other: fail closed
                continue
            width = float(-high.fun - low.fun)
            narrowest = width if narrowest is None else min(narrowest, width)
            if width < k - 1e-6:
                narrow.append((c, width))
    return narrow, lps, narrowest


def _one_sum(line: Line, values: np.ndarray, k: int) -> tuple[list[tuple[int, float]], float | None]:
    """The exact ranges when one sum alone ties a group of hidden cells (no LP needed).

    children = total: with the total published, each of two or more hidden children lies in
    [0, total - published children]; a single hidden cell is fixed; with the total hidden as
    well and some child hidden, nothing bounds them from above.
    """
    total, children = line
    hidden_children = [c for c in children if np.isnan(values[c])]
    if np.isnan(values[total]):
        if hidden_children:
            return [], None
        return [(total, 0.0)], 0.0  # the total is the sum of published children
    rest = float(values[total] - np.nansum(values[list(children)]))
    if len(hidden_children) == 1:
        return [(hidden_children[0], 0.0)], 0.0
    if rest < -1e-6:
        return [(c, 0.0) for c in hidden_children], 0.0  # contradicts itself: fail closed
    return ([(c, rest) for c in hidden_children] if rest < k - 1e-6 else []), rest


def _fields(schema: dict, role: str) -> list[dict]:
    return [f for f in schema["fields"] if f.get("satudata", {}).get("peran") == role]


def audit_published(name: str, csv_bytes: bytes, schema: dict, k: int, specific: bool,
                    known: np.ndarray | None = None) -> dict:
    """The auditor's verdict on a published CSV and its schema, as the privacy report stores it.

    ``known``: the totals an attacker holds from elsewhere (lines.margin_lines of the published
    table, in its order: the harvest's tables of the same areas); none when None.
    """
    started = time.perf_counter()
    frame = pd.read_csv(io.BytesIO(csv_bytes), dtype=str, keep_default_na=False)
    counted = [f["name"] for f in schema["fields"]
               if f.get("satudata", {}).get("jenis_ukuran") in ("orang", "keluarga")]
    code = _fields(schema, "kode_wilayah")[0]["name"]
    period = _fields(schema, "periode")
    dims = [frame[f["name"]].to_numpy() for f in _fields(schema, "dimensi")]
    periods = frame[period[0]["name"]].to_numpy() if period else np.full(len(frame), "")
    total_of = {f["name"]: f["satudata"]["jumlah_dari"] for f in schema["fields"]
                if f.get("satudata", {}).get("jumlah_dari")}
    raw = frame[counted]
    values = raw.where(raw != SUPPRESSED).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float).reshape(
        len(frame), len(counted))
    findings = []
    bad = raw.ne(SUPPRESSED).to_numpy(dtype=bool) & (np.isnan(values) | (values < 0) | (values % 1 != 0))
    for r, j in zip(*np.nonzero(bad)):
        findings.append(_finding("format", name, frame, code, r, counted[j]))
    low = 0 if specific else 1
    for r, j in zip(*np.nonzero((values >= low) & (values < k))):
        rule = "nol-spesifik" if values[r, j] == 0 else "ambang"
        findings.append(_finding(rule, name, frame, code, r, counted[j]))
    lines = build_lines(frame[code].to_numpy(), periods, dims, counted, total_of)
    flat = values.ravel()
    if known is not None:
        margins = margin_lines(frame[code].to_numpy(), periods, dims, len(counted))
        if len(margins) != len(known):
            raise ValueError("known totals do not match the published table")  # a bug, never data
        lines, flat = lines + margins, np.concatenate([flat, np.asarray(known, dtype=float)])
    narrow, lps, narrowest = attack(flat, lines, k)
    width = max(len(counted), 1)
    for cell, w in narrow:
        r, j = divmod(cell, width)
        findings.append(_finding("terkunci" if w < 1e-6 else "interval", name, frame, code, r, counted[j]))
    return {"passed": not findings, "findings": findings, "lps_solved": lps,
            "hidden_cells": int(np.isnan(values).sum()), "narrowest_interval": narrowest,
            "narrowest_by_table": {name: narrowest}, "version_max_change": {},
            "version_assumption_failed": 0, "identities_used": [], "identities_contradicted": [],
            "seconds": round(time.perf_counter() - started, 3)}


def _finding(rule: str, table: str, frame: pd.DataFrame, code: str, r: int, column: str) -> dict:
    """A finding naming the published row (header = 1), the area and the column; never a value."""
    row = int(r) + 2
    message = f"[{rule}] tabel {table}, baris {row}, wilayah {frame[code].iat[r]}, kolom {column}: {RULES[rule]}"
    return {"rule": rule, "table": table, "kode_desa": str(frame[code].iat[r]), "kategori": f"baris {row}",
            "column": column, "version": "baru", "detail": "", "message": message}
