"""The protector's own check of a suppression pattern against the declared identities.

suppress.py builds a pattern whose intervals are known without solving, from each table's
margin. The declared identities between tables (statistics.identities: heads of family =
families, age brackets against age categories, residents required to hold a KTP against
adults and the ever-married) add relations that pattern does not see. So, desa by desa, the
protector writes every relation it knows of, with the true values of the cells it would
publish, bounds each hidden cell by linear programming, and hides more rows where a hidden
cell's interval is narrower than its table's k. This is the protector's working model, built
from its own counts; the independent auditor (audit*.py) attacks the published files anew.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from portal.privacy.audit_lp import Bounds, Retry
from portal.privacy.audit_model import Cell, System
from portal.statistics.identities import Relation, margin_of, relations_for

TOL = 1e-6
COLUMNS = ("jumlah", "laki_laki", "perempuan")


@dataclass
class View:
    """One table as the protector holds it: true counts, the hidden rows, where each desa is."""

    name: str
    spec: object
    values: np.ndarray          # n x 3 true counts
    hidden: np.ndarray          # n bools
    structural: np.ndarray      # 3 bools: zero by definition, published as 0
    codes: np.ndarray           # category code per row
    groups: dict[str, np.ndarray]
    k: int


def _term(view: View, var: np.ndarray, row: int, col: int) -> tuple[int, float]:
    """(variable, 0) for a hidden cell, (-1, true value) for a published one."""
    v = int(var[row, col])
    return (v, 0.0) if v >= 0 else (-1, float(view.values[row, col]))


def build(views: dict[str, View], desa_list: list[str]) -> tuple[System, dict[str, np.ndarray]]:
    """Every relation the protector knows of (rows, margins, identities) for these desa."""
    system = System()
    var = {name: np.full(v.values.shape, -1, dtype=np.int64) for name, v in views.items()}
    for name, v in views.items():
        for desa in desa_list:
            for r in v.groups.get(desa, ()):
                if v.hidden[r]:
                    for c in np.flatnonzero(~v.structural):
                        var[name][r, c] = system.new_var(Cell(name, "baru", desa, str(v.codes[r]), "", COLUMNS[c]))
    for desa in desa_list:
        for name, v in views.items():
            rows = v.groups.get(desa, np.zeros(0, np.int64))
            for r in rows[v.hidden[rows]]:
                system.add([(1, *_term(v, var[name], r, 0)), (-1, *_term(v, var[name], r, 1)),
                            (-1, *_term(v, var[name], r, 2))], 0, "baris", where=(name, desa))
            _margin(system, views, var, v, desa)
        for _identity, rel in relations_for(set(views)):
            for c in range(3):
                terms = _relation(views, var, rel, desa, c)
                if terms is not None:
                    system.add(terms, 0, "identitas", kind="eq" if rel.op == "=" else "ub",
                               where=(rel.left[0].table, desa))
    return system, var


def _margin(system: System, views: dict[str, View], var: dict, v: View, desa: str) -> None:
    """A table's rows in one desa add up to its margin row (or at most to it)."""
    margin = margin_of(v.spec)
    rows = v.groups.get(desa, np.zeros(0, np.int64))
    if margin is None or not margin[0] or margin[0] not in views or not rows.size:
        return
    table, kode, mode = margin
    source = views[table]
    found = [r for r in source.groups.get(desa, ()) if source.codes[r] == kode]
    if not found:
        return
    for c in np.flatnonzero(~v.structural):
        src_col = 2 if (v.structural[1] and c == 0) else c  # women only: jumlah = perempuan
        terms = [(1, *_term(v, var[v.name], r, c)) for r in rows]
        terms.append((-1, *_term(source, var[table], found[0], src_col)))
        system.add(terms, 0, "margin", kind="ub" if mode == "bounded" else "eq", where=(v.name, desa))


def _relation(views: dict[str, View], var: dict, rel: Relation, desa: str, c: int):
    """left - right (right - left for >=) in column c as terms; None when not writable."""
    sign = -1.0 if rel.op == ">=" else 1.0
    terms = []
    for side_sign, sides in ((sign, rel.left), (-sign, rel.right)):
        for side in sides:
            v = views[side.table]
            if v.structural[c]:
                return None
            rows = v.groups.get(desa, np.zeros(0, np.int64))
            if side.codes is not None:
                rows = rows[np.isin(v.codes[rows], side.codes)]
            terms += [(side_sign, *_term(v, var[side.table], r, c)) for r in rows]
    return terms


