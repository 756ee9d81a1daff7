"""The CKAN write API with tokens, driven by ckanapi against a live server: create and upload
as the OPD's produsen, submit, approve as a walidata, and only then does an anonymous
package_show see it; deleting a public dataset is a request a walidata confirms or denies."""
from __future__ import annotations

import io

import pytest
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, ValidationError
from sqlalchemy import select

from portal.auth.models import Membership
from portal.auth.services import create_user, set_memberships
from portal.auth.tokens import create_token, revoke_token
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.datasets.models import Dataset, Release
from portal.datasets.withdrawal_requests import WithdrawalRequest
from portal.extensions import db
from tests.support.catalog import action
from tests.support.forms import csrf_token
from tests.support.world import PASSWORDS
from tests.uploads.bad_input import csv_bytes, good_rows


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


def test_write_actions_the_portal_does_not_run_stay_refused(client, users):
    token = _token(users["produsen"])
    for name in ("resource_delete", "dataset_purge", "organization_create"):
        response = client.post(f"/api/3/action/{name}", json={"id": "baru"}, headers={"Authorization": token})
        assert response.status_code == 403 and response.get_json()["error"]["__type"] == "Authorization Error"


# Satu Data Indonesia metadata of an uploaded dataset: some top-level, some as CKAN extras.
SDI = {"konsep": "Penduduk menurut desa dan jenis kelamin", "definisi": "Jumlah penduduk tercatat",
       "klasifikasi": "Jenis kelamin", "ukuran": "Jumlah", "satuan": "orang", "tingkat_penyajian": "desa"}
SDI_EXTRAS = {"cakupan_wilayah": "Kabupaten Tabanan", "periode_data": "2025", "sumber_data": "Registrasi",
              "kode_referensi": "Kode wilayah Kemendagri"}


@pytest.fixture
def opd(app, users):
    """Dinas Kesehatan with the produsen as its member (membership set by walidata2)."""
    org = services.ensure_organization("dinas-kesehatan", "Dinas Kesehatan")
    org.email = "dinkes@tabanankab.go.id"  # the OPD's role address (kontak)
    db.session.flush()
    set_memberships(users["produsen"], [org.id], users["walidata2"])
    db.session.commit()
    return org


def _csv(tmp_path, rows=None):
    """A clean desa x sex table as a file on disk, as a produsen's script uploads it."""
    path = tmp_path / "penduduk.csv"
    path.write_bytes(csv_bytes(rows or good_rows()))
    return path


def test_an_opd_publishes_its_own_table_through_ckanapi(live_server, client, auth, users, opd, tmp_path):
    anonymous = RemoteCKAN(live_server)
    produsen = RemoteCKAN(live_server, apikey=_token(users["produsen"]))
    walidata = RemoteCKAN(live_server, apikey=_token(users["walidata"]))
    created = produsen.action.package_create(
        name="penduduk-dinkes", owner_org="dinas-kesehatan", title="Penduduk per desa (Dinkes)",
        notes="Tabel unggahan Dinas Kesehatan.", tags=[{"name": "Kesehatan"}], frequency="tahunan",
        **SDI, extras=[{"key": k, "value": v} for k, v in SDI_EXTRAS.items()])
    assert created["state"] == "draft" and created["resources"] == []
    assert {e["key"] for e in created["extras"]} == set(SDI) | set(SDI_EXTRAS)
    with pytest.raises(NotFound):
        anonymous.action.package_show(id="penduduk-dinkes")  # nothing public yet
    with pytest.raises(ValidationError):  # the name is taken now
        produsen.action.package_create(name="penduduk-dinkes", owner_org="dinas-kesehatan")

    with _csv(tmp_path).open("rb") as upload:
        resource = produsen.action.resource_create(package_id=created["id"], upload=upload)
    release_id = resource["release_id"]
    assert resource["state"] == "draft" and resource["package_id"] == created["id"]
    assert resource["privacy_summary"]  # the privacy layer ran and says what it did
    with pytest.raises(NotFound):
        anonymous.action.package_show(id="penduduk-dinkes")  # a draft is not public

    patched = produsen.action.package_patch(id="penduduk-dinkes", title="Penduduk per desa 2025")
    assert patched["release_id"] == release_id  # the open draft carries the change
    produsen.action.release_submit(id=release_id, change_note="Tabel pertama dari Dinas Kesehatan.")
    with pytest.raises(NotAuthorized):  # walidata2 set the submitter's membership: four eyes
        RemoteCKAN(live_server, apikey=_token(users["walidata2"])).action.release_approve(id=release_id)
    assert walidata.action.release_approve(id=release_id)["status"] == "published"

    shown = anonymous.action.package_show(id="penduduk-dinkes")
    assert shown["title"] == "Penduduk per desa 2025" and shown["version"] == "1.0.0"
    assert resource["id"] in {r["id"] for r in shown["resources"]}
    extras = {e["key"]: e["value"] for e in shown["extras"]}
    assert extras["konsep"] == SDI["konsep"] and extras["sumber_data"] == SDI_EXTRAS["sumber_data"]
    rows = anonymous.action.datastore_search(resource_id=resource["id"])
    assert rows["total"] == len(good_rows()) - 1

    # A second upload replaces the table as a new draft of the same resource.
    with _csv(tmp_path, good_rows(value=50)).open("rb") as upload:
        updated = produsen.action.resource_update(id=resource["id"], upload=upload)
    assert updated["id"] == resource["id"] and updated["version"] == "1.1.0" and updated["state"] == "draft"
    assert anonymous.action.package_show(id="penduduk-dinkes")["version"] == "1.0.0"

    # Deleting a public dataset is a request: it stays public until a walidata confirms.
    asked = produsen.action.package_delete(id="penduduk-dinkes", reason="Diganti tabel Dinas Sosial.")
    request_id = asked["withdrawal_request"]["id"]
    assert asked["withdrawal_request"]["state"] == "pending"
    assert produsen.action.package_delete(id="penduduk-dinkes")["withdrawal_request"]["id"] == request_id
    assert anonymous.action.package_show(id="penduduk-dinkes")["version"] == "1.0.0"

    client.post("/auth/logout")
    auth.login("walidata2@example.go.id", PASSWORDS["walidata"])
    page = client.get("/admin/penarikan").get_data(as_text=True)
    assert "penduduk-dinkes" in page and "Konfirmasi penarikan" not in page  # four eyes: the reason shown
    token = csrf_token(client.get("/admin/akun/sandi").get_data(as_text=True))
    assert client.post(f"/admin/penarikan/{request_id}/konfirmasi", data={"csrf_token": token}).status_code == 403
    assert anonymous.action.package_show(id="penduduk-dinkes")["version"] == "1.0.0"
    client.post("/auth/logout", data={"csrf_token": token})

    auth.login_as("walidata")
    page = client.get("/admin/penarikan").get_data(as_text=True)
    assert "Diganti tabel Dinas Sosial." in page and "Konfirmasi penarikan" in page
    done = client.post(f"/admin/penarikan/{request_id}/konfirmasi", data={"csrf_token": csrf_token(page)})
    assert done.status_code == 302
    with pytest.raises(NotFound):
        anonymous.action.package_show(id="penduduk-dinkes")
    db.session.expire_all()
    request = db.session.get(WithdrawalRequest, request_id)
    assert request.status == "confirmed" and request.decided_by_id == users["walidata"].id
    assert "Konfirmasi penarikan" not in client.get("/admin/penarikan").get_data(as_text=True)


