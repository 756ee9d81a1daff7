"""Every equation an attacker can write from the published tables, and the questions to ask."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portal.privacy.audit_model import IDENTITY_TAG, UNIT, Cell, Published, System, term, total_rule
from portal.privacy.policy import UNFILLED, sensitive_codes
from portal.statistics.catalogue import get_spec
from portal.statistics.identities import CARRIED_OVER, CARRIED_OVER_NAME, Relation, Side, relations_for

# The attacker's change bounds between versions: "local" takes the tightest of the largest
# change in the same table and desa, the largest in the same table and category, and the 90th
# percentile of the table's changes; "table" assumes no cell moved by more than the largest
# change seen in its own table; "global" by more than the largest change seen anywhere.
# Each bound is at most the next, cell by cell, so their feasible sets nest (local inside
# table inside global) and an interval can only widen from one to the next: the auditor
# attacks the tightest first and a looser one only where the tighter contradicts the numbers
# (an infeasible component tells the attacker nothing there, so a careful attacker falls
# back to a looser bound).
CHANGE_MODES = ("local", "table", "global")
CHANGE_QUANTILE = 0.9
CHANGE_EVIDENCE = 5

Term = tuple[int, float]  # (variable, -1) or (-1, published value)


@dataclass
class Totals:
    """Per (version, table, desa): the term each count column adds up to."""

    by_key: dict[tuple[str, str, str], dict[str, Term]] = field(default_factory=dict)


def assign_variables(system: System, table: Published) -> None:
    """One LP variable per hidden cell."""
    for r, c in zip(*np.nonzero(table.hidden)):
        table.var[r, c] = system.new_var(Cell(table.name, table.version, str(table.desa[r]),
                                              str(table.kode[r]), str(table.kategori[r]),
                                              table.columns[c]))


def _hidden_total(system: System, t: Published, desa: str, label: str) -> dict[str, Term]:
    out = {c: (system.new_var(Cell(t.name, t.version, desa, None, label, c)), 0.0)
           for c in t.columns}
    if {"jumlah", "laki_laki", "perempuan"} <= set(out):
        system.add([(1, *out["jumlah"]), (-1, *out["laki_laki"]), (-1, *out["perempuan"])], 0,
                   "total-baris", where=(t.name, desa))
    return out


def add_equations(system: System, tables: dict[str, Published], totals: Totals) -> None:
    """Rows (jumlah = laki-laki + perempuan) and columns (categories add up to their total)."""
    rows_of = {name: _row_index(t) for name, t in tables.items()}
    for t in tables.values():
        ci = {c: i for i, c in enumerate(t.columns)}
        if {"jumlah", "laki_laki", "perempuan"} <= set(ci):
            for r in np.flatnonzero(t.hidden.any(axis=1)):
                system.add([(1, *term(t, r, ci["jumlah"])), (-1, *term(t, r, ci["laki_laki"])),
                            (-1, *term(t, r, ci["perempuan"]))], 0, "baris", where=(t.name, t.desa[r]))
        kind, source, kode = total_rule(t.name)
        if kind == "none":
            continue
        for desa, rows in pd.Series(range(len(t.desa))).groupby(t.desa, sort=False).groups.items():
            total = _total_terms(system, t, desa, kind, tables.get(source), rows_of.get(source), kode)
            totals.by_key[(t.version, t.name, desa)] = total
            for column, i in ci.items():
                system.add([(1, *term(t, r, i)) for r in rows] + [(-1, *total[column])], 0,
                           "kolom", where=(t.name, desa))


def _row_index(t: Published) -> dict[tuple[str, str], int]:
    return {(d, k): i for i, (d, k) in enumerate(zip(t.desa, t.kode))}


def _total_terms(system: System, t: Published, desa: str, kind: str, source: Published | None,
                 rows: dict | None, kode: str | None) -> dict[str, Term]:
    row = rows.get((desa, kode)) if rows is not None else None
    if kind == "own" or row is None:
        return _hidden_total(system, t, desa, "TOTAL (tersembunyi)")
    sc = {c: i for i, c in enumerate(source.columns)}
    if kind == "row":
        return {c: term(source, row, sc[c]) for c in t.columns}
    if kind == "women":
        women = term(source, row, sc["perempuan"])
        return {c: ((-1, 0.0) if c == "laki_laki" else women) for c in t.columns}
    # bounded: a hidden total of its own that cannot exceed the whole population
    total = _hidden_total(system, t, desa, "TOTAL WAJIB (tersembunyi)")
    for c in t.columns:
        system.add([(1, *total[c]), (-1, *term(source, row, sc[c]))], 0, "sub-populasi",
                   kind="ub", where=(t.name, desa))
    return total


def add_identities(system: System, tables: dict[str, Published]) -> list[str]:
    """Every declared identity whose tables are all published, per desa and count column.

    Returns the names of the identities used. A relation the published numbers alone
    contradict is recorded in ``system.contradicted``, not as a leak.
    """
    used: list[str] = []
    rows_of = {name: _rows_by_desa(t) for name, t in tables.items()}
    for identity, relation in relations_for(set(tables)):
        if identity.name not in used:
            used.append(identity.name)
        sides = (*relation.left, *relation.right)
        for desa in sorted(set.intersection(*(set(rows_of[s.table]) for s in sides))):
            for column in ("jumlah", "laki_laki", "perempuan"):
                terms = _relation_terms(tables, rows_of, relation, desa, column)
                if terms is None:
                    continue
                kind = "eq" if relation.op == "=" else "ub"
                system.add(terms, 0, IDENTITY_TAG + identity.name, kind=kind,
                           where=(relation.left[0].table, desa))
    return used


def add_carried_over(system: System, newer: dict[str, Published], older: dict[str, Published]) -> list[str]:
    """This month's awal = last month's akhir (statistics.identities.CARRIED_OVER), per desa
    and count column, between two versions whose report months follow each other (the caller
    knows the dates). Returns the identity's name when it added an equation."""
    added = False
    for name, akhir, awal in CARRIED_OVER:
        if name not in newer or name not in older:
            continue
        new, old = newer[name], older[name]
        new_rows, old_rows = _rows_by_desa(new), _rows_by_desa(old)
        for desa in sorted(new_rows.keys() & old_rows.keys()):
            r_new, r_old = new_rows[desa].get(str(awal)), old_rows[desa].get(str(akhir))
            if r_new is None or r_old is None:
                continue
            for column in new.columns:
                if column not in old.columns:
                    continue
                system.add([(1, *term(new, r_new, new.columns.index(column))),
                            (-1, *term(old, r_old, old.columns.index(column)))], 0,
                           IDENTITY_TAG + CARRIED_OVER_NAME, where=(name, desa))
                added = True
    return [CARRIED_OVER_NAME] if added else []


