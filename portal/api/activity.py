"""package_activity_list: each published version and each withdrawal is an activity."""
from __future__ import annotations

from datetime import UTC, datetime

from portal.api import dicts
from portal.api.errors import NotFound, ValidationError
from portal.api.index import Entry, snapshot
from portal.api.params import as_int, as_list, one, require
from portal.api.registry import action

ACTIVITY_LIMIT_MAX = 100


def _when(params: dict, key: str) -> datetime | None:
    """CKAN sends after/before as epoch seconds; ISO 8601 is accepted too."""
    value = one(params, key)
    if value in (None, ""):
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None)
    except (TypeError, ValueError):
        pass
    try:
        return datetime.fromisoformat(str(value).replace("Z", "")).replace(tzinfo=None)
    except ValueError:
        raise ValidationError({key: ["Invalid timestamp"]}) from None


def activities(entry: Entry) -> list[dict]:
    """Every activity of a public dataset, newest first."""
    actor = dicts.walidata_title()
    found = []
    for position, version in enumerate(reversed(entry.versions)):
        found.append({
            "id": dicts.stable_id("activity", entry.id, "publish", version.version),
            "timestamp": dicts.ckan_time(version.published_at), "user_id": None,
            "object_id": entry.id, "revision_id": None,
            "activity_type": "new package" if position == 0 else "changed package",
            "data": {"package": dicts.package_dict(entry, version), "actor": actor},
        })
    for withdrawn, at in entry.withdrawals:
        # The package as the public saw it after the withdrawal; the withdrawn files stay hidden.
        before = [v for v in entry.versions if v.published_at <= at]
        package = (dicts.package_dict(entry, before[0]) if before else
                   {"id": entry.id, "name": entry.name, "title": entry.title, "state": "deleted"})
        found.append({
            "id": dicts.stable_id("activity", entry.id, "withdraw", withdrawn),
            "timestamp": dicts.ckan_time(at), "user_id": None, "object_id": entry.id,
            "revision_id": None,
            "activity_type": "changed package" if before else "deleted package",
            "data": {"package": package, "actor": actor, "withdrawn_version": withdrawn},
        })
    return sorted(found, key=lambda a: a["timestamp"], reverse=True)


@action
def package_activity_list(params: dict) -> list[dict]:
    """Publications and withdrawals of a dataset, newest first (offset, limit, after, before,
    activity_types, exclude_activity_types)."""
    ref = require(params, "id")
    entry = snapshot().find(ref)
    if entry is None:
        raise NotFound("Dataset not found")
    found = activities(entry)
    after, before = _when(params, "after"), _when(params, "before")
    if after:
        found = [a for a in found if a["timestamp"] > dicts.ckan_time(after)]
    if before:
        found = [a for a in found if a["timestamp"] < dicts.ckan_time(before)]
    types = as_list(params, "activity_types")
    if types:
        found = [a for a in found if a["activity_type"] in types]
    excluded = as_list(params, "exclude_activity_types")
    found = [a for a in found if a["activity_type"] not in excluded]
    offset = as_int(params, "offset", 0)
    limit = as_int(params, "limit", 31, maximum=ACTIVITY_LIMIT_MAX)
    return found[offset:offset + limit]
