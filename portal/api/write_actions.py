"""CKAN write actions with an API token: the release workflow, metadata drafts, OPD members.

Every action acts as the token's owner (``caller.required``) through the same services as
the web pages and the CLI, so the permission table, the OPD membership rule and the four-eyes
rule hold here too; nothing becomes public until a walidata approves. Each action commits
its own work or rolls all of it back. Errors are CKAN's: 403 Authorization Error, 404 Not
Found, 409 Validation Error with the field's messages.

Names: ``package_patch``, ``package_update``, ``organization_member_create`` and
``organization_member_delete`` as ckan/logic/action/*.py; ``release_submit``,
``release_approve``, ``release_reject`` and ``release_show`` are the portal's own, named as CKAN names
actions (object_verb).
"""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from portal.api.caller import required
from portal.api.errors import NotAuthorized, NotFound, ValidationError
from portal.api.params import as_list, one
from portal.api.params import require as required_param
from portal.api.registry import action
from portal.auth.models import User
from portal.auth.permissions import NotAuthorized as Refused
from portal.auth.permissions import refusal
from portal.auth.services import AccountError, find_user, set_memberships
from portal.core.ids import stable_id
from portal.datasets import metadata, services
from portal.datasets.models import Dataset, Organization, Release
from portal.extensions import db
from portal.privacy.scan import PersonalDataFound

# Longest change note or review comment (the web form's limit).
TEXT_MAX = 2000
# CKAN package fields that map onto the portal's release metadata.
PACKAGE_FIELDS = {"title": "title", "notes": "description", "tags": "tags", "owner_org": "organization",
                  "license_id": "licence_id", "frequency": "frequency"}
# CKAN member capacities that make a produsen a member of an OPD.
CAPACITIES = ("member", "editor", "admin")


def _run(name: str, work):
    """Run ``work()``, commit it, and turn a refusal into CKAN's errors (rolling back)."""
    try:
        result = work()
        db.session.commit()
        return result
    except Refused as exc:
        db.session.rollback()
        raise NotAuthorized(f"User not authorized to run {name}") from exc
    except services.WorkflowError as exc:
        db.session.rollback()
        raise ValidationError({"release": [str(exc)]}) from None
    except AccountError as exc:
        db.session.rollback()
        raise ValidationError({"username": [str(exc)]}) from None
    except PersonalDataFound:
        db.session.rollback()
        raise ValidationError({"notes": ["The metadata holds text shaped like personal data "
                                         "(NIK, phone number, e-mail or a date); remove it"]}) from None
    except Exception:
        db.session.rollback()
        raise


def _text(params: dict, key: str, needed: bool) -> str:
    """A note or comment: a string of at most TEXT_MAX characters (required when ``needed``)."""
    value = one(params, key)
    if value is None or value == "":
        if needed:
            raise ValidationError({key: ["Missing value"]})
        return ""
    if not isinstance(value, str):
        raise ValidationError({key: ["Must be a string"]})
    if len(value) > TEXT_MAX:
        raise ValidationError({key: [f"Must be at most {TEXT_MAX} characters long"]})
    if needed and not value.strip():
        raise ValidationError({key: ["Missing value"]})
    return value


def _release(params: dict) -> Release:
    """The release named by ``id`` (its number); 404 when there is none."""
    raw = required_param(params, "id")
    if not raw.isdigit() or len(raw) > 12:
        raise ValidationError({"id": ["Invalid integer"]})
    found = db.session.get(Release, int(raw))
    if found is None:
        raise NotFound("Release")
    return found


def release_dict(release: Release) -> dict:
    """A release as the API shows it to a signed-in caller (no account is named)."""
    return {"id": release.id, "package_id": release.dataset.id, "name": release.dataset.name,
            "version": release.version, "status": release.status.value,
            "reference_date": release.reference_date.isoformat(), "change_note": release.change_note,
            "review_comment": release.review_comment,
            "privacy_passed": bool((release.privacy_report or {}).get("passed")),
            "validation_passed": bool((release.validation_report or {}).get("valid"))}


def _authorized(user: User, name: str, target) -> None:
    """403 with the permission table's reason (role, OPD membership, four eyes) when it refuses."""
    reason = refusal(user, name, target)
    if reason is not None:
        raise NotAuthorized(reason)


