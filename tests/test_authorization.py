"""Authorisation matrix: every route of the app × anonymous, produsen and walidata.

The routes are read from ``app.url_map``; a route the matrix does not classify fails the test,
so a new page cannot slip in unchecked. GET pages are checked against one catalogue made once
per module (a draft, submitted, published and withdrawn release, a harvest run, users). Each POST
action gets releases of its own, and is tried anonymous, by the wrong role, without a CSRF token
and by the right role; only the last may change anything. Guessed public URLs of files that are
not public (drafts, submitted releases) are 404 for everyone, withdrawn versions 410.

Who may open an admin URL is not written here: each admin view names its action of the
permission table (``portal.auth.permissions.PERMISSIONS``, through ``@requires``), and the
expected answer per role is derived from that table. Only the URLs to try are listed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from portal import create_app
from portal.api.dicts import stable_id
from portal.auth.permissions import PERMISSIONS, roles_for
from portal.auth.services import create_user, set_memberships
from portal.auth.tokens import create_token
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.datasets.models import Dataset, Organization, Release
from portal.datasets.withdrawal_requests import delete_dataset
from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.uploads import staging
from tests.support.catalog import CatalogFactory
from tests.support.forms import AuthActions, csrf_token
from tests.support.world import PASSWORDS, REFERENCE_DATE, fresh_app

ANON, PRODUSEN, WALIDATA = "anonymous", "produsen", "walidata"
ROLES = (ANON, PRODUSEN, WALIDATA)
LOGIN = "login"  # a redirect to the login form
ALLOWED = "allowed"  # done (a redirect back) or the form shown again: neither 403 nor login

PUBLIC = {ANON: 200, PRODUSEN: 200, WALIDATA: 200}
REDIRECT = {ANON: 302, PRODUSEN: 302, WALIDATA: 302}
NOT_FOUND = {ANON: 404, PRODUSEN: 404, WALIDATA: 404}
# A table an OPD uploaded, waiting on its mapping page (portal.uploads.staging).
STAGED_CSV = b"kode_desa,tahun,jenis_kelamin,jumlah_penduduk\n" + b"".join(
    b"51020120%02d,2025,%s,40\n" % (d, s) for d in (1, 2) for s in (b"laki-laki", b"perempuan"))
TABLE = "the permission table"  # an admin URL: expected answers derived from its view's action

# (rule, method) -> (URL with {placeholders} filled from the catalogue, expected status per role)
GETS: dict[tuple[str, str], tuple[str, dict]] = {
    ("/", "GET"): ("/", PUBLIC),
    ("/admin/", "GET"): ("/admin/", TABLE),
    ("/admin/audit", "GET"): ("/admin/audit", TABLE),
    ("/admin/audit.csv", "GET"): ("/admin/audit.csv", TABLE),
    ("/admin/datasets", "GET"): ("/admin/datasets", TABLE),
    ("/admin/harvests", "GET"): ("/admin/harvests", TABLE),
    ("/admin/harvests/<int:run_id>", "GET"): ("/admin/harvests/{run}", TABLE),
    ("/admin/kebijakan-privasi", "GET"): ("/admin/kebijakan-privasi", TABLE),
    ("/admin/organizations", "GET"): ("/admin/organizations", TABLE),
    ("/admin/organizations/new", "GET"): ("/admin/organizations/new", TABLE),
    ("/admin/organizations/<name>/edit", "GET"): ("/admin/organizations/{org}/edit", TABLE),
    ("/admin/releases", "GET"): ("/admin/releases", TABLE),
    ("/admin/releases/<int:release_id>", "GET"): ("/admin/releases/{draft}", TABLE),
    ("/admin/releases/<int:release_id>/metadata", "GET"): ("/admin/releases/{published}/metadata",
                                                           TABLE),
    ("/admin/topics", "GET"): ("/admin/topics", TABLE),
    ("/admin/kualitas-data", "GET"): ("/admin/kualitas-data", TABLE),
    ("/admin/kualitas-data.csv", "GET"): ("/admin/kualitas-data.csv", TABLE),
    ("/admin/topics/new", "GET"): ("/admin/topics/new", TABLE),
    ("/admin/topics/<name>/edit", "GET"): ("/admin/topics/agama/edit", TABLE),
    ("/admin/users", "GET"): ("/admin/users", TABLE),
    ("/admin/users/<int:user_id>", "GET"): ("/admin/users/{other}", TABLE),
    ("/admin/akun/sandi", "GET"): ("/admin/akun/sandi", TABLE),
    ("/admin/akun/token", "GET"): ("/admin/akun/token", TABLE),
    ("/admin/penarikan", "GET"): ("/admin/penarikan", TABLE),
    ("/admin/unggah", "GET"): ("/admin/unggah", TABLE),
    ("/admin/unggah/<upload_id>", "GET"): ("/admin/unggah/{staged}", TABLE),
    ("/auth/sandi/<token>", "GET"): ("/auth/sandi/bukan-tautan-yang-berlaku", NOT_FOUND),
    ("/api", "GET"): ("/api", PUBLIC),
    ("/api/<int(min=1, max=3):ver>", "GET"): ("/api/3", PUBLIC),
    ("/api/3/action/<logic_function>", "GET"): ("/api/3/action/package_show?id={name}", PUBLIC),
    ("/api/action/<logic_function>", "GET"): ("/api/action/package_list", PUBLIC),
    ("/api/docs", "GET"): ("/api/docs", PUBLIC),
    ("/api/openapi.json", "GET"): ("/api/openapi.json", PUBLIC),
    ("/auth/login", "GET"): ("/auth/login", PUBLIC),
    ("/bahasa/<lang>", "GET"): ("/bahasa/en", REDIRECT),
    ("/catalog.<any(jsonld, ttl, rdf, xml):fmt>", "GET"): ("/catalog.ttl", PUBLIC),
    ("/dasbor", "GET"): ("/dasbor", PUBLIC),
    ("/dataset", "GET"): ("/dataset", PUBLIC),
    ("/dataset/<name>", "GET"): ("/dataset/{name}", PUBLIC),
    ("/dataset/<name>.<any(jsonld, ttl, rdf, xml):fmt>", "GET"): ("/dataset/{name}.jsonld", PUBLIC),
    ("/dataset/<name>/download/<filename>", "GET"): ("/dataset/{name}/download/{name}.csv", REDIRECT),
    ("/dataset/<name>/version/<version>", "GET"): ("/dataset/{name}/version/1.0.0", PUBLIC),
    ("/dataset/<name>/version/<version>/download/<filename>", "GET"): (
        "/dataset/{name}/version/1.0.0/download/{name}.csv", PUBLIC),
    ("/dataset/<name>/version/<version>/privasi", "GET"): ("/dataset/{name}/version/1.0.0/privasi", PUBLIC),
    ("/dataset/<name>/series.<fmt>", "GET"): ("/dataset/{name}/series.csv", PUBLIC),
    ("/datastore/dump/<resource_id>", "GET"): ("/datastore/dump/{resource}", PUBLIC),
    ("/desa/<kode>", "GET"): ("/desa/51.02.01.2001", PUBLIC),
    ("/kecamatan/<kode>", "GET"): ("/kecamatan/51.02.01", PUBLIC),
    ("/feeds/releases.atom", "GET"): ("/feeds/releases.atom", PUBLIC),
    ("/feeds/topic/<topic>.atom", "GET"): ("/feeds/topic/kependudukan.atom", PUBLIC),
    ("/healthz", "GET"): ("/healthz", PUBLIC),
    ("/organisasi", "GET"): ("/organisasi", PUBLIC),
    ("/organisasi/<name>", "GET"): ("/organisasi/{org}", PUBLIC),
    ("/privasi", "GET"): ("/privasi", PUBLIC),
    ("/sitemap.xml", "GET"): ("/sitemap.xml", PUBLIC),
    ("/static/<path:filename>", "GET"): ("/static/css/portal.css", PUBLIC),
    ("/kualitas-data", "GET"): ("/kualitas-data", PUBLIC),
    # Maps are public, but this world publishes no boundaries: there is nothing to draw.
    ("/dasbor/peta.svg", "GET"): ("/dasbor/peta.svg", NOT_FOUND),
    ("/kecamatan/<kode>/peta.svg", "GET"): ("/kecamatan/51.02.01/peta.svg", NOT_FOUND),
    ("/dataset/<name>/version/<version>/peta.svg", "GET"): ("/dataset/{name}/version/1.0.0/peta.svg", NOT_FOUND),
    ("/topik", "GET"): ("/topik", PUBLIC),
    ("/topik/<slug>", "GET"): ("/topik/kependudukan", PUBLIC),
}


@dataclass(frozen=True)
class Action:
    """A POST action: who may do it, its form, and the state it must leave alone when refused."""

    url: str
    data: dict = field(default_factory=dict)
    target: str = ""  # the release (key in the catalogue) whose status a refusal must keep
    table: bool = True  # an admin action (roles from the permission table), else open to both roles


POSTS: dict[tuple[str, str], Action] = {
    ("/admin/releases/<int:release_id>/approve", "POST"): Action(
        "/admin/releases/{to_approve}/approve", {"comment": "Setuju."}, "to_approve"),
    ("/admin/releases/<int:release_id>/reject", "POST"): Action(
        "/admin/releases/{to_reject}/reject", {"comment": "Perbaiki."}, "to_reject"),
    ("/admin/releases/<int:release_id>/submit", "POST"): Action(
        "/admin/releases/{to_submit}/submit", {"note": "Rilis baru."}, "to_submit"),
    ("/admin/releases/<int:release_id>/withdraw", "POST"): Action(
        "/admin/releases/{to_withdraw}/withdraw", {"reason": "Uji penarikan."}, "to_withdraw"),
    ("/admin/releases/<int:release_id>/metadata", "POST"): Action(
        "/admin/releases/{to_edit}/metadata", {"title": "Judul baru"}),
    ("/admin/users", "POST"): Action("/admin/users", {
        "email": "baru@example.go.id", "name": "Baru", "role": "produsen"}),
    ("/admin/users/<int:user_id>", "POST"): Action("/admin/users/{other}", {"role": "produsen", "active": "y"}),
    ("/admin/users/<int:user_id>/link", "POST"): Action("/admin/users/{other}/link"),
    # A wrong current password: the form comes back (allowed), and no test password changes.
    ("/admin/akun/sandi", "POST"): Action("/admin/akun/sandi", {
        "current": "bukan-sandinya", "password": "kata-sandi-baru-77", "confirm": "kata-sandi-baru-77"}),
    # A token named but without a CSRF token or by an anonymous caller: nothing is made.
    ("/admin/akun/token", "POST"): Action("/admin/akun/token", {"name": "skrip uji"}),
    # The produsen's token: the walidata's try is refused by the service (not theirs), a redirect.
    ("/admin/akun/token/<int:token_id>/cabut", "POST"): Action("/admin/akun/token/{token}/cabut"),
    ("/admin/organizations/new", "POST"): Action("/admin/organizations/new", {
        "name": "dinas-baru", "title": "Dinas Baru", "description": "OPD baru."}),
    ("/admin/organizations/<name>/edit", "POST"): Action("/admin/organizations/{org}/edit", {
        "name": "{org}", "title": "Dinas Kependudukan", "description": "Diubah."}),
    ("/admin/topics/new", "POST"): Action("/admin/topics/new", {
        "name": "topik-baru", "title": "Topik Baru", "position": "70"}),
    ("/admin/topics/<name>/edit", "POST"): Action("/admin/topics/agama/edit", {
        "name": "agama", "title": "Agama dan Kepercayaan", "position": "60"}),
    # No dataset of the catalogue below is filed under it, so the walidata may delete it.
    ("/admin/topics/<name>/delete", "POST"): Action("/admin/topics/ketenagakerjaan/delete"),
    ("/admin/topics/sets/<name>", "POST"): Action("/admin/topics/sets/data-desa-presisi", {"active": "1"}),
    ("/auth/logout", "POST"): Action("/auth/logout", table=False),
    # The produsen's request to withdraw a public dataset, denied by the walidata (it stays public).
    ("/admin/penarikan/<int:request_id>/<any(konfirmasi, tolak):decision>", "POST"): Action(
        "/admin/penarikan/{withdrawal}/tolak", {"comment": "Masih dipakai."}, "to_delete"),
    # No file chosen: the upload form comes back (allowed), nothing is staged.
    ("/admin/unggah", "POST"): Action("/admin/unggah", {"name": "unggahan-lain", "organization": "{org}"}),
    # Checking the staged upload's mapping again: the page comes back, nothing is drafted.
    ("/admin/unggah/<upload_id>", "POST"): Action("/admin/unggah/{staged}", {"action": "periksa"}),
}
# Not role-gated, checked on their own: the login form, the read-only JSON API, and the one-time
# password link (its token is the permission; tests/auth/test_accounts.py).
OTHERS = {("/auth/login", "POST"), ("/api/3/action/<logic_function>", "POST"),
          ("/api/action/<logic_function>", "POST"), ("/auth/sandi/<token>", "POST")}


def _routes(app) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def _action(app, route: tuple[str, str]) -> str:
    """The permission-table action the view behind ``route`` names."""
    rule = next(r for r in app.url_map.iter_rules() if r.rule == route[0] and route[1] in r.methods)
    return app.view_functions[rule.endpoint].permission


def _allowed_roles(app, route: tuple[str, str]) -> set[str]:
    """The roles the permission table lets through ``route``."""
    return {role.value for role in roles_for(_action(app, route))}


def _expected(app, route: tuple[str, str], given) -> dict:
    """The expected answer per role: as listed, or derived from the permission table."""
    if given != TABLE:
        return given
    allowed = _allowed_roles(app, route)
    return {ANON: LOGIN, **{role: 200 if role in allowed else 403 for role in (PRODUSEN, WALIDATA)}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An app with a small catalogue in every state, users, a harvest run; made once."""
    app = fresh_app(tmp_path_factory.mktemp("authz"))
    with app.app_context():
        users = {
            PRODUSEN: create_user("produsen@example.go.id", PASSWORDS["produsen"], "produsen"),
            WALIDATA: create_user("walidata@example.go.id", PASSWORDS["walidata"], "walidata"),
        }
        other = create_user("lain@example.go.id", None, "produsen", "Akun Lain")
        db.session.commit()
        factory = CatalogFactory(app)
        draft, published, submitted = ReleaseStatus.DRAFT, ReleaseStatus.PUBLISHED, ReleaseStatus.SUBMITTED
        pub = factory.dataset("penduduk-dan-keluarga", [("1.0.0", published), ("1.1.0", draft),
                                                        ("1.2.0", submitted)])
        hidden = factory.dataset("rahasia-draf", [("1.0.0", draft)])
        gone = factory.dataset("ditarik", [("1.0.0", published), ("1.1.0", published)])
        services.withdraw(next(r for r in gone.releases if r.version == "1.0.0"), users[WALIDATA], "Salah hitung.")
        for name, status in (("to_approve", submitted), ("to_reject", submitted), ("to_submit", draft),
                             ("to_withdraw", published), ("to_edit", published), ("to_delete", published)):
            factory.dataset(name.replace("_", "-"), [("1.0.0", status)])
        # The produsen belongs to every OPD of this catalogue, so the table's role decides.
        set_memberships(users[PRODUSEN], [o.id for o in db.session.scalars(select(Organization))], None)
        withdrawal = delete_dataset(_dataset("to-delete"), users[PRODUSEN], "Diganti tabel lain.")
        token, _secret = create_token(users[PRODUSEN], "uji")
        staged = staging.stage(STAGED_CSV, {"filename": "uji.csv", "dataset": "unggahan-uji", "title": "Uji",
                                            "organization": pub.organization.name, "sheet": None, "schema": {}})
        run = HarvestRun(source="export", source_kind="csv", reference_date=REFERENCE_DATE, status="ok",
                         actor=users[PRODUSEN], report={"errors": 0, "warnings": 0, "problems": []})
        db.session.add(run)
        db.session.commit()
        ids = {"run": run.id, "token": token.id, "org": pub.organization.name, "name": pub.name, "other": other.id,
               "resource": stable_id("resource", pub.id, f"{pub.name}.csv"),
               "draft": _release(pub, "1.1.0").id, "published": _release(pub, "1.0.0").id,
               "hidden": hidden.name, "hidden_resource": stable_id("resource", hidden.id, f"{hidden.name}.csv"),
               "gone": gone.name, "staged": staged, "withdrawal": withdrawal.id}
        for name in ("to_approve", "to_reject", "to_submit", "to_withdraw", "to_edit", "to_delete"):
            ids[name] = _dataset(name.replace("_", "-")).releases[0].id
        db.session.remove()
    # No app context stays pushed: requests would share its ``g`` (the signed-in user, the CSRF token).
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def _release(dataset: Dataset, version: str) -> Release:
    return next(r for r in dataset.releases if r.version == version)


