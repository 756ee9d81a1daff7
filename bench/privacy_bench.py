"""Benchmark: protect and audit every table of the demo district (470,000 residents).

Run from the repository root: .venv/bin/python bench/privacy_bench.py [--residents N] [--one-version]
The generated exports are cached under bench/out/ (git-ignored). Prints, from one run, the
time to count the tables beside the time to protect them, and the audit's time per LP; then
a second month of the district's history protected against the first and the two-version
audit a monthly re-harvest runs.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.core.vocabularies import PrivacyClass  # noqa: E402
from portal.datasets.packaging import table_csv, table_schema  # noqa: E402
from portal.demogen.generator import generate_district  # noqa: E402
from portal.harvest.privacy_check import republished  # noqa: E402
from portal.privacy.audit import audit_release  # noqa: E402
from portal.privacy.policy import minimise_families, minimise_residents, table_class  # noqa: E402
from portal.privacy.protect import protect_release  # noqa: E402
from portal.privacy.scan import build_deny_list, scan_release  # noqa: E402
from portal.sources.readers import read_source  # noqa: E402
from portal.statistics.catalogue import REGISTER_TABLES  # noqa: E402
from portal.statistics.compute import count_table, desa_frame  # noqa: E402
from portal.statistics.identities import broken  # noqa: E402
from portal.statistics.village import available  # noqa: E402

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
    parser.add_argument("--one-version", action="store_true",
                        help="skip the second month (the two-version protect and audit)")
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
    specs = register_specs(source)
    tables = clock("count 19 tables", lambda: [count_table(s, residents, fams, desa) for s in specs])
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
    if not args.one_version:
        print()
        two_versions(args.residents, args.seed)


def register_specs(source) -> list:
    """The register tables the harvest counts from this export (its residents' columns)."""
    return available(REGISTER_TABLES, set(), set(source["tweb_penduduk"].columns))[0]


def _count(clock: Clock, export: Path, when: date, label: str) -> list:
    """Read, minimise and count one export (timed)."""
    source = clock(f"read {label}", read_source, export)
    residents, report = minimise_residents(source["tweb_penduduk"], when)
    fams = minimise_families(source["tweb_keluarga"], residents, report)
    desa = desa_frame(source["config"])
    specs = register_specs(source)
    return clock(f"count {label}", lambda: [count_table(s, residents, fams, desa) for s in specs])


def two_versions(residents: int, seed: int) -> None:
    """A month of the district's history (portal/demogen/history.py) after its first release:
    protect the second month with the first as the previous version and run the two-version
    audit, as a monthly re-harvest does (the cost the gate pays every month)."""
    export = OUT / f"district-{residents}-seed{seed}-months2"
    clock = Clock()
    if not export.exists():
        clock("generate 2 months (cached)", generate_district, export, residents=residents,
              seed=seed, fmt="csv", months=2)
    first, second = sorted(p for p in export.iterdir() if p.is_dir())
    dates = [date.fromisoformat(f"{p.name}-01") for p in (first, second)]
    v1 = clock("protect month 1", protect_release, _count(clock, first, dates[0], "month 1"), 5, 10)
    old = {p.table.spec.name: table_csv(p) for p in v1}
    previous = {n: pd.read_csv(io.BytesIO(b), dtype=str, keep_default_na=False) for n, b in old.items()}
    v2 = clock("protect month 2", protect_release, _count(clock, second, dates[1], "month 2"), 5, 10,
               previous)
    new = {p.table.spec.name: table_csv(p) for p in v2}
    schemas = {p.table.spec.name: table_schema(p) for p in v2}
    k_for = {p.table.spec.name: p.k for p in v2}
    specific = {p.table.spec.name for p in v2 if table_class(p.table.spec) is PrivacyClass.SPECIFIC}
    current = republished(new, old)
    audit = clock("audit, two versions", audit_release, current, schemas, old, k_for, specific)
    kept = sorted(p.table.spec.name for p in v2 if any("dipertahankan:" in n for n in p.notes))
    hidden = sum(p.primary + p.secondary for p in v2)
    print()
    print(f"month 2: {hidden:,} cells hidden; {len(current)} tables republished, kept {kept or 'none'}")
    print(f"two-version audit {clock.steps['audit, two versions'][0]:.2f} s: {audit.lps:,} LPs, "
          f"{audit.hidden_cells:,} hidden cells (month 2), narrowest interval {audit.narrowest_interval}, "
          f"passed {audit.passed}, findings {len(audit.findings)}")


if __name__ == "__main__":
    main()
