"""Harvest speed: the 470,000-resident demo district from CSV to in-memory statistic tables.

Prints, from the same run, the floor (pandas reading tweb_penduduk.csv and one groupby)
beside the portal's harvest (read every table, check, minimise, count every catalogue table and
build the scanner's deny-list of names; with the village tables of issue 16), their ratio,
and each one's peak resident memory.
Each is timed inside its own child process, so neither inherits the other's memory.

    .venv/bin/python bench/harvest_bench.py [--residents 470000] [--repeat 2]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale_bench import run_child  # noqa: E402
from portal.demogen.generator import generate_district  # noqa: E402
from portal.statistics.catalogue import CATALOGUE  # noqa: E402


def export(residents: int) -> Path:
    """The generated export, cached under bench/out/ (git-ignored)."""
    # "-desa": the export with the village tables of issue 16 (log_penduduk, program, ...).
    out = ROOT / "bench" / "out" / f"district-{residents}-seed1-desa"
    if not (out / "tweb_penduduk.csv").exists():
        print(f"generating {residents} residents into {out} ...", flush=True)
        generate_district(out, residents=residents, seed=1, fmt="csv")
    return out


def main(argv: list[str] | None = None) -> None:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=470_000)
    parser.add_argument("--repeat", type=int, default=2,
                        help="alternate floor and harvest this many times; the best of each counts")
    args = parser.parse_args(argv)
    path = export(args.residents)
    floors, harvests = [], []
    for _ in range(args.repeat):
        floors.append(run_child("floor", path, args.residents))
        harvests.append(run_child("harvest", path, args.residents))
    base = min(floors, key=lambda r: r["seconds"])
    best = min(harvests, key=lambda r: r["seconds"])
    print(f"residents: {args.residents} ({best['alive']} living), {args.repeat} alternating runs")
    print("floor (pandas read_csv + groupby): "
          + ", ".join(f"{r['seconds']:.2f} s" for r in floors) + f"; peak RSS {base['peak_mb']:.0f} MB")
    print(f"harvest to {len(CATALOGUE)} tables ({best['how']}): "
          + ", ".join(f"{r['seconds']:.2f} s" for r in harvests) + f"; peak RSS {best['peak_mb']:.0f} MB")
    print(f"ratio harvest/floor (best of each): {best['seconds'] / base['seconds']:.2f}x (aim: at most 3x)")


if __name__ == "__main__":
    main()
