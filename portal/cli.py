"""Operator commands: ``flask --app wsgi <command>``."""
from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.auth.models import Role
from portal.auth.permissions import NotAuthorized
from portal.auth.services import (
    AccountError,
    create_user,
    find_user,
    issue_password_link,
    set_memberships,
)
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services as releases
from portal.datasets.models import Release
from portal.datasets.organizations import UnknownOrganization, organization
from portal.datasets.privacy_cli import privacy_group
from portal.demo import demo_command
from portal.extensions import db
from portal.harvest.service import HarvestFailed, harvest
from portal.uploads.cli import datasets_group


def _parse_date(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter("gunakan format YYYY-MM-DD") from None


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="Nama tampilan.")
@click.option("--organization", "organizations", multiple=True, metavar="SLUG",
              help="OPD tempat produsen menjadi anggota (boleh diulang).")
@click.option("--password", envvar="PORTAL_PASSWORD", default=None,
              help="Dibaca dari PORTAL_PASSWORD; tanpa itu dicetak tautan sekali pakai untuk "
                   "pemilik akun mengatur kata sandinya sendiri.")
@with_appcontext
def create_user_command(email: str, role: str, name: str, organizations: tuple[str, ...],
                        password: str | None) -> None:
    """Create an admin account (walidata or produsen), a produsen with its OPDs.

    With PORTAL_PASSWORD the account gets that password (the demo and scripts); without it,
    a one-time link is printed for the owner to set their own (the portal sends no mail).
    """
    try:
        opds = [organization(slug) for slug in organizations]
        user = create_user(email, password, role, name)
        set_memberships(user, [o.id for o in opds], None)
        token = None if password is not None else issue_password_link(user, None)
        db.session.commit()
    except UnknownOrganization as exc:
        db.session.rollback()
        raise click.ClickException(f"OPD {exc} tidak ada (lihat halaman OPD di area admin)") from None
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Pengguna {user.email} dibuat dengan peran {user.role.value}.")
    if opds:
        click.echo("Anggota OPD: " + ", ".join(o.name for o in opds))
    if token is not None:
        base = current_app.config["PORTAL_URL"]  # declared in portal/core/settings.py
        with current_app.test_request_context(base_url=base):
            link = url_for("auth.set_password", token=token, _external=True)
        click.echo("Tidak ada server surat: berikan tautan sekali pakai ini kepada pemilik akun "
                   f"(berlaku 72 jam):\n  {link}")


@click.command("generate-district")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--residents", default=470_000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "sqlite"]), default="csv",
              show_default=True)
@click.option("--months", default=1, show_default=True, type=click.IntRange(min=1, max=120),
              help="Satu ekspor per bulan (OUT/YYYY-MM/, tanggal 1 tiap bulan, terakhir 2026-11-01).")
@with_appcontext
def generate_district_command(out: Path, residents: int, seed: int, fmt: str, months: int) -> None:
    """Write a synthetic OpenSID export of the configured district (with --months, one a month)."""
    from portal.demogen.generator import generate_district
    from portal.sources.wilayah import load_district

    district = load_district(current_app.config["DISTRICT_CODE"])
    try:
        summary = generate_district(out, residents=residents, seed=seed, fmt=fmt, district=district,
                                    months=months)
    except (FileExistsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for path in summary.months:
        click.echo(f"{path}")
    click.echo(f"{summary.path}: {summary.desa} desa, {summary.families} keluarga, "
               f"{summary.residents} penduduk ({summary.alive} hidup), format {summary.format}.")


def _actor(email: str | None):
    if not email:
        return None
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"pengguna {email} tidak ada")
    return user


