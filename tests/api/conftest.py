"""API fixtures: a catalogue made directly in the database and storage, and a live server."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from portal.core.vocabularies import ReleaseStatus
from tests.support.catalog import CatalogFactory, action


@pytest.fixture
def factory(app) -> CatalogFactory:
    """Build catalogue rows and files for one test."""
    return CatalogFactory(app)


@pytest.fixture
def resource_id(client, factory):
    """The CSV resource of a dataset whose latest public version is 1.1.0 (jumlah of row 1: 121)."""
    factory.dataset("agama", [("1.0.0", ReleaseStatus.PUBLISHED), ("1.1.0", ReleaseStatus.PUBLISHED)])
    pkg = action(client, "package_show", id="agama")[1]["result"]
    return next(r["id"] for r in pkg["resources"] if r["format"] == "CSV")


@pytest.fixture
def live_server(app):
    """The app over HTTP on a free loopback port; PORTAL_URL points at it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PORTAL_URL"] = url
    yield url
    server.shutdown()
