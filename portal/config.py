"""The app's configuration, built from the declared settings (portal.core.settings).

Each declared setting takes its environment variable when set, else its default; the text
is parsed to the declared kind and checked against the declared bounds. A bad value stops
the app at startup with a SettingError that names the variable (and never shows a secret's
value).
"""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from portal.core.settings import SETTINGS, Setting, declared

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingError(ValueError):
    """A setting from the environment that cannot be used; the message names the variable."""


def _parse_bool(text: str) -> bool:
    """1/true/yes/on or 0/false/no/off (any case)."""
    word = text.strip().lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError("expected 1/0, true/false, yes/no or on/off")
    return word in TRUE_WORDS


def _parse_int(text: str) -> int:
    """A whole number (underscores allowed, as in 16_777_216)."""
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("expected a whole number") from None


def _parse_url(text: str) -> str:
    """An absolute http(s) address."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an absolute http:// or https:// address")
    return text.strip()


def _parse_text(text: str) -> str:
    """Text as given."""
    return text


# How each declared kind is read from the environment's text.
PARSERS = {"str": _parse_text, "path": _parse_text, "int": _parse_int, "bool": _parse_bool,
           "url": _parse_url}


def _check_bounds(setting: Setting, value: object) -> None:
    """Raise ValueError when ``value`` is outside the declared bounds or pattern."""
    if setting.minimum is not None and value < setting.minimum:
        raise ValueError(f"must be at least {setting.minimum}")
    if setting.maximum is not None and value > setting.maximum:
        raise ValueError(f"must be at most {setting.maximum}")
    if setting.pattern is not None and not re.fullmatch(setting.pattern, value):
        raise ValueError(f"must match {setting.pattern}")


def parse(setting: Setting, text: str) -> object:
    """The environment's ``text`` for ``setting`` as a checked value, else a SettingError."""
    try:
        value = PARSERS[setting.kind](text)
        _check_bounds(setting, value)
    except ValueError as exc:
        shown = "" if setting.secret else f" (got {text[:80]!r})"
        raise SettingError(f"{setting.env}: {exc}{shown}") from None
    return value


def _default(setting: Setting, instance: Path) -> object:
    """The declared default, with ``{instance}`` standing for the instance folder."""
    if isinstance(setting.default, str):
        return setting.default.replace("{instance}", str(instance))
    return setting.default


def instance_folder() -> str:
    """The instance folder: PORTAL_INSTANCE, else the declared default under the project."""
    setting = declared("PORTAL_INSTANCE")
    return os.environ.get(setting.env) or str(PROJECT_ROOT / setting.default)


def _secret_key(instance: Path) -> str:
    """A random key kept in the instance folder (made once), for when SECRET_KEY is not set."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


# Settings whose missing value is made rather than declared.
MADE_WHEN_MISSING = {"SECRET_KEY": _secret_key}


def value_of(setting: Setting, instance: Path) -> object:
    """One setting's value: the environment's (parsed and checked), else its default."""
    text = os.environ.get(setting.env, "") if setting.env else ""
    if text:  # an empty variable counts as unset
        return parse(setting, text)
    if setting.key in MADE_WHEN_MISSING:
        return MADE_WHEN_MISSING[setting.key](instance)
    return _default(setting, instance)


def load_config(instance_path: str) -> dict:
    """Return every declared setting for an app whose instance folder is ``instance_path``."""
    instance = Path(instance_path)
    config = {setting.key: value_of(setting, instance) for setting in SETTINGS}
    config["PORTAL_INSTANCE"] = str(instance)  # the folder in use (a test passes its own)
    return config
