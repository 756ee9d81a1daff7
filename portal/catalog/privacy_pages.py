"""Public pages that explain the privacy layer: the method, and a release's public note.

They show rules and method only; which cells were hidden and why stays on the walidata's
review page (``templates/privacy/_report.html``).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from portal.datasets import queries
from portal.privacy.policy import policy_document
from portal.privacy.report import public_summary

bp = Blueprint("privacy", __name__)


@bp.get("/privasi")
def method():
    """How the portal protects personal data: the rules every release must pass."""
    return render_template("privacy/method.html", policy=policy_document(),
                           k_general=current_app.config["PRIVACY_K_GENERAL"],
                           k_specific=current_app.config["PRIVACY_K_SPECIFIC"])


@bp.get("/dataset/<name>/version/<version>/privasi")
def release_note(name: str, version: str):
    """The short public privacy note of one published version (never the hidden values)."""
    release = queries.public_release(name, version)
    if release is None:
        abort(404)
    return render_template("privacy/release_note.html", release=release,
                           privacy_public=public_summary(release.privacy_report or {}))
