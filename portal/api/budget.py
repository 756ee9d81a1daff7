"""A time budget for one API request's work (API_TIME_BUDGET_MS).

The API blueprint starts the clock before each request; the search calls ``check`` between
its steps (and in its row loops) and stops with CKAN's datastore answer for a statement
timeout (409 Validation Error, ``{"query": ["Search took too long"]}``) once the budget is
spent. Outside a request (an action called from Python) there is no deadline.
"""
from __future__ import annotations

import time

from flask import current_app, g, has_app_context

from portal.api.errors import ValidationError


def start() -> None:
    """Start the current request's clock."""
    g.api_deadline = time.monotonic() + current_app.config["API_TIME_BUDGET_MS"] / 1000.0


def check() -> None:
    """Raise the timeout error when the current request's budget is spent."""
    deadline = g.get("api_deadline") if has_app_context() else None
    if deadline is not None and time.monotonic() > deadline:
        raise ValidationError({"query": ["Search took too long"]})


def spare(seconds: float) -> None:
    """Add ``seconds`` to the current request's budget: work kept for every later request
    (a table's index built once) is not charged to the request that happened to need it first."""
    if has_app_context() and g.get("api_deadline") is not None:
        g.api_deadline += seconds
