"""What of a desa's quality counts may be published: the threshold rule, failing closed.

The raw counts (portal.statistics.quality) become the published table like any count:
- a field left BELUM MENGISI is the very cell its catalogue table publishes, so it is taken
  from that table *after* protection: hidden there, hidden here; its denominator (the
  table's rows of the desa) is published only when every one of those rows is published,
  so it is what anyone could add up;
- residents without a valid NIK and families without a head are new counts: hidden when
  small (1..k-1, k of general data), when their complement in the published denominator is
  small (then nearly everyone has the problem), or when the denominator itself is hidden
  (a published count would bound a hidden population cell from below);
- warnings by kind: hidden when small;
- a share (persen) only where both its count and its denominator are published; the score
  only from published shares, and the score row says how many it used.
Hidden cells are the suppressed marker "x"; a cell that does not apply (the share of a
warning, of an empty population) is None.
"""
from __future__ import annotations

import pandas as pd

from portal.core.cells import SUPPRESSED
from portal.statistics.catalogue import UNFILLED_CODE, UNIT_LABELS
from portal.statistics.quality import NIK_INVALID, NO_HEAD, SCORE, indicators, score

KEY = ("kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan")
COLUMNS = (*KEY, "perubahan_terakhir", "kode", "indikator", "jumlah", "penyebut", "persen")
HIDDEN = SUPPRESSED  # "x", as every published table writes a hidden cell
NOT_APPLICABLE = None


def _hidden(value) -> bool:
    """Whether a published cell is hidden (<NA>, NaN or the suppressed marker)."""
    return value is pd.NA or (isinstance(value, float) and value != value) or value == SUPPRESSED


def _small(value: int, k: int) -> bool:
    return 1 <= value < k


def _published(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    """Each protected table's rows by desa (hidden cells as they are)."""
    return {name: dict(tuple(frame.groupby("kode_desa", sort=False))) for name, frame in tables.items()}


def _unfilled(rows: pd.DataFrame | None) -> tuple[object, object]:
    """(count, denominator) as the protected table publishes them for one desa."""
    if rows is None or rows.empty:
        return HIDDEN, HIDDEN
    cell = rows.loc[rows["kode"].astype(int) == UNFILLED_CODE, "jumlah"]
    count = HIDDEN if cell.empty or _hidden(cell.iloc[0]) else int(cell.iloc[0])
    values = list(rows["jumlah"])
    denominator = HIDDEN if any(_hidden(v) for v in values) else int(sum(int(v) for v in values))
    return count, denominator


def _unit_cell(rows: pd.DataFrame | None, kode: int) -> object:
    if rows is None:
        return HIDDEN
    cell = rows.loc[rows["kode"].astype(int) == kode, "jumlah"]
    return HIDDEN if cell.empty or _hidden(cell.iloc[0]) else int(cell.iloc[0])


def _new_count(count: int, raw_denominator: int, published_denominator, k: int) -> object:
    """A count no table publishes: hidden if small, if its complement is small, or if its
    denominator is hidden."""
    if _hidden(published_denominator) or _small(count, k) or _small(raw_denominator - count, k):
        return HIDDEN
    return count


def _share(count, denominator) -> object:
    if _hidden(count) or _hidden(denominator):
        return HIDDEN
    if denominator in (None, 0):
        return NOT_APPLICABLE
    return round(100.0 * count / denominator, 1)


def protect_quality(raw: pd.DataFrame, protected: dict[str, pd.DataFrame], unit_table: str,
                    catalogue, k: int) -> pd.DataFrame:
    """The publishable quality table of one harvest.

    ``raw`` is statistics.quality.quality_frame; ``protected`` maps each catalogue table to
    its protected frame (hidden cells <NA> or "x"); ``k`` is the threshold of general data.
    """
    k = max(3, int(k))
    by_desa = _published(protected)
    inds = {i.code: i for i in indicators(catalogue)}
    out = []
    for kode, part in raw.groupby("kode_desa", sort=True):
        unit_rows = by_desa.get(unit_table, {}).get(kode)
        people = _unit_cell(unit_rows, UNIT_LABELS["PENDUDUK"])
        families = _unit_cell(unit_rows, UNIT_LABELS["KELUARGA"])
        rows, shares = [], []
        for record in part.sort_values("kode").to_dict("records"):
            ind = inds[int(record["kode"])]
            count, denominator = _publish(ind, record, by_desa, kode, people, families, k)
            if ind.code == SCORE:
                rows.append(record)
                continue
            record.update(jumlah=count, penyebut=denominator, persen=_share(count, denominator))
            if ind.in_score and not _hidden(record["persen"]) and record["persen"] is not None:
                shares.append(record["persen"] / 100.0)
            rows.append(record)
        total = sum(1 for i in inds.values() if i.in_score)
        for record in rows:
            if int(record["kode"]) == SCORE:
                value = score(shares)
                record.update(jumlah=len(shares), penyebut=total,
                              persen=NOT_APPLICABLE if value is None else value)
        out += rows
    # Column by column as objects: "hidden" and "does not apply" must stay apart.
    return pd.DataFrame({c: pd.Series([r.get(c) for r in out], dtype=object) for c in COLUMNS})


def _publish(ind, record: dict, by_desa, kode: str, people, families, k: int) -> tuple[object, object]:
    """(count, denominator) of one indicator as it may be published."""
    if ind.code == SCORE:
        return NOT_APPLICABLE, NOT_APPLICABLE
    if ind.source:
        return _unfilled(by_desa.get(ind.source, {}).get(kode))
    count = record["jumlah"]
    if count is None or (isinstance(count, float) and count != count):
        return HIDDEN, HIDDEN
    count = int(count)
    if ind.code == NIK_INVALID:
        return _new_count(count, int(record["penyebut"]), people, k), people
    if ind.code == NO_HEAD:
        # Its denominator is the published active families plus this count: hidden with it.
        published = _new_count(count, int(record["penyebut"]), families, k)
        return published, (HIDDEN if _hidden(published) else int(record["penyebut"]))
    return (HIDDEN if _small(count, k) else count), NOT_APPLICABLE
