"""The web door of the uploads: "Unggah tabel" (choose the dataset, upload), then the mapping page.

Step one receives the file, refuses what can never be published (an unreadable or macro
workbook, a personal column, rows that are people) without keeping anything, and stages the
rest (staging.py). Step two shows the inferred Table Schema per column (role, what a measure
counts, the MS-Var fields), the problems the privacy layer and the region list find (row and
column, never a value) and the workbook's sheets; the produsen corrects and checks again, then
saves: ``upload_to_draft``, the CLI's service, makes the draft release that goes to review.
Every view names its action of the permission table; a produsen uploads only for its OPDs.
"""
from __future__ import annotations

import io
import json
from pathlib import PurePosixPath
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from portal.auth.permissions import NotAuthorized, refusal, requires
from portal.core.vocabularies import PrivacyClass, ReleaseStatus
from portal.datasets.files import draft_bytes, published_bytes
from portal.datasets.models import Dataset, Organization, Release
from portal.datasets.packaging import table_schema_of
from portal.extensions import db
from portal.sources.wilayah import load_district
from portal.uploads import persons, staging
from portal.uploads.errors import UploadError
from portal.uploads.read import MAX_UPLOAD_BYTES, read_upload
from portal.uploads.roles import MEASURES, MSVAR, ROLES, apply_schema, describe, infer
from portal.uploads.service import DATASET_NAME, upload_to_draft
from portal.uploads.table import prepare

bp = Blueprint("uploads", __name__, url_prefix="/admin/unggah")

ACTION = "upload_table"
NEW = ""  # the dataset choice that makes a new dataset
OPEN = (ReleaseStatus.DRAFT, ReleaseStatus.SUBMITTED, ReleaseStatus.REJECTED)  # releases with draft files
ROLE_LABELS = {"kode_wilayah": _l("Kode wilayah"), "nama_wilayah": _l("Nama wilayah"), "periode": _l("Periode"),
               "dimensi": _l("Dimensi (kategori)"), "ukuran": _l("Ukuran (angka)"), "catatan": _l("Catatan")}
MEASURE_LABELS = {"orang": _l("jumlah orang (ambang privasi berlaku)"),
                  "keluarga": _l("jumlah keluarga (ambang privasi berlaku)"),
                  "besaran": _l("besaran yang tidak mengenali siapa pun (rupiah, hektar, jumlah sekolah)")}
MSVAR_LABELS = {"konsep": _l("Konsep"), "definisi": _l("Definisi"), "klasifikasi": _l("Klasifikasi"),
                "ukuran": _l("Ukuran"), "satuan": _l("Satuan"), "tipe_data": _l("Tipe data"),
                "aturan_validasi": _l("Aturan validasi")}
MAX_TEXT = 2000  # one MS-Var text of a column, as roles.apply_schema keeps it


class UploadForm(FlaskForm):
    """Step one: the dataset (an existing one of the user's OPDs, or a new one) and the file."""

    dataset = SelectField(_l("Dataset"), validate_choice=False)
    name = StringField(_l("Nama singkat dataset baru (alamat)"), validators=[
        Optional(), Length(max=100), Regexp(DATASET_NAME.pattern + "$", message=_l(
            "Hanya huruf kecil, angka, '-' dan '_' (2-100 karakter)."))])
    title = StringField(_l("Judul dataset baru"), validators=[Optional(), Length(max=200)])
    organization = SelectField(_l("OPD produsen data"), validate_choice=False)
    file = FileField(_l("Berkas (CSV, XLSX, atau zip paket data)"), validators=[
        FileRequired(_l("Pilih berkas yang diunggah."))])
    sheet = StringField(_l("Lembar XLSX (kosong: lembar pertama yang tampak)"), validators=[
        Optional(), Length(max=100)])


