"""Login, roles, CSRF, cookies, and the admin area closed to anonymous users."""
import pytest

from portal import create_app
from portal.auth.models import Role, User
from portal.extensions import db
from tests.support.world import PASSWORDS

ADMIN_ARGS = {"release_id": 1, "run_id": 1, "name": "contoh-opd", "user_id": 1, "token_id": 1,
              "request_id": 1, "decision": "konfirmasi"}


def admin_routes():
    """Every (method, URL) of the admin blueprint, read from the app's own URL map."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                      "INSTANCE_PATH": "/tmp/portal-url-map"})
    routes = []
    with app.test_request_context():
        from flask import url_for
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            url = url_for(rule.endpoint, **{a: ADMIN_ARGS[a] for a in rule.arguments})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((method, url))
    return routes


ADMIN_ROUTES = admin_routes()


def test_admin_routes_were_found():
    assert ("GET", "/admin/") in ADMIN_ROUTES
    assert ("POST", "/admin/releases/1/approve") in ADMIN_ROUTES
    assert len(ADMIN_ROUTES) >= 10


@pytest.mark.parametrize("method,url", ADMIN_ROUTES)
def test_anonymous_users_are_sent_to_login(app, method, url):
    app.config["WTF_CSRF_ENABLED"] = False  # so POSTs reach the login check, not the CSRF check
    response = app.test_client().open(url, method=method)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_login_with_the_right_password(client, auth, users):
    response = auth.login_as("walidata")
    assert response.headers["Location"].endswith("/admin/")
    assert "Walidata" in client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("email,password", [
    ("walidata@example.go.id", "wrong-password"),
    ("nobody@example.go.id", PASSWORDS["walidata"]),
])
def test_wrong_user_and_wrong_password_get_the_same_answer(auth, users, email, password):
    response = auth.login(email, password)
    assert response.status_code == 200
    assert "E-mail atau kata sandi salah." in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/auth/login", data={"email": "walidata@example.go.id",
                                                "password": PASSWORDS["walidata"]})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, auth, users):
    response = auth.login_as("produsen")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_open_redirect_after_login_is_refused(client, users):
    from tests.support.forms import csrf_token
    page = client.get("/auth/login").get_data(as_text=True)
    response = client.post("/auth/login?next=https://evil.example/", data={
        "email": "produsen@example.go.id", "password": PASSWORDS["produsen"],
        "csrf_token": csrf_token(page)})
    assert response.headers["Location"].endswith("/admin/")


def test_logout(client, auth, users):
    auth.login_as("produsen")
    auth.logout()
    assert client.get("/admin/").status_code == 302


def test_passwords_are_stored_hashed_with_scrypt(users):
    user = db.session.get(User, users["walidata"].id)
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORDS["walidata"] not in user.password_hash


def test_produsen_cannot_manage_users(client, auth, users):
    auth.login_as("produsen")
    assert client.get("/admin/users").status_code == 403


def test_walidata_adds_a_user_through_the_form(client, auth, users):
    from tests.support.forms import csrf_token
    auth.login_as("walidata")
    page = client.get("/admin/users").get_data(as_text=True)
    response = client.post("/admin/users", data={
        "email": "opd@example.go.id", "name": "OPD", "role": "produsen", "csrf_token": csrf_token(page)})
    assert response.status_code == 200
    assert "/auth/sandi/" in response.get_data(as_text=True)  # the one-time link, shown once
    made = db.session.query(User).filter_by(email="opd@example.go.id").one()
    assert made.role is Role.PRODUSEN and not made.has_password


def test_create_user_command_reads_the_password_from_the_environment(runner):
    result = runner.invoke(args=["create-user", "Kepala@Example.go.id", "--role", "walidata"],
                           env={"PORTAL_PASSWORD": "sangat-rahasia-123"})
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(email="kepala@example.go.id").one()
    assert user.role is Role.WALIDATA and user.check_password("sangat-rahasia-123")


def test_create_user_command_without_a_password_prints_a_one_time_link(runner):
    result = runner.invoke(args=["create-user", "p@example.go.id", "--role", "produsen"])
    assert result.exit_code == 0, result.output
    assert "/auth/sandi/" in result.output
    assert not db.session.query(User).filter_by(email="p@example.go.id").one().has_password


@pytest.mark.parametrize("args,message", [
    (["create-user", "x@example.go.id", "--role", "admin"], "Invalid value"),
    (["create-user", "not-an-email", "--role", "produsen"], "tidak valid"),
])
def test_create_user_command_rejects_bad_input(runner, args, message):
    result = runner.invoke(args=args, env={"PORTAL_PASSWORD": "sangat-rahasia-123"})
    assert result.exit_code != 0 and message in result.output


def test_short_password_is_refused(runner):
    result = runner.invoke(args=["create-user", "x@example.go.id", "--role", "produsen"],
                           env={"PORTAL_PASSWORD": "short"})
    assert result.exit_code != 0 and "minimal" in result.output


@pytest.mark.parametrize("email", ["walidata@example.go.id", "nobody@example.go.id"])
def test_repeated_failures_lock_the_account_the_same_way_for_unknown_users(auth, users, email):
    for _ in range(5):
        assert auth.login(email, "wrong-password").status_code == 200
    locked = auth.login(email, PASSWORDS["walidata"])
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan" in locked.get_data(as_text=True)


def test_other_accounts_are_not_locked_by_someone_elses_failures(auth, users):
    for _ in range(5):
        auth.login("walidata@example.go.id", "wrong-password")
    assert auth.login_as("produsen").status_code == 302
