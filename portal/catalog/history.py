"""Version history of a dataset page: each published version with a diff against the one before,
and each later harvest month that gave the dataset no new version, with why (issue 13: a
reader follows the district month by month and asks "why is there no January?").
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func

from portal.core.cells import SUPPRESSED
from portal.core.lru import LRU
from portal.datasets import diff, queries, versions
from portal.datasets.models import Release
from portal.datasets.packaging import table_schema_of
from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.privacy.protect import HELD_PREFIX


@dataclass(frozen=True)
class HarvestMonth:
    """One finished harvest: its reference date and the tables it left at their published version."""

    reference_date: date
    finished_at: datetime
    held: frozenset      # kept by the privacy layer: publishing would narrow a hidden cell
    unchanged: frozenset  # the new count published the same file: nothing new to publish


@dataclass
class Entry:
    """One line of the history: a published or withdrawn version, and what it changed."""

    release: Release
    previous: Release | None
    kind: str
    summary: dict | None  # table_diff's counts, or None (first version, withdrawn, unreadable)
    # A harvest month without a new version ("held" or "unchanged"; release: the version in force).
    month: HarvestMonth | None = None


@functools.lru_cache(maxsize=256)
def _summary(old_csv: str, new_csv: str, old_dp: str, new_dp: str,
             _key: tuple[str, str]) -> dict | None:
    """The diff counts of two published versions (cached: published files never change)."""
    try:
        old_schema = table_schema_of(json.loads(Path(old_dp).read_text(encoding="utf-8")))
        new_schema = table_schema_of(json.loads(Path(new_dp).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        old_schema, new_schema = {}, {}
    result = diff.table_diff(queries.read_table(Path(old_csv)), queries.read_table(Path(new_csv)),
                             old_schema, new_schema, SUPPRESSED)
    keep = ("comparable", "rows_added", "rows_removed", "rows_changed", "cells_changed",
            "cells_newly_suppressed", "cells_revealed")
    return {k: result[k] for k in keep if k in result}


def _paths(release: Release) -> tuple[Path, Path] | None:
    csv = queries.public_file(release, f"{release.dataset.name}.csv")
    dp = queries.public_file(release, "datapackage.json")
    return (csv, dp) if csv and dp else None


def compare(previous: Release, release: Release) -> dict | None:
    """Counts of what ``release`` changed against ``previous`` (both published), or None."""
    new, old = _paths(release), _paths(previous)
    if new is None or old is None:
        return None
    name = f"{release.dataset.name}.csv"
    key = (previous.file(name).sha256, release.file(name).sha256)
    return _summary(str(old[0]), str(new[0]), str(old[1]), str(new[1]), key)


def history(found) -> list[Entry]:
    """Published versions (with diffs against the previous published one) and tombstones, newest first."""
    published = found.versions  # newest first
    out = []
    for i, release in enumerate(published):
        previous = published[i + 1] if i + 1 < len(published) else None
        kind = versions.change_kind(previous, release.schema_hash, release.data_hash)
        out.append(Entry(release, previous, kind,
                         compare(previous, release) if previous is not None else None))
    withdrawn = queries.withdrawn_versions(found.dataset)
    out += [Entry(r, None, "", None) for r in withdrawn]
    out += months_without_version(found.dataset.name, published, withdrawn)
    return sorted(out, key=_when, reverse=True)


def _when(entry: Entry) -> datetime:
    """Where an entry stands in the history: a month when its harvest finished, a version
    when it was published."""
    if entry.month is not None:
        return entry.month.finished_at
    return entry.release.published_at or entry.release.created_at


def harvest_months() -> tuple[HarvestMonth, ...]:
    """Every finished harvest, oldest first (read again only when a run was added)."""
    ok = HarvestRun.status == "ok"
    key = tuple(db.session.query(func.count(HarvestRun.id), func.max(HarvestRun.id)).filter(ok).one())
    kept = current_app.extensions.setdefault("harvest_months", LRU(4))  # one per app, as its database
    found = kept.get(key)
    if found is None:
        found = tuple(_month(run) for run in HarvestRun.query.filter(ok).order_by(HarvestRun.id)
                      if run.finished_at is not None)
        kept.put(key, found)
    return found


def _month(run: HarvestRun) -> HarvestMonth:
    """What one harvest run's record says it left unpublished (a held table is also in its
    unchanged list: its file is the version kept)."""
    report = run.report or {}
    held = frozenset(name for name, why in (report.get("remedies") or {}).items() if HELD_PREFIX in str(why))
    unchanged = frozenset(report.get("unchanged") or ()) - held
    return HarvestMonth(run.reference_date, run.finished_at, held, unchanged)


def months_without_version(name: str, published: list[Release], withdrawn: list[Release]) -> list[Entry]:
    """The harvest months after a dataset's first version that gave it no new version: held
    by the privacy layer or unchanged, each with the version that stayed in force."""
    if not published:
        return []
    dated = sorted(published, key=lambda r: r.reference_date)
    taken = {r.reference_date for r in [*published, *withdrawn]}
    out = []
    for month in harvest_months():
        if month.reference_date <= dated[0].reference_date or month.reference_date in taken:
            continue
        kind = "held" if name in month.held else "unchanged" if name in month.unchanged else ""
        if kind:
            standing = [r for r in dated if r.reference_date < month.reference_date][-1]
            out.append(Entry(standing, None, kind, None, month))
    return out
