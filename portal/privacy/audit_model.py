"""The attacker's view for the auditor: published CSVs parsed, every equation they imply.

Written apart from the protector on purpose: it knows nothing of how cells were chosen,
only the published files, their Table Schemas and what the catalogue tells everyone about
how the tables add up.
"""
from __future__ import annotations

import hashlib
import io
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from portal.privacy.policy import zero_by_definition
from portal.statistics.catalogue import get_spec
from portal.statistics.identities import margin_of

UNIT = "penduduk-dan-keluarga"
IDENTITY_TAG = "identitas:"  # tag of the equations a declared identity adds


class SchemaError(ValueError):
    """A published file does not match its declared Table Schema."""


@dataclass
class Published:
    """One table of one version as an attacker reads it."""

    name: str
    version: str                  # "baru" (this release) or "lama" (previously published)
    desa: np.ndarray
    kode: np.ndarray
    kategori: np.ndarray
    columns: list[str]            # the count columns
    values: np.ndarray            # float, NaN where hidden
    var: np.ndarray               # LP variable of each hidden cell, -1 where published
    structural: np.ndarray        # per cell: zero by the table's definition (men among women)

    @property
    def hidden(self) -> np.ndarray:
        """Cells published as a missing value."""
        return np.isnan(self.values)


def missing_values(schema: dict) -> set[str]:
    """The declared missing-value markers of a Table Schema (strings or labelled objects)."""
    out = set()
    for item in schema.get("missingValues", [""]):
        out.add(item["value"] if isinstance(item, dict) else str(item))
    return out


def count_columns(schema: dict) -> list[str]:
    """Integer fields outside the primary key: the published counts."""
    key = set(schema.get("primaryKey", []))
    return [f["name"] for f in schema["fields"] if f.get("type") == "integer" and f["name"] not in key]


# The auditor reads the same bytes many times (every attack of a release, every round of the
# harvest's settle step, the months a table is unchanged): the last PARSED_KEPT reads are
# kept by digest, their arrays read-only, each caller given its own LP variables.
PARSED_KEPT = 256
_PARSED: OrderedDict[bytes, Published] = OrderedDict()
_PARSED_LOCK = threading.Lock()


def parse(name: str, version: str, content: bytes, schema: dict) -> Published:
    """Read one published CSV; hidden cells become NaN. SchemaError on anything undeclared."""
    key = hashlib.blake2b(b"\0".join([name.encode(), version.encode(), content,
                                       json.dumps(schema, sort_keys=True, default=str).encode()]),
                          digest_size=20).digest()
    with _PARSED_LOCK:
        kept = _PARSED.get(key)
    if kept is None:
        kept = _read(name, version, content, schema)
        for array in (kept.desa, kept.kode, kept.kategori, kept.values, kept.structural):
            array.flags.writeable = False
    with _PARSED_LOCK:  # a server's threads may audit at once
        _PARSED[key] = kept
        _PARSED.move_to_end(key)
        while len(_PARSED) > PARSED_KEPT:
            _PARSED.popitem(last=False)
    return replace(kept, columns=list(kept.columns), var=np.full(kept.values.shape, -1, dtype=np.int64))


def _read(name: str, version: str, content: bytes, schema: dict) -> Published:
    """parse without the memo."""
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    columns = count_columns(schema)
    missing = missing_values(schema)
    for needed in ("kode_desa", "kode", "kategori", *columns):
        if needed not in frame.columns:
            raise SchemaError(f"{name}: kolom {needed} tidak ada")
    values = np.empty((len(frame), len(columns)))
    for i, column in enumerate(columns):
        raw = frame[column].str.strip()
        is_missing = raw.isin(missing)
        numbers = pd.to_numeric(raw.where(~is_missing), errors="coerce")
        known = numbers.dropna()
        if (numbers.isna() & ~is_missing).any() or (known < 0).any() or (known % 1 != 0).any():
            raise SchemaError(f"{name}: kolom {column} memuat nilai yang bukan bilangan cacah "
                              "atau nilai hilang yang dideklarasikan")
        values[:, i] = numbers.to_numpy(dtype=float)
    structural = zero_by_definition(_spec(name), frame["kode"].to_numpy(), columns, values)
    return Published(name=name, version=version, desa=frame["kode_desa"].to_numpy(),
                     kode=frame["kode"].astype(str).to_numpy(),
                     kategori=frame["kategori"].to_numpy(), columns=columns, values=values,
                     var=np.full(values.shape, -1, dtype=np.int64), structural=structural)


