"""How many tables the privacy layer keeps at their previous version, month by month.

The real harvest and the demo's review (submit, approve, the gate) on a small living district:
the first kecamatan of the configured district at demo density (3,500 residents a desa), a
series of monthly exports generated once (cached under bench/out), each month harvested on a
fresh instance folder (SQLite in a temporary directory; /work's instance/ is never touched).
Prints per month: published, unchanged, kept by the privacy layer, refused, and the CPU of the
harvest and of the review, with the load average; then the kept and unchanged tables by name.

    .venv/bin/python bench/kept_bench.py [--kecamatan 1] [--months 4] [--per-desa 3500]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SEED = 2026


def _district(code: str, kecamatan: int):
    """The configured district cut to its first ``kecamatan`` kecamatan."""
    from portal.sources.wilayah import load_district

    whole = load_district(code)
    return replace(whole, kecamatan=whole.kecamatan[:kecamatan])


def _export(district, per_desa: int, months: int) -> Path:
    """The monthly exports of the cut district (generated once, then reused)."""
    from portal.demogen.generator import generate_district

    residents = per_desa * len(district.desa)
    folder = OUT / f"kept-{district.kode}-{len(district.kecamatan)}kec-{residents}-m{months}"
    if not (folder / "done").exists():
        generate_district(folder, residents=residents, seed=SEED, fmt="csv", months=months,
                          district=district)
        (folder / "done").write_text("ok")
    return folder


def main() -> None:
    """Generate (or reuse) the exports, then harvest and publish them month by month."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kecamatan", type=int, default=1)
    parser.add_argument("--months", type=int, default=4)
    parser.add_argument("--per-desa", type=int, default=3500)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="kept-bench-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("STORAGE_DIR", None)
    os.environ["PORTAL_INSTANCE"] = str(instance)
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade"]
    subprocess.run(flask, cwd=ROOT, check=True, capture_output=True)

    from portal import create_app
    from portal.demo import DemoMonth, _month_of, ensure_demo_users, publish_month
    from portal.demogen.generator import month_labels

    app = create_app()
    with app.app_context():
        district = _district(app.config["DISTRICT_CODE"], args.kecamatan)
        folder = _export(district, args.per_desa, args.months)
        print(f"{len(district.desa)} desa, {args.per_desa * len(district.desa)} residents, "
              f"{args.months} months, instance {instance}")
        users = ensure_demo_users()
        for label in month_labels(args.months):
            outcome = publish_month(DemoMonth(_month_of(label), folder / label), users)
            print(f"{label}: published {len(outcome.published)} unchanged {len(outcome.unchanged)} "
                  f"kept {len(outcome.held)} refused {len(outcome.refused)}  "
                  f"CPU harvest {outcome.harvest_cpu:.1f} s review {outcome.review_cpu:.1f} s  "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
            for name in sorted(outcome.held):
                print(f"    kept {name}")
            for name in sorted(outcome.unchanged):
                print(f"    unchanged {name}")
            for name in sorted(outcome.refused):
                print(f"    refused {name}")


if __name__ == "__main__":
    main()
