"""Account pages: the walidata's user list (add, change role, disable, password links) and
every admin's own password."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from portal.admin.blueprint import bp
from portal.auth.forms import (
    ChangePasswordForm,
    LinkForm,
    RevokeTokenForm,
    TokenForm,
    UserEditForm,
    UserForm,
)
from portal.auth.models import User
from portal.auth.permissions import can, requires
from portal.auth.services import (
    AccountError,
    change_password,
    change_role,
    create_user,
    issue_password_link,
    set_active,
    set_memberships,
)
from portal.auth.tokens import TokenError, create_token, is_live, revoke_token, tokens_of
from portal.datasets.organizations import all_organizations
from portal.extensions import db


def _with_organizations(form):
    """``form`` with every OPD as a membership choice."""
    form.organizations.choices = [(o.id, o.title) for o in all_organizations()]
    return form


def _memberships(user: User, chosen: list[int] | None) -> list[int]:
    """The OPDs to keep for ``user`` (with its role already set): none for a walidata."""
    return list(chosen or []) if can(user, "hold_membership") else []


def _link(token: str) -> str:
    """The full address of a one-time password link."""
    return url_for("auth.set_password", token=token, _external=True)


def _user_list(form: UserForm, new_link: str | None = None, linked: User | None = None):
    """The users page, with a fresh one-time link shown once when one was just made."""
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    titles = {o.id: o.title for o in all_organizations()}
    return render_template("admin/users.html", form=_with_organizations(form), accounts=accounts,
                           new_link=new_link, linked=linked, titles=titles)


@bp.route("/users", methods=["GET", "POST"])
@requires("manage_users")
def users():
    """Accounts; a walidata adds one, and its owner sets the password through a one-time link."""
    form = _with_organizations(UserForm())
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, None, form.role.data, form.name.data or "",
                               actor=current_user)
            set_memberships(user, _memberships(user, form.organizations.data), current_user)
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
    form = _with_organizations(UserEditForm(obj=user, role=user.role.value,
                                            organizations=sorted(user.organization_ids)))
    if form.validate_on_submit():
        try:
            change_role(user, form.role.data, current_user)
            set_active(user, bool(form.active.data), current_user)
            set_memberships(user, _memberships(user, form.organizations.data), current_user)
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


def _token_page(form: TokenForm, new_token: str | None = None, made=None):
    """The signed-in user's API tokens, with a new token's secret shown once."""
    user = current_user._get_current_object()
    return render_template("admin/tokens.html", form=form, tokens=tokens_of(user), is_live=is_live,
                           revoke_form=RevokeTokenForm(), new_token=new_token, made=made)


@bp.route("/akun/token", methods=["GET", "POST"])
@requires("manage_own_tokens")
def own_tokens():
    """The signed-in user's API tokens (CKAN 2.9+): create one, shown once; see and revoke them."""
    form = TokenForm()
    if form.validate_on_submit():
        expires = form.expires.data
        try:
            token, secret = create_token(current_user._get_current_object(), form.name.data,
                                         datetime(expires.year, expires.month, expires.day) if expires else None)
            db.session.commit()
        except TokenError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Token dibuat. Salin sekarang: token ini hanya ditampilkan sekali."), "success")
            return _token_page(TokenForm(formdata=None), secret, token)
    return _token_page(form)


@bp.post("/akun/token/<int:token_id>/cabut")
@requires("manage_own_tokens")
def revoke_own_token(token_id: int):
    """Revoke one of the signed-in user's tokens; requests with it are refused from now on."""
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    try:
        token = revoke_token(current_user._get_current_object(), token_id)
        db.session.commit()
    except TokenError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("Token %(name)s dicabut.", name=token.name), "success")
    return redirect(url_for("admin.own_tokens"))
