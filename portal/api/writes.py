"""CKAN's write actions, by name: those the portal does not run answer CKAN's Authorization Error.

The write actions the portal runs (portal/api/write_actions.py: the release workflow,
package_patch/package_update, organization members; portal/api/upload_actions.py:
package_create, resource_create/update/patch with an uploaded table, package_delete) act as
the owner of the request's API token; a browser's session cookie is never trusted on this CSRF-exempt blueprint. Every
other name of this list is refused to everybody: a POST answers 403 ``Authorization Error``
in CKAN's envelope, as CKAN answers an anonymous caller (``Action <name> requires an
authenticated user``, ckan/authz.py ``is_authorized``), and a GET of any write action
answers CKAN's 400 "please use POST" (ckan/views/api.py ``_get_request_data``).

Names from ckan/logic/action/{create,update,patch,delete}.py and
ckanext/datastore/logic/action.py (CKAN 2.11).
"""
from __future__ import annotations

from portal.api.errors import NotAuthorized, ValidationError

WRITE_ACTIONS = frozenset({
    # create.py
    "package_create", "resource_create", "resource_view_create",
    "resource_create_default_resource_views", "package_create_default_resource_views",
    "package_relationship_create", "member_create", "package_collaborator_create",
    "group_create", "organization_create", "user_create", "user_invite", "vocabulary_create",
    "tag_create", "follow_user", "follow_dataset", "follow_group", "group_member_create",
    "organization_member_create", "api_token_create",
    # update.py
    "resource_update", "resource_view_update", "resource_view_reorder", "package_update",
    "package_revise", "package_resource_reorder", "package_relationship_update", "group_update",
    "organization_update", "user_update", "task_status_update", "task_status_update_many",
    "term_translation_update", "term_translation_update_many", "vocabulary_update",
    "package_owner_org_update", "bulk_update_private", "bulk_update_public", "bulk_update_delete",
    "config_option_update",
    # patch.py
    "package_patch", "resource_patch", "group_patch", "organization_patch", "user_patch",
    # delete.py
    "user_delete", "package_delete", "dataset_purge", "resource_delete", "resource_view_delete",
    "resource_view_clear", "package_relationship_delete", "member_delete",
    "package_collaborator_delete", "group_delete", "organization_delete", "group_purge",
    "organization_purge", "task_status_delete", "vocabulary_delete", "tag_delete", "unfollow_user",
    "unfollow_dataset", "unfollow_group", "group_member_delete", "organization_member_delete",
    "job_clear", "job_cancel", "api_token_revoke",
    # ckanext/datastore
    "datastore_create", "datastore_upsert", "datastore_delete", "datastore_records_delete",
    "datastore_function_create", "datastore_function_delete", "datastore_run_triggers",
})
# The portal's own write actions (CKAN naming: object_verb).
PORTAL_WRITE_ACTIONS = frozenset({"release_submit", "release_approve", "release_reject"})
# Actions whose multipart body carries a table (``upload``): bounded by MAX_CONTENT_LENGTH,
# not API_MAX_BODY (portal/api/upload_actions.py).
UPLOAD_ACTIONS = frozenset({"resource_create", "resource_update", "resource_patch"})
# ckan/views/api.py: a GET on an action that is not side-effect free.
POST_ONLY = "Bad request - JSON Error: Invalid request. Please use POST method for your request"


def is_write(name: str) -> bool:
    """True when ``name`` is one of CKAN's write actions."""
    return name in WRITE_ACTIONS or name in PORTAL_WRITE_ACTIONS


def refuse(name: str) -> NotAuthorized:
    """The error a caller without the right to ``name`` gets (every caller, for now)."""
    return NotAuthorized(f"Action {name} requires an authenticated user")


def is_upload(name: str) -> bool:
    """True when ``name`` takes a file upload in a multipart body."""
    return name in UPLOAD_ACTIONS


def too_large() -> ValidationError:
    """CKAN's answer to a file over the limit (ckan/lib/uploader.py): 409 on ``upload``."""
    return ValidationError({"upload": ["File upload too large"]})