@action
def release_show(params: dict) -> dict:
    """A release of any status (``id``: its number), for a signed-in produsen or walidata."""
    user = required("release_show")
    if refusal(user, "view_admin") is not None:
        raise NotAuthorized("User not authorized to run release_show")
    return release_dict(_release(params))


@action
def release_submit(params: dict) -> dict:
    """Submit a draft (``id``) with a ``change_note`` for review (a produsen of the dataset's OPD)."""
    user = required("release_submit")
    release = _release(params)
    note = _text(params, "change_note", needed=True)
    return _run("release_submit", lambda: release_dict(services.submit(release, user, note)))


@action
def release_approve(params: dict) -> dict:
    """Approve and publish a submitted release (``id``, optional ``comment``): a walidata who
    neither submitted it nor made or last changed the submitter's account."""
    user = required("release_approve")
    release = _release(params)
    _authorized(user, "approve_release", release)
    comment = _text(params, "comment", needed=False)
    return _run("release_approve", lambda: release_dict(services.approve(release, user, comment)))


@action
def release_reject(params: dict) -> dict:
    """Send a submitted release (``id``) back with a ``comment`` (same rule as approval)."""
    user = required("release_reject")
    release = _release(params)
    _authorized(user, "reject_release", release)
    comment = _text(params, "comment", needed=True)
    return _run("release_reject", lambda: release_dict(services.reject(release, user, comment)))


def _dataset(params: dict) -> Dataset:
    """The dataset named by ``id`` (its UUID or name); 404 when there is none."""
    key = required_param(params, "id")
    found = db.session.scalar(select(Dataset).where((Dataset.id == key) | (Dataset.name == key)))
    if found is None:
        raise NotFound("Dataset")
    return found


def organization(value) -> Organization:
    """``owner_org`` as a name, a number or the id the API shows; 409 when it names none."""
    if value is None or value == "":
        raise ValidationError({"owner_org": ["Missing value"]})
    if not isinstance(value, (str, int)) or isinstance(value, bool) or len(str(value)) > 100:
        raise ValidationError({"owner_org": ["Organization does not exist"]})
    text = str(value).strip()
    found = db.session.scalar(select(Organization).where(Organization.name == text))
    if found is None and text.isdigit() and len(text) < 12:
        found = db.session.get(Organization, int(text))
    if found is None:
        found = next((o for o in db.session.scalars(select(Organization))
                      if stable_id("organization", str(o.id)) == text), None)
    if found is None:
        raise ValidationError({"owner_org": ["Organization does not exist"]})
    return found


def _organization_name(value) -> str:
    """An ``owner_org`` given as a name or an id, as the organisation's name; 409 when unknown."""
    return organization(value).name


def _tags(params: dict) -> list[str]:
    """CKAN tags (``[{"name": ...}]``) or plain names, as a list of names."""
    names = []
    for tag in as_list(params, "tags"):
        name = tag.get("name") if isinstance(tag, dict) else tag
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise ValidationError({"tags": ["Tag must be a name of at most 100 characters"]})
        names.append(name)
    return names


def _sdi_changes(params: dict) -> dict:
    """Satu Data Indonesia fields given top-level or as CKAN ``extras`` (the keys package_show
    writes); other extras (derived ones such as produsen_data) are ignored, so a package_show
    dict sent back to package_update round-trips. Absent fields stay as they are."""
    given = {}
    extras = params.get("extras") or []
    if not isinstance(extras, list):
        raise ValidationError({"extras": ["Must be a list of {\"key\": ..., \"value\": ...}"]})
    for extra in extras:
        if not isinstance(extra, dict) or not isinstance(extra.get("key"), str):
            raise ValidationError({"extras": ["Each extra must be {\"key\": ..., \"value\": ...}"]})
        if extra["key"] in metadata.SDI_META_KEYS:
            given[extra["key"]] = extra.get("value")
    given.update({key: one(params, key) for key in metadata.SDI_META_KEYS if key in params})
    for key, value in given.items():
        if value is not None and not isinstance(value, str):
            raise ValidationError({key: ["Must be a string"]})
        given[key] = value or ""
    return given


