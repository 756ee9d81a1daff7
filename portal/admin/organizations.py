"""The register of OPD (regional agencies): one service behind the admin pages and any CLI."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit.log import record
from portal.auth.models import User
from portal.auth.permissions import require
from portal.datasets.metadata import clean_email
from portal.datasets.models import Dataset, Organization
from portal.extensions import db

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class OrganizationError(ValueError):
    """An organisation could not be saved as asked (the message is shown to the user)."""


@dataclass(frozen=True)
class OrganizationRow:
    """An OPD with how many datasets it publishes, for the admin list."""

    organization: Organization
    datasets: int


def listing() -> list[OrganizationRow]:
    """Every OPD by title, with its number of datasets."""
    counts = dict(db.session.execute(
        select(Dataset.organization_id, func.count()).group_by(Dataset.organization_id)).all())
    found = db.session.scalars(select(Organization).order_by(Organization.title))
    return [OrganizationRow(o, counts.get(o.id, 0)) for o in found]


def _clean(title: str, description: str) -> tuple[str, str]:
    title, description = (title or "").strip(), (description or "").strip()
    if not title or len(title) > 200:
        raise OrganizationError(_("Nama OPD wajib diisi (paling banyak 200 karakter)."))
    if len(description) > 5000:
        raise OrganizationError(_("Deskripsi paling banyak 5000 karakter."))
    return title, description


def _email(email: str) -> str:
    """The OPD's role address as stored; OrganizationError when it is not one."""
    try:
        return clean_email(email)
    except ValueError as exc:
        raise OrganizationError(str(exc)) from None


def create(user: User, name: str, title: str, description: str = "", email: str = "") -> Organization:
    """Register a new OPD (walidata only); the caller commits."""
    require(user, "manage_organizations")
    name = (name or "").strip().lower()
    if not NAME_RE.match(name) or len(name) > 100:
        raise OrganizationError(_("Nama singkat hanya boleh huruf kecil, angka dan tanda hubung."))
    title, description = _clean(title, description)
    email = _email(email)
    if db.session.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        raise OrganizationError(_("OPD dengan nama singkat ini sudah ada."))
    if db.session.scalar(select(Organization.id).where(func.lower(Organization.title) == title.lower())):
        raise OrganizationError(_("OPD dengan nama ini sudah ada."))
    org = Organization(name=name, title=title, description=description, email=email)
    db.session.add(org)
    record("organization_create", user, organization=name, title=title)
    return org


def update(user: User, org: Organization, title: str, description: str = "",
           email: str | None = None) -> Organization:
    """Change an OPD's name and description (walidata only); the caller commits.

    The short name stays: published versions cite it, and their files never change.
    """
    require(user, "manage_organizations")
    title, description = _clean(title, description)
    email = org.email if email is None else _email(email)
    clash = db.session.scalar(select(Organization.id).where(
        func.lower(Organization.title) == title.lower(), Organization.id != org.id))
    if clash is not None:
        raise OrganizationError(_("OPD dengan nama ini sudah ada."))
    changes = {k: {"from": getattr(org, k), "to": v}
               for k, v in (("title", title), ("description", description), ("email", email))
               if getattr(org, k) != v}
    if not changes:
        raise OrganizationError(_("Tidak ada perubahan."))
    org.title, org.description, org.email = title, description, email
    record("organization_update", user, organization=org.name, changes=changes)
    return org
