"""Admin pages: review queue, release review, metadata, withdrawal, harvests, audit log."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.admin import audit_log
from portal.admin.blueprint import bp
from portal.admin.forms import MetadataForm, ReviewForm, SubmitForm, WithdrawForm
from portal.audit.log import to_csv
from portal.auth.permissions import NotAuthorized, refusal, requires
from portal.core.time import utcnow
from portal.core.vocabularies import LICENCES, Frequency, ReleaseStatus
from portal.datasets import services
from portal.datasets import withdrawal_requests as withdrawals
from portal.datasets.metadata import PRESENTATION_LEVELS
from portal.datasets.metadata import missing as metadata_missing
from portal.datasets.models import Dataset, Organization, Release
from portal.datasets.review import review
from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.privacy.scan import PersonalDataFound


@bp.get("/")
@requires("view_admin")
def index():
    """Overview: what waits for me, recent harvests."""
    counts = dict(db.session.execute(
        select(Release.status, func.count()).group_by(Release.status)).all())
    harvests = db.session.scalars(select(HarvestRun).order_by(HarvestRun.id.desc()).limit(5)).all()
    return render_template("admin/index.html", counts=counts, harvests=harvests, ReleaseStatus=ReleaseStatus)


@bp.get("/releases")
@requires("view_admin")
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
@requires("view_admin")
def release(release_id: int):
    """The review page: privacy report, diff, validation, preview, and the actions allowed."""
    item = _release_or_404(release_id)
    return render_template(
        "admin/release.html", release=item, review=review(item), meta=services.release_meta(item),
        submit_form=SubmitForm(), review_form=ReviewForm(), withdraw_form=WithdrawForm(),
        can_submit=services.can_submit(current_user, item),
        can_approve=services.can_approve(current_user, item),
        approve_refusal=_approve_refusal(item),
        can_withdraw=services.can_withdraw(current_user, item),
        can_edit=services.can_edit_metadata(current_user, item.dataset))


def _approve_refusal(item: Release) -> str | None:
    """Why this walidata may not review a submitted release (four eyes), for the review page."""
    if item.status != ReleaseStatus.SUBMITTED or refusal(current_user, "approve_release") is not None:
        return None
    return refusal(current_user, "approve_release", item)


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
@requires("submit_release")
def submit(release_id: int):
    """Submit a draft for approval."""
    form = SubmitForm()
    if not form.validate_on_submit():
        flash(_("Catatan perubahan wajib diisi."), "error")
        return redirect(url_for("admin.release", release_id=release_id))
    return _act(release_id, services.submit, form.note.data, _("Rilis diajukan ke walidata."))


@bp.post("/releases/<int:release_id>/approve")
@requires("approve_release")
def approve(release_id: int):
    """Approve and publish."""
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(release_id, services.approve, form.comment.data or "", _("Rilis disetujui dan diterbitkan."))


@bp.post("/releases/<int:release_id>/reject")
@requires("reject_release")
def reject(release_id: int):
    """Reject with a reason."""
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(release_id, services.reject, form.comment.data or "", _("Rilis ditolak."))


@bp.post("/releases/<int:release_id>/withdraw")
@requires("withdraw_release")
def withdraw(release_id: int):
    """Withdraw a published version at once (its files answer 410 Gone from now on)."""
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Alasan penarikan wajib diisi."), "error")
        return redirect(url_for("admin.release", release_id=release_id))
    return _act(release_id, services.withdraw, form.reason.data,
                _("Versi ditarik; berkasnya tidak lagi dilayani."))


@bp.get("/datasets")
@requires("view_admin")
def datasets():
    """Every dataset with its public version and any release in progress."""
    found = db.session.scalars(select(Dataset).order_by(Dataset.title)).all()
    rows = [(d, services.latest_published(d),
             next((r for r in reversed(d.releases) if r.status in services.OPEN_STATUSES), None))
            for d in found]
    return render_template("admin/datasets.html", rows=rows)


def _metadata_form(data: dict | None) -> MetadataForm:
    form = MetadataForm(data=data) if data is not None else MetadataForm()
    form.organization.choices = [(o.name, o.title) for o in
                                 db.session.scalars(select(Organization).order_by(Organization.title))]
    form.licence_id.choices = [(lic.id, lic.title) for lic in LICENCES.values()]
    form.frequency.choices = [(f.value, f.label) for f in Frequency]
    form.tingkat_penyajian.choices = [("", _("(belum dipilih)")),
                                      *((k, str(v)) for k, v in PRESENTATION_LEVELS.items())]
    return form


@bp.route("/releases/<int:release_id>/metadata", methods=["GET", "POST"])
@requires("edit_metadata")
def metadata(release_id: int):
    """Edit the metadata of a release's dataset: it becomes a draft (a PATCH version if only it changed)."""
    item = _release_or_404(release_id)
    dataset = item.dataset
    if not services.can_edit_metadata(current_user, dataset):  # another OPD's dataset
        abort(403)
    base = next((r for r in reversed(dataset.releases) if r.status in services.OPEN_STATUSES), None) \
        or services.latest_published(dataset) or item
    meta = services.release_meta(base)
    form = _metadata_form(None if request.method == "POST"
                          else {**meta, "tags": ", ".join(meta["tags"])})
    if form.validate_on_submit():
        try:
            draft = services.edit_metadata(dataset, current_user, {
                "title": form.title.data, "description": form.description.data or "",
                "tags": form.tags.data or "", "organization": form.organization.data,
                "licence_id": form.licence_id.data, "frequency": form.frequency.data,
                **{k: getattr(form, k).data or "" for k in MetadataForm.SDI_FIELDS if k in request.form}})
            db.session.commit()
            flash(_("Metadata disimpan sebagai draf rilis; ajukan ke walidata untuk diterbitkan."), "success")
            return redirect(url_for("admin.release", release_id=draft.id))
        except services.WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        except PersonalDataFound:
            db.session.rollback()
            flash(_("Metadata tidak disimpan: isinya memuat teks yang berbentuk data pribadi (NIK, nomor "
                    "telepon, alamat e-mail atau tanggal). Hapus teks itu dari judul, deskripsi atau "
                    "tag, lalu simpan lagi."), "error")
    return render_template("admin/metadata.html", form=form, dataset=dataset, release=item, base=base,
                           gaps=metadata_missing(meta, base.reference_date))


