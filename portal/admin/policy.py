"""The privacy policy in force, for produsen and walidata."""
from __future__ import annotations

from flask import current_app, render_template

from portal.admin.blueprint import bp
from portal.auth.permissions import requires
from portal.privacy.policy import policy_document


@bp.get("/kebijakan-privasi")
@requires("view_privacy_policy")
def privacy_policy():
    """The declarative privacy policy in force, for produsen and walidata."""
    return render_template("privacy/policy.html", policy=policy_document(),
                           k_general=current_app.config["PRIVACY_K_GENERAL"],
                           k_specific=current_app.config["PRIVACY_K_SPECIFIC"])
