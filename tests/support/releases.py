"""Release helpers and the redraft fixture: further versions of the first table, from its published CSV."""
from __future__ import annotations

import pandas as pd
import pytest

from portal.core.cells import SUPPRESSED
from portal.datasets import services
from portal.datasets.models import Release
from portal.datasets.queries import release_csv, table_from_bytes
from portal.extensions import db
from portal.privacy.protect import ProtectedTable
from portal.statistics.catalogue import CATALOGUE, COUNT_FIELDS
from portal.statistics.compute import Category, StatTable, categories_for
from tests.support.world import REFERENCE_DATE


def protected_from(release: Release, change=None, extra_category: Category | None = None) -> ProtectedTable:
    """The release's table as a ProtectedTable, optionally changed (data) or extended (code list)."""
    spec = next(s for s in CATALOGUE if s.name == release.dataset.name)
    frame = table_from_bytes(release_csv(release))
    frame["kode"] = frame["kode"].astype(int)
    for column in COUNT_FIELDS:
        frame[column] = pd.array([None if v == SUPPRESSED else int(v) for v in frame[column]], dtype="Int64")
    categories = categories_for(spec)
    if extra_category is not None:
        categories = [*categories, extra_category]
    if change is not None:
        frame = change(frame.copy())
    table = StatTable(spec=spec, categories=categories, frame=frame)
    return ProtectedTable(table=table, frame=frame, k=5, primary=0, secondary=0)


def bump_first_count(frame: pd.DataFrame) -> pd.DataFrame:
    """Add 10 residents to the first visible row (a data change)."""
    row = frame.index[frame["jumlah"].notna()][0]
    frame.loc[row, "jumlah"] += 10
    frame.loc[row, "laki_laki"] += 10
    return frame


def audit_as_harvest(protected: ProtectedTable, draft: Release, previous: Release) -> None:
    """Audit and scan the draft as a harvest does, so the privacy gate sees a real report."""
    try:
        from portal.harvest.privacy_check import check_release
    except ImportError:  # a privacy layer without the gate: the table's own report stands
        return
    name = previous.dataset.name
    check_release([protected], [draft], {name: release_csv(previous)}, set(), 5, 10, {})


@pytest.fixture
def redraft(app, users):
    """Make, submit and optionally publish a new version of a dataset from its latest release."""
    def make(release: Release, change=bump_first_count, extra_category=None, publish=True,
             note="Pembaruan data."):
        protected = protected_from(release, change, extra_category)
        draft = services.create_draft(release.dataset, protected, REFERENCE_DATE, release.harvest_id,
                                      users["produsen"], [{"title": "uji"}])
        if draft is not None:
            audit_as_harvest(protected, draft, release)
        db.session.commit()
        if publish and draft is not None:
            services.submit(draft, users["produsen"], note)
            db.session.commit()
            services.approve(draft, users["walidata"], "Setuju.")
        return draft
    return make
