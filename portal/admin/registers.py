"""Admin pages of the registers: organisations (OPD, editable by a walidata) and topics."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.admin import organizations
from portal.admin.forms import OrganizationForm
from portal.admin.views import bp
from portal.auth.permissions import can
from portal.datasets.models import Dataset, Organization
from portal.datasets.vocabularies import TOPICS
from portal.extensions import db


@bp.get("/organizations")
def organization_list():
    """Every OPD with its number of datasets; a walidata may add and edit them."""
    return render_template("admin/organizations.html", rows=organizations.listing(),
                           may_manage=can(current_user, "manage_organizations"))


def _require_manager() -> None:
    if not can(current_user, "manage_organizations"):
        abort(403)


@bp.route("/organizations/new", methods=["GET", "POST"])
def organization_new():
    """Register a new OPD."""
    _require_manager()
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            org = organizations.create(current_user, form.name.data, form.title.data,
                                       form.description.data or "")
            db.session.commit()
            flash(_("OPD %(title)s ditambahkan.", title=org.title), "success")
            return redirect(url_for("admin.organization_list"))
        except organizations.OrganizationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return render_template("admin/organization_form.html", form=form, org=None)


@bp.route("/organizations/<name>/edit", methods=["GET", "POST"])
def organization_edit(name: str):
    """Change an OPD's name and description (its short name, cited by published files, stays)."""
    _require_manager()
    org = db.session.scalar(select(Organization).where(Organization.name == name)) or abort(404)
    form = OrganizationForm(obj=org)
    # The short name is fixed once created; the field shows it read-only and is not trusted.
    form.name.data = org.name
    if form.validate_on_submit():
        try:
            organizations.update(current_user, org, form.title.data, form.description.data or "")
            db.session.commit()
            flash(_("OPD %(title)s disimpan.", title=org.title), "success")
            return redirect(url_for("admin.organization_list"))
        except organizations.OrganizationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return render_template("admin/organization_form.html", form=form, org=org)


@bp.get("/topics")
def topic_list():
    """The topics datasets are filed under (a controlled vocabulary), with their counts."""
    counts = dict(db.session.execute(select(Dataset.topic, func.count()).group_by(Dataset.topic)).all())
    rows = [(topic, counts.get(name, 0)) for name, topic in TOPICS.items()]
    unknown = sorted(set(counts) - set(TOPICS))
    return render_template("admin/topics.html", rows=rows, unknown=unknown, counts=counts)
