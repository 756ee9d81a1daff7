"""Drafts: a harvest's new table, or a produsen's metadata edit on top of the latest version."""
from __future__ import annotations

import json
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.log import record
from portal.auth.models import User
from portal.auth.permissions import require
from portal.core.time import utcnow
from portal.core.vocabularies import LICENCES, Frequency, ReleaseStatus
from portal.datasets import metadata, packaging, validation, versions
from portal.datasets.errors import WorkflowError
from portal.datasets.files import MEDIA_TYPES, draft_bytes, published_bytes, storage
from portal.datasets.models import Dataset, Organization, Release, ReleaseFile
from portal.datasets.storage import sha256_bytes
from portal.extensions import db
from portal.privacy.protect import ProtectedTable
from portal.privacy.scan import assert_clean
from portal.statistics.catalogue import TableSpec
from portal.statistics.sdi import opd_email, table_metadata

# Releases a new harvest replaces; a submitted one is replaced too (its data is outdated).
OPEN_STATUSES = (ReleaseStatus.DRAFT, ReleaseStatus.SUBMITTED, ReleaseStatus.REJECTED)
EDITABLE_STATUSES = (ReleaseStatus.DRAFT, ReleaseStatus.REJECTED)
META_FIELDS = ("title", "description", "tags", "organization", "licence_id", "frequency",
               *metadata.SDI_META_KEYS)


def ensure_organization(name: str, title: str) -> Organization:
    """The organisation called ``name``, created on first use."""
    org = db.session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(name=name, title=title)
        db.session.add(org)
    org.email = org.email or opd_email(name)  # the catalogue OPD's role address (kontak)
    return org


def ensure_dataset(spec: TableSpec, organization: Organization) -> Dataset:
    """The dataset of a catalogue table, created from the spec on first harvest."""
    dataset = db.session.scalar(select(Dataset).where(Dataset.name == spec.name))
    if dataset is None:
        dataset = Dataset(name=spec.name, title=spec.title, description=spec.description,
                          title_en=spec.title_en, description_en=spec.description_en,
                          topic=spec.topic, tags=list(spec.tags), privacy_class=spec.privacy_class,
                          organization=organization)
        db.session.add(dataset)
        db.session.flush()
    metadata.fill_missing(dataset, table_metadata(spec))  # SDI metadata from the catalogue
    return dataset


def current_meta(dataset: Dataset) -> dict:
    """The dataset's public metadata as a release carries it."""
    return {"title": dataset.title, "description": dataset.description, "tags": list(dataset.tags or []),
            "organization": dataset.organization.name, "licence_id": dataset.licence_id,
            "frequency": dataset.frequency.value, **metadata.dataset_values(dataset)}


def release_meta(release: Release) -> dict:
    """The metadata a release publishes (releases older than per-release metadata: the dataset's)."""
    return {**current_meta(release.dataset), **(release.meta or {})}


def apply_meta(dataset: Dataset, meta: dict) -> None:
    """Make ``meta`` the dataset's public metadata (on publication, or after a withdrawal)."""
    if not meta:
        return
    dataset.title, dataset.description = meta["title"], meta["description"]
    dataset.tags, dataset.licence_id = list(meta["tags"]), meta["licence_id"]
    dataset.frequency = Frequency(meta["frequency"])
    metadata.apply_values(dataset, meta)
    org = db.session.scalar(select(Organization).where(Organization.name == meta["organization"]))
    if org is not None:
        dataset.organization = org


def clean_meta(changes: dict, base: dict) -> dict:
    """Validated metadata: ``base`` with ``changes`` applied; WorkflowError on a bad value."""
    meta = {**base, **{k: v for k, v in changes.items() if k in META_FIELDS and v is not None}}
    meta["title"], meta["description"] = str(meta["title"]).strip(), str(meta["description"]).strip()
    if not meta["title"] or len(meta["title"]) > 200:
        raise WorkflowError(_("judul wajib diisi (paling banyak 200 karakter)"))
    tags = meta["tags"].split(",") if isinstance(meta["tags"], str) else meta["tags"]
    meta["tags"] = list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))
    if meta["licence_id"] not in LICENCES:
        raise WorkflowError(_("lisensi tidak dikenal"))
    if meta["frequency"] not in {f.value for f in Frequency}:
        raise WorkflowError(_("frekuensi tidak dikenal"))
    if db.session.scalar(select(Organization.id).where(Organization.name == meta["organization"])) is None:
        raise WorkflowError(_("OPD tidak dikenal"))
    try:
        return metadata.clean_values(meta)
    except ValueError as exc:
        raise WorkflowError(str(exc)) from None


