"""Forms of the review workflow, metadata editing and the organisation and topic registers."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from portal.auth.forms import REQUIRED, TOO_LONG

SLUG = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
              message=_l("Hanya huruf kecil, angka dan tanda hubung (contoh: dinas-kesehatan)."))


class SubmitForm(FlaskForm):
    """A produsen sends a draft for approval with a change note."""

    note = TextAreaField(_l("Catatan perubahan"), validators=[
        DataRequired(REQUIRED), Length(max=2000, message=TOO_LONG)])


class ReviewForm(FlaskForm):
    """A walidata approves or rejects; a comment is kept."""

    comment = TextAreaField(_l("Komentar"), validators=[Length(max=2000, message=TOO_LONG)])


class WithdrawForm(FlaskForm):
    """A walidata withdraws a published version; the reason is public on its tombstone."""

    reason = TextAreaField(_l("Alasan penarikan"), validators=[
        DataRequired(REQUIRED), Length(max=2000, message=TOO_LONG)])


class MetadataForm(FlaskForm):
    """A produsen edits a dataset's catalog metadata (published as a PATCH version)."""

    title = StringField(_l("Judul"), validators=[
        DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    description = TextAreaField(_l("Deskripsi"), validators=[Length(max=5000, message=TOO_LONG)])
    tags = StringField(_l("Kata kunci (pisahkan dengan koma)"), validators=[Length(max=500, message=TOO_LONG)])
    organization = SelectField(_l("OPD penerbit"), validators=[DataRequired(REQUIRED)])
    licence_id = SelectField(_l("Lisensi"), validators=[DataRequired(REQUIRED)])
    frequency = SelectField(_l("Frekuensi pemutakhiran"), validators=[DataRequired(REQUIRED)])
    # Satu Data Indonesia (portal.datasets.metadata): a draft may be saved without them, but a
    # walidata cannot approve it until each is filled in.
    konsep = StringField(_l("Konsep"), validators=[Length(max=200, message=TOO_LONG)])
    definisi = TextAreaField(_l("Definisi"), validators=[Length(max=2000, message=TOO_LONG)])
    klasifikasi = TextAreaField(_l("Klasifikasi"), validators=[Length(max=500, message=TOO_LONG)])
    ukuran = StringField(_l("Ukuran"), validators=[Length(max=100, message=TOO_LONG)])
    satuan = StringField(_l("Satuan"), validators=[Length(max=100, message=TOO_LONG)])
    # Checked by datasets.metadata (with the message a produsen reads), so that a form
    # posted without it (an older page) still saves the rest.
    tingkat_penyajian = SelectField(_l("Tingkat penyajian"), validate_choice=False)
    cakupan_wilayah = StringField(_l("Cakupan wilayah"), validators=[Length(max=200, message=TOO_LONG)])
    periode_data = StringField(_l("Periode/tahun data (kosong: tanggal referensi rilis)"),
                               validators=[Length(max=100, message=TOO_LONG)])
    sumber_data = TextAreaField(_l("Sumber data"), validators=[Length(max=500, message=TOO_LONG)])
    kode_referensi = StringField(_l("Kode referensi"), validators=[Length(max=200, message=TOO_LONG)])

    SDI_FIELDS = ("konsep", "definisi", "klasifikasi", "ukuran", "satuan", "tingkat_penyajian",
                  "cakupan_wilayah", "periode_data", "sumber_data", "kode_referensi")


class OrganizationForm(FlaskForm):
    """A walidata registers or edits an OPD (regional agency) that publishes datasets."""

    name = StringField(_l("Nama singkat (alamat)"), validators=[
        DataRequired(REQUIRED), Length(max=100, message=TOO_LONG), SLUG])
    title = StringField(_l("Nama OPD"), validators=[
        DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    description = TextAreaField(_l("Deskripsi"), validators=[Length(max=5000, message=TOO_LONG)])
    email = StringField(_l("Email peran OPD (kontak)"), validators=[Length(max=200, message=TOO_LONG)])


class TopicForm(FlaskForm):
    """A walidata registers or edits a topic (CKAN group) datasets are filed under."""

    name = StringField(_l("Nama singkat (alamat)"), validators=[
        DataRequired(REQUIRED), Length(max=60, message=TOO_LONG), SLUG])
    title = StringField(_l("Nama topik"), validators=[
        DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    title_en = StringField(_l("Nama topik dalam bahasa Inggris"), validators=[Length(max=200, message=TOO_LONG)])
    description = TextAreaField(_l("Deskripsi"), validators=[Length(max=5000, message=TOO_LONG)])
    description_en = TextAreaField(_l("Deskripsi dalam bahasa Inggris"), validators=[
        Length(max=5000, message=TOO_LONG)])
    # Text, not IntegerField: its "Not a valid integer" message has no Indonesian.
    position = StringField(_l("Urutan"), default="0", validators=[
        Regexp(r"^\s*\d{0,6}\s*$", message=_l("Urutan harus bilangan bulat 0 sampai 100000."))])


class DeleteForm(FlaskForm):
    """Only the CSRF token: a delete button's form."""
