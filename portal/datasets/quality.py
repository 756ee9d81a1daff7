"""The data-quality table of a harvest as a release: its schema, CSV and draft.

Same path as every harvested table (draft, scan, validation, review, approval), with its
own Table Schema: one row per desa and indicator, a count, its denominator and the share.
What the table holds was decided by the privacy layer (portal.privacy.quality).
"""
from __future__ import annotations

import io
from datetime import date

import pandas as pd

from portal.auth.models import User
from portal.core.cells import SUPPRESSED, SUPPRESSED_LABEL
from portal.datasets import packaging
from portal.datasets.drafts import draft_table
from portal.datasets.models import Dataset, Release

NOT_APPLICABLE = ""
NOT_APPLICABLE_LABEL = "Tidak berlaku (pangsa peringatan, atau penyebut nol)"


def quality_schema(indicators, formula: str) -> dict:
    """The Table Schema of the quality table (long format: desa x indicator)."""
    return {"fields": [
        *packaging.area_fields(),
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
    return draft_table(dataset, schema, csv_bytes, privacy_report, reference_date, harvest_id, actor, sources)
