"""The upload auditor's attack against one LP over the whole table, on random small tables.

attack() splits the hidden cells into groups that no sum ties together, settles a group in a
single sum in closed form (all at once) and solves LPs only for the rest. Whatever the split,
each hidden cell's range must be the one a single LP over every sum gives.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from portal.uploads.audit import attack
from portal.uploads.protect import protect

K = 5


def _ranges(values: np.ndarray, lines) -> dict[int, float]:
    """Each hidden cell's width under every sum at once (inf when unbounded above)."""
    hidden = [int(c) for c in np.flatnonzero(np.isnan(values))]
    position = {c: i for i, c in enumerate(hidden)}
    rows, rhs = [], []
    for total, children in lines:
        row, b = np.zeros(len(hidden)), 0.0
        for m, coef in ((total, -1.0), *((c, 1.0) for c in children)):
            if m in position:
                row[position[m]] += coef
            else:
                b -= coef * values[m]
        if row.any():
            rows.append(row)
            rhs.append(b)
    out = {}
    for c, i in position.items():
        if not any(row[i] for row in rows):
            continue  # in no sum: nothing bounds it but >= 0
        goal = np.zeros(len(hidden))
        goal[i] = 1.0
        low = linprog(goal, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None), method="highs")
        high = linprog(-goal, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None), method="highs")
        if high.status == 3:
            out[c] = np.inf  # unbounded above
        else:
            out[c] = float(-high.fun - low.fun)
    return out


@st.composite
def tables(draw):
    """Counts, sums that hold (a line broken by a later one is dropped) and some cells hidden."""
    n = draw(st.integers(min_value=3, max_value=24))
    values = np.array(draw(st.lists(st.sampled_from([0, 1, 2, 3, 6, 9, 20, 40]), min_size=n, max_size=n)), float)
    lines = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        total = draw(st.integers(min_value=0, max_value=n - 1))
        others = [i for i in range(n) if i != total]
        children = tuple(sorted(draw(st.lists(st.sampled_from(others), min_size=1, max_size=5, unique=True))))
        values[total] = values[list(children)].sum()
        lines.append((total, children))
    lines = [(t, c) for t, c in lines if values[t] == values[list(c)].sum()]
    hide = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return np.where(hide, np.nan, values), lines


@settings(max_examples=150, deadline=None, derandomize=True)
@given(tables())
def test_the_attack_finds_exactly_the_cells_one_lp_over_every_sum_narrows(table):
    values, lines = table
    narrow, _lps, narrowest = attack(values, lines, K)
    ranges = _ranges(values, lines)
    expected = sorted(c for c, width in ranges.items() if width < K - 1e-6)
    assert sorted(c for c, _w in narrow) == expected
    for cell, width in narrow:
        assert abs(width - ranges[cell]) < 1e-6
    finite = [w for w in ranges.values() if np.isfinite(w)]
    assert (narrowest is None) == (not finite)
    if finite:
        assert abs(narrowest - min(finite)) < 1e-6


def test_sums_that_contradict_each_other_fail_closed_in_their_group_only():
    # 0 = x + 1 cannot hold: x is reported pinned; cell 3, in another sum, keeps its range.
    values = np.array([0.0, np.nan, 1.0, np.nan, np.nan, 30.0])
    narrow, _lps, _w = attack(values, [(0, (1, 2)), (5, (3, 4))], K)
    assert narrow == [(1, 0.0)]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(tables())
def test_the_protector_leaves_nothing_the_attack_narrows(table):
    values, lines = table
    counts = np.nan_to_num(values, nan=7.0)
    lines = [(t, c) for t, c in lines if counts[t] == counts[list(c)].sum()]  # the sums still true
    protected = protect(counts, lines, K, specific=False)
    shown = np.where(protected.hidden, np.nan, counts)
    if not protected.notes:
        assert attack(shown, lines, K)[0] == []
    assert protected.hidden[(counts >= 1) & (counts < K)].all()
