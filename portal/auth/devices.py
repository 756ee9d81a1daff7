"""Known devices: a browser that signed in to an account gets a signed cookie naming it.

The throttle judges an attempt from such a browser by that browser's own failures, so a
stranger's failures on the account do not delay its owner there (portal.auth.throttle).
The cookie holds the account id and a random nonce, signed with the app's secret key; it is
sent only to /auth/ and expires after ``MAX_AGE``.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "portal_device"
MAX_AGE = timedelta(days=90)


def _serializer() -> URLSafeTimedSerializer:
    """The signer of device cookies (its own salt: never valid as any other token)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="portal-known-device")


def known_device(cookie: str | None, user) -> str | None:
    """The device's nonce when ``cookie`` is a valid device cookie for ``user``, else None."""
    if not cookie or user is None:
        return None
    try:
        data = _serializer().loads(cookie, max_age=int(MAX_AGE.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("n"), str):
        return None
    return data["n"]


def remember(response, user) -> None:
    """Give the browser a fresh device cookie for ``user`` (after a successful login)."""
    value = _serializer().dumps({"u": user.id, "n": secrets.token_urlsafe(16)})
    response.set_cookie(COOKIE, value, max_age=int(MAX_AGE.total_seconds()), path="/auth/", httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