def _rows_by_desa(t: Published) -> dict[str, dict[str, int]]:
    """desa -> kode -> row of one published table."""
    out: dict[str, dict[str, int]] = {}
    for i, (d, k) in enumerate(zip(t.desa, t.kode)):
        out.setdefault(str(d), {})[str(k)] = i
    return out


def _relation_terms(tables: dict[str, Published], rows_of: dict, relation: Relation, desa: str,
                    column: str) -> list[tuple[float, int, float]] | None:
    """left - right (right - left for >=) as LP terms; None when a row or column is missing."""
    sign = -1.0 if relation.op == ">=" else 1.0
    terms = []
    for side_sign, sides in ((sign, relation.left), (-sign, relation.right)):
        for side in sides:
            part = _side_terms(tables[side.table], rows_of[side.table][desa], side, column)
            if part is None:
                return None
            terms += [(side_sign, var, value) for var, value in part]
    return terms


def _side_terms(t: Published, rows: dict[str, int], side: Side, column: str) -> list[Term] | None:
    """The terms of the rows a side sums, in one column; None when one is not published."""
    if column not in t.columns:
        return None
    c = t.columns.index(column)
    codes = list(rows) if side.codes is None else [str(code) for code in side.codes]
    if any(code not in rows for code in codes):
        return None
    return [term(t, rows[code], c) for code in codes]