@bp.get("/harvests")
@requires("view_harvests")
def harvests():
    """Harvest runs and their reports (no personal values are ever stored)."""
    runs = db.session.scalars(select(HarvestRun).order_by(HarvestRun.id.desc())).all()
    return render_template("admin/harvests.html", runs=runs)


@bp.get("/harvests/<int:run_id>")
@requires("view_harvests")
def harvest(run_id: int):
    """One harvest report."""
    run = db.session.get(HarvestRun, run_id) or abort(404)
    return render_template("admin/harvest.html", run=run)


@bp.get("/audit")
@requires("view_audit")
def audit():
    """The append-only audit log, filtered (the walidata's record of processing activities)."""
    criteria = audit_log.AuditFilter.from_args(request.args)
    return render_template("admin/audit.html", events=audit_log.events(criteria), criteria=criteria,
                           actions=audit_log.actions(), kinds=audit_log.KIND_LABELS,
                           args=request.args.to_dict())


@bp.get("/audit.csv")
@requires("view_audit")
def audit_csv():
    """The filtered audit log as CSV."""
    criteria = audit_log.AuditFilter.from_args(request.args)
    body = to_csv(audit_log.events(criteria, limit=None))
    name = f"log-audit-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"})


# Withdrawal requests (CKAN package_delete of a public dataset): a walidata confirms or denies.
@bp.get("/penarikan")
@requires("decide_withdrawal")
def withdrawal_requests():
    """The produsen's requests to take a public dataset down, waiting for a walidata."""
    items = [(r, refusal(current_user, "decide_withdrawal", r)) for r in withdrawals.pending_requests()]
    return render_template("admin/withdrawal_requests.html", items=items, form=ReviewForm())


@bp.post("/penarikan/<int:request_id>/<any(konfirmasi, tolak):decision>")
@requires("decide_withdrawal")
def decide_withdrawal(request_id: int, decision: str):
    """Confirm (every public version withdrawn) or deny (a reason is required) one request."""
    item = db.session.get(withdrawals.WithdrawalRequest, request_id) or abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if decision == "konfirmasi":
            withdrawals.confirm(item, current_user, form.comment.data or "")
            flash(_("Dataset ditarik; berkasnya tidak lagi dilayani."), "success")
        else:
            withdrawals.deny(item, current_user, form.comment.data or "")
            flash(_("Permintaan penarikan ditolak; dataset tetap terbit."), "success")
        db.session.commit()
    except NotAuthorized:
        db.session.rollback()
        abort(403)
    except (services.WorkflowError, PersonalDataFound) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, services.WorkflowError)
              else _("Komentar memuat teks yang berbentuk data pribadi; hapus teks itu."), "error")
    return redirect(url_for("admin.withdrawal_requests"))