class MappingForm(FlaskForm):
    """Step two: what the whole table is; the per-column fields are read from the request."""

    title = StringField(_l("Judul dataset"), validators=[Length(max=200)])
    description = TextAreaField(_l("Deskripsi"), validators=[Length(max=5000)])
    privacy_class = SelectField(_l("Kelas data menurut UU PDP"), choices=[
        (PrivacyClass.GENERAL.value, _l("umum")), (PrivacyClass.SPECIFIC.value, _l("spesifik"))])
    reference_date = StringField(_l("Tanggal referensi data (2025-12-31)"), validators=[
        Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}$", message=_l("Tanggal ISO, misalnya 2025-12-31."))])
    rows_are_not_people = BooleanField(_l("Baris-baris tabel ini adalah tempat atau lembaga, bukan orang"))
    sheet = SelectField(_l("Lembar XLSX"), validate_choice=False)


@bp.before_request
@login_required
def require_login():
    """Every upload URL needs a signed-in user, and its view must name its action of the table."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "permission", None) is None:
        abort(403)


@bp.context_processor
def upload_globals() -> dict:
    """The admin navigation's counts (the pages include it), and the labels of the mapping."""
    counts = dict(db.session.execute(
        select(Release.status, func.count())
        .where(Release.status.in_((ReleaseStatus.SUBMITTED, ReleaseStatus.DRAFT)))
        .group_by(Release.status)).all())
    return {"nav_counts": {"submitted": counts.get(ReleaseStatus.SUBMITTED, 0),
                           "draft": counts.get(ReleaseStatus.DRAFT, 0)},
            "role_labels": ROLE_LABELS, "measure_labels": MEASURE_LABELS, "msvar_labels": MSVAR_LABELS}


def _for_opd(org: Organization) -> SimpleNamespace:
    """A new dataset of ``org``, as the permission table's rule reads a target."""
    return SimpleNamespace(organization_id=org.id, organization=org)


def _organizations() -> list[Organization]:
    """The OPDs the signed-in user may upload for (the permission table decides)."""
    found = db.session.scalars(select(Organization).order_by(Organization.title)).all()
    return [o for o in found if refusal(current_user, ACTION, _for_opd(o)) is None]


def _uploaded(organizations: list[Organization]) -> list[Dataset]:
    """The datasets of those OPDs that uploads fill (never a harvested one)."""
    if not organizations:
        return []
    return db.session.scalars(
        select(Dataset).where(Dataset.organization_id.in_([o.id for o in organizations]),
                              ~Dataset.releases.any(Release.harvest_id.is_not(None)))
        .order_by(Dataset.title)).all()


def _upload_form(organizations: list[Organization]) -> UploadForm:
    """Step one's form, offering only the datasets and OPDs the user may upload for."""
    form = UploadForm()
    form.dataset.choices = [(NEW, _("— dataset baru —"))] + [
        (d.name, f"{d.title} ({d.organization.title})") for d in _uploaded(organizations)]
    form.organization.choices = [(o.name, o.title) for o in organizations]
    return form


def _choose_target(form: UploadForm) -> tuple[str, Organization, Dataset | None]:
    """The dataset name, its OPD and the dataset itself (None: new); 403 if the table refuses."""
    name = (form.dataset.data or "").strip() or (form.name.data or "").strip()
    if not DATASET_NAME.fullmatch(name):
        raise UploadError(_("Pilih dataset, atau isi nama singkat dataset baru (huruf kecil, angka, '-' "
                            "dan '_', 2-100 karakter)."))
    existing = db.session.scalar(select(Dataset).where(Dataset.name == name))
    if existing is not None:
        org = existing.organization
    else:
        org = db.session.scalar(select(Organization).where(Organization.name == (form.organization.data or "")))
        if org is None:
            raise UploadError(_("Pilih OPD produsen data dataset baru."))
    if refusal(current_user, ACTION, existing or _for_opd(org)) is not None:
        abort(403)
    if existing is not None and any(r.harvest_id is not None for r in existing.releases):
        raise UploadError(_("Dataset %(name)s diisi panen OpenSID; unggahan tidak dapat menggantinya.",
                            name=name))
    return name, org, existing


def _received(form: UploadForm) -> tuple[bytes, str]:
    """The uploaded bytes (bounded while read) and the file's own name (no folders)."""
    storage = form.file.data
    content = storage.read(MAX_UPLOAD_BYTES + 1)
    filename = PurePosixPath((storage.filename or "").replace("\\", "/")).name[:150] or "unggahan"
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError(_("%(file)s: berkas lebih dari %(mb)s MB", file=filename, mb=MAX_UPLOAD_BYTES // 1024**2))
    return content, filename


def _sheets(content: bytes, filename: str) -> list[str]:
    """The visible sheets of an XLSX workbook (the file was read once already), else none."""
    if not filename.lower().endswith((".xlsx", ".xlsm")):
        return []
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    try:
        return [ws.title for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    finally:
        book.close()


def preview(content: bytes, filename: str, schema: dict | None, sheet: str | None) -> dict:
    """What the mapping page shows: the schema, the problems left, the regions matched.

    UploadError when the file itself must be refused (unreadable, macros, a personal column,
    rows that are people): then nothing of it is kept. A problem the produsen can fix on the
    mapping page (a role, an unmatched desa name, a duplicate key, the list declaration) is
    returned in ``problems``, with file, row and column, never a value.
    """
    upload = read_upload(content, filename, sheet)
    columns = infer(upload)
    problems: list[str] = []
    if schema and schema.get("fields"):
        try:
            columns = apply_schema(columns, schema, upload.where)
        except UploadError as exc:
            problems.append(str(exc))
            columns = infer(upload)
    persons.check_columns(upload.frame, columns, upload.where, upload.names)
    persons.check_rows(upload.frame, columns, upload.where, True)  # rows that are people: refused
    fields = describe(columns)["fields"]
    regions = None
    if not problems:
        try:
            persons.check_rows(upload.frame, columns, upload.where, bool((schema or {}).get("rows_are_not_people")))
            prepared = prepare(upload, columns, load_district(current_app.config["DISTRICT_CODE"]))
            regions = {"rows": len(prepared.frame), "areas": int(prepared.frame[prepared.code].nunique()),
                       "level": prepared.level}
        except UploadError as exc:
            problems.append(str(exc))
    return {"fields": fields, "problems": problems, "regions": regions, "dropped": upload.dropped,
            "where": upload.where, "rows": len(upload.frame), "sheets": _sheets(content, filename)}


def previous_schema(dataset: Dataset | None, columns: list[str]) -> dict:
    """A new version starts from the mapping of the dataset's newest release: role, measure,
    title and MS-Var of each column the new file still has (its UU PDP class too)."""
    if dataset is None:
        return {}
    usable = (ReleaseStatus.PUBLISHED, *OPEN)
    release = next((r for r in reversed(dataset.releases) if r.status in usable), None)
    if release is None:
        return {}
    raw = published_bytes(release, "datapackage.json") if release.is_public else \
        draft_bytes(release, "datapackage.json")
    try:
        fields = table_schema_of(json.loads(raw or b"{}")).get("fields", [])
    except (KeyError, IndexError, TypeError, ValueError):
        return {}
    carried = []
    for field in fields:
        satudata = field.get("satudata") or {}
        if field.get("name") not in columns or satudata.get("peran") not in ROLES:
            continue
        item = {"name": field["name"], "role": satudata["peran"], "title": str(field.get("title", ""))[:200],
                **{k: str(satudata[k])[:MAX_TEXT] for k in MSVAR if k in satudata},
                "definisi": str(field.get("description", ""))[:MAX_TEXT]}
        if satudata["peran"] == "ukuran" and satudata.get("jenis_ukuran") in MEASURES:
            item["measure"] = satudata["jenis_ukuran"]
        parts = [str(n) for n in satudata.get("jumlah_dari") or []]
        if parts and set(parts) <= set(columns):
            item["total_of"] = parts
        carried.append(item)
    return {"privacy_class": dataset.privacy_class.value, "fields": carried} if carried else {}


@bp.route("", methods=["GET", "POST"])
@requires(ACTION)
def start():
    """Step one: choose or create the dataset, choose the file; a refused file is not kept."""
    organizations = _organizations()
    form = _upload_form(organizations)
    error = None
    if form.validate_on_submit():
        try:
            name, org, existing = _choose_target(form)
            content, filename = _received(form)
            sheet = (form.sheet.data or "").strip() or None
            shown = preview(content, filename, None, sheet)
            schema = previous_schema(existing, [f["name"] for f in shown["fields"]])
            if schema:
                try:
                    preview(content, filename, schema, sheet)
                except UploadError:
                    schema = {}  # the old mapping does not fit this file: start from the guess
            title = (form.title.data or "").strip() or (existing.title if existing else "")
            upload_id = staging.stage(content, {"filename": filename, "dataset": name, "organization": org.name,
                                                "title": title, "sheet": sheet, "schema": schema})
            return redirect(url_for("uploads.mapping", upload_id=upload_id))
        except UploadError as exc:
            error = str(exc)
    return render_template("uploads/start.html", form=form, error=error, organizations=organizations,
                           limit_mb=min(MAX_UPLOAD_BYTES, current_app.config["MAX_CONTENT_LENGTH"]) // 1024**2)


def _bounded(value: str | None, limit: int = MAX_TEXT) -> str:
    """A form text, stripped and cut to ``limit`` characters."""
    return (value or "").strip()[:limit]


def corrected_schema(form: MappingForm, fields: list[dict], previous: dict) -> dict:
    """The schema the mapping form says: dataset fields and, per column, role, measure, MS-Var."""
    data = request.form
    out = []
    for i, field in enumerate(fields):
        role = data.get(f"c{i}-role", field["role"])
        item = {"name": field["name"], "role": role if role in ROLES else field["role"],
                "title": _bounded(data.get(f"c{i}-title"), 200) or field["title"]}
        if item["role"] == "ukuran":
            measure = data.get(f"c{i}-measure", field.get("measure") or "orang")
            item["measure"] = measure if measure in MEASURES else "orang"
        item.update({k: _bounded(data.get(f"c{i}-{k}", field.get(k, ""))) for k in MSVAR})
        out.append(item)
    counted = {f["name"] for f in out if f["role"] == "ukuran" and f.get("measure") in ("orang", "keluarga")}
    for item, field in zip(out, fields):
        parts = field.get("total_of") or []
        if parts and item["name"] in counted and set(parts) <= counted:
            item["total_of"] = parts
    return {**{k: v for k, v in previous.items() if k != "fields"},
            "title": _bounded(form.title.data, 200), "description": _bounded(form.description.data, 5000),
            "privacy_class": form.privacy_class.data, "rows_are_not_people": bool(form.rows_are_not_people.data),
            **({"reference_date": form.reference_date.data} if form.reference_date.data else {}),
            "fields": out}


def _staged_or_404(upload_id: str):
    """The staged upload and its target dataset (None: new); 404 unknown, 403 another OPD's."""
    staged = staging.load(upload_id)
    if staged is None:
        abort(404)
    org = db.session.scalar(select(Organization).where(Organization.name == staged.meta.get("organization")))
    if org is None:
        abort(404)
    existing = db.session.scalar(select(Dataset).where(Dataset.name == staged.meta.get("dataset")))
    if refusal(current_user, ACTION, existing or _for_opd(org)) is not None:
        abort(403)
    return staged, org, existing


@bp.route("/<upload_id>", methods=["GET", "POST"])
@requires(ACTION)
def mapping(upload_id: str):
    """Step two: confirm or correct the schema, check again, save the draft release."""
    staged, org, existing = _staged_or_404(upload_id)
    meta, schema = staged.meta, dict(staged.meta.get("schema") or {})
    title = schema.get("title") or meta.get("title") or (existing.title if existing else "")
    form = MappingForm(data={"title": title, "description": schema.get("description", ""),
                             "privacy_class": schema.get("privacy_class") or (
                                 existing.privacy_class.value if existing else PrivacyClass.GENERAL.value),
                             "reference_date": schema.get("reference_date", ""),
                             "rows_are_not_people": schema.get("rows_are_not_people", False),
                             "sheet": meta.get("sheet") or ""})
    error = None
    try:
        shown = preview(staged.content, meta["filename"], schema, meta.get("sheet"))
    except UploadError as exc:
        return _refused(upload_id, str(exc))
    form.sheet.choices = [(s, s) for s in shown["sheets"]]
    if request.method == "POST":
        if not form.validate_on_submit():
            if form.csrf_token.errors:
                abort(400)
            error = _("Periksa isian yang ditandai.")
        else:
            action = request.form.get("action", "periksa")
            sheet = form.sheet.data if form.sheet.data in shown["sheets"] else meta.get("sheet")
            if action == "lembar" and sheet != meta.get("sheet"):
                meta["sheet"], schema = sheet, {}  # another sheet: another table, inferred afresh
            else:
                schema = corrected_schema(form, shown["fields"], schema)
            meta["schema"] = schema
            staging.save_meta(upload_id, meta)
            if action == "simpan":
                done = _save(upload_id, staged.content, meta, schema)
                if isinstance(done, str):
                    error = done
                else:
                    return done
            try:
                shown = preview(staged.content, meta["filename"], schema, meta.get("sheet"))
            except UploadError as exc:
                return _refused(upload_id, str(exc))
            form.sheet.choices = [(s, s) for s in shown["sheets"]]
    return render_template("uploads/mapping.html", form=form, shown=shown, meta=meta, org=org,
                           existing=existing, error=error, upload_id=upload_id, roles=ROLES, measures=MEASURES,
                           msvar=MSVAR, keep_hours=staging.STAGED_SECONDS // 3600)


def _save(upload_id: str, content: bytes, meta: dict, schema: dict):
    """The draft release (a redirect to its review page), or the refusal's text."""
    try:
        result = upload_to_draft(content, meta["filename"], meta["dataset"], meta["organization"], current_user,
                                 schema, meta.get("sheet"))
    except NotAuthorized:
        abort(403)
    except UploadError as exc:
        return str(exc)
    staging.discard(upload_id)
    release = result.release
    flash(_("Draf rilis #%(id)s dataset %(name)s versi %(version)s dibuat; periksa laporan privasinya lalu "
            "ajukan ke walidata.", id=release.id, name=release.dataset.name, version=release.version), "success")
    return redirect(url_for("admin.release", release_id=release.id))


def _refused(upload_id: str, reason: str):
    """The file turned out to hold what can never be published: forget it, say why."""
    staging.discard(upload_id)
    organizations = _organizations()
    return render_template("uploads/start.html", form=_upload_form(organizations), error=reason,
                           organizations=organizations,
                           limit_mb=min(MAX_UPLOAD_BYTES, current_app.config["MAX_CONTENT_LENGTH"]) // 1024**2)
