"""Suppress small counts and their complements, jointly over all tables released together."""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portal.core.cells import SUPPRESSED
from portal.core.vocabularies import PrivacyClass
from portal.privacy.policy import sensitive_codes, table_class, whole_columns, zero_by_definition
from portal.privacy.protect_lp import View, narrow_cells, widen
from portal.privacy.suppress import AVOID_COST, PUBLISHED_BEFORE_COST, Block, Link, Steps, protect_desa
from portal.statistics.catalogue import COUNT_FIELDS
from portal.statistics.compute import StatTable
from portal.statistics.identities import (
    CARRIED_OVER,
    MARITAL_TABLE,
    UNIT_TABLE,
    margin_of,
    relations_for,
)


@dataclass
class ProtectedTable:
    """A table ready to publish: counts with hidden cells as <NA>, plus what was hidden."""

    table: StatTable
    frame: pd.DataFrame
    k: int
    primary: int = 0
    secondary: int = 0
    notes: list[str] = field(default_factory=list)
    # What the harvest's settle step did after the independent auditor's findings (REMEDIES):
    # {"kind", "cells", "desa", "rung", "reason"}; None when the auditor found nothing here.
    remedy: dict | None = None
    # Kept by the protector's own check (_hold_back): the rows, (kode_desa, kategori), whose
    # change between versions is too small to hide them; the settle step's ladder starts there.
    narrow: list[tuple[str, str]] = field(default_factory=list)

    def report(self) -> dict:
        """Privacy report of this table (counts of hidden cells, never their values)."""
        out = {"table": self.table.spec.name, "k": self.k,
               "privacy_class": table_class(self.table.spec).value,
               "cells": int(self.frame[list(COUNT_FIELDS)].size),
               "suppressed_primary": self.primary, "suppressed_secondary": self.secondary,
               "notes": self.notes}
        if self.remedy is not None:
            out["remedy"] = dict(self.remedy)
        return out


def threshold_for(table: StatTable, k_general: int, k_specific: int) -> int:
    """k for this table: stricter for UU PDP specific data; never below 3."""
    specific = table_class(table.spec) is PrivacyClass.SPECIFIC
    return max(3, k_specific if specific else k_general)


def primary_mask(values: np.ndarray, k: int, specific: bool) -> np.ndarray:
    """Cells in 1..k-1 (0..k-1 in specific-data tables, so a zero looks like a small count)."""
    low = 0 if specific else 1
    return (values >= low) & (values < k)


def total_of(spec) -> tuple[tuple[str, int] | None, str]:
    """Which published row a table's categories sum to, and how (fixed, bounded or none).

    Read from the declared margins (statistics.identities), the ones the auditor assumes.
    """
    margin = margin_of(spec)
    if margin is None:
        return None, "none"
    table, kode, mode = margin
    if mode == "own":
        return None, "fixed"  # an unknown population: its own margin, as if published
    return (table, kode), ("bounded" if mode == "bounded" else "fixed")


def _structural(table: StatTable, values: np.ndarray) -> np.ndarray:
    """Count cells (n x 3) that are zero by definition (men in a table of women, men on the
    pill): published as 0 (policy.zero_by_definition, which the auditor reads too)."""
    return zero_by_definition(table.spec, table.frame["kode"].to_numpy(), list(COUNT_FIELDS), values)


