"""Structured request logs: one JSON line per request, without personal data."""
from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask, g, request

logger = logging.getLogger("portal.request")


def install_request_log(app: Flask) -> None:
    """Log method, path, status, size and duration; never query strings, bodies or addresses."""
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        if app.config["REQUEST_LOG"]:
            started = g.get("request_started", time.perf_counter())
            # Query strings can carry search terms or tokens: the path alone is logged.
            logger.info(json.dumps({
                "event": "request", "id": g.get("request_id"), "method": request.method,
                "path": request.path, "status": response.status_code,
                "bytes": response.calculate_content_length(),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }))
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        return response
