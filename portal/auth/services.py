"""Account operations shared by the CLI and the admin pages; each one lands in the audit log.

Account events (create, role change, disable and enable, a password link issued, a password
set) are recorded with the account they concern, so the record of processing activities
shows who could have acted in whose name; ``changed_by`` on the account feeds the
four-eyes rule of the permission table.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from portal.audit.log import record
from portal.auth.models import Membership, PasswordToken, Role, User
from portal.auth.passwords import MIN_PASSWORD, password_problem
from portal.auth.permissions import can
from portal.core.time import utcnow
from portal.extensions import db

__all__ = ["ACCOUNT_ACTIONS", "MIN_PASSWORD", "SIGN_IN_ACTIONS", "AccountError", "authenticate",
           "change_password", "change_role", "create_user", "find_user", "issue_password_link",
           "link_account", "redeem_password_link", "set_active", "set_memberships"]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LINK_LIFETIME = timedelta(hours=72)
# Audit actions of accounts and of signing in; none changes what the public sees.
ACCOUNT_ACTIONS = ("account_create", "account_role", "account_disable", "account_enable",
                   "password_link", "password_set", "account_membership", "api_token_create",
                   "api_token_revoke")
SIGN_IN_ACTIONS = ("login", "login_failed", "logout")


class AccountError(ValueError):
    """A user account could not be created or changed as asked."""


def find_user(email: str) -> User | None:
    """Return the user with this e-mail address (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _record(action: str, actor: User | None, user: User, **detail) -> None:
    """An account event in the audit log, naming the account it concerns."""
    record(action, actor, None, account=user.email, account_id=user.id, **detail)


def _check_password(password: str, user: User) -> None:
    """AccountError unless ``password`` passes the rules for this account."""
    problem = password_problem(password, user.email, user.name or "")
    if problem:
        raise AccountError(problem)


def create_user(email: str, password: str | None, role: Role | str, name: str = "",
                actor: User | None = None, check_strength: bool = True) -> User:
    """Create an account; the caller commits.

    Without ``password`` the account has none until its owner follows a one-time link
    (``issue_password_link``). ``actor`` is the walidata who made it (None: an operator on
    the server). ``check_strength=False`` only for the demo's published passwords.
    """
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise AccountError(_("Alamat e-mail tidak valid."))
    try:
        role = Role(role)
    except ValueError as exc:
        raise AccountError(_("Peran harus 'walidata' atau 'produsen'.")) from exc
    if find_user(email) is not None:
        raise AccountError(_("Pengguna dengan e-mail ini sudah ada."))
    user = User(email=email, name=name, role=role, password_hash="", created_by_id=getattr(actor, "id", None),
                changed_by_id=getattr(actor, "id", None))
    if password is not None:
        if check_strength:
            _check_password(password, user)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    _record("account_create", actor, user, role=role.value, password_set=password is not None)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_link(user: User, actor: User | None) -> str:
    """A new one-time token to set ``user``'s password (earlier unused ones stop working).

    Only its hash is stored; show the token once. A walidata who issues one counts as having
    changed the account (they could use it themselves). The caller commits.
    """
    now = utcnow()
    db.session.execute(update(PasswordToken).where(PasswordToken.user_id == user.id,
                                                   PasswordToken.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordToken(user_id=user.id, token_hash=_token_hash(token), created_at=now,
                                 expires_at=now + LINK_LIFETIME))
    if actor is not None and actor.id != user.id:
        user.changed_by_id = actor.id
    _record("password_link", actor, user)
    return token


def link_account(token: str) -> User | None:
    """The account a still valid one-time token belongs to, or None."""
    found = db.session.scalar(select(PasswordToken).where(PasswordToken.token_hash == _token_hash(token or "")))
    if found is None or found.used_at is not None or found.expires_at < utcnow():
        return None
    return db.session.get(User, found.user_id)


def redeem_password_link(token: str, password: str) -> User:
    """Set the password of the token's account and spend the token; the caller commits."""
    user = link_account(token)
    if user is None:
        raise AccountError(_("Tautan ini tidak berlaku lagi; mintalah tautan baru kepada walidata."))
    _check_password(password, user)
    db.session.execute(update(PasswordToken).where(PasswordToken.token_hash == _token_hash(token))
                       .values(used_at=utcnow()))
    _set_password(user, password, user, how="link")
    return user


def _set_password(user: User, password: str, actor: User | None, how: str) -> None:
    """Store a new password, end the account's sessions and record it."""
    user.set_password(password)
    user.end_sessions()
    _record("password_set", actor, user, via=how)


def change_password(user: User, current: str, new: str) -> None:
    """The signed-in user changes their own password; the caller commits."""
    if not user.check_password(current or ""):
        raise AccountError(_("Kata sandi saat ini salah."))
    if current == new:
        raise AccountError(_("Kata sandi baru harus berbeda dari yang lama."))
    _check_password(new, user)
    _set_password(user, new, user, how="self")


def _changed_by(user: User, actor: User) -> None:
    """An account change by a walidata: refuse it on their own account, note it for four eyes."""
    if actor.id == user.id:
        raise AccountError(_("Akun Anda sendiri tidak dapat diubah di sini; mintalah walidata lain."))
    user.changed_by_id = actor.id


def change_role(user: User, role: Role | str, actor: User) -> None:
    """Give ``user`` another role; ends their sessions. The caller commits."""
    try:
        role = Role(role)
    except ValueError as exc:
        raise AccountError(_("Peran harus 'walidata' atau 'produsen'.")) from exc
    if role is user.role:  # nothing to change
        return
    _changed_by(user, actor)
    before, user.role = user.role, role
    user.end_sessions()
    _record("account_role", actor, user, before=before.value, role=role.value)


def set_active(user: User, active: bool, actor: User) -> None:
    """Disable or enable an account (a disabled one cannot sign in); the caller commits."""
    if active == user.active:
        return
    _changed_by(user, actor)
    user.active = active
    user.end_sessions()
    _record("account_enable" if active else "account_disable", actor, user)


def set_memberships(user: User, organization_ids, actor: User | None) -> None:
    """Make ``user`` a member of exactly these OPDs (organisation ids); the caller commits.

    Only a produsen holds memberships (a walidata reviews every OPD). A walidata who changes
    them counts as having changed the account (four eyes); an operator on the server
    (``actor`` None) may set them on a new account.
    """
    wanted = frozenset(int(i) for i in organization_ids)
    if wanted and not can(user, "hold_membership"):
        raise AccountError(_("Hanya produsen data yang menjadi anggota OPD."))
    before = user.organization_ids
    if wanted == before:
        return
    if actor is not None:
        _changed_by(user, actor)
    user.memberships = [m for m in user.memberships if m.organization_id in wanted] + [
        Membership(user_id=user.id, organization_id=i) for i in sorted(wanted - before)]
    _record("account_membership", actor, user, added=sorted(wanted - before),
            removed=sorted(before - wanted))


@cache
def _dummy_hash() -> str:
    """A hash to compare against when the account is unknown, so timing tells nothing."""
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


def authenticate(email: str, password: str) -> User | None:
    """Return the active user for these credentials, or None (same answer and cost for any failure)."""
    user = find_user(email or "")
    if user is None or not user.has_password:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user
