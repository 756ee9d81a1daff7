"""Benchmark: protect and audit every table of the demo district (470,000 residents).

Run from the repository root: .venv/bin/python bench/privacy_bench.py [--residents N]
The generated export is cached under bench/out/ (git-ignored). Prints, from one run, the
time to count the tables beside the time to protect them, and the audit's time per LP.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.core.vocabularies import PrivacyClass  # noqa: E402
from portal.datasets.packaging import table_csv, table_schema  # noqa: E402
from portal.demogen.generator import generate_district  # noqa: E402
from portal.privacy.audit import audit_release  # noqa: E402
from portal.privacy.policy import minimise_families, minimise_residents, table_class  # noqa: E402
from portal.privacy.protect import protect_release  # noqa: E402
from portal.privacy.scan import build_deny_list, scan_release  # noqa: E402
from portal.sources.readers import read_source  # noqa: E402
from portal.statistics.catalogue import CATALOGUE  # noqa: E402
from portal.statistics.compute import count_table, desa_frame  # noqa: E402
from portal.statistics.identities import broken  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
REFERENCE_DATE = date(2026, 11, 1)


class Clock:
    """Wall and CPU seconds of each step, printed as they finish."""

    def __init__(self):
        self.steps: dict[str, tuple[float, float]] = {}

    def __call__(self, name: str, fn, *args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn(*args, **kwargs)
        self.steps[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        print(f"{name:<28} {self.steps[name][0]:7.2f} s wall {self.steps[name][1]:7.2f} s cpu", flush=True)
        return result


def main() -> None:
    """Generate (once), count, protect, publish, audit and scan; print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=470_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    export = OUT / f"district-{args.residents}-seed{args.seed}"
    clock = Clock()
    if not export.exists():
        clock("generate (cached after)", generate_district, export, residents=args.residents,
              seed=args.seed, fmt="csv")
    source = clock("read export", read_source, export)
    residents, report = minimise_residents(source["tweb_penduduk"], REFERENCE_DATE)
    fams = minimise_families(source["tweb_keluarga"], residents, report)
    desa = desa_frame(source["config"])
    tables = clock("count 19 tables", lambda: [count_table(s, residents, fams, desa) for s in CATALOGUE])
    protected = clock("protect (joint)", protect_release, tables, 5, 10)
    files = clock("write CSVs", lambda: {p.table.spec.name: table_csv(p) for p in protected})
    schemas = {p.table.spec.name: table_schema(p) for p in protected}
    k_for = {p.table.spec.name: p.k for p in protected}
    specific = {p.table.spec.name for p in protected if table_class(p.table.spec) is PrivacyClass.SPECIFIC}
    audit = clock("audit (LP attack)", audit_release, files, schemas, None, k_for, specific)
    deny = build_deny_list(source["tweb_penduduk"]["nama"])
    found = clock("scan (patterns + names)", scan_release,
                  {f"data/{name}.csv": content for name, content in files.items()}, deny)
    primary = sum(p.primary for p in protected)
    secondary = sum(p.secondary for p in protected)
    cells = sum(p.frame[["jumlah", "laki_laki", "perempuan"]].size for p in protected)
    count_s, protect_s, audit_s = (clock.steps[k][0] for k in ("count 19 tables", "protect (joint)",
                                                                 "audit (LP attack)"))
    print()
    print(f"residents {len(residents):,}  desa {len(desa)}  cells {cells:,}")
    print(f"suppressed: {primary:,} primary + {secondary:,} secondary = {primary + secondary:,}")
    print(f"protect {protect_s:.2f} s = {protect_s / count_s:.2f} x the time to count the tables ({count_s:.2f} s)")
    print(f"audit {audit_s:.2f} s: {audit.lps:,} LPs, {1000 * audit_s / max(audit.lps, 1):.2f} ms per LP "
          f"(all in), {audit.hidden_cells:,} hidden cells, narrowest interval {audit.narrowest_interval}, "
          f"passed {audit.passed}")
    print(f"protect + audit {protect_s + audit_s:.2f} s wall; scan findings {len(found)}")
    gaps = broken({t.spec.name: t.frame for t in tables})
    print(f"identities assumed {len(audit.identities)} (+ margins): {', '.join(audit.identities)}; "
          f"contradicted by published numbers in {len(audit.identities_contradicted)} desa-identity "
          f"pairs; broken by the counted data in {len(gaps)}")


if __name__ == "__main__":
    main()
