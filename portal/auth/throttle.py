"""Login lockout: too many failures for one account lock it for a while, for every host."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core.time import utcnow
from portal.audit.models import AuditEvent
from portal.extensions import db

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def _key(email: str) -> str:
    return (email or "").strip().lower()[:254]


def recent_failures(email: str) -> int:
    """Failed logins for this address in the window (kept in the audit log, shared by all hosts)."""
    since = utcnow() - WINDOW
    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "login_failed", AuditEvent.at >= since)
        .order_by(AuditEvent.id.desc()).limit(500))
    key = _key(email)
    return sum(1 for detail in details if detail.get("account") == key)


def is_locked(email: str) -> bool:
    """True while this address has failed too often; unknown addresses lock alike."""
    return recent_failures(email) >= MAX_FAILURES


def record_failure(email: str) -> None:
    """Note a failed login (the caller commits)."""
    db.session.add(AuditEvent(action="login_failed", detail={"account": _key(email)}))


def record_success(user) -> None:
    """Note a login in the audit log (the caller commits)."""
    db.session.add(AuditEvent(action="login", actor=user, detail={}))