def build_descriptor(dataset: Dataset, meta: dict, version: str, schema: dict, csv_bytes: bytes,
                     sources: list[dict], contributors: list[dict] | None = None,
                     reference_date: date | None = None) -> dict:
    """datapackage.json of a release of ``dataset`` with the given metadata and table."""
    base = current_app.config["PORTAL_URL"].rstrip("/")
    org = db.session.scalar(select(Organization).where(Organization.name == meta["organization"]))
    org_title = org.title if org else dataset.organization.title
    contributors = contributors or [
        {"title": org_title, "roles": ["publisher"], "organization": org_title},
        {"title": f"Produsen Data, {org_title}", "roles": ["produsen", "contributor"],
         "organization": org_title}]
    return packaging.datapackage(packaging.PackageMeta(
        id=f"urn:uuid:{dataset.id}", name=dataset.name, title=meta["title"],
        description=meta["description"], version=version, created=utcnow(),
        licence_id=meta["licence_id"], keywords=list(meta["tags"]),
        homepage=f"{base}/dataset/{dataset.name}", sources=sources, contributors=contributors,
        satudata=metadata.satudata_block({**current_meta(dataset), **meta}, reference_date,
                                        org or dataset.organization)),
        schema, csv_bytes)


def _write(release: Release, descriptor: dict, csv_bytes: bytes) -> None:
    """Scan, store and validate a draft's files; record them on the release."""
    rel_csv = packaging.csv_path(release.dataset.name)
    descriptor_bytes = packaging.to_json_bytes(descriptor)
    assert_clean({rel_csv: csv_bytes, "datapackage.json": packaging.scannable(descriptor)})
    files = {rel_csv: csv_bytes, "datapackage.json": descriptor_bytes}
    storage().write_draft(release.id, files)
    release.validation_report = validation.validate_files(files)
    release.files.clear()
    db.session.flush()
    for rel, content in files.items():
        name = rel.rsplit("/", 1)[-1]
        fmt = name.rsplit(".", 1)[-1]
        release.files.append(ReleaseFile(name=name, format=fmt, media_type=MEDIA_TYPES[fmt],
                                         bytes=len(content), sha256=sha256_bytes(content)))


def harvest_sources(sources: list[dict], harvest_id: int | None, reference_date: date) -> list[dict]:
    """The release's sources, and the harvest that made it (with its reference date) if any."""
    extra = [{"title": f"Panen Portal Satu Data #{harvest_id} (tanggal referensi "
                       f"{reference_date.isoformat()})", "version": reference_date.isoformat()}]
    return [*sources, *(extra if harvest_id is not None else [])]


def create_draft(dataset: Dataset, protected: ProtectedTable, reference_date: date,
                 harvest_id: int | None, actor: User | None, sources: list[dict]) -> Release | None:
    """Draft a new version from a protected table; None when nothing changed."""
    return draft_table(dataset, packaging.table_schema(protected), packaging.table_csv(protected),
                       protected.report(), reference_date, harvest_id, actor, sources)


def open_release(dataset: Dataset, schema_hash: str, data_hash: str, privacy_report: dict,
                 reference_date: date, harvest_id: int | None, actor: User | None) -> Release | None:
    """A new draft release row for these contents; None when nothing changed (the latest
    published version or an open release has them). Open releases are superseded, and a
    metadata edit waiting in one is carried into the new draft."""
    previous = versions.latest_published(dataset)
    if previous and (previous.schema_hash, previous.data_hash) == (schema_hash, data_hash):
        return None
    open_releases = [r for r in dataset.releases if r.status in OPEN_STATUSES]
    if any((r.schema_hash, r.data_hash) == (schema_hash, data_hash) for r in open_releases):
        return None
    meta = next((r.meta for r in reversed(open_releases) if r.meta), None) or current_meta(dataset)
    for open_release_ in open_releases:
        open_release_.status = ReleaseStatus.SUPERSEDED
        record("supersede", actor, open_release_)
    version = versions.version_for(dataset, schema_hash, data_hash)
    release = Release(dataset=dataset, harvest_id=harvest_id, version=version,
                      reference_date=reference_date, schema_hash=schema_hash, data_hash=data_hash,
                      privacy_report=privacy_report, status=ReleaseStatus.DRAFT, meta=dict(meta),
                      drafted_by_id=getattr(actor, "id", None))
    db.session.add(release)
    db.session.flush()
    return release


