"""Secondary suppression of one desa, jointly over every table released together.

The pattern is built so the attacker's feasibility intervals can be known without solving:
a table's hidden cells are always whole rows (jumlah, laki-laki, perempuan), at least two
rows per table, and in every count column the hidden rows together hold at least k people.
With the table's total published, each hidden cell can then be anything from 0 to that
column's hidden sum, so its interval is at least k wide, no hidden cell is alone in an
equation, and no row is derivably all-but-one or 90 % of its population. Where a total
cannot carry that (a desa too small for k), the total itself is hidden and every table
summing to it is hidden whole, which leaves the attacker with no upper bound at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

J, L, P = 0, 1, 2  # count columns: jumlah, laki_laki, perempuan
AVOID_COST = 1 << 40  # rows that are another table's total are picked last
# Rows the previous version published are picked only when no row hidden then will do: an
# attacker holding both versions bounds such a cell by its old value plus or minus the largest
# change seen between the versions (often 1 or 2 a month), far narrower than k. A row hidden
# in the previous version stays as wide as the previous pattern made it (see protect.py).
PUBLISHED_BEFORE_COST = 1 << 30


@dataclass
class Block:
    """One table's rows for one desa: values, the hidden rows, and how its total is known."""

    name: str
    values: np.ndarray          # m x 3 counts
    codes: np.ndarray           # category code of each row
    hidden: np.ndarray          # m bools: the row is suppressed
    k: int
    specific: bool
    columns: tuple[int, ...]    # count columns that can be hidden (structural zeros excluded)
    sensitive: np.ndarray       # m bools: the 90 % rule watches this category
    total: tuple[str, int] | None = None  # (table, kode) whose row is this table's total
    mode: str = "fixed"         # fixed: sums to a total; bounded: sums to at most it; none
    avoid: np.ndarray | None = None  # rows that are some other table's total
    published_before: np.ndarray | None = None  # rows the previous version published


@dataclass
class Steps:
    """Protection steps; tests switch one off to show the auditor catches what it prevents."""

    secondary: bool = True
    linked: bool = True
    carry_forward: bool = True
    insider: bool = True
    group: bool = True


@dataclass
class DesaResult:
    """What protecting one desa decided, for the report."""

    dark_populations: set[str] = field(default_factory=set)
    hidden_totals: list[tuple[str, int]] = field(default_factory=list)


def _total_values(blocks: dict[str, Block], block: Block) -> np.ndarray | None:
    """The published 3-vector this block sums to, or None when that total is hidden."""
    if block.total is None or block.total[0] not in blocks:
        return block.values.sum(axis=0)  # no linked total in the release: its own margin
    source = blocks[block.total[0]]
    row = np.flatnonzero(source.codes == block.total[1])
    if row.size == 0:
        return block.values.sum(axis=0)
    if source.hidden[row[0]]:
        return None
    total = source.values[row[0]].copy()
    if L not in block.columns and P in block.columns:
        total = np.array([total[P], 0, total[P]])  # a population of women: jumlah = perempuan
    return total


def _slack(block: Block, hidden: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Per column, how far the attacker's hidden cells may range (as in the module docstring)."""
    if block.mode == "bounded":
        return total - block.values[~hidden].sum(axis=0)
    return block.values[hidden].sum(axis=0)


def _group_forced(block: Block, total: np.ndarray) -> np.ndarray:
    """Sensitive rows that hold 90 % or more of their population: never published as is."""
    n = total[list(block.columns)]
    x = block.values[:, list(block.columns)]
    dominant = ((x >= 0.9 * n) & (n >= 1)).any(axis=1)
    return dominant & block.sensitive


def complete(block: Block, total: np.ndarray, steps: Steps) -> np.ndarray | None:
    """Hidden rows of one block that meet the pattern's rules; None when the total is too small."""
    hidden = block.hidden.copy()
    if steps.group and block.specific and block.mode == "fixed":
        hidden |= _group_forced(block, total)
    if not hidden.any() or not steps.secondary:
        return hidden
    # With the total hidden to the attacker (bounded mode) a single row is not alone.
    min_rows = 1 if block.mode == "bounded" else 2
    cost = block.values[:, J].astype(np.int64)
    if block.avoid is not None:
        cost = cost + AVOID_COST * block.avoid
    if block.published_before is not None:
        cost = cost + PUBLISHED_BEFORE_COST * block.published_before
    while True:
        count = int(hidden.sum())
        slack = _slack(block, hidden, total)
        # Two hidden rows: if one holds a single person, that person learns the other, so the
        # other must then stay at k or more (insider pair).
        need = block.k + 1 if (steps.insider and count == 2 and min_rows == 2) else block.k
        short = [c for c in block.columns if slack[c] < need]
        if count >= min_rows and not short:
            return hidden
        free = ~hidden
        if short:
            free &= (block.values[:, short] > 0).any(axis=1)
        if not free.any():
            return None
        hidden[np.flatnonzero(free)[np.argmin(cost[free])]] = True


def protect_desa(blocks: dict[str, Block], population: dict[str, str], steps: Steps,
                 unit_table: str) -> DesaResult:
    """Grow the hidden rows of every block of one desa until all rules hold (see module doc)."""
    result = DesaResult()
    for _ in range(4 * len(blocks) + 4):
        changed = False
        unit = blocks.get(unit_table)
        if unit is not None:
            for pop, kode in (("penduduk", 1), ("keluarga", 2)):
                row = np.flatnonzero(unit.codes == kode)
                if row.size and unit.hidden[row[0]] and pop not in result.dark_populations:
                    result.dark_populations.add(pop)
        for name, block in blocks.items():
            if name == unit_table or block.mode == "none":
                continue
            if population[name] in result.dark_populations and steps.linked:
                changed |= _hide_all(block)
                continue
            total = _total_values(blocks, block) if steps.linked else block.values.sum(axis=0)
            if total is None:
                # Its total is hidden: publishing any of it would pin it. Hidden whole, its
                # cells range up to the total's own maximum, so that total's table must give
                # it room for this table's k (a k = 10 table under a k = 5 margin).
                source = blocks[block.total[0]]
                if source.k < block.k and source.name != unit_table:
                    source.k = block.k
                    changed = True
                changed |= _hide_all(block)
                continue
            hidden = complete(block, total, steps)
            if hidden is None:
                if steps.linked and block.total is not None and block.total[0] in blocks:
                    source = blocks[block.total[0]]
                    source.hidden[np.flatnonzero(source.codes == block.total[1])[0]] = True
                    result.hidden_totals.append(block.total)
                    changed = True
                    continue
                hidden = np.ones_like(block.hidden)
            if (hidden != block.hidden).any():
                block.hidden = hidden
                changed = True
        if not changed:
            return result
    raise RuntimeError("secondary suppression did not converge")  # a bug, never data


def _hide_all(block: Block) -> bool:
    """Hide every row of a block; True when that changed anything."""
    if block.hidden.all():
        return False
    block.hidden[:] = True
    return True
