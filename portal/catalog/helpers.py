"""Template filters and globals shared by every page."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from portal.auth.permissions import can
from portal.core.vocabularies import LICENCES
from portal.privacy.report import privacy_summary


def filesize(num: int) -> str:
    """Human file size (1.2 kB, 3.4 MB)."""
    size = float(num)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{num} B"


def tanggal(value: datetime | None) -> str:
    """Date and time as shown on the portal (UTC)."""
    if value is None:
        return "-"
    return value.strftime("%d-%m-%Y %H:%M UTC")


def number(value) -> str:
    """Thousands with dots, as written in Indonesian."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return str(value)


def register(app: Flask) -> None:
    """Install the filters and globals on ``app``."""
    app.add_template_filter(filesize)
    app.add_template_filter(tanggal)
    app.add_template_filter(number)
    app.add_template_global(can)
    app.add_template_global(LICENCES, "LICENCES")
    app.add_template_global(privacy_summary)

    @app.context_processor
    def portal_globals():
        return {"portal_title": app.config["PORTAL_TITLE"]}
