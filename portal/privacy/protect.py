"""Suppress small counts and their complements so no suppressed cell can be recomputed."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portal.datasets.vocabularies import PrivacyClass
from portal.statistics.catalogue import COUNT_FIELDS
from portal.statistics.compute import StatTable

SUPPRESSED = "x"  # the missing value published in place of a hidden count
SUPPRESSED_LABEL = "Disembunyikan untuk melindungi data pribadi (UU PDP)"


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
                "privacy_class": self.table.spec.privacy_class.value,
                "cells": int(self.frame[list(COUNT_FIELDS)].size),
                "suppressed_primary": self.primary, "suppressed_secondary": self.secondary,
                "notes": self.notes}


def threshold_for(table: StatTable, k_general: int, k_specific: int) -> int:
    """k for this table: stricter for UU PDP specific data."""
    return k_specific if table.spec.privacy_class is PrivacyClass.SPECIFIC else k_general


def primary_mask(values: np.ndarray, k: int, specific: bool) -> np.ndarray:
    """Cells in 1..k-1 (0..k-1 in specific-data tables, so a zero looks like a small count)."""
    low = 0 if specific else 1
    return (values >= low) & (values < k)


def _complete(values: np.ndarray, hidden: np.ndarray, k: int) -> bool:
    """Hide more cells of one equation until none is hidden alone and the hidden sum reaches k."""
    changed = False
    while hidden.any():
        if hidden.sum() >= 2 and values[hidden].sum() >= k:
            break
        open_cells = np.flatnonzero(~hidden)
        if open_cells.size == 0:
            break
        pick = open_cells[np.argmin(values[open_cells])]  # first of the smallest
        hidden[pick] = True
        changed = True
    return changed


def _protect_block(values: np.ndarray, hidden: np.ndarray, k: int) -> None:
    """Secondary suppression in one desa: rows (jumlah = L + P) and columns (their desa totals)."""
    changed = True
    while changed:
        changed = False
        for r in range(values.shape[0]):
            row = hidden[r]
            if row.any() and _complete(values[r], row, k):
                changed = True
        for c in range(values.shape[1]):
            column = hidden[:, c].copy()
            if column.any() and _complete(values[:, c], column, k):
                hidden[:, c] = column
                changed = True


def protect(table: StatTable, k: int) -> ProtectedTable:
    """Primary suppression of small counts, then secondary suppression inside each desa."""
    fields = list(COUNT_FIELDS)
    values = table.frame[fields].to_numpy(dtype=np.int64)
    specific = table.spec.privacy_class is PrivacyClass.SPECIFIC
    primary = primary_mask(values, k, specific)
    hidden = primary.copy()
    for _, rows in table.frame.groupby("kode_desa", sort=False).indices.items():
        block = hidden[rows]
        if block.any():
            _protect_block(values[rows], block, k)
            hidden[rows] = block
    out = table.frame.copy()
    for i, name in enumerate(fields):
        out[name] = out[name].astype("Int64").mask(hidden[:, i])
    return ProtectedTable(table=table, frame=out, k=k, primary=int(primary.sum()),
                          secondary=int(hidden.sum() - primary.sum()))
