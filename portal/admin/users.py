"""Account pages: the walidata's user list (add, change role, disable, password links) and
every admin's own password."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from portal.admin.blueprint import bp
from portal.auth.forms import ChangePasswordForm, LinkForm, UserEditForm, UserForm
from portal.auth.models import User
from portal.auth.permissions import requires
from portal.auth.services import (
    AccountError,
    change_password,
    change_role,
    create_user,
    issue_password_link,
    set_active,
)
from portal.extensions import db


def _link(token: str) -> str:
    """The full address of a one-time password link."""
    return url_for("auth.set_password", token=token, _external=True)


def _user_list(form: UserForm, new_link: str | None = None, linked: User | None = None):
    """The users page, with a fresh one-time link shown once when one was just made."""
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", form=form, accounts=accounts, new_link=new_link,
                           linked=linked)


@bp.route("/users", methods=["GET", "POST"])
@requires("manage_users")
def users():
    """Accounts; a walidata adds one, and its owner sets the password through a one-time link."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, None, form.role.data, form.name.data or "",
                               actor=current_user)
            token = issue_password_link(user, current_user)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Pengguna dibuat. Berikan tautan di bawah kepada pemilik akun: tautan ini hanya "
                    "ditampilkan sekali."), "success")
            return _user_list(UserForm(formdata=None), _link(token), user)
    return _user_list(form)


def _account(user_id: int) -> User:
    """The account, or 404."""
    return db.session.get(User, user_id) or abort(404)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("manage_users")
def user_edit(user_id: int):
    """Change another account's role or disable it (their sessions end; recorded in the audit log)."""
    user = _account(user_id)
    form = UserEditForm(obj=user, role=user.role.value)
    if form.validate_on_submit():
        try:
            change_role(user, form.role.data, current_user)
            set_active(user, bool(form.active.data), current_user)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Akun %(email)s disimpan.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", form=form, account=user)


@bp.post("/users/<int:user_id>/link")
@requires("manage_users")
def user_link(user_id: int):
    """A new one-time password link for another account, shown once (earlier links stop working)."""
    user = _account(user_id)
    if not LinkForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("Ubah kata sandi Anda sendiri di halaman Akun saya."), "error")
        return redirect(url_for("admin.users"))
    token = issue_password_link(user, current_user)
    db.session.commit()
    flash(_("Tautan baru dibuat untuk %(email)s; tautan ini hanya ditampilkan sekali.", email=user.email),
          "success")
    return _user_list(UserForm(formdata=None), _link(token), user)


@bp.route("/akun/sandi", methods=["GET", "POST"])
@requires("change_own_password")
def own_password():
    """The signed-in user changes their password; their other sessions end, this one goes on."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current.data, form.password.data)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            login_user(user)  # the session carries the new session version
            flash(_("Kata sandi diubah; sesi lain akun ini telah diakhiri."), "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/own_password.html", form=form)
