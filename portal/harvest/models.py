"""The record of each harvest run, kept without personal values."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.time import utcnow
from portal.extensions import db


class HarvestRun(db.Model):
    """One run of ``harvest``: its source, outcome and report."""

    __tablename__ = "harvest_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(20))
    reference_date: Mapped[date]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    desa_count: Mapped[int] = mapped_column(default=0)
    resident_count: Mapped[int] = mapped_column(default=0)
    # Problems found, each citing desa code, table, row and column, never a value.
    report: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
