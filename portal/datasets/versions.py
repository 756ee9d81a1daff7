"""Semantic version numbers: MAJOR for a schema or code list change, MINOR for data, PATCH for metadata."""
from __future__ import annotations

from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Dataset, Release

# Statuses whose release holds its version number for good (see models.HELD_VERSION).
HELD = (ReleaseStatus.PUBLISHING, ReleaseStatus.PUBLISHED, ReleaseStatus.WITHDRAWN)
KIND_LABELS = {"major": "MAJOR: skema atau daftar kode berubah", "minor": "MINOR: data berubah",
               "patch": "PATCH: hanya metadata berubah", "first": "Versi pertama"}


def parse(version: str) -> tuple[int, int, int]:
    """``"1.4.2"`` as a comparable tuple."""
    major, minor, patch = (int(p) for p in version.split("."))
    return major, minor, patch


def published_versions(dataset: Dataset) -> list[Release]:
    """The dataset's public versions, newest first."""
    published = [r for r in dataset.releases if r.status == ReleaseStatus.PUBLISHED]
    return sorted(published, key=lambda r: r.published_at, reverse=True)


def latest_published(dataset: Dataset) -> Release | None:
    """The newest public version of a dataset."""
    published = published_versions(dataset)
    return published[0] if published else None


def highest_held(dataset: Dataset, exclude: Release | None = None) -> Release | None:
    """The release holding the highest number ever published (withdrawn ones included)."""
    held = [r for r in dataset.releases if r.status in HELD and r is not exclude]
    return max(held, key=lambda r: parse(r.version), default=None)


def change_kind(previous, schema_hash: str, data_hash: str) -> str:
    """What changed against ``previous``: first, major, minor or patch."""
    if previous is None:
        return "first"
    if previous.schema_hash != schema_hash:
        return "major"
    if previous.data_hash != data_hash:
        return "minor"
    return "patch"


def bump(version: str, kind: str) -> str:
    """The version after ``version`` for a change of ``kind``."""
    major, minor, patch = parse(version)
    if kind == "major":
        return f"{major + 1}.0.0"
    if kind == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def next_version(previous, schema_hash: str, data_hash: str, highest: str | None = None) -> str:
    """Semantic version: MAJOR on a schema change, MINOR on a data change, else PATCH.

    ``previous`` is what the public sees now; ``highest`` the highest number ever held, so a
    withdrawn version's number is never given out again.
    """
    kind = change_kind(previous, schema_hash, data_hash)
    if kind == "first" and highest is None:
        return "1.0.0"
    base = max((v for v in (highest, previous.version if previous else None) if v), key=parse)
    return bump(base, "major" if kind == "first" else kind)


def version_for(dataset: Dataset, schema_hash: str, data_hash: str,
                release: Release | None = None) -> str:
    """The number a release with these hashes gets if it is published now."""
    previous = latest_published(dataset)
    if previous is release:
        previous = None
    if previous is None:
        # Everything public was withdrawn: compare with the last version that was public.
        previous = highest_held(dataset, exclude=release)
    highest = highest_held(dataset, exclude=release)
    return next_version(previous, schema_hash, data_hash, highest.version if highest else None)
