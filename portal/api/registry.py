"""The table of actions by CKAN name (CKAN's ``get_action``).

The action modules fill it with ``@action``; portal.api's ``__init__`` imports them.
"""
from __future__ import annotations

from collections.abc import Callable

Action = Callable[[dict], object]
ACTIONS: dict[str, Action] = {}


def action(func: Action) -> Action:
    """Register ``func`` under its own name, which is the CKAN action name."""
    ACTIONS[func.__name__] = func
    return func


def all_actions() -> dict[str, Action]:
    """Every action by name; the action modules register themselves when portal.api imports them."""
    return ACTIONS


def get_action(name: str) -> Action | None:
    """The action called ``name``, or None."""
    return all_actions().get(name)
