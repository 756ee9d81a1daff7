"""Security findings of issue 12 on accounts and login, each reproduced first.

12.2 lockout bypass and cost, 12.3 four eyes and account events, 12.5 login timing,
12.8 password rules, 12.9 sessions that outlive logout.
"""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth import throttle
from portal.auth.models import LoginFailure, PasswordToken, Role, User
from portal.auth.passwords import common_passwords, password_problem
from portal.auth.permissions import can
from portal.auth.services import (
    AccountError,
    authenticate,
    change_role,
    create_user,
    issue_password_link,
    redeem_password_link,
    set_active,
)
from portal.core.time import utcnow
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.extensions import db
from tests.support.catalog import CatalogFactory
from tests.support.forms import AuthActions, csrf_token
from tests.support.world import PASSWORDS, fresh_app

WALIDATA = "walidata@example.go.id"


@pytest.fixture
def bare_app(tmp_path):
    """The portal with its two test accounts and no app context left pushed, so that several
    clients in one test do not share ``g`` (the signed-in user, the CSRF token)."""
    app = fresh_app(tmp_path)
    with app.app_context():
        for role in ("walidata", "produsen"):
            create_user(f"{role}@example.go.id", PASSWORDS[role], role)
        create_user("walidata2@example.go.id", PASSWORDS["walidata"], "walidata")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _login(client, email: str, password: str, address: str = "192.0.2.1"):
    """POST the login form from a given client address."""
    page = client.get("/auth/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/auth/login", data={"email": email, "password": password, "csrf_token": csrf_token(page)},
                       environ_base={"REMOTE_ADDR": address})


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# 12.2: the lockout --------------------------------------------------------------------------


def test_failures_for_made_up_addresses_no_longer_unlock_an_account(client, users):
    for _ in range(5):
        assert _login(client, WALIDATA, "salah-sekali-123").status_code == 200
    # Before: only the latest 500 failures of all accounts were read, so these unlocked it.
    for n in range(500):
        throttle.record_failure(f"karangan-{n}@example.com", f"198.51.100.{n % 250}")
    db.session.commit()
    refused = _login(client, WALIDATA, PASSWORDS["walidata"], address="203.0.113.9")
    assert refused.status_code == 429
    assert "Terlalu banyak percobaan gagal" in refused.get_data(as_text=True)


def test_failures_are_counted_per_account_in_sql_on_an_indexed_column(app, users):
    indexes = {tuple(i.columns.keys()) for i in LoginFailure.__table__.indexes}
    assert ("account", "at") in indexes and ("address", "at") in indexes
    for _ in range(3):
        throttle.record_failure(WALIDATA, "192.0.2.1")
    throttle.record_failure("produsen@example.go.id", "192.0.2.1")
    db.session.commit()
    assert throttle.account_state(WALIDATA)[0] == 3
    assert throttle.account_state(" Walidata@Example.go.id ")[0] == 3
    assert throttle.address_failures("192.0.2.1") == 4
    # Digests only: neither the address typed nor the client address is stored in clear.
    stored = db.session.scalars(select(LoginFailure.account)).all() + db.session.scalars(
        select(LoginFailure.address)).all()
    assert not any("example" in value or "192.0.2" in value for value in stored)


def test_the_owner_gets_in_once_the_growing_delay_is_over(client, users):
    # Six failures, the last two minutes ago: the delay after six (1 min) is over.
    for minutes in (12, 10, 8, 6, 4, 2):
        throttle.record_failure(WALIDATA, "198.51.100.7", at=utcnow() - timedelta(minutes=minutes))
    db.session.commit()
    assert throttle.delay_after(6) == timedelta(minutes=1)
    assert _login(client, WALIDATA, PASSWORDS["walidata"]).status_code == 302
    assert throttle.account_state(WALIDATA)[0] == 0  # a successful login clears the count


