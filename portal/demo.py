"""The demo district: seeded accounts, a year of generated monthly exports, each month harvested,
submitted by the produsen demo account and approved by the walidata demo account.

``flask demo`` (what ``make run`` calls) is idempotent. The exports are generated once under
the instance folder (``demo-series/YYYY-MM/``, or ``demo-district/`` for a single month) with
a ``demo.json`` manifest written last; a manifest that matches the request is reused. A worker
process generates them (``Generation``), each month's folder appearing whole, while this one
harvests the months already written: generation and harvest use the two cores at once. A month
is harvested only when no successful harvest has a reference date on or after its own, so a
second run publishes nothing new, and a run stopped between a harvest and its approvals
finishes that month's open drafts first.
"""
from __future__ import annotations

import json
import multiprocessing
import resource
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
from portal.harvest.ahead import CountingAhead, CountJob
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
WAIT_SECONDS = 0.5  # between two looks for the next month's export while the worker writes it


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
    wait_seconds: float = 0.0  # wall, waiting for the worker to write this month's export
    harvest_seconds: float = 0.0  # wall
    review_seconds: float = 0.0
    harvest_cpu: float = 0.0  # this process's CPU (a shared machine: wall time says little)
    count_cpu: float = 0.0  # the counting worker's CPU for this month (portal.harvest.ahead)
    review_cpu: float = 0.0

    @property
    def cpu_seconds(self) -> float:
        """This process's CPU for the harvest and the review."""
        return self.harvest_cpu + self.review_cpu


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


@dataclass
class Generation:
    """The demo's exports being generated by a worker process into their folder.

    Each month's folder appears whole (renamed when written), so the demo harvests month k
    while the worker generates month k + 1: the two cores work at once. The manifest is
    written last, once the worker has finished, so a stopped run is generated again.
    """

    folder: Path
    manifest: dict
    process: multiprocessing.process.BaseProcess
    started: float  # time.time() (compared with the files' modification times)
    cpu: float  # children's CPU seconds before the worker started

    def wait_for(self, month: DemoMonth) -> None:
        """Return once ``month``'s export is whole; after the last, finish. Fails if the worker did."""
        if month.path == self.folder or month.path.name == self.manifest["labels"][-1]:
            self.finish()
            return
        while not month.path.is_dir():
            if not self.process.is_alive() and not month.path.is_dir():
                self.finish()  # raises: the worker stopped before writing this month
            self.process.join(WAIT_SECONDS)

    def finish(self) -> None:
        """Wait for the worker; on success write the manifest, else raise GenerationFailed."""
        self.process.join()
        if self.process.exitcode != 0:
            raise GenerationFailed(f"pembuatan distrik demo gagal (kode keluar {self.process.exitcode})")
        if (self.folder / MANIFEST).exists():
            return
        (self.folder / MANIFEST).write_text(json.dumps(self.manifest, indent=1))
        # Wall time until the worker wrote its last file (this process may have been harvesting).
        last = self.folder / self.manifest["labels"][-1] if len(self.manifest["labels"]) > 1 else self.folder
        click.echo(f"Distrik demo dibuat dalam {last.stat().st_mtime - self.started:.1f} s "
                   f"(CPU {_children_cpu() - self.cpu:.1f} s, proses terpisah).")

    def stop(self) -> None:
        """End the worker if it still runs (the demo failed); its folder has no manifest."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


class GenerationFailed(Exception):
    """The worker generating the demo's exports stopped with an error (printed by the worker)."""


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _start_generation(folder: Path, residents: int, months: int) -> Generation:
    """Clear ``folder`` and start the worker that generates the exports into it."""
    from portal.demogen.generator import generate_in_worker, month_labels

    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(folder.with_name(folder.name + ".partial"), ignore_errors=True)  # left by older versions
    click.echo(f"Membuat distrik demo ({residents} penduduk, {months} bulan) di {folder} ...")
    labels = month_labels(months) if months > 1 else [DEMO_REFERENCE_DATE.strftime("%Y-%m")]
    manifest = {**_wanted(residents, months), "labels": labels}
    # spawn, not fork: the worker starts clean, without this process's database connections.
    process = multiprocessing.get_context("spawn").Process(
        target=generate_in_worker, name="demo-generator", daemon=True,
        args=(str(folder), residents, DEMO_SEED, months, current_app.config["DISTRICT_CODE"]))
    cpu = _children_cpu()
    started = time.time()
    process.start()
    return Generation(folder, manifest, process, started, cpu)


def start_demo_months(residents: int, months: int) -> tuple[list[DemoMonth], Generation | None]:
    """The demo's monthly exports, oldest first, and the generation still writing them (None
    when the finished exports on disk, named by a matching manifest, are reused)."""
    folder = Path(current_app.instance_path) / ("demo-series" if months > 1 else "demo-district")
    manifest, generation = _read_manifest(folder), None
    if manifest is None or {k: manifest.get(k) for k in _wanted(residents, months)} != _wanted(residents, months):
        generation = _start_generation(folder, residents, months)
        manifest = generation.manifest
    if months == 1:
        return [DemoMonth(DEMO_REFERENCE_DATE, folder)], generation
    return [DemoMonth(_month_of(label), folder / label) for label in manifest["labels"]], generation


