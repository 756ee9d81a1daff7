"""The walidata's view of the audit log: filters over the recorded events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.datasets.models import Dataset, Release
from portal.extensions import db


@dataclass
class AuditFilter:
    """What the walidata narrows the log down to; empty fields match everything."""

    action: str = ""
    dataset: str = ""
    actor: str = ""
    release_id: int | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args) -> AuditFilter:
        """Read the filter from query-string arguments, ignoring malformed values."""
        def day(name):
            try:
                return datetime.strptime(args.get(name, ""), "%Y-%m-%d").date()
            except ValueError:
                return None
        release = args.get("release", "")
        return cls(action=args.get("action", "").strip(), dataset=args.get("dataset", "").strip(),
                   actor=args.get("actor", "").strip(),
                   release_id=int(release) if release.isdigit() else None,
                   since=day("since"), until=day("until"))


def events(criteria: AuditFilter, limit: int | None = 500) -> list[AuditEvent]:
    """Audit events matching ``criteria``, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if criteria.action:
        query = query.where(AuditEvent.action == criteria.action)
    if criteria.release_id is not None:
        query = query.where(AuditEvent.release_id == criteria.release_id)
    if criteria.dataset:
        query = query.where(AuditEvent.release_id.in_(
            select(Release.id).join(Dataset).where(Dataset.name == criteria.dataset)))
    if criteria.actor:
        query = query.where(AuditEvent.actor_id.in_(
            select(User.id).where(User.email.ilike(f"%{criteria.actor}%"))))
    if criteria.since:
        query = query.where(AuditEvent.at >= datetime.combine(criteria.since, time.min))
    if criteria.until:
        query = query.where(AuditEvent.at < datetime.combine(criteria.until + timedelta(days=1), time.min))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def actions() -> list[str]:
    """Every action recorded so far, for the filter's choices."""
    return sorted(db.session.scalars(select(AuditEvent.action).distinct()))
