"""Upload speed: a 100,000-row OPD table (desa x category x period) from upload to a draft ready
for review, beside pandas reading the same file and grouping it, in the same run.

The portal's path is ``portal.uploads.service.upload_to_draft`` on a fresh SQLite portal: read
(gate, decode, parse), infer the schema, refuse persons, check every cell and code, hide small
counts and their partners in each row's "jumlah" sum, audit the published file, write and scan
the draft, validate its data package (frictionless), commit. The floor is ``pandas.read_csv``
of the same bytes and one ``groupby(["kode_desa", "tahun"]).sum()``.

    .venv/bin/python bench/upload_bench.py [--rows 100000] [--repeat 2]
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from portal.sources.wilayah import load_district  # noqa: E402

CATEGORIES = 24  # plus "jumlah", the row every block sums to


def table(rows: int, seed: int = 1) -> bytes:
    """desa x category x period counts with a 'jumlah' row per desa and period; ~15 % small."""
    rng = random.Random(seed)
    desa = [d.kode.replace(".", "") for d in load_district("51.02").desa]
    periods = max(1, rows // (len(desa) * (CATEGORIES + 1)))
    out = ["kode_desa,tahun,kategori,jumlah_penduduk"]
    for year in range(2000, 2000 + periods):
        for code in desa:
            values = [rng.randint(1, 4) if rng.random() < 0.15 else rng.randint(5, 400)
                      for _ in range(CATEGORIES)]
            out += [f"{code},{year},kategori {i + 1},{v}" for i, v in enumerate(values)]
            out.append(f"{code},{year},jumlah,{sum(values)}")
    return ("\n".join(out) + "\n").encode()


def floor(content: bytes) -> float:
    """pandas: read the file and group it by desa and period."""
    started = time.perf_counter()
    frame = pd.read_csv(io.BytesIO(content), dtype={"kode_desa": str})
    frame.groupby(["kode_desa", "tahun"])["jumlah_penduduk"].sum()
    return time.perf_counter() - started


def portal_upload(content: bytes) -> tuple[float, dict]:
    """upload_to_draft on a fresh portal; seconds and the draft's privacy numbers."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.auth.services import create_user, set_memberships
    from portal.datasets import services
    from portal.extensions import db
    from portal.uploads.service import upload_to_draft

    with tempfile.TemporaryDirectory(prefix="upload-bench-") as tmp:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/p.sqlite3",
                          "STORAGE_DIR": f"{tmp}/storage", "INSTANCE_PATH": f"{tmp}/instance",
                          "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            org = services.ensure_organization("dinas-bench", "Dinas Bench")
            db.session.flush()
            user = create_user("bench@example.go.id", "bench-pass-12345", "produsen")
            db.session.flush()
            set_memberships(user, [org.id], None)
            db.session.commit()
            from portal.datasets import drafts

            spent = {"write": 0.0}
            draft_table = drafts.draft_table

            def timed(*args, **kwargs):
                """datasets.draft_table (scan, store, validate the package), timed apart."""
                begun = time.perf_counter()
                try:
                    return draft_table(*args, **kwargs)
                finally:
                    spent["write"] += time.perf_counter() - begun

            services.draft_table = timed
            started = time.perf_counter()
            result = upload_to_draft(content, "tabel.csv", "tabel-bench", "dinas-bench", user)
            seconds = time.perf_counter() - started
            services.draft_table = draft_table
            t = result.report["tables"][0]
            info = {"write": spent["write"], "cells": t["cells"], "primary": t["suppressed_primary"],
                    "secondary": t["suppressed_secondary"], "audit": result.report["audit"]["passed"],
                    "lps": result.report["audit"]["lps_solved"],
                    "valid": result.release.validation_report.get("valid")}
            db.session.remove()
            db.engine.dispose()
    return seconds, info


def main(argv: list[str] | None = None) -> None:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    content = table(args.rows)
    rows = content.count(b"\n") - 1
    floors, uploads, writes, info = [], [], [], {}
    for _ in range(args.repeat):
        floors.append(floor(content))
        seconds, info = portal_upload(content)
        uploads.append(seconds)
        writes.append(info["write"])
    print(f"rows: {rows} ({len(content) / 1024**2:.1f} MB CSV), {args.repeat} alternating runs")
    print("floor (pandas read_csv + groupby): " + ", ".join(f"{s:.2f} s" for s in floors))
    print("upload to draft: " + ", ".join(f"{s:.2f} s" for s in uploads)
          + f"; {info['cells']} cells, {info['primary']} primary + {info['secondary']} secondary hidden, "
            f"audit {'passed' if info['audit'] else 'FAILED'} ({info['lps']} LPs), package valid {info['valid']}")
    pipeline = [u - w for u, w in zip(uploads, writes)]
    print("  of which read, infer, check, protect, audit: " + ", ".join(f"{s:.2f} s" for s in pipeline)
          + "; draft write (output scan, storage, frictionless + profile validation, commit): "
          + ", ".join(f"{s:.2f} s" for s in writes))
    print(f"ratio upload/floor (best of each): {min(uploads) / min(floors):.2f}x (aim: at most 5x); "
          f"without the draft write {min(pipeline) / min(floors):.2f}x")


if __name__ == "__main__":
    main()
