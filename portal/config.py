"""Configuration defaults, overridable from the environment."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int) -> int:
    """Read an integer setting from the environment."""
    value = os.environ.get(name)
    return int(value) if value else default


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one kept in the instance folder (made once)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(instance_path: str) -> dict:
    """Return the settings for an app whose instance folder is ``instance_path``."""
    instance = Path(instance_path)
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'portal.sqlite3'}"
        ),
        "STORAGE_DIR": os.environ.get("STORAGE_DIR", str(instance / "storage")),
        # The district the portal serves; Tabanan is the demo default.
        "PORTAL_URL": os.environ.get("PORTAL_URL", "http://127.0.0.1:8000"),
        "DISTRICT_CODE": os.environ.get("DISTRICT_CODE", "51.02"),
        "PORTAL_TITLE": os.environ.get("PORTAL_TITLE", "Portal Satu Data Kabupaten Tabanan"),
        # k for the threshold rule: no published count in 1..k-1 (UU PDP, privacy layer).
        "PRIVACY_K_GENERAL": max(3, _env_int("PRIVACY_K_GENERAL", 5)),
        "PRIVACY_K_SPECIFIC": max(3, _env_int("PRIVACY_K_SPECIFIC", 10)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024),
    }
