"""The admin blueprint: every admin URL needs a signed-in admin; the navigation's counts.

The route modules (views, registers, policy) add their routes to ``bp``; the package's
``__init__`` imports them, so nothing here imports a route module back.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portal.admin.labels import action_label, frequency_label, harvest_status_label, kind_label
from portal.auth.permissions import can
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Release
from portal.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_login():
    """Every admin URL needs a signed-in admin, and its view must name its action of the
    permission table (``@requires``); a view that names none is refused for everyone."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "permission", None) is None or not can(current_user, "view_admin"):
        abort(403)


@bp.context_processor
def admin_globals() -> dict:
    """Label helpers, and the counts shown in the admin navigation (waiting for review, drafts)."""
    counts = dict(db.session.execute(
        select(Release.status, func.count())
        .where(Release.status.in_((ReleaseStatus.SUBMITTED, ReleaseStatus.DRAFT)))
        .group_by(Release.status)).all())
    nav = {"submitted": counts.get(ReleaseStatus.SUBMITTED, 0), "draft": counts.get(ReleaseStatus.DRAFT, 0)}
    return {"action_label": action_label, "harvest_status_label": harvest_status_label,
            "kind_label": kind_label, "frequency_label": frequency_label, "nav_counts": nav}
