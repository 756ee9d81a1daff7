"""The OPD register (walidata only, CSRF, validation, audit), the topic list, and the admin nav."""
from sqlalchemy import select

from portal.admin import organizations
from portal.audit.models import AuditEvent
from portal.auth.permissions import NotAuthorized
from portal.datasets.models import Organization
from portal.extensions import db
from tests.support.forms import csrf_token


def _org(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def test_walidata_adds_an_organisation_through_the_form(client, auth, users):
    auth.login_as("walidata")
    page = client.get("/admin/organizations/new").get_data(as_text=True)
    assert '<label for="name">' in page and '<label for="title">' in page
    response = client.post("/admin/organizations/new", data={
        "name": "dinas-kesehatan", "title": "Dinas Kesehatan", "description": "Data kesehatan.",
        "csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/organizations")
    assert _org("dinas-kesehatan").title == "Dinas Kesehatan"
    listing = client.get("/admin/organizations").get_data(as_text=True)
    assert "OPD Dinas Kesehatan ditambahkan." in listing and "dinas-kesehatan" in listing
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organization_create"))
    assert event.actor.email == "walidata@example.go.id" and event.detail["organization"] == "dinas-kesehatan"


def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, auth, users):
    auth.login_as("walidata")
    page = client.get("/admin/organizations/new").get_data(as_text=True)
    response = client.post("/admin/organizations/new", data={
        "name": "Dinas Kesehatan!", "title": "", "csrf_token": csrf_token(page)})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Hanya huruf kecil, angka dan tanda hubung" in text and "Wajib diisi." in text
    assert 'aria-invalid="true"' in text
    assert db.session.scalar(select(Organization).where(Organization.title == "")) is None


def test_a_duplicate_short_name_is_refused(client, auth, users):
    organizations.create(users["walidata"], "dinas-sosial", "Dinas Sosial")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get("/admin/organizations/new").get_data(as_text=True)
    response = client.post("/admin/organizations/new", data={
        "name": "dinas-sosial", "title": "Dinas Sosial Lain", "csrf_token": csrf_token(page)})
    assert "OPD dengan nama singkat ini sudah ada." in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Organization).where(Organization.name == "dinas-sosial")).all()) == 1


def test_editing_keeps_the_short_name_and_records_the_change(client, auth, users):
    organizations.create(users["walidata"], "dinas-sosial", "Dinas Sosial")
    db.session.commit()
    auth.login_as("walidata")
    page = client.get("/admin/organizations/dinas-sosial/edit").get_data(as_text=True)
    assert "readonly" in page
    response = client.post("/admin/organizations/dinas-sosial/edit", data={
        "name": "nama-lain", "title": "Dinas Sosial dan PMD", "description": "Baru.",
        "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    org = _org("dinas-sosial")
    assert org.title == "Dinas Sosial dan PMD" and _org("nama-lain") is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organization_update"))
    assert event.detail["changes"]["title"] == {"from": "Dinas Sosial", "to": "Dinas Sosial dan PMD"}


def test_only_a_walidata_manages_organisations(client, auth, users):
    try:
        organizations.create(users["produsen"], "dinas-x", "Dinas X")
    except NotAuthorized:
        pass
    else:
        raise AssertionError("a produsen created an OPD")
    auth.login_as("produsen")
    assert client.get("/admin/organizations").status_code == 200
    assert "Tambah OPD" not in client.get("/admin/organizations").get_data(as_text=True)
    assert client.get("/admin/organizations/new").status_code == 403


def test_the_csrf_token_is_required(app, client, auth, users):
    auth.login_as("walidata")
    response = client.post("/admin/organizations/new", data={"name": "dinas-y", "title": "Dinas Y"})
    assert response.status_code == 400 and _org("dinas-y") is None


def test_topic_list_and_nav_counts(client, auth, harvested):
    auth.login_as("walidata")
    page = client.get("/admin/topics").get_data(as_text=True)
    assert "Kependudukan" in page and "Population" in page
    overview = client.get("/admin/").get_data(as_text=True)
    # The harvest left drafts: the nav shows how many, with a text alternative for the number.
    drafts = len(harvested.drafts)
    assert f'aria-label="{drafts} draf"' in overview


def test_admin_pages_speak_english_on_request(client, auth, published):
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{published.id}?lang=en").get_data(as_text=True)
    for expected in ("Privacy report", "Version", "Published", "Withdraw this version", "Review queue"):
        assert expected in page, expected
    assert "Laporan privasi" not in page
