"""API fixtures: a catalogue made directly in the database and storage, and a live server."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.support.catalog import CatalogFactory


@pytest.fixture
def factory(app) -> CatalogFactory:
    """Build catalogue rows and files for one test."""
    return CatalogFactory(app)


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
