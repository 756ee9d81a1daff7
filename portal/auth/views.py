"""Login and logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from portal.auth.forms import LoginForm
from portal.auth import throttle
from portal.auth.services import authenticate
from portal.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would help phishing of admin accounts.
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and sign the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data
        if throttle.is_locked(email):
            flash(_("Terlalu banyak percobaan gagal. Coba lagi dalam 15 menit."), "error")
            return render_template("auth/login.html", form=form), 429
        user = authenticate(email, form.password.data)
        if user is not None:
            throttle.record_success(user)
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(email)
        db.session.commit()
        flash(_("E-mail atau kata sandi salah."), "error")
    return render_template("auth/login.html", form=form), 200


@bp.post("/logout")
@login_required
def logout():
    """Sign out (POST, so a link on another site cannot log you out)."""
    logout_user()
    return redirect(url_for("catalog.home"))
