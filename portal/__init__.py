"""Portal Satu Data Kabupaten: the application factory."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event

from portal.config import PROJECT_ROOT, instance_folder, load_config
from portal.extensions import csrf, db, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Build the portal; ``config`` overrides settings (tests pass their own)."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or instance_folder()
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(load_config(app.instance_path))
    app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["STORAGE_DIR"]).mkdir(parents=True, exist_ok=True)
    register_site(app)
    register_extensions(app)
    register_i18n(app)
    register_blueprints(app)
    register_cli(app)
    register_template_helpers(app)
    register_ops(app)
    return app


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers run during a publish; SQLite needs foreign keys switched on."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # A harvest holds the write lock while it audits its drafts; writers wait, not fail.
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def register_site(app: Flask) -> None:
    """Resolve the district's name from the bundled region list once (portal.core.site)."""
    from portal.core.site import install
    from portal.sources.wilayah import load_district

    try:
        name = load_district(app.config["DISTRICT_CODE"]).nama
    except (ValueError, KeyError):
        name = app.config["DISTRICT_CODE"]
    install(app, name)


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, login manager and CSRF protection."""
    from flask_babel import lazy_gettext as _l

    from portal import models  # noqa: F401  (registers every model with the metadata)
    from portal.auth.sessions import load_user

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    # Flashed as plain text in the reader's language (a lazy string cannot go into the session).
    login_manager.localize_callback = str
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    with app.app_context():
        # Only the portal's own database: an OpenSID SQLite export must stay untouched.
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)

    login_manager.user_loader(load_user)


def register_i18n(app: Flask) -> None:
    """Indonesian by default, English on request."""
    from portal.i18n import register_i18n as install

    install(app)


def register_blueprints(app: Flask) -> None:
    """Mount the public catalog, the admin pages and login."""
    from portal.admin import bp as admin_bp
    from portal.auth.views import bp as auth_bp
    from portal.catalog.feeds import bp as feeds_bp
    from portal.catalog.places import bp as places_bp
    from portal.catalog.privacy_pages import bp as privacy_bp
    from portal.catalog.views import bp as catalog_bp

    app.register_blueprint(catalog_bp)
    app.register_blueprint(places_bp)
    app.register_blueprint(feeds_bp)
    from portal.catalog.browse import bp as browse_bp
    from portal.catalog.quality import bp as quality_bp  # /kualitas-data (issue 13)
    from portal.search.index import search_cli

    app.register_blueprint(browse_bp)
    app.register_blueprint(quality_bp)
    app.cli.add_command(search_cli)  # flask search reindex
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    from portal.uploads.views import bp as uploads_bp  # /admin/unggah: an OPD's table, upload to draft
    app.register_blueprint(uploads_bp)
    app.register_blueprint(privacy_bp)
    from portal.api import register_api  # CKAN API, datastore, DCAT (with CORS, rate limits)
    register_api(app)


def register_cli(app: Flask) -> None:
    """Add the operator commands (create-user, generate-district, harvest, ...)."""
    from portal.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)


def register_ops(app: Flask) -> None:
    """Health check, security headers, request logs, backup and restore."""
    from portal.ops import register_ops as install

    install(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates share."""
    from portal.catalog.helpers import register

    register(app)
