"""Stable public ids: the same thing gets the same id in every version and install."""
from __future__ import annotations

import uuid

# Ids derived from this namespace stay the same across versions and installs, as CKAN
# clients (and harvesters) keep resource and group ids between runs.
ID_NAMESPACE = uuid.UUID("6f1c2f8e-3c2a-5d0e-9b7a-5a7d1c0d2b51")


def stable_id(*parts: str) -> str:
    """A uuid5 that names the same thing every time (resource, group, tag, organisation)."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))
