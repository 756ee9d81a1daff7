"""The four-eyes workflow: who may submit, approve, reject and withdraw; the one place it is checked.

The web pages, the CLI and any API call these functions, so the rules hold on every face.
"""
from __future__ import annotations

from flask_babel import gettext as _

from portal.audit.log import record
from portal.auth.models import User
from portal.auth.permissions import can, refusal, require
from portal.core.time import utcnow
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import metadata, publish, versions
from portal.datasets.drafts import apply_meta, release_meta
from portal.datasets.errors import WorkflowError
from portal.datasets.models import Release
from portal.datasets.signals import catalog_changed
from portal.privacy.gate import gate_errors


def can_submit(user: User, release: Release) -> bool:
    """A produsen may submit a draft (or resubmit a rejected release)."""
    return can(user, "submit_release", release) and release.status in (ReleaseStatus.DRAFT, ReleaseStatus.REJECTED)


def can_approve(user: User, release: Release) -> bool:
    """A walidata may approve a submitted release unless the table's four-eyes rule refuses
    (they submitted it, or made or last changed the submitter's account)."""
    if not can(user, "approve_release", release):
        return False
    return release.status == ReleaseStatus.SUBMITTED or publish.is_stale_claim(release)


def can_reject(user: User, release: Release) -> bool:
    """Rejection follows the same rules as approval."""
    return can_approve(user, release) and release.status == ReleaseStatus.SUBMITTED


def can_withdraw(user: User, release: Release) -> bool:
    """A walidata may withdraw any published version (UU PDP Pasal 46 incident handling)."""
    return can(user, "withdraw_release") and release.status == ReleaseStatus.PUBLISHED


def can_edit_metadata(user: User | None, dataset=None) -> bool:
    """Produsen edit a dataset's metadata (as a draft release); with ``dataset``, only a
    member of its OPD."""
    return can(user, "edit_metadata", dataset)


def _four_eyes(user: User, action: str, release: Release) -> None:
    """WorkflowError with the table's reason when the four-eyes rule refuses ``user``."""
    reason = refusal(user, action, release)
    if reason is not None:
        raise WorkflowError(reason)


def _privacy_gate(release: Release) -> None:
    """Refuse a release whose privacy report does not pass (audit, scan, policy, k)."""
    errors = gate_errors(release.privacy_report)
    if errors:
        raise WorkflowError(_("gerbang privasi menolak rilis ini: %(errors)s", errors="; ".join(errors[:5])))


def metadata_gaps(release: Release) -> list[str]:
    """What the release's Satu Data Indonesia metadata still lacks, one sentence per field."""
    return metadata.missing(release_meta(release), release.reference_date)


def _metadata_gate(release: Release) -> None:
    """Refuse a release whose Satu Data Indonesia metadata is incomplete, naming every gap."""
    gaps = metadata_gaps(release)
    if gaps:
        raise WorkflowError(_("metadata Satu Data Indonesia belum lengkap, rilis tidak dapat "
                              "disetujui: %(gaps)s", gaps="; ".join(gaps)))


def submit(release: Release, user: User, change_note: str) -> Release:
    """Send a draft to the walidata; a change note is required."""
    require(user, "submit_release", release)
    if not can_submit(user, release):
        raise WorkflowError(_("rilis %(id)s berstatus %(status)s, tidak dapat diajukan",
                              id=release.id, status=release.status.value))
    if not change_note.strip():
        raise WorkflowError(_("catatan perubahan wajib diisi"))
    if not release.validation_report.get("valid"):
        raise WorkflowError(_("paket data tidak lolos validasi; perbaiki dahulu sebelum diajukan"))
    _privacy_gate(release)
    release.change_note = change_note.strip()
    release.status = ReleaseStatus.SUBMITTED
    release.submitted_by = user
    release.submitted_at = utcnow()
    release.reviewed_by, release.reviewed_at, release.review_comment = None, None, ""
    record("submit", user, release, note=release.change_note)
    return release


def reject(release: Release, user: User, comment: str) -> Release:
    """Send a submitted release back with the walidata's reason."""
    require(user, "reject_release")
    _four_eyes(user, "reject_release", release)
    if not can_reject(user, release):
        raise WorkflowError(_("rilis tidak dapat ditolak oleh pengguna ini pada status ini"))
    if not comment.strip():
        raise WorkflowError(_("alasan penolakan wajib diisi"))
    release.status = ReleaseStatus.REJECTED
    release.reviewed_by, release.reviewed_at = user, utcnow()
    release.review_comment = comment.strip()
    record("reject", user, release, comment=release.review_comment)
    return release


def approve(release: Release, user: User, comment: str = "") -> Release:
    """Approve and publish: exactly one approval wins, files go into place, the database commits last."""
    require(user, "approve_release")
    _four_eyes(user, "approve_release", release)
    if not can_approve(user, release):
        raise WorkflowError(_("rilis hanya dapat disetujui oleh walidata selain pengaju, saat berstatus diajukan"))
    _privacy_gate(release)
    _metadata_gate(release)
    return publish.publish(release, user, comment.strip())


def withdraw(release: Release, user: User, reason: str) -> Release:
    """Take a published version down at once; the previous version becomes the latest again."""
    require(user, "withdraw_release")
    if not can_withdraw(user, release):
        raise WorkflowError(_("hanya versi yang terbit yang dapat ditarik (status: %(status)s)",
                              status=release.status.value))
    if not reason.strip():
        raise WorkflowError(_("alasan penarikan wajib diisi"))
    dataset = release.dataset
    was_latest = versions.latest_published(dataset) is release
    release.status = ReleaseStatus.WITHDRAWN
    release.withdrawn_at, release.withdrawn_by = utcnow(), user
    release.withdrawal_reason = reason.strip()
    record("withdraw", user, release, reason=release.withdrawal_reason)
    if was_latest:
        now_latest = versions.latest_published(dataset)
        if now_latest is not None:
            apply_meta(dataset, now_latest.meta)
    catalog_changed.send(dataset)  # out of the search index (or back to the previous version)
    return release
