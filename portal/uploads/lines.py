"""The sums a reader of the published table knows: the table's own totals.

Three kinds, read from the table and its schema alone (so the protector and the auditor
derive the same equations, as an attacker would):

- area: a kecamatan row is the sum of its desa rows, the district row the sum of its
  kecamatan rows (or of its desa rows when no kecamatan row is given), for the same period
  and categories;
- category: a row whose category is "jumlah" / "total" / "semua" is the sum of the rows of
  the other categories of that column, all else equal;
- measure: a count column declared ``total_of`` (or "jumlah" beside two or more counts) is
  the sum of those columns in its row.

A cell is ``row * width + column`` over the count columns. A line is (total, children).

And one the table does not show (``margin_lines``): what the same areas add up to elsewhere.
The portal's harvest publishes each desa's population and families by category; an OPD's
count of people per desa and category may be a split of that same total. Unless a
category column has its own "jumlah" row, the sum of its categories (all else equal) is
assumed known to an attacker: a virtual total cell, published, never hidden. When in doubt,
the protector hides as if it were, and the report says so.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd

TOTAL_LABELS = frozenset({"jumlah", "total", "semua", "jumlah total", "total keseluruhan", "seluruhnya"})
Line = tuple[int, tuple[int, ...]]


def is_total(value: str) -> bool:
    """A category value that stands for the sum of the other categories."""
    return value.strip().casefold() in TOTAL_LABELS


def build_lines(codes: np.ndarray, period: np.ndarray, dims: list[np.ndarray], count_names: list[str],
                total_of: dict[str, list[str]]) -> list[Line]:
    """Every line of the table (see the module's text)."""
    width = len(count_names)
    rows = len(codes)
    lines: list[Line] = []
    row_lines = _area_lines(codes, period, dims) + _category_lines(codes, period, dims)
    for total_row, children in row_lines:
        base = np.asarray(children, dtype=np.int64) * width
        for j in range(width):
            lines.append((total_row * width + j, tuple((base + j).tolist())))
    index = {name: j for j, name in enumerate(count_names)}
    for name, parts in total_of.items():
        t, ps = index[name], [index[p] for p in parts]
        lines += [(r * width + t, tuple(r * width + p for p in ps)) for r in range(rows)]
    return lines


def margin_lines(codes: np.ndarray, period: np.ndarray, dims: list[np.ndarray], width: int) -> list[Line]:
    """Virtual totals (cells ``rows * width + i``) of each category column without a "jumlah" row."""
    out: list[Line] = []
    base = len(codes) * width
    for d, values in enumerate(dims):
        if _totals(values).any():
            continue  # the table shows this sum itself (_category_lines)
        for rows in _groups([codes, period, *(v for i, v in enumerate(dims) if i != d)]):
            if len(rows) < 2:
                continue
            cells = np.asarray(rows, dtype=np.int64) * width
            for j in range(width):
                out.append((base + len(out), tuple((cells + j).tolist())))
    return out


def _area_lines(codes, period, dims) -> list[tuple[int, list[int]]]:
    """Kecamatan = its desa; district = its kecamatan (or its desa)."""
    dots = np.char.count(np.asarray(codes, dtype=str), ".")
    if not len(codes) or dots.min() == dots.max():
        return []  # one level only: no row totals another
    groups: dict[tuple, dict[str, int]] = defaultdict(dict)
    for r, key in enumerate(zip(period, *dims)):
        groups[key][codes[r]] = r
    out = []
    for members in groups.values():
        by_level: dict[int, list[str]] = defaultdict(list)
        for code in members:
            by_level[code.count(".")].append(code)
        for code in by_level.get(2, []):  # kecamatan
            kids = [members[c] for c in by_level.get(3, []) if c.startswith(code + ".")]
            if kids:
                out.append((members[code], kids))
        for code in by_level.get(1, []):  # the district
            finer = by_level.get(2) or by_level.get(3) or []
            kids = [members[c] for c in finer if c.startswith(code + ".")]
            if kids:
                out.append((members[code], kids))
    return out


def _totals(values) -> np.ndarray:
    """Which rows of a category column are its "jumlah" (each distinct value looked at once)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    flags = np.array([is_total(str(u)) for u in uniques], dtype=bool)
    return flags[codes] if len(flags) else np.zeros(len(codes), dtype=bool)


def _groups(columns: list) -> list[np.ndarray]:
    """Row positions of each distinct combination of ``columns``: groups in order of first
    appearance, rows ascending (as pandas' ``groupby(sort=False).indices``), from integer
    codes of each column instead of grouping the text."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(np.asarray(column, dtype=object))
        key, _ = pd.factorize(key * (len(uniques) + 1) + (codes + 1))
    order = np.argsort(key, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(key[order])) + 1) if len(order) else []


def _category_lines(codes, period, dims) -> list[tuple[int, list[int]]]:
    """A "jumlah" category = the other categories of its column, all else equal."""
    out = []
    for d, values in enumerate(dims):
        total = _totals(values)
        if not total.any():
            continue
        for rows in _groups([codes, period, *(v for i, v in enumerate(dims) if i != d)]):
            heads, parts = rows[total[rows]], rows[~total[rows]]
            if len(heads) == 1 and len(parts):
                out.append((int(heads[0]), parts.tolist()))
    return out


@dataclass(frozen=True)
class LineArrays:
    """The lines as flat arrays, for counting and summing them all at once.

    ``members`` holds each line's total then its children, line after line; ``owner`` the line
    of each member, ``starts`` where each line begins (its total).
    """

    members: np.ndarray
    owner: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, lines: list[Line]) -> LineArrays:
        """The arrays of ``lines``."""
        sizes = np.fromiter((1 + len(children) for _total, children in lines), dtype=np.int64,
                            count=len(lines))
        members = np.fromiter(chain.from_iterable((total, *children) for total, children in lines),
                              dtype=np.int64, count=int(sizes.sum()))
        starts = np.zeros(len(lines), dtype=np.int64)
        np.cumsum(sizes[:-1], out=starts[1:])
        return cls(members, np.repeat(np.arange(len(lines), dtype=np.int64), sizes), starts)

    @property
    def totals(self) -> np.ndarray:
        """The total cell of each line."""
        return self.members[self.starts]

    def count(self, flags: np.ndarray) -> np.ndarray:
        """Per line, how many of its members (total included) are flagged (cell flags)."""
        return np.bincount(self.owner, weights=flags[self.members], minlength=len(self.starts)).astype(np.int64)

    def child_sums(self, values: np.ndarray) -> np.ndarray:
        """Per line, the sum of its children's values (cell values, float)."""
        every = np.bincount(self.owner, weights=values[self.members], minlength=len(self.starts))
        return every - values[self.totals]

    def lines_of(self) -> LineIndex:
        """An index from a cell to the lines it is in."""
        order = np.argsort(self.members, kind="stable")
        return LineIndex(self.members[order], self.owner[order])


@dataclass(frozen=True)
class LineIndex:
    """Cell -> the lines it is in (sorted members and their lines)."""

    cells: np.ndarray
    lines: np.ndarray

    def get(self, cell: int, default: list[int] | None = None) -> list[int]:
        """The lines holding ``cell``, in line order (``default`` or [] when none)."""
        low, high = np.searchsorted(self.cells, [cell, cell + 1])
        return self.lines[low:high].tolist() or list(default or [])
