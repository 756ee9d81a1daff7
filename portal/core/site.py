"""The site's identity as every face states it: address, district, walidata.

The district's name is resolved once, when the app is built (portal.create_app reads the
bundled region list), and kept in ``app.extensions["site"]``; this module only reads the
app, so that every layer may use it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app


@dataclass(frozen=True)
class Site:
    """What the portal says about itself: its district's code and name."""

    district_code: str
    district_name: str


def install(app: Flask, district_name: str) -> None:
    """Keep the resolved district name on ``app`` (called by the app factory)."""
    app.extensions["site"] = Site(app.config["DISTRICT_CODE"], district_name)


def base_url() -> str:
    """The portal's public address, without a trailing slash (stable URIs, like site_url)."""
    return current_app.config["PORTAL_URL"].rstrip("/")


def district_code() -> str:
    """The Kemendagri code of the kabupaten the portal serves (dotted, e.g. 51.02)."""
    return current_app.config["DISTRICT_CODE"]


def district_name() -> str:
    """The configured district's name, e.g. 'Kabupaten Tabanan'."""
    site = current_app.extensions.get("site")
    name = site.district_name if site and site.district_code == district_code() else district_code()
    return name if name.lower().startswith(("kab", "kota")) else f"Kabupaten {name.title()}"


def walidata_title() -> str:
    """The walidata as an institution; people's names never leave the admin pages."""
    return current_app.config["WALIDATA_TITLE"] or f"Walidata {district_name()}"
