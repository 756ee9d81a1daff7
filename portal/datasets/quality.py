"""The data-quality table of a harvest as a release: its schema, CSV and draft.

Same path as every harvested table (draft, scan, validation, review, approval), with its
own Table Schema: one row per desa and indicator, a count, its denominator and the share.
What the table holds was decided by the privacy layer (portal.privacy.quality).
"""
from __future__ import annotations

import io
from datetime import date

import pandas as pd

from portal.audit.log import record
from portal.auth.models import User
from portal.core.cells import SUPPRESSED, SUPPRESSED_LABEL
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import packaging, versions
from portal.datasets.drafts import OPEN_STATUSES, _write, build_descriptor, current_meta
from portal.datasets.models import Dataset, Release
from portal.datasets.storage import sha256_bytes
from portal.extensions import db

NOT_APPLICABLE = ""
NOT_APPLICABLE_LABEL = "Tidak berlaku (pangsa peringatan, atau penyebut nol)"


def quality_schema(indicators, formula: str) -> dict:
    """The Table Schema of the quality table (long format: desa x indicator)."""
    return {"fields": [
        {"name": "kode_desa", "title": "Kode desa (Kemendagri)", "type": "string",
         "constraints": {"required": True, "pattern": packaging.KODE_DESA_PATTERN}},
        {"name": "nama_desa", "title": "Nama desa", "type": "string", "constraints": {"required": True}},
        {"name": "kode_kecamatan", "title": "Kode kecamatan (Kemendagri)", "type": "string",
         "constraints": {"required": True, "pattern": packaging.KODE_KECAMATAN_PATTERN}},
        {"name": "nama_kecamatan", "title": "Nama kecamatan", "type": "string",
         "constraints": {"required": True}},
        {"name": "perubahan_terakhir", "title": "Bulan perubahan data terakhir", "type": "string",
         "description": "Bulan (YYYY-MM) data desa terakhir diubah di OpenSID, menurut updated_at "
                        "penduduk dan keluarga, paling lambat tanggal referensi",
         "constraints": {"pattern": r"^\d{4}-\d{2}$"}},
        {"name": "kode", "title": "Kode indikator", "type": "integer",
         "categories": [{"value": i.code, "label": i.label} for i in indicators],
         "constraints": {"required": True}},
        {"name": "indikator", "title": "Indikator", "type": "string",
         "categories": [i.label for i in indicators], "constraints": {"required": True}},
        {"name": "jumlah", "title": "Jumlah", "type": "integer",
         "description": "Penduduk, keluarga atau baris peringatan yang bermasalah; pada baris skor: "
                        "banyaknya indikator yang dipakai", "constraints": {"minimum": 0}},
        {"name": "penyebut", "title": "Penyebut", "type": "integer",
         "description": "Penduduk atau keluarga yang dapat bermasalah; pada baris skor: banyaknya "
                        "indikator skor", "constraints": {"minimum": 0}},
        {"name": "persen", "title": "Persen", "type": "number",
         "description": f"jumlah / penyebut × 100; pada baris skor: {formula}",
         "constraints": {"minimum": 0, "maximum": 100}},
    ], "primaryKey": ["kode_desa", "kode"], "uniqueKeys": [["kode_desa", "indikator"]],
        "missingValues": [{"value": SUPPRESSED, "label": SUPPRESSED_LABEL},
                          {"value": NOT_APPLICABLE, "label": NOT_APPLICABLE_LABEL}]}


def _cell(value) -> str:
    """A cell as written: hidden as the suppressed marker, not applicable as empty."""
    if value is None:
        return NOT_APPLICABLE
    if value is pd.NA or value == SUPPRESSED or (isinstance(value, float) and value != value):
        return SUPPRESSED  # hidden, and fail closed on any other missing value
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def quality_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of the protected quality table (hidden "x", not applicable empty)."""
    text = frame.astype(object).map(_cell)
    buffer = io.StringIO()
    text.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def privacy_summary(frame: pd.DataFrame, k: int, name: str) -> dict:
    """The table's own privacy figures (the harvest's report replaces it for review)."""
    cells = frame[["jumlah", "penyebut", "persen"]]
    hidden = int(sum(1 for v in cells.to_numpy().ravel() if isinstance(v, str) and v == SUPPRESSED))
    return {"table": name, "k": k, "privacy_class": "umum", "cells": int(cells.size),
            "suppressed_primary": hidden, "suppressed_secondary": 0,
            "notes": ["jumlah kecil disembunyikan; pangsa dan skor dari sel tersembunyi ikut disembunyikan"]}


def create_quality_draft(dataset: Dataset, schema: dict, csv_bytes: bytes, privacy_report: dict,
                         reference_date: date, harvest_id: int | None, actor: User | None,
                         sources: list[dict]) -> Release | None:
    """Draft a new version of the quality table; None when nothing changed (as create_draft)."""
    schema_hash = sha256_bytes(packaging.canonical_json(schema))
    data_hash = sha256_bytes(csv_bytes)
    previous = versions.latest_published(dataset)
    if previous and (previous.schema_hash, previous.data_hash) == (schema_hash, data_hash):
        return None
    open_releases = [r for r in dataset.releases if r.status in OPEN_STATUSES]
    if any((r.schema_hash, r.data_hash) == (schema_hash, data_hash) for r in open_releases):
        return None
    meta = next((r.meta for r in reversed(open_releases) if r.meta), None) or current_meta(dataset)
    for open_release in open_releases:
        open_release.status = ReleaseStatus.SUPERSEDED
        record("supersede", actor, open_release)
    version = versions.version_for(dataset, schema_hash, data_hash)
    release = Release(dataset=dataset, harvest_id=harvest_id, version=version,
                      reference_date=reference_date, schema_hash=schema_hash, data_hash=data_hash,
                      privacy_report=privacy_report, status=ReleaseStatus.DRAFT, meta=dict(meta))
    db.session.add(release)
    db.session.flush()
    extra = [{"title": f"Panen Portal Satu Data #{harvest_id} (tanggal referensi "
                       f"{reference_date.isoformat()})", "version": reference_date.isoformat()}]
    descriptor = build_descriptor(dataset, meta, version, schema, csv_bytes,
                                  [*sources, *(extra if harvest_id is not None else [])])
    _write(release, descriptor, csv_bytes)
    record("draft", actor, release)
    return release
