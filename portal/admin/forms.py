"""Forms of the review workflow."""
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class SubmitForm(FlaskForm):
    """A produsen sends a draft for approval with a change note."""

    note = TextAreaField("Catatan perubahan", validators=[DataRequired(), Length(max=2000)])


class ReviewForm(FlaskForm):
    """A walidata approves or rejects; a comment is kept."""

    comment = TextAreaField("Komentar", validators=[Length(max=2000)])
