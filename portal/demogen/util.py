"""Small vectorised helpers shared by the demo-district generator modules."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

# Fixed reference date: ages, registration dates and timestamps are all relative to it, so the
# output never depends on the day the generator runs.
REF_DATE = np.datetime64("2026-11-01", "D")
DAYS_PER_YEAR = 365.2425


def pick(rng: np.random.Generator, n: int, weights: Mapping[int, float]) -> np.ndarray:
    """Draw ``n`` codes from a {code: weight} mapping (weights need not sum to one)."""
    codes = np.fromiter(weights.keys(), dtype=np.int64)
    p = np.fromiter(weights.values(), dtype=float)
    return codes[np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(codes) - 1)]


def pick_by_group(
    rng: np.random.Generator, group: np.ndarray, tables: Sequence[Mapping[int, float]]
) -> np.ndarray:
    """Draw one code per row from ``tables[group[i]]``, using one uniform draw per row."""
    u = rng.random(len(group))
    out = np.zeros(len(group), dtype=np.int64)
    for g, table in enumerate(tables):
        m = group == g
        codes = np.fromiter(table.keys(), dtype=np.int64)
        p = np.fromiter(table.values(), dtype=float)
        cum = np.cumsum(p / p.sum())
        out[m] = codes[np.searchsorted(cum, u[m], side="right").clip(0, len(codes) - 1)]
    return out


def pick_strings(
    rng: np.random.Generator, n: int, options: Sequence[str], weights: Sequence[float] | None = None
) -> np.ndarray:
    """Draw ``n`` strings from ``options`` (uniformly unless weights are given)."""
    arr = np.array(options, dtype=object)
    if weights is None:
        return arr[rng.integers(0, len(arr), n)]
    p = np.asarray(weights, dtype=float)
    return arr[rng.choice(len(arr), size=n, p=p / p.sum())]


def date_parts(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split datetime64[D] values into (day, month, year) integer arrays."""
    months = dates.astype("datetime64[M]")
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    month = months.astype(np.int64) % 12 + 1
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    return day, month, year


def date_strings(dates: np.ndarray) -> np.ndarray:
    """Format datetime64[D] values as YYYY-MM-DD strings (object array)."""
    return np.datetime_as_string(dates.astype("datetime64[D]"), unit="D").astype(object)


def datetime_strings(stamps: np.ndarray) -> np.ndarray:
    """Format datetime64[s] values as 'YYYY-MM-DD HH:MM:SS' strings (object array)."""
    text = np.datetime_as_string(stamps.astype("datetime64[s]"), unit="s")
    return np.char.replace(text, "T", " ").astype(object)


def serial_within(keys: np.ndarray) -> np.ndarray:
    """Number rows 1, 2, ... within each distinct key, in row order (for NIK/KK serials)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    serial = np.empty(len(keys), dtype=np.int64)
    serial[order] = np.arange(len(keys)) - run_start + 1
    return serial


def serial_continuing(keys: np.ndarray, seen: dict[int, int] | None) -> np.ndarray:
    """serial_within, carried on from earlier batches: ``seen`` holds each key's count so far."""
    serial = serial_within(keys)
    if seen is None or len(keys) == 0:
        return serial
    uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    base = np.fromiter((seen.get(k, 0) for k in uniq.tolist()), dtype=np.int64, count=len(uniq))
    seen.update(zip(uniq.tolist(), (base + counts).tolist()))
    return serial + base[inverse]


def digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """Return ``n`` random zero-padded digit strings of the given width (object array)."""
    out = np.zeros(n, dtype=np.int64)
    for _ in range(width):
        out = out * 10 + rng.integers(0, 10, n)
    return np.char.zfill(out.astype(f"U{width}"), width).astype(object)


def concat(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise string concatenation of arrays and/or scalars (object array)."""
    out: np.ndarray | str = ""
    for part in parts:
        arr = np.asarray(part, dtype=object) if not isinstance(part, str) else part
        out = np.asarray(out, dtype=object) + arr
    return np.asarray(out, dtype=object)