def _pairs(current: dict[str, Published], previous: dict[str, Published]) -> dict:
    """Per table, the matched rows and columns of both versions and their values."""
    pairs = {}
    for name in sorted(current.keys() & previous.keys()):
        new, old = current[name], previous[name]
        old_rows = _row_index(old)
        matched = [(i, old_rows[key]) for i, key in enumerate(zip(new.desa, new.kode)) if key in old_rows]
        columns = [c for c in new.columns if c in old.columns]
        if matched and columns:
            ni, oi = (np.array(x) for x in zip(*matched))
            nc, oc = [new.columns.index(c) for c in columns], [old.columns.index(c) for c in columns]
            pairs[name] = (ni, oi, nc, oc, new.values[np.ix_(ni, nc)], old.values[np.ix_(oi, oc)])
    return pairs


def change_bounds(desa: np.ndarray, kode: np.ndarray, a: np.ndarray, b: np.ndarray, mode: str,
                  fallback: float | None) -> np.ndarray:
    """The attacker's bound on |new - old| for every matched cell of one table (NaN: none).

    desa, kode: of each matched row; a, b: new and old values (NaN where hidden). A local
    estimate (a desa's cells of the table, a category's cells across desa, the table's 90th
    percentile) is taken only where at least CHANGE_EVIDENCE populated cells (not 0 in both
    versions) were published in both: fewer tell a careful attacker too little.
    """
    both = ~np.isnan(a) & ~np.isnan(b)
    change = np.abs(a - b)
    seen = change[both]
    table_max = float(seen.max()) if seen.size and mode != "global" else fallback
    bound = np.full(a.shape, np.nan if table_max is None else table_max)
    populated = both & ((np.nan_to_num(a) > 0) | (np.nan_to_num(b) > 0))
    if mode != "local" or populated.sum() < CHANGE_EVIDENCE:
        return bound
    bound = np.minimum(bound, float(np.quantile(change[populated], CHANGE_QUANTILE)))
    evidence = pd.DataFrame(np.where(populated, change, np.nan))
    for labels in (desa, kode):
        grouped = evidence.groupby(labels)
        local = grouped.max().max(axis=1).where(grouped.count().sum(axis=1) >= CHANGE_EVIDENCE)
        local = local.reindex(labels).to_numpy()
        bound = np.where(np.isnan(local)[:, None], bound, np.minimum(bound, local[:, None]))
    return bound


def _seen_changes(pairs: dict) -> dict[str, np.ndarray]:
    """Per table, the changes of the cells published in both versions."""
    return {name: np.abs(a - b)[~np.isnan(a) & ~np.isnan(b)] for name, (*_, a, b) in pairs.items()}


def change_summary(current: dict[str, Published], previous: dict[str, Published]) -> tuple[float | None, set[str]]:
    """The largest change seen anywhere between two versions (None: no cell in both) and
    the tables with rows in both but no cell published in both (they take that largest
    change as their bound): what add_coupling reads from beyond a table's own cells."""
    seen = _seen_changes(_pairs(current, previous))
    return _largest(seen), {n for n, v in seen.items() if not v.size}


def _largest(seen: dict[str, np.ndarray]) -> float | None:
    """The largest of every table's changes; None when there is none."""
    every = np.concatenate(list(seen.values())) if seen else np.zeros(0)
    return float(every.max()) if every.size else None


_OWN = object()  # add_coupling's fallback read from the tables it is given


