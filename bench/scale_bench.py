"""Scale: generate and harvest 1,000,000 and 10,000,000 residents in bounded memory.

For each size, in a temporary folder deleted afterwards: the generator writes the CSV export
in batches of desa, then the harvest reads it (residents in chunks) up to the in-memory
statistic tables (read, check, minimise, count, the scanner's deny-list of names). Each step
runs in a child process so its peak resident memory (VmHWM) is its own. Prints seconds per
million residents at each size, the linearity ratio (largest / smallest) and pass/fail for
peak RSS at most 2 GB.

    .venv/bin/python bench/scale_bench.py [--sizes 1000000 10000000] [--tmp /tmp]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_MB = 2048
REFERENCE_DATE = date(2026, 11, 1)


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(step: str, path: str, residents: int) -> dict:
    """One step, run inside the child process."""
    start = time.perf_counter()
    if step == "generate":
        from portal.demogen.generator import BATCH_RESIDENTS, generate_district
        summary = generate_district(Path(path), residents=residents, seed=1, fmt="csv",
                                    batch_residents=BATCH_RESIDENTS)
        extra = {"families": summary.families, "alive": summary.alive,
                 "csv_mb": sum(p.stat().st_size for p in Path(path).iterdir()) / 1024**2}
    elif step == "floor":
        import pandas as pd
        people = pd.read_csv(Path(path) / "tweb_penduduk.csv", dtype=str, keep_default_na=False)
        alive = people[people["status_dasar"] == "1"]
        extra = {"alive": len(alive), "groups": len(alive.groupby(["config_id", "sex"]).size())}
    else:
        from portal.harvest.pipeline import harvest_tables
        from portal.sources.wilayah import load_district
        harvested = harvest_tables(path, REFERENCE_DATE, load_district("51.02"))
        assert not harvested.report.errors and harvested.failure is None
        extra = {"how": harvested.how, "tables": len(harvested.tables),
                 "alive": harvested.resident_count, "deny_names": len(harvested.deny_names),
                 "warnings": len(harvested.report.warnings)}
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), **extra}


def run_child(step: str, path: Path, residents: int) -> dict:
    """Run one step in a fresh Python process and return what it measured."""
    out = subprocess.run([sys.executable, __file__, "--child", step, str(path), str(residents)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    """Generate and harvest each size, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        step, path, residents = args.child
        print(json.dumps(_child(step, path, int(residents))))
        return
    rows = []
    for residents in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="scale-bench-", dir=args.tmp))
        try:
            export = work / "export"
            gen = run_child("generate", export, residents)
            print(f"{residents:>11,} residents: generated in {gen['seconds']:.1f} s, "
                  f"{gen['csv_mb']:.0f} MB CSV, peak RSS {gen['peak_mb']:.0f} MB", flush=True)
            har = run_child("harvest", export, residents)
            print(f"{'':>11}  harvested ({har['how']}) in {har['seconds']:.1f} s, peak RSS "
                  f"{har['peak_mb']:.0f} MB, {har['alive']:,} living residents, "
                  f"{har['deny_names']:,} distinct names in the deny-list", flush=True)
            rows.append((residents, gen, har))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"{'residents':>11} | {'generate s/M':>12} | {'gen RSS MB':>10} | {'harvest s/M':>11} | "
          f"{'harvest RSS MB':>14} | RSS <= 2 GB")
    for residents, gen, har in rows:
        million = residents / 1e6
        ok = gen["peak_mb"] <= LIMIT_MB and har["peak_mb"] <= LIMIT_MB
        print(f"{residents:>11,} | {gen['seconds'] / million:>12.1f} | {gen['peak_mb']:>10.0f} | "
              f"{har['seconds'] / million:>11.1f} | {har['peak_mb']:>14.0f} | {'pass' if ok else 'FAIL'}")
    if len(rows) > 1:
        (small, g0, h0), (large, g1, h1) = rows[0], rows[-1]
        per = lambda r, m: r["seconds"] / (m / 1e6)  # noqa: E731
        print(f"linearity (s per million at {large:,} / at {small:,}): harvest "
              f"{per(h1, large) / per(h0, small):.2f}, generate {per(g1, large) / per(g0, small):.2f} "
              "(1.00 = linear)")


if __name__ == "__main__":
    main()
