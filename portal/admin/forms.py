"""Forms of the review workflow and of metadata editing."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class SubmitForm(FlaskForm):
    """A produsen sends a draft for approval with a change note."""

    note = TextAreaField("Catatan perubahan", validators=[DataRequired(), Length(max=2000)])


class ReviewForm(FlaskForm):
    """A walidata approves or rejects; a comment is kept."""

    comment = TextAreaField("Komentar", validators=[Length(max=2000)])


class WithdrawForm(FlaskForm):
    """A walidata withdraws a published version; the reason is public on its tombstone."""

    reason = TextAreaField("Alasan penarikan", validators=[DataRequired(), Length(max=2000)])


class MetadataForm(FlaskForm):
    """A produsen edits a dataset's catalog metadata (published as a PATCH version)."""

    title = StringField("Judul", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Deskripsi", validators=[Length(max=5000)])
    tags = StringField("Kata kunci (pisahkan dengan koma)", validators=[Length(max=500)])
    organization = SelectField("OPD penerbit", validators=[DataRequired()])
    licence_id = SelectField("Lisensi", validators=[DataRequired()])
    frequency = SelectField("Frekuensi pemutakhiran", validators=[DataRequired()])
