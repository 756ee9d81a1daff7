"""What a bad input must leave unchanged: every database row and every stored file."""
from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import inspect, text

from portal.extensions import db


def fingerprint(app) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Every row of every table, and every stored file's sha256.

    Read from the database itself, not the models: the search index tables have no model
    (SQLite adds the FTS shadow tables, PostgreSQL has none).
    """
    quote = db.engine.dialect.identifier_preparer.quote
    rows = {name: {repr(tuple(row)) for row in db.session.execute(text(f"SELECT * FROM {quote(name)}"))}
            for name in inspect(db.engine).get_table_names()}
    assert set(db.metadata.tables) <= set(rows)  # every model's table is read
    root = Path(app.config["STORAGE_DIR"])
    files = {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(root.rglob("*")) if p.is_file()}
    return rows, files
