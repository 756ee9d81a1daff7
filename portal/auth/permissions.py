"""Who may do what: the one table of actions, and the one check every face calls.

Each action names the roles that may perform it and, where the object matters, a rule
that looks at it (CKAN's one auth function per action). ``can(user, action, target)`` is the
only role check of the portal; ``requires(action)`` puts it in front of a view and names the
action on the view, so the authorisation matrix test can read which action guards which URL.
The rules read the target by attribute, so this module depends on no workflow package.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.models import Role

ADMINS = frozenset({Role.PRODUSEN, Role.WALIDATA})
WALIDATA = frozenset({Role.WALIDATA})
PRODUSEN = frozenset({Role.PRODUSEN})


def _four_eyes(user, release) -> str | None:
    """Why ``user`` may not approve ``release``: they made the draft or submitted it, or made or
    last changed the submitter's account (and so could have submitted in its name)."""
    if getattr(release, "drafted_by_id", None) == user.id:
        return _("Anda sendiri yang membuat draf ini (panen, unggahan atau ubahan metadata); "
                 "walidata lain yang harus meninjaunya.")
    submitter = getattr(release, "submitted_by", None)
    # Both the column and the relationship: one may be set in memory before a flush.
    submitters = {getattr(release, "submitted_by_id", None), getattr(submitter, "id", None)} - {None}
    if not submitters:
        return None
    if user.id in submitters:
        return _("Anda sendiri yang mengajukan rilis ini; walidata lain yang harus meninjaunya.")
    if submitter is not None and submitter.created_by_id == user.id:
        return _("Anda yang membuat akun pengaju rilis ini; walidata lain yang harus meninjaunya.")
    if submitter is not None and submitter.changed_by_id == user.id:
        return _("Anda yang terakhir mengubah akun pengaju rilis ini; walidata lain yang harus meninjaunya.")
    return None


def _organization_of(target) -> int | None:
    """The OPD a target belongs to: a dataset's own, or a release's dataset's."""
    dataset = getattr(target, "dataset", None) or target
    found = getattr(dataset, "organization_id", None)
    if found is None:  # set through the relationship, not flushed yet
        found = getattr(getattr(dataset, "organization", None), "id", None)
    return found


def _own_opd(user, target) -> str | None:
    """Why ``user`` may not change ``target`` (a dataset or a release): it belongs to an OPD
    they are not a member of. Fails closed: a target whose OPD is unknown is refused too."""
    organization = _organization_of(target)
    if organization is None or organization not in getattr(user, "organization_ids", frozenset()):
        return _("Dataset ini milik OPD lain; hanya anggota OPD tersebut yang dapat mengubahnya.")
    return None


def _uploader(user, target) -> str | None:
    """Why ``user`` may not upload a table for ``target`` (a dataset, or a new one's OPD): a
    walidata uploads for any OPD, a produsen only for the OPDs they are a member of."""
    if user.role in WALIDATA:
        return None
    return _own_opd(user, target)


@dataclass(frozen=True)
class Permission:
    """The roles that may perform an action, and an optional rule on its target."""

    roles: frozenset[Role]
    rule: Callable[[object, object], str | None] | None = None


PERMISSIONS: dict[str, Permission] = {
    # Reading the admin area: overview, releases, datasets, harvest reports.
    "view_admin": Permission(ADMINS),
    "view_harvests": Permission(ADMINS),
    "view_registers": Permission(ADMINS),
    "view_privacy_policy": Permission(ADMINS),
    "change_own_password": Permission(ADMINS),
    "harvest": Permission(PRODUSEN),
    # A produsen changes only the datasets of the OPDs they are a member of.
    "edit_metadata": Permission(PRODUSEN, _own_opd),
    "submit_release": Permission(PRODUSEN, _own_opd),
    # An uploaded table becomes a draft of the OPD's dataset (web page, CLI): never published by it.
    "upload_table": Permission(ADMINS, _uploader),
    # package_delete: a draft dataset goes, a public one becomes a withdrawal request.
    "delete_dataset": Permission(PRODUSEN, _own_opd),
    # Only a produsen belongs to OPDs; a walidata reviews every OPD's releases.
    "hold_membership": Permission(PRODUSEN),
    "manage_own_tokens": Permission(ADMINS),
    "approve_release": Permission(WALIDATA, _four_eyes),
    "reject_release": Permission(WALIDATA, _four_eyes),
    "withdraw_release": Permission(WALIDATA),
    # Confirm or deny a produsen's withdrawal request: never the requester (four eyes).
    "decide_withdrawal": Permission(WALIDATA, _four_eyes),
    "view_audit": Permission(WALIDATA),
    "manage_users": Permission(WALIDATA),
    "manage_organizations": Permission(WALIDATA),
    "manage_topics": Permission(WALIDATA),
    # The data-quality ranking of the last harvest, to send back to the villages (counts only).
    "view_data_quality": Permission(WALIDATA),
}


class NotAuthorized(Exception):
    """Raised by a service when the user may not perform the action."""


def refusal(user, action: str, target=None) -> str | None:
    """Why ``user`` may not perform ``action`` (on ``target``), or None when they may."""
    permission = PERMISSIONS[action]
    if user is None or not getattr(user, "is_authenticated", False):
        return _("Silakan masuk untuk membuka halaman ini.")
    if user.role not in permission.roles:
        return _("Peran Anda tidak mencakup tindakan ini.")
    if target is not None and permission.rule is not None:
        return permission.rule(user, target)
    return None


def can(user, action: str, target=None) -> bool:
    """True when ``user`` may perform ``action`` (on ``target``, when its rule looks at one)."""
    return refusal(user, action, target) is None


def require(user, action: str, target=None) -> None:
    """Raise NotAuthorized unless ``user`` may perform ``action`` (on ``target``)."""
    if not can(user, action, target):
        raise NotAuthorized(action)


def roles_for(action: str) -> frozenset[Role]:
    """The roles the table lets perform ``action`` (for the matrix test and the docs)."""
    return PERMISSIONS[action].roles


def requires(action: str):
    """Guard a view with ``action`` of the table: 403 unless the signed-in user may.

    The view keeps the action's name as ``permission``; the admin blueprint refuses any of
    its views that names none.
    """
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}: add it to PERMISSIONS")

    def decorate(view):
        """Wrap ``view`` with the check."""
        @wraps(view)
        def guarded(*args, **kwargs):
            """The view, reached only by a user the table allows."""
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)
        guarded.permission = action
        return guarded
    return decorate