def test_the_delay_grows_with_each_failure_and_attempts_during_it_are_not_counted(client, users):
    assert [throttle.delay_after(n).total_seconds() for n in (4, 5, 6, 7, 12)] == [0, 30, 60, 120, 900]
    assert throttle.delay_after(40) == throttle.MAX_DELAY  # never a hard lock
    for _ in range(5):
        _login(client, WALIDATA, "salah-sekali-123")
    for _ in range(20):
        assert _login(client, WALIDATA, "salah-sekali-123").status_code == 429
    # Refused attempts cost the attacker a request and add nothing to the owner's wait.
    assert throttle.account_state(WALIDATA)[0] == 5
    assert 0 < throttle.check(WALIDATA, "192.0.2.50").wait_seconds <= 30


def test_one_client_address_is_limited_whatever_accounts_it_tries(client, users):
    for n in range(throttle.ADDRESS_MAX):
        guess = _login(client, f"tebakan-{n}@example.com", "salah-sekali-123", address="198.51.100.66")
        assert guess.status_code == 200
    refused = _login(client, "produsen@example.go.id", PASSWORDS["produsen"], address="198.51.100.66")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    # Another address, and the produsen's own account, are not affected.
    assert _login(client, "produsen@example.go.id", PASSWORDS["produsen"], address="203.0.113.5").status_code == 302


def test_the_owner_at_their_usual_browser_is_not_delayed_by_a_strangers_failures(bare_app):
    owner = bare_app.test_client()
    AuthActions(owner).login_as("walidata")  # this browser now holds a device cookie
    AuthActions(owner).logout()
    attacker = bare_app.test_client()
    for _ in range(7):
        _login(attacker, WALIDATA, "salah-sekali-123", address="198.51.100.23")
    # Anyone else waits out the growing delay, the attacker included ...
    assert _login(bare_app.test_client(), WALIDATA, PASSWORDS["walidata"], address="203.0.113.4").status_code == 429
    # ... but the owner's own browser is judged by its own failures: none.
    assert _login(owner, WALIDATA, PASSWORDS["walidata"], address="192.0.2.77").status_code == 302


def test_a_known_browser_is_judged_by_its_own_failures_and_only_for_its_account(bare_app):
    browser = bare_app.test_client()
    AuthActions(browser).login_as("produsen")
    AuthActions(browser).logout()
    for _ in range(5):
        _login(browser, "produsen@example.go.id", "salah-sekali-123")
    assert _login(browser, "produsen@example.go.id", PASSWORDS["produsen"]).status_code == 429
    attacker = bare_app.test_client()
    for _ in range(5):
        _login(attacker, WALIDATA, "salah-sekali-123", address="198.51.100.24")
    # Its cookie names the produsen's account: for the walidata's it is a stranger's browser.
    assert _login(browser, WALIDATA, PASSWORDS["walidata"], address="192.0.2.78").status_code == 429
    forged = bare_app.test_client()
    forged.set_cookie("portal_device", "eyJ1IjoxLCJuIjoieCJ9.Zm9yZ2Vk.c2lnbmF0dXJl", path="/auth/")
    assert _login(forged, WALIDATA, PASSWORDS["walidata"], address="192.0.2.79").status_code == 429


# 12.5: timing ------------------------------------------------------------------------------


def _fastest(email: str, password: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        assert authenticate(email, password) is None
        best = min(best, time.perf_counter() - start)
    return best


def test_an_unknown_email_costs_a_password_hash_like_a_known_one(users):
    authenticate("pemanasan@example.com", "x")  # the dummy hash is made once
    known = _fastest(WALIDATA, "bukan-sandinya-1")
    unknown = _fastest("tidak-ada@example.go.id", "bukan-sandinya-1")
    # Before: no hash for an unknown e-mail (~1 ms against ~100 ms).
    assert unknown > known * 0.4, (unknown, known)


# 12.8: passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "qwertyuiop", "password2026!",
                                      "Sunshine12345"])
def test_common_and_trivial_passwords_are_refused(app, password):
    with app.test_request_context():
        assert password_problem(password, "x@example.go.id", "") is not None


