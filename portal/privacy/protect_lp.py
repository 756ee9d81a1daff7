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

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from portal.privacy.audit_lp import Bounds, Retry
from portal.privacy.audit_model import Cell, System
from portal.privacy.policy import whole_columns
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
    structural: np.ndarray      # n x 3 bools: zero by definition, published as 0
    codes: np.ndarray           # category code per row
    groups: dict[str, np.ndarray]
    k: int
    among: dict = field(default_factory=dict, repr=False, compare=False)  # of_codes, kept

    def of_codes(self, codes) -> np.ndarray:
        """Per row: is its category one of ``codes`` (worked out once per view)."""
        key = tuple(codes)
        if key not in self.among:
            self.among[key] = np.isin(self.codes, codes)
        return self.among[key]


@dataclass
class Model:
    """Every relation of some desa as one sparse system over their hidden cells.

    Cells are numbered table by table, desa by desa, row by row, column by column. Rows are
    the equations, then the inequalities, each in the order: desa, then table by table its
    hidden rows (jumlah = laki-laki + perempuan) and its margin, then the identities. A
    published cell is folded into its relation's bound; a relation left without a hidden
    cell bounds nothing and is left out.
    """

    desa: list[str]
    tables: list[str]
    table_of: np.ndarray    # per cell: index into tables
    row_of: np.ndarray      # per cell: row of its table
    col_of: np.ndarray      # per cell: count column
    desa_of: np.ndarray     # per cell: index into desa
    k: np.ndarray           # per cell: its table's k
    a: sparse.csr_array     # relations x cells
    lower: np.ndarray       # per relation (-inf for an inequality)
    upper: np.ndarray

    def cell(self, views: dict[str, View], i: int) -> Cell:
        """Where hidden cell i sits, named the way the auditor names cells."""
        v = views[self.tables[self.table_of[i]]]
        return Cell(v.name, "baru", self.desa[self.desa_of[i]], str(v.codes[self.row_of[i]]), "",
                    COLUMNS[self.col_of[i]])


class _Terms:
    """Terms of the relations being written: which relation (kind 0 equation / 1 inequality,
    desa, group, item), the cell's variable (-1 when published), coefficient, true value."""

    def __init__(self):
        self.parts: list[tuple] = []

    def add(self, kind: int, dpos: np.ndarray, group: int, item, var: np.ndarray, coef: float,
            value: np.ndarray) -> None:
        """Terms sharing a kind, a group and a coefficient (item: per term, or one for all)."""
        if len(var):
            self.parts.append((kind, dpos, group, item, var, float(coef), value))

    def columns(self) -> list[np.ndarray]:
        """kind, desa, group, item, variable, coefficient, value: one array each (what is one
        for all the terms of a part repeated over them)."""
        if not self.parts:
            return [np.zeros(0, t) for t in (np.int64,) * 5 + (float, float)]
        kind, dpos, group, item, var, coef, value = zip(*self.parts, strict=True)
        sizes = np.array([len(v) for v in var])
        items = np.concatenate([np.broadcast_to(np.asarray(i, np.int64), (n,))
                                for i, n in zip(item, sizes, strict=True)])
        return [np.repeat(np.array(kind, np.int64), sizes), np.concatenate(dpos),
                np.repeat(np.array(group, np.int64), sizes), items, np.concatenate(var),
                np.repeat(np.array(coef, float), sizes), np.concatenate(value).astype(float)]


def build(views: dict[str, View], desa_list: list[str]) -> Model:
    """Every relation the protector knows of (rows, margins, identities) for these desa."""
    names = list(views)
    pos = {name: _desa_positions(v, desa_list) for name, v in views.items()}
    var, (table_of, row_of, col_of, desa_of) = _variables(views, pos)
    terms = _Terms()
    for ti, (name, v) in enumerate(views.items()):
        rows = np.flatnonzero(v.hidden & (pos[name] >= 0))
        for c, coef in enumerate((1, -1, -1)):  # jumlah - laki-laki - perempuan = 0
            terms.add(0, pos[name][rows], 2 * ti, rows, var[name][rows, c], coef, v.values[rows, c])
        _margin(terms, views, var, pos, v, 2 * ti + 1)
    relations = [rel for _identity, rel in relations_for(set(views))]
    for i, rel in enumerate(relations):
        _relation(terms, views, var, pos, rel, 2 * len(names) + i)
    size = max((len(v.values) for v in views.values()), default=0) + 3
    a, lower, upper = _system(terms, len(table_of), (len(desa_list), 2 * len(names) + len(relations), size))
    k = np.array([views[n].k for n in names], float)[table_of]
    return Model(desa_list, names, table_of, row_of, col_of, desa_of, k, a, lower, upper)


