"""The test world: the generated district's size, the reference date, apps on fresh databases."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from portal import create_app
from portal.datasets import services
from portal.extensions import db

# Small but complete: all 133 desa of Tabanan, a few thousand residents.
TEST_RESIDENTS = 4000
TEST_SEED = 7
REFERENCE_DATE = date(2026, 11, 1)
PASSWORDS = {"walidata": "walidata-test-pass", "produsen": "produsen-test-pass"}


def reset_database(uri: str) -> None:
    """Start every test from an empty database, then build it with the migrations."""
    if uri.startswith("postgresql"):
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


def database_url(tmp: Path) -> str:
    """TEST_DATABASE_URL, else a SQLite file in ``tmp``; under pytest-xdist each worker gets its own.

    Workers run at once, so a PostgreSQL database named in TEST_DATABASE_URL becomes
    ``<name>_<worker>`` (portal_test_gw0, portal_test_gw1), created on first use.
    """
    uri = os.environ.get("TEST_DATABASE_URL")
    if not uri:
        return f"sqlite:///{tmp / 'portal.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not uri.startswith("postgresql"):
        return uri
    url = make_url(uri)
    own = url.set(database=f"{url.database}_{worker}")
    _create_database(url, own.database)
    return own.render_as_string(hide_password=False)


def _create_database(url, name: str) -> None:
    """Create database ``name`` on the server of ``url`` when it does not exist yet."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def fresh_app(tmp: Path):
    """The portal on an empty migrated database (TEST_DATABASE_URL, else SQLite) and storage in ``tmp``.

    Module-scoped fixtures build their world on it; no app context is left pushed.
    """
    uri = database_url(tmp)
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp / "instance"),
        "SQLALCHEMY_DATABASE_URI": uri,
        "STORAGE_DIR": str(tmp / "storage"),
        "SECRET_KEY": "test-secret",
        # The request time budget is a production guard, not a test of speed: a loaded CI
        # machine must not turn a search into "took too long" (tests that test it set it).
        "API_TIME_BUDGET_MS": 60_000,
    })
    with app.app_context():
        reset_database(uri)
    return app


def snapshot_dir(tmp_path_factory) -> Path:
    """A new folder for one kept world of tests/snapshot.py."""
    return Path(tmp_path_factory.mktemp("snapshot"))


def publish_all(app, harvested, users, tmp_path_factory) -> list:
    """Every draft of the harvest submitted by the produsen and approved by the walidata."""
    from tests.support.snapshot import releases_once

    def publish() -> list:
        for release in harvested.drafts:
            services.submit(release, users["produsen"], "Rilis pertama.")
            db.session.commit()
            services.approve(release, users["walidata"], "Setuju.")
        return list(harvested.drafts)

    return releases_once("publish every draft", app, snapshot_dir(tmp_path_factory), publish)


def join_catalogue_opds(user) -> None:
    """Make ``user`` (a produsen) a member of every OPD of the table catalogue the database
    holds (after a harvest: all of them), so they may submit every harvested draft (the
    caller commits)."""
    from sqlalchemy import select

    from portal.auth.services import set_memberships
    from portal.datasets.models import Organization
    from portal.statistics.catalogue import ORGANIZATIONS

    found = db.session.scalars(select(Organization.id).where(Organization.name.in_(ORGANIZATIONS)))
    set_memberships(user, list(found), None)