class Previous(dict):
    """The previous published versions by table name (text frames, "x" for hidden, as read from
    their CSV), with what the protector derives from each worked out once and kept: its counts
    as numbers (numbers), its rows hidden and published (carried), its frame as a kept table
    (held). One harvest protects its release several times against the same versions (the
    settle step's rounds): each version is converted once, and only the ones a round needs.
    The frames are read, never changed."""

    def __init__(self, frames=None):
        super().__init__(frames or {})
        self._numbers: dict[str, pd.DataFrame] = {}
        self._rows: dict[str, tuple[pd.MultiIndex, pd.MultiIndex]] = {}
        self._carried: dict[str, tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray]]] = {}
        self._held: dict[str, tuple[pd.DataFrame, int]] = {}
        self._here: dict[str, tuple[pd.DataFrame, pd.MultiIndex]] = {}
        self._stable: dict[tuple[str, int, bytes], pd.MultiIndex] = {}

    def numbers(self, name: str) -> pd.DataFrame:
        """The version's counts as published (NaN where hidden), indexed by (kode_desa, kode)."""
        if name not in self._numbers:
            self._numbers[name] = _numbers(self[name])
        return self._numbers[name]

    def rows(self, name: str) -> tuple[pd.MultiIndex, pd.MultiIndex]:
        """(kode_desa, kode) of the rows it hid (with the awal rows they carry over to), and of
        the rows it published."""
        if name not in self._rows:
            previous = self[name]
            counts = [c for c in COUNT_FIELDS if c in previous.columns]
            was_hidden = previous[counts].astype(str).eq(SUPPRESSED).any(axis=1).to_numpy()
            old = _keys(previous)
            self._rows[name] = (old[was_hidden].append(_carried_over(old[was_hidden], name)), old[~was_hidden])
        return self._rows[name]

    def carried(self, name: str, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Rows of this release's frame hidden in the previous published version (they stay
        hidden), and rows it published; kept while the frame is the same object.

        Why this is what the versions attack needs (the attacker bounds every cell hidden in
        either version by its other version's value plus or minus d, the largest change among
        cells published in both):
        - a row hidden before stays hidden, so nothing of it is published now to difference
          against: its old cells keep at least the room the old pattern gave them, and the new
          pattern (built by suppress.complete on top of it) gives the new cells k of their own;
        - secondary cells are taken from rows hidden before first (suppress.PUBLISHED_BEFORE_COST),
          because a row published before and hidden now is pinned to its old value plus or minus
          d, whatever else is hidden;
        - only a primary cell (a published count that is now 1..k-1, or a published 0 that is now
          small) or a total too small for k can force such a row; its interval is then at most 2d
          wide and the auditor refuses the release when that is under k. No suppression pattern
          can widen it: the table is kept at its previous version instead (_hold_back), or, when
          it cannot be, these rows are named in the table's notes and the gate decides.
        """
        done = self._carried.get(name)
        if done is None or done[0] is not frame:
            hidden, published = self.rows(name)
            here = self.here(name, frame)
            done = self._carried[name] = (frame, (here.isin(hidden), here.isin(published)))
        return done[1][0].copy(), done[1][1].copy()

    def here(self, name: str, frame: pd.DataFrame) -> pd.MultiIndex:
        """_keys of this release's frame of the table (kept while it is the same frame)."""
        done = self._here.get(name)
        if done is None or done[0] is not frame:
            self._stable = {key: rows for key, rows in self._stable.items() if key[0] != name}
            done = self._here[name] = (frame, _keys(frame))
        return done[1]

    def stable_rows(self, name: str, table: pd.DataFrame, protected: pd.DataFrame, k: int) -> pd.MultiIndex:
        """_stable_rows of a protected frame of the table against this version; ``table`` is
        the counted frame it was made from (_finish: a copy with the counts masked, so the
        same rows in the same order). Kept by its hidden pattern: the settle step's rounds
        meet the same pattern of most tables again."""
        counts, values = _count_values(protected)
        digest = hashlib.blake2b(repr(counts).encode() + values.tobytes(), digest_size=20).digest()
        here = self.here(name, table)
        if (name, k, digest) not in self._stable:
            new = pd.DataFrame(values, index=here, columns=counts)
            self._stable[(name, k, digest)] = _stable_rows(new, self.numbers(name), k)
        return self._stable[(name, k, digest)]

    def held(self, name: str) -> tuple[pd.DataFrame, int]:
        """The version as a kept table's frame (counts as Int64, <NA> hidden; a copy each
        call), and how many of its count cells are hidden."""
        if name not in self._held:
            frame = self[name].copy()
            for c in COUNT_FIELDS:
                if c in frame.columns:
                    shown = frame[c].where(frame[c] != SUPPRESSED)
                    frame[c] = pd.to_numeric(shown, errors="coerce").astype("Int64")
            hidden = int(frame[[c for c in COUNT_FIELDS if c in frame.columns]].isna().to_numpy().sum())
            self._held[name] = (frame, hidden)
        frame, hidden = self._held[name]
        return frame.copy(), hidden


def as_previous(previous: dict[str, pd.DataFrame] | None) -> Previous:
    """The previous versions as a Previous (the same object when it is one already)."""
    return previous if isinstance(previous, Previous) else Previous(previous)


@dataclass
class _Prepared:
    table: StatTable
    values: np.ndarray
    k: int
    specific: bool
    structural: np.ndarray
    primary: np.ndarray        # n x 3 cells
    hidden_rows: np.ndarray    # n rows
    groups: dict[str, np.ndarray]
    sensitive: np.ndarray
    avoid: np.ndarray
    published_before: np.ndarray  # n rows: the previous version published the row