def _dataset(name: str) -> Dataset:
    return db.session.query(Dataset).filter_by(name=name).one()


def _client(app, role: str):
    client = app.test_client()
    if role != ANON:
        AuthActions(client).login_as(role)
    return client


def _check(response, expected, role: str, url: str) -> None:
    where = f"{role} {url}: {response.status_code}"
    if expected == LOGIN:
        assert response.status_code == 302, where
        assert "/auth/login" in response.headers["Location"], where
    elif expected == ALLOWED:
        assert response.status_code in (200, 302), where
        assert "/auth/login" not in response.headers.get("Location", ""), where
    else:
        assert response.status_code == expected, where


def test_every_route_is_classified(world):
    app, _ = world
    unclassified = _routes(app) - set(GETS) - set(POSTS) - OTHERS
    assert not unclassified, f"add these routes to the authorisation matrix: {sorted(unclassified)}"
    assert not (set(GETS) | set(POSTS) | OTHERS) - _routes(app), "the matrix names a route that is gone"


def test_every_admin_url_names_one_action_of_the_permission_table(world):
    app, _ = world
    admin = {route for route in _routes(app) if route[0].startswith("/admin")}
    assert admin
    for route in admin:
        assert _action(app, route) in PERMISSIONS, f"{route}: its view names no action of the table"
    listed_as_table = {r for r, (_url, expected) in GETS.items() if expected == TABLE}
    listed_as_table |= {r for r, action in POSTS.items() if action.table}
    assert listed_as_table == admin, "every admin route, and only those, is checked against the table"