def _spec(name: str):
    """The catalogue's spec of a table, None for one it does not hold (an upload)."""
    try:
        return get_spec(name)
    except KeyError:
        return None


def total_rule(name: str) -> tuple[str, str | None, str | None]:
    """What the attacker knows a table adds up to: (kind, source table, source kode).

    kinds: none (its rows are totals), row (a published row), women (the perempuan column
    of the population row), bounded (a hidden total at most the population), own (a hidden
    total of its own: an unknown table). Read from the declared margins
    (statistics.identities.MARGINS), as anyone reading the catalogue would.
    """
    try:
        margin = margin_of(get_spec(name))
    except KeyError:
        return "own", None, None
    if margin is None:
        return "none", None, None
    table, kode, mode = margin
    if mode == "own":
        return "own", None, None
    return {"fixed": "row", "women": "women", "bounded": "bounded"}[mode], table, str(kode)


@dataclass
class Cell:
    """Where a variable sits, for findings; synthetic totals have kode None."""

    table: str
    version: str
    desa: str
    kode: str | None
    kategori: str
    column: str


@dataclass
class System:
    """Linear equations (= 0 after moving published values right) and inequalities (<=)."""

    cells: list[Cell] = field(default_factory=list)
    eq: list[tuple[dict[int, float], float, str]] = field(default_factory=list)
    ub: list[tuple[dict[int, float], float, str]] = field(default_factory=list)
    inconsistent: list[tuple[str, str, str]] = field(default_factory=list)  # (table, desa, what)
    # Declared identities the published numbers themselves contradict (table, desa, identity):
    # there the attacker learns the identity does not hold, and nothing else from it.
    contradicted: list[tuple[str, str, str]] = field(default_factory=list)
    # Per hidden cell coupled to a count published in its other version: the least value the
    # loosest change bound allows (that count minus the largest change anywhere). Every
    # attacker the auditor models places the cell at or above it (audit_build.add_coupling).
    floor: dict[int, float] = field(default_factory=dict)

    def new_var(self, cell: Cell) -> int:
        """A fresh variable for a hidden cell or a hidden total."""
        self.cells.append(cell)
        return len(self.cells) - 1

    def add(self, terms: list[tuple[float, int, float]], rhs: float, tag: str, kind: str = "eq",
            where: tuple[str, str] = ("", "")) -> None:
        """Add sum(coef * (var or value)) (= or <=) rhs; a constant-only one is just checked."""
        coefs: dict[int, float] = {}
        for coef, var, value in terms:
            if var >= 0:
                coefs[var] = coefs.get(var, 0.0) + coef
            else:
                rhs -= coef * value
        coefs = {v: c for v, c in coefs.items() if c != 0}
        if not coefs:
            if (kind == "eq" and abs(rhs) > 1e-6) or (kind == "ub" and rhs < -1e-6):
                broken = self.contradicted if tag.startswith(IDENTITY_TAG) else self.inconsistent
                broken.append((*where, tag))
            return
        (self.eq if kind == "eq" else self.ub).append((coefs, rhs, tag))


def term(table: Published, row: int, col: int) -> tuple[int, float]:
    """(variable, -1) for a hidden cell, (-1, value) for a published one."""
    var = int(table.var[row, col])
    return (var, 0.0) if var >= 0 else (-1, float(table.values[row, col]))
