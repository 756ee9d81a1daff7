"""The harvest with every village table, end to end as `flask --app wsgi harvest` runs it.

Issue 16 item 6. Generates the demo district once with all its tables (the register, the
population and family logs, aid programmes and recipients, households, posyandu, KIA,
pregnancies, monthly child measurements, PAUD targets; cached under bench/out/, git-ignored),
then, each step in its own child process (its peak resident memory is its own):

1. the floor: pandas reads tweb_penduduk.csv and log_penduduk.csv and groups each once
   (living residents by desa × sex; log rows by desa × kode_peristiwa × month of tgl_lapor);
2. the service: a fresh SQLite instance in a temporary folder (`db upgrade`), then the
   `harvest` command of `flask --app wsgi` invoked in-process (read, check, minimise, count,
   protect, settle with the auditor, drafts, data quality, boundaries, scan, privacy report,
   commit). Phases are timed (wall and CPU) by wrapping the functions the service calls,
   no profiler;
3. the audit's growth: the independent auditor (portal/privacy/audit.py) on the release the
   service settled, for the first 5, 10, 20 and all of its tables, and for the desa of the
   first quarter, half and all of the district (whole kecamatan, by code), with a straight-line
   fit of seconds against count cells.

Floor and service alternate --repeat times; the best of each gives the ratio (aim: at most 3×).

    .venv/bin/python bench/village_bench.py [--residents 470000] [--repeat 2] [--no-growth] [--keep DIR]

--keep DIR leaves each service run's instance (database, storage) in DIR/service-N, to compare
the files two versions of the code publish from the same export.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REFERENCE_DATE = date(2026, 11, 1)
# A file every table family of issue 16 writes; an older cached export lacks it.
LAST_TABLE = "sasaran_paud.csv"
TABLE_STEPS = (5, 10, 20)
DESA_SHARES = (0.25, 0.5)


def export(residents: int) -> Path:
    """The generated export with every village table, cached under bench/out/ (git-ignored)."""
    from portal.demogen.generator import generate_district

    out = ROOT / "bench" / "out" / f"district-{residents}-seed1-village"
    if not (out / LAST_TABLE).exists():
        print(f"generating {residents} residents into {out} ...", flush=True)
        started = time.perf_counter()
        generate_district(out, residents=residents, seed=1, fmt="csv")
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return out


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor(path: Path) -> dict:
    """pandas alone: read both files and group each once."""
    import pandas as pd

    people = pd.read_csv(path / "tweb_penduduk.csv", dtype=str, keep_default_na=False)
    alive = people[people["status_dasar"] == "1"]
    register = alive.groupby(["config_id", "sex"]).size()
    log = pd.read_csv(path / "log_penduduk.csv", dtype=str, keep_default_na=False)
    events = log.groupby([log["config_id"], log["kode_peristiwa"], log["tgl_lapor"].str[:7]]).size()
    return {"alive": len(alive), "log_rows": len(log), "groups": len(register) + len(events)}


class Phases:
    """Wall and CPU seconds spent inside each wrapped function, and how often it ran."""

    def __init__(self):
        self.order: list[str] = []
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, owner, attr: str, label: str, keep=None) -> None:
        """Replace ``owner.attr`` by a timed call (``keep(result)`` sees each result)."""
        inner = getattr(owner, attr)
        self.order.append(label)

        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                result = inner(*args, **kwargs)
            finally:
                self.wall[label] = self.wall.get(label, 0.0) + time.perf_counter() - wall
                self.cpu[label] = self.cpu.get(label, 0.0) + time.process_time() - cpu
                self.calls[label] = self.calls.get(label, 0) + 1
            if keep is not None:
                keep(result)
            return result

        setattr(owner, attr, timed)

    def rows(self) -> dict:
        """JSON-able: label -> [wall, cpu, calls]."""
        return {k: [self.wall[k], self.cpu[k], self.calls[k]] for k in self.order if k in self.wall}


def _instrument(phases: Phases, settled: list) -> None:
    """Time every step the harvest service takes (names looked up where the service calls them)."""
    from portal.datasets import services as releases
    from portal.harvest import boundaries, privacy_check, quality, service

    phases.wrap(service, "harvest_tables", "read+check+minimise+count")
    phases.wrap(service, "protect_release", "protect")
    phases.wrap(service, "settle", "settle (audit + remedies)", keep=settled.append)
    phases.wrap(privacy_check, "audit_release", "  of which audit_release")
    phases.wrap(privacy_check, "reprotect", "  of which reprotect")
    phases.wrap(releases, "create_draft", "drafts (files, DB rows)")
    phases.wrap(boundaries, "draft_step", "boundaries draft")
    phases.wrap(quality, "draft", "data-quality draft")
    phases.wrap(service, "check_release", "check_release (scan, report)")
    phases.wrap(privacy_check, "scan_release", "  of which scan")
    phases.wrap(privacy_check, "audit_quality", "  of which quality audit")


def _service(path: Path, work: Path) -> dict:
    """Migrate a fresh instance, then run `flask --app wsgi harvest` in this process, timed."""
    import flask_migrate

    from wsgi import app  # what `flask --app wsgi` loads; PORTAL_INSTANCE points at `work`

    with app.app_context():
        flask_migrate.upgrade()
    phases, settled = Phases(), []
    _instrument(phases, settled)
    wall, cpu = time.perf_counter(), time.process_time()
    done = app.test_cli_runner().invoke(args=["harvest", str(path), "--reference-date",
                                              REFERENCE_DATE.isoformat()])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if done.exit_code != 0:
        raise SystemExit(f"harvest failed ({done.exit_code}): {done.output[-3000:]}")
    summary = next(line for line in done.output.splitlines() if line.startswith("Panen #"))
    with app.app_context():
        _save_release(settled[-1][0], work / "release.pickle")
    return {"seconds": wall, "cpu": cpu, "phases": phases.rows(), "summary": summary,
            "release": str(work / "release.pickle")}


def _save_release(protected: list, target: Path) -> None:
    """The settled release as the auditor reads it (published CSVs, schemas, k), for the growth step."""
    from portal.core.vocabularies import PrivacyClass
    from portal.datasets.packaging import table_csv, table_schema

    # What the settle step hands the auditor on a first harvest (no previous versions).
    target.write_bytes(pickle.dumps({
        "current": {p.table.spec.name: table_csv(p) for p in protected},
        "schemas": {p.table.spec.name: table_schema(p) for p in protected},
        "k_for": {p.table.spec.name: p.k for p in protected},
        "specific": sorted(p.table.spec.name for p in protected
                           if p.table.spec.privacy_class is PrivacyClass.SPECIFIC)}))


def _cells(current: dict[str, bytes], schemas: dict[str, dict]) -> int:
    """Count cells (rows × count columns) of the given published tables."""
    from portal.privacy.audit_model import count_columns

    return sum((content.count(b"\n") - 1) * len(count_columns(schemas[name]))
               for name, content in current.items())


def _only_desa(content: bytes, chosen: set[str]) -> bytes:
    """One published CSV cut to the rows of the chosen desa."""
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    return frame[frame["kode_desa"].isin(chosen)].to_csv(index=False).encode()


def _desa_codes(current: dict[str, bytes]) -> list[str]:
    """Every desa code the release publishes, sorted (so a prefix is whole kecamatan)."""
    import pandas as pd

    codes: set[str] = set()
    for content in current.values():
        codes |= set(pd.read_csv(io.BytesIO(content), dtype=str, usecols=["kode_desa"])["kode_desa"])
    return sorted(codes)


def _audit_point(label: str, current: dict[str, bytes], saved: dict) -> dict:
    """Run the auditor once on ``current`` (one version); its seconds, size and verdict."""
    from portal.privacy.audit import audit_release

    wall, cpu = time.perf_counter(), time.process_time()
    report = audit_release(current, saved["schemas"], None, saved["k_for"], set(saved["specific"]))
    return {"label": label, "tables": len(current), "cells": _cells(current, saved["schemas"]),
            "hidden": report.hidden_cells, "lps": report.lps, "passed": report.passed,
            "seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def _growth(release: Path) -> dict:
    """The auditor on growing parts of the settled release: by tables, then by desa."""
    saved = pickle.loads(release.read_bytes())
    current = saved["current"]
    names = list(current)  # catalogue order, as protected
    points = [_audit_point(f"first {n} tables", {k: current[k] for k in names[:n]}, saved)
              for n in TABLE_STEPS if n < len(names)]
    points.append(_audit_point(f"all {len(names)} tables", current, saved))
    codes = _desa_codes(current)
    for share in DESA_SHARES:
        chosen = set(codes[:round(len(codes) * share)])
        cut = {k: _only_desa(v, chosen) for k, v in current.items()}
        points.append(_audit_point(f"all tables, {len(chosen)} of {len(codes)} desa", cut, saved))
    return {"points": points, "desa": len(codes)}


def _child(step: str, path: str, work: str) -> dict:
    """One step, run inside the child process (imports before the clock starts)."""
    import pandas  # noqa: F401

    wall, cpu = time.perf_counter(), time.process_time()
    if step == "floor":
        extra = _floor(Path(path))
    elif step == "service":
        extra = _service(Path(path), Path(work))
    else:
        extra = _growth(Path(work) / "release.pickle")
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
            "peak_mb": _peak_mb(), **extra}


def run_child(step: str, path: Path, work: Path) -> dict:
    """Run one step in a fresh Python process on a fresh instance folder; what it measured."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "STORAGE_DIR")}
    env["PORTAL_INSTANCE"] = str(work / "instance")
    load = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, "--child", step, str(path), str(work)],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{step} failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "load": (load, os.getloadavg()[0])}