def _changes(params: dict, full: bool) -> dict:
    """The metadata changes a package_patch (or, with ``full``, a package_update) asks for."""
    changes = {}
    for field, key in PACKAGE_FIELDS.items():
        if field not in params:
            continue
        if field == "tags":
            changes[key] = _tags(params)
        elif field == "owner_org":
            changes[key] = _organization_name(one(params, field))
        else:
            value = one(params, field)
            if value is not None and not isinstance(value, str):
                raise ValidationError({field: ["Must be a string"]})
            changes[key] = value or ""
    changes.update(_sdi_changes(params))
    if full:  # package_update replaces: what is not given is emptied
        if not (changes.get("title") or "").strip():
            raise ValidationError({"title": ["Missing value"]})
        changes.setdefault("description", "")
        changes.setdefault("tags", [])
    return changes


def _edit(name: str, params: dict, full: bool) -> dict:
    """package_patch / package_update: the metadata as a draft release of the dataset."""
    user = required(name)
    dataset = _dataset(params)
    changes = _changes(params, full)
    new_org = changes.get("organization")
    if new_org and new_org != dataset.organization.name:
        # Moving a dataset to another OPD needs membership of that OPD as well.
        target = db.session.scalar(select(Organization).where(Organization.name == new_org))
        if refusal(user, "edit_metadata", SimpleNamespace(organization_id=target.id)) is not None:
            raise NotAuthorized(f"User not authorized to run {name}")

    def work() -> dict:
        draft = services.edit_metadata(dataset, user, changes)
        return {**release_dict(draft), "id": dataset.id, "title": draft.meta.get("title"),
                "notes": draft.meta.get("description"), "state": "draft", "release_id": draft.id,
                "owner_org": draft.meta.get("organization"), "license_id": draft.meta.get("licence_id"),
                "tags": [{"name": t} for t in draft.meta.get("tags", [])],
                **{k: draft.meta.get(k, "") for k in metadata.SDI_META_KEYS}}
    return _run(name, work)


@action
def package_patch(params: dict) -> dict:
    """Change some metadata of a dataset (``id``): title, notes, tags, owner_org, license_id,
    frequency. It becomes a draft release to submit; nothing is public before approval."""
    return _edit("package_patch", params, full=False)


@action
def package_update(params: dict) -> dict:
    """Replace a dataset's metadata (``id``; title required, notes and tags emptied when
    absent). It becomes a draft release to submit; nothing is public before approval."""
    return _edit("package_update", params, full=True)


def _member_target(name: str, params: dict) -> tuple[User, Organization, User]:
    """The walidata calling, the OPD (``id``) and the account (``username``: e-mail or id)."""
    user = required(name)
    if refusal(user, "manage_users") is not None:
        raise NotAuthorized(f"User not authorized to run {name}")
    key = required_param(params, "id")
    organization = db.session.scalar(select(Organization).where(Organization.name == key))
    if organization is None and key.isdigit() and len(key) < 12:
        organization = db.session.get(Organization, int(key))
    if organization is None:
        raise NotFound("Organization")
    username = required_param(params, "username")
    member = find_user(username) if "@" in username else (
        db.session.get(User, int(username)) if username.isdigit() and len(username) < 12 else None)
    if member is None:
        raise NotFound("User")
    return user, organization, member


def member_dict(organization: Organization, member: User, capacity: str, state: str) -> dict:
    """CKAN's member dict (the account by its id only)."""
    return {"group_id": organization.name, "table_name": "user", "table_id": str(member.id),
            "capacity": capacity, "state": state}


@action
def organization_member_create(params: dict) -> dict:
    """Make a produsen (``username``) a member of an OPD (``id``); walidata only."""
    user, organization, member = _member_target("organization_member_create", params)
    capacity = str(one(params, "role", "editor"))
    if capacity not in CAPACITIES:
        raise ValidationError({"role": [f"Role must be one of {', '.join(CAPACITIES)}"]})
    if refusal(member, "hold_membership") is not None:
        raise ValidationError({"username": ["Only a produsen data is a member of an OPD"]})
    return _run("organization_member_create", lambda: (
        set_memberships(member, member.organization_ids | {organization.id}, user),
        member_dict(organization, member, capacity, "active"))[1])


@action
def organization_member_delete(params: dict) -> dict | None:
    """End a produsen's (``username``) membership of an OPD (``id``); walidata only."""
    user, organization, member = _member_target("organization_member_delete", params)
    if organization.id not in member.organization_ids:
        raise NotFound("Member")
    _run("organization_member_delete",
         lambda: set_memberships(member, member.organization_ids - {organization.id}, user))
    return None