def add_coupling(system: System, current: dict[str, Published], previous: dict[str, Published],
                 mode: str = "table", fallback: float | None | object = _OWN) -> dict[str, float]:
    """Each cell changed by at most the attacker's bound for its table (see CHANGE_MODES).

    Returns the largest change seen per table (what the report shows). ``fallback`` is the
    largest change anywhere (change_summary), when the tables given are a part of a release
    attacked group by group; None when no cell anywhere was published in both.
    """
    pairs = _pairs(current, previous)
    seen = _seen_changes(pairs)
    if fallback is _OWN:
        fallback = _largest(seen)
    if fallback is None:
        return {}  # nothing to measure change on: the attacker has no bound
    # fallback: a table with no cell in both takes the largest change anywhere
    for name, (ni, oi, nc, oc, a, b) in pairs.items():
        new, old = current[name], previous[name]
        bound = change_bounds(new.desa[ni], new.kode[ni], a, b, mode, fallback)
        for r, c in zip(*np.nonzero(np.isnan(a) | np.isnan(b))):
            tn, to = term(new, ni[r], nc[c]), term(old, oi[r], oc[c])
            where = (name, str(new.desa[ni[r]]))
            system.add([(1, *tn), (-1, *to)], bound[r, c], "versi", kind="ub", where=where)
            system.add([(-1, *tn), (1, *to)], bound[r, c], "versi", kind="ub", where=where)
            _raise_floor(system, tn, to, fallback)
            _raise_floor(system, to, tn, fallback)
    return {name: (float(v.max()) if v.size else fallback) for name, v in seen.items()}


def _raise_floor(system: System, hidden: Term, shown: Term, largest: float) -> None:
    """Record the least value a hidden cell can take beside its published other version:
    that count minus the largest change anywhere (the "global" bound, the loosest of
    CHANGE_MODES, so every mode's interval lies above it)."""
    var, (other, value) = hidden[0], shown
    if var >= 0 and other < 0:
        system.floor[var] = max(system.floor.get(var, -np.inf), value - largest)


@dataclass
class GroupQuestion:
    """One category of one desa row of a specific-data table, for the group rules."""

    rule: str            # "semua-kecuali-satu" (max n - x <= 1) or "dominan" (min x - 0.9n >= 0)
    table: str
    version: str
    desa: str
    kode: str
    kategori: str
    column: str
    terms: dict[int, float]
    const: float
    n: Term


def group_questions(tables: dict[str, Published], totals: Totals, specific: set[str],
                    all_but: int, share: float) -> list[GroupQuestion]:
    """The all-but-one and dominance questions of every specific-data table."""
    out = []
    for t in tables.values():
        if t.name not in specific:
            continue
        watched = _sensitive(t)
        for r in range(len(t.desa)):
            total = totals.by_key.get((t.version, t.name, str(t.desa[r])))
            if total is None:
                continue
            for i, column in enumerate(t.columns):
                if t.structural[r, i]:
                    continue
                (nv, nval), (xv, xval) = total[column], term(t, r, i)
                base = dict(table=t.name, version=t.version, desa=str(t.desa[r]), kode=str(t.kode[r]),
                            kategori=str(t.kategori[r]), column=column, n=total[column])
                out.append(GroupQuestion(rule="semua-kecuali-satu", terms=_lin({nv: 1, xv: -1}),
                                         const=nval - xval, **base))
                if t.kode[r] in watched:
                    out.append(GroupQuestion(rule="dominan", terms=_lin({xv: 1, nv: -share}),
                                             const=xval - share * nval, **base))
    return out


def _lin(coefs: dict[int, float]) -> dict[int, float]:
    return {v: c for v, c in coefs.items() if v >= 0}


def _sensitive(t: Published) -> set[str]:
    codes = sorted({int(k) for k in t.kode if str(k).lstrip("-").isdigit()})
    try:
        return {str(c) for c in sensitive_codes(get_spec(t.name), codes)}
    except KeyError:
        return {str(c) for c in codes if c != UNFILLED}


def insider_pairs(system: System) -> list[tuple[int, int, float, str]]:
    """Equations with exactly two hidden cells over disjoint people: (a, b, b if a = 1, tag)."""
    out = []
    for coefs, rhs, tag in system.eq:
        if len(coefs) != 2:
            continue
        (a, ca), (b, cb) = coefs.items()
        if ca * cb <= 0:
            continue  # one contains the other: their difference is public anyway
        out.append((a, b, (rhs - ca) / cb, tag))
        out.append((b, a, (rhs - cb) / ca, tag))
    return out


__all__ = ["UNIT", "Totals", "assign_variables", "add_equations", "add_coupling", "add_identities",
           "add_carried_over", "change_summary",
           "change_bounds", "CHANGE_MODES",
           "group_questions", "insider_pairs", "GroupQuestion"]
