"""One cheap query that changes whenever what the public can see changes.

The API's snapshot and the page cache key on it, so it runs on nearly every public request:
plain SQL compiled once per database (the ORM costs more than the query), answered from
primary keys and the ``release (status, published_at)`` index (~1 ms at 1,000 releases).
Every publication, withdrawal and register change also writes an audit event, so the newest
id among those catalog-changing actions moves with each of them. Account and sign-in events
(a failed login, a new user) are left out: they change nothing the public sees, and counting
them let every anonymous failed login empty every cache.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, has_app_context
from sqlalchemy import bindparam, text

from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Release
from portal.extensions import db

# Audit actions that change what the public sees (the action column is indexed).
CATALOG_ACTIONS = ("publish", "withdraw", "organization_create", "organization_update",
                   "topic_create", "topic_update", "topic_delete", "topic_set_switch")
FINGERPRINT_SQL = text(
    "SELECT (SELECT count(id) FROM release WHERE status = :published),"
    " (SELECT max(id) FROM release WHERE status = :published),"
    " (SELECT max(published_at) FROM release WHERE status = :published),"
    " (SELECT max(id) FROM audit_event WHERE action IN :catalog_actions), (SELECT count(id) FROM dataset),"
    " (SELECT count(id) FROM organization)"
).bindparams(bindparam("published", ReleaseStatus.PUBLISHED, type_=Release.__table__.c.status.type),
             bindparam("catalog_actions", CATALOG_ACTIONS, expanding=True))
_compiled: dict[str, str] = {}
T = TypeVar("T")


def _sql(engine) -> str:
    # Literal binds let the column's type write the stored form of the enum into the SQL.
    key = str(engine.url)
    if key not in _compiled:
        _compiled[key] = str(FINGERPRINT_SQL.compile(dialect=engine.dialect,
                                                     compile_kwargs={"literal_binds": True}))
    return _compiled[key]


def catalog_fingerprint() -> tuple:
    """(published count, newest published id, newest publication, newest audit event, ...)."""
    engine = db.engine
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(_sql(engine))
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()  # back to the pool, which ends the read transaction
    return tuple(row)


def per_catalog(name: str, build: Callable[[], T], extra: Hashable = None, seconds: float = 60) -> T:
    """``build()`` once per catalog state (and ``extra``) in this worker, kept at most ``seconds``.

    The age bound catches the edits no fingerprint sees (a title fixed in place).
    """
    state = current_app.extensions.setdefault("portal_per_catalog", {})
    key = (catalog_fingerprint(), extra)
    found = state.get(name)
    if found is not None and found[0] == key and time.monotonic() - found[1] < seconds:
        return found[2]
    value = build()
    state[name] = (key, time.monotonic(), value)
    return value


def forget(name: str) -> None:
    """Drop what ``per_catalog`` keeps under ``name`` in this app (no-op outside one)."""
    if has_app_context():
        current_app.extensions.get("portal_per_catalog", {}).pop(name, None)
