"""Read-side of the catalog: only published releases are ever returned as public here."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import or_, select

from portal.core.vocabularies import ReleaseStatus
from portal.datasets import files
from portal.datasets.models import Dataset, Release
from portal.datasets.packaging import csv_path
from portal.datasets.versions import published_versions
from portal.extensions import db


@dataclass
class PublicDataset:
    """A dataset as the public sees it: its published versions, newest first."""

    dataset: Dataset
    versions: list[Release]

    @property
    def latest(self) -> Release:
        """The newest published version."""
        return self.versions[0]


def public_datasets(q: str = "") -> list[PublicDataset]:
    """Datasets with at least one published version, matching ``q`` if given."""
    published = select(Release.dataset_id).where(Release.status == ReleaseStatus.PUBLISHED)
    # A subquery, not DISTINCT over a join: PostgreSQL cannot compare JSON columns.
    query = select(Dataset).where(Dataset.id.in_(published))
    if q.strip():
        like = f"%{q.strip()}%"
        query = query.where(or_(Dataset.title.ilike(like), Dataset.description.ilike(like),
                                Dataset.name.ilike(like)))
    datasets = db.session.scalars(query.order_by(Dataset.title)).all()
    return [PublicDataset(d, published_versions(d)) for d in datasets]


def public_dataset(name: str) -> PublicDataset | None:
    """A dataset by name, or None when it has no published version."""
    dataset = db.session.scalar(select(Dataset).where(Dataset.name == name))
    if dataset is None:
        return None
    versions = published_versions(dataset)
    return PublicDataset(dataset, versions) if versions else None


def harvest_dates() -> list[date]:
    """The reference dates of the harvests the public has seen (those with a published version
    a harvest drafted), oldest first: the months a harvested dataset could have a version of."""
    query = (select(Release.reference_date)
             .where(Release.status == ReleaseStatus.PUBLISHED, Release.harvest_id.is_not(None)).distinct())
    return sorted(db.session.scalars(query))


def public_release(name: str, version: str) -> Release | None:
    """A published version of a dataset, or None."""
    found = public_dataset(name)
    if found is None:
        return None
    return next((r for r in found.versions if r.version == version), None)


def public_file(release: Release, filename: str) -> Path | None:
    """Path on disk of a published release's file, or None."""
    if not release.is_public:
        return None
    return files.published_path(release, filename)


def withdrawn_release(name: str, version: str) -> Release | None:
    """A version that was public and has been withdrawn (for its tombstone and 410s)."""
    return db.session.scalar(select(Release).join(Dataset).where(
        Dataset.name == name, Release.version == version, Release.status == ReleaseStatus.WITHDRAWN))


def withdrawn_versions(dataset: Dataset) -> list[Release]:
    """A dataset's withdrawn versions, newest first: listed as tombstones, never served."""
    gone = [r for r in dataset.releases if r.status == ReleaseStatus.WITHDRAWN]
    return sorted(gone, key=lambda r: r.published_at or r.created_at, reverse=True)


def dataset_by_name(name: str) -> Dataset | None:
    """Any dataset by name (for tombstones); public pages must check what they show."""
    return db.session.scalar(select(Dataset).where(Dataset.name == name))


def read_table(path: Path) -> pd.DataFrame:
    """A release's CSV as text cells, hidden cells kept as the missing-value marker."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])


def table_from_bytes(content: bytes) -> pd.DataFrame:
    """A CSV's bytes as text cells, like ``read_table``."""
    return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, na_values=[])


def release_csv(release: Release) -> bytes | None:
    """The CSV of any release: its draft while unpublished, its stored file afterwards."""
    name = f"{release.dataset.name}.csv"
    content = files.draft_bytes(release, name)
    if content is None and release.published_at is not None:
        content = files.published_bytes(release, name)
    return content


def draft_table(release: Release) -> pd.DataFrame | None:
    """The table of a release for the admin review page (never for public pages)."""
    content = release_csv(release)
    return table_from_bytes(content) if content is not None else None


__all__ = ["PublicDataset", "csv_path", "dataset_by_name", "draft_table", "public_dataset",
           "public_datasets", "public_file", "public_release", "read_table", "release_csv",
           "table_from_bytes", "withdrawn_release", "withdrawn_versions"]
