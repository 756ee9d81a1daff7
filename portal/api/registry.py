"""The table of actions by CKAN name (CKAN's ``get_action``), filled by the action modules."""
from __future__ import annotations

from collections.abc import Callable

Action = Callable[[dict], object]
ACTIONS: dict[str, Action] = {}


def action(func: Action) -> Action:
    """Register ``func`` under its own name, which is the CKAN action name."""
    ACTIONS[func.__name__] = func
    return func


def all_actions() -> dict[str, Action]:
    """Every action by name; the action modules register themselves when imported."""
    from portal.api import actions, activity, datastore, group_actions  # noqa: F401

    return ACTIONS


def get_action(name: str) -> Action | None:
    """The action called ``name``, or None."""
    return all_actions().get(name)
