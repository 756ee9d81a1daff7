"""The harvest's data-quality step: count per desa, protect, draft "Kualitas Data Desa".

The pipeline feeds a statistics.quality.QualityTally with raw residents (for the NIK rule,
the NIK is not kept) and minimised families; after the catalogue tables are protected, the
service calls ``draft`` to publish what the privacy layer allows and keeps the raw counts
(never a value of a person) in the harvest record for the walidata's quality page.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from portal.datasets import packaging
from portal.datasets import services as releases
from portal.datasets.quality import create_quality_draft, privacy_summary, quality_csv, quality_schema
from portal.harvest.privacy_check import published_quality
from portal.privacy.audit_quality import audit_quality
from portal.privacy.quality import protect_quality
from portal.statistics.catalogue import CATALOGUE, ORGANIZATIONS
from portal.statistics.identities import UNIT_TABLE
from portal.statistics.quality import (
    QUALITY_SPEC,
    SCORE,
    SCORE_FORMULA,
    QualityTally,
    indicators,
    quality_frame,
    score,
    warnings_by_desa,
)


def start(desa: pd.DataFrame, reference_date: date) -> QualityTally:
    """An empty tally for the desa of this harvest."""
    return QualityTally(desa, reference_date)


def raw_frame(harvested) -> pd.DataFrame:
    """The raw per-desa quality counts of a harvest (statistics.quality.quality_frame)."""
    warnings = warnings_by_desa(harvested.report.by_desa, harvested.desa)
    return quality_frame(harvested.tables, harvested.quality, warnings, CATALOGUE)


def summary(raw: pd.DataFrame) -> list[dict]:
    """The raw counts per desa for the harvest record: what to fix, ranked by the score."""
    scored = {i.code for i in indicators(CATALOGUE) if i.in_score}
    out = []
    for kode, part in raw.groupby("kode_desa", sort=True):
        first = part.iloc[0]
        items, shares = [], []
        for row in part.itertuples():
            if row.kode == SCORE or row.jumlah is None or pd.isna(row.jumlah):
                continue
            denominator = None if row.penyebut is None or pd.isna(row.penyebut) else int(row.penyebut)
            items.append([int(row.kode), int(row.jumlah), denominator])
            if row.kode in scored and denominator:
                shares.append(int(row.jumlah) / denominator)
        out.append({"kode_desa": kode, "nama_desa": first["nama_desa"],
                    "kode_kecamatan": first["kode_kecamatan"], "nama_kecamatan": first["nama_kecamatan"],
                    "perubahan_terakhir": first["perubahan_terakhir"], "skor": score(shares),
                    "items": items})
    return out


def draft(harvested, protected_tables, reference_date: date, harvest_id: int, actor,
          sources: list[dict], k_general: int, with_release: bool = True):
    """Draft the quality table of this harvest; returns (release or None, the raw summary).

    The published table goes with a release of the counted tables (``with_release``): an
    export whose counts did not change publishes nothing new, however its warnings moved;
    the walidata's page reads the raw summary of every harvest all the same. Where the
    independent auditor (privacy.audit_quality) would narrow a count of it, the table keeps
    its previous version this month (no draft), as a catalogue table would.
    """
    raw = raw_frame(harvested)
    if not with_release:
        return None, summary(raw)
    protected = {p.table.spec.name: p.frame for p in protected_tables}
    frame = protect_quality(raw, protected, UNIT_TABLE, CATALOGUE, k_general)
    tables = {p.table.spec.name: packaging.table_csv(p) for p in protected_tables}
    if audit_quality(quality_csv(frame), tables, UNIT_TABLE, CATALOGUE, k_general, published_quality()):
        return None, summary(raw)
    schema = quality_schema(indicators(CATALOGUE), SCORE_FORMULA)
    org = releases.ensure_organization(QUALITY_SPEC.organization, ORGANIZATIONS[QUALITY_SPEC.organization])
    dataset = releases.ensure_dataset(QUALITY_SPEC, org)
    release = create_quality_draft(dataset, schema, quality_csv(frame),
                                   privacy_summary(frame, k_general, QUALITY_SPEC.name),
                                   reference_date, harvest_id, actor, sources)
    return release, summary(raw)
