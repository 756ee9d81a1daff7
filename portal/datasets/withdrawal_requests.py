"""Deleting a dataset (CKAN ``package_delete``): a draft goes at once, a public one only by request.

A produsen of the dataset's OPD may delete a dataset that was never published: its open
releases are closed (superseded, their draft files removed; the audit log keeps them) or,
when it has no release at all, the row goes. A dataset with a public version is not taken
down by its produsen: the deletion becomes a withdrawal request that a walidata confirms
(every public version is withdrawn, with the request's reason on its tombstone) or denies;
until then the dataset stays public. The permission table decides who may do each
(``delete_dataset``, ``decide_withdrawal``: four eyes, the requester never decides).
"""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.audit.log import record
from portal.auth.models import User
from portal.auth.permissions import require
from portal.core.time import utcnow
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import versions
from portal.datasets.errors import WorkflowError
from portal.datasets.files import storage
from portal.datasets.models import Dataset, Release
from portal.datasets.workflow import withdraw
from portal.extensions import db
from portal.privacy.scan import PersonalDataFound, scan_text

# Longest reason or decision comment (the web form's limit).
TEXT_MAX = 2000
# Releases a deletion of a never-published dataset closes; a submitted one waits for its review.
CLOSABLE = (ReleaseStatus.DRAFT, ReleaseStatus.REJECTED)
IN_REVIEW = (ReleaseStatus.SUBMITTED, ReleaseStatus.PUBLISHING)


class RequestStatus(str, enum.Enum):
    """Where a withdrawal request is: waiting for a walidata, or decided."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DENIED = "denied"


class WithdrawalRequest(db.Model):
    """A produsen's request to take a public dataset down; a walidata confirms or denies it."""

    __tablename__ = "withdrawal_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.PENDING.value, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str] = mapped_column(Text, default="")

    dataset: Mapped[Dataset] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    # The four-eyes rule of the permission table reads who asked as "submitted_by".
    @property
    def submitted_by(self) -> User:
        """The requester, under the name the four-eyes rule reads."""
        return self.requested_by

    @property
    def submitted_by_id(self) -> int:
        """The requester's id, under the name the four-eyes rule reads."""
        return self.requested_by_id


def pending_request(dataset: Dataset) -> WithdrawalRequest | None:
    """The dataset's request still waiting for a walidata, or None."""
    return db.session.scalar(select(WithdrawalRequest).where(
        WithdrawalRequest.dataset_id == dataset.id, WithdrawalRequest.status == RequestStatus.PENDING.value))


def pending_requests() -> list[WithdrawalRequest]:
    """Every request waiting for a walidata, oldest first."""
    return list(db.session.scalars(select(WithdrawalRequest).where(
        WithdrawalRequest.status == RequestStatus.PENDING.value).order_by(WithdrawalRequest.id)))


def _text(value: str, what: str, needed: bool) -> str:
    """A reason or comment: stripped, at most TEXT_MAX characters; WorkflowError otherwise."""
    text = (value or "").strip()
    if needed and not text:
        raise WorkflowError(_("%(what)s wajib diisi", what=what))
    if len(text) > TEXT_MAX:
        raise WorkflowError(_("%(what)s paling banyak %(n)s karakter", what=what, n=TEXT_MAX))
    findings = scan_text(what, text)  # a reason is public on the tombstone
    if findings:
        raise PersonalDataFound(findings)
    return text


def delete_dataset(dataset: Dataset, user: User, reason: str) -> WithdrawalRequest | None:
    """Delete a draft dataset (None), or ask for a public one to be withdrawn (the request).

    The caller commits. NotAuthorized when the permission table refuses; WorkflowError while
    a release waits for review.
    """
    require(user, "delete_dataset", dataset)
    if versions.latest_published(dataset) is not None:
        return _request(dataset, user, reason)
    if any(r.status in IN_REVIEW for r in dataset.releases):
        raise WorkflowError(_("ada rilis yang sedang ditinjau walidata; tunggu keputusannya dahulu"))
    _delete_draft(dataset, user)
    return None


def _request(dataset: Dataset, user: User, reason: str) -> WithdrawalRequest:
    """The pending request of ``dataset`` (a repeated deletion asks once), or a new one."""
    found = pending_request(dataset)
    if found is not None:
        return found
    request = WithdrawalRequest(dataset=dataset, requested_by=user,
                                reason=_text(reason, _("alasan penarikan"), needed=False))
    db.session.add(request)
    db.session.flush()
    record("request_withdrawal", user, versions.latest_published(dataset), request=request.id,
           reason=request.reason)
    return request


def _delete_draft(dataset: Dataset, user: User) -> None:
    """Close every open release of a never-published dataset; the row goes when it has none."""
    if not dataset.releases:
        db.session.delete(dataset)
        db.session.flush()
        return
    closed = [r for r in dataset.releases if r.status in CLOSABLE]
    for release in closed:
        release.status = ReleaseStatus.SUPERSEDED
        record("delete_draft", user, release)
    db.session.flush()
    for release in closed:
        storage().discard_draft(release.id)


def confirm(request: WithdrawalRequest, user: User, comment: str) -> list[Release]:
    """Withdraw every public version of the request's dataset (the walidata confirms); the
    caller commits. NotAuthorized when the table refuses (four eyes), WorkflowError when decided."""
    require(user, "decide_withdrawal", request)
    _open(request)
    reason = _text(request.reason or comment, _("alasan penarikan"), needed=True)
    withdrawn = [withdraw(release, user, reason) for release in versions.published_versions(request.dataset)]
    _decide(request, user, RequestStatus.CONFIRMED, comment)
    return withdrawn


def deny(request: WithdrawalRequest, user: User, comment: str) -> WithdrawalRequest:
    """Refuse the request with a reason; the dataset stays public. The caller commits."""
    require(user, "decide_withdrawal", request)
    _open(request)
    _decide(request, user, RequestStatus.DENIED, _text(comment, _("alasan penolakan"), needed=True))
    return request


def _open(request: WithdrawalRequest) -> None:
    """WorkflowError when the request was decided already."""
    if request.status != RequestStatus.PENDING.value:
        raise WorkflowError(_("permintaan penarikan ini sudah diputuskan"))


def _decide(request: WithdrawalRequest, user: User, status: RequestStatus, comment: str) -> None:
    """Record the decision on the request and in the audit log."""
    request.status, request.decided_by, request.decided_at = status.value, user, utcnow()
    request.decision_comment = _text(comment, _("komentar"), needed=False)
    record(f"withdrawal_{status.value}", user, None, dataset=request.dataset.name, request=request.id,
           comment=request.decision_comment)
