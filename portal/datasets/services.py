"""The release workflow: draft, submit, approve (publish) or reject; one layer for every face."""
from __future__ import annotations

import json
from datetime import date

from flask import current_app
from sqlalchemy import select

from portal.auth.models import User, utcnow
from portal.auth.permissions import NotAuthorized, require
from portal.datasets import packaging
from portal.datasets.models import AuditEvent, Dataset, Organization, Release, ReleaseFile
from portal.datasets.storage import Storage, sha256_bytes
from portal.datasets.vocabularies import ReleaseStatus
from portal.extensions import db
from portal.privacy.protect import ProtectedTable
from portal.privacy.scan import assert_clean
from portal.statistics.catalogue import TableSpec

OPEN_STATUSES = (ReleaseStatus.DRAFT, ReleaseStatus.SUBMITTED)
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "zip": "application/zip"}


class WorkflowError(Exception):
    """A transition that the release's state does not allow."""


def storage() -> Storage:
    """The file store of the current app."""
    return Storage(current_app.config["STORAGE_DIR"])


def record(action: str, actor: User | None, release: Release | None = None, **detail) -> AuditEvent:
    """Append an event to the audit log (the caller commits)."""
    event = AuditEvent(action=action, actor=actor, release=release, detail=detail)
    db.session.add(event)
    return event


def ensure_organization(name: str, title: str) -> Organization:
    """The organisation called ``name``, created on first use."""
    org = db.session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(name=name, title=title)
        db.session.add(org)
    return org


def ensure_dataset(spec: TableSpec, organization: Organization) -> Dataset:
    """The dataset of a catalogue table, created from the spec on first harvest."""
    dataset = db.session.scalar(select(Dataset).where(Dataset.name == spec.name))
    if dataset is None:
        dataset = Dataset(name=spec.name, title=spec.title, description=spec.description,
                          title_en=spec.title_en, description_en=spec.description_en,
                          topic=spec.topic, tags=list(spec.tags), privacy_class=spec.privacy_class,
                          organization=organization)
        db.session.add(dataset)
        db.session.flush()
    return dataset


def latest_published(dataset: Dataset) -> Release | None:
    """The newest published version of a dataset."""
    published = [r for r in dataset.releases if r.status == ReleaseStatus.PUBLISHED]
    return max(published, key=lambda r: r.published_at, default=None)


