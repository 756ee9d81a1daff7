"""Forms in tests: the CSRF token of a page, and logging in through the real login form."""
from __future__ import annotations

import re

from tests.support.world import PASSWORDS

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


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
