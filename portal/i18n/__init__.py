"""Languages: Indonesian by default, English on request (Flask-Babel).

Messages are written in Indonesian in the code and templates; ``translations/en``
holds their English. The choice travels in the ``lang`` query parameter (so a shared
link keeps its language) or the ``lang`` cookie set by the switch, never in a session.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import get_locale, refresh

from portal.extensions import babel

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LOCALE = "id"
COOKIE = "lang"
YEAR = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """The page's language: ?lang=, then the cookie, then Indonesian."""
    if not has_request_context():  # the CLI and background work speak Indonesian
        return DEFAULT_LOCALE
    for candidate in (request.args.get(COOKIE), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LOCALE


def current_language() -> str:
    """The language code of the page being rendered ("id" or "en")."""
    return str(get_locale() or DEFAULT_LOCALE)


def localized(item, field: str) -> str:
    """``item.<field>`` in the page's language: ``<field>_en`` when reading English and it is set.

    Works on models, plain objects and dicts (the statistics catalogue carries title_en and
    description_en); falls back to the Indonesian text, which always exists.
    """
    def read(name: str):
        return item.get(name) if isinstance(item, dict) else getattr(item, name, None)

    if current_language() != DEFAULT_LOCALE:
        english = read(f"{field}_en")
        if english:
            return english
    return read(field) or ""


def _safe_next(target: str | None) -> str:
    # Only a path on this site: the switch must not become an open redirect.
    if not target:
        return url_for("catalog.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("catalog.home")
    # A ?lang= left in the link would outvote the cookie just set.
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != COOKIE])
    return parts.path + (f"?{query}" if query else "")


@bp.get("/bahasa/<lang>")
def switch(lang: str):
    """Remember the chosen language in a cookie and go back to the page the reader was on."""
    response = redirect(_safe_next(request.args.get("next")))
    if lang in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=YEAR, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def register_i18n(app: Flask) -> None:
    """Bind Flask-Babel with the portal's locale selector and the language switch."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel caches the locale on `g`; a request inside an outer app context (tests, CLI
    # calls into views) must choose its own language afresh.
    app.before_request(refresh)
    app.register_blueprint(bp)
    app.add_template_global(LANGUAGES, "LANGUAGES")
    app.add_template_global(current_language)
    app.add_template_global(localized)
