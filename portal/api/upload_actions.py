"""CKAN write actions of the OPD door: create a dataset, upload its table, delete it.

``package_create`` registers a dataset of an OPD (metadata only: nothing public, nothing to
review yet); ``resource_create`` uploads its table as ckanapi sends it
(``ckan.action.resource_create(package_id=..., upload=open(f, 'rb'))``, multipart/form-data)
and ``resource_update`` / ``resource_patch`` upload a new one for the dataset's table resource
(``id``): each upload goes through the uploads service (read, person-level records refused,
privacy protection, the auditor) and becomes a draft release for the four-eyes review,
never a publication. ``package_delete`` deletes a dataset never published, and turns the
deletion of a public one into a withdrawal request that a walidata confirms or denies on the
admin pages (the dataset stays public until then).

Every action acts as the API token's owner and asks the permission table once
(``upload_table`` for the door, ``delete_dataset``); errors are CKAN's envelopes: 403
Authorization Error, 404 Not Found, 409 Validation Error with the field's messages (an
upload's refusal under ``upload``: file, row and column, never a value). Names and
parameters as ckan/logic/action/{create,update,patch,delete}.py.
"""
from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.api.caller import required
from portal.api.errors import NotAuthorized, NotFound, ValidationError
from portal.api.params import as_bool, as_list, one
from portal.api.params import require as required_param
from portal.api.registry import action
from portal.api.write_actions import _dataset, _run, _tags, _text, organization
from portal.audit.log import record
from portal.auth.permissions import refusal
from portal.core.ids import stable_id
from portal.core.vocabularies import DEFAULT_LICENCE, LICENCES, Frequency, PrivacyClass
from portal.datasets import metadata
from portal.datasets.models import Dataset, Release
from portal.datasets.withdrawal_requests import WithdrawalRequest, delete_dataset
from portal.extensions import db
from portal.privacy.scan import PersonalDataFound, scan_text
from portal.uploads.errors import UploadError
from portal.uploads.read import MAX_UPLOAD_BYTES
from portal.uploads.service import DATASET_NAME, upload_to_draft

