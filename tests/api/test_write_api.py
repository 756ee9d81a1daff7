"""The CKAN write API with tokens, driven by ckanapi against a live server: submit as the
produsen, approve as a walidata, and only then does an anonymous package_show see it."""
from __future__ import annotations

import pytest
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, ValidationError
from sqlalchemy import select

from portal.auth.models import Membership
from portal.auth.services import create_user
from portal.auth.tokens import create_token, revoke_token
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Release
from portal.extensions import db
from tests.support.catalog import action
from tests.support.world import PASSWORDS


def _token(user, name: str = "ckanapi") -> str:
    """A fresh API token of ``user`` (committed)."""
    secret = create_token(user, name)[1]
    db.session.commit()
    return secret


def test_submit_approve_and_patch_through_ckanapi(live_server, users, harvested):
    draft = harvested.drafts[0]
    name, draft_id = draft.dataset.name, draft.id
    anonymous = RemoteCKAN(live_server)
    produsen = RemoteCKAN(live_server, apikey=_token(users["produsen"]))
    walidata = RemoteCKAN(live_server, apikey=_token(users["walidata"]))
    with pytest.raises(NotFound):
        anonymous.action.package_show(id=name)  # a draft is not public
    with pytest.raises(NotAuthorized):
        anonymous.action.release_submit(id=draft_id, change_note="Tanpa token.")
    with pytest.raises(NotAuthorized):
        walidata.action.release_submit(id=draft_id, change_note="Walidata tidak mengajukan.")
    with pytest.raises(ValidationError):
        produsen.action.release_submit(id=draft_id)  # a change note is required
    submitted = produsen.action.release_submit(id=draft_id, change_note="Rilis pertama lewat API.")
    assert submitted["status"] == "submitted" and submitted["name"] == name
    with pytest.raises(NotAuthorized):
        produsen.action.release_approve(id=draft_id)  # a produsen never approves
    with pytest.raises(NotFound):
        anonymous.action.package_show(id=name)  # submitted is not public either
    approved = walidata.action.release_approve(id=draft_id, comment="Setuju.")
    assert approved["status"] == "published"
    shown = anonymous.action.package_show(id=name)
    assert shown["version"] == approved["version"]

    # A metadata change is a draft; the public sees it only once approved.
    patched = produsen.action.package_patch(id=name, title="Judul baru lewat API", tags=[{"name": "api"}])
    assert patched["state"] == "draft" and patched["title"] == "Judul baru lewat API"
    assert anonymous.action.package_show(id=name)["title"] != "Judul baru lewat API"
    produsen.action.release_submit(id=patched["release_id"], change_note="Judul diperbaiki.")
    rejected = walidata.action.release_reject(id=patched["release_id"], comment="Judul kurang jelas.")
    assert rejected["status"] == "rejected" and rejected["review_comment"] == "Judul kurang jelas."
    produsen.action.release_submit(id=patched["release_id"], change_note="Judul diperbaiki lagi.")
    walidata.action.release_approve(id=patched["release_id"])
    public = anonymous.action.package_show(id=name)
    assert public["title"] == "Judul baru lewat API" and "api" in [t["name"] for t in public["tags"]]


def test_four_eyes_and_membership_hold_on_the_api(live_server, users, harvested):
    draft = harvested.drafts[1]
    org = draft.dataset.organization.name
    other = create_user("opd@example.go.id", PASSWORDS["produsen"], "produsen")
    db.session.commit()
    walidata2 = RemoteCKAN(live_server, apikey=_token(users["walidata2"]))
    opd = RemoteCKAN(live_server, apikey=_token(other))
    with pytest.raises(NotAuthorized):  # not a member of the dataset's OPD
        opd.action.release_submit(id=draft.id, change_note="Bukan OPD saya.")
    with pytest.raises(NotAuthorized):  # a produsen does not manage members
        opd.action.organization_member_create(id=org, username="opd@example.go.id", role="editor")
    member = walidata2.action.organization_member_create(id=org, username="opd@example.go.id", role="editor")
    assert member == {"group_id": org, "table_name": "user", "table_id": str(other.id), "capacity": "editor",
                      "state": "active"}
    assert opd.action.release_submit(id=draft.id, change_note="Kini anggota.")["status"] == "submitted"
    # walidata2 changed the submitter's account (its membership): four eyes refuse them.
    with pytest.raises(NotAuthorized):
        walidata2.action.release_approve(id=draft.id)
    walidata = RemoteCKAN(live_server, apikey=_token(users["walidata"]))
    assert walidata.action.release_approve(id=draft.id)["status"] == "published"
    walidata2.action.organization_member_delete(id=org, username=str(other.id))
    db.session.expire_all()
    assert db.session.scalar(select(Membership).where(Membership.user_id == other.id)) is None
    with pytest.raises(NotFound):
        walidata2.action.organization_member_delete(id=org, username=str(other.id))


def test_a_token_that_is_not_valid_is_one_403_whatever_the_reason(client, factory, users):
    factory.dataset("agama")
    live = _token(users["produsen"], "hidup")
    revoked_token, revoked = create_token(users["produsen"], "dicabut")
    revoke_token(users["produsen"], revoked_token.id)
    db.session.commit()
    answers = set()
    for header in ({"Authorization": "bukan-token"}, {"Authorization": revoked},
                   {"X-CKAN-API-Key": revoked}, {"Authorization": "x" * 5000}):
        response = client.post("/api/3/action/package_show", json={"id": "agama"}, headers=header)
        body = response.get_json()
        assert response.status_code == 403 and body["error"]["__type"] == "Authorization Error"
        answers.add(body["error"]["message"])
    assert len(answers) == 1  # the caller cannot tell unknown from revoked
    for header in ({"Authorization": live}, {"Authorization": f"Bearer {live}"}, {"X-CKAN-API-Key": live},
                   {"Authorization": "Basic dXNlcjpwYXNz"}):  # a proxy's Basic credentials are ignored
        response = client.post("/api/3/action/package_show", json={"id": "agama"}, headers=header)
        assert response.status_code == 200, header


def test_write_actions_want_post_and_a_session_cookie_is_no_token(client, auth, factory, users):
    ds = factory.dataset("draf", [("1.0.0", ReleaseStatus.DRAFT)])
    release_id = ds.releases[0].id
    status, body = action(client, "release_submit", id=release_id, change_note="GET")
    assert status == 400 and "POST" in body
    auth.login_as("produsen")  # a signed-in browser: its cookie does not act on the API
    status, body = action(client, "release_submit", method="post", id=release_id, change_note="Lewat cookie.")
    assert status == 403 and "requires an authenticated user" in body["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Release, release_id).status is ReleaseStatus.DRAFT


def test_upload_actions_stay_refused(client, users):
    token = _token(users["produsen"])
    for name in ("package_create", "resource_create", "package_delete"):
        response = client.post(f"/api/3/action/{name}", json={"name": "baru"}, headers={"Authorization": token})
        assert response.status_code == 403 and response.get_json()["error"]["__type"] == "Authorization Error"
