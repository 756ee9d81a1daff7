"""The walidata's data-quality page: desa ranked by completeness, with what to fix.

Read from the raw counts the last successful harvest kept (portal.harvest.quality.summary):
counts per desa only, never a person's value. The CSV is the list to send back to villages.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import Response, render_template
from sqlalchemy import select

from portal.admin.blueprint import bp
from portal.auth.permissions import requires
from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.statistics.catalogue import CATALOGUE
from portal.statistics.quality import SCORE_FORMULA, indicators

FORMULA_CHARS = ("=", "+", "-", "@")  # a spreadsheet would run a cell starting so


@dataclass(frozen=True)
class Fix:
    """One thing a desa should fix: what, how many, out of how many."""

    code: int
    label: str
    count: int
    of: int | None


@dataclass(frozen=True)
class DesaQuality:
    """One desa of the ranking."""

    kode_desa: str
    nama_desa: str
    nama_kecamatan: str
    skor: float | None
    changed: str
    fixes: list[Fix]


def last_run() -> HarvestRun | None:
    """The newest successful harvest that kept data-quality counts."""
    runs = db.session.scalars(select(HarvestRun).where(HarvestRun.status == "ok")
                              .order_by(HarvestRun.id.desc()).limit(20))
    return next((r for r in runs if isinstance((r.report or {}).get("quality"), list)), None)


def ranking(summary: list[dict]) -> list[DesaQuality]:
    """Desa from the lowest score up (without a score first: nothing could be counted)."""
    labels = {i.code: i.label for i in indicators(CATALOGUE)}
    out = []
    for entry in summary:
        fixes = [Fix(code, labels.get(code, str(code)), count, of)
                 for code, count, of in entry.get("items", []) if count]
        out.append(DesaQuality(entry["kode_desa"], entry["nama_desa"], entry["nama_kecamatan"],
                               entry.get("skor"), entry.get("perubahan_terakhir", ""),
                               sorted(fixes, key=lambda f: -f.count)))
    return sorted(out, key=lambda d: (d.skor is not None, d.skor or 0.0, d.kode_desa))


def _safe(text: str) -> str:
    """A name as a spreadsheet cell that is never a formula."""
    return f"'{text}" if str(text).startswith(FORMULA_CHARS) else str(text)


def ranking_csv(rows: list[DesaQuality]) -> bytes:
    """The ranking as CSV: one row per desa, one column per indicator (counts only)."""
    codes = [i for i in indicators(CATALOGUE) if i.code]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["peringkat", "kode_desa", "nama_desa", "nama_kecamatan", "skor",
                     "perubahan_terakhir", *(i.label for i in codes)])
    for rank, row in enumerate(rows, 1):
        counts = {f.code: f.count for f in row.fixes}
        writer.writerow([rank, row.kode_desa, _safe(row.nama_desa), _safe(row.nama_kecamatan),
                         "" if row.skor is None else f"{row.skor:.1f}", row.changed,
                         *(counts.get(i.code, 0) for i in codes)])
    return buffer.getvalue().encode("utf-8")


@bp.get("/kualitas-data")
@requires("view_data_quality")
def data_quality():
    """Desa ranked by completeness with what to fix, from the last harvest."""
    run = last_run()
    rows = ranking(run.report["quality"]) if run else []
    return render_template("admin/quality.html", run=run, rows=rows, formula=SCORE_FORMULA)


@bp.get("/kualitas-data.csv")
@requires("view_data_quality")
def data_quality_csv():
    """The same ranking as a CSV file to send back to the villages."""
    run = last_run()
    body = ranking_csv(ranking(run.report["quality"]) if run else [])
    name = f"kualitas-data-desa-panen-{run.id}.csv" if run else "kualitas-data-desa.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
