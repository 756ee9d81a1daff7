"""Login sessions carry the account's session version: bumping it ends every older session."""
from __future__ import annotations

from portal.auth.models import User
from portal.extensions import db


def load_user(token: str) -> User | None:
    """The account of a session token "id:version", or None when the version is out of date.

    A token without a version (a session from before versions existed) opens nothing.
    """
    user_id, _, version = (token or "").partition(":")
    if not user_id.isascii() or not user_id.isdigit() or not version.isascii() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user
