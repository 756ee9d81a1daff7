"""Organisations (OPD), groups (topics), tags and licences as CKAN's list/show actions."""
from __future__ import annotations

from collections.abc import Callable

from portal.api import dicts
from portal.api.errors import NotFound, ValidationError
from portal.api.index import Snapshot, snapshot
from portal.api.params import as_bool, as_int, as_list, one, require
from portal.api.registry import action
from portal.api.search import packages
from portal.core.vocabularies import LICENCES
from portal.datasets.topics import all_topics

# Sort names CKAN accepts for groups and organisations -> the dict field they sort on.
GROUP_SORT_FIELDS = {"name": "name", "title": "title", "package_count": "package_count",
                     "packages": "package_count"}
LIST_OFFSET_MAX = 1_000_000
DATASETS_IN_SHOW = 1000


def group_sort(value: object) -> tuple[str, bool]:
    """CKAN's group/organization sort: (field, descending), one criterion.

    ``packages`` or ``package_count`` alone mean most datasets first; a field outside
    name, title, packages, package_count or a direction other than asc/desc is a
    Validation Error (ckan/logic/action/get.py ``_group_or_org_list``, ``_unpick_search``).
    """
    sort = str(value or "title").strip()[:100] or "title"
    if sort in ("packages", "package_count"):
        sort = "package_count desc"
    parts = [p.split() for p in sort.split(",")]
    if len(parts) > 1:
        raise ValidationError({"message": ["Too many sort criteria provided only 1 allowed"]})
    bits = parts[0] or ["title"]
    field, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
    if field not in GROUP_SORT_FIELDS:
        raise ValidationError({"message": [f"Cannot sort by field `{field}`"]})
    if direction not in ("asc", "desc"):
        raise ValidationError({"message": [f"Invalid sort direction `{direction}`"]})
    return GROUP_SORT_FIELDS[field], direction == "desc"


def _sort_and_page(items: list[dict], params: dict, max_limit: int) -> list[dict]:
    """CKAN's sort, q, names filter, limit (capped at ``max_limit``) and offset for group lists."""
    query = str(one(params, "q", "") or "").lower()
    if query:
        items = [i for i in items if query in i["name"].lower() or query in i["title"].lower()]
    wanted = as_list(params, "organizations") or as_list(params, "groups")
    if wanted:
        items = [i for i in items if i["name"] in wanted]
    field, descending = group_sort(one(params, "sort"))
    items = sorted(items, key=lambda i: i["name"])  # ties in name order, whichever direction
    items.sort(key=lambda i: i[field].lower() if isinstance(i[field], str) else i[field],
               reverse=descending)
    offset = as_int(params, "offset", 0, maximum=LIST_OFFSET_MAX)
    limit = as_int(params, "limit", max_limit, maximum=max_limit) or max_limit
    return items[offset:offset + limit]


def _list(params: dict, everything: list[dict]) -> list:
    """organization_list/group_list: names, or with ``all_fields`` the dicts (count optional)."""
    all_fields = as_bool(params, "all_fields")
    # CKAN: all_fields is expensive, so its limit is 25 (ckan.group_and_organization_list_all_fields_max).
    chosen = _sort_and_page(everything, params, 25 if all_fields else 1000)
    if not all_fields:
        return [i["name"] for i in chosen]
    if not as_bool(params, "include_dataset_count", True):
        chosen = [{k: v for k, v in i.items() if k != "package_count"} for i in chosen]
    return chosen


def _with_datasets(snap: Snapshot, found: dict, params: dict, belongs: Callable) -> dict:
    """A group or organisation dict with its public packages when ``include_datasets`` asks."""
    if as_bool(params, "include_datasets", False):
        found = {**found, "packages": [p for e, p in zip(snap.entries, packages(snap))
                                       if belongs(e)][:DATASETS_IN_SHOW]}
    return found


@action
def organization_list(params: dict) -> list:
    """Organisation names, or with ``all_fields`` their dicts; sort, q, limit, offset."""
    snap = snapshot()
    return _list(params, [dicts.organization_dict(snap, o) for o in snap.orgs])


@action
def organization_show(params: dict) -> dict:
    """An organisation by id or name; ``include_datasets`` adds its public packages."""
    ref = require(params, "id")
    snap = snapshot()
    org = next((o for o in snap.orgs
                if ref in (o.name, dicts.stable_id("organization", str(o.id)))), None)
    if org is None:
        raise NotFound("Organization was not found.")
    return _with_datasets(snap, dicts.organization_dict(snap, org), params,
                          lambda e: e.org.id == org.id)


def _topics(snap: Snapshot) -> list[str]:
    """Every topic of the register, plus any topic a public dataset uses outside it."""
    registered = list(all_topics())
    extra = sorted({e.topic for e in snap.entries} - set(registered))
    return [*registered, *extra]


@action
def group_list(params: dict) -> list:
    """Topic names (topics are CKAN groups), or with ``all_fields`` their dicts."""
    snap = snapshot()
    return _list(params, [dicts.group_dict(snap, t) for t in _topics(snap)])


@action
def group_show(params: dict) -> dict:
    """A topic by id or name; ``include_datasets`` adds its public packages."""
    ref = require(params, "id")
    snap = snapshot()
    topic = next((t for t in _topics(snap) if ref in (t, dicts.stable_id("group", t))), None)
    if topic is None:
        raise NotFound("Group was not found.")
    return _with_datasets(snap, dicts.group_dict(snap, topic), params, lambda e: e.topic == topic)


@action
def tag_list(params: dict) -> list:
    """Tags of public datasets, sorted; ``query`` filters, ``all_fields`` gives dicts."""
    if one(params, "vocabulary_id"):
        raise NotFound("Could not find vocabulary")
    query = str(one(params, "query") or one(params, "q") or "").lower()
    names = sorted({t for e in snapshot().entries for t in e.tags if query in t.lower()})
    if as_bool(params, "all_fields"):
        return [{"id": dicts.stable_id("tag", n), "name": n, "vocabulary_id": None} for n in names]
    return names


@action
def license_list(params: dict) -> list[dict]:
    """The licences datasets may carry."""
    return [dicts.license_dict(lic) for lic in LICENCES.values()]