# ckan/logic/validators.py name_validator and package_name_validator, as CKAN words them.
NAME_RULE = "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
NAME_TAKEN = "That URL is already in use."
# ckan/lib/uploader.py ResourceUpload: a file over the limit.
TOO_LARGE = "File upload too large"  # as writes.too_large()
# Satu Data Indonesia metadata a dataset carries (portal.datasets.metadata), given as
# top-level fields or CKAN ``extras`` under the same keys package_patch reads.
SDI_FIELDS = metadata.SDI_META_KEYS
TITLE_MAX, NOTES_MAX = 200, 5000
# An upload's own settings beside the file (strings in a multipart body).
UPLOAD_SETTINGS = ("sheet", "privacy_class", "rows_are_not_people", "reference_date")
SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _string(params: dict, key: str, limit: int, default: str = "") -> str:
    """An optional text field: a string of at most ``limit`` characters, no personal data."""
    value = one(params, key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationError({key: ["Must be a string"]})
    if len(value) > limit:
        raise ValidationError({key: [f"Must be at most {limit} characters long"]})
    if scan_text(key, value):
        raise ValidationError({key: ["Holds text shaped like personal data (NIK, phone number, "
                                     "e-mail or a date); remove it"]})
    return value.strip()


def _new_name(params: dict) -> str:
    """The new dataset's ``name``: CKAN's rule, and not taken."""
    name = one(params, "name")
    if name is None or name == "":
        raise ValidationError({"name": ["Missing value"]})
    if not isinstance(name, str) or not DATASET_NAME.fullmatch(name):
        raise ValidationError({"name": [NAME_RULE]})
    if db.session.scalar(select(Dataset.id).where(Dataset.name == name)) is not None:
        raise ValidationError({"name": [NAME_TAKEN]})
    return name


def _choice(params: dict, key: str, allowed, default: str) -> str:
    """A value of a closed list (licence, frequency, privacy class)."""
    value = one(params, key)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError({key: [f"Must be one of: {', '.join(sorted(allowed))}"]})
    return value


def sdi_metadata(params: dict) -> dict[str, str]:
    """The Satu Data Indonesia fields given top-level or as ``extras`` [{key, value}]."""
    given = {key: params[key] for key in SDI_FIELDS if key in params}
    for extra in as_list(params, "extras"):
        if not isinstance(extra, dict) or not isinstance(extra.get("key"), str):
            raise ValidationError({"extras": ["Each extra must be {\"key\": ..., \"value\": ...}"]})
        if extra["key"] in SDI_FIELDS:  # others (a package_show's derived ones) are not kept
            given[extra["key"]] = extra.get("value", "")
    out = {}
    for key, value in given.items():
        if value is not None and not isinstance(value, str):
            raise ValidationError({key: ["Must be a string"]})
        try:  # the same checks as the metadata form and package_patch (length, level, ...)
            out[key] = metadata.clean_values({key: value or ""})[key]
        except ValueError as exc:
            raise ValidationError({key: [str(exc)]}) from None
        _string(out, key, len(out[key]))  # no text shaped like personal data
    return out


def package_dict(dataset: Dataset, release: Release | None = None) -> dict:
    """The dataset as package_create answers it: a draft, nothing public yet."""
    org = dataset.organization
    sdi = {key: getattr(dataset, key) for key in SDI_FIELDS if getattr(dataset, key, "")}
    return {"id": dataset.id, "name": dataset.name, "title": dataset.title, "notes": dataset.description,
            "owner_org": stable_id("organization", str(org.id)),
            "organization": {"id": stable_id("organization", str(org.id)), "name": org.name, "title": org.title},
            "license_id": dataset.licence_id, "frequency": dataset.frequency.value,
            "tags": [{"name": t} for t in dataset.tags or []], "num_tags": len(dataset.tags or []),
            "private": True, "state": "draft", "type": "dataset", "resources": [], "num_resources": 0,
            **sdi, "extras": [{"key": k, "value": v} for k, v in sdi.items()],
            "release_id": release.id if release else None}


@action
def package_create(params: dict) -> dict:
    """Register a dataset of an OPD (``name``, ``owner_org``; title, notes, tags, license_id,
    frequency, Satu Data fields top-level or in ``extras``): a draft until a table is uploaded
    with resource_create, submitted and approved."""
    user = required("package_create")
    name = _new_name(params)
    org = organization(one(params, "owner_org"))
    if refusal(user, "upload_table", SimpleNamespace(organization_id=org.id, organization=org)) is not None:
        raise NotAuthorized("User not authorized to add dataset to this organization")
    if as_list(params, "resources"):
        raise ValidationError({"resources": ["Upload each table with resource_create (upload=<file>)"]})
    dataset = Dataset(name=name, organization=org, topic="lainnya",
                      title=_string(params, "title", TITLE_MAX) or name.replace("-", " ").title(),
                      description=_string(params, "notes", NOTES_MAX),
                      tags=list(dict.fromkeys(t.strip().lower() for t in _tags(params))) or ["unggahan-opd"],
                      licence_id=_choice(params, "license_id", LICENCES, DEFAULT_LICENCE),
                      frequency=Frequency(_choice(params, "frequency", {f.value for f in Frequency},
                                                  Frequency.MONTHLY.value)),
                      **sdi_metadata(params))

    def work() -> dict:
        db.session.add(dataset)
        db.session.flush()
        record("create_dataset", user, None, dataset=dataset.name, organization=org.name)
        return package_dict(dataset)
    return _run("package_create", work)


def _upload(params: dict) -> tuple[bytes, str]:
    """The uploaded file (``upload``, multipart) as bytes and a safe file name; 409 otherwise."""
    upload = params.get("upload")
    if upload is None or upload == "":
        if one(params, "url"):
            raise ValidationError({"url": ["The portal publishes only checked tables: send the file "
                                           "as upload=<file>, not a link"]})
        raise ValidationError({"upload": ["Missing value"]})
    if not isinstance(upload, FileStorage):
        raise ValidationError({"upload": ["Must be a file sent as multipart/form-data"]})
    limit = min(MAX_UPLOAD_BYTES, current_app.config["MAX_CONTENT_LENGTH"])
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({"upload": [TOO_LARGE]})
    filename = SAFE_FILENAME.sub("_", PurePosixPath((upload.filename or "").replace("\\", "/")).name)[-100:]
    fmt = one(params, "format")
    if "." not in filename.strip(".") and isinstance(fmt, str) and fmt.isalnum() and len(fmt) < 10:
        filename = f"{filename or 'upload'}.{fmt.lower()}"
    return content, filename or "upload"


def _schema(params: dict) -> dict:
    """The upload's schema (a JSON object, or its text) and its settings beside the file."""
    raw = params.get("schema")
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raise ValidationError({"schema": ["Cannot parse JSON"]}) from None
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationError({"schema": ["Must be a JSON object"]})
    schema = dict(raw)
    for key in UPLOAD_SETTINGS:
        if key in params and params[key] not in (None, ""):
            schema[key] = one(params, key)
    if "privacy_class" in schema:
        schema["privacy_class"] = _choice(schema, "privacy_class", {c.value for c in PrivacyClass}, "umum")
    if "rows_are_not_people" in schema:
        schema["rows_are_not_people"] = as_bool(schema, "rows_are_not_people")
    if schema.get("sheet") is not None and (not isinstance(schema["sheet"], str) or len(schema["sheet"]) > 100):
        raise ValidationError({"sheet": ["Must be a sheet name of at most 100 characters"]})
    return schema


def resource_dict(release: Release, report: dict) -> dict:
    """The uploaded table as a CKAN resource of the draft (the id its published version keeps)."""
    dataset = release.dataset
    table = next(f for f in release.files if f.format == "csv")
    upload = report.get("upload", {})
    return {"id": stable_id("resource", dataset.id, table.name), "package_id": dataset.id,
            "name": table.name, "format": "CSV", "mimetype": table.media_type, "size": table.bytes,
            "hash": table.sha256, "url": "", "url_type": "upload", "state": "draft",
            "datastore_active": False, "release_id": release.id, "version": release.version,
            "privacy_class": upload.get("privacy_class"),
            "privacy_class_raised_because": upload.get("raised_because", []),
            "privacy_summary": report.get("summary", [])}


def _store(name: str, dataset: Dataset, params: dict) -> dict:
    """Upload a table for ``dataset`` as a draft release; 403/409 as CKAN, nothing stored then."""
    user = required(name)
    if refusal(user, "upload_table", dataset) is not None:
        raise NotAuthorized(f"User not authorized to run {name}")
    schema = _schema(params)
    content, filename = _upload(params)
    dataset_name, org_name = dataset.name, dataset.organization.name

    def work() -> dict:
        try:
            result = upload_to_draft(content, filename, dataset_name, org_name, user, schema,
                                     schema.pop("sheet", None))
        except UploadError as exc:
            raise ValidationError({"upload": [str(exc)]}) from None
        return resource_dict(result.release, result.report)
    return _run(name, work)


@action
def resource_create(params: dict) -> dict:
    """Upload a table (``package_id``, ``upload``: CSV, XLSX or a data package zip; optional
    ``schema``, ``sheet``, ``privacy_class``) as a draft release of the dataset: checked by the
    privacy layer, then submitted and approved before anyone sees it."""
    required("resource_create")
    package_id = required_param(params, "package_id")
    return _store("resource_create", _dataset({"id": package_id}), params)


def _resource_dataset(params: dict) -> Dataset:
    """The dataset whose table resource is ``id`` (the id its CSV keeps in every version)."""
    key = required_param(params, "id")
    for dataset_id, dataset_name in db.session.execute(select(Dataset.id, Dataset.name)):
        if stable_id("resource", dataset_id, f"{dataset_name}.csv") == key:
            return db.session.get(Dataset, dataset_id)
    raise NotFound("Resource")


@action
def resource_update(params: dict) -> dict:
    """Replace a dataset's table (``id``: its resource id; ``upload``): a new draft release."""
    required("resource_update")
    return _store("resource_update", _resource_dataset(params), params)


@action
def resource_patch(params: dict) -> dict:
    """As resource_update: the portal's resource is its table, so a patch is a new upload."""
    required("resource_patch")
    return _store("resource_patch", _resource_dataset(params), params)


def request_dict(request: WithdrawalRequest) -> dict:
    """A withdrawal request as the API shows it (the accounts by role, never by name)."""
    return {"id": request.id, "package_id": request.dataset.id, "name": request.dataset.name,
            "state": request.status, "reason": request.reason,
            "requested_at": request.requested_at.isoformat(timespec="seconds")}


@action
def package_delete(params: dict) -> dict | None:
    """Delete a dataset (``id``): one never published goes at once; for a public one a
    withdrawal request (optional ``reason``) waits for a walidata, and it stays public until then."""
    user = required("package_delete")
    dataset = _dataset(params)
    if refusal(user, "delete_dataset", dataset) is not None:
        raise NotAuthorized("User not authorized to delete package")
    reason = _text(params, "reason", needed=False)

    def work() -> dict | None:
        try:
            request = delete_dataset(dataset, user, reason)
        except PersonalDataFound:
            raise ValidationError({"reason": ["Holds text shaped like personal data; remove it"]}) from None
        return None if request is None else {"withdrawal_request": request_dict(request)}
    return _run("package_delete", work)