def fit(points: list[dict], key: str = "cells") -> tuple[float, float]:
    """Least-squares seconds = a + b × points[key] (cells or hidden cells): (a seconds, b per unit)."""
    import numpy as np

    x = np.array([p[key] for p in points], dtype=float)
    y = np.array([p["seconds"] for p in points])
    b, a = np.polyfit(x, y, 1) if len(points) > 1 else (y[0] / x[0], 0.0)
    return float(a), float(b)


def print_growth(growth: dict) -> None:
    """The auditor's seconds against tables and cells, per cell, and the straight-line fit."""
    points = growth["points"]
    print(f"\naudit growth (one version, {growth['desa']} desa; peak RSS {growth['peak_mb']:.0f} MB):")
    print(f"{'part':<34} {'tables':>6} {'cells':>9} {'hidden':>7} {'LPs':>6} {'wall s':>7} "
          f"{'CPU s':>7} {'ms/1000 cells':>13} {'ms/1000 hidden':>14} passed")
    for p in points:
        print(f"{p['label']:<34} {p['tables']:>6} {p['cells']:>9,} {p['hidden']:>7,} {p['lps']:>6,} "
              f"{p['seconds']:>7.2f} {p['cpu']:>7.2f} {1e6 * p['seconds'] / max(p['cells'], 1):>13.2f} "
              f"{1e6 * p['seconds'] / max(p['hidden'], 1):>14.2f} {p['passed']}")
    for key, unit in (("cells", "cells"), ("hidden", "hidden cells")):
        a, b = fit(points, key)
        worst = max(abs(p["seconds"] - (a + b * p[key])) / p["seconds"] for p in points)
        per = [p["seconds"] / p[key] for p in points if p[key]]
        print(f"fit on {unit}: seconds = {a:.2f} + {1e6 * b:.2f} ms per 1000 {unit}; largest deviation "
              f"from the line {100 * worst:.0f} % of a point's time; seconds per {unit[:-1]}, "
              f"largest / smallest part {max(per) / min(per):.2f} (1.00 = linear)")


