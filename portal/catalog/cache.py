"""Rendered public catalog pages, cached per catalog state for anonymous readers.

A public page is a function of its URL, its language and the published catalog, so an
anonymous GET can be answered from memory while the catalog is unchanged. The key holds
the path, the sorted query, the host, the language and the public catalog's fingerprint
(``portal.datasets.fingerprint``: one cheap query that changes on every publication,
withdrawal or audit event), so a withdrawal is a cache miss at once in every worker.
The ``catalog_changed`` signal also empties this process's cache, and entries expire
after ``PAGE_CACHE_SECONDS`` (60) for the edits no fingerprint sees (an organisation
renamed in place).

Never cached: a request carrying any cookie but ``lang`` (a login session, a remember-me
token, a CSRF session), anything but GET/HEAD, a response other than 200, a response
that touched the session (flash, CSRF token) or sets a cookie, and streamed files.
Only the public blueprints install it (catalog, places, browse, feeds), never /admin,
/auth or the API.
"""
from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, has_app_context, request, session

from portal.core.lru import LRU
from portal.datasets.fingerprint import catalog_fingerprint
from portal.datasets.signals import catalog_changed

# Cookies that may vary a public page without identifying anyone (the language is in the key).
HARMLESS_COOKIES = frozenset({"lang"})
# Headers a later hook adds per request (request id, security headers) are not kept.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link", "Cache-Control", "Vary")
# Files answer conditional and range requests themselves; redirects are cheap.
SKIPPED_ENDPOINTS = frozenset({"catalog.download", "catalog.download_latest"})


def pages() -> LRU:
    """This app's page cache (one per app: tests build many apps in one process)."""
    state = current_app.extensions
    found = state.get("page_cache")
    if found is None:
        config = current_app.config
        found = state.setdefault("page_cache", LRU(config["PAGE_CACHE_ENTRIES"], config["PAGE_CACHE_BYTES"]))
    return found


@catalog_changed.connect
def _on_catalog_changed(_dataset, **_extra) -> None:
    # The fingerprint changes too once the transaction commits; this makes it certain here.
    if has_app_context():
        pages().clear()


def _enabled() -> bool:
    # PAGE_CACHE=0 in the environment switches it off (the bench's before/after comparison).
    return bool(current_app.config["PAGE_CACHE"])


def _cacheable_request() -> bool:
    if request.method not in ("GET", "HEAD") or request.endpoint in SKIPPED_ENDPOINTS or not _enabled():
        return False
    return set(request.cookies) <= HARMLESS_COOKIES and "Authorization" not in request.headers


def _key() -> tuple:
    from portal.i18n import select_locale

    query = tuple(sorted(request.args.items(multi=True)))
    return (request.host_url, request.path, query, select_locale(), catalog_fingerprint())


def _serve():
    """before_request: answer from the cache when the request may be served from it."""
    if not _cacheable_request():
        return None
    key = _key()
    request.environ["portal.page_cache_key"] = key  # per request, unlike g in an outer app context
    entry = pages().get(key)
    if entry is None:
        return None
    stored_at, status, body, headers = entry
    if time.monotonic() - stored_at > current_app.config["PAGE_CACHE_SECONDS"]:
        return None
    request.environ["portal.page_cache_hit"] = True
    response = Response(body, status=status, headers=headers)
    response.headers["X-Page-Cache"] = "hit"
    return response


def _store(response: Response) -> Response:
    """after_request: keep a fresh, anonymous, cookie-free 200 page for the next reader."""
    key = request.environ.get("portal.page_cache_key")
    if key is None or request.environ.get("portal.page_cache_hit") or response.status_code != 200:
        return response
    if response.direct_passthrough or response.is_streamed or "Set-Cookie" in response.headers:
        return response
    if session.modified or session:  # a flash or a CSRF token: this page is someone's own
        return response
    body = response.get_data()
    if b'name="csrf_token"' in body:
        return response
    headers = [(name, value) for name, value in response.headers.items() if name in KEPT_HEADERS]
    pages().put(key, (time.monotonic(), response.status_code, body, headers), len(body))
    response.headers["X-Page-Cache"] = "miss"
    return response


def install(blueprint: Blueprint) -> None:
    """Serve and store this blueprint's pages through the page cache."""
    # Blueprint hooks run after the app's (request id, timer, language), so those stay per request.
    blueprint.before_request(_serve)
    blueprint.after_request(_store)
