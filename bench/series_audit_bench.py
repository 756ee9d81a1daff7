"""`flask privacy audit-series` on a published multi-month demo, beside the one joint attack.

Each as its own child process on the same instance (its wall and CPU time and its own peak
RSS, from wait4):

1. the command: `flask privacy audit-series --json`, one attack per connected group of
   tables (portal/datasets/series_privacy.py, table_groups);
2. the peer: the auditor's audit_series over every held version of every table at once,
   without groups (what the command would cost if it did not split); --no-peer skips it.

Without --instance it builds one, once, in bench/out/series-audit (`flask db upgrade` and
`flask demo` with --residents and --months: minutes; the demo's own time is printed) and
reuses it on the next run.

    .venv/bin/python bench/series_audit_bench.py [--instance PATH] [--residents 13300] [--months 12] [--no-peer]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DEFAULT_INSTANCE = ROOT / "bench" / "out" / "series-audit"


def child(args: list[str], instance: Path) -> dict:
    """Run one child on ``instance``: exit code, wall and CPU seconds, peak RSS (MB), output."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "STORAGE_DIR")}
    env["PORTAL_INSTANCE"] = str(instance)
    load, started = os.getloadavg()[0], time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (peak RSS)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0), err.seek(0)
        out, err = out.read(), err.read()
    return {"code": proc.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "load": (load, os.getloadavg()[0]), "out": out, "err": err}


def build(instance: Path, residents: int, months: int) -> None:
    """A published demo of ``months`` months on ``instance`` (kept; skipped when it is there)."""
    if (instance / "portal.sqlite3").exists():
        return
    instance.mkdir(parents=True, exist_ok=True)
    for args in (["db", "upgrade"], ["demo", "--residents", str(residents), "--months", str(months)]):
        done = child(FLASK + args, instance)
        if done["code"] != 0:
            sys.exit(f"{' '.join(args)} failed:\n{done['out'][-2000:]}\n{done['err'][-3000:]}")
        print(f"{' '.join(args)}: {done['wall']:.0f} s wall, {done['cpu']:.0f} s CPU", flush=True)


def joint_child() -> None:
    """(In the child) audit_series over every held version at once; its numbers as JSON."""
    sys.path.insert(0, str(ROOT))
    from portal import create_app
    from portal.datasets.series_privacy import held_series
    from portal.privacy.audit import audit_series

    with create_app().app_context():
        held = held_series()
        report = audit_series(held.versions, held.schemas, held.k_for, held.specific)
    print(json.dumps({"passed": report.passed, "findings": len(report.findings), "lps": report.lps,
                      "hidden_cells": report.hidden_cells, "narrowest_interval": report.narrowest_interval,
                      "versions": held.count(), "seconds": round(report.seconds, 1)}))


def _line(label: str, r: dict) -> str:
    return (f"{label}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, peak RSS {r['rss_mb']:.0f} MB "
            f"(load average {r['load'][0]:.1f} -> {r['load'][1]:.1f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", type=Path, default=None)
    parser.add_argument("--residents", type=int, default=13_300)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--joint-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.joint_child:
        joint_child()
        return 0
    instance = args.instance or DEFAULT_INSTANCE
    if args.instance is None:
        build(instance, args.residents, args.months)
    command = child(FLASK + ["privacy", "audit-series", "--json"], instance)
    if command["code"] not in (0, 1):
        sys.exit(f"audit-series failed ({command['code']}):\n{command['err'][-3000:]}")
    data = json.loads(command["out"])
    print(_line("audit-series (per group)", command))
    print(f"  {'passed' if data['passed'] else 'FINDINGS: ' + str(len(data['findings']))}; "
          f"{len(data['tables'])} tables, {data['versions']} versions, {len(data['reference_dates'])} reference "
          f"dates; {data['lps']} LPs; attack {data['attack_seconds']} s of {data['seconds']} s")
    for g in data["groups"]:
        print(f"  group of {len(g['tables'])}: {g['versions']} versions, {g['lps']} LPs, {g['hidden_cells']} hidden "
              f"cells, narrowest {g['narrowest_interval']}, {g['seconds']} s")
    for f in data["findings"][:20]:
        print(f"  ! {f['message']}")
    if not args.no_peer:
        peer = child([PYTHON, __file__, "--joint-child"], instance)
        if peer["code"] != 0:
            sys.exit(f"joint attack failed:\n{peer['err'][-3000:]}")
        joint = json.loads(peer["out"].strip().splitlines()[-1])
        print(_line("peer: one joint audit_series", peer))
        print(f"  {'passed' if joint['passed'] else 'FINDINGS: ' + str(joint['findings'])}; {joint['versions']} "
              f"versions, {joint['lps']} LPs, {joint['hidden_cells']} hidden cells, narrowest "
              f"{joint['narrowest_interval']}, attack {joint['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