def main(argv: list[str] | None = None) -> None:
    """Run floor and service alternately, then the audit's growth; print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=470_000)
    parser.add_argument("--repeat", type=int, default=2,
                        help="alternate floor and service this many times; the best of each counts")
    parser.add_argument("--no-growth", action="store_true", help="skip the audit's growth")
    parser.add_argument("--keep", type=Path, help="leave each run's instance in this (new) folder")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        step, path, work = args.child
        print(json.dumps(_child(step, path, work)))
        return
    path = export(args.residents)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    floors, services = [], []
    if args.keep:
        args.keep.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="village-bench-") as scratch:
        tmp = str(args.keep or scratch)
        for i in range(args.repeat):
            floors.append(run_child("floor", path, Path(tmp)))
            print(f"floor {i + 1}: {floors[-1]['seconds']:.2f} s wall, {floors[-1]['cpu']:.2f} s CPU, "
                  f"load {floors[-1]['load'][0]:.2f}", flush=True)
            work = Path(tmp) / f"service-{i}"
            work.mkdir()
            services.append(run_child("service", path, work))
            print(f"service {i + 1}: {services[-1]['seconds']:.2f} s wall, {services[-1]['cpu']:.2f} s CPU, "
                  f"load {services[-1]['load'][0]:.2f}", flush=True)
        base = min(floors, key=lambda r: r["seconds"])
        best = min(services, key=lambda r: r["seconds"])
        print(f"\nresidents: {args.residents} ({base['alive']} living, {base['log_rows']} log_penduduk rows)")
        print(f"{best['summary']}")
        print("floor (pandas: 2 files, 2 groupbys): "
              + ", ".join(f"{r['seconds']:.2f} s" for r in floors) + f"; peak RSS {base['peak_mb']:.0f} MB")
        print("harvest service (flask harvest, fresh SQLite): "
              + ", ".join(f"{r['seconds']:.2f} s" for r in services) + f"; peak RSS {best['peak_mb']:.0f} MB")
        print(f"ratio service/floor (best of each): {best['seconds'] / base['seconds']:.2f}x wall, "
              f"{best['cpu'] / base['cpu']:.2f}x CPU (aim: at most 3x)")
        print("phases of the best service run (wall s / CPU s / calls):")
        timed = 0.0
        for label, (wall, cpu, calls) in best["phases"].items():
            print(f"    {label:<32} {wall:7.2f} {cpu:7.2f} {calls:4d}")
            timed += 0.0 if label.startswith(" ") else wall
        print(f"    {'rest (CLI, DB commit)':<32} {best['seconds'] - timed:7.2f}")
        if not args.no_growth:
            print_growth(run_child("growth", path, Path(best["release"]).parent))


if __name__ == "__main__":
    main()
