"""Upgrades keep the data: a database made at the first migration, filled, then upgraded to head."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal.extensions import db

FIRST = "0001_initial"


def test_upgrade_from_the_first_migration_keeps_the_data(app, client):
    downgrade(revision="base")
    upgrade(revision=FIRST)
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO organization (id, name, title, description) VALUES (1, 'opd', 'OPD', '')"))
        conn.execute(text(
            "INSERT INTO \"user\" (id, email, name, password_hash, role, active, created_at) "
            "VALUES (1, 'w@example.go.id', 'W', 'scrypt:x', 'walidata', :t, '2026-01-01 00:00:00')"),
            {"t": True})
        conn.execute(text(
            "INSERT INTO dataset (id, name, title, title_en, description, description_en, topic, tags,"
            " licence_id, frequency, privacy_class, organization_id, created_at) VALUES ("
            "'00000000-0000-0000-0000-000000000001', 'contoh', 'Contoh', 'Example', '', '',"
            " 'kependudukan', '[\"a\"]', 'CC-BY-4.0', 'bulanan', 'umum', 1, '2026-01-01 00:00:00')"))
    upgrade()
    with db.engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert conn.execute(text("SELECT title FROM dataset WHERE name = 'contoh'")).scalar() == "Contoh"
        assert conn.execute(text("SELECT role FROM \"user\" WHERE id = 1")).scalar() == "walidata"
    assert head is not None
    assert {"dataset", "release", "release_file", "audit_event"} <= set(inspect(db.engine).get_table_names())
    assert client.get("/healthz").status_code == 200


def test_downgrade_to_base_and_back(app):
    downgrade(revision="base")
    assert "dataset" not in inspect(db.engine).get_table_names()
    upgrade()
    assert "dataset" in inspect(db.engine).get_table_names()


def test_the_models_and_the_migrations_describe_the_same_schema(app, runner):
    """A model change without its migration would reach operators as a broken upgrade."""
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
