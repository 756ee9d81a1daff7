"""Everything the walidata weighs before deciding: diff, privacy report, validation, preview."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from portal.core.cells import SUPPRESSED
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import diff, files, metadata, queries, versions
from portal.datasets.drafts import META_FIELDS, release_meta
from portal.datasets.models import Release
from portal.datasets.packaging import missing_values, table_schema_of

PREVIEW_ROWS = 50


@dataclass
class Review:
    """The review of one release (one table) against the version it would replace."""

    release: Release
    previous: Release | None
    kind: str
    version: str
    meta_changes: dict = field(default_factory=dict)
    schema: dict | None = None
    table: dict | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    # What the Satu Data Indonesia metadata lacks (approval is refused until it is empty).
    metadata_gaps: list[str] = field(default_factory=list)
    # Every SDI field as (label, value): what the walidata checks against Satu Data Indonesia.
    metadata_rows: list[tuple] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        """MAJOR, MINOR or PATCH and why."""
        return versions.KIND_LABELS[self.kind]


def _descriptor(release: Release) -> dict | None:
    content = files.draft_bytes(release, "datapackage.json")
    if content is None and release.published_at is not None:
        content = files.published_bytes(release, "datapackage.json")
    return json.loads(content) if content else None


def baseline(release: Release) -> Release | None:
    """The public version this release is compared with."""
    public = versions.published_versions(release.dataset)
    if release.status in (ReleaseStatus.PUBLISHED, ReleaseStatus.WITHDRAWN) and release.published_at:
        older = [r for r in public if r.published_at < release.published_at and r is not release]
        return older[0] if older else None
    return public[0] if public else None


def review(release: Release) -> Review:
    """Compare ``release`` with its baseline; what the review page and ``releases show`` print."""
    previous = baseline(release)
    kind = versions.change_kind(previous, release.schema_hash, release.data_hash)
    if release.status in (ReleaseStatus.PUBLISHED, ReleaseStatus.WITHDRAWN, ReleaseStatus.PUBLISHING):
        version = release.version
    else:
        version = versions.version_for(release.dataset, release.schema_hash, release.data_hash, release)
    meta = release_meta(release)
    found = metadata.values(meta, release.reference_date)
    result = Review(release=release, previous=previous, kind=kind, version=version,
                    metadata_gaps=metadata.missing(meta, release.reference_date),
                    metadata_rows=[(f.label, found[f.name]) for f in metadata.SDI_FIELDS])
    new_table = queries.draft_table(release)
    if new_table is not None:
        result.columns = list(new_table.columns)
        result.rows = new_table.head(PREVIEW_ROWS).values.tolist()
    if previous is None:
        return result
    old_meta, new_meta = release_meta(previous), release_meta(release)
    result.meta_changes = {k: {"from": old_meta.get(k), "to": new_meta.get(k)}
                           for k in META_FIELDS if old_meta.get(k) != new_meta.get(k)}
    old_descriptor, new_descriptor = _descriptor(previous), _descriptor(release)
    old_csv = queries.release_csv(previous)
    if old_descriptor and new_descriptor:
        old_schema, new_schema = table_schema_of(old_descriptor), table_schema_of(new_descriptor)
        result.schema = diff.schema_diff(old_schema, new_schema)
        if old_csv is not None and new_table is not None:
            marker = next(iter(sorted(missing_values(new_schema) - {""})), SUPPRESSED)
            result.table = diff.table_diff(queries.table_from_bytes(old_csv), new_table,
                                           old_schema, new_schema, marker)
    return result
