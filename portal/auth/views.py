"""Login, logout, and setting a password through a one-time link."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.audit.log import record
from portal.auth import devices, throttle
from portal.auth.forms import LoginForm, SetPasswordForm
from portal.auth.services import AccountError, authenticate, find_user, link_account, redeem_password_link
from portal.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing of admin accounts."""
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("admin.index")


def _refused(form: LoginForm, verdict: throttle.Verdict):
    """The answer while the throttle holds an attempt back (same for known and unknown accounts)."""
    if verdict.reason == "address":
        flash(_("Terlalu banyak percobaan gagal dari alamat ini. Coba lagi nanti."), "error")
    else:
        flash(_("Terlalu banyak percobaan gagal. Coba lagi dalam %(n)s detik.", n=verdict.wait_seconds), "error")
    response = render_template("auth/login.html", form=form), 429, {"Retry-After": str(verdict.wait_seconds)}
    return response


def _failed(email: str, device: str | None) -> None:
    """Count a failed login and note it in the audit log (named only when the account exists)."""
    throttle.record_failure(email, request.remote_addr, device)
    user = find_user(email or "")
    record("login_failed", user, None, account=user.email if user else "")
    db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and sign the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data
        device = devices.known_device(request.cookies.get(devices.COOKIE), find_user(email or ""))
        verdict = throttle.check(email, request.remote_addr, device)
        if not verdict.allowed:
            return _refused(form, verdict)
        user = authenticate(email, form.password.data)
        if user is not None:
            throttle.clear(email)
            record("login", user, None)
            db.session.commit()
            login_user(user)
            response = redirect(_safe_next(request.args.get("next")))
            devices.remember(response, user)
            return response
        _failed(email, device)
        flash(_("E-mail atau kata sandi salah."), "error")
    return render_template("auth/login.html", form=form), 200


@bp.post("/logout")
@login_required
def logout():
    """Sign out (POST, so a link on another site cannot log you out); every copy of the session ends."""
    user = current_user._get_current_object()
    user.end_sessions()
    record("logout", user, None)
    db.session.commit()
    logout_user()
    return redirect(url_for("catalog.home"))


@bp.route("/sandi/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Set an account's password through the one-time link a walidata or the CLI gave out."""
    user = link_account(token)
    if user is None:
        abort(404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            redeem_password_link(token, form.password.data)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(_("Kata sandi disimpan. Silakan masuk."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, account=user)
