"""CORS for the read-only API and a per-address token bucket that keeps harvesters working.

The bucket holds ``API_RATE_BURST`` requests and refills at ``API_RATE_LIMIT`` per minute:
a harvester paging 100 datasets per request, or a script fetching a few hundred packages,
never waits; a client hammering the server gets 429 with Retry-After. Counters live in
each worker process (no shared store needed for one district's portal).
"""
from __future__ import annotations

import math
import threading
import time

from flask import Flask, Response, current_app, request

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization, X-CKAN-API-Key",
    "Access-Control-Max-Age": "86400",
}
# Forget idle addresses once this many are tracked, so the table cannot grow without bound.
MAX_TRACKED = 10000


class TokenBucket:
    """Per-key token buckets: ``burst`` tokens, refilled at ``per_minute`` a minute."""

    def __init__(self, per_minute: float, burst: int):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Spend one token for ``key``; 0 when allowed, else seconds until one is free."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                self._prune(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        if len(self._buckets) <= MAX_TRACKED:
            return
        full = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}


def configure(app: Flask) -> None:
    """Read the limits (declared in portal.core.settings) and create the app's bucket."""
    per_minute, burst = app.config["API_RATE_LIMIT"], app.config["API_RATE_BURST"]
    state = app.extensions.setdefault("portal_api", {})
    state["bucket"] = TokenBucket(int(per_minute), int(burst)) if int(per_minute) > 0 else None


def check_rate() -> float:
    """Seconds the current client must wait (0: go ahead); preflights are free."""
    if request.method == "OPTIONS":
        return 0.0
    bucket = current_app.extensions.get("portal_api", {}).get("bucket")
    if bucket is None:
        return 0.0
    return bucket.take(request.remote_addr or "-")


def retry_after(wait: float) -> str:
    """Whole seconds for the Retry-After header, at least one."""
    return str(max(1, math.ceil(wait)))


def add_cors(response: Response) -> Response:
    """Allow any origin: the API is public and read-only, and sends no cookies."""
    response.headers.update(CORS_HEADERS)
    return response
