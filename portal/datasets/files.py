"""Where a release's files are read from: its draft, its content-addressed blobs, or the old layout."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app

from portal.datasets import xlsx
from portal.datasets.models import Release, ReleaseFile
from portal.datasets.packaging import csv_path
from portal.datasets.storage import LocalStorage, sha256_bytes

log = logging.getLogger(__name__)
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "zip": "application/zip",
               "xlsx": xlsx.MEDIA_TYPE, "geojson": "application/geo+json"}


def storage() -> LocalStorage:
    """The file store of the current app."""
    return LocalStorage(current_app.config["STORAGE_DIR"])


def package_rel(release: Release, name: str) -> str:
    """The file's path inside the package directory (the CSV and a GeoJSON live under data/)."""
    if name == f"{release.dataset.name}.geojson":
        return f"data/{name}"
    return csv_path(release.dataset.name) if name == f"{release.dataset.name}.csv" else name


def draft_bytes(release: Release, name: str) -> bytes | None:
    """A file of a release that is not published yet."""
    return storage().read_draft(release.id, package_rel(release, name))


def published_path(release: Release, name: str) -> Path | None:
    """The local file of a published (or withdrawn) version's file, or None."""
    entry = release.file(name)
    if entry is None:
        return None
    store = storage()
    path = store.local_path(entry.sha256, name)
    if path is not None:
        return path
    legacy = store.published_dir(release.dataset.name, release.version) / package_rel(release, name)
    if legacy.is_file():
        return legacy
    if entry.format == "xlsx":
        return _build_xlsx(release, entry)
    return None


def published_bytes(release: Release, name: str) -> bytes | None:
    """The bytes of a published version's file, or None."""
    path = published_path(release, name)
    return path.read_bytes() if path is not None else None


def _build_xlsx(release: Release, entry: ReleaseFile) -> Path | None:
    """Build the XLSX from the version's own CSV and descriptor, store it if it matches its hash.

    The XLSX's size and sha256 are fixed at publication; the file itself is made on first
    download (it is a pure function of the CSV and datapackage.json).
    """
    import json

    csv_bytes = published_bytes(release, f"{release.dataset.name}.csv")
    descriptor = published_bytes(release, "datapackage.json")
    if csv_bytes is None or descriptor is None:
        return None
    content = xlsx.workbook(json.loads(descriptor), csv_bytes)
    if sha256_bytes(content) != entry.sha256:
        log.error("XLSX of release %s does not match its recorded sha256", release.id)
        return None
    store = storage()
    store.put(content, entry.name)
    return store.local_path(entry.sha256, entry.name)
