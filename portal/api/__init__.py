"""Open APIs: the CKAN Action API v3, datastore_search, DCAT-AP 3, OpenAPI and the API page."""
from __future__ import annotations

from flask import Flask

# Each action module adds its actions to the registry when imported.
from portal.api import actions, activity, datastore, group_actions, upload_actions, write_actions  # noqa: F401


def register_api(app: Flask) -> None:
    """Mount the API blueprint, exempt it from CSRF (read-only JSON) and set its rate limits."""
    from portal.api import guard
    from portal.api.views import bp
    from portal.extensions import csrf

    guard.configure(app)
    csrf.exempt(bp)
    app.register_blueprint(bp)
