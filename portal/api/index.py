"""A read-only snapshot of the public catalog, rebuilt when the database says it changed.

Every API face (actions, datastore, DCAT) reads this snapshot, so a request costs one
small fingerprint query instead of loading every dataset. The snapshot is built only
from ``portal.datasets.queries``, which returns published releases and nothing else.
"""
from __future__ import annotations

import csv
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.api import budget
from portal.audit.models import AuditEvent
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import metadata, queries
from portal.datasets.fingerprint import catalog_fingerprint
from portal.datasets.models import Dataset, Organization, Release
from portal.extensions import db

_lock = threading.Lock()


@dataclass(frozen=True)
class FileInfo:
    """A published file of one version."""

    name: str
    format: str
    media_type: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class VersionInfo:
    """One published version of a dataset."""

    version: str
    published_at: datetime
    reference_date: date
    change_note: str
    files: tuple[FileInfo, ...]


@dataclass(frozen=True)
class OrgInfo:
    """An organisation (OPD)."""

    id: int
    name: str
    title: str
    description: str
    email: str = ""  # the OPD's role address (Satu Data kontak)


@dataclass
class Entry:
    """A public dataset with its published versions, newest first."""

    id: str
    name: str
    title: str
    description: str
    topic: str
    tags: tuple[str, ...]
    licence_id: str
    frequency: str
    frequency_label: str
    privacy_class: str
    privacy_label: str
    org: OrgInfo
    versions: tuple[VersionInfo, ...]
    # (version, when) of releases that were public once and have been withdrawn.
    withdrawals: tuple[tuple[str, datetime], ...] = ()
    columns: tuple[str, ...] = ()
    # Satu Data Indonesia metadata columns (portal.datasets.metadata.dataset_values).
    sdi: dict = field(default_factory=dict)

    @property
    def latest(self) -> VersionInfo:
        """The newest published version."""
        return self.versions[0]

    @property
    def created(self) -> datetime:
        """When the dataset first became public."""
        return min(v.published_at for v in self.versions)

    @property
    def modified(self) -> datetime:
        """Last public change: a publication or a withdrawal."""
        times = [v.published_at for v in self.versions] + [at for _, at in self.withdrawals]
        return max(times)


@dataclass
class Snapshot:
    """Every public dataset and every organisation, free of ORM objects."""

    entries: list[Entry]
    orgs: list[OrgInfo]
    by_name: dict[str, Entry] = field(default_factory=dict)
    by_id: dict[str, Entry] = field(default_factory=dict)
    # Derived views (package dicts, search documents) filled in lazily by their modules.
    memo: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {e.name: e for e in self.entries}
        self.by_id = {e.id: e for e in self.entries}

    def find(self, ref: str) -> Entry | None:
        """A dataset by id or name, as package_show accepts either."""
        return self.by_id.get(ref) or self.by_name.get(ref)


def fingerprint() -> tuple:
    """Cheap summary that changes whenever a release is published, withdrawn or audited."""
    return catalog_fingerprint()


def snapshot() -> Snapshot:
    """The current snapshot of this app, rebuilt if the fingerprint or TTL says so."""
    app = current_app._get_current_object()
    state = app.extensions.setdefault("portal_api", {})
    key = (fingerprint(), app.config["PORTAL_URL"])
    ttl = app.config["API_CACHE_SECONDS"]
    cached = state.get("snapshot")
    if cached and state["key"] == key and time.monotonic() - state["at"] < ttl:
        return cached
    with _lock:
        cached = state.get("snapshot")
        if cached and state["key"] == key and time.monotonic() - state["at"] < ttl:
            return cached
        started = time.monotonic()
        built = build_snapshot()
        state.update(snapshot=built, key=key, at=time.monotonic())
        budget.spare(time.monotonic() - started)  # kept for every later request
        return built


def _csv_header(release: Release) -> tuple[str, ...]:
    """Column names of a release's table, read from its published CSV."""
    csv_file = next((f for f in release.files if f.format == "csv"), None)
    path = queries.public_file(release, csv_file.name) if csv_file else None
    if path is None:
        return ()
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(next(csv.reader(handle), []))


def _withdrawals(dataset: Dataset, when: dict[int, datetime]) -> tuple[tuple[str, datetime], ...]:
    # Only the fact and time of a withdrawal are public, never the withdrawn content.
    found = []
    for release in dataset.releases:
        if release.status != ReleaseStatus.WITHDRAWN or release.published_at is None:
            continue
        at = getattr(release, "withdrawn_at", None) or when.get(release.id)
        if at is not None:
            found.append((release.version, at))
    return tuple(sorted(found, key=lambda item: item[1], reverse=True))


def build_snapshot() -> Snapshot:
    """Read the public catalog through ``queries`` into plain data."""
    # Load relationships in bulk first, so that queries' objects come back without N+1
    # loads; the list keeps them alive in the session's (weak) identity map meanwhile.
    warm = db.session.scalars(select(Dataset).options(
        selectinload(Dataset.releases).selectinload(Release.files),
        joinedload(Dataset.organization))).unique().all()
    withdrawn_at = dict(db.session.execute(
        select(AuditEvent.release_id, func.max(AuditEvent.at))
        .where(AuditEvent.action.in_(("withdraw", "withdrawn")))
        .group_by(AuditEvent.release_id)).all())
    entries = []
    for found in queries.public_datasets():
        ds = found.dataset
        versions = tuple(
            VersionInfo(r.version, r.published_at, r.reference_date, r.change_note or "",
                        tuple(FileInfo(f.name, f.format, f.media_type, f.bytes, f.sha256)
                              for f in r.files))
            for r in found.versions)
        org = ds.organization
        entries.append(Entry(
            id=ds.id, name=ds.name, title=ds.title, description=ds.description or "",
            topic=ds.topic, tags=tuple(ds.tags or ()), licence_id=ds.licence_id,
            frequency=ds.frequency.value, frequency_label=ds.frequency.label_id,
            privacy_class=ds.privacy_class.value, privacy_label=ds.privacy_class.label_id,
            org=OrgInfo(org.id, org.name, org.title, org.description or "", org.email or ""),
            versions=versions, withdrawals=_withdrawals(ds, withdrawn_at),
            columns=_csv_header(found.latest), sdi=metadata.dataset_values(ds)))
    orgs = [OrgInfo(o.id, o.name, o.title, o.description or "", o.email or "")
            for o in db.session.scalars(select(Organization).order_by(Organization.name))]
    entries.sort(key=lambda e: e.name)
    del warm
    return Snapshot(entries=entries, orgs=orgs)
