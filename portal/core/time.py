"""Time helpers shared by every layer."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time in UTC, naive (stored as such on SQLite and PostgreSQL alike)."""
    return datetime.now(UTC).replace(tzinfo=None)
