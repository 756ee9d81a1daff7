"""Every equation an attacker can write from the published tables, and the questions to ask."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portal.privacy.audit_model import UNIT, Cell, Published, System, term, total_rule
from portal.privacy.policy import UNFILLED, sensitive_codes
from portal.statistics.catalogue import get_spec

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


def add_coupling(system: System, current: dict[str, Published], previous: dict[str, Published]) -> dict[str, float]:
    """Each cell changed by at most the largest change seen among cells published in both."""
    pairs = {}
    for name in current.keys() & previous.keys():
        new, old = current[name], previous[name]
        old_rows = _row_index(old)
        matched = [(i, old_rows[key]) for i, key in enumerate(zip(new.desa, new.kode)) if key in old_rows]
        columns = [c for c in new.columns if c in old.columns]
        if matched and columns:
            ni, oi = (np.array(x) for x in zip(*matched))
            nc, oc = [new.columns.index(c) for c in columns], [old.columns.index(c) for c in columns]
            pairs[name] = (ni, oi, nc, oc, new.values[np.ix_(ni, nc)], old.values[np.ix_(oi, oc)])
    changes = [np.abs(a - b)[~np.isnan(a) & ~np.isnan(b)] for *_, a, b in pairs.values()]
    changes = np.concatenate(changes) if changes else np.zeros(0)
    if not changes.size:
        return {}  # nothing to measure change on: the attacker has no bound
    delta = float(changes.max())
    for name, (ni, oi, nc, oc, a, b) in pairs.items():
        new, old = current[name], previous[name]
        for r, c in zip(*np.nonzero(np.isnan(a) | np.isnan(b))):
            tn, to = term(new, ni[r], nc[c]), term(old, oi[r], oc[c])
            where = (name, str(new.desa[ni[r]]))
            system.add([(1, *tn), (-1, *to)], delta, "versi", kind="ub", where=where)
            system.add([(-1, *tn), (1, *to)], delta, "versi", kind="ub", where=where)
    return {"*": delta}


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
                if t.structural[i]:
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


__all__ = ["UNIT", "Totals", "assign_variables", "add_equations", "add_coupling",
           "group_questions", "insider_pairs", "GroupQuestion"]