def _prepare(table: StatTable, k: int, previous: Previous, steps: Steps,
             links: tuple[Link, ...] = (), force: set[tuple[str, str]] | None = None) -> _Prepared:
    values = table.frame[list(COUNT_FIELDS)].to_numpy(dtype=np.int64)
    specific = table_class(table.spec) is PrivacyClass.SPECIFIC
    structural = _structural(table, values)
    primary = primary_mask(values, k, specific) & ~structural
    hidden = primary.any(axis=1)
    if force:  # rows the settle step hides more after the auditor's findings (hidden_more)
        hidden |= previous.here(table.spec.name, table.frame).isin(list(force))
    published_before = np.zeros(len(hidden), dtype=bool)
    if table.spec.name in previous and steps.carry_forward:
        was_hidden, published_before = previous.carried(table.spec.name, table.frame)
        hidden |= was_hidden
    codes = table.frame["kode"].to_numpy()
    watched = sensitive_codes(table.spec, [c.code for c in table.categories]) if specific else set()
    avoid = (codes == 2) if table.spec.name == MARITAL_TABLE else np.zeros(len(codes), bool)
    avoid |= np.isin(codes, [code for link in links for name, code in link if name == table.spec.name])
    return _Prepared(table, values, k, specific, structural, primary, hidden,
                     table.frame.groupby("kode_desa", sort=False).indices,
                     np.isin(codes, list(watched)), avoid, published_before)


def _carried_over(hidden: pd.MultiIndex, name: str) -> pd.MultiIndex:
    """The awal rows whose last month's akhir row was hidden (statistics.identities.CARRIED_OVER:
    this month's awal is last month's akhir, and the auditor assumes it): they take that
    pattern, so the two months' equations meet a hidden cell with a hidden one."""
    moved = {str(akhir): str(awal) for table, akhir, awal in CARRIED_OVER if table == name}
    codes = hidden.get_level_values(1)
    keep = codes.isin(list(moved))
    return pd.MultiIndex.from_arrays([hidden.get_level_values(0)[keep], codes[keep].map(moved)])


def _keys(frame: pd.DataFrame) -> pd.MultiIndex:
    """(kode_desa, kode) of every row, as text (the previous version is read as text)."""
    return pd.MultiIndex.from_arrays([frame["kode_desa"].astype(str), frame["kode"].astype(str)])


def equality_links(names: set[str]) -> tuple[Link, ...]:
    """Pairs of single rows a declared identity makes equal: hidden together, picked last."""
    out = []
    for _identity, rel in relations_for(names):
        sides = (*rel.left, *rel.right)
        if rel.op == "=" and len(sides) == 2 and all(s.codes and len(s.codes) == 1 for s in sides):
            out.append(((rel.left[0].table, rel.left[0].codes[0]), (rel.right[0].table, rel.right[0].codes[0])))
    return tuple(out)


def protect_release(tables: list[StatTable], k_general: int, k_specific: int,
                    previous: dict[str, pd.DataFrame] | None = None,
                    steps: Steps | None = None,
                    force: dict[str, set[tuple[str, str]]] | None = None,
                    k_for: dict[str, int] | None = None) -> list[ProtectedTable]:
    """Joint protection of all tables harvested together, desa by desa (see suppress.py).

    ``force`` names rows, (kode_desa, kode) as text per table, hidden from the start like a
    small count (the settle step's finer remedy, hidden_more); ``k_for`` gives a table's k
    when it is already known (protected before), else threshold_for decides.
    """
    steps = steps or Steps()
    previous = as_previous(previous)
    force, k_for = force or {}, k_for or {}
    links = equality_links({t.spec.name for t in tables}) if steps.identities else ()
    prepared = {t.spec.name: _prepare(t, k_for.get(t.spec.name) or threshold_for(t, k_general, k_specific),
                                      previous, steps, links, force.get(t.spec.name))
                for t in tables}
    population = {name: ("keluarga" if p.table.spec.unit == "keluarga" else "penduduk")
                  for name, p in prepared.items()}
    desa_codes = list(dict.fromkeys(code for p in prepared.values() for code in p.groups))
    notes = _protect_every_desa(prepared, population, steps, links, desa_codes)
    for name, p in prepared.items():
        newly = p.hidden_rows & p.published_before
        if newly.any():
            notes[name].add(f"{int(newly.sum())} baris yang terbit di versi sebelumnya kini "
                            "disembunyikan: rentangnya dibatasi perubahan antarversi")
    out = [_finish(p, sorted(notes[name])) for name, p in prepared.items()]
    if previous and steps.carry_forward:
        out = _hold_back(out, prepared, previous)
    return out


