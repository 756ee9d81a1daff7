"""Harvest speed: the 470,000-resident demo district from CSV to in-memory statistic tables.

Prints, from the same run, the floor (pandas reading tweb_penduduk.csv and one groupby)
beside the portal's harvest (read every table, check, minimise, count all 19 tables),
their ratio, and the peak resident memory.

    .venv/bin/python bench/harvest_bench.py [--residents 470000]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from portal.privacy.policy import minimise_families, minimise_residents  # noqa: E402
from portal.sources.checks import check_tables  # noqa: E402
from portal.sources.generator import generate_district  # noqa: E402
from portal.sources.readers import read_source  # noqa: E402
from portal.sources.wilayah import load_district  # noqa: E402
from portal.statistics.catalogue import CATALOGUE  # noqa: E402
from portal.statistics.compute import count_all, desa_frame  # noqa: E402

REFERENCE_DATE = date(2026, 11, 1)


def export(residents: int) -> Path:
    """The generated export, cached under bench/out/ (git-ignored)."""
    out = ROOT / "bench" / "out" / f"district-{residents}"
    if not (out / "tweb_penduduk.csv").exists():
        print(f"generating {residents} residents into {out} ...", flush=True)
        generate_district(out, residents=residents, seed=1, fmt="csv")
    return out


def floor(path: Path) -> float:
    """pandas alone: read the residents file and count living residents by desa and sex."""
    start = time.perf_counter()
    people = pd.read_csv(path / "tweb_penduduk.csv", dtype=str, keep_default_na=False)
    alive = people[people["status_dasar"] == "1"]
    alive.groupby(["config_id", "sex"]).size()
    return time.perf_counter() - start


def harvest_in_memory(path: Path) -> tuple[float, dict[str, float]]:
    """The portal's harvest up to the statistic tables, timed per stage."""
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    tables = read_source(path)
    stages["read"] = time.perf_counter() - t0
    t = time.perf_counter()
    report = check_tables(tables, REFERENCE_DATE, load_district("51.02"))
    assert not report.errors, report.errors[:3]
    stages["check"] = time.perf_counter() - t
    t = time.perf_counter()
    frames = {n: f.drop(columns=[c for c in f.columns if c.startswith("_")]) for n, f in tables.tables.items()}
    residents, minimisation = minimise_residents(frames["tweb_penduduk"], REFERENCE_DATE)
    families = minimise_families(frames["tweb_keluarga"], residents, minimisation)
    stages["minimise"] = time.perf_counter() - t
    t = time.perf_counter()
    desa = desa_frame(frames["config"])
    count_all(CATALOGUE, residents, families, desa)
    stages["count"] = time.perf_counter() - t
    return time.perf_counter() - t0, stages


def main(argv: list[str] | None = None) -> None:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=470_000)
    args = parser.parse_args(argv)
    path = export(args.residents)
    base = floor(path)
    total, stages = harvest_in_memory(path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"residents: {args.residents}")
    print(f"floor (pandas read_csv + groupby): {base:.2f} s")
    print(f"harvest to {len(CATALOGUE)} tables:         {total:.2f} s  "
          + "  ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    print(f"ratio harvest/floor: {total / base:.2f}x (aim: at most 3x)")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
