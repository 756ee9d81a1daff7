"""Atomic publication of an approved release.

1. Claim: one conditional UPDATE moves the release from submitted to publishing and fixes
   its version number; of two walidata approving at the same moment exactly one gets a row.
2. Build the final files (datapackage.json, CSV, JSON, zip; the XLSX's hash) and pass the gate.
3. Store the files as content-addressed blobs, each written to a temporary name and renamed.
4. Commit the rows that name those blobs. Until then no page, download or API can see them.

A failure anywhere undoes what this attempt wrote and returns the release to submitted. A
crash that leaves no chance to clean up leaves a claim that expires (``CLAIM_TIMEOUT``)
and blobs that nothing names; the previous published state is untouched either way.
"""
from __future__ import annotations

import json
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.audit.log import record
from portal.auth.models import User
from portal.core.time import utcnow
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import geo, packaging, series, validation, versions, xlsx
from portal.datasets.drafts import apply_meta
from portal.datasets.errors import WorkflowError
from portal.datasets.files import MEDIA_TYPES, draft_bytes, storage
from portal.datasets.models import Release, ReleaseFile
from portal.datasets.signals import catalog_changed
from portal.datasets.storage import sha256_bytes
from portal.extensions import db
from portal.privacy.scan import assert_clean

CLAIM_TIMEOUT = timedelta(minutes=15)
PUBLIC_STATUSES = (ReleaseStatus.PUBLISHED, ReleaseStatus.WITHDRAWN)


def checkpoint(step: str) -> None:
    """Called between the steps of a publication; tests make it crash there."""


def is_stale_claim(release: Release) -> bool:
    """A publication that crashed without cleaning up; another approval may take it over."""
    return (release.status == ReleaseStatus.PUBLISHING and release.reviewed_at is not None
            and release.reviewed_at < utcnow() - CLAIM_TIMEOUT)


def _claim(release: Release, user: User) -> None:
    """Move submitted -> publishing in one conditional UPDATE; WorkflowError if someone was first."""
    release_id = release.id
    # End any open read so the claim and the version number see the latest committed state.
    db.session.commit()
    release = db.session.get(Release, release_id)
    version = versions.version_for(release.dataset, release.schema_hash, release.data_hash, release)
    claimable = or_(Release.status == ReleaseStatus.SUBMITTED,
                    and_(Release.status == ReleaseStatus.PUBLISHING,
                         Release.reviewed_at < utcnow() - CLAIM_TIMEOUT))
    try:
        result = db.session.execute(
            update(Release).where(Release.id == release_id, claimable, Release.submitted_by_id != user.id)
            .values(status=ReleaseStatus.PUBLISHING, version=version, reviewed_by_id=user.id,
                    reviewed_at=utcnow()).execution_options(synchronize_session=False))
        claimed = result.rowcount == 1
        db.session.commit()
    except IntegrityError:
        # Another release of this dataset holds the number: it was published meanwhile.
        db.session.rollback()
        raise WorkflowError(_("nomor versi ini baru saja dipakai rilis lain; tinjau ulang rilis ini")) from None
    if not claimed:
        db.session.rollback()
        raise WorkflowError(_("rilis ini sudah diproses oleh walidata lain"))
    db.session.refresh(release)


def _finalise(release: Release, user: User) -> tuple[dict, dict[str, bytes], bytes]:
    """The final descriptor, the stored files by name, and the XLSX's bytes."""
    name = release.dataset.name
    csv_bytes = draft_bytes(release, f"{name}.csv")
    draft = draft_bytes(release, "datapackage.json")
    if csv_bytes is None or draft is None:
        raise WorkflowError(_("berkas draf rilis ini tidak ditemukan"))
    descriptor = json.loads(draft)
    descriptor["version"] = release.version
    descriptor["created"] = packaging.timestamp(utcnow())
    contributors = [c for c in descriptor.get("contributors", []) if "walidata" not in c.get("roles", [])]
    org = next((c.get("organization") for c in contributors if c.get("organization")), None)
    contributors.append({"title": "Walidata Kabupaten", "roles": ["walidata", "approver"],
                         **({"organization": org} if org else {})})
    descriptor["contributors"] = contributors
    # The series up to and including this version travels as a second table (issue 13).
    extra_series = series.attach(descriptor, release)
    descriptor_bytes = packaging.to_json_bytes(descriptor)
    package = {packaging.csv_path(name): csv_bytes, "datapackage.json": descriptor_bytes}
    # A geographic dataset's GeoJSON resource travels with its table (portal.datasets.geo).
    extra = geo.extra_resources(descriptor, lambda rel: storage().read_draft(release.id, rel))
    package.update(extra)
    package.update(extra_series)
    files = {f"{name}.csv": csv_bytes, "datapackage.json": descriptor_bytes,
             f"{name}.json": packaging.data_json(descriptor, csv_bytes),
             **{rel.rsplit("/", 1)[-1]: content for rel, content in extra.items()},
             **{rel.rsplit("/", 1)[-1]: content for rel, content in extra_series.items()},
             f"{name}.zip": packaging.zip_bytes(package)}
    assert_clean({packaging.csv_path(name): csv_bytes,
                  "datapackage.json": packaging.scannable(descriptor),
                  f"{name}.json": files[f"{name}.json"], **extra,
                  **{rel: series.scannable(content) for rel, content in extra_series.items()}})
    return descriptor, files, xlsx.workbook(descriptor, csv_bytes)