# Every desa is protected on its own (protect_desa, then the identities by LP, desa by desa):
# its pattern is a function of its own rows and the release's shape alone, never of another
# desa. So a desa protected before from the same inputs (the settle step protecting the
# release again with rows forced in a few desa) takes its pattern and notes from DESA_DONE.
DESA_DONE: OrderedDict[bytes, tuple[dict[str, bytes], tuple[tuple[str, str], ...]]] = OrderedDict()
DESA_KEPT = 4_000  # a few releases of a large district (some kB each)


def _protect_every_desa(prepared: dict[str, _Prepared], population: dict[str, str], steps: Steps,
                        links: tuple[Link, ...], desa_codes: list[str]) -> dict[str, set[str]]:
    """Every desa's pattern (suppress.protect_desa, then the declared identities): from
    DESA_DONE where the same desa was protected before, else anew. Notes per table."""
    notes: dict[str, set[str]] = {name: set() for name in prepared}
    keys = _desa_keys(prepared, population, steps, links, desa_codes)
    initial = {name: p.hidden_rows.copy() for name, p in prepared.items()}  # primary and carried
    fresh = [desa for desa in desa_codes if keys[desa] not in DESA_DONE]
    said: dict[str, list[tuple[str, str]]] = {desa: [] for desa in fresh}
    for desa in fresh:
        blocks = {name: _block(p, desa) for name, p in prepared.items() if desa in p.groups}
        result = protect_desa(blocks, population, steps, UNIT_TABLE, links)
        for name, block in blocks.items():
            prepared[name].hidden_rows[prepared[name].groups[desa]] = block.hidden
        for pop in sorted(result.dark_populations):
            said[desa] += [(name, f"desa {desa}: seluruh tabel disembunyikan (populasi kecil)")
                           for name in blocks if population[name] == pop]
    if fresh and steps.identities and steps.linked and steps.secondary:
        for desa, name, note in _enforce_identities(prepared, population, steps, links, fresh, initial):
            said[desa].append((name, note))
    for desa in fresh:
        DESA_DONE[keys[desa]] = ({name: p.hidden_rows[p.groups[desa]].tobytes()
                                  for name, p in prepared.items() if desa in p.groups}, tuple(said[desa]))
    for desa in desa_codes:
        hidden, told = DESA_DONE[keys[desa]]
        DESA_DONE.move_to_end(keys[desa])
        for name, bits in hidden.items():
            prepared[name].hidden_rows[prepared[name].groups[desa]] = np.frombuffer(bits, bool)
        for name, note in told:
            notes[name].add(note)
    while len(DESA_DONE) > DESA_KEPT:
        DESA_DONE.popitem(last=False)
    return notes


def _desa_keys(prepared: dict[str, _Prepared], population: dict[str, str], steps: Steps,
               links: tuple[Link, ...], desa_codes: list[str]) -> dict[str, bytes]:
    """Per desa, a digest of everything its protection reads: the release's tables in order
    with their k, totals and margins, the steps, links and declared identities between
    them, and every row of the desa (counts, codes, rows hidden from the start, sensitive,
    avoided, published before, cells zero by definition)."""
    shape = hashlib.blake2b(digest_size=20)
    relations = [rel for _identity, rel in relations_for(set(prepared))]  # as declared now
    shape.update(repr((steps, links, UNIT_TABLE, relations)).encode())
    rows_of = {}
    for name, p in prepared.items():
        shape.update(repr((name, population[name], total_of(p.table.spec), margin_of(p.table.spec), p.k,
                           p.specific)).encode())
        codes = p.table.frame["kode"].to_numpy()
        codes = codes if codes.dtype.kind in "iub" else codes.astype(str)
        rows_of[name] = (p.values, codes, p.hidden_rows, p.sensitive, p.avoid, p.published_before,
                         p.structural)
    out = {}
    for desa in desa_codes:
        digest = shape.copy()
        digest.update(repr(desa).encode())
        for name, p in prepared.items():
            rows = p.groups.get(desa)
            if rows is None:
                continue
            digest.update(name.encode() + b"\0")
            for part in rows_of[name]:
                digest.update(np.ascontiguousarray(part[rows]).tobytes())
        out[desa] = digest.digest()
    return out


IDENTITY_ROUNDS = 60  # rows added one per desa per round; a bug, never data, needs more


