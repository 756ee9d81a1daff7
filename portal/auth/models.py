"""User accounts and the two Satu Data roles."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.core.time import utcnow
from portal.extensions import db, enum_column


class Role(str, enum.Enum):
    """Roles of Perpres 39/2019 that the portal knows."""

    WALIDATA = "walidata"
    PRODUSEN = "produsen"

    @property
    def label(self) -> str:
        """Human label of the role, in the reader's language."""
        return str(ROLE_LABELS[self.value])


ROLE_LABELS = {"walidata": _l("Walidata"), "produsen": _l("Produsen Data")}


class User(UserMixin, db.Model):
    """An admin account: a produsen data or a walidata."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Four eyes: who made the account and who last changed it (role, status, a reset link);
    # neither may approve this account's submissions. None: made by an operator on the server.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Part of the login session: bumped on logout, password and role change, which ends every
    # session signed in before.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    password_changed_at: Mapped[datetime | None] = mapped_column()
    memberships: Mapped[list[Membership]] = relationship(cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # flask-login reads this
        """Disabled accounts cannot log in."""
        return self.active

    def get_id(self) -> str:
        """The session's user token: id and session version (flask-login stores it)."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Invalidate every session signed in so far (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def has_password(self) -> bool:
        """False until the account's owner has set a password through their one-time link."""
        return bool(self.password_hash)

    def set_password(self, password: str) -> None:
        """Store a scrypt hash of ``password``."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches the stored hash (never for an account without one)."""
        return self.has_password and check_password_hash(self.password_hash, password)

    @property
    def organization_ids(self) -> frozenset[int]:
        """The OPDs (organisation ids) this account is a member of."""
        return frozenset(m.organization_id for m in self.memberships)

    @property
    def display_name(self) -> str:
        """Name to show, falling back to the e-mail address."""
        return self.name or self.email


class LoginFailure(db.Model):
    """One failed login, kept a day for the throttle: keyed digests of the account and the client.

    Counted in SQL per account, per client address and per known device (each indexed with
    the time); a successful login clears its account's rows.
    """

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_account_at", "account", "at"),
                      Index("ix_login_failure_address_at", "address", "at"),
                      Index("ix_login_failure_device_at", "device", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    # Set when the attempt came from a browser that signed in to this account before.
    device: Mapped[str | None] = mapped_column(String(64))


class PasswordToken(db.Model):
    """A one-time link to set an account's password: only its SHA-256 is stored."""

    __tablename__ = "password_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class Membership(db.Model):
    """A produsen's membership of an OPD: they may create and edit that OPD's datasets.

    The organisation is referred to by key only (``organization.id``), so accounts depend on
    no catalog package; a walidata needs none (they review every OPD's releases).
    """

    __tablename__ = "membership"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), primary_key=True,
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(db.Model):
    """A named API token (CKAN 2.9+): only the SHA-256 of its secret is stored.

    Sent raw in the ``Authorization`` header (or ``X-CKAN-API-Key``); a request with it acts
    as its owner until it expires or is revoked.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
