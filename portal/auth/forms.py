"""Login and account forms (CSRF-protected by Flask-WTF)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.models import ROLE_LABELS
from portal.auth.passwords import MIN_PASSWORD

# WTForms has no Indonesian catalogue: the portal words its own validation messages.
REQUIRED = _l("Wajib diisi.")
TOO_LONG = _l("Paling banyak %(max)d karakter.")
TOO_SHORT = _l("Paling sedikit %(min)d karakter.")


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(REQUIRED)])


def _role_choices() -> list[SelectChoice]:
    # Lazy labels: each choice is shown in the language of the request that renders the form.
    return [SelectChoice(v, label) for v, label in ROLE_LABELS.items()]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (the OPDs of a produsen); ids as integers."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _organizations_field() -> CheckboxesField:
    # The choices (every OPD) are set by the view; a walidata holds no membership.
    return CheckboxesField(_l("Anggota OPD (produsen data)"), coerce=int, choices=[],
                           validate_choice=True)


class UserForm(FlaskForm):
    """A new admin account, created by a walidata; its owner sets the password through a one-time link."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])
    name = StringField(_l("Nama"), validators=[Length(max=120, message=TOO_LONG)])
    role = SelectField(_l("Peran"), choices=_role_choices())
    organizations = _organizations_field()


class UserEditForm(FlaskForm):
    """A walidata changes another account's role, OPD membership, or disables it."""

    role = SelectField(_l("Peran"), choices=_role_choices())
    active = BooleanField(_l("Aktif (dapat masuk)"))
    organizations = _organizations_field()


class TokenForm(FlaskForm):
    """A signed-in user creates a named API token, with an optional expiry date."""

    name = StringField(_l("Nama token"), validators=[DataRequired(REQUIRED), Length(max=100, message=TOO_LONG)])
    expires = DateField(_l("Kedaluwarsa (opsional)"), validators=[Optional()])


class RevokeTokenForm(FlaskForm):
    """A signed-in user revokes one of their tokens (CSRF only)."""


class LinkForm(FlaskForm):
    """A walidata issues a new one-time link to set an account's password (CSRF only)."""


class SetPasswordForm(FlaskForm):
    """The owner of an account sets its password through a one-time link."""

    password = PasswordField(_l("Kata sandi baru"), validators=[
        DataRequired(REQUIRED), Length(min=MIN_PASSWORD, message=TOO_SHORT)])
    confirm = PasswordField(_l("Ulangi kata sandi baru"), validators=[
        DataRequired(REQUIRED), EqualTo("password", message=_l("Kedua kata sandi tidak sama."))])


class ChangePasswordForm(SetPasswordForm):
    """A signed-in user changes their own password."""

    current = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired(REQUIRED)])
