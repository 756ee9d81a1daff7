"""Account operations shared by the CLI and the admin pages."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from portal.auth.models import Role, User
from portal.extensions import db

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A user account could not be created as asked."""


def find_user(email: str) -> User | None:
    """Return the user with this e-mail address (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(email: str, password: str, role: Role | str, name: str = "") -> User:
    """Create an account; the caller commits."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise AccountError(_("Alamat e-mail tidak valid."))
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("Kata sandi minimal %(n)s karakter.", n=MIN_PASSWORD))
    try:
        role = Role(role)
    except ValueError as exc:
        raise AccountError(_("Peran harus 'walidata' atau 'produsen'.")) from exc
    if find_user(email) is not None:
        raise AccountError(_("Pengguna dengan e-mail ini sudah ada."))
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user for these credentials, or None (same answer for any failure)."""
    user = find_user(email or "")
    if user is None or not user.active or not user.check_password(password or ""):
        return None
    return user
