"""The application factory and the embedded database settings."""
from sqlalchemy import text

from portal.extensions import db


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_schema_comes_from_the_migrations(app):
    from alembic.script import ScriptDirectory
    from flask import current_app

    head = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_current_head()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    assert head is not None


def test_config_overrides_apply(app, tmp_path):
    assert app.config["TESTING"] is True
    assert app.config["STORAGE_DIR"] == str(tmp_path / "storage")
    assert app.config["PRIVACY_K_GENERAL"] == 5
