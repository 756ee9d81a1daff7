"""Hide small counts of an upload, and enough other cells that its own totals cannot give them back.

Primary: counts 1..k-1 (0..k-1 in specific data, so a zero looks like a small count).
Secondary: a sum (lines.py) with exactly one hidden cell would give it back, so one more cell
of that sum is hidden, the smallest non-zero one first; then the auditor's attack (audit.py)
is run on the pattern and a cell it can still narrow below k gets one more partner in its
sum with the fewest hidden cells, until nothing is narrow or the rounds run out (then the
independent audit of the published file fails and the gate refuses the draft).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from portal.uploads.audit import attack
from portal.uploads.lines import Line, LineArrays

MAX_ROUNDS = 60


@dataclass
class Protected:
    """The hidden cells (flat, over the count columns) and how many of each kind."""

    hidden: np.ndarray
    primary: int
    secondary: int
    notes: list[str] = field(default_factory=list)


def primary_mask(values: np.ndarray, k: int, specific: bool) -> np.ndarray:
    """Cells in 1..k-1 (0..k-1 in specific data)."""
    low = 0 if specific else 1
    return (values >= low) & (values < k)


def _partner(line: Line, values: np.ndarray, hidden: np.ndarray, known: np.ndarray) -> int | None:
    """The cell of a sum to hide next: the smallest non-zero published one (a child first);
    never a cell ``known`` elsewhere (a virtual total, or a value the harvest publishes)."""
    total, children = line
    candidates = [c for c in children if not hidden[c] and not known[c]] or (
        [total] if not hidden[total] and not known[total] else [])
    if not candidates:
        return None
    return min(candidates, key=lambda c: (values[c] == 0, values[c]))


def _singletons(values: np.ndarray, hidden: np.ndarray, lines: list[Line], known: np.ndarray,
                arrays: LineArrays) -> None:
    """Hide partners until no sum has exactly one hidden cell (the sums are counted all at
    once; only those with one hidden cell are looked at, in order, one by one)."""
    changed = True
    while changed:
        changed = False
        for i in np.flatnonzero(arrays.count(hidden & ~known) == 1).tolist():
            line = lines[i]
            if sum(1 for m in (line[0], *line[1]) if hidden[m] and not known[m]) != 1:
                continue  # a partner hidden for an earlier sum was in this one too
            partner = _partner(line, values, hidden, known)
            if partner is not None:
                hidden[partner] = True
                changed = True


def protect(values: np.ndarray, lines: list[Line], k: int, specific: bool, real: int | None = None,
            forced: np.ndarray | None = None, pinned: np.ndarray | None = None) -> Protected:
    """The suppression pattern of a table's counts (``values`` flat, integers; cells from
    ``real`` on are virtual totals, published elsewhere, never hidden; ``forced``: cells over
    ``real`` hidden whatever their value, counted as secondary, e.g. crosscheck.py's;
    ``pinned``: cells over ``real`` whose value is published elsewhere, never a partner)."""
    real = len(values) if real is None else real
    primary = primary_mask(values, k, specific)
    primary[real:] = False
    hidden = primary.copy()
    if forced is not None:
        hidden[:real] |= forced
    known = np.zeros(len(values), dtype=bool)
    known[real:] = True
    if pinned is not None:
        known[:real] |= pinned
    arrays = LineArrays.of(lines)
    _singletons(values, hidden, lines, known, arrays)
    member_of = arrays.lines_of()
    notes = []
    for _ in range(MAX_ROUNDS):
        narrow, _lps, _w = attack(np.where(hidden & ~known, np.nan, values.astype(float)), lines, k, arrays)
        if not narrow:
            break
        for cell, _width in narrow:
            options = sorted(member_of.get(cell, []),
                             key=lambda i: sum(hidden[m] and not known[m] for m in (lines[i][0], *lines[i][1])))
            for i in options:
                partner = _partner(lines[i], values, hidden, known)
                if partner is not None:
                    hidden[partner] = True
                    break
        _singletons(values, hidden, lines, known, arrays)
    else:
        notes.append("pola penyembunyian belum aman setelah batas putaran: auditor akan menolak")
    return Protected(hidden[:real], int(primary.sum()), int(hidden.sum() - primary.sum()), notes)
