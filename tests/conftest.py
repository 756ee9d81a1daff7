"""Shared fixtures: an app on a fresh migrated database, clients, users, a generated district."""
from __future__ import annotations

from pathlib import Path

import pytest

from portal.auth.services import create_user
from portal.datasets import services
from portal.extensions import db
from tests.support.forms import AuthActions
from tests.support.world import (
    PASSWORDS,
    REFERENCE_DATE,
    TEST_RESIDENTS,
    TEST_SEED,
    fresh_app,
    join_catalogue_opds,
    snapshot_dir,
)

# Fixture modules every folder may use (a test module imports plain helpers from tests.support).
pytest_plugins = ["tests.support.browser", "tests.support.search_catalog", "tests.support.releases"]


def pytest_sessionstart(session) -> None:
    """Compile the English catalogue when it is older than its .po (make test does it too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[1] / "portal/translations/en/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source, mo.open("wb") as target:
            write_mo(target, read_po(source))


@pytest.fixture(scope="session")
def district_export(tmp_path_factory) -> Path:
    """A generated OpenSID export (CSV, gabungan) of Kabupaten Tabanan, made once per run."""
    from portal.demogen.generator import generate_district

    out = tmp_path_factory.mktemp("district") / "export"
    generate_district(out, residents=TEST_RESIDENTS, seed=TEST_SEED, fmt="csv")
    return out


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
    from tests.support.snapshot import harvest_once

    result = harvest_once(app, district_export, REFERENCE_DATE, users["produsen"], snapshot_dir(tmp_path_factory))
    assert result.drafts
    # The harvesting produsen belongs to every OPD of the table catalogue, as the demo's does.
    join_catalogue_opds(users["produsen"])
    db.session.commit()
    return result


@pytest.fixture
def published(app, users, harvested, tmp_path_factory):
    """The first release submitted by the produsen and approved by the walidata."""
    from tests.support.snapshot import releases_once

    def publish_first() -> list:
        release = harvested.drafts[0]
        services.submit(release, users["produsen"], "Rilis pertama.")
        db.session.commit()
        return [services.approve(release, users["walidata"], "Setuju.")]

    return releases_once("publish the first draft", app, snapshot_dir(tmp_path_factory), publish_first)[0]
