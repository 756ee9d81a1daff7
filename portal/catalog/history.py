"""Version history of a dataset page: each published version with a diff against the one before."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from portal.core.cells import SUPPRESSED
from portal.datasets import diff, queries, versions
from portal.datasets.models import Release
from portal.datasets.packaging import table_schema_of


@dataclass
class Entry:
    """One line of the history: a published or withdrawn version, and what it changed."""

    release: Release
    previous: Release | None
    kind: str
    summary: dict | None  # table_diff's counts, or None (first version, withdrawn, unreadable)


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
    out += [Entry(r, None, "", None) for r in queries.withdrawn_versions(found.dataset)]
    return sorted(out, key=lambda e: e.release.published_at or e.release.created_at, reverse=True)
