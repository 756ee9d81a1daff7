"""Shared fixtures: an app on a fresh migrated database, clients, users, a generated district."""
from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from portal import create_app
from portal.auth.services import create_user
from portal.datasets import services
from portal.extensions import db

# Small but complete: all 133 desa of Tabanan, a few thousand residents.
TEST_RESIDENTS = 4000
TEST_SEED = 7
REFERENCE_DATE = date(2026, 11, 1)
PASSWORDS = {"walidata": "walidata-test-pass", "produsen": "produsen-test-pass"}
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def pytest_sessionstart(session) -> None:
    """Compile the English catalogue when it is older than its .po (make test does it too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[1] / "portal/translations/en/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source, mo.open("wb") as target:
            write_mo(target, read_po(source))


def _reset_database(uri: str) -> None:
    """Start every test from an empty database, then build it with the migrations."""
    if uri.startswith("postgresql"):
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


@pytest.fixture(scope="session")
def district_export(tmp_path_factory) -> Path:
    """A generated OpenSID export (CSV, gabungan) of Kabupaten Tabanan, made once per run."""
    from portal.demogen.generator import generate_district

    out = tmp_path_factory.mktemp("district") / "export"
    generate_district(out, residents=TEST_RESIDENTS, seed=TEST_SEED, fmt="csv")
    return out


def fresh_app(tmp: Path):
    """The portal on an empty migrated database (TEST_DATABASE_URL, else SQLite) and storage in ``tmp``.

    Module-scoped fixtures build their world on it; no app context is left pushed.
    """
    uri = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp / 'portal.sqlite3'}"
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp / "instance"),
        "SQLALCHEMY_DATABASE_URI": uri,
        "STORAGE_DIR": str(tmp / "storage"),
        "SECRET_KEY": "test-secret",
    })
    with app.app_context():
        _reset_database(uri)
    return app


@pytest.fixture
def app(tmp_path):
    """The portal on its own database and storage."""
    app = fresh_app(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """One account per role, plus a second walidata."""
    made = {
        "walidata": create_user("walidata@example.go.id", PASSWORDS["walidata"], "walidata", "Wali Data"),
        "produsen": create_user("produsen@example.go.id", PASSWORDS["produsen"], "produsen", "Produsen"),
        "walidata2": create_user("walidata2@example.go.id", PASSWORDS["walidata"], "walidata"),
    }
    db.session.commit()
    return made


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class AuthActions:
    """Log in and out through the real login form, CSRF token included."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str):
        page = self._client.get("/auth/login").get_data(as_text=True)
        return self._client.post("/auth/login", data={
            "email": email, "password": password, "csrf_token": csrf_token(page)})

    def login_as(self, role: str):
        email = {"walidata": "walidata@example.go.id", "produsen": "produsen@example.go.id"}[role]
        response = self.login(email, PASSWORDS[role])
        assert response.status_code == 302, "login failed"
        return response

    def logout(self):
        page = self._client.get("/admin/").get_data(as_text=True)
        return self._client.post("/auth/logout", data={"csrf_token": csrf_token(page)})


@pytest.fixture
def auth(client):
    """Login helper bound to the test client."""
    return AuthActions(client)


@pytest.fixture
def harvested(app, users, district_export, tmp_path_factory):
    """The generated district harvested by the produsen: one draft release.

    The first harvest of a session runs for real; later ones from the same starting state get
    a copy of its database rows and files (tests/snapshot.py), which saves 10-30 s a test.
    """
    from tests.snapshot import harvest_once

    result = harvest_once(app, district_export, REFERENCE_DATE, users["produsen"], snapshot_dir(tmp_path_factory))
    assert result.drafts
    return result


def snapshot_dir(tmp_path_factory) -> Path:
    """A new folder for one kept world of tests/snapshot.py."""
    return Path(tmp_path_factory.mktemp("snapshot"))


@pytest.fixture
def published(app, users, harvested, tmp_path_factory):
    """The first release submitted by the produsen and approved by the walidata."""
    from tests.snapshot import releases_once

    def publish_first() -> list:
        release = harvested.drafts[0]
        services.submit(release, users["produsen"], "Rilis pertama.")
        db.session.commit()
        return [services.approve(release, users["walidata"], "Setuju.")]

    return releases_once("publish the first draft", app, snapshot_dir(tmp_path_factory), publish_first)[0]


def publish_all(app, harvested, users, tmp_path_factory) -> list:
    """Every draft of the harvest submitted by the produsen and approved by the walidata."""
    from tests.snapshot import releases_once

    def publish() -> list:
        for release in harvested.drafts:
            services.submit(release, users["produsen"], "Rilis pertama.")
            db.session.commit()
            services.approve(release, users["walidata"], "Setuju.")
        return list(harvested.drafts)

    return releases_once("publish every draft", app, snapshot_dir(tmp_path_factory), publish)
