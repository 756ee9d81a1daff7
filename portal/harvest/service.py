"""One harvest, left to right: read, check, minimise, count, protect, draft releases."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from flask import current_app

from portal.auth.models import User
from portal.auth.permissions import require
from portal.core.time import utcnow
from portal.datasets import geo, queries
from portal.datasets import services as releases
from portal.datasets.models import Release
from portal.extensions import db
from portal.harvest import boundaries as boundary_step
from portal.harvest import quality as quality_step
from portal.harvest.models import HarvestRun
from portal.harvest.pipeline import Harvested, harvest_tables
from portal.harvest.privacy_check import check_release, remedies, settle
from portal.privacy.protect import Previous, protect_release
from portal.sources import SourceError, source_label
from portal.sources.checks import CheckReport
from portal.sources.wilayah import District, load_district
from portal.statistics.catalogue import CATALOGUE, ORGANIZATIONS
from portal.statistics.quality import QUALITY_NAME


class HarvestFailed(Exception):
    """The harvest stopped; nothing was stored but the failed run's report."""

    def __init__(self, message: str, run_id: int | None, report: CheckReport | None = None):
        super().__init__(message)
        self.run_id = run_id
        self.report = report


@dataclass
class HarvestResult:
    """What a successful harvest made."""

    run: HarvestRun
    report: CheckReport
    drafts: list[Release] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _district() -> District:
    """The district this portal serves (configuration, Tabanan by default)."""
    return load_district(current_app.config["DISTRICT_CODE"])


def _previous_tables() -> dict[str, bytes]:
    """The latest published CSV of every catalogue table (hidden cells stay "x")."""
    previous = {}
    for spec in CATALOGUE:
        found = queries.public_dataset(spec.name)
        if found is None:
            continue
        path = queries.public_file(found.latest, f"{spec.name}.csv")
        if path is not None:
            previous[spec.name] = path.read_bytes()
    return previous


def _record_failure(source: str, reference_date: date, actor: User | None,
                    message: str, report: CheckReport | None) -> int:
    db.session.rollback()
    run = HarvestRun(source=source, source_kind="?", reference_date=reference_date,
                     status="failed", actor=actor, finished_at=utcnow(),
                     report={"message": message, **(report.to_dict() if report else {})})
    db.session.add(run)
    db.session.commit()
    return run.id


def _no_progress(_label: str, _total: int):
    return lambda _done=1: None


def harvest(source: str, reference_date: date | None = None, actor: User | None = None,
            progress=_no_progress, counted: Harvested | None = None) -> HarvestResult:
    """Harvest ``source`` into draft releases; all or nothing.

    ``progress(label, total)`` returns a callable advanced once per step (the CLI draws a bar).
    ``counted`` is what ``harvest_tables`` gave for this very source and reference date, when
    a worker counted it ahead (``portal.harvest.ahead``); the rest of the harvest is the same.
    """
    if actor is not None:
        require(actor, "harvest")
    reference_date = reference_date or date.today()
    label = source_label(source)  # a database URL without its password
    try:
        # Read, check, minimise and count; a CSV folder streams its residents in chunks.
        harvested = (counted if counted is not None
                     else harvest_tables(source, reference_date, _district(), progress=progress))
    except SourceError as exc:
        run_id = _record_failure(label, reference_date, actor, str(exc), None)
        raise HarvestFailed(str(exc), run_id) from None
    report = harvested.report
    if report.errors:
        message = f"panen dibatalkan: {len(report.errors)} galat"
        run_id = _record_failure(label, reference_date, actor, message, report)
        raise HarvestFailed(message, run_id, report)
    # Residents' names, in memory only, so the scanner can refuse any file that carries one.
    deny_names = harvested.deny_names
    created_ids: list[int] = []
    try:
        if harvested.failure is not None:
            raise harvested.failure
        minimisation, desa = harvested.minimisation, harvested.desa
        k_general = current_app.config["PRIVACY_K_GENERAL"]
        k_specific = current_app.config["PRIVACY_K_SPECIFIC"]
        tables = harvested.tables
        # Protect before the first write: on SQLite the first INSERT takes the database's
        # write lock until the commit, and approvals elsewhere wait for it.
        # Joint protection: the tables share each desa's totals, and the last published
        # pattern is carried forward so a new version cannot undo an old suppression.
        previous = _previous_tables()
        # Read once; each version is converted to numbers once, when a step first needs it.
        previous_frames = Previous({name: pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
                                    for name, content in previous.items()})
        protected_tables = protect_release(tables, k_general, k_specific, previous_frames)
        # The independent auditor attacks before any draft: what it narrows keeps its previous
        # version or waits for a later month, so the rest of the month still publishes.
        protected_tables, withheld = settle(protected_tables, previous, previous_frames, reference_date)
        run = HarvestRun(source=label, source_kind=harvested.kind, reference_date=reference_date,
                         actor=actor, desa_count=len(desa), resident_count=harvested.resident_count)
        db.session.add(run)
        db.session.flush()
        sources = [{"title": f"OpenSID {len(desa)} desa (panen #{run.id}, tanggal referensi "
                             f"{reference_date.isoformat()})"}]
        result = HarvestResult(run=run, report=report)
        step = progress("Menyiapkan rilis", len(protected_tables))
        for protected in protected_tables:
            spec = protected.table.spec
            org = releases.ensure_organization(spec.organization, ORGANIZATIONS[spec.organization])
            dataset = releases.ensure_dataset(spec, org)
            draft = releases.create_draft(dataset, protected, reference_date, run.id, actor, sources)
            if draft is None:
                result.unchanged.append(spec.name)
            else:
                created_ids.append(draft.id)
                result.drafts.append(draft)
            step()
        # Desa boundaries: a separate geographic dataset, drafted beside the tables.
        geo_draft, features = boundary_step.draft_step(harvested.boundaries, _district(), reference_date,
                                                       run.id, actor, sources)
        if geo_draft is not None:
            created_ids.append(geo_draft.id)
            result.drafts.append(geo_draft)
        elif features:
            result.unchanged.append(geo.BOUNDARIES.name)
        # Data quality per desa (issue 13): its own table, drafted beside the others.
        quality_draft, quality_raw = quality_step.draft(harvested, protected_tables, reference_date,
                                                        run.id, actor, sources, k_general,
                                                        with_release=bool(result.drafts))
        if quality_draft is not None:
            created_ids.append(quality_draft.id)
            result.drafts.append(quality_draft)
        else:
            result.unchanged.append(QUALITY_NAME)
        if result.drafts:
            privacy = check_release(protected_tables, result.drafts, previous, deny_names, k_general,
                                    k_specific, minimisation.to_dict(), reference_date)
            if geo_draft is not None:  # its files were scanned with the tables'; it counts nobody
                privacy["geografis"] = geo.privacy_report(features)
                geo_draft.privacy_report = boundary_step.release_report(privacy, features)
        run.status, run.finished_at = "ok", utcnow()
        run.report = {**report.to_dict(), "minimisation": minimisation.to_dict(),
                      "drafts": [d.id for d in result.drafts], "unchanged": result.unchanged}
        run.report["withheld"] = withheld  # table -> why it waits for a later release
        run.report["remedies"] = remedies(protected_tables, withheld)  # table -> what privacy did
        run.report["quality"] = quality_raw  # raw counts per desa, for the walidata's page
        db.session.commit()
        return result
    except Exception as exc:
        for release_id in created_ids:
            releases.storage().discard_draft(release_id)
        message = f"panen gagal: {type(exc).__name__}"
        run_id = _record_failure(label, reference_date, actor, message, report)
        raise HarvestFailed(message, run_id, report) from exc
