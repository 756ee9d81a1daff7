"""The demo district: seeded accounts, a year of generated monthly exports, each month harvested,
submitted by the produsen demo account and approved by the walidata demo account.

``flask demo`` (what ``make run`` calls) is idempotent. The exports are generated once under
the instance folder (``demo-series/YYYY-MM/``, or ``demo-district/`` for a single month) with
a ``demo.json`` manifest written last; a manifest that matches the request is reused. A month
is harvested only when no successful harvest has a reference date on or after its own, so a
second run publishes nothing new, and a run stopped between a harvest and its approvals
finishes that month's open drafts first.
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.auth.models import Role
from portal.auth.services import create_user, find_user, set_memberships
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services as releases
from portal.datasets.models import Release
from portal.datasets.organizations import catalogue_organizations
from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.harvest.service import HarvestFailed, harvest

# The generator's own reference date (its last month), so the demo's numbers do not drift day by day.
DEMO_REFERENCE_DATE = date(2026, 11, 1)
DEMO_SEED = 2026
DEMO_USERS = (
    ("walidata@demo.tabanan.go.id", "walidata-demo", Role.WALIDATA, "Walidata Demo"),
    ("produsen@demo.tabanan.go.id", "produsen-demo", Role.PRODUSEN, "Produsen Demo"),
)
MANIFEST = "demo.json"
# The note the privacy layer gives a table whose previous version it keeps (protect._held).
HELD_NOTE = "versi sebelumnya dipertahankan"
SUBMIT_NOTE = "Rilis data demo hasil panen OpenSID bulan {month}."
APPROVE_NOTE = "Disetujui (demo)."
REASON_CHARS = 600  # of a refusal printed per month (the full reasons are on the release page)


@dataclass(frozen=True)
class DemoMonth:
    """One monthly export of the demo district and the reference date it is harvested with."""

    reference_date: date
    path: Path


@dataclass
class MonthOutcome:
    """What one month of the demo did: published, unchanged, held back, refused, or skipped."""

    month: DemoMonth
    skipped: bool = False
    published: list[Release] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    held: dict[str, list[str]] = field(default_factory=dict)  # table -> the privacy layer's notes
    refused: dict[str, list[str]] = field(default_factory=dict)  # dataset -> the gate's reasons
    harvest_seconds: float = 0.0  # wall
    review_seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU for the harvest and the review (a shared machine)


def ensure_demo_users() -> dict[Role, object]:
    """Create the two demo accounts if they do not exist yet; the produsen is a member of every
    OPD of the table catalogue, so it may submit every harvested draft."""
    users = {}
    for email, password, role, name in DEMO_USERS:
        # The demo's passwords are published in the README, so the strength rules do not apply.
        user = find_user(email) or create_user(email, password + "-2026", role, name, check_strength=False)
        users[role] = user
    set_memberships(users[Role.PRODUSEN], [o.id for o in catalogue_organizations()], None)
    db.session.commit()
    return users


def _wanted(residents: int, months: int) -> dict:
    """The manifest of the exports the demo needs (compared with the one on disk)."""
    return {"residents": residents, "months": months, "seed": DEMO_SEED,
            "district": current_app.config["DISTRICT_CODE"]}


def _read_manifest(folder: Path) -> dict | None:
    """The manifest of a finished generation in ``folder``, else None."""
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def _month_of(label: str) -> date:
    """``2026-01`` as the first day of that month."""
    year, month = label.split("-")
    return date(int(year), int(month), 1)


def _generate(folder: Path, residents: int, months: int) -> dict:
    """Generate the exports into a scratch folder, write the manifest last, then move it into place."""
    from portal.demogen.generator import generate_district
    from portal.sources.wilayah import load_district

    scratch = folder.with_name(folder.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)
    click.echo(f"Membuat distrik demo ({residents} penduduk, {months} bulan) di {folder} ...")
    started, cpu = time.monotonic(), time.process_time()
    summary = generate_district(scratch, residents=residents, seed=DEMO_SEED, fmt="csv", months=months,
                                district=load_district(current_app.config["DISTRICT_CODE"]))
    labels = [p.name for p in summary.months] if months > 1 else [DEMO_REFERENCE_DATE.strftime("%Y-%m")]
    manifest = {**_wanted(residents, months), "labels": labels}
    (scratch / MANIFEST).write_text(json.dumps(manifest, indent=1))
    shutil.rmtree(folder, ignore_errors=True)
    scratch.rename(folder)
    click.echo(f"Distrik demo dibuat dalam {time.monotonic() - started:.1f} s (CPU {time.process_time() - cpu:.1f} s).")
    return manifest


def ensure_demo_months(residents: int, months: int) -> list[DemoMonth]:
    """The demo's monthly exports, oldest first: reused when their manifest matches, else generated."""
    folder = Path(current_app.instance_path) / ("demo-series" if months > 1 else "demo-district")
    manifest = _read_manifest(folder)
    if manifest is None or {k: manifest.get(k) for k in _wanted(residents, months)} != _wanted(residents, months):
        manifest = _generate(folder, residents, months)
    if months == 1:
        return [DemoMonth(DEMO_REFERENCE_DATE, folder)]
    return [DemoMonth(_month_of(label), folder / label) for label in manifest["labels"]]


def _covering_run(reference_date: date) -> HarvestRun | None:
    """The newest successful harvest whose reference date is on or after ``reference_date``."""
    return (db.session.query(HarvestRun)
            .filter(HarvestRun.status == "ok", HarvestRun.reference_date >= reference_date)
            .order_by(HarvestRun.reference_date.desc(), HarvestRun.id.desc()).first())


