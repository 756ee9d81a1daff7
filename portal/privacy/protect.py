"""Suppress small counts and their complements, jointly over all tables released together."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portal.datasets.vocabularies import PrivacyClass
from portal.privacy.policy import sensitive_codes, table_class
from portal.privacy.suppress import L, Block, Steps, protect_desa
from portal.statistics.catalogue import COUNT_FIELDS
from portal.statistics.compute import StatTable

SUPPRESSED = "x"  # the missing value published in place of a hidden count
SUPPRESSED_LABEL = "Disembunyikan untuk melindungi data pribadi (UU PDP)"
UNIT_TABLE = "penduduk-dan-keluarga"
MARITAL_TABLE = "penduduk-menurut-status-perkawinan"


@dataclass
class ProtectedTable:
    """A table ready to publish: counts with hidden cells as <NA>, plus what was hidden."""

    table: StatTable
    frame: pd.DataFrame
    k: int
    primary: int = 0
    secondary: int = 0
    notes: list[str] = field(default_factory=list)

    def report(self) -> dict:
        """Privacy report of this table (counts of hidden cells, never their values)."""
        return {"table": self.table.spec.name, "k": self.k,
                "privacy_class": table_class(self.table.spec).value,
                "cells": int(self.frame[list(COUNT_FIELDS)].size),
                "suppressed_primary": self.primary, "suppressed_secondary": self.secondary,
                "notes": self.notes}


def threshold_for(table: StatTable, k_general: int, k_specific: int) -> int:
    """k for this table: stricter for UU PDP specific data; never below 3."""
    specific = table_class(table.spec) is PrivacyClass.SPECIFIC
    return max(3, k_specific if specific else k_general)


def primary_mask(values: np.ndarray, k: int, specific: bool) -> np.ndarray:
    """Cells in 1..k-1 (0..k-1 in specific-data tables, so a zero looks like a small count)."""
    low = 0 if specific else 1
    return (values >= low) & (values < k)


def total_of(spec) -> tuple[tuple[str, int] | None, str]:
    """Which published row a table's categories sum to, and how (fixed, bounded or none)."""
    if spec.dimension == "unit":
        return None, "none"
    if spec.unit == "keluarga":
        return (UNIT_TABLE, 2), "fixed"
    if spec.population in ("all", "perempuan"):
        return (UNIT_TABLE, 1), "fixed"
    if spec.population == "kawin":
        return (MARITAL_TABLE, 2), "fixed"
    if spec.population == "wajib_ktp":
        return (UNIT_TABLE, 1), "bounded"  # its own total is never published; it is at most all
    return None, "fixed"  # an unknown population: its own margin, as if published


def _structural(table: StatTable, values: np.ndarray) -> np.ndarray:
    """Count columns that are zero by definition (men in a table of women): published as 0."""
    structural = np.zeros(3, dtype=bool)
    if table.spec.population == "perempuan" and not values[:, L].any():
        structural[L] = True
    return structural


@dataclass
class _Prepared:
    table: StatTable
    values: np.ndarray
    k: int
    specific: bool
    structural: np.ndarray
    primary: np.ndarray        # n x 3 cells
    hidden_rows: np.ndarray    # n rows
    groups: dict[str, np.ndarray]
    sensitive: np.ndarray
    avoid: np.ndarray
    published_before: np.ndarray  # n rows: the previous version published the row


def _prepare(table: StatTable, k: int, previous: pd.DataFrame | None, steps: Steps) -> _Prepared:
    values = table.frame[list(COUNT_FIELDS)].to_numpy(dtype=np.int64)
    specific = table_class(table.spec) is PrivacyClass.SPECIFIC
    structural = _structural(table, values)
    primary = primary_mask(values, k, specific) & ~structural
    hidden = primary.any(axis=1)
    published_before = np.zeros(len(hidden), dtype=bool)
    if previous is not None and steps.carry_forward:
        was_hidden, published_before = _carried(table.frame, previous)
        hidden |= was_hidden
    codes = table.frame["kode"].to_numpy()
    watched = sensitive_codes(table.spec, [c.code for c in table.categories]) if specific else set()
    avoid = (codes == 2) if table.spec.name == MARITAL_TABLE else np.zeros(len(codes), bool)
    return _Prepared(table, values, k, specific, structural, primary, hidden,
                     table.frame.groupby("kode_desa", sort=False).indices,
                     np.isin(codes, list(watched)), avoid, published_before)


