"""The public data-quality page (/kualitas-data): each desa's completeness score as published.

Read from the latest published version of "Kualitas Data Desa" only: what the privacy layer
let through, hidden cells shown as hidden, never recomputed from anything unpublished.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from flask import Blueprint, render_template

from portal.catalog import cache
from portal.core.cells import SUPPRESSED
from portal.datasets import queries
from portal.statistics.quality import NIK_INVALID, NO_HEAD, QUALITY_NAME, SCORE, SCORE_FORMULA, SCORE_FORMULA_EN

bp = Blueprint("quality", __name__)
cache.install(bp)  # anonymous readers get the rendered page while the catalog is unchanged


@dataclass(frozen=True)
class DesaScore:
    """One desa's published figures (text as published: a number, "x" hidden, "" none)."""

    kode_desa: str
    nama_desa: str
    nama_kecamatan: str
    skor: str
    used: str
    of: str
    nik: str
    no_head: str
    changed: str

    @property
    def sort_key(self) -> tuple:
        """Best score first; a desa without a score last, then by code."""
        try:
            return (0, -float(self.skor), self.kode_desa)
        except ValueError:
            return (1, 0.0, self.kode_desa)


def scores(frame: pd.DataFrame) -> list[DesaScore]:
    """Each desa's score, used indicators, NIK and head shares, ranked by score."""
    out = []
    for kode, part in frame.groupby("kode_desa", sort=True):
        by_code = {int(r["kode"]): r for r in part.to_dict("records")}
        score, first = by_code.get(SCORE, {}), part.iloc[0]
        out.append(DesaScore(kode, first["nama_desa"], first["nama_kecamatan"], score.get("persen", ""),
                             score.get("jumlah", ""), score.get("penyebut", ""),
                             by_code.get(NIK_INVALID, {}).get("persen", ""),
                             by_code.get(NO_HEAD, {}).get("persen", ""), first["perubahan_terakhir"]))
    return sorted(out, key=lambda d: d.sort_key)


def latest_table() -> tuple[object, pd.DataFrame | None]:
    """(the latest published release, its table) of the quality dataset, or (None, None)."""
    found = queries.public_dataset(QUALITY_NAME)
    if found is None:
        return None, None
    path = queries.public_file(found.latest, f"{QUALITY_NAME}.csv")
    if path is None:
        return found.latest, None
    return found.latest, pd.read_csv(path, dtype=str, keep_default_na=False)


@bp.get("/kualitas-data")
def page():
    """Completeness score of every desa from the published data-quality table."""
    release, frame = latest_table()
    rows = scores(frame) if frame is not None else []
    return render_template("catalog/quality.html", release=release, rows=rows, hidden=SUPPRESSED,
                           name=QUALITY_NAME, formula=SCORE_FORMULA, formula_en=SCORE_FORMULA_EN)
