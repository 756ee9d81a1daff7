"""/healthz and the security headers every answer carries."""
import json
import logging

import pytest


def test_healthz_reports_database_and_storage(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}


def test_healthz_fails_when_storage_is_not_writable(client, app, tmp_path):
    app.config["STORAGE_DIR"] = str(tmp_path / "does-not-exist")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"].startswith("error")


@pytest.mark.parametrize("url", ["/", "/dataset", "/auth/login", "/healthz", "/admin/"])
def test_security_headers_everywhere(client, url):
    headers = client.get(url).headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_scripts(client, published):
    for url in ("/", "/dataset", "/dataset/penduduk-dan-keluarga", "/auth/login"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and " style=" not in html, url


def test_request_log_is_json_without_query_strings(client, caplog):
    logger = logging.getLogger("portal.request")
    logger.propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="portal.request"):
            client.get("/dataset?q=rahasia")
    finally:
        logger.propagate = False
    entries = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.request"]
    assert entries and entries[-1]["path"] == "/dataset" and entries[-1]["status"] == 200
    assert "rahasia" not in caplog.text
