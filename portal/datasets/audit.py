"""The append-only audit log: the record of processing activities of UU PDP Pasal 31."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.datasets.models import AuditEvent, Dataset, Release
from portal.extensions import db

CSV_COLUMNS = ["id", "waktu_utc", "pengguna", "peran", "tindakan", "rilis", "dataset", "versi",
               "berkas_sha256", "catatan", "rincian"]


def record(action: str, actor: User | None, release: Release | None = None, **detail) -> AuditEvent:
    """Append an event (who, when, which release and its file hashes); the caller commits."""
    if release is not None:
        detail.setdefault("dataset", release.dataset.name)
        detail.setdefault("version", release.version)
        if "files" not in detail and release.files:
            detail["files"] = {f.name: f.sha256 for f in release.files}
    event = AuditEvent(action=action, actor=actor, release=release, detail=detail)
    db.session.add(event)
    return event


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


def _note(detail: dict) -> str:
    return next((str(detail[k]) for k in ("reason", "comment", "note", "error") if detail.get(k)), "")


def _safe(value):
    # Reasons and comments are typed by people; a spreadsheet must not run them as formulas.
    text = str(value)
    return f"'{text}" if text.startswith(("=", "+", "-", "@")) else value


def to_csv(found: list[AuditEvent]) -> str:
    """The events as CSV (UTF-8, one row per event), for the walidata's export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in found:
        detail = e.detail or {}
        files = detail.get("files") or {}
        writer.writerow([_safe(v) for v in [
            e.id, e.at.strftime("%Y-%m-%dT%H:%M:%SZ"), e.actor.email if e.actor else "sistem",
            e.actor.role.value if e.actor else "", e.action, e.release_id or "",
            detail.get("dataset", ""), detail.get("version", ""),
            ";".join(f"{name}={sha}" for name, sha in sorted(files.items())), _note(detail),
            json.dumps(detail, ensure_ascii=False, sort_keys=True)]])
    return buffer.getvalue()
