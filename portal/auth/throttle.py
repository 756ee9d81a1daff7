"""Login throttle: a growing delay per account and a limit per client address, counted in SQL.

Five failures for an account are free; after that each new attempt on it waits a delay that
doubles with every further failure (30 s, 1 min, 2 min ... at most 15 min), counted from the
last failure. Attempts made while it runs are refused without being counted, so an attacker
cannot lock the owner out for good: the owner gets in once the delay is over, and a
successful login clears the account's count. One client address may fail at most
``ADDRESS_MAX`` times in ``ADDRESS_WINDOW`` whatever accounts it tries, which caps both
guessing and the cost an attacker can put on other people's accounts from one machine.

A browser that signed in to the account before (a signed device cookie, see
portal.auth.devices) is judged by its own failures only, with the same schedule: what a
stranger does to the account's count does not delay its owner at their usual browser, so
locking someone else out buys the attacker nothing there.

Failures are kept in ``login_failure`` as keyed digests (no e-mail address or IP in clear),
one day; unknown e-mail addresses are throttled exactly like real ones.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from portal.auth.models import LoginFailure
from portal.core.time import utcnow
from portal.extensions import db

FREE_FAILURES = 5
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
ACCOUNT_WINDOW = timedelta(hours=1)
ADDRESS_MAX = 30
ADDRESS_WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Verdict:
    """Whether a login attempt may go ahead, and if not, why and for how many seconds."""

    allowed: bool
    reason: str = ""  # "account" or "address"
    wait_seconds: int = 0


def _digest(kind: str, value: str) -> str:
    """A keyed digest of an account or address: countable, not readable."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def account_key(email: str) -> str:
    """The throttle's key of an e-mail address as typed (trimmed, lower case)."""
    return _digest("account", (email or "").strip().lower()[:254])


def address_key(address: str | None) -> str:
    """The throttle's key of a client address."""
    return _digest("address", address or "unknown")


def device_key(device: str) -> str:
    """The throttle's key of a known device (the nonce of its device cookie)."""
    return _digest("device", device)


def delay_after(failures: int) -> timedelta:
    """How long an account waits after its ``failures``-th failure (zero while they are free)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** (failures - FREE_FAILURES), MAX_DELAY)


def _state(column, key: str, now: datetime) -> tuple[int, datetime | None]:
    """(failures in the window, time of the last one) where ``column`` is ``key``: one indexed query."""
    count, last = db.session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.at))
        .where(column == key, LoginFailure.at >= now - ACCOUNT_WINDOW)).one()
    return count, last


def account_state(email: str, now: datetime | None = None) -> tuple[int, datetime | None]:
    """(failures in the window, time of the last one) for this account."""
    return _state(LoginFailure.account, account_key(email), now or utcnow())


def device_state(device: str, now: datetime | None = None) -> tuple[int, datetime | None]:
    """(failures in the window, time of the last one) from this known device."""
    return _state(LoginFailure.device, device_key(device), now or utcnow())


def address_failures(address: str | None, now: datetime | None = None) -> int:
    """Failed logins from this client address in its window."""
    now = now or utcnow()
    return db.session.scalar(
        select(func.count(LoginFailure.id))
        .where(LoginFailure.address == address_key(address), LoginFailure.at >= now - ADDRESS_WINDOW))


def check(email: str, address: str | None, device: str | None = None) -> Verdict:
    """May this attempt go ahead? Refused while the delay runs (the account's, or for a
    ``device`` known to this account, the device's own) or the address is over its limit."""
    now = utcnow()
    if address_failures(address, now) >= ADDRESS_MAX:
        return Verdict(False, "address", int(ADDRESS_WINDOW.total_seconds()))
    count, last = device_state(device, now) if device else account_state(email, now)
    if last is not None:
        until = last + delay_after(count)
        if until > now:
            return Verdict(False, "account", max(1, int((until - now).total_seconds() + 0.999)))
    return Verdict(True)


def record_failure(email: str, address: str | None, device: str | None = None,
                   at: datetime | None = None) -> None:
    """Count a failed login against the account, the address and a known device; drop rows
    older than a day. The caller commits."""
    now = utcnow()
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - KEEP))
    db.session.add(LoginFailure(account=account_key(email), address=address_key(address),
                                device=device_key(device) if device else None, at=at or now))


def clear(email: str) -> None:
    """Forget an account's failures after its owner signed in (the caller commits)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.account == account_key(email)))