def _enforce_identities(prepared: dict[str, _Prepared], population: dict[str, str], steps: Steps,
                        links: tuple[Link, ...], desa_list: list[str],
                        initial: dict[str, np.ndarray]) -> list[tuple[str, str, str]]:
    """Hide more rows where a declared identity narrows a hidden cell below k (protect_lp).

    Desa by desa: bound every hidden cell under every relation the protector knows; for a
    desa with a narrow cell pick one more row to hide (from the identity's sides, cheapest
    first), build that desa's pattern again from its primary and carried rows plus the rows
    picked so far, and repeat for the desa that changed. Rebuilding from the start keeps the
    result independent of the order rows were found in, so protecting again with this
    release as the previous version gives the same pattern. Returns notes for the report:
    (desa, table, why) where no row was left to hide.
    """
    forced = {name: np.zeros_like(mask) for name, mask in initial.items()}
    views = {name: View(name, p.table.spec, p.values, p.hidden_rows, p.structural,
                        p.table.frame["kode"].to_numpy(), p.groups, p.k) for name, p in prepared.items()}
    cost = {name: p.values[:, 0] + AVOID_COST * p.avoid + PUBLISHED_BEFORE_COST * p.published_before
            for name, p in prepared.items()}
    todo, notes = desa_list, []
    for _ in range(IDENTITY_ROUNDS):
        narrow: dict[str, list] = {}
        for cell in narrow_cells(views, todo):
            narrow.setdefault(cell.desa, []).append(cell)
        todo = []
        for desa, cells in narrow.items():
            before = {name: p.hidden_rows.copy() for name, p in prepared.items()}
            if any(widen(views, cell, cost) for cell in cells[:1]):
                for name, p in prepared.items():
                    forced[name] |= p.hidden_rows & ~before[name]
                    rows = p.groups.get(desa)
                    if rows is not None:
                        p.hidden_rows[rows] = initial[name][rows] | forced[name][rows]
                blocks = {name: _block(p, desa) for name, p in prepared.items() if desa in p.groups}
                protect_desa(blocks, population, steps, UNIT_TABLE, links)
                for name, block in blocks.items():
                    prepared[name].hidden_rows[prepared[name].groups[desa]] = block.hidden
                todo.append(desa)
            else:
                notes += [(desa, c.table, f"desa {desa}: identitas antartabel mempersempit rentang sel "
                                          "tersembunyi dan tidak ada baris lain yang dapat disembunyikan")
                          for c in cells]
        if not todo:
            return notes
    raise RuntimeError("identity protection did not converge")  # a bug, never data


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as published (NaN where hidden), indexed by (kode_desa, kode) as text."""
    counts, values = _count_values(frame)
    return pd.DataFrame(values, index=_keys(frame), columns=counts)


def _count_values(frame: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """The count columns a frame has, and their values as floats (NaN where hidden)."""
    counts = [c for c in COUNT_FIELDS if c in frame.columns]
    part = frame[counts]
    if all(pd.api.types.is_numeric_dtype(t) for t in part.dtypes):  # this release: <NA> hidden
        values = part.to_numpy(dtype=float, na_value=np.nan)
    else:  # the previous version, read as text: "x" hidden
        values = part.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return counts, values


CHANGE_QUANTILE, CHANGE_EVIDENCE = 0.9, 5


def _too_stable(new: pd.DataFrame, old: pd.DataFrame, k: int) -> bool:
    """Would an attacker bound some newly hidden row of this table to less than k either way?"""
    return bool(len(_stable_rows(new, old, k)))


def _stable_rows(new: pd.DataFrame, old: pd.DataFrame, k: int) -> pd.MultiIndex:
    """The newly hidden rows, (kode_desa, kode), an attacker bounds to less than k either way.

    The attacker estimates how far a cell may have moved from the cells published in both
    versions: the table's largest change, its 90th percentile, the largest in the same desa
    and the largest in the same category (each local estimate only from at least
    CHANGE_EVIDENCE cells that are not 0 in both). A newly hidden cell lies within its old
    value plus or minus that bound, whatever else is hidden.
    """
    both = new.join(old.add_suffix("_lama"), how="inner")
    a = both[list(new.columns)].to_numpy()
    b = both[[f"{c}_lama" for c in new.columns]].to_numpy()
    seen = ~np.isnan(a) & ~np.isnan(b)
    newly = (np.isnan(a) & ~np.isnan(b)).any(axis=1)
    if not newly.any() or not seen.any():  # without cells seen: the release-wide change (auditor)
        return both.index[:0]
    change = np.abs(a - b)
    bound = np.full(len(a), float(change[seen].max()))
    populated = seen & ((np.nan_to_num(a) > 0) | (np.nan_to_num(b) > 0))
    if populated.sum() >= CHANGE_EVIDENCE:
        bound = np.minimum(bound, float(np.quantile(change[populated], CHANGE_QUANTILE)))
        evidence = pd.DataFrame(np.where(populated, change, np.nan))
        for level in (0, 1):
            labels = both.index.get_level_values(level).to_numpy()
            grouped = evidence.groupby(labels)
            local = grouped.max().max(axis=1).where(grouped.count().sum(axis=1) >= CHANGE_EVIDENCE)
            local = local.reindex(labels).to_numpy()
            bound = np.where(np.isnan(local), bound, np.minimum(bound, local))
    return both.index[newly & (bound < k)]


def _hold_back(out: list[ProtectedTable], prepared: dict[str, _Prepared],
               previous: Previous) -> list[ProtectedTable]:
    """Keep the previous version of tables a re-harvest cannot yet publish safely.

    A row the previous version published and this one must hide (a published 0 that is now
    1..k-1, a count that fell below k) is bounded by the attacker to its old value plus or
    minus d, the change the attacker estimates for that table, desa and category from the
    cells published in both versions (_too_stable): no suppression can widen that, and for
    a stable table d is 0, 1 or 2. Such a table keeps its previous version: no new draft, so
    nothing new of it is published and nothing new can leak, while every other table of the
    release publishes its new version (a living district is never frozen by one table).

    Only that table is kept, not the tables a declared identity ties it to (the note above
    _keepable says why: the auditor attacks what this leaves published, and names a tied
    table it can narrow). The population table, every table's total, and a table with no
    previous version cannot be kept; such a table says so in its notes and is left to the
    gate.
    """
    by_name = {p.table.spec.name: p for p in out}
    # Only a table with a row published before and hidden now is compared with its old version.
    narrow = {n: previous.stable_rows(n, p.table.frame, by_name[n].frame, p.k) for n, p in prepared.items()
              if n in previous and (p.hidden_rows & p.published_before).any()}
    stable = {n for n, rows in narrow.items() if len(rows)}  # _too_stable
    held = {name for name in stable if _keepable(name, previous)}
    for name in sorted(stable - held):
        by_name[name].notes.append(
            "perubahan antarversi tabel ini terlalu kecil untuk melindungi sel yang dulu terbit dan "
            "kini disembunyikan, dan versi sebelumnya tidak dapat dipertahankan (tabel ini adalah "
            "jumlah tabel lain): auditor akan menolak rilis ini; tunggu perubahan yang lebih besar "
            "atau ajukan bersama pembaruan berikutnya")
    kept = [_held(p, previous) if p.table.spec.name in held else p for p in out]
    for p in kept:
        name = p.table.spec.name
        if name in held:
            p.narrow = _labelled(narrow[name], by_name[name].frame)
    return kept


def _labelled(rows: pd.MultiIndex, frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(kode_desa, kode) rows as (kode_desa, kategori), the way the auditor names them."""
    label = dict(zip(frame["kode"].astype(str), frame["kategori"].astype(str), strict=False))
    return [(str(d), label.get(str(c), "")) for d, c in rows]


