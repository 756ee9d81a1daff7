"""Read-side of the catalog: only published releases are ever returned here."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import or_, select

from portal.datasets.models import Dataset, Release
from portal.datasets.packaging import csv_path
from portal.datasets.services import storage
from portal.datasets.vocabularies import ReleaseStatus
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


def _published(dataset: Dataset) -> list[Release]:
    published = [r for r in dataset.releases if r.status == ReleaseStatus.PUBLISHED]
    return sorted(published, key=lambda r: r.published_at, reverse=True)


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
    return [PublicDataset(d, _published(d)) for d in datasets]


def public_dataset(name: str) -> PublicDataset | None:
    """A dataset by name, or None when it has no published version."""
    dataset = db.session.scalar(select(Dataset).where(Dataset.name == name))
    if dataset is None:
        return None
    versions = _published(dataset)
    return PublicDataset(dataset, versions) if versions else None


def public_release(name: str, version: str) -> Release | None:
    """A published version of a dataset, or None."""
    found = public_dataset(name)
    if found is None:
        return None
    return next((r for r in found.versions if r.version == version), None)


def public_file(release: Release, filename: str) -> Path | None:
    """Path on disk of a published release's file, or None."""
    if not release.is_public or release.file(filename) is None:
        return None
    directory = storage().published_dir(release.dataset.name, release.version)
    rel = csv_path(release.dataset.name) if filename.endswith(".csv") else filename
    path = directory / rel
    return path if path.is_file() else None


def read_table(path: Path) -> pd.DataFrame:
    """A release's CSV as text cells, hidden cells kept as the missing-value marker."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])


def draft_table(release: Release) -> pd.DataFrame | None:
    """The CSV of a not-yet-published release, for the review page only."""
    path = storage().draft_dir(release.id) / csv_path(release.dataset.name)
    if not path.is_file():
        path = storage().published_dir(release.dataset.name, release.version) / csv_path(release.dataset.name)
    return read_table(path) if path.is_file() else None

