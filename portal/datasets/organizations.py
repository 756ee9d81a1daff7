"""OPDs by slug, for membership: an existing organisation, or a catalogue OPD made on first use."""
from __future__ import annotations

from sqlalchemy import select

from portal.datasets.models import Organization
from portal.extensions import db
from portal.statistics.catalogue import ORGANIZATIONS
from portal.statistics.sdi import opd_email


class UnknownOrganization(LookupError):
    """A slug that names no organisation and no OPD of the table catalogue."""


def organization(slug: str) -> Organization:
    """The organisation called ``slug``; a catalogue OPD is created with its catalogue title
    (as the harvest would), any other unknown slug raises UnknownOrganization."""
    slug = (slug or "").strip().lower()
    found = db.session.scalar(select(Organization).where(Organization.name == slug))
    if found is None and slug in ORGANIZATIONS:
        found = Organization(name=slug, title=ORGANIZATIONS[slug], email=opd_email(slug))
        db.session.add(found)
        db.session.flush()
    if found is None:
        raise UnknownOrganization(slug)
    return found


def catalogue_organizations() -> list[Organization]:
    """Every OPD the table catalogue files a table under (the harvest's OPDs), made if missing."""
    return [organization(slug) for slug in ORGANIZATIONS]


def all_organizations() -> list[Organization]:
    """Every organisation, by title."""
    return list(db.session.scalars(select(Organization).order_by(Organization.title)))
