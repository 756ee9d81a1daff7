"""Bounds of linear functions of hidden cells, by linear programming (scipy's HiGHS).

The attacker's equations fall apart into independent components (a desa's equations never
touch another desa's), each a small LP kept warm in its own HiGHS model. Cheap first: a
feasible point, then "target" LPs that push every unsettled cell at once towards k above
the lowest value seen (maximise the sum of min(x, target)); every feasible point bounds
every function from inside (the true minimum is at most the smallest value seen, the
maximum at least the largest). Only what those points leave open gets an exact LP.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from portal.privacy.audit_model import System

try:  # the HiGHS that scipy ships, used directly so a model stays warm between objectives
    from scipy.optimize._highspy import _core as highs_core
except ImportError:  # pragma: no cover - another scipy: fall back to linprog (slower)
    highs_core = None

CAP = 1e7  # an upper bound on every count, so "unbounded" comes back as a huge number
TARGET_ROUNDS = 30
Request = tuple[int, int]  # (objective, +1 maximise / -1 minimise)


def _matrix(rows: list[tuple[dict[int, float], float, str]], n: int) -> tuple[sparse.csr_array, np.ndarray]:
    indptr, indices, data = [0], [], []
    for coefs, _, _ in rows:
        indices.extend(coefs)
        data.extend(coefs.values())
        indptr.append(len(indices))
    matrix = sparse.csr_array((np.array(data, float), np.array(indices, np.int64),
                               np.array(indptr, np.int64)), shape=(len(rows), n))
    return matrix, np.array([rhs for _, rhs, _ in rows], float)


class ComponentLP:
    """A batch of components' LP over x (cells) and y <= min(x, target)."""

    def __init__(self, a: sparse.csr_array, lower: np.ndarray, upper: np.ndarray):
        m, r = a.shape[1], a.shape[0]
        csc = a.tocsc()
        # Columns of x carry the equations plus -1 in "y - x <= 0"; columns of y carry +1
        # in their own row. Built as plain arrays: cheaper than stacking sparse blocks.
        counts = np.diff(csc.indptr) + 1
        start = np.concatenate([[0], np.cumsum(counts)])
        index = np.empty(start[-1] + m, np.int32)
        value = np.empty(start[-1] + m)
        for j in range(m):  # a few entries per column
            s0, s1 = csc.indptr[j], csc.indptr[j + 1]
            o, n = start[j], s1 - s0
            index[o:o + n], value[o:o + n] = csc.indices[s0:s1], csc.data[s0:s1]
            index[o + n], value[o + n] = r + j, -1.0
        tail = start[-1]
        index[tail:], value[tail:] = r + np.arange(m), 1.0
        self.start = np.concatenate([start, tail + 1 + np.arange(m)]).astype(np.int32)
        self.index, self.value = index, value
        self.n_rows = r + m
        self.row_lo = np.concatenate([lower, np.full(m, -np.inf)])
        self.row_up = np.concatenate([upper, np.zeros(m)])
        self.col_lo = np.zeros(2 * m)
        self.col_up = np.full(2 * m, CAP)
        self.m, self.solves = m, 0
        self.highs = self._highs() if highs_core is not None else None

    def _highs(self):
        h = highs_core
        lp = h.HighsLp()
        n, rows = 2 * self.m, self.n_rows
        lp.num_col_, lp.num_row_ = n, rows
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, rows
        lp.a_matrix_.format_ = h.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_ = self.start, self.index
        lp.a_matrix_.value_ = self.value
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_, lp.col_upper_ = self.col_lo, self.col_up
        lp.row_lower_ = np.where(np.isinf(self.row_lo), -h.kHighsInf, self.row_lo)
        lp.row_upper_ = np.where(np.isinf(self.row_up), h.kHighsInf, self.row_up)
        model = h._Highs()
        model.setOptionValue("output_flag", False)
        model.passModel(lp)
        return model

    def solve(self, cost: np.ndarray, col_lo: np.ndarray | None = None,
              col_up: np.ndarray | None = None) -> np.ndarray | None:
        """Minimise cost over (x, y); x at the optimum, or None when infeasible."""
        lo = self.col_lo if col_lo is None else col_lo
        up = self.col_up if col_up is None else col_up
        self.solves += 1
        if self.highs is None:
            return self._linprog(cost, lo, up)
        idx = np.arange(2 * self.m, dtype=np.int32)
        self.highs.changeColsCost(2 * self.m, idx, cost)
        self.highs.changeColsBounds(2 * self.m, idx, lo, up)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highs_core.HighsModelStatus.kOptimal:
            if status == highs_core.HighsModelStatus.kInfeasible:
                return None
            raise RuntimeError(f"HiGHS: {self.highs.modelStatusToString(status)}")
        return np.asarray(self.highs.getSolution().col_value[: self.m])

    def _linprog(self, cost, lo, up) -> np.ndarray | None:
        a = sparse.csc_array((self.value, self.index, self.start),
                             shape=(self.n_rows, 2 * self.m)).tocsr()
        eq = self.row_lo == self.row_up
        below, above = ~eq & np.isfinite(self.row_up), ~eq & np.isfinite(self.row_lo)
        a_ub = sparse.vstack([a[below], -a[above]])
        b_ub = np.concatenate([self.row_up[below], -self.row_lo[above]])
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a[eq], b_eq=self.row_lo[eq],
                      bounds=list(zip(lo, up)), method="highs")
        if res.status == 2:
            return None
        if res.status != 0:
            raise RuntimeError(f"HiGHS: {res.message}")
        return res.x[: self.m]


