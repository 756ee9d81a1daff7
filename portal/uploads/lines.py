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
        for j in range(width):
            lines.append((total_row * width + j, tuple(c * width + j for c in children)))
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
        total = pd.Series(values, dtype="str").str.strip().str.casefold().isin(TOTAL_LABELS).to_numpy()
        if total.any():
            continue  # the table shows this sum itself (_category_lines)
        keys = pd.DataFrame({"k": codes, "p": period, **{f"d{i}": v for i, v in enumerate(dims) if i != d}})
        for rows in keys.groupby(list(keys.columns), sort=False).indices.values():
            if len(rows) < 2:
                continue
            for j in range(width):
                out.append((base + len(out), tuple(int(r) * width + j for r in rows)))
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


def _category_lines(codes, period, dims) -> list[tuple[int, list[int]]]:
    """A "jumlah" category = the other categories of its column, all else equal."""
    out = []
    for d, values in enumerate(dims):
        total = pd.Series(values, dtype="str").str.strip().str.casefold().isin(TOTAL_LABELS).to_numpy()
        if not total.any():
            continue
        keys = pd.DataFrame({"k": codes, "p": period, **{f"d{i}": v for i, v in enumerate(dims) if i != d}})
        for rows in keys.groupby(list(keys.columns), sort=False).indices.values():
            heads, parts = rows[total[rows]], rows[~total[rows]]
            if len(heads) == 1 and len(parts):
                out.append((int(heads[0]), [int(r) for r in parts]))
    return out


def cells_of(lines: list[Line]) -> dict[int, list[int]]:
    """Cell -> the lines it is in."""
    out: dict[int, list[int]] = defaultdict(list)
    for i, (total, children) in enumerate(lines):
        out[total].append(i)
        for c in children:
            out[c].append(i)
    return out