def _desa_positions(v: View, desa_list: list[str]) -> np.ndarray:
    """Per row of a table: the position of its desa in desa_list, -1 for other desa."""
    pos = np.full(len(v.values), -1, np.int64)
    for i, desa in enumerate(desa_list):
        rows = v.groups.get(desa)
        if rows is not None:
            pos[rows] = i
    return pos


def _variables(views: dict[str, View], pos: dict[str, np.ndarray]) -> tuple[dict, tuple]:
    """A variable for every hidden cell of these desa (structural zeros stay published):
    per table the variable of each cell (-1 published), and per variable where it sits."""
    var, where, start = {}, [], 0
    for ti, (name, v) in enumerate(views.items()):
        var[name] = np.full(v.values.shape, -1, dtype=np.int64)
        rows = np.flatnonzero(v.hidden & (pos[name] >= 0))
        rows = rows[np.lexsort((rows, pos[name][rows]))]  # desa by desa, row by row
        r, c = np.nonzero(~v.structural[rows])  # row by row, column by column
        r = rows[r]
        var[name][r, c] = start + np.arange(r.size)
        start += r.size
        where.append((np.full(r.size, ti), r, c, pos[name][r]))
    if not where:
        return var, tuple(np.zeros(0, np.int64) for _ in range(4))
    return var, tuple(np.concatenate(p) for p in zip(*where, strict=True))


def _margin(terms: _Terms, views: dict[str, View], var: dict, pos: dict, v: View, group: int) -> None:
    """A table's rows in each desa add up to its margin row there (or at most to it)."""
    margin = margin_of(v.spec)
    if margin is None or not margin[0] or margin[0] not in views:
        return
    table, kode, mode = margin
    source = views[table]
    n_desa = int(max(pos[v.name].max(initial=-1), pos[table].max(initial=-1))) + 1
    found = np.flatnonzero((source.codes == kode) & (pos[table] >= 0))
    places, first = np.unique(pos[table][found], return_index=True)
    total_row = np.full(n_desa, -1, np.int64)
    total_row[places] = found[first]  # the first such row of each desa
    has_rows = np.bincount(pos[v.name][pos[v.name] >= 0], minlength=n_desa) > 0
    places = np.flatnonzero(has_rows & (total_row >= 0))
    rows = np.flatnonzero(pos[v.name] >= 0)
    rows = rows[total_row[pos[v.name][rows]] >= 0]
    kind = 1 if mode == "bounded" else 0
    whole = whole_columns(v.structural)
    for c in np.flatnonzero(~whole):  # a cell zero by definition is a published 0 here
        src_col = 2 if (whole[1] and c == 0) else c  # women only: jumlah = perempuan
        terms.add(kind, pos[v.name][rows], group, c, var[v.name][rows, c], 1, v.values[rows, c])
        src = total_row[places]
        terms.add(kind, places, group, c, var[table][src, src_col], -1, source.values[src, src_col])


def _relation(terms: _Terms, views: dict[str, View], var: dict, pos: dict, rel: Relation, group: int) -> None:
    """left - right (right - left for >=) = or <= 0, in each desa and in every count column
    that no side's table holds as a structural zero."""
    sign = -1.0 if rel.op == ">=" else 1.0
    kind = 0 if rel.op == "=" else 1
    sides = []
    for s, group_ in ((sign, rel.left), (-sign, rel.right)):
        for side in group_:
            rows = np.flatnonzero(pos[side.table] >= 0)  # the rows of these desa, then of its codes
            if side.codes is not None:
                rows = rows[views[side.table].of_codes(side.codes)[rows]]
            sides.append((s, side.table, rows))
    for c in range(3):
        if any(whole_columns(views[table].structural)[c] for _, table, _ in sides):
            continue
        for s, table, rows in sides:
            terms.add(kind, pos[table][rows], group, c, var[table][rows, c], s, views[table].values[rows, c])


