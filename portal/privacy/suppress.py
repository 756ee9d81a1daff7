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
    identities: bool = True  # check the pattern against the declared identities (protect_lp)


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


Link = tuple[tuple[str, int], tuple[str, int]]  # two rows a declared identity makes equal


def hide_together(blocks: dict[str, Block], link: Link) -> bool:
    """Hide both rows of an equality identity when either is hidden; True when that changed.

    Published, one row would give the other away (heads of family = families by sex).
    """
    rows = []
    for name, code in link:
        if name not in blocks:
            return False
        found = np.flatnonzero(blocks[name].codes == code)
        if not found.size:
            return False
        rows.append((blocks[name], found[0]))
    changed = _lift_k(blocks, link)
    if not any(b.hidden[r] for b, r in rows) or all(b.hidden[r] for b, r in rows):
        return changed
    for b, r in rows:
        b.hidden[r] = True
    return True


def _lift_k(blocks: dict[str, Block], link: Link) -> bool:
    """When the linked rows are hidden, each is the other's twin: a table summing to one row
    ranges only as far as the other row's table lets it, so that table needs the larger k."""
    rows = {name: np.flatnonzero(blocks[name].codes == code)[0] for name, code in link}
    if not all(blocks[name].hidden[r] for name, r in rows.items()):
        return False
    changed = False
    for (name, code), (other, _code) in (link, link[::-1]):
        need = max((b.k for b in blocks.values() if b.total == (name, code)), default=0)
        if blocks[other].mode != "none" and blocks[other].k < need:
            blocks[other].k = need
            changed = True
    return changed


def protect_desa(blocks: dict[str, Block], population: dict[str, str], steps: Steps,
                 unit_table: str, links: tuple[Link, ...] = ()) -> DesaResult:
    """Grow the hidden rows of every block of one desa until all rules hold (see module doc).

    Rows that are another table's total or half of an equality link, once hidden, are
    decisions about the whole desa: the pattern is grown again from the start with them
    hidden, so it does not depend on the order they were found in (a re-harvest that carries
    them forward from the previous version reaches the same pattern).
    """
    start = {name: b.hidden.copy() for name, b in blocks.items()}
    key_rows = _key_rows(blocks, links)
    while True:
        result = _grow(blocks, population, steps, unit_table, links)
        decided = {name: start[name] | (blocks[name].hidden & key_rows[name]) for name in blocks}
        if all((decided[name] == start[name]).all() for name in blocks):
            return result
        start = decided
        for name, block in blocks.items():
            block.hidden = start[name].copy()


def _key_rows(blocks: dict[str, Block], links: tuple[Link, ...]) -> dict[str, np.ndarray]:
    """Per block, rows that are some block's total or half of an equality link."""
    keys = {(b.total[0], b.total[1]) for b in blocks.values() if b.total is not None}
    keys |= {row for link in links for row in link}
    return {name: np.isin(b.codes, [code for table, code in keys if table == name]) for name, b in blocks.items()}


def _grow(blocks: dict[str, Block], population: dict[str, str], steps: Steps,
          unit_table: str, links: tuple[Link, ...]) -> DesaResult:
    """One growth of every block's hidden rows until no rule adds any."""
    result = DesaResult()
    for _ in range(4 * len(blocks) + 4 * len(links) + 4):
        changed = False
        if steps.linked:
            for link in links:
                changed |= hide_together(blocks, link)
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