def test_a_denied_request_leaves_the_dataset_public(client, auth, users, opd, published):
    dataset = published.dataset
    set_memberships(users["produsen"], users["produsen"].organization_ids | {dataset.organization_id}, None)
    db.session.commit()
    produsen = _token(users["produsen"])
    asked = client.post("/api/3/action/package_delete", json={"id": dataset.name},
                        headers={"Authorization": produsen}).get_json()["result"]["withdrawal_request"]
    auth.login_as("walidata")
    page = client.get("/admin/penarikan").get_data(as_text=True)
    url = f"/admin/penarikan/{asked['id']}/tolak"
    client.post(url, data={"csrf_token": csrf_token(page), "comment": ""})  # a denial needs a reason
    db.session.expire_all()
    assert db.session.get(WithdrawalRequest, asked["id"]).status == "pending"
    client.post(url, data={"csrf_token": csrf_token(page), "comment": "Data masih dipakai."})
    db.session.expire_all()
    assert db.session.get(WithdrawalRequest, asked["id"]).status == "denied"
    assert action(client, "package_show", id=dataset.name)[0] == 200
    assert db.session.get(Release, published.id).status is ReleaseStatus.PUBLISHED


def test_deleting_a_draft_dataset_removes_it_and_its_draft_files(app, client, users, opd):
    token = {"Authorization": _token(users["produsen"])}

    def post(action_name: str, **body):
        return client.post(f"/api/3/action/{action_name}", json=body, headers=token)
    assert post("package_create", name="kosong", owner_org="dinas-kesehatan").status_code == 200
    assert post("package_delete", id="kosong").get_json() == {
        "help": "http://localhost/api/3/action/help_show?name=package_delete", "success": True, "result": None}
    assert db.session.scalar(select(Dataset).where(Dataset.name == "kosong")) is None  # the name is free
    assert post("package_create", name="kosong", owner_org="dinas-kesehatan").status_code == 200

    upload = client.post("/api/3/action/resource_create", headers=token, content_type="multipart/form-data",
                         data={"package_id": "kosong", "upload": (io.BytesIO(csv_bytes(good_rows())), "t.csv")})
    release_id = upload.get_json()["result"]["release_id"]
    draft_dir = services.storage().draft_dir(release_id)
    assert any(draft_dir.rglob("*.csv"))
    other = create_user("opd-lain@example.go.id", PASSWORDS["produsen"], "produsen")
    db.session.commit()
    refused = client.post("/api/3/action/package_delete", json={"id": "kosong"},
                          headers={"Authorization": _token(other)})
    assert refused.status_code == 403  # not a member of the dataset's OPD
    assert post("package_delete", id="kosong").get_json()["result"] is None
    db.session.expire_all()
    assert db.session.get(Release, release_id).status is ReleaseStatus.SUPERSEDED
    assert not any(p.is_file() for p in draft_dir.rglob("*"))
    assert action(client, "package_show", id="kosong")[0] == 404