def _open_drafts(run: HarvestRun) -> list[Release]:
    """The releases a harvest drafted that are still waiting for submission or approval."""
    return (db.session.query(Release)
            .filter(Release.harvest_id == run.id,
                    Release.status.in_((ReleaseStatus.DRAFT, ReleaseStatus.SUBMITTED)))
            .order_by(Release.id).all())


def _held_back(drafts: list[Release]) -> dict[str, list[str]]:
    """Tables whose previous version the privacy layer kept, with its notes (from the release's
    privacy report, shared by every draft of a harvest; no hidden value is in it)."""
    if not drafts:
        return {}
    tables = (drafts[0].privacy_report or {}).get("tables", [])
    return {t["table"]: [n for n in t.get("notes", []) if HELD_NOTE in n]
            for t in tables if any(HELD_NOTE in n for n in t.get("notes", []))}


def _review(drafts: list[Release], users: dict, month: date, outcome: MonthOutcome) -> None:
    """Submit each draft as the produsen and approve it as the walidata; a refusal is recorded."""
    for draft in drafts:
        name = draft.dataset.name
        try:
            if draft.status is ReleaseStatus.DRAFT:
                releases.submit(draft, users[Role.PRODUSEN], SUBMIT_NOTE.format(month=month.strftime("%Y-%m")))
                db.session.commit()
            outcome.published.append(releases.approve(draft, users[Role.WALIDATA], APPROVE_NOTE))
        except releases.WorkflowError as exc:
            db.session.rollback()
            outcome.refused[name] = [str(exc)]


def publish_month(month: DemoMonth, users: dict) -> MonthOutcome:
    """Harvest one month with its reference date and publish its drafts; a month already covered
    by a successful harvest is skipped, after finishing the drafts that harvest left open."""
    outcome = MonthOutcome(month=month)
    cpu = time.process_time()
    covering = _covering_run(month.reference_date)
    if covering is not None:
        outcome.skipped = True
        drafts = _open_drafts(covering) if covering.reference_date == month.reference_date else []
    else:
        started = time.monotonic()
        result = harvest(str(month.path), month.reference_date, users[Role.PRODUSEN])
        outcome.harvest_seconds = time.monotonic() - started
        drafts = list(result.drafts)
        outcome.held = _held_back(drafts)
        # Never published and narrowed by the auditor: it waits for a later month.
        outcome.held |= {name: [why] for name, why in (result.run.report or {}).get("withheld", {}).items()}
        outcome.unchanged = [name for name in result.unchanged if name not in outcome.held]
    started = time.monotonic()
    _review(drafts, users, month.reference_date, outcome)
    outcome.review_seconds = time.monotonic() - started
    outcome.cpu_seconds = time.process_time() - cpu
    return outcome


def publish_demo(residents: int, months: int = 1, report=None) -> list[MonthOutcome]:
    """Seed the demo users, make the monthly exports, and publish them month by month in date order.

    ``report(outcome)`` is called after each month (the CLI prints it as it goes).
    """
    users = ensure_demo_users()
    outcomes = []
    for month in ensure_demo_months(residents, months):
        outcome = publish_month(month, users)
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
    return outcomes


def _echo_month(outcome: MonthOutcome) -> None:
    """One month's lines: what was published, unchanged, held back by the privacy layer, refused."""
    day = outcome.month.reference_date.isoformat()
    if outcome.skipped and not outcome.published and not outcome.refused:
        click.echo(f"{day}: sudah dipanen, dilewati.")
        return
    click.echo(f"{day}: {len(outcome.published)} rilis terbit, {len(outcome.unchanged)} tidak berubah, "
               f"{len(outcome.held)} ditahan lapisan privasi, {len(outcome.refused)} ditolak gerbang privasi "
               f"(panen {outcome.harvest_seconds:.1f} s, pengajuan dan persetujuan {outcome.review_seconds:.1f} s, "
               f"CPU {outcome.cpu_seconds:.1f} s)")
    for release in outcome.published:
        click.echo(f"  Terbit: {release.dataset.name} versi {release.version}")
    for table, notes in outcome.held.items():
        click.echo(f"  Ditahan: {table} ({'; '.join(notes)})")
    by_reason: dict[str, list[str]] = {}
    for name, reasons in outcome.refused.items():
        by_reason.setdefault("; ".join(reasons), []).append(name)
    for reason, names in by_reason.items():
        click.echo(f"  Ditolak: {reason[:REASON_CHARS]}")
        click.echo(f"    {len(names)} rilis: {', '.join(names)}")


@click.command("demo")
@click.option("--residents", default=lambda: current_app.config["DEMO_RESIDENTS"],
              type=click.IntRange(min=1330), show_default="DEMO_RESIDENTS, 470000")
@click.option("--months", default=lambda: current_app.config["DEMO_MONTHS"],
              type=click.IntRange(min=1, max=120), show_default="DEMO_MONTHS, 12",
              help="Jumlah ekspor bulanan (tanggal 1 tiap bulan, terakhir 2026-11-01); 1 = satu bulan saja.")
@with_appcontext
def demo_command(residents: int, months: int) -> None:
    """Seed demo users, generate the demo district's months, harvest and publish them in date order."""
    started = time.monotonic()
    try:
        outcomes = publish_demo(residents, months, report=_echo_month)
    except HarvestFailed as exc:
        raise click.ClickException(f"panen demo gagal: {exc} (lihat laporan panen #{exc.run_id})") from None
    if not any(o.published for o in outcomes):
        click.echo("Tidak ada perubahan: tidak ada rilis baru.")
    click.echo(f"Selesai dalam {time.monotonic() - started:.0f} s.")
    click.echo("Akun demo:")
    for email, password, role, _ in DEMO_USERS:
        click.echo(f"  {role.label:14} {email} / {password}-2026")
