"""Security headers on every response, and ProxyFix when running behind a proxy."""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline scripts or styles anywhere: every asset is a vendored file under /static.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Pages that show one person's session (admin work, login, the accounts' own pages) are
# never kept by a browser or a proxy: no back button after logout, no shared cache.
NO_STORE_PREFIXES = ("/admin", "/auth")


def is_private(path: str) -> bool:
    """Whether ``path`` is an admin or login page (under one of NO_STORE_PREFIXES)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in NO_STORE_PREFIXES)


def install_security(app: Flask) -> None:
    """Add the headers; trust X-Forwarded-* only when PROXY_FIX says how many proxies there are."""
    proxies = app.config["PROXY_FIX"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if is_private(request.path):
            response.headers["Cache-Control"] = "no-store"
        return response