def _gate(files: dict[str, bytes], release: Release) -> dict:
    """The whole package and its zip through the gate; the series' rows that an earlier
    version's gate passed byte for byte are not read again (``series.validated_before``)."""
    name = release.dataset.name
    package = {packaging.csv_path(name): files[f"{name}.csv"], "datapackage.json": files["datapackage.json"]}
    package.update(geo.extra_resources(json.loads(files["datapackage.json"]),
                                       lambda rel: files.get(rel.rsplit("/", 1)[-1])))
    package.update(series.package_files(json.loads(files["datapackage.json"]), files))
    report = validation.validate_files(package, series.validated_before(release, package))
    zipped = validation.zip_errors(files[f"{name}.zip"], package)
    report["checks"]["zip"] = len(zipped)
    report["errors"] = (report["errors"] + zipped)[:validation.MAX_ERRORS]
    report["valid"] = report["valid"] and not zipped
    return report


def _referenced(sha: str) -> bool:
    return bool(db.session.scalar(select(exists().where(
        ReleaseFile.sha256 == sha, ReleaseFile.release_id == Release.id,
        Release.status.in_(PUBLIC_STATUSES)))))


def _undo(release_id: int, user: User, created: list[tuple[str, str]], error: Exception,
          report: dict | None) -> None:
    """Remove this attempt's blobs and hand the release back to the review queue."""
    db.session.rollback()
    store = storage()
    for sha, name in created:
        if not _referenced(sha):
            store.delete(sha, name)
    values = {"status": ReleaseStatus.SUBMITTED}
    if report is not None:
        values["validation_report"] = report
    db.session.execute(update(Release).where(Release.id == release_id,
                                             Release.status == ReleaseStatus.PUBLISHING)
                       .values(**values).execution_options(synchronize_session=False))
    record("publish_failed", user, db.session.get(Release, release_id), error=type(error).__name__)
    db.session.commit()


def publish(release: Release, user: User, comment: str) -> Release:
    """Publish a submitted release approved by ``user`` (checked by workflow.approve)."""
    _claim(release, user)
    release_id, created, report = release.id, [], None
    try:
        checkpoint("claimed")
        descriptor, files, xlsx_bytes = _finalise(release, user)
        checkpoint("built")
        report = _gate(files, release)
        if not report["valid"]:
            raise WorkflowError(_("paket data tidak lolos validasi (Frictionless, profil v2, kategori, "
                                  "kunci unik); rilis dikembalikan ke antrean"))
        checkpoint("validated")
        store = storage()
        for name, content in files.items():
            sha, new = store.put(content, name)
            if new:
                created.append((sha, name))
            checkpoint(f"stored:{name}")
        _record_rows(release, user, comment, files, xlsx_bytes, report)
        catalog_changed.send(release.dataset)  # the search index commits with the release
        checkpoint("commit")
        db.session.commit()
    except Exception as exc:
        _undo(release_id, user, created, exc, report)
        raise
    storage().discard_draft(release_id)
    return release


def _record_rows(release: Release, user: User, comment: str, files: dict[str, bytes],
                 xlsx_bytes: bytes, report: dict) -> None:
    name = release.dataset.name
    release.files.clear()
    db.session.flush()
    for fname, content in [*files.items(), (f"{name}.xlsx", xlsx_bytes)]:
        fmt = fname.rsplit(".", 1)[-1]
        release.files.append(ReleaseFile(name=fname, format=fmt, media_type=MEDIA_TYPES[fmt],
                                         bytes=len(content), sha256=sha256_bytes(content)))
    now = utcnow()
    release.validation_report = report
    release.status = ReleaseStatus.PUBLISHED
    release.reviewed_by, release.reviewed_at, release.published_at = user, now, now
    release.review_comment = comment
    apply_meta(release.dataset, release.meta)
    record("approve", user, release, comment=comment)
    record("publish", user, release, files={f.name: f.sha256 for f in release.files})
