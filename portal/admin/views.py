"""Admin pages: review queue, release review, harvests, users."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portal.admin.forms import ReviewForm, SubmitForm
from portal.auth.forms import UserForm
from portal.auth.models import User
from portal.auth.permissions import NotAuthorized, can
from portal.auth.services import AccountError, create_user
from portal.datasets import queries, services
from portal.datasets.models import AuditEvent, Release
from portal.datasets.vocabularies import ReleaseStatus
from portal.extensions import db
from portal.harvest.models import HarvestRun

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_login():
    """Every admin URL needs a signed-in admin."""
    if not can(current_user, "view_admin"):
        abort(403)


@bp.get("/")
def index():
    """Overview: what waits for me, recent harvests."""
    counts = dict(db.session.execute(
        select(Release.status, func.count()).group_by(Release.status)).all())
    harvests = db.session.scalars(select(HarvestRun).order_by(HarvestRun.id.desc()).limit(5)).all()
    return render_template("admin/index.html", counts=counts, harvests=harvests, ReleaseStatus=ReleaseStatus)


@bp.get("/releases")
def releases():
    """The review queue and every release."""
    status = request.args.get("status", "")
    query = select(Release).order_by(Release.id.desc())
    if status in {s.value for s in ReleaseStatus}:
        query = query.where(Release.status == ReleaseStatus(status))
    return render_template("admin/releases.html", releases=db.session.scalars(query).all(),
                           status=status, ReleaseStatus=ReleaseStatus)


def _release_or_404(release_id: int) -> Release:
    release = db.session.get(Release, release_id)
    if release is None:
        abort(404)
    return release


@bp.get("/releases/<int:release_id>")
def release(release_id: int):
    """The review page: privacy report, validation, preview, and the actions allowed."""
    item = _release_or_404(release_id)
    table = queries.draft_table(item)
    return render_template(
        "admin/release.html", release=item, submit_form=SubmitForm(), review_form=ReviewForm(),
        columns=list(table.columns) if table is not None else [],
        rows=table.head(50).values.tolist() if table is not None else [],
        can_submit=services.can_submit(current_user, item),
        can_approve=services.can_approve(current_user, item))


def _act(release_id: int, action, text: str, done: str):
    item = _release_or_404(release_id)
    try:
        action(item, current_user, text)
        db.session.commit()
        flash(done, "success")
    except NotAuthorized:
        db.session.rollback()
        abort(403)
    except services.WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("admin.release", release_id=release_id))


@bp.post("/releases/<int:release_id>/submit")
def submit(release_id: int):
    """Submit a draft for approval."""
    form = SubmitForm()
    if not form.validate_on_submit():
        flash("Catatan perubahan wajib diisi.", "error")
        return redirect(url_for("admin.release", release_id=release_id))
    return _act(release_id, services.submit, form.note.data, "Rilis diajukan ke walidata.")


@bp.post("/releases/<int:release_id>/approve")
def approve(release_id: int):
    """Approve and publish."""
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(release_id, services.approve, form.comment.data or "", "Rilis disetujui dan diterbitkan.")


@bp.post("/releases/<int:release_id>/reject")
def reject(release_id: int):
    """Reject with a reason."""
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(release_id, services.reject, form.comment.data or "", "Rilis ditolak.")


@bp.get("/harvests")
def harvests():
    """Harvest runs and their reports (no personal values are ever stored)."""
    runs = db.session.scalars(select(HarvestRun).order_by(HarvestRun.id.desc())).all()
    return render_template("admin/harvests.html", runs=runs)


@bp.get("/harvests/<int:run_id>")
def harvest(run_id: int):
    """One harvest report."""
    run = db.session.get(HarvestRun, run_id) or abort(404)
    return render_template("admin/harvest.html", run=run)


@bp.get("/audit")
def audit():
    """The append-only audit log."""
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(500)).all()
    return render_template("admin/audit.html", events=events)


@bp.route("/users", methods=["GET", "POST"])
def users():
    """Accounts; only a walidata may see and add them."""
    if not can(current_user, "manage_users"):
        abort(403)
    form = UserForm()
    if form.validate_on_submit():
        try:
            create_user(form.email.data, form.password.data, form.role.data, form.name.data or "")
            db.session.commit()
            flash("Pengguna dibuat.", "success")
            return redirect(url_for("admin.users"))
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", form=form, accounts=accounts)