def _system(terms: _Terms, n: int, shape: tuple[int, int, int]) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """The relations as rows of a sparse matrix over the n cells, in the model's order, with
    their bounds; coefficients of a cell met twice are added, relations left empty dropped."""
    kind, dpos, group, item, var, coef, value = terms.columns()
    n_desa, n_group, n_item = shape
    key = ((kind * n_desa + dpos) * n_group + group) * n_item + item
    keys, row = np.unique(key, return_inverse=True)
    published = var < 0
    rhs = 0.0 - np.bincount(row[published], weights=(coef * value)[published], minlength=len(keys))
    a = sparse.coo_array((coef[~published], (row[~published], var[~published])), shape=(len(keys), n)).tocsr()
    a.sum_duplicates()
    a.eliminate_zeros()
    keep = np.diff(a.indptr) > 0
    a, rhs = a[keep], rhs[keep]
    is_ub = (keys[keep] // (n_desa * n_group * n_item)) == 1
    return a.tocsr(), np.where(is_ub, -np.inf, rhs), rhs


def narrow_cells(views: dict[str, View], desa_list: list[str]) -> list[Cell]:
    """Hidden cells whose interval, under every relation, is narrower than their table's k.

    The relations fall apart into independent components (a desa's never touch another's);
    a component's answer depends on its own relations and k alone, so one bounded before
    (an earlier round, a part of a desa the widening did not change, the settle step
    protecting the release again) is read from SOLVED instead of solved again.
    """
    model = build(views, desa_list)
    n = len(model.k)
    if not n:
        return []
    comp, var_order, var_edges, row_order, row_edges = _components(model.a)
    keys = _component_keys(model, var_order, var_edges, row_order, row_edges)
    todo = [i for i, key in enumerate(keys) if key not in SOLVED]
    narrow = np.zeros(n, bool)
    if todo:
        inside = np.sort(np.concatenate([var_order[var_edges[i]:var_edges[i + 1]] for i in todo]))
        narrow[inside] = _solve(_subsystem(model, comp, inside, set(todo)), model.k[inside])
        for i in todo:
            SOLVED[keys[i]] = narrow[var_order[var_edges[i]:var_edges[i + 1]]].tobytes()
    for i, key in enumerate(keys):
        narrow[var_order[var_edges[i]:var_edges[i + 1]]] = np.frombuffer(SOLVED[key], bool)
        SOLVED.move_to_end(key)
    while len(SOLVED) > SOLVED_KEPT:
        SOLVED.popitem(last=False)
    return [model.cell(views, i) for i in np.flatnonzero(narrow)]


# Answers of components already bounded: {digest of a component's relations and k: the narrow
# flag of each of its cells, in order}. Exact: the same relations give the same intervals.
SOLVED: OrderedDict[bytes, bytes] = OrderedDict()
SOLVED_KEPT = 200_000


def _components(a: sparse.csr_array) -> tuple[np.ndarray, ...]:
    """Cells linked by a relation, transitively: each cell's component, cells and relations
    ordered by component (stable), and where each component starts in both orders."""
    n = a.shape[1]
    links = abs(a).tocsc()
    n_comp, comp = connected_components(links.T @ links if links.shape[0] else sparse.csr_array((n, n)),
                                        directed=False)
    row_comp = comp[a.indices[a.indptr[:-1]]]
    var_order = np.argsort(comp, kind="stable")
    row_order = np.argsort(row_comp, kind="stable")
    edges = np.arange(n_comp + 1)
    return (comp, var_order, np.searchsorted(comp[var_order], edges), row_order,
            np.searchsorted(row_comp[row_order], edges))


def _component_keys(model: Model, var_order: np.ndarray, var_edges: np.ndarray, row_order: np.ndarray,
                    row_edges: np.ndarray) -> list[bytes]:
    """A digest of each component's LP: its relations over its cells numbered in order, their
    bounds, and the k of each cell."""
    position = np.empty(len(var_order), np.int64)
    position[var_order] = np.arange(len(var_order))
    a = model.a[row_order]
    a = sparse.csr_array((a.data, position[a.indices], a.indptr), shape=a.shape)
    a.sort_indices()
    lower, upper, k = model.lower[row_order], model.upper[row_order], model.k[var_order]
    keys = []
    for i in range(len(var_edges) - 1):
        v0, v1, r0, r1 = var_edges[i], var_edges[i + 1], row_edges[i], row_edges[i + 1]
        s0, s1 = a.indptr[r0], a.indptr[r1]
        digest = hashlib.blake2b(digest_size=20)
        for part in (np.array([v1 - v0, r1 - r0], np.int64), a.indptr[r0:r1 + 1] - s0, a.indices[s0:s1] - v0,
                     a.data[s0:s1], lower[r0:r1], upper[r0:r1], k[v0:v1]):
            digest.update(np.ascontiguousarray(part).tobytes())
        keys.append(digest.digest())
    return keys


def _subsystem(model: Model, comp: np.ndarray, inside: np.ndarray, todo: set[int]) -> System:
    """The relations of these cells (whole components, sorted), the cells numbered anew in
    order, as the auditor's LP reads them."""
    number = np.full(len(model.k), -1, np.int64)
    number[inside] = np.arange(inside.size)
    out = System(cells=[None] * inside.size)  # the LP reads only how many cells there are
    a = model.a
    indptr, indices, data = a.indptr.tolist(), number[a.indices].tolist(), a.data.tolist()
    first = comp[a.indices[a.indptr[:-1]]]
    is_ub, upper = np.isinf(model.lower).tolist(), model.upper.tolist()
    for r in np.flatnonzero(np.isin(first, list(todo))).tolist():
        coefs = dict(zip(indices[indptr[r]:indptr[r + 1]], data[indptr[r]:indptr[r + 1]], strict=True))
        (out.ub if is_ub[r] else out.eq).append((coefs, upper[r], ""))
    return out


def _solve(system: System, k: np.ndarray) -> np.ndarray:
    """Per cell of the system: is its interval narrower than its k (exact LP where the
    feasible points leave it open)."""
    n = len(system.cells)
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
    return ok & (width < k - TOL)


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
    from its own table; the cheapest published row with people in the cell's column.

    Where no identity side has such a row, a published 0 on an identity's side is taken
    before the own table: an identity whose published side is 0 pins every hidden cell of
    the other side at 0 (kelompok rentan: infants + toddlers = BALITA, published 0 where a
    desa has no small children, beside specific-data zeros that are hidden), and only hiding
    that 0 gives them room. Where there is neither, the rest of the sides' tables (or their
    totals) is taken (_beside_sides).
    """
    c = COLUMNS.index(cell.column)
    table, kode = cell.table, int(cell.kode)
    candidates: list[tuple[float, str, int]] = []
    for _ in range(3):  # the cell's table, then the row it adds up to (and that row's total)
        candidates = (_identity_rows(views, table, kode, cell.desa, c, cost)
                      or _identity_rows(views, table, kode, cell.desa, c, cost, people=False))
        if not candidates:
            candidates = _open_rows(views[table], cell.desa, None, c, cost)
        margin = margin_of(views[table].spec)
        if candidates or margin is None or margin[0] not in views:
            break
        table, kode = margin[0], margin[1]
    if not candidates:
        candidates = _beside_sides(views, cell.table, int(cell.kode), cell.desa, c, cost)
    if not candidates:
        return False
    _, name, row = min(candidates)
    views[name].hidden[row] = True
    return True


def _beside_sides(views: dict[str, View], table: str, kode: int, desa: str, c: int,
                  cost: dict[str, np.ndarray]) -> list[tuple[float, str, int]]:
    """Published rows beside the other tables' sides of the identities that hold this row:
    the rest of each such table in the desa, else the row it adds up to (and that row's
    total), with people in column c.

    Every row on the sides may be hidden and the cell still narrow: a general-data table
    (k = 5) may leave its hidden rows 9 people between them, and an identity hands that
    width to a specific-data cell (k = 10) on the other side (kelompok rentan: infants +
    toddlers = BALITA, beside published TUA and PENDUDUK). Only hiding more of that table,
    or its total, widens the side.
    """
    out = []
    for _identity, rel in relations_for(set(views)):
        sides = (*rel.left, *rel.right)
        if not any(s.table == table and (s.codes is None or kode in s.codes) for s in sides):
            continue
        for name in dict.fromkeys(s.table for s in sides if s.table != table):
            rows = _open_rows(views[name], desa, None, c, cost)
            margin = margin_of(views[name].spec)
            for _ in range(2):  # the row the side's table adds up to, then that row's total
                if rows or margin is None or margin[0] not in views:
                    break
                rows = _open_rows(views[margin[0]], desa, (margin[1],), c, cost)
                margin = margin_of(views[margin[0]].spec)
            out += rows
    return out


def _identity_rows(views: dict[str, View], table: str, kode: int, desa: str, c: int,
                   cost: dict[str, np.ndarray], people: bool = True) -> list[tuple[float, str, int]]:
    """Published rows on the sides of every identity relation that holds this row (with
    people in column c, or without: the zeros)."""
    out = []
    for _identity, rel in relations_for(set(views)):
        sides = (*rel.left, *rel.right)
        if any(s.table == table and (s.codes is None or kode in s.codes) for s in sides):
            for s in sides:
                out += _open_rows(views[s.table], desa, s.codes, c, cost, people)
    return out


def _open_rows(v: View, desa: str, codes, c: int, cost: dict[str, np.ndarray],
               people: bool = True) -> list[tuple[float, str, int]]:
    """Published rows of a table in one desa (with these codes) that have people in column c
    (or, ``people`` False, that hold 0 there)."""
    rows = v.groups.get(desa, np.zeros(0, np.int64))
    if codes is not None:
        rows = rows[np.isin(v.codes[rows], codes)]
    rows = rows[~v.hidden[rows] & ((v.values[rows, c] > 0) == people)]
    return [(float(cost[v.name][r]), v.name, int(r)) for r in rows]
