"""What browsers and proxies may keep: never an admin or login page; a published file for
no longer than DOWNLOAD_CACHE_SECONDS, so a withdrawal reaches every cache within it."""
from __future__ import annotations

import pytest

from portal.core.settings import declared
from portal.datasets import services

REASON = "Ditarik: uji masa simpan cache."


@pytest.mark.parametrize("url", ["/auth/login", "/admin/", "/admin/audit", "/admin/tidak-ada"])
def test_admin_and_login_answers_are_never_stored(client, url):
    assert client.get(url).headers["Cache-Control"] == "no-store"


def test_a_logged_in_admin_page_is_never_stored(client, users, auth):
    auth.login_as("walidata")
    response = client.get("/admin/")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_public_pages_are_not_marked_private(client):
    assert client.get("/").headers.get("Cache-Control") != "no-store"
    assert client.get("/administrasi").headers.get("Cache-Control") != "no-store"


def test_a_file_is_cached_no_longer_than_a_withdrawal_may_take(client, app, users, published):
    name = published.dataset.name
    url = f"/dataset/{name}/version/{published.version}/download/{name}.csv"
    response = client.get(url)
    assert response.status_code == 200
    cache = response.cache_control
    assert cache.public and not cache.immutable
    assert cache.max_age == app.config["DOWNLOAD_CACHE_SECONDS"] == 3600
    assert declared("DOWNLOAD_CACHE_SECONDS").maximum == 3 * 24 * 3600  # UU PDP Pasal 46
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    services.withdraw(published, users["walidata"], REASON)
    gone = client.get(url)
    assert gone.status_code == 410 and gone.headers["Cache-Control"] == "no-store"