@pytest.mark.parametrize("password,email,name", [
    ("budi.santoso@tabanan", "budi.santoso@tabanankab.go.id", "Budi Santoso"),
    ("BudiSantoso2026", "budi@tabanankab.go.id", "Budi Santoso"),
    ("walidata2024!", "walidata@tabanankab.go.id", ""),
])
def test_passwords_made_of_the_accounts_email_or_name_are_refused(app, password, email, name):
    with app.test_request_context():
        assert password_problem(password, email, name) is not None


def test_a_good_password_passes_and_the_list_is_bundled(app):
    assert len(common_passwords()) == 10_000 and "password" in common_passwords()
    with app.test_request_context():
        assert password_problem("kopi-tubruk-di-jatiluwih", "budi@tabanankab.go.id", "Budi Santoso") is None
        with pytest.raises(AccountError):
            create_user("kepala@example.go.id", "aaaaaaaaaa", "walidata")


def test_the_cli_refuses_a_common_password(runner):
    result = runner.invoke(args=["create-user", "x@example.go.id", "--role", "produsen"],
                           env={"PORTAL_PASSWORD": "1234567890"})
    assert result.exit_code != 0 and "paling sering dipakai" in result.output


def test_users_change_their_own_password(client, auth, users):
    auth.login_as("produsen")
    page = client.get("/admin/akun/sandi").get_data(as_text=True)
    weak = client.post("/admin/akun/sandi", data={"current": PASSWORDS["produsen"], "password": "qwertyuiop",
                                                  "confirm": "qwertyuiop", "csrf_token": csrf_token(page)})
    assert weak.status_code == 200 and "paling sering dipakai" in weak.get_data(as_text=True)
    done = client.post("/admin/akun/sandi", data={
        "current": PASSWORDS["produsen"], "password": "kopi-tubruk-di-jatiluwih",
        "confirm": "kopi-tubruk-di-jatiluwih", "csrf_token": csrf_token(page)})
    assert done.status_code == 302
    assert client.get("/admin/").status_code == 200  # this session goes on
    user = db.session.get(User, users["produsen"].id)
    db.session.refresh(user)
    assert user.check_password("kopi-tubruk-di-jatiluwih")
    assert [e.detail["account"] for e in _events("password_set")] == ["produsen@example.go.id"]


# 12.9: sessions ----------------------------------------------------------------------------


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_cookie_copied_before_logout_no_longer_opens_the_admin(bare_app):
    client = bare_app.test_client()
    auth = AuthActions(client)
    auth.login_as("walidata")
    copied = _session_cookie(client)
    assert client.get("/admin/").status_code == 200
    auth.logout()
    thief = bare_app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_password_or_role_change_ends_the_accounts_sessions(bare_app):
    clients = []
    for _ in range(2):
        client = bare_app.test_client()
        AuthActions(client).login_as("produsen")
        clients.append(client)
    with bare_app.app_context():
        change_role(_user("produsen@example.go.id"), Role.WALIDATA, _user(WALIDATA))
        db.session.commit()
    assert [c.get("/admin/").status_code for c in clients] == [302, 302]
    with bare_app.app_context():
        change_role(_user("produsen@example.go.id"), Role.PRODUSEN, _user(WALIDATA))
        db.session.commit()
    client = bare_app.test_client()
    AuthActions(client).login_as("produsen")
    assert client.get("/admin/").status_code == 200
    with bare_app.app_context():
        token = issue_password_link(_user("produsen@example.go.id"), _user(WALIDATA))
        redeem_password_link(token, "kopi-tubruk-di-jatiluwih")
        db.session.commit()
    assert client.get("/admin/").status_code == 302


# 12.3: four eyes and account events --------------------------------------------------------


