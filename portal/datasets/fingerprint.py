"""One cheap query that changes whenever what the public can see changes.

The API's snapshot and the page cache key on it, so it runs on nearly every public request:
plain SQL compiled once per database (the ORM costs more than the query), answered from
primary keys and the ``release (status, published_at)`` index (~1 ms at 1,000 releases).
Every publication and withdrawal also writes an audit event, so ``max(audit_event.id)``
moves with each of them.
"""
from __future__ import annotations

from sqlalchemy import bindparam, text

from portal.datasets.models import Release
from portal.datasets.vocabularies import ReleaseStatus
from portal.extensions import db

FINGERPRINT_SQL = text(
    "SELECT (SELECT count(id) FROM release WHERE status = :published),"
    " (SELECT max(id) FROM release WHERE status = :published),"
    " (SELECT max(published_at) FROM release WHERE status = :published),"
    " (SELECT max(id) FROM audit_event), (SELECT count(id) FROM dataset),"
    " (SELECT count(id) FROM organization)"
).bindparams(bindparam("published", ReleaseStatus.PUBLISHED, type_=Release.__table__.c.status.type))
_compiled: dict[str, str] = {}


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
