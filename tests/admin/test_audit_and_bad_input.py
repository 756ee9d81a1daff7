"""Issue 12.6 and the admin cases of 12.7: the audit view's kinds, the catalog fingerprint
ignoring sign-ins and accounts, a bad release filter, personal data typed into metadata."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit.log import record
from portal.auth.services import create_user
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.fingerprint import catalog_fingerprint
from portal.datasets.models import Release
from portal.extensions import db
from tests.support.catalog import CatalogFactory
from tests.support.forms import csrf_token


def _failed_login(client, n: int) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"email": f"tidak-ada-{n}@example.com", "password": "salah-sekali-123",
                                     "csrf_token": csrf_token(page)}, environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})


def test_a_failed_login_leaves_the_catalog_fingerprint_alone(app, users):
    CatalogFactory(app).dataset("penduduk")
    before = catalog_fingerprint()
    for n in range(3):
        _failed_login(app.test_client(), n)
    create_user("baru@example.go.id", None, "produsen", actor=users["walidata"])
    db.session.commit()
    # Before: max(audit_event.id) moved with every failed login and emptied every cache.
    assert catalog_fingerprint() == before
    record("withdraw", users["walidata"], None, reason="uji")
    db.session.commit()
    assert catalog_fingerprint() != before  # a catalog-changing event still counts


def test_a_flood_of_failed_logins_hides_nothing_in_the_default_view(app, client, auth, users):
    record("organization_update", users["walidata"], None, organization="dukcapil", changes={})
    create_user("baru@example.go.id", None, "produsen", actor=users["walidata"])
    for _ in range(520):
        record("login_failed", None, None, account="")
    db.session.commit()
    auth.login_as("walidata")
    default = client.get("/admin/audit").get_data(as_text=True)
    assert "OPD diubah" in default and "Akun dibuat" in default
    assert "Gagal masuk" not in default.split("<tbody>", 1)[1]
    sign_ins = client.get("/admin/audit?kind=masuk").get_data(as_text=True).split("<tbody>", 1)[1]
    # The 500 newest sign-ins: the flood and the walidata's own login.
    assert sign_ins.count('class="badge action-login') == 500 and "OPD diubah" not in sign_ins
    accounts = client.get("/admin/audit?kind=akun").get_data(as_text=True).split("<tbody>", 1)[1]
    assert "Akun dibuat" in accounts and "OPD diubah" not in accounts
    everything = client.get("/admin/audit.csv?kind=semua").get_data(as_text=True)
    assert everything.count("login_failed") == 520 and "organization_update" in everything


@pytest.mark.parametrize("value", ["²", "١٢", "12a", "9" * 40, "-1", " "])
def test_a_malformed_release_filter_is_ignored_not_a_500(client, auth, users, value):
    auth.login_as("walidata")
    response = client.get("/admin/audit", query_string={"release": value})
    assert response.status_code == 200
    assert client.get("/admin/audit.csv", query_string={"release": value}).status_code == 200


@pytest.mark.parametrize("field,text,kind", [
    ("description", "Hubungi pengolah: NIK 5102012345670001.", "NIK"),
    ("description", "Tanya lewat WA 0812-3456-7890.", "telepon"),
    ("title", "Penduduk (kontak budi@example.com)", "e-mail"),
    ("tags", "penduduk, 17-08-1990", "tanggal"),
])
def test_personal_data_typed_into_metadata_is_refused_on_the_form(app, client, auth, users, field, text, kind):
    published = CatalogFactory(app).dataset("penduduk-desa").releases[0]
    releases_before = db.session.scalar(select(func.count(Release.id)))
    auth.login_as("produsen")
    url = f"/admin/releases/{published.id}/metadata"
    page = client.get(url).get_data(as_text=True)
    data = {"title": "Jumlah Penduduk", "description": "Statistik per desa.", "tags": "penduduk",
            "organization": "dukcapil", "licence_id": "CC-BY-4.0", "frequency": "bulanan",
            "csrf_token": csrf_token(page)}
    data[field] = text
    response = client.post(url, data=data)
    # Before: an uncaught PersonalDataFound, a 500 with no explanation.
    assert response.status_code == 200, kind
    assert "berbentuk data pribadi" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Release.id))) == releases_before
    assert db.session.get(Release, published.id).status is ReleaseStatus.PUBLISHED