def test_the_table_gates_every_admin_action_the_brief_names():
    for action in ("withdraw_release", "view_audit", "view_privacy_policy", "view_registers",
                   "manage_organizations", "manage_topics", "manage_users", "harvest", "edit_metadata",
                   "submit_release", "approve_release", "reject_release", "change_own_password", "upload_table",
                   "delete_dataset", "decide_withdrawal"):
        assert roles_for(action), action


ROLE_CHECK = re.compile(r"Role\.(WALIDATA|PRODUSEN)|role\s*==|\.role\s+in\b|is_walidata|role\.value\s*==")


def test_no_role_check_outside_the_permission_table():
    """Roles are compared only in portal/auth (the table, the model); the demo names them as seed data."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    allowed = {"portal/auth/permissions.py", "portal/auth/models.py", "portal/demo.py"}
    found = []
    for path in [*root.joinpath("portal").rglob("*.py"), *root.joinpath("templates").rglob("*.html")]:
        rel = path.relative_to(root).as_posix()
        if rel in allowed or rel.startswith("portal/demogen/"):
            continue
        found += [f"{rel}:{n}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                  if ROLE_CHECK.search(line)]
    assert not found, f"role checks outside the permission table: {found}"


@pytest.mark.parametrize("route", sorted(GETS), ids=[f"{m} {r}" for r, m in sorted(GETS)])
def test_get(world, route):
    app, ids = world
    template, expected = GETS[route]
    expected = _expected(app, route, expected)
    url = template.format(**ids)
    for role in ROLES:
        _check(_client(app, role).get(url), expected[role], role, url)


@pytest.mark.parametrize("route", sorted(POSTS), ids=[f"{m} {r}" for r, m in sorted(POSTS)])
def test_post_needs_the_right_role_and_a_csrf_token(world, route):
    app, ids = world
    action = POSTS[route]
    allowed = _allowed_roles(app, route) if action.table else {PRODUSEN, WALIDATA}
    url = action.url.format(**ids)
    data = {k: v.format(**ids) for k, v in action.data.items()}

    def status() -> ReleaseStatus | None:
        if not action.target:
            return None
        with app.app_context():
            return db.session.get(Release, ids[action.target]).status

    before = status()
    anonymous = app.test_client()
    token = csrf_token(anonymous.get("/auth/login").get_data(as_text=True))
    _check(anonymous.post(url, data={**data, "csrf_token": token}), LOGIN, ANON, url)
    for role in (PRODUSEN, WALIDATA):
        client = _client(app, role)
        assert client.post(url, data=data).status_code == 400, f"{role} {url} without CSRF token"
        if role not in allowed:
            token = csrf_token(client.get("/admin/").get_data(as_text=True))
            _check(client.post(url, data={**data, "csrf_token": token}), 403, role, url)
    assert status() == before, "a refused request changed the release"
    for role in (PRODUSEN, WALIDATA):
        if role in allowed:
            client = _client(app, role)
            token = csrf_token(client.get("/admin/").get_data(as_text=True))
            _check(client.post(url, data={**data, "csrf_token": token}), ALLOWED, role, url)


def test_login_form_and_read_only_api_are_open_to_everyone(world):
    app, ids = world
    for role in ROLES:
        client = _client(app, role)
        response = client.post("/api/3/action/package_show", json={"id": ids["name"]})
        assert response.status_code == 200 and response.get_json()["success"]
        response = client.post("/api/action/package_search", json={"q": "penduduk"})
        assert response.status_code == 200
        for write in ("package_create", "package_delete", "resource_update"):
            response = client.post(f"/api/3/action/{write}", json={"name": "x"})
            assert response.status_code in (400, 403, 404), f"{role} {write}: {response.status_code}"
    with app.app_context():
        assert db.session.query(Dataset).filter_by(name="x").count() == 0
    page = app.test_client()
    token = csrf_token(page.get("/auth/login").get_data(as_text=True))
    assert page.post("/auth/login", data={"email": "walidata@example.go.id", "password": "salah-sekali",
                                          "csrf_token": token}).status_code == 200


def _hidden_urls(ids) -> list[tuple[str, int]]:
    name, hidden, gone = ids["name"], ids["hidden"], ids["gone"]
    return [
        # A draft or submitted version of a public dataset, guessed by its number.
        (f"/dataset/{name}/version/1.1.0/download/{name}.csv", 404),
        (f"/dataset/{name}/version/1.1.0/download/{name}.zip", 404),
        (f"/dataset/{name}/version/1.2.0/download/datapackage.json", 404),
        (f"/dataset/{name}/version/1.1.0", 404),
        (f"/dataset/{name}/version/1.2.0/privasi", 404),
        # A dataset that has only a draft.
        (f"/dataset/{hidden}", 404),
        (f"/dataset/{hidden}.jsonld", 404),
        (f"/dataset/{hidden}/download/{hidden}.csv", 404),
        (f"/dataset/{hidden}/version/1.0.0/download/{hidden}.csv", 404),
        (f"/datastore/dump/{ids['hidden_resource']}", 404),
        (f"/api/3/action/package_show?id={hidden}", 404),
        (f"/api/3/action/resource_show?id={ids['hidden_resource']}", 404),
        (f"/api/3/action/datastore_search?resource_id={ids['hidden_resource']}", 404),
        # Path tricks around the storage folder.
        (f"/dataset/{name}/version/1.0.0/download/..%2F..%2Fportal.sqlite3", 404),
        (f"/dataset/{name}/version/..%2F1.1.0/download/{name}.csv", 404),
        # A withdrawn version: gone, with its reason, for everyone.
        (f"/dataset/{gone}/version/1.0.0/download/{gone}.csv", 410),
        (f"/dataset/{gone}/version/1.0.0/download/{gone}.zip", 410),
        (f"/dataset/{gone}/version/1.0.0", 410),
    ]


def test_guessed_urls_of_files_that_are_not_public(world):
    app, ids = world
    for role in ROLES:
        client = _client(app, role)
        for url, expected in _hidden_urls(ids):
            response = client.get(url)
            assert response.status_code == expected, f"{role} {url}: {response.status_code}"
            assert b"kode_desa,nama_desa" not in response.get_data(), f"{role} {url} served the table"


def test_request_size_is_limited(world, tmp_path):
    app, _ = world
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024
    client = _client(app, WALIDATA)
    token = csrf_token(client.get("/admin/users").get_data(as_text=True))
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    assert client.post("/admin/users", data={"csrf_token": token, "name": big}).status_code == 413
    assert app.test_client().post("/api/3/action/package_search", data=big,
                                  content_type="application/json").status_code == 413
    small = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                        "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAX_CONTENT_LENGTH": 1024})
    assert small.test_client().post("/auth/login", data={"email": "y" * 2048}).status_code == 413


def test_wrong_user_and_wrong_password_get_byte_identical_answers(world):
    app, _ = world

    def answer(email: str, password: str) -> tuple[int, str]:
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = csrf_token(page)
        response = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
        return response.status_code, re.sub(r'value="[^"]*"', "", response.get_data(as_text=True).replace(token, ""))

    wrong_password = answer("produsen@example.go.id", "bukan-sandinya-1")
    wrong_user = answer("tidak-ada@example.go.id", "bukan-sandinya-1")
    assert wrong_password[0] == wrong_user[0] == 200
    assert wrong_password[1] == wrong_user[1].replace("tidak-ada@", "produsen@")
