"""OPD membership: a produsen creates and edits only its OPDs' datasets; a walidata reviews all."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.auth.permissions import NotAuthorized, can, refusal
from portal.auth.services import AccountError, create_user, set_memberships
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.datasets.models import Organization
from portal.extensions import db
from tests.support.catalog import CatalogFactory
from tests.support.forms import csrf_token
from tests.support.world import PASSWORDS


def _checked(html: str) -> set[int]:
    """The OPD ids whose membership checkbox is ticked on a page."""
    tags = re.findall(r'<input[^>]*name="organizations"[^>]*>', html)
    return {int(re.search(r'value="(\d+)"', t).group(1)) for t in tags if re.search(r"\bchecked\b", t)}


def _org(name: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def test_create_user_command_makes_a_member_of_each_organization_given(runner):
    result = runner.invoke(args=["create-user", "dinkes@example.go.id", "--role", "produsen",
                                 "--organization", "dinas-kesehatan", "--organization", "dinas-sosial"],
                           env={"PORTAL_PASSWORD": "sangat-rahasia-123"})
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "dinkes@example.go.id"))
    assert user.organization_ids == {_org("dinas-kesehatan").id, _org("dinas-sosial").id}
    assert "dinas-kesehatan, dinas-sosial" in result.output


@pytest.mark.parametrize("args, message", [
    (["--role", "produsen", "--organization", "dinas-rahasia"], "OPD dinas-rahasia tidak ada"),
    (["--role", "walidata", "--organization", "dinas-kesehatan"], "Hanya produsen"),
    (["--role", "produsen", "--organization", ""], "tidak ada"),
])
def test_create_user_command_refuses_a_bad_organization_and_makes_no_account(runner, args, message):
    result = runner.invoke(args=["create-user", "x@example.go.id", *args],
                           env={"PORTAL_PASSWORD": "sangat-rahasia-123"})
    assert result.exit_code != 0 and message in result.output
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "x@example.go.id")) is None


def test_produsen_submits_and_edits_only_its_own_opd(app, users):
    factory = CatalogFactory(app)
    mine = factory.dataset("milik-dinkes", [("1.0.0", ReleaseStatus.DRAFT)], org="opd-kesehatan")
    theirs = factory.dataset("milik-dinsos", [("1.0.0", ReleaseStatus.DRAFT)], org="opd-sosial")
    opd = create_user("opd@example.go.id", PASSWORDS["produsen"], "produsen")
    set_memberships(opd, [mine.organization_id], None)
    db.session.commit()
    assert can(opd, "submit_release", mine.releases[0]) and can(opd, "edit_metadata", mine)
    assert not can(opd, "submit_release", theirs.releases[0]) and not can(opd, "edit_metadata", theirs)
    assert "OPD lain" in refusal(opd, "submit_release", theirs.releases[0])
    with pytest.raises(NotAuthorized):
        services.submit(theirs.releases[0], opd, "Bukan milik saya.")
    with pytest.raises(NotAuthorized):
        services.edit_metadata(theirs, opd, {"title": "Diubah orang lain"})
    db.session.rollback()
    assert theirs.releases[0].status is ReleaseStatus.DRAFT
    # The walidata holds no membership and reviews every OPD.
    assert can(users["walidata"], "view_admin") and not users["walidata"].organization_ids


def test_a_produsen_without_membership_may_change_nothing(app):
    factory = CatalogFactory(app)
    ds = factory.dataset("tanpa-anggota", [("1.0.0", ReleaseStatus.DRAFT)])
    loner = create_user("sendiri@example.go.id", PASSWORDS["produsen"], "produsen")
    db.session.commit()
    assert not can(loner, "submit_release", ds.releases[0]) and not can(loner, "edit_metadata", ds)


def test_a_walidata_holds_no_membership(users):
    with pytest.raises(AccountError):
        set_memberships(users["walidata"], [1], None)


def test_membership_change_is_audited_and_counts_for_four_eyes(app, users):
    org = CatalogFactory(app).org("opd-sosial", "Dinas Sosial")
    db.session.flush()
    opd = create_user("opd@example.go.id", None, "produsen")
    set_memberships(opd, [org.id], users["walidata2"])
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account_membership"))
    assert event.detail["added"] == [org.id] and event.actor_id == users["walidata2"].id
    assert opd.changed_by_id == users["walidata2"].id  # walidata2 may not approve opd's releases


def test_walidata_sets_membership_on_the_users_page(app, client, auth, users):
    factory = CatalogFactory(app)
    kes, sos = factory.org("opd-kesehatan", "Dinas Kesehatan"), factory.org("opd-sosial", "Dinas Sosial")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Dinas Kesehatan" in page and "Anggota OPD" in page
    response = client.post("/admin/users", data={
        "email": "baru@example.go.id", "name": "Baru", "role": "produsen", "organizations": [str(kes.id)],
        "csrf_token": csrf_token(page)})
    assert response.status_code == 200
    made = db.session.scalar(select(User).where(User.email == "baru@example.go.id"))
    assert made.organization_ids == {kes.id}
    edit = client.get(f"/admin/users/{made.id}").get_data(as_text=True)
    assert _checked(edit) == {kes.id}
    response = client.post(f"/admin/users/{made.id}", data={
        "role": "produsen", "active": "y", "organizations": [str(sos.id)], "csrf_token": csrf_token(edit)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, made.id).organization_ids == {sos.id}
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Dinas Sosial" in listing.split("<td>baru@example.go.id</td>", 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize("organizations", [["999999"], ["bukan-angka"], ["-1"]])
def test_users_page_refuses_an_unknown_organization(app, client, auth, users, organizations):
    CatalogFactory(app).org("opd-sosial", "Dinas Sosial")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get("/admin/users").get_data(as_text=True)
    response = client.post("/admin/users", data={
        "email": "baru@example.go.id", "role": "produsen", "organizations": organizations,
        "csrf_token": csrf_token(page)})
    assert response.status_code == 200
    assert db.session.scalar(select(User).where(User.email == "baru@example.go.id")) is None


def test_a_walidata_chosen_with_opds_gets_none(app, client, auth, users):
    org = CatalogFactory(app).org("opd-sosial", "Dinas Sosial")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get("/admin/users").get_data(as_text=True)
    client.post("/admin/users", data={"email": "w3@example.go.id", "role": "walidata",
                                      "organizations": [str(org.id)], "csrf_token": csrf_token(page)})
    made = db.session.scalar(select(User).where(User.email == "w3@example.go.id"))
    assert made is not None and not made.organization_ids


def test_a_produsen_may_not_open_another_opds_metadata_form(app, client, auth, users):
    other = CatalogFactory(app).dataset("bukan-opd-saya", org="dinas-lain")
    set_memberships(users["produsen"], [], None)  # the factory made them a member; undo it
    db.session.commit()
    auth.login_as("produsen")
    assert client.get(f"/admin/releases/{other.releases[0].id}/metadata").status_code == 403
    set_memberships(users["produsen"], [other.organization_id], None)
    db.session.commit()
    assert client.get(f"/admin/releases/{other.releases[0].id}/metadata").status_code == 200