def test_a_new_account_sets_its_own_password_through_a_one_time_link(bare_app):
    app = bare_app
    client = app.test_client()
    AuthActions(client).login_as("walidata")
    page = client.get("/admin/users").get_data(as_text=True)
    made = client.post("/admin/users", data={"email": "opd@example.go.id", "name": "Dinas OPD",
                                             "role": "produsen", "csrf_token": csrf_token(page)})
    html = made.get_data(as_text=True)
    link = html.split('id="one-time-link">', 1)[1].split("<", 1)[0]
    path = link.split("localhost", 1)[1]
    assert path.startswith("/auth/sandi/")
    assert "/auth/sandi/" not in client.get("/admin/users").get_data(as_text=True)  # shown once
    owner = app.test_client()
    form = owner.get(path)
    assert form.status_code == 200
    assert owner.post(path, data={"password": "kopi-tubruk-di-jatiluwih", "confirm": "kopi-tubruk-di-jatiluwih",
                                  "csrf_token": csrf_token(form.get_data(as_text=True))}).status_code == 302
    assert owner.get(path).status_code == 404  # one time only
    assert AuthActions(owner).login("opd@example.go.id", "kopi-tubruk-di-jatiluwih").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(PasswordToken.id))) == 1
        stored = db.session.scalar(select(PasswordToken.token_hash))
    assert stored not in link and path.rsplit("/", 1)[1] not in stored  # only a hash is kept


def test_every_account_event_lands_in_the_audit_log(users):
    walidata = users["walidata"]
    user = create_user("opd@example.go.id", None, "produsen", "OPD", actor=walidata)
    token = issue_password_link(user, walidata)
    redeem_password_link(token, "kopi-tubruk-di-jatiluwih")
    change_role(user, "walidata", walidata)
    set_active(user, False, walidata)
    set_active(user, True, walidata)
    db.session.commit()
    logged = [(e.action, e.actor_id) for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.detail["account"].as_string() == "opd@example.go.id").order_by(AuditEvent.id))]
    assert logged == [("account_create", walidata.id), ("password_link", walidata.id), ("password_set", user.id),
                      ("account_role", walidata.id), ("account_disable", walidata.id),
                      ("account_enable", walidata.id)]


def test_a_walidata_cannot_change_their_own_account_here(users):
    with pytest.raises(AccountError):
        change_role(users["walidata"], "produsen", users["walidata"])


def _submitted_by(app, submitter: User):
    release = CatalogFactory(app).dataset("ditinjau", [("1.0.0", ReleaseStatus.SUBMITTED)]).releases[0]
    release.submitted_by = submitter
    db.session.commit()
    return release


def test_a_walidata_cannot_approve_for_an_account_they_created(app, client, auth, users):
    # The probe: a walidata makes a produsen, submits as it, and approves with their own account.
    walidata, other = users["walidata"], users["walidata2"]
    puppet = create_user("boneka@example.go.id", None, "produsen", actor=walidata)
    db.session.commit()
    release = _submitted_by(app, puppet)
    assert not can(walidata, "approve_release", release)
    assert can(other, "approve_release", release)
    with pytest.raises(services.WorkflowError, match="membuat akun pengaju"):
        services.approve(release, walidata)
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{release.id}").get_data(as_text=True)
    assert "Anda yang membuat akun pengaju rilis ini" in page
    assert f"/admin/releases/{release.id}/approve" not in page
    refused = client.post(f"/admin/releases/{release.id}/approve",
                          data={"comment": "", "csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "Anda yang membuat akun pengaju rilis ini" in refused.get_data(as_text=True)
    assert db.session.get(type(release), release.id).status is ReleaseStatus.SUBMITTED


def test_a_walidata_cannot_approve_for_an_account_they_last_changed(app, users):
    walidata, other = users["walidata"], users["walidata2"]
    produsen = users["produsen"]
    issue_password_link(produsen, walidata)  # they could have set its password themselves
    db.session.commit()
    release = _submitted_by(app, produsen)
    assert not can(walidata, "approve_release", release)
    change_role(produsen, "walidata", other)
    change_role(produsen, "produsen", other)
    db.session.commit()
    assert can(walidata, "approve_release", release) and not can(other, "approve_release", release)
