"""The one logic layer of releases behind the web pages, the CLI and the API.

The functions live in drafts (harvest and metadata drafts), workflow (who may do what),
publish (atomic publication), versions (numbering) and audit (the log); this module is
the single import for callers.
"""
from __future__ import annotations

from portal.audit.log import record
from portal.datasets.drafts import (
                                    OPEN_STATUSES,
                                    create_draft,
                                    current_meta,
                                    draft_table,
                                    edit_metadata,
                                    ensure_dataset,
                                    ensure_organization,
                                    release_meta,
)
from portal.datasets.errors import WorkflowError
from portal.datasets.files import MEDIA_TYPES, storage
from portal.datasets.versions import latest_published, next_version
from portal.datasets.workflow import (
                                    approve,
                                    can_approve,
                                    can_edit_metadata,
                                    can_reject,
                                    can_submit,
                                    can_withdraw,
                                    reject,
                                    submit,
                                    withdraw,
)

__all__ = [
    "MEDIA_TYPES", "OPEN_STATUSES", "WorkflowError", "approve", "can_approve", "can_edit_metadata",
    "can_reject", "can_submit", "can_withdraw", "create_draft", "current_meta", "draft_table",
    "edit_metadata", "ensure_dataset", "ensure_organization", "latest_published",
    "next_version", "record", "reject", "release_meta", "storage", "submit", "withdraw",
]
