"""Admin pages of the registers: organisations (OPD, editable by a walidata) and topics."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.admin import organizations, topics
from portal.admin.blueprint import bp
from portal.admin.forms import DeleteForm, OrganizationForm, TopicForm
from portal.auth.permissions import can, requires
from portal.datasets.models import Organization, Topic, TopicSet
from portal.extensions import db


def _save(change, message, errors: type[Exception], target: str):
    """Run a register change and commit it, then go to ``target``; a refused change is rolled
    back and its reason flashed (None: the caller shows the form again)."""
    try:
        done = change()
        db.session.commit()
    except errors as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return None
    flash(message(done), "success")
    return redirect(url_for(target))


@bp.get("/organizations")
@requires("view_registers")
def organization_list():
    """Every OPD with its number of datasets; a walidata may add and edit them."""
    return render_template("admin/organizations.html", rows=organizations.listing(),
                           may_manage=can(current_user, "manage_organizations"))


@bp.route("/organizations/new", methods=["GET", "POST"])
@requires("manage_organizations")
def organization_new():
    """Register a new OPD."""
    form = OrganizationForm()
    if form.validate_on_submit():
        done = _save(lambda: organizations.create(current_user, form.name.data, form.title.data,
                                                  form.description.data or "", form.email.data or ""),
                     lambda org: _("OPD %(title)s ditambahkan.", title=org.title),
                     organizations.OrganizationError, "admin.organization_list")
        if done:
            return done
    return render_template("admin/organization_form.html", form=form, org=None)


@bp.route("/organizations/<name>/edit", methods=["GET", "POST"])
@requires("manage_organizations")
def organization_edit(name: str):
    """Change an OPD's name and description (its short name, cited by published files, stays)."""
    org = db.session.scalar(select(Organization).where(Organization.name == name)) or abort(404)
    form = OrganizationForm(obj=org)
    # The short name is fixed once created; the field shows it read-only and is not trusted.
    form.name.data = org.name
    if form.validate_on_submit():
        done = _save(lambda: organizations.update(current_user, org, form.title.data,
                                                  form.description.data or "", form.email.data or ""),
                     lambda _done: _("OPD %(title)s disimpan.", title=org.title),
                     organizations.OrganizationError, "admin.organization_list")
        if done:
            return done
    return render_template("admin/organization_form.html", form=form, org=org)


@bp.get("/topics")
@requires("view_registers")
def topic_list():
    """The topics datasets are filed under, with their counts; a walidata may add, edit and delete them."""
    rows, unknown = topics.listing()
    return render_template("admin/topics.html", rows=rows, unknown=unknown, sets=topics.set_listing(),
                           may_manage=can(current_user, "manage_topics"))


@bp.post("/topics/sets/<name>")
@requires("manage_topics")
def topic_set_switch(name: str):
    """Switch a topic set (e.g. the five priority fields) on or off; its topics are kept."""
    found = db.session.get(TopicSet, name) or abort(404)
    if DeleteForm().validate_on_submit():
        wanted = request.form.get("active")
        if wanted not in ("0", "1"):
            abort(400)
        _save(lambda: topics.switch_set(current_user, found, wanted == "1"),
              lambda done: (_("Kelompok topik %(title)s dinyalakan.", title=done.title) if done.active
                            else _("Kelompok topik %(title)s dimatikan.", title=done.title)),
              topics.TopicError, "admin.topic_list")
    return redirect(url_for("admin.topic_list"))


def _topic_values(form: TopicForm) -> dict:
    return {k: getattr(form, k).data or "" for k in topics.FIELDS}


@bp.route("/topics/new", methods=["GET", "POST"])
@requires("manage_topics")
def topic_new():
    """Register a new topic (a slug datasets already use may be given as ?name=)."""
    form = TopicForm()
    if request.method == "GET" and request.args.get("name"):
        form.name.data = request.args["name"]
    if form.validate_on_submit():
        done = _save(lambda: topics.create(current_user, form.name.data, **_topic_values(form)),
                     lambda topic: _("Topik %(title)s ditambahkan.", title=topic.title),
                     topics.TopicError, "admin.topic_list")
        if done:
            return done
    return render_template("admin/topic_form.html", form=form, topic=None)


def _topic(name: str) -> Topic:
    return db.session.get(Topic, name) or abort(404)


@bp.route("/topics/<name>/edit", methods=["GET", "POST"])
@requires("manage_topics")
def topic_edit(name: str):
    """Change a topic's titles, descriptions and position (its slug, in every address, stays)."""
    topic = _topic(name)
    form = TopicForm(obj=topic)
    # The slug is fixed once created; the field shows it read-only and is not trusted.
    form.name.data = topic.name
    if form.validate_on_submit():
        done = _save(lambda: topics.update(current_user, topic, **_topic_values(form)),
                     lambda _done: _("Topik %(title)s disimpan.", title=topic.title),
                     topics.TopicError, "admin.topic_list")
        if done:
            return done
    return render_template("admin/topic_form.html", form=form, topic=topic)


@bp.post("/topics/<name>/delete")
@requires("manage_topics")
def topic_delete(name: str):
    """Remove a topic, refused while any dataset is filed under it."""
    topic = _topic(name)
    if DeleteForm().validate_on_submit():
        title = topic.title
        try:
            topics.delete(current_user, topic)
            db.session.commit()
            flash(_("Topik %(title)s dihapus.", title=title), "success")
        except topics.TopicError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("admin.topic_list"))
