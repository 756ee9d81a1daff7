"""Login and account forms (CSRF-protected by Flask-WTF)."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length

from portal.auth.models import Role
from portal.auth.services import MIN_PASSWORD


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField("E-mail", validators=[DataRequired()])
    password = PasswordField("Kata sandi", validators=[DataRequired()])


class UserForm(FlaskForm):
    """A new admin account, created by a walidata."""

    email = EmailField("E-mail", validators=[DataRequired()])
    name = StringField("Nama", validators=[Length(max=120)])
    role = SelectField("Peran", choices=[SelectChoice(r.value, r.label) for r in Role])
    password = PasswordField("Kata sandi awal", validators=[DataRequired(), Length(min=MIN_PASSWORD)])