def ensure_demo_months(residents: int, months: int) -> list[DemoMonth]:
    """The demo's monthly exports, oldest first: reused when their manifest matches, else
    generated (this waits for the whole generation)."""
    found, generation = start_demo_months(residents, months)
    if generation is not None:
        try:
            generation.finish()
        finally:
            generation.stop()
    return found


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


def publish_month(month: DemoMonth, users: dict, ahead: CountingAhead | None = None) -> MonthOutcome:
    """Harvest one month with its reference date and publish its drafts; a month already covered
    by a successful harvest is skipped, after finishing the drafts that harvest left open.
    ``ahead`` is the worker counting the months to harvest; without it this process counts."""
    outcome = MonthOutcome(month=month)
    cpu = time.process_time()
    covering = _covering_run(month.reference_date)
    if covering is not None:
        outcome.skipped = True
        drafts = _open_drafts(covering) if covering.reference_date == month.reference_date else []
    else:
        started = time.monotonic()
        counted = ahead.take(str(month.path), month.reference_date) if ahead is not None else None
        outcome.count_cpu = ahead.cpu if counted is not None else 0.0
        result = harvest(str(month.path), month.reference_date, users[Role.PRODUSEN], counted=counted)
        outcome.harvest_seconds = time.monotonic() - started
        drafts = list(result.drafts)
        outcome.held = _held_back(drafts)
        # Never published and narrowed by the auditor: it waits for a later month.
        outcome.held |= {name: [why] for name, why in (result.run.report or {}).get("withheld", {}).items()}
        outcome.unchanged = [name for name in result.unchanged if name not in outcome.held]
    outcome.harvest_cpu = time.process_time() - cpu
    started, cpu = time.monotonic(), time.process_time()
    _review(drafts, users, month.reference_date, outcome)
    outcome.review_seconds = time.monotonic() - started
    outcome.review_cpu = time.process_time() - cpu
    return outcome


def publish_demo(residents: int, months: int = 1, report=None) -> list[MonthOutcome]:
    """Seed the demo users, make the monthly exports, and publish them month by month in date order.

    ``report(outcome)`` is called after each month (the CLI prints it as it goes).
    """
    users = ensure_demo_users()
    outcomes = []
    found, generation = start_demo_months(residents, months)
    ahead = _count_ahead(found)
    try:
        for month in found:
            waited = time.monotonic()
            if generation is not None:
                generation.wait_for(month)  # month k is harvested while k + 1 is generated
            outcome = publish_month(month, users, ahead)
            outcome.wait_seconds = time.monotonic() - waited - outcome.harvest_seconds - outcome.review_seconds
            outcomes.append(outcome)
            if report is not None:
                report(outcome)
    finally:
        if generation is not None:
            generation.stop()
        if ahead is not None:
            ahead.stop()
    return outcomes


def _count_ahead(found: list[DemoMonth]) -> CountingAhead | None:
    """A worker counting the months this run will harvest (those no successful harvest covers
    yet), so that month k + 1 is read and counted while month k is protected and reviewed; None
    for fewer than two such months (the worker's start would cost more than it saves)."""
    todo = [CountJob(str(m.path), m.reference_date) for m in found if _covering_run(m.reference_date) is None]
    if len(todo) < 2:
        return None
    return CountingAhead(todo, current_app.config["DISTRICT_CODE"])


def _echo_month(outcome: MonthOutcome) -> None:
    """One month's lines: what was published, unchanged, held back by the privacy layer, refused."""
    day = outcome.month.reference_date.isoformat()
    if outcome.skipped and not outcome.published and not outcome.refused:
        click.echo(f"{day}: sudah dipanen, dilewati.")
        return
    click.echo(f"{day}: {len(outcome.published)} rilis terbit, {len(outcome.unchanged)} tidak berubah, "
               f"{len(outcome.held)} ditahan lapisan privasi, {len(outcome.refused)} ditolak gerbang privasi "
               f"(menunggu ekspor {outcome.wait_seconds:.1f} s, panen {outcome.harvest_seconds:.1f} s "
               f"CPU {outcome.harvest_cpu:.1f} s + hitung di proses terpisah CPU {outcome.count_cpu:.1f} s, "
               f"pengajuan dan persetujuan {outcome.review_seconds:.1f} s "
               f"CPU {outcome.review_cpu:.1f} s)")
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
    except GenerationFailed as exc:
        raise click.ClickException(str(exc)) from None
    if not any(o.published for o in outcomes):
        click.echo("Tidak ada perubahan: tidak ada rilis baru.")
    click.echo(f"Selesai dalam {time.monotonic() - started:.0f} s.")
    click.echo("Akun demo:")
    for email, password, role, _ in DEMO_USERS:
        click.echo(f"  {role.label:14} {email} / {password}-2026")