def _carried(frame: pd.DataFrame, previous: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rows hidden in the previous published version (they stay hidden), and rows it published.

    Why this is what the versions attack needs (the attacker bounds every cell hidden in
    either version by its other version's value plus or minus d, the largest change among
    cells published in both):
    - a row hidden before stays hidden, so nothing of it is published now to difference
      against: its old cells keep at least the room the old pattern gave them, and the new
      pattern (built by suppress.complete on top of it) gives the new cells k of their own;
    - secondary cells are taken from rows hidden before first (suppress.PUBLISHED_BEFORE_COST),
      because a row published before and hidden now is pinned to its old value plus or minus
      d, whatever else is hidden;
    - only a primary cell (a published count that is now 1..k-1, or a published 0 that is now
      small) or a total too small for k can force such a row; its interval is then at most 2d
      wide and the auditor refuses the release when 2d < k. No suppression pattern can widen
      it, so the protector names these rows in the table's notes (see protect_release).
    """
    counts = [c for c in COUNT_FIELDS if c in previous.columns]
    was_hidden = previous[counts].astype(str).eq(SUPPRESSED).any(axis=1).to_numpy()
    keys = list(zip(previous["kode_desa"].astype(str), previous["kode"].astype(str)))
    hidden_keys = {key for key, h in zip(keys, was_hidden) if h}
    shown_keys = {key for key, h in zip(keys, was_hidden) if not h}
    here = list(zip(frame["kode_desa"].astype(str), frame["kode"].astype(str)))
    return (np.array([key in hidden_keys for key in here], dtype=bool),
            np.array([key in shown_keys for key in here], dtype=bool))


def protect_release(tables: list[StatTable], k_general: int, k_specific: int,
                    previous: dict[str, pd.DataFrame] | None = None,
                    steps: Steps | None = None) -> list[ProtectedTable]:
    """Joint protection of all tables harvested together, desa by desa (see suppress.py)."""
    steps = steps or Steps()
    previous = previous or {}
    prepared = {t.spec.name: _prepare(t, threshold_for(t, k_general, k_specific),
                                      previous.get(t.spec.name), steps) for t in tables}
    population = {name: ("keluarga" if p.table.spec.unit == "keluarga" else "penduduk")
                  for name, p in prepared.items()}
    notes: dict[str, set[str]] = {name: set() for name in prepared}
    desa_codes = dict.fromkeys(code for p in prepared.values() for code in p.groups)
    for desa in desa_codes:
        blocks = {name: _block(p, desa) for name, p in prepared.items() if desa in p.groups}
        result = protect_desa(blocks, population, steps, UNIT_TABLE)
        for name, block in blocks.items():
            prepared[name].hidden_rows[prepared[name].groups[desa]] = block.hidden
        for pop in result.dark_populations:
            for name in blocks:
                if population[name] == pop:
                    notes[name].add(f"desa {desa}: seluruh tabel disembunyikan (populasi kecil)")
    for name, p in prepared.items():
        newly = p.hidden_rows & p.published_before
        if newly.any():
            notes[name].add(f"{int(newly.sum())} baris yang terbit di versi sebelumnya kini "
                            "disembunyikan: rentangnya dibatasi perubahan antarversi")
    return [_finish(p, sorted(notes[name])) for name, p in prepared.items()]


def _block(p: _Prepared, desa: str) -> Block:
    rows = p.groups[desa]
    total, mode = total_of(p.table.spec)
    return Block(name=p.table.spec.name, values=p.values[rows], codes=p.table.frame["kode"].to_numpy()[rows],
                 hidden=p.hidden_rows[rows].copy(), k=p.k, specific=p.specific,
                 columns=tuple(int(c) for c in np.flatnonzero(~p.structural)),
                 sensitive=p.sensitive[rows], total=total, mode=mode, avoid=p.avoid[rows],
                 published_before=p.published_before[rows])


def _finish(p: _Prepared, notes: list[str]) -> ProtectedTable:
    hidden = p.hidden_rows[:, None] & ~p.structural[None, :]
    out = p.table.frame.copy()
    for i, name in enumerate(COUNT_FIELDS):
        out[name] = out[name].astype("Int64").mask(hidden[:, i])
    primary = int(p.primary.sum())
    return ProtectedTable(table=p.table, frame=out, k=p.k, primary=primary,
                          secondary=int(hidden.sum()) - primary, notes=notes)


def protect(table: StatTable, k: int) -> ProtectedTable:
    """One table on its own (its own margins as totals); protect_release links the tables."""
    p = _prepare(table, k, None, Steps())
    for desa in p.groups:
        block = _block(p, desa)
        block.total, block.mode = None, ("none" if table.spec.dimension == "unit" else "fixed")
        protect_desa({block.name: block}, {block.name: "penduduk"}, Steps(linked=False), UNIT_TABLE)
        p.hidden_rows[p.groups[desa]] = block.hidden
    return _finish(p, [])