def narrow_cells(views: dict[str, View], desa_list: list[str]) -> list[Cell]:
    """Hidden cells whose interval, under every relation, is narrower than their table's k."""
    system, _var = build(views, desa_list)
    n = len(system.cells)
    if not n:
        return []
    k = np.array([views[c.table].k for c in system.cells], float)
    bounds = Bounds(system, sparse.identity(n, format="csr"), np.zeros(n))
    order = np.argsort(bounds.comp, kind="stable")
    edges = np.searchsorted(bounds.comp[order], np.arange(bounds.n_comp + 1))
    vars_of = [order[edges[i]:edges[i + 1]] for i in range(bounds.n_comp)]
    for batch in bounds.batches():
        try:
            _settle(bounds, vars_of, batch, k)
        except Retry:
            for comp in batch:
                _settle(bounds, vars_of, range(comp, comp + 1), k)
    width = np.where(np.isnan(bounds.exact_max) | np.isnan(bounds.exact_min),
                     bounds.wmax - bounds.wmin, bounds.exact_max - bounds.exact_min)
    ok = bounds.obj_comp >= 0  # a component the true counts cannot satisfy: an identity broken
    return [system.cells[i] for i in np.flatnonzero(ok & (width < k - TOL))]


def _settle(bounds: Bounds, vars_of: list[np.ndarray], batch: range, k: np.ndarray) -> None:
    """Bound a batch of components: exact LPs only for cells the feasible points leave narrow."""
    targets = np.concatenate([vars_of[c] for c in batch])

    def requests():
        open_ = targets[(bounds.wmax[targets] - bounds.wmin[targets]) < k[targets] - TOL]
        out = []
        for v in open_:
            if np.isnan(bounds.exact_max[v]):
                out.append((int(v), 1))
            elif np.isnan(bounds.exact_min[v]):
                out.append((int(v), -1))
        return out

    bounds.settle(batch, targets, k[targets], requests)


def widen(views: dict[str, View], cell: Cell, cost: dict[str, np.ndarray]) -> bool:
    """Hide one more row to widen a narrow cell: from the identities' sides it sits in, else
    from its own table; the cheapest published row with people in the cell's column."""
    c = COLUMNS.index(cell.column)
    table, kode = cell.table, int(cell.kode)
    candidates: list[tuple[float, str, int]] = []
    for _ in range(3):  # the cell's table, then the row it adds up to (and that row's total)
        candidates = _identity_rows(views, table, kode, cell.desa, c, cost)
        if not candidates:
            candidates = _open_rows(views[table], cell.desa, None, c, cost)
        margin = margin_of(views[table].spec)
        if candidates or margin is None or margin[0] not in views:
            break
        table, kode = margin[0], margin[1]
    if not candidates:
        return False
    _, name, row = min(candidates)
    views[name].hidden[row] = True
    return True


def _identity_rows(views: dict[str, View], table: str, kode: int, desa: str, c: int,
                   cost: dict[str, np.ndarray]) -> list[tuple[float, str, int]]:
    """Published rows on the sides of every identity relation that holds this row."""
    out = []
    for _identity, rel in relations_for(set(views)):
        sides = (*rel.left, *rel.right)
        if any(s.table == table and (s.codes is None or kode in s.codes) for s in sides):
            for s in sides:
                out += _open_rows(views[s.table], desa, s.codes, c, cost)
    return out


def _open_rows(v: View, desa: str, codes, c: int, cost: dict[str, np.ndarray]) -> list[tuple[float, str, int]]:
    """Published rows of a table in one desa (with these codes) that have people in column c."""
    rows = v.groups.get(desa, np.zeros(0, np.int64))
    if codes is not None:
        rows = rows[np.isin(v.codes[rows], codes)]
    rows = rows[~v.hidden[rows] & (v.values[rows, c] > 0)]
    return [(float(cost[v.name][r]), v.name, int(r)) for r in rows]
