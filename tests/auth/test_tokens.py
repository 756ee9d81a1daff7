"""API tokens: made once and shown once, stored as a hash, expiring, revocable, audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import ApiToken
from portal.auth.services import set_active
from portal.auth.tokens import TokenError, create_token, revoke_token, token_hash, user_for_token
from portal.core.time import utcnow
from portal.extensions import db
from tests.support.forms import csrf_token


def test_cli_prints_the_token_once_as_its_last_line_and_stores_only_its_hash(runner, users):
    result = runner.invoke(args=["api-token", "create", "produsen@example.go.id", "--name", "skrip harian"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert len(secret) >= 40 and " " not in secret
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash == token_hash(secret) and secret not in stored.token_hash
    assert user_for_token(secret).email == "produsen@example.go.id"
    listing = runner.invoke(args=["api-token", "list", "produsen@example.go.id"])
    assert "skrip harian" in listing.output and "aktif" in listing.output and secret not in listing.output
    revoked = runner.invoke(args=["api-token", "revoke", "produsen@example.go.id", str(stored.id)])
    assert revoked.exit_code == 0, revoked.output
    assert user_for_token(secret) is None
    assert "dicabut" in runner.invoke(args=["api-token", "list", "produsen@example.go.id"]).output
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["api_token_create", "api_token_revoke"]


@pytest.mark.parametrize("args, message", [
    (["create", "nobody@example.go.id", "--name", "x"], "tidak ada"),
    (["create", "produsen@example.go.id", "--name", "   "], "wajib"),
    (["create", "produsen@example.go.id", "--name", "a" * 101], "paling banyak"),
    (["create", "produsen@example.go.id", "--name", "baris\nbaru"], "kendali"),
    (["create", "produsen@example.go.id", "--name", "x", "--expires", "2020-01-01"], "masa depan"),
    (["create", "produsen@example.go.id", "--name", "x", "--expires", "besok"], "YYYY-MM-DD"),
    (["revoke", "produsen@example.go.id", "999"], "tidak ditemukan"),
    (["revoke", "produsen@example.go.id", "satu"], "not a valid integer"),
])
def test_cli_refuses_bad_input_and_makes_no_token(runner, users, args, message):
    result = runner.invoke(args=["api-token", *args])
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(select(ApiToken)) is None


def test_a_token_stops_working_when_expired_revoked_or_its_account_disabled(users):
    produsen, walidata = users["produsen"], users["walidata"]
    _, expiring = create_token(produsen, "sebentar", utcnow() + timedelta(hours=1))
    token, revoked = create_token(produsen, "dicabut")
    _, disabled = create_token(produsen, "akun nonaktif")
    db.session.commit()
    assert user_for_token(expiring) is produsen and user_for_token(revoked) is produsen
    db.session.scalar(select(ApiToken).where(ApiToken.name == "sebentar")).expires_at = utcnow() - timedelta(seconds=1)
    revoke_token(produsen, token.id)
    db.session.commit()
    assert user_for_token(expiring) is None and user_for_token(revoked) is None
    assert user_for_token(disabled) is produsen
    set_active(produsen, False, walidata)
    assert user_for_token(disabled) is None
    for junk in ("", "x", "a" * 5000, revoked + "x"):
        assert user_for_token(junk) is None


def test_one_may_revoke_only_ones_own_token_and_only_once(users):
    token, _ = create_token(users["produsen"], "milik produsen")
    with pytest.raises(TokenError):
        revoke_token(users["walidata"], token.id)
    revoke_token(users["produsen"], token.id)
    with pytest.raises(TokenError):
        revoke_token(users["produsen"], token.id)


def test_account_page_creates_shows_once_and_revokes(client, auth, users):
    auth.login_as("walidata")
    assert "/admin/akun/token" in client.get("/admin/akun/sandi").get_data(as_text=True)
    page = client.get("/admin/akun/token").get_data(as_text=True)
    response = client.post("/admin/akun/token", data={"name": "harvester", "expires": "2099-01-31",
                                                      "csrf_token": csrf_token(page)})
    html = response.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken))
    secret = html.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert token_hash(secret) == token.token_hash and token.expires_at.year == 2099
    again = client.get("/admin/akun/token").get_data(as_text=True)
    assert "harvester" in again and secret not in again  # shown once
    client.post(f"/admin/akun/token/{token.id}/cabut", data={"csrf_token": csrf_token(again)})
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert user_for_token(secret) is None


@pytest.mark.parametrize("data", [{"name": ""}, {"name": "a" * 101}, {"name": "x", "expires": "kemarin"},
                                  {"name": "x", "expires": "2001-01-01"}])
def test_account_page_refuses_bad_input(client, auth, users, data):
    auth.login_as("produsen")
    page = client.get("/admin/akun/token").get_data(as_text=True)
    response = client.post("/admin/akun/token", data={**data, "csrf_token": csrf_token(page)})
    assert response.status_code == 200 and 'id="new-token"' not in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None
