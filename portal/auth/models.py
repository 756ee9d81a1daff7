"""User accounts and the two Satu Data roles."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
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

    @property
    def is_active(self) -> bool:  # flask-login reads this
        """Disabled accounts cannot log in."""
        return self.active

    def set_password(self, password: str) -> None:
        """Store a scrypt hash of ``password``."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        """Name to show, falling back to the e-mail address."""
        return self.name or self.email
