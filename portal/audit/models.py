"""The audit log's one table: append-only, referring to accounts and releases by key only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.core.time import utcnow
from portal.extensions import db


class AuditEvent(db.Model):
    """Append-only record of processing activities (UU PDP Pasal 31)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(40), index=True)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("release.id"), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    # By name only: SQLAlchemy resolves both from its registry, so the log imports neither
    # accounts nor releases (they sit above it).
    actor: Mapped[User | None] = relationship("User")  # noqa: F821
    release: Mapped[Release | None] = relationship("Release")  # noqa: F821


class AuditLogIsAppendOnly(Exception):
    """An attempt to change or delete a recorded audit event."""


@event.listens_for(Session, "before_flush")
def _audit_append_only(session: Session, _context, _instances) -> None:
    """Refuse to flush a change to an existing audit event (the database refuses it too)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("log audit hanya dapat ditambah, tidak diubah atau dihapus")