# Why a kept table keeps no other table with it (_hold_back, keep_after_audit). A declared
# identity holds between versions of one reference date, and the auditor writes it so: it
# groups every table's last published version by reference date ("lama <date>"), so the kept
# table's version meets the tied table's version of that date, and it couples the tied
# table's new version to that old one by the change bound (audit_release). Tying the tied
# table's new version to the kept table's old one would need the kept table's unpublished
# version of this date and a bound on how far it moved; the auditor's attacker bounds a change
# only from cells published in both of two versions (audit_build.change_bounds,
# CHANGE_EVIDENCE), which an unpublished version has none of, and the protector assumes no
# more than the auditor. The population table has always published its new version beside
# kept tables that add up to it on the same footing. Where the joint attack still narrows a
# hidden cell of a tied table, the auditor names that table, and the settle step answers it
# (privacy_check.settle: hide more of it, else keep it too). A kept marital-status table
# keeps no table of the married with it either: their new versions then have no published
# total on their date, which the auditor takes as unknown (audit_build._total_terms), so
# they hide more, never less, than the protector assumed.


def _keepable(name: str, old) -> bool:
    """A table may keep its previous version: it has one and is not the population table
    (every table's total: never kept; where it cannot be protected the gate refuses)."""
    return name in old and name != UNIT_TABLE


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Two versions of a table read the same, row by row."""
    a, b = a.sort_index(), b.sort_index()
    return a.index.equals(b.index) and np.array_equal(a.to_numpy(), b.to_numpy(), equal_nan=True)


def _held(p: ProtectedTable, previous: Previous) -> ProtectedTable:
    """The previous published version of a table, as this release's (unchanged) table."""
    frame, hidden = previous.held(p.table.spec.name)
    note = ("versi sebelumnya dipertahankan: perubahan antarversi terlalu kecil untuk "
            "menyembunyikan sel yang dulu terbit")
    return ProtectedTable(table=p.table, frame=frame, k=p.k, primary=0, secondary=hidden,
                          notes=[note])


