"""Time helpers shared by every layer."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Current time in UTC, naive (stored as such on SQLite and PostgreSQL alike)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
