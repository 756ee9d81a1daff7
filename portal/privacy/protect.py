"""Suppress small counts and their complements so no suppressed cell can be recomputed."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from portal.datasets.vocabularies import PrivacyClass
from portal.statistics.catalogue import TOTAL_FIELD
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
                "cells": int(self.frame[self.table.count_fields].size),
                "suppressed_primary": self.primary, "suppressed_secondary": self.secondary,
                "notes": self.notes}


def threshold_for(table: StatTable, k_general: int, k_specific: int) -> int:
    """k for this table: stricter for UU PDP specific data."""
    return k_specific if table.spec.privacy_class is PrivacyClass.SPECIFIC else k_general


def _primary_mask(values: pd.DataFrame, k: int, specific: bool) -> pd.DataFrame:
    # In specific-data tables a true zero must look like a small count.
    low = 0 if specific else 1
    return (values >= low) & (values < k)


def _complete_row(values: pd.Series, hidden: pd.Series, k: int) -> pd.Series:
    """Hide more cells of one row until the hidden cells sum to k or more, and never one alone."""
    hidden = hidden.copy()
    while hidden.any():
        if hidden.sum() >= 2 and values[hidden].sum() >= k:
            break
        candidates = values[~hidden].sort_values(kind="stable")
        if candidates.empty:
            break
        hidden[candidates.index[0]] = True
    return hidden


def protect(table: StatTable, k: int) -> ProtectedTable:
    """Primary suppression of counts in 1..k-1, then secondary suppression within each row."""
    fields = table.count_fields
    values = table.frame[fields]
    specific = table.spec.privacy_class is PrivacyClass.SPECIFIC
    primary = _primary_mask(values, k, specific)
    hidden = primary.copy()
    for idx in values.index[primary.any(axis=1)]:
        hidden.loc[idx] = _complete_row(values.loc[idx], primary.loc[idx], k)
    out = table.frame.copy()
    for name in fields:
        out[name] = out[name].astype("Int64").mask(hidden[name])
    # A desa total below k would itself identify its few residents.
    small_total = out[TOTAL_FIELD].between(1 if not specific else 0, k - 1)
    out[TOTAL_FIELD] = out[TOTAL_FIELD].astype("Int64").mask(small_total)
    if small_total.any():
        out.loc[small_total, fields] = pd.NA
    protected = ProtectedTable(table=table, frame=out, k=k,
                               primary=int(primary.to_numpy().sum()),
                               secondary=int(hidden.to_numpy().sum() - primary.to_numpy().sum()))
    if small_total.any():
        protected.notes.append(f"{int(small_total.sum())} desa dengan jumlah di bawah ambang disembunyikan seluruhnya")
    return protected
