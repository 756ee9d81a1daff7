"""API tokens as CKAN 2.9+ has them: named, shown once, stored as a SHA-256, optional expiry,
revocable; every creation and revocation lands in the audit log.

A token is 32 random bytes (URL-safe text), so one SHA-256 of it is a sufficient hash: it
cannot be guessed, only stolen, and the database holds nothing a thief could send.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.log import record
from portal.auth.models import ApiToken, User
from portal.core.time import utcnow
from portal.extensions import db

NAME_MAX = 100
# A token sent in a header is at most this long; anything longer is not one of ours.
TOKEN_MAX = 200


class TokenError(ValueError):
    """A token could not be created or revoked as asked."""


def token_hash(secret: str) -> str:
    """The stored form of a token: its SHA-256 in hex."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def _clean_name(name: str) -> str:
    """The token's name, trimmed; TokenError when empty, too long or with control characters."""
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Nama token wajib diisi."))
    if len(name) > NAME_MAX or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise TokenError(_("Nama token paling banyak %(n)s karakter, tanpa karakter kendali.", n=NAME_MAX))
    return name


def create_token(user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the secret, which is shown once. The caller commits."""
    name = _clean_name(name)
    if expires_at is not None and expires_at <= utcnow():
        raise TokenError(_("Tanggal kedaluwarsa harus di masa depan."))
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret), created_at=utcnow(),
                     expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    record("api_token_create", user, None, account=user.email, account_id=user.id, token_id=token.id,
           name=name, expires_at=expires_at.isoformat() if expires_at else None)
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked ones included, marked)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.id.desc())))


def revoke_token(user: User, token_id: int, actor: User | None = None) -> ApiToken:
    """Revoke one of ``user``'s tokens (by id); TokenError when it is not theirs or already
    revoked. The caller commits."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise TokenError(_("Token tidak ditemukan."))
    if token.revoked_at is not None:
        raise TokenError(_("Token ini sudah dicabut."))
    token.revoked_at = utcnow()
    record("api_token_revoke", actor or user, None, account=user.email, account_id=user.id,
           token_id=token.id, name=token.name)
    return token


def is_live(token: ApiToken) -> bool:
    """Not revoked and not expired."""
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > utcnow())


def user_for_token(secret: str) -> User | None:
    """The active account a live token belongs to, or None (unknown, expired, revoked, too
    long, or its account disabled: the caller cannot tell which)."""
    if not secret or len(secret) > TOKEN_MAX:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is None or not is_live(token):
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    token.last_used_at = utcnow()
    return user
