"""Read actions on datasets, named after CKAN's: the one logic layer behind API and pages."""
from __future__ import annotations

from flask import current_app

from portal.api import dicts
from portal.api.errors import NotFound
from portal.api.index import snapshot
from portal.api.params import as_int, require
from portal.api.registry import action, get_action
from portal.api.search import ROWS_MAX, package_search, packages


@action
def site_read(params: dict) -> bool:
    """Whether the site may be read: always true for this public catalog."""
    return True


@action
def status_show(params: dict) -> dict:
    """Site title, address and the CKAN API features this portal implements."""
    config = current_app.config
    return {"site_title": config["PORTAL_TITLE"],
            "site_description": "Portal Satu Data: statistik kependudukan per desa, "
                                "terlindungi sesuai UU No. 27 Tahun 2022.",
            "site_url": dicts.base_url(), "error_emails_to": None, "locale_default": "id",
            "extensions": ["datastore", "dcat", "activity"], "ckan_version": "2.10.0"}


@action
def help_show(params: dict) -> str:
    """The documentation of an action."""
    name = require(params, "name")
    found = get_action(name)
    if found is None:
        raise NotFound(f"Action function not found: {name}")
    return found.__doc__ or ""


@action
def package_list(params: dict) -> list[str]:
    """Names of every public dataset, sorted; ``limit`` and ``offset`` page through them."""
    names = [e.name for e in snapshot().entries]
    offset = as_int(params, "offset", 0)
    limit = as_int(params, "limit", None)
    return names[offset:offset + limit] if limit is not None else names[offset:]


@action
def current_package_list_with_resources(params: dict) -> list[dict]:
    """Full package dicts, most recently modified first (``limit``, ``offset`` or ``page``)."""
    limit = as_int(params, "limit", None)
    offset = as_int(params, "offset", 0)
    page = as_int(params, "page", None, minimum=1)
    if page is not None and limit:
        offset = (page - 1) * limit
    found = package_search({"q": "", "rows": limit or ROWS_MAX, "start": offset,
                            "sort": "metadata_modified desc"})
    return found["results"]


@action
def package_show(params: dict) -> dict:
    """The package dict of a public dataset by id or name; its version is the latest."""
    ref = require(params, "id")
    snap = snapshot()
    entry = snap.find(ref)
    if entry is None:
        raise NotFound("Dataset not found")
    return dicts.latest_package(snap, entry)


@action
def resource_show(params: dict) -> dict:
    """A resource (a file of the latest version) by its stable id."""
    ref = require(params, "id")
    snap = snapshot()
    index = snap.memo.get("resources")
    if index is None:
        index = {r["id"]: r for p in packages(snap) for r in p["resources"]}
        snap.memo["resources"] = index
    if ref not in index:
        raise NotFound("Resource was not found.")
    return index[ref]