@click.command("harvest")
@click.argument("source")
@click.option("--reference-date", callback=_parse_date, help="Tanggal referensi umur (YYYY-MM-DD).")
@click.option("--as", "as_user", envvar="PORTAL_USER", help="E-mail produsen yang memanen.")
@with_appcontext
def harvest_command(source: str, reference_date: date | None, as_user: str | None) -> None:
    """Harvest an OpenSID export into draft releases (all or nothing)."""
    bars = []

    def progress(label: str, total: int):
        bar = click.progressbar(length=total, label=label, file=sys.stderr)
        bar.__enter__()
        bars.append(bar)
        return lambda done=1: bar.update(done)

    try:
        result = harvest(source, reference_date, _actor(as_user), progress=progress)
    except HarvestFailed as exc:
        for problem in (exc.report.problems if exc.report else [])[:200]:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{exc} (laporan panen #{exc.run_id})") from None
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    run, report = result.run, result.report
    for problem in report.warnings[:50]:
        click.echo(str(problem), err=True)
    click.echo(f"Panen #{run.id} selesai: {run.desa_count} desa dibaca, {run.resident_count} penduduk "
               f"hidup dihitung, {len(report.errors)} galat, {len(report.warnings)} peringatan, "
               f"{len(result.drafts)} tabel berubah, {len(result.unchanged)} tabel tetap.")
    for draft in result.drafts:
        click.echo(f"  draf rilis #{draft.id}: {draft.dataset.name} versi {draft.version}")


@click.group("releases")
def releases_group() -> None:
    """List and move releases through the approval workflow."""


def _release(release_id: int) -> Release:
    release = db.session.get(Release, release_id)
    if release is None:
        raise click.ClickException(f"rilis #{release_id} tidak ada")
    return release


@releases_group.command("list")
@click.option("--status", default=None, type=click.Choice([s.value for s in ReleaseStatus]),
              help="Saring menurut status.")
@with_appcontext
def releases_list(status: str | None) -> None:
    """List releases, newest first."""
    query = select(Release).order_by(Release.id.desc())
    if status:
        query = query.where(Release.status == ReleaseStatus(status))
    for release in db.session.scalars(query):
        click.echo(f"#{release.id}\t{release.dataset.name}\t{release.version}\t{release.status.value}")


# Columns of the hidden-cells table of ``releases show``: report key, heading.
HIDDEN_COLUMNS = (("table", "Tabel"), ("privacy_class", "Kelas"), ("k", "k"), ("cells", "Sel"),
                  ("suppressed_primary", "Primer"), ("suppressed_secondary", "Sekunder"),
                  ("narrowest_interval", "Rentang"), ("findings", "Temuan"))


def _text_table(rows: list[list[str]], headings: list[str]) -> list[str]:
    """Rows as aligned plain-text lines under their headings (numbers right-aligned)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headings)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if c.lstrip("-").isdigit() else c.ljust(w)
                         for c, w in zip(cells, widths, strict=True)).rstrip()
    return [line(headings), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _hidden_cell(entry: dict, key: str) -> str:
    """One cell of the hidden-cells table; a narrowest interval of None is unbounded."""
    value = entry.get(key, 0 if key == "findings" else "")
    if key == "narrowest_interval" and value is None:
        return "tak terbatas"
    return str(value)


def privacy_lines(report: dict) -> list[str]:
    """The privacy report as the review page shows it: verdict, summary lines, hidden cells per table."""
    from portal.privacy.report import privacy_summary

    if not report.get("audit"):
        return ["Privasi: rilis ini belum diaudit; tidak dapat diajukan atau disetujui."]
    verdict = "LULUS" if report.get("passed") else "TIDAK LULUS"
    lines = [f"Privasi: {verdict} (kebijakan privasi versi {report.get('policy_version', '-')})"]
    lines += [f"  - {line}" for line in privacy_summary(report)]
    rows = [[_hidden_cell(t, key) for key, _ in HIDDEN_COLUMNS] for t in report.get("tables", [])]
    if rows:
        lines.append("Sel yang disembunyikan per tabel:")
        lines += [f"  {line}" for line in _text_table(rows, [h for _, h in HIDDEN_COLUMNS])]
    scan = report.get("scan") or {}
    lines.append("Pemindaian data pribadi: " + ("bersih" if scan.get("passed") else "DITEMUKAN pola data pribadi"))
    lines += [f"  ! {f.get('message', '')}" for f in (report["audit"].get("findings") or [])[:20]]
    lines += [f"  ! {f.get('message', '')}" for f in (scan.get("findings") or [])[:20]]
    return lines


def release_json(release: Release, found) -> dict:
    """The machine form of ``releases show``: everything it prints, as JSON-ready data."""
    return {
        "id": release.id, "dataset": release.dataset.name, "version": found.version,
        "status": release.status.value, "change": found.kind,
        "previous_version": found.previous.version if found.previous else None,
        "reference_date": release.reference_date.isoformat(), "change_note": release.change_note,
        "privacy_report": release.privacy_report, "validation_report": release.validation_report,
        "meta_changes": found.meta_changes, "table_diff": found.table,
        "withdrawn_at": release.withdrawn_at.isoformat() if release.withdrawn_at else None,
        "withdrawal_reason": release.withdrawal_reason or None,
        "files": [{"name": f.name, "bytes": f.bytes, "sha256": f.sha256} for f in release.files],
    }


@releases_group.command("show")
@click.argument("release_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON untuk mesin.")
@with_appcontext
def releases_show(release_id: int, as_json: bool) -> None:
    """Show one release as the review page does: files, privacy report, validation and the diff."""
    import json

    from portal.datasets.review import review

    release = _release(release_id)
    found = review(release)
    if as_json:
        click.echo(json.dumps(release_json(release, found), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"Rilis #{release.id}: {release.dataset.name} {found.version} ({release.status.value})")
    click.echo(f"Perubahan: {found.kind_label}"
               + (f" dibanding {found.previous.version}" if found.previous else ""))
    click.echo(f"Tanggal referensi: {release.reference_date}  Catatan: {release.change_note or '-'}")
    for line in privacy_lines(release.privacy_report or {}):
        click.echo(line)
    report = release.validation_report
    checks = ", ".join(f"{k}: {v}" for k, v in report.get("checks", {}).items())
    click.echo(f"Validasi: {'valid' if report.get('valid') else 'TIDAK VALID'}" + (f" ({checks})" if checks else ""))
    for error in report.get("errors", [])[:20]:
        click.echo(f"  [{error.get('check', 'frictionless')}] {error.get('type')}: {error.get('note')}")
    for key, change in found.meta_changes.items():
        click.echo(f"Metadata {key}: {change['from']!r} -> {change['to']!r}")
    if found.table and found.table.get("comparable"):
        t = found.table
        click.echo(f"Baris: +{t['rows_added']} -{t['rows_removed']} ~{t['rows_changed']}; sel berubah "
                   f"{t['cells_changed']}, baru disembunyikan {t['cells_newly_suppressed']}, "
                   f"kini ditampilkan {t['cells_revealed']}")
    if release.is_withdrawn:
        click.echo(f"Ditarik {release.withdrawn_at:%Y-%m-%d %H:%M} UTC: {release.withdrawal_reason}")
    for f in release.files:
        click.echo(f"  {f.name}\t{f.bytes} B\tsha256:{f.sha256}")


def _transition(action, release_id: int, as_user: str, text: str) -> None:
    release = _release(release_id)
    user = _actor(as_user)
    if user is None:
        raise click.ClickException("sebutkan pengguna dengan --as atau PORTAL_USER")
    try:
        action(release, user, text)
        db.session.commit()
    except (releases.WorkflowError, NotAuthorized) as exc:
        db.session.rollback()
        raise click.ClickException(f"ditolak: {exc}") from None
    click.echo(f"Rilis #{release.id}: {release.status.value}")


_as = click.option("--as", "as_user", envvar="PORTAL_USER", required=True, help="E-mail pengguna.")


@releases_group.command("submit")
@click.argument("release_id", type=int)
@_as
@click.option("--note", required=True, help="Catatan perubahan.")
@with_appcontext
def releases_submit(release_id: int, as_user: str, note: str) -> None:
    """Submit a draft for approval (produsen)."""
    _transition(releases.submit, release_id, as_user, note)


@releases_group.command("approve")
@click.argument("release_id", type=int)
@_as
@click.option("--comment", default="", help="Komentar walidata.")
@with_appcontext
def releases_approve(release_id: int, as_user: str, comment: str) -> None:
    """Approve and publish a submitted release (walidata, not the submitter)."""
    _transition(releases.approve, release_id, as_user, comment)


@releases_group.command("reject")
@click.argument("release_id", type=int)
@_as
@click.option("--comment", required=True, help="Alasan penolakan.")
@with_appcontext
def releases_reject(release_id: int, as_user: str, comment: str) -> None:
    """Reject a submitted release with a reason (walidata)."""
    _transition(releases.reject, release_id, as_user, comment)


@releases_group.command("withdraw")
@click.argument("release_id", type=int)
@_as
@click.option("--reason", required=True, help="Alasan penarikan (tampil di halaman publik).")
@with_appcontext
def releases_withdraw(release_id: int, as_user: str, reason: str) -> None:
    """Withdraw a published version at once (walidata); its files answer 410 Gone."""
    _transition(releases.withdraw, release_id, as_user, reason)


@click.group("api-token")
def api_token_group() -> None:
    """Create, list and revoke API tokens (CKAN 2.9+), sent in the Authorization header."""


def _owner(email: str):
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"pengguna {email} tidak ada")
    return user


@api_token_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Nama token (mis. nama skrip yang memakainya).")
@click.option("--expires", callback=_parse_date, default=None,
              help="Tanggal kedaluwarsa (YYYY-MM-DD, UTC tengah malam); tanpa itu tidak kedaluwarsa.")
@with_appcontext
def api_token_create(email: str, name: str, expires: date | None) -> None:
    """Create a token for EMAIL; the token is printed once, as the last line."""
    from portal.auth.tokens import TokenError, create_token

    user = _owner(email)
    expires_at = datetime(expires.year, expires.month, expires.day) if expires else None
    try:
        token, secret = create_token(user, name, expires_at)
        db.session.commit()
    except TokenError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Token #{token.id} '{token.name}' dibuat untuk {user.email}"
               + (f", berlaku sampai {expires_at:%Y-%m-%d}" if expires_at else "")
               + ". Simpan sekarang: token ini tidak ditampilkan lagi.")
    click.echo(secret)


@api_token_group.command("list")
@click.argument("email")
@with_appcontext
def api_token_list(email: str) -> None:
    """List EMAIL's tokens (never the secrets)."""
    from portal.auth.tokens import is_live, tokens_of

    for token in tokens_of(_owner(email)):
        state = "aktif" if is_live(token) else ("dicabut" if token.revoked_at else "kedaluwarsa")
        expires = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "-"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "-"
        click.echo(f"#{token.id}\t{token.name}\t{state}\tdibuat {token.created_at:%Y-%m-%d}\t"
                   f"kedaluwarsa {expires}\tterakhir dipakai {used}")


@api_token_group.command("revoke")
@click.argument("email")
@click.argument("token_id", type=int)
@with_appcontext
def api_token_revoke(email: str, token_id: int) -> None:
    """Revoke EMAIL's token TOKEN_ID (see api-token list)."""
    from portal.auth.tokens import TokenError, revoke_token

    try:
        token = revoke_token(_owner(email), token_id)
        db.session.commit()
    except TokenError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Token #{token.id} '{token.name}' dicabut.")


COMMANDS = [create_user_command, api_token_group, generate_district_command, harvest_command, releases_group,
            demo_command, datasets_group, privacy_group]