def next_version(previous: Release | None, schema_hash: str, data_hash: str) -> str:
    """Semantic version: MAJOR on a schema change, MINOR on a data change, else PATCH."""
    if previous is None:
        return "1.0.0"
    major, minor, patch = (int(p) for p in previous.version.split("."))
    if previous.schema_hash != schema_hash:
        return f"{major + 1}.0.0"
    if previous.data_hash != data_hash:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _meta(dataset: Dataset, version: str, contributors: list[dict], sources: list[dict]) -> packaging.PackageMeta:
    base = current_app.config.get("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
    return packaging.PackageMeta(
        id=f"urn:uuid:{dataset.id}", name=dataset.name, title=dataset.title,
        description=dataset.description, version=version, created=utcnow(),
        licence_id=dataset.licence_id, keywords=list(dataset.tags),
        homepage=f"{base}/dataset/{dataset.name}", sources=sources, contributors=contributors)


def _store_files(release: Release, files: dict[str, bytes]) -> None:
    release.files.clear()
    db.session.flush()
    for rel, content in files.items():
        name = rel.rsplit("/", 1)[-1]
        fmt = name.rsplit(".", 1)[-1]
        release.files.append(ReleaseFile(name=name, format=fmt, media_type=MEDIA_TYPES[fmt],
                                         bytes=len(content), sha256=sha256_bytes(content)))


def create_draft(dataset: Dataset, protected: ProtectedTable, reference_date: date,
                 harvest_id: int | None, actor: User | None, sources: list[dict]) -> Release | None:
    """Draft a new version from a protected table; None when nothing changed."""
    csv_bytes = packaging.table_csv(protected)
    schema_hash = sha256_bytes(packaging.canonical_json(packaging.table_schema(protected)))
    data_hash = sha256_bytes(csv_bytes)
    previous = latest_published(dataset)
    if previous and (previous.schema_hash, previous.data_hash) == (schema_hash, data_hash):
        return None
    for open_release in [r for r in dataset.releases if r.status in OPEN_STATUSES]:
        if (open_release.schema_hash, open_release.data_hash) == (schema_hash, data_hash):
            return None
        open_release.status = ReleaseStatus.SUPERSEDED
        record("supersede", actor, open_release)
    version = next_version(previous, schema_hash, data_hash)
    contributors = [{"title": dataset.organization.title, "roles": ["publisher"]}]
    meta = _meta(dataset, version, contributors, sources)
    files = packaging.package_files(meta, protected, csv_bytes)
    assert_clean({k: v for k, v in files.items() if not k.endswith(".zip")})
    release = Release(dataset=dataset, harvest_id=harvest_id, version=version,
                      reference_date=reference_date, schema_hash=schema_hash, data_hash=data_hash,
                      privacy_report=protected.report(), status=ReleaseStatus.DRAFT)
    db.session.add(release)
    db.session.flush()
    directory = storage().write_draft(release.id, files)
    release.validation_report = packaging.validate_package(directory)
    _store_files(release, files)
    record("draft", actor, release, files={f.name: f.sha256 for f in release.files})
    return release


def can_submit(user: User, release: Release) -> bool:
    """A produsen may submit a draft (or resubmit a rejected release)."""
    try:
        require(user, "submit_release")
    except NotAuthorized:
        return False
    return release.status in (ReleaseStatus.DRAFT, ReleaseStatus.REJECTED)


def can_approve(user: User, release: Release) -> bool:
    """A walidata who did not submit the release may approve it (four eyes)."""
    try:
        require(user, "approve_release")
    except NotAuthorized:
        return False
    return release.status == ReleaseStatus.SUBMITTED and release.submitted_by_id != user.id


def can_reject(user: User, release: Release) -> bool:
    """Rejection follows the same rules as approval."""
    return can_approve(user, release)


def submit(release: Release, user: User, change_note: str) -> Release:
    """Send a draft to the walidata; a change note is required."""
    require(user, "submit_release")
    if not can_submit(user, release):
        raise WorkflowError(f"rilis {release.id} berstatus {release.status.value}, tidak dapat diajukan")
    if not change_note.strip():
        raise WorkflowError("catatan perubahan wajib diisi")
    release.change_note = change_note.strip()
    release.status = ReleaseStatus.SUBMITTED
    release.submitted_by = user
    release.submitted_at = utcnow()
    record("submit", user, release)
    return release


def reject(release: Release, user: User, comment: str) -> Release:
    """Send a submitted release back with the walidata's reason."""
    require(user, "reject_release")
    if not can_reject(user, release):
        raise WorkflowError("rilis tidak dapat ditolak oleh pengguna ini pada status ini")
    if not comment.strip():
        raise WorkflowError("alasan penolakan wajib diisi")
    release.status = ReleaseStatus.REJECTED
    release.reviewed_by, release.reviewed_at = user, utcnow()
    release.review_comment = comment.strip()
    record("reject", user, release, comment=release.review_comment)
    return release


def approve(release: Release, user: User, comment: str = "") -> Release:
    """Approve and publish in one step: files move into place, then the database commits."""
    require(user, "approve_release")
    if not can_approve(user, release):
        raise WorkflowError("rilis hanya dapat disetujui oleh walidata selain pengaju, saat berstatus diajukan")
    dataset = release.dataset
    if any(r.version == release.version for r in dataset.releases
           if r.status == ReleaseStatus.PUBLISHED):
        raise WorkflowError("versi ini sudah terbit; panen ulang untuk membuat versi baru")
    store = storage()
    draft = store.draft_dir(release.id)
    descriptor = (draft / "datapackage.json").read_bytes()
    final = _finalise_descriptor(descriptor, release, user)
    files = {"datapackage.json": final}
    csv_rel = packaging.csv_path(dataset.name)
    files[f"{dataset.name}.zip"] = packaging.zip_bytes({csv_rel: (draft / csv_rel).read_bytes(), **files})
    assert_clean({"datapackage.json": final})
    target = store.publish(release.id, dataset.name, release.version, files)
    try:
        release.validation_report = packaging.validate_package(target)
        if not release.validation_report["valid"]:
            raise WorkflowError("paket data tidak lolos validasi Frictionless")
        for name, content in files.items():
            entry = release.file(name.rsplit("/", 1)[-1])
            entry.bytes, entry.sha256 = len(content), sha256_bytes(content)
        release.status = ReleaseStatus.PUBLISHED
        release.reviewed_by, release.reviewed_at = user, utcnow()
        release.review_comment = comment.strip()
        release.published_at = release.reviewed_at
        record("approve", user, release, comment=release.review_comment)
        record("publish", user, release, version=release.version,
               files={f.name: f.sha256 for f in release.files})
        db.session.commit()
    except Exception:
        db.session.rollback()
        store.unpublish(dataset.name, release.version)
        raise
    store.discard_draft(release.id)
    return release


def _finalise_descriptor(descriptor: bytes, release: Release, walidata: User) -> bytes:
    data = json.loads(descriptor)
    data["created"] = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    contributors = [c for c in data.get("contributors", []) if "publisher" in c.get("roles", [])]
    contributors.append({"title": "Walidata Kabupaten", "roles": ["walidata", "approver"]})
    if release.submitted_by is not None:
        contributors.append({"title": "Produsen Data", "roles": ["produsen", "contributor"]})
    data["contributors"] = contributors
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
