"""`make run`'s own work on a fresh instance: migrate, reindex, then `flask demo` (twelve months).

Runs, each as its own child process on a fresh instance folder in a temporary directory (a
SQLite database there; DATABASE_URL is unset), so /work's instance/ is never touched:

1. the floor: `flask generate-district --months 12` alone (what any twelve-month demo must do;
   the demo's worker process does the same while the demo harvests);
2. the peer: `flask db upgrade` + `flask demo --months 1` (the one-month `make run` of before);
3. `flask db upgrade` + `flask search reindex` + `flask demo` (twelve months), then
   `flask demo` again (must publish nothing new).

For each it prints wall time and CPU time (user + system of the child and its worker) and the
load average around it, since the machine may be shared. For the twelve months it adds the
demo's phases, summed from its month lines: generation (the worker: wall until the last month
was written, CPU), waiting for the worker, harvest (read, check, count, protect, audit, draft)
and review (submit, approve: the series, the gate, the files), wall and CPU each.

    .venv/bin/python bench/demo_bench.py [--residents 470000] [--months 12] [--no-peer] [--no-floor]
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
# The demo's month line starts with its reference date (portal/demo.py, _echo_month).
MONTH_LINE_PREFIX = "20"
# What _echo_month and Generation.finish print, as numbers to sum.
PHASES = {
    "wait": re.compile(r"menunggu ekspor ([\d.]+) s"),
    "harvest": re.compile(r"panen ([\d.]+) s CPU ([\d.]+) s"),
    "review": re.compile(r"pengajuan dan persetujuan ([\d.]+) s CPU ([\d.]+) s"),
}
# The counting worker's CPU per month (portal/harvest/ahead.py): month k + 1 counted beside month k.
COUNTED = re.compile(r"hitung di proses terpisah CPU ([\d.]+) s")
GENERATED = re.compile(r"Distrik demo dibuat dalam ([\d.]+) s \(CPU ([\d.]+) s")


def _children_cpu() -> float:
    """User + system seconds of every finished child so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], instance: Path) -> dict:
    """Run one flask command on ``instance``; its wall and CPU seconds, load and output."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "STORAGE_DIR")}
    env["PORTAL_INSTANCE"] = str(instance)
    load, cpu, started = os.getloadavg()[0], _children_cpu(), time.monotonic()
    done = subprocess.run(FLASK + args, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return {"wall": wall, "cpu": _children_cpu() - cpu, "load": (load, os.getloadavg()[0]),
            "output": done.stdout}


def _line(label: str, r: dict) -> str:
    return (f"{label}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU "
            f"(load average {r['load'][0]:.1f} -> {r['load'][1]:.1f})")


def phases(output: str) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds per phase of a demo run, from its printed lines (CPU of waiting: 0)."""
    totals = {"generate": (0.0, 0.0), "wait": (0.0, 0.0), "harvest": (0.0, 0.0), "review": (0.0, 0.0),
              "count": (0.0, 0.0)}
    for line in output.splitlines():
        if found := GENERATED.search(line):
            totals["generate"] = (float(found[1]), float(found[2]))
        if not line.startswith(MONTH_LINE_PREFIX):
            continue
        if found := COUNTED.search(line):  # in the worker, beside the harvest: CPU only
            totals["count"] = (0.0, totals["count"][1] + float(found[1]))
        for phase, pattern in PHASES.items():
            if found := pattern.search(line):
                wall, cpu = totals[phase]
                totals[phase] = (wall + float(found[1]), cpu + (float(found[2]) if found.lastindex > 1 else 0.0))
    return totals


def versions_line(output: str, months: int) -> str:
    """How many versions each dataset got over the run (from the demo's "Terbit:" lines)."""
    counts: dict[str, int] = {}
    for line in output.splitlines():
        if line.strip().startswith("Terbit:"):
            name = line.split("Terbit:", 1)[1].split()[0]
            counts[name] = counts.get(name, 0) + 1
    spread = sorted(counts.values())
    full = sum(1 for n in spread if n == months)
    short = ", ".join(f"{name} {n}" for name, n in sorted(counts.items(), key=lambda kv: kv[1]) if n < months)
    return (f"versions per dataset: {len(counts)} datasets, {full} with all {months} months, "
            f"median {spread[len(spread) // 2] if spread else 0}; fewer: {short or 'none'}")


def make_run(residents: int, months: int, scratch: Path) -> tuple[dict, dict, dict]:
    """Migrate and reindex a fresh instance and publish the demo; then run the demo again."""
    instance = scratch / f"instance-{months}"
    upgrade = run(["db", "upgrade"], instance)
    reindex = run(["search", "reindex"], instance)
    upgrade = {"wall": upgrade["wall"] + reindex["wall"], "cpu": upgrade["cpu"] + reindex["cpu"],
               "load": (upgrade["load"][0], reindex["load"][1]), "output": upgrade["output"]}
    first = run(["demo", "--residents", str(residents), "--months", str(months)], instance)
    second = run(["demo", "--residents", str(residents), "--months", str(months)], instance)
    return upgrade, first, second


def main(argv: list[str] | None = None) -> None:
    """Time the floor, the one-month peer and the twelve-month demo with its phases; print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=470_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--no-peer", action="store_true", help="skip the one-month demo")
    parser.add_argument("--no-floor", action="store_true", help="skip generate-district alone")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores; {args.residents} residents, {args.months} months", flush=True)
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as tmp:
        scratch = Path(tmp)
        if not args.no_floor:
            floor = run(["generate-district", str(scratch / "floor"), "--residents", str(args.residents),
                         "--seed", "2026", "--months", str(args.months)], scratch / "instance-floor")
            print(_line(f"floor: generate-district --months {args.months}", floor), flush=True)
        if not args.no_peer:
            upgrade, first, second = make_run(args.residents, 1, scratch)
            print(_line("peer: db upgrade + search reindex", upgrade))
            print(_line("peer: demo --months 1", first))
            print(_line("peer: demo --months 1 again", second), flush=True)
        upgrade, first, second = make_run(args.residents, args.months, scratch)
        print(_line("db upgrade + search reindex", upgrade))
        print(_line(f"demo --months {args.months}", first))
        for line in first["output"].splitlines():
            if line.startswith(("Distrik demo dibuat", MONTH_LINE_PREFIX)) or line.startswith("  Ditahan"):
                print("   ", line)
        print("phases of the first demo (wall s / CPU s; generation and counting run beside the harvest):")
        for phase, (wall, cpu) in phases(first["output"]).items():
            print(f"    {phase:8} {wall:7.1f} / {cpu:7.1f}")
        print(versions_line(first["output"], args.months))
        print(_line(f"demo --months {args.months} again", second))
        published = sum(line.count("Terbit:") for line in second["output"].splitlines())
        print(f"second run published {published} releases")
        total = upgrade["wall"] + first["wall"]
        cpu = upgrade["cpu"] + first["cpu"]
        print(f"make run's work (upgrade + reindex + demo): {total:.0f} s wall ({total / 60:.1f} min; "
              f"aim: under 10 min), {cpu:.0f} s CPU ({cpu / 60:.1f} min over two cores)")


if __name__ == "__main__":
    main()