class Bounds:
    """Inner bounds (from feasible points) and exact optima of objective functions."""

    def __init__(self, system: System, objectives: sparse.csr_array, const: np.ndarray):
        n = len(system.cells)
        a_eq, b_eq = _matrix(system.eq, n)
        a_ub, b_ub = _matrix(system.ub, n)
        a = sparse.vstack([a_eq, a_ub]).tocsr()
        lower = np.concatenate([b_eq, np.full(len(b_ub), -np.inf)])
        upper = np.concatenate([b_eq, b_ub])
        links = abs(a).tocsc()
        adjacency = links.T @ links if links.shape[0] else sparse.csr_array((n, n))
        self.n_comp, self.comp = connected_components(adjacency, directed=False)
        row_comp = self.comp[a.indices[a.indptr[:-1]]] if a.shape[0] else np.zeros(0, np.int64)
        # Components laid out contiguously, so a batch of them is one slice of each matrix.
        self.var_order = np.argsort(self.comp, kind="stable")
        self.position = np.empty(n, np.int64)
        self.position[self.var_order] = np.arange(n)
        self.var_edges = np.searchsorted(self.comp[self.var_order], np.arange(self.n_comp + 1))
        row_order = np.argsort(row_comp, kind="stable")
        self.row_edges = np.searchsorted(row_comp[row_order], np.arange(self.n_comp + 1))
        self.a = a[row_order][:, self.var_order].tocsr()
        self.lower, self.upper = lower[row_order], upper[row_order]
        self.f, self.const = objectives.tocsr(), const
        self.f_perm = self.f[:, self.var_order].tocsr()
        first = np.full(len(const), -1)
        rows, cols = self.f.nonzero()
        first[rows] = cols
        self.obj_comp = np.where(first >= 0, self.comp[np.maximum(first, 0)], -1)
        self.objs_of = _split(self.obj_comp, self.n_comp)
        m = len(const)
        self.wmin, self.wmax = np.full(m, np.inf), np.full(m, -np.inf)
        self.exact_min, self.exact_max = np.full(m, np.nan), np.full(m, np.nan)
        fixed = self.obj_comp < 0
        self.wmin[fixed] = self.wmax[fixed] = self.exact_min[fixed] = self.exact_max[fixed] = const[fixed]
        self.infeasible: list[int] = []
        self.lps = 0
        self._by_comp: tuple | None = None  # component_key's objectives, read once

    def batches(self, size: int = 300, skip: set[int] = frozenset()) -> list[range]:
        """Consecutive components of about ``size`` variables, solved as one LP each
        (components in ``skip``, already settled, left out)."""
        out, begin = [], None
        for comp in range(self.n_comp + 1):
            if comp == self.n_comp or comp in skip:
                if begin is not None:
                    out.append(range(begin, comp))
                begin = None
                continue
            if begin is None:
                begin = comp
            elif self.var_edges[comp + 1] - self.var_edges[begin] > size:
                out.append(range(begin, comp))
                begin = comp
        return out

    def component_key(self, comp: int, extra: list[np.ndarray]) -> bytes:
        """A digest of one component's LP in its own coordinates: its equations and bounds,
        its objective functions, and ``extra`` (what the caller asks of it). Two components
        with one key have the same optima: their labels (desa, table) are not in it."""
        v0, v1 = self.var_edges[comp], self.var_edges[comp + 1]
        r0, r1 = self.row_edges[comp], self.row_edges[comp + 1]
        if self._by_comp is None:  # every component's objectives, one slice each
            order = np.concatenate(self.objs_of) if self.n_comp else np.zeros(0, np.int64)
            self._by_comp = (self.f_perm[order].tocsr(),
                             np.concatenate([[0], np.cumsum([len(o) for o in self.objs_of])]).astype(np.int64))
        f, edges = self._by_comp
        objs = self.objs_of[comp]
        h = hashlib.blake2b(digest_size=20)
        for part in (np.array([v1 - v0, r1 - r0, len(objs)], np.int64), *_rows(self.a, r0, r1, v0, v1),
                     self.lower[r0:r1], self.upper[r0:r1], *_rows(f, edges[comp], edges[comp + 1], v0, v1),
                     self.const[objs], *extra):
            h.update(np.ascontiguousarray(part).tobytes())
            h.update(b"|")
        return h.digest()

    def snapshot(self, comp: int) -> tuple:
        """What settling one component found: infeasible, or the bounds of its objectives."""
        if comp in self.infeasible:
            return (True,)
        objs = self.objs_of[comp]
        return (False, self.wmin[objs].copy(), self.wmax[objs].copy(),
                self.exact_min[objs].copy(), self.exact_max[objs].copy())

    def restore(self, comp: int, kept: tuple) -> None:
        """Settle one component from a snapshot of a component with the same key."""
        objs = self.objs_of[comp]
        if kept[0]:
            self.infeasible.append(comp)
            self.obj_comp[objs] = -2
            return
        self.wmin[objs], self.wmax[objs], self.exact_min[objs], self.exact_max[objs] = kept[1:]

    def settle(self, comps: range, targets: np.ndarray, k: np.ndarray,
               requests: Callable[[], list[Request]]) -> None:
        """Bound a batch: a feasible point, target LPs, then exact LPs for what stays open.

        targets: variables whose interval should be shown at least k wide (k per target).
        requests: the open questions of the batch, asked again after every LP.
        """
        v0, v1 = self.var_edges[comps.start], self.var_edges[comps.stop]
        r0, r1 = self.row_edges[comps.start], self.row_edges[comps.stop]
        rows = self.a[r0:r1]
        sub = sparse.csr_array((rows.data, rows.indices - v0, rows.indptr - rows.indptr[0]),
                               shape=(r1 - r0, v1 - v0))
        lp = ComponentLP(sub, self.lower[r0:r1], self.upper[r0:r1])
        objs = np.sort(np.concatenate([self.objs_of[c] for c in comps]))
        f = self.f_perm[objs][:, v0:v1].tocsr()
        try:
            self._run(lp, objs, f, comps, self.position[targets] - v0, targets, k, requests)
        finally:
            self.lps += lp.solves

    def _run(self, lp, objs, f, comps, local, targets, k, requests) -> None:
        m = lp.m
        point = lp.solve(np.concatenate([np.ones(m), np.zeros(m)]))
        if point is None:
            self._split_infeasible(comps)
            return
        self._observe(objs, f, point)
        for _ in range(TARGET_ROUNDS):
            open_ = self._open(targets, k)
            before = int(open_.sum())
            if not before:
                break
            self._observe(objs, f, self._target(lp, local[open_], targets[open_], k[open_]))
            if int(self._open(targets, k).sum()) == before:
                break
        while asked := requests():
            chosen: dict[int, Request] = {}
            for obj, sense in asked:
                chosen.setdefault(int(self.obj_comp[obj]), (obj, sense))
            cost = np.zeros(2 * m)
            at = np.searchsorted(objs, [obj for obj, _ in chosen.values()])
            for (_obj, sense), i in zip(chosen.values(), at):
                row = f[[int(i)]]
                cost[row.indices] -= sense * row.data  # separable: one question per component
            values = self._observe(objs, f, lp.solve(cost))
            for (obj, sense), i in zip(chosen.values(), at):
                (self.exact_max if sense > 0 else self.exact_min)[obj] = values[i]

    def _split_infeasible(self, comps: range) -> None:
        """Some component of the batch has no solution: find which, settle the rest alone."""
        if len(comps) == 1:
            self.infeasible.append(comps.start)
            self.obj_comp[self.objs_of[comps.start]] = -2
            return
        raise _Retry(comps)

    def _open(self, targets: np.ndarray, k: np.ndarray) -> np.ndarray:
        return (self.wmax[targets] - self.wmin[targets]) < k - 1e-9

    def _target(self, lp: ComponentLP, local: np.ndarray, glob: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Push the open cells up at once: maximise the sum of min(x, lowest seen + k)."""
        m = lp.m
        cost = np.zeros(2 * m)
        hi = lp.col_up.copy()
        cost[m + local] = -1.0
        hi[m + local] = np.minimum(self.wmin[glob] + k, CAP)
        return lp.solve(cost, lp.col_lo, hi)

    def _observe(self, objs: np.ndarray, f: sparse.csr_array, point: np.ndarray) -> np.ndarray:
        values = f @ point + self.const[objs]
        self.wmin[objs] = np.minimum(self.wmin[objs], values)
        self.wmax[objs] = np.maximum(self.wmax[objs], values)
        return values


class _Retry(Exception):
    """A batch held an infeasible component: settle its components one by one."""

    def __init__(self, comps: range):
        super().__init__("infeasible batch")
        self.comps = comps


Retry = _Retry


def _rows(m: sparse.csr_array, r0: int, r1: int, v0: int, v1: int) -> tuple[np.ndarray, ...]:
    """Rows r0..r1 of a CSR matrix, columns v0..v1 only, in local coordinates (row of each
    entry, column, value): what slicing the matrix gives, without building it."""
    s, e = m.indptr[r0], m.indptr[r1]
    row = np.repeat(np.arange(r1 - r0, dtype=np.int64), np.diff(m.indptr[r0:r1 + 1]))
    col = m.indices[s:e].astype(np.int64)
    keep = (col >= v0) & (col < v1)
    return row[keep], col[keep] - v0, m.data[s:e][keep].astype(float)


def _split(labels: np.ndarray, n: int) -> list[np.ndarray]:
    """Indices grouped by label 0..n-1 (negative labels left out), each sorted."""
    order = np.argsort(labels, kind="stable")
    edges = np.searchsorted(labels[order], np.arange(n + 1))
    return [order[edges[i]:edges[i + 1]] for i in range(n)]
