"""Who may do what: one table of actions and roles, checked by the services."""
from __future__ import annotations

from portal.auth.models import Role

PERMISSIONS: dict[str, frozenset[Role]] = {
    "view_admin": frozenset({Role.PRODUSEN, Role.WALIDATA}),
    "harvest": frozenset({Role.PRODUSEN}),
    "edit_metadata": frozenset({Role.PRODUSEN}),
    "submit_release": frozenset({Role.PRODUSEN}),
    "approve_release": frozenset({Role.WALIDATA}),
    "reject_release": frozenset({Role.WALIDATA}),
    "manage_users": frozenset({Role.WALIDATA}),
    "manage_organizations": frozenset({Role.WALIDATA}),
    "manage_topics": frozenset({Role.WALIDATA}),
}


class NotAuthorized(Exception):
    """Raised by a service when the user may not perform the action."""


def can(user, action: str) -> bool:
    """True when ``user`` holds a role allowed to perform ``action``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role in PERMISSIONS[action]


def require(user, action: str) -> None:
    """Raise NotAuthorized unless ``user`` may perform ``action``."""
    if not can(user, action):
        raise NotAuthorized(action)