def _block(p: _Prepared, desa: str) -> Block:
    rows = p.groups[desa]
    total, mode = total_of(p.table.spec)
    return Block(name=p.table.spec.name, values=p.values[rows], codes=p.table.frame["kode"].to_numpy()[rows],
                 hidden=p.hidden_rows[rows].copy(), k=p.k, specific=p.specific,
                 columns=tuple(int(c) for c in np.flatnonzero(~whole_columns(p.structural))),
                 sensitive=p.sensitive[rows], total=total, mode=mode, avoid=p.avoid[rows],
                 published_before=p.published_before[rows])


def _finish(p: _Prepared, notes: list[str]) -> ProtectedTable:
    hidden = p.hidden_rows[:, None] & ~p.structural
    out = p.table.frame.copy()
    for i, name in enumerate(COUNT_FIELDS):
        out[name] = out[name].astype("Int64").mask(hidden[:, i])
    primary = int(p.primary.sum())
    return ProtectedTable(table=p.table, frame=out, k=p.k, primary=primary,
                          secondary=int(hidden.sum()) - primary, notes=notes)


def protect(table: StatTable, k: int) -> ProtectedTable:
    """One table on its own (its own margins as totals); protect_release links the tables."""
    p = _prepare(table, k, Previous(), Steps())
    for desa in p.groups:
        block = _block(p, desa)
        block.total, block.mode = None, ("none" if table.spec.dimension == "unit" else "fixed")
        protect_desa({block.name: block}, {block.name: "penduduk"}, Steps(linked=False), UNIT_TABLE)
        p.hidden_rows[p.groups[desa]] = block.hidden
    return _finish(p, [])


HELD_PREFIX = "versi sebelumnya dipertahankan"  # how every note of a kept table begins
AUDIT_NOTE = ("versi sebelumnya dipertahankan: auditor independen dapat mempersempit sel tersembunyi "
              "tabel ini bila versi baru terbit")
WITHHELD_NOTE = ("belum diterbitkan pada rilis ini: auditor independen dapat mempersempit sel "
                 "tersembunyi tabel ini, dan tabel ini belum punya versi terbit untuk dipertahankan")


def keep_after_audit(out: list[ProtectedTable], leaking: set[str],
                     previous: dict[str, pd.DataFrame]) -> tuple[list[ProtectedTable], dict[str, str]]:
    """Take out of a release the tables whose hidden cells the independent auditor narrowed.

    The protector's own checks come first (_hold_back); the auditor attacks with more (every
    version, every declared identity). Where it still narrows a hidden cell of a table, that
    table alone keeps its previous version (the note above _keepable: a table tied to it by a
    declared identity publishes its new version, and the next audit names it if the two
    narrow anything); a table with no previous version is withheld from this release (no
    draft; the reason is returned to be reported). The population table, everyone's total,
    cannot be kept: it stays, and the gate refuses the release (fail closed). Returns the
    new list and {withheld table: reason}. The caller audits the result again.
    """
    previous = as_previous(previous)
    by_name = {p.table.spec.name: p for p in out}
    held: set[str] = set()
    withheld: dict[str, str] = {}
    for name in sorted(leaking & set(by_name)):
        if name not in previous:
            if name != UNIT_TABLE:
                withheld[name] = WITHHELD_NOTE
        elif _keepable(name, previous) and not _same(_numbers(by_name[name].frame), previous.numbers(name)):
            held.add(name)
    kept = []
    for p in out:
        name = p.table.spec.name
        if name in withheld:
            continue
        if name in held:
            p = _held(p, previous)
            p.notes = [AUDIT_NOTE]
        kept.append(p)
    return kept, withheld


# -- The finer remedy of the settle step: hide more cells of a leaking table's new version ---


@dataclass(frozen=True)
class Rung:
    """One step of the remedy ladder: which rows of a leaking table's new version to hide."""

    name: str    # stored in the report
    scope: str   # "baris" | "desa" | "kecamatan" | "kabupaten" (rows_to_hide)
    words: str   # how the report says it


