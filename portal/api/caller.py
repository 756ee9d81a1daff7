"""Who calls the API: the owner of the API token in the request, or nobody.

CKAN 2.9+ clients (ckanapi among them) send the raw token in the ``Authorization`` header;
older ones send ``X-CKAN-API-Key``; ``Bearer <token>`` is accepted too. A token that is
unknown, expired, revoked or belongs to a disabled account is refused with one 403 for all
of these, so a caller learns nothing about which. A browser's session cookie never counts:
the blueprint is CSRF-exempt. ``Basic`` credentials belong to a proxy in front of the
portal and are ignored.
"""
from __future__ import annotations

from flask import has_request_context, request

from portal.api.errors import NotAuthorized
from portal.auth.tokens import user_for_token

HEADERS = ("Authorization", "X-CKAN-API-Key")
INVALID = "the API token is not valid"
_UNSET = object()
ENVIRON_KEY = "portal.api_caller"


def presented_token() -> str | None:
    """The token the request carries, or None when it carries none."""
    for header in HEADERS:
        value = (request.headers.get(header) or "").strip()
        if not value or value.lower().startswith("basic "):
            continue
        if value.lower().startswith("bearer "):
            value = value[7:].strip()
        return value
    return None


def caller():
    """The account the request's token acts as, None without a token; NotAuthorized (403)
    when a token is present but not valid. Looked up once per request."""
    if not has_request_context():
        return None
    # Kept with the request (not ``g``: an app context may outlive one request in tests).
    found = request.environ.get(ENVIRON_KEY, _UNSET)
    if found is _UNSET:
        token = presented_token()
        found = None if token is None else (user_for_token(token) or INVALID)
        request.environ[ENVIRON_KEY] = found
    if found == INVALID:
        raise NotAuthorized(INVALID)
    return found


def identify() -> None:
    """Refuse a request whose token is not valid before any action runs (403)."""
    caller()


def required(action: str):
    """The calling account; NotAuthorized as CKAN answers an anonymous caller when there is none."""
    user = caller()
    if user is None:
        raise NotAuthorized(f"Action {action} requires an authenticated user")
    return user
