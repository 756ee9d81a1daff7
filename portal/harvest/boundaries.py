"""The harvest's boundary step: desa boundaries from ``config.path`` to a "Batas Wilayah Desa" draft.

Separate from the statistic tables on purpose: a boundary counts nobody, so it is not
protected, audited as a table or carried into the tables' identities; it only joins the
harvest's drafts (its files are scanned with theirs, and it goes through the same review).

- ``read_step`` runs while the source is read: the checked boundaries, and one warning per
  unusable boundary or point in the harvest's report (desa, table, row, column; never the
  value). An export without any boundary (no ``path`` column, every path empty) gives None:
  no dataset and no error.
- ``draft_step`` runs with the table drafts: a new version of the dataset when the
  boundaries changed.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

import pandas as pd

from portal.auth.models import User
from portal.datasets import geo
from portal.datasets import services as releases
from portal.datasets.models import Release
from portal.privacy.report import for_table
from portal.sources.boundaries import TABLE, BoundaryReport, read_boundaries
from portal.sources.checks import CheckReport
from portal.sources.wilayah import District
from portal.statistics.catalogue import ORGANIZATIONS

log = logging.getLogger(__name__)
UNREADABLE = "batas wilayah tidak dapat dibaca; dataset Batas Wilayah Desa tidak dibuat pada panen ini"


def read_step(tables: Mapping[str, pd.DataFrame], district: District | None,
              report: CheckReport) -> BoundaryReport | None:
    """The desa boundaries of the export (None when it holds none); warnings go to ``report``."""
    config = tables.get(TABLE) if district is not None else None
    if config is None or "path" not in config.columns:
        return None
    try:
        found = read_boundaries(tables, district)
    except Exception as exc:  # never the statistics' failure: the boundaries are left out
        log.warning("boundaries not read: %s", type(exc).__name__)
        report.add("warning", TABLE, UNREADABLE, column="path")
        return None
    for warning in found.warnings:
        reason = geo_reason(warning)
        report.add("warning", TABLE, f"batas wilayah desa: {reason}; desa digambar sebagai titik",
                   desa=warning.desa, row=warning.row, column=warning.column)
    has_boundary = any((f.get("geometry") or {}).get("type") not in (None, "Point")
                       for f in found.features.values())
    if not has_boundary and not any(w.column == "path" for w in found.warnings):
        return None  # no boundary in the export at all
    return found


def geo_reason(warning) -> str:
    """The reason of a boundary warning (its message without the location, which the report adds)."""
    return warning.message.rsplit(": ", 1)[-1]


def draft_step(boundaries: BoundaryReport | None, district: District, reference_date: date,
               harvest_id: int, actor: User | None, sources: list[dict]) -> tuple[Release | None, list[dict]]:
    """(the new draft or None when unchanged, the normalised features); (None, []) without boundaries."""
    if boundaries is None:
        return None, []
    spec = geo.BOUNDARIES
    org = releases.ensure_organization(spec.organization, ORGANIZATIONS[spec.organization])
    dataset = releases.ensure_dataset(spec, org)
    features = geo.normalised_features(boundaries.features, district)
    return geo.create_geo_draft(dataset, features, reference_date, harvest_id, actor, sources), features


def release_report(report: dict, features: list[dict]) -> dict:
    """The boundary draft's privacy report: the harvest's, narrowed to this dataset.

    The audit attacks published counts; a boundary publishes none ("tidak memuat jumlah
    orang"), so nothing of it can be attacked and the tables' findings are theirs, not its.
    The scan of its own files (CSV, GeoJSON, descriptor) stays exactly as the harvest's scanner
    found it, so a name or number shaped like personal data still blocks it.
    """
    name = geo.BOUNDARIES.name
    narrowed = for_table(report, name)
    own = [f for f in report["scan"]["findings"] if str(f.get("file", "")).startswith(f"{name}/")]
    narrowed["audit"] = {**narrowed["audit"], "findings": [], "passed": True,
                         "note": geo.NO_BOUNDARY_NOTE}
    narrowed["scan"] = {**report["scan"], "findings": own, "passed": not own}
    narrowed["passed"] = not own
    narrowed["geografis"] = geo.privacy_report(features)
    return narrowed
