"""Login and account forms (CSRF-protected by Flask-WTF)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length

from portal.auth.models import ROLE_LABELS
from portal.auth.services import MIN_PASSWORD

# WTForms has no Indonesian catalogue: the portal words its own validation messages.
REQUIRED = _l("Wajib diisi.")
TOO_LONG = _l("Paling banyak %(max)d karakter.")
TOO_SHORT = _l("Paling sedikit %(min)d karakter.")


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(REQUIRED)])


class UserForm(FlaskForm):
    """A new admin account, created by a walidata."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])
    name = StringField(_l("Nama"), validators=[Length(max=120, message=TOO_LONG)])
    # Lazy labels: each choice is shown in the language of the request that renders the form.
    role = SelectField(_l("Peran"), choices=[SelectChoice(v, label) for v, label in ROLE_LABELS.items()])
    password = PasswordField(_l("Kata sandi awal"), validators=[
        DataRequired(REQUIRED), Length(min=MIN_PASSWORD, message=TOO_SHORT)])
