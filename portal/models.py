"""Imports every model module so metadata (and Alembic) sees all tables."""
from portal.audit.models import AuditEvent  # noqa: F401
from portal.auth.models import User  # noqa: F401
from portal.datasets.models import Dataset, Organization, Release, ReleaseFile  # noqa: F401
from portal.datasets.withdrawal_requests import WithdrawalRequest  # noqa: F401
from portal.harvest.models import HarvestRun  # noqa: F401
