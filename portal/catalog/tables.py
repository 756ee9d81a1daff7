"""Published tables as DataFrames, shared by the desa, kecamatan and dashboard pages."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from portal.core.cells import SUPPRESSED
from portal.datasets import queries
from portal.datasets.fingerprint import per_catalog
from portal.statistics.catalogue import CATALOGUE

COUNTS = ("jumlah", "laki_laki", "perempuan")


@dataclass(frozen=True)
class PublishedTable:
    """The latest published version of one catalogue table."""

    name: str
    title: str
    version: str
    topic: str
    frame: pd.DataFrame  # counts as nullable integers: hidden cells are <NA>
    title_en: str = ""  # shown instead of the title to English readers (i18n.localized)


@functools.lru_cache(maxsize=64)
def _read(path: str, sha256: str) -> pd.DataFrame:
    """A release CSV with counts as nullable integers (cached per file content)."""
    frame = queries.read_table(path)
    for column in COUNTS:
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column].where(frame[column] != SUPPRESSED),
                                          errors="coerce").astype("Int64")
    return frame


def latest(name: str) -> PublishedTable | None:
    """The latest published version of the table ``name``, or None."""
    found = queries.public_dataset(name)
    if found is None:
        return None
    release = found.latest
    filename = f"{name}.csv"
    path = queries.public_file(release, filename)
    entry = release.file(filename)
    if path is None or entry is None:
        return None
    return PublishedTable(name, found.dataset.title, release.version, found.dataset.topic,
                          _read(str(path), entry.sha256), found.dataset.title_en or "")


def all_latest() -> list[PublishedTable]:
    """Every published catalogue table, in catalogue order (kept while the catalog is unchanged)."""
    # 19 lookups with their lazy loads cost more than the pages built from them; the
    # fingerprint changes on every publication or withdrawal (a title fixed in place shows
    # within a minute, as on the cached pages).
    return per_catalog("latest_tables", lambda: [
        t for t in (latest(spec.name) for spec in CATALOGUE) if t is not None])


def visible_sum(values: pd.Series) -> tuple[int, bool]:
    """Sum of the shown cells, and whether any cell was hidden (so the sum is a lower bound)."""
    return int(values.sum(skipna=True)), bool(values.isna().any())
