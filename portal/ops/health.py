"""/healthz for a load balancer: the database answers and the storage is writable."""
from __future__ import annotations

import os
import tempfile

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from portal.extensions import db

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database and the file storage work, 503 otherwise."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not healthy"; the type is enough to act on
        db.session.rollback()
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        with tempfile.NamedTemporaryFile(dir=current_app.config["STORAGE_DIR"], prefix=".healthz-"):
            pass
        checks["storage"] = "ok"
    except OSError as exc:
        checks["storage"] = f"error: {os.strerror(exc.errno) if exc.errno else type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    response = jsonify(status="ok" if healthy else "error", checks=checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
