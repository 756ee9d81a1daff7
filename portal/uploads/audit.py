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
from scipy.sparse.csgraph import connected_components

from portal.core.cells import SUPPRESSED
from portal.uploads.lines import Line, LineArrays, build_lines, margin_lines

RULES = {"ambang": "angka kecil (1 sampai k-1) diterbitkan",
         "nol-spesifik": "nol diterbitkan di tabel data spesifik",
         "terkunci": "nilai sel tersembunyi dapat dihitung tepat dari angka yang terbit",
         "interval": "rentang nilai sel tersembunyi yang dapat dihitung lebih sempit dari k",
         "format": "berkas tidak sesuai Table Schema yang dideklarasikan"}


def attack(values: np.ndarray, lines: list[Line], k: int,
           arrays: LineArrays | None = None) -> tuple[list[tuple[int, float]], int, float | None]:
    """Hidden cells (NaN in ``values``, flat) whose range is under k: [(cell, width)], LPs, narrowest.

    The hidden cells fall apart into groups that no sum ties to each other (connected
    components). A group in one sum alone has its ranges in closed form (_one_sum), all such
    groups at once; each other group is one small LP system of its own sums. ``arrays``: the
    lines as LineArrays, when the caller has them already.
    """
    isnan = np.isnan(values)
    hidden = np.flatnonzero(isnan)
    if not len(hidden) or not lines:
        return [], 0, None
    arrays = arrays or LineArrays.of(lines)
    members, owner = arrays.members, arrays.owner
    flagged = isnan[members]
    used = np.flatnonzero(arrays.count(isnan) > 0)
    if not len(used):
        return [], 0, None
    # Components: each line links its hidden members to its first hidden member.
    node = np.searchsorted(hidden, members[flagged])
    line_of = owner[flagged]
    lead = np.full(len(arrays.starts), -1, dtype=np.int64)
    lead[line_of[::-1]] = node[::-1]  # the first hidden member of each line
    graph = csr_matrix((np.ones(len(node)), (lead[line_of], node)), shape=(len(hidden), len(hidden)))
    _n, label = connected_components(graph, directed=False)
    comp_of_line = label[lead[used]]
    lines_in = np.bincount(comp_of_line, minlength=_n)
    alone = used[lines_in[comp_of_line] == 1]
    narrow, narrowest = _one_sum(values, isnan, arrays, alone, k)
    lps = 0
    shared = used[lines_in[comp_of_line] > 1]
    if len(shared):
        comps = label[lead[shared]]
        order = np.argsort(comps, kind="stable")
        cuts = np.flatnonzero(np.diff(comps[order])) + 1
        for group in np.split(shared[order], cuts):
            cells = hidden[label == label[lead[group[0]]]]
            found, solved, width = _system(values, [lines[int(i)] for i in group], cells, k)
            narrow += found
            lps += solved
            if width is not None:
                narrowest = width if narrowest is None else min(narrowest, width)
    return sorted(narrow), lps, narrowest


def _system(values: np.ndarray, eqs: list[Line], cells: np.ndarray, k: int
            ) -> tuple[list[tuple[int, float]], int, float | None]:
    """The exact range of each hidden cell of one group tied by several sums: two LPs a cell."""
    position = {int(c): i for i, c in enumerate(cells)}
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
    narrow, lps, narrowest = [], 0, None
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


def _one_sum(values: np.ndarray, isnan: np.ndarray, arrays: LineArrays, alone: np.ndarray, k: int
             ) -> tuple[list[tuple[int, float]], float | None]:
    """The exact ranges where one sum alone ties a group of hidden cells (no LP needed), for
    all such sums ``alone`` at once.

    children = total: with the total published, each of two or more hidden children lies in
    [0, total - published children]; a single hidden cell is fixed; with the total hidden as
    well and some child hidden, nothing bounds them from above.
    """
    if not len(alone):
        return [], None
    totals = arrays.totals[alone]
    total_hidden = isnan[totals]
    hidden_children = arrays.count(isnan)[alone] - total_hidden
    rest = values[totals] - arrays.child_sums(np.where(isnan, 0.0, values))[alone]
    # Each hidden child of these lines, with its line's position in ``alone``.
    pick = np.zeros(len(arrays.starts), dtype=bool)
    pick[alone] = True
    where = np.full(len(arrays.starts), -1, dtype=np.int64)
    where[alone] = np.arange(len(alone))
    child = pick[arrays.owner] & isnan[arrays.members]
    child[arrays.starts] = False
    kid_line, kids = where[arrays.owner[child]], arrays.members[child]
    fixed_total = total_hidden & (hidden_children == 0)          # the sum of published children
    fixed_child = ~total_hidden & (hidden_children == 1)         # the total less the rest
    broken = ~total_hidden & (hidden_children > 1) & (rest < -1e-6)  # contradicts itself: fail closed
    open_ = ~total_hidden & (hidden_children > 1) & ~broken
    narrow = [(int(c), 0.0) for c in totals[fixed_total]]
    narrow += [(int(c), 0.0) for c in kids[(fixed_child | broken)[kid_line]]]
    tight = open_ & (rest < k - 1e-6)
    narrow += [(int(c), float(w)) for c, w in zip(kids[tight[kid_line]], rest[kid_line[tight[kid_line]]])]
    widths = [*([0.0] if (fixed_total | fixed_child | broken).any() else []),
              *([float(rest[open_].min())] if open_.any() else [])]
    return narrow, (min(widths) if widths else None)


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
