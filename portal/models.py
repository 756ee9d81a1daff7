"""Imports every model module so metadata (and Alembic) sees all tables."""
from portal.auth.models import User  # noqa: F401
from portal.datasets.models import AuditEvent, Dataset, Organization, Release, ReleaseFile  # noqa: F401
from portal.harvest.models import HarvestRun  # noqa: F401
