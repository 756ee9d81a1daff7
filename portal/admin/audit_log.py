"""The walidata's view of the audit log: filters over the recorded events.

Events come in kinds (releases, registers, accounts, sign-ins). The default view shows every
kind but sign-ins, so a flood of failed logins never pushes a release or an account change
out of sight; the kind filter shows the sign-ins, or any one kind, on their own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.auth.services import ACCOUNT_ACTIONS, SIGN_IN_ACTIONS
from portal.datasets.models import Dataset, Release
from portal.extensions import db

KIND_ACTIONS: dict[str, tuple[str, ...]] = {
    "rilis": ("draft", "submit", "approve", "reject", "publish", "publish_failed", "supersede",
              "withdraw", "edit_metadata"),
    "register": ("organization_create", "organization_update", "topic_create", "topic_update",
                 "topic_delete", "topic_set_switch"),
    "akun": ACCOUNT_ACTIONS,
    "masuk": SIGN_IN_ACTIONS,
}
KIND_LABELS = {"": _l("Semua kecuali masuk/keluar"), "rilis": _l("Rilis"), "register": _l("OPD dan topik"),
               "akun": _l("Akun pengguna"), "masuk": _l("Masuk dan keluar"), "semua": _l("Semua")}
RELEASE_ID = re.compile(r"[0-9]{1,12}")


@dataclass
class AuditFilter:
    """What the walidata narrows the log down to; empty fields match everything."""

    action: str = ""
    kind: str = ""
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
        release = args.get("release", "").strip()
        kind = args.get("kind", "")
        return cls(action=args.get("action", "").strip(), kind=kind if kind in KIND_LABELS else "",
                   dataset=args.get("dataset", "").strip(), actor=args.get("actor", "").strip(),
                   # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
                   release_id=int(release) if RELEASE_ID.fullmatch(release) else None,
                   since=day("since"), until=day("until"))


def events(criteria: AuditFilter, limit: int | None = 500) -> list[AuditEvent]:
    """Audit events matching ``criteria``, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if criteria.action:
        query = query.where(AuditEvent.action == criteria.action)
    elif criteria.kind in KIND_ACTIONS:
        query = query.where(AuditEvent.action.in_(KIND_ACTIONS[criteria.kind]))
    elif criteria.kind == "":
        query = query.where(AuditEvent.action.not_in(SIGN_IN_ACTIONS))
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