def draft_table(dataset: Dataset, schema: dict, csv_bytes: bytes, privacy_report: dict,
                reference_date: date, harvest_id: int | None, actor: User | None,
                sources: list[dict]) -> Release | None:
    """Draft a new version from a table already protected (a harvest's or an upload's) and its
    Table Schema; None when nothing changed. Open drafts are superseded; the files are scanned."""
    release = open_release(dataset, sha256_bytes(packaging.canonical_json(schema)), sha256_bytes(csv_bytes),
                           privacy_report, reference_date, harvest_id, actor)
    if release is None:
        return None
    descriptor = build_descriptor(dataset, release.meta, release.version, schema, csv_bytes,
                                  harvest_sources(sources, harvest_id, reference_date),
                                  reference_date=reference_date)
    _write(release, descriptor, csv_bytes)
    record("draft", actor, release)
    return release


def edit_metadata(dataset: Dataset, user: User, changes: dict) -> Release | None:
    """Change a dataset's metadata through a release: the open draft, or a new PATCH draft."""
    require(user, "edit_metadata", dataset)
    if any(r.status in (ReleaseStatus.SUBMITTED, ReleaseStatus.PUBLISHING) for r in dataset.releases):
        raise WorkflowError(_("ada rilis yang sedang ditinjau walidata; tunggu keputusannya dahulu"))
    editable = [r for r in dataset.releases if r.status in EDITABLE_STATUSES]
    if editable:
        return _edit_open(editable[-1], user, changes)
    latest = versions.latest_published(dataset)
    if latest is None:
        raise WorkflowError(_("dataset ini belum memiliki rilis yang dapat diubah"))
    meta = clean_meta(changes, release_meta(latest))
    if meta == release_meta(latest):
        raise WorkflowError(_("tidak ada perubahan metadata"))
    csv_bytes = published_bytes(latest, f"{dataset.name}.csv")
    old = json.loads(published_bytes(latest, "datapackage.json"))
    version = versions.version_for(dataset, latest.schema_hash, latest.data_hash)
    release = Release(dataset=dataset, harvest_id=latest.harvest_id, version=version,
                      reference_date=latest.reference_date, schema_hash=latest.schema_hash,
                      data_hash=latest.data_hash, privacy_report=dict(latest.privacy_report),
                      status=ReleaseStatus.DRAFT, meta=meta, drafted_by_id=user.id)
    db.session.add(release)
    db.session.flush()
    descriptor = build_descriptor(dataset, meta, version, packaging.table_schema_of(old), csv_bytes,
                                  old.get("sources", []), reference_date=latest.reference_date)
    _write(release, descriptor, csv_bytes)
    record("edit_metadata", user, release, changes=_changed(release_meta(latest), meta))
    return release


def _edit_open(release: Release, user: User, changes: dict) -> Release:
    before = release_meta(release)
    meta = clean_meta(changes, before)
    if meta == before:
        raise WorkflowError(_("tidak ada perubahan metadata"))
    csv_bytes = draft_bytes(release, f"{release.dataset.name}.csv")
    old = json.loads(draft_bytes(release, "datapackage.json"))
    release.meta = meta
    release.status = ReleaseStatus.DRAFT
    descriptor = build_descriptor(release.dataset, meta, release.version,
                                  packaging.table_schema_of(old), csv_bytes, old.get("sources", []),
                                  reference_date=release.reference_date)
    _write(release, descriptor, csv_bytes)
    record("edit_metadata", user, release, changes=_changed(before, meta))
    return release


def _changed(before: dict, after: dict) -> dict:
    return {k: {"dari": before.get(k), "menjadi": after[k]} for k in META_FIELDS if before.get(k) != after[k]}