# Tried in order, each on top of the one before, before a table keeps its previous version:
# the rows the auditor names; every row of the table in the desa it names; the categories it
# names in every desa of those desa's kecamatan, then of the district (the attacker's change
# bound of a category is estimated from the cells of it published in both versions: hidden
# there, it no longer pins a newly hidden cell). Each round re-protects the whole release.
REMEDY_LADDER = (
    Rung("baris", "baris", "baris yang ditunjuk auditor"),
    Rung("desa", "desa", "semua baris tabel di desa yang ditunjuk auditor"),
    Rung("kecamatan", "kecamatan", "kategori yang ditunjuk auditor di semua desa kecamatannya"),
    Rung("kabupaten", "kabupaten", "kategori yang ditunjuk auditor di semua desa"),
)
# Why more cells were hidden, from the auditor's findings: a cell narrowed through the
# previous version ("antarbulan") or within this release alone ("audit").
REMEDY_REASONS = {"antarbulan": "perubahan antarbulan",
                  "audit": "auditor independen dapat mempersempit sel tersembunyi"}


def rows_to_hide(rung: Rung, named: list[tuple[str, str]], frame: pd.DataFrame) -> set[tuple[str, str]] | None:
    """Rows (kode_desa, kode as text) of a table's new version a rung hides for the auditor's
    findings, given as (kode_desa, kategori) pairs; None when a finding names no desa (only
    the whole table can answer it: the old remedy). A finding without a category (a hidden
    total) names every row of its desa."""
    if not named or any(not desa for desa, _ in named):
        return None
    desa = frame["kode_desa"].astype(str)
    label = frame["kategori"].astype(str)
    whole = {d for d, cat in named if not cat}
    places = {d for d, _ in named}
    if rung.scope == "baris":
        pairs = pd.MultiIndex.from_arrays([desa, label])
        mask = pairs.isin([(d, c) for d, c in named if c]) | desa.isin(whole).to_numpy()
    elif rung.scope == "desa":
        mask = desa.isin(places).to_numpy()
    elif rung.scope == "kecamatan":
        kecamatan = frame["kode_kecamatan"].astype(str)
        around = set(kecamatan[desa.isin(places)])
        cats = {c for _, c in named if c}
        mask = (kecamatan.isin(around) & label.isin(cats)).to_numpy() | desa.isin(places).to_numpy()
    elif rung.scope == "kabupaten":
        cats = {c for _, c in named if c}
        mask = label.isin(cats).to_numpy() | desa.isin(places).to_numpy()
    else:
        raise ValueError(f"tahap perbaikan tak dikenal: {rung.scope}")
    keys = _keys(frame)[mask]
    return set(zip(keys.get_level_values(0), keys.get_level_values(1), strict=True))


def reprotect(protected: list[ProtectedTable], previous: dict[str, pd.DataFrame],
              force: dict[str, set[tuple[str, str]]]) -> list[ProtectedTable]:
    """The release protected again from its counts, with ``force``'s rows hidden from the
    start: every margin, identity and carried row is worked out anew around them."""
    return protect_release([p.table for p in protected], 0, 0, previous, force=force,
                           k_for={p.table.spec.name: p.k for p in protected})


def hidden_more(new: ProtectedTable, base: ProtectedTable, rung: Rung, reason: str) -> dict | None:
    """What the remedy hid in a table beyond the protector's first pattern: cells and desa
    (counts only); the note a produsen reads is added to the table. None when nothing more."""
    a, b = _numbers(new.frame), _numbers(base.frame)
    both = a.join(b.add_suffix("_dasar"), how="left")
    more = both[list(a.columns)].isna().to_numpy() & ~both[[f"{c}_dasar" for c in a.columns]].isna().to_numpy()
    cells = int(more.sum())
    if not cells:
        return None
    desa = len(set(both.index.get_level_values(0)[more.any(axis=1)]))
    remedy = {"kind": "sembunyikan", "cells": cells, "desa": desa, "rung": rung.name, "reason": reason}
    new.notes = [*new.notes, remedy_note(remedy)]
    new.remedy = remedy
    return remedy


def remedy_note(remedy: dict) -> str:
    """The settle step's remedy of one table in a produsen's words (Indonesian, stored)."""
    if remedy.get("kind") == "sembunyikan":
        return (f"{remedy['cells']} sel tambahan disembunyikan di {remedy['desa']} desa karena "
                f"{REMEDY_REASONS.get(remedy.get('reason'), REMEDY_REASONS['audit'])}")
    if remedy.get("kind") == "pertahankan":
        if remedy.get("too_much"):
            return ("sel tambahan tidak disembunyikan: agar perubahan antarbulan tidak mempersempit "
                    f"sel tersembunyi, lebih dari {round(100 * remedy.get('cap', 1))} % sel tabel ini "
                    "harus disembunyikan")
        return AUDIT_NOTE + "; menyembunyikan sel tambahan tidak cukup"
    return WITHHELD_NOTE + "; menyembunyikan sel tambahan tidak cukup"
