"""60 s of wrk at 64 connections over pages, downloads and API calls; then again during a harvest and publish.

Builds a catalogue (``catalog_build``: a real harvest of a small generated district plus
clones, ``--datasets`` in all), serves it with gunicorn as ``make serve`` does, checks
every URL of the mix once, then loads it with wrk (``bench/lua/rotate.lua``):

1. quiet: ``--seconds`` at ``--connections``;
2. busy: the same load while the operator's monthly work runs on the same database
   through the CLI: ``flask harvest`` of a new export (another seed, so every table
   changes), then ``flask releases submit`` and ``releases approve`` of every draft. The
   busy run lasts at least ``--seconds`` and until the last approval (wrk stops on SIGINT
   and still reports).

The API's per-address rate limiter is switched off for the server (``API_RATE_LIMIT=0``):
every request comes from one address, so with it on the bench would measure the limiter's
429s. Needs wrk (apt-get install wrk).

    .venv/bin/python bench/load_bench.py [--datasets 200] [--seconds 60] [--connections 64]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import catalog_bench as cb  # noqa: E402  (bench/ is not a package when run as a script)
import catalog_build  # noqa: E402

FLASK = [str(cb.BIN / "flask"), "--app", "wsgi"]
ERROR_KINDS = ("connect", "read", "write", "status", "timeout")
# A request counts as failed after nginx's default proxy_read_timeout; slowness shows in p99.
WRK_TIMEOUT = "60s"


def page_paths(entries, rng: random.Random) -> list[str]:
    """The public pages: home, search, dataset pages, village profiles, kecamatan, dashboard."""
    from portal.sources.wilayah import load_district

    district = load_district("51.02")
    paths = ["/", "/dasbor", "/dataset", "/dataset?q=penduduk", "/dataset?q=kesehatan&topic=kesehatan",
             "/dataset?q=pendidikan&sort=name", "/dataset?page=2"]
    paths += [f"/desa/{d.kode}" for d in rng.sample(district.desa, 40)]
    paths += [f"/kecamatan/{k.kode}" for k in district.kecamatan]
    paths += cb.dataset_paths(rng.sample(entries, min(len(entries), 120)), rng)
    return paths


def download_paths(entries, rng: random.Random) -> list[str]:
    """Files of published versions at their permanent URLs (every format, sizes as published)."""
    picks = rng.sample(entries, min(len(entries), 100))
    return [f"/dataset/{e.name}/version/{e.version}/download/{rng.choice(e.files)}" for e in picks]


def api_paths(port: int, entries, rng: random.Random) -> list[str]:
    """package_search, package_show and datastore_search calls as CKAN clients make them."""
    paths = [f"/api/3/action/package_search?{urlencode(a)}" for a in (
        {"rows": 10}, {"q": "penduduk"}, {"q": "kesehatan", "rows": 20}, {"fq": "organization:disdukcapil"},
        {"rows": 100, "start": 100}, {"sort": "metadata_modified desc", "rows": 5})]
    resources = []
    for e in rng.sample(entries, min(len(entries), 60)):
        paths.append(f"/api/3/action/package_show?id={e.name}")
        status, body = cb.get(port, f"/api/3/action/package_show?id={e.name}")
        if status == 200:
            resources += [r["id"] for r in json.loads(body)["result"]["resources"]
                          if r.get("format", "").lower() == "csv"]
    for rid in resources[:40]:
        args = {"resource_id": rid, "limit": rng.choice([10, 100]), "offset": rng.choice([0, 100, 500])}
        if rng.random() < 0.3:
            args["q"] = rng.choice(["Tabanan", "Kediri", "Penebel"])
        paths.append(f"/api/3/action/datastore_search?{urlencode(args)}")
    return paths


def weighted(groups: dict[str, tuple[list[str], int]], rng: random.Random, size: int = 2000) -> list[str]:
    """One shuffled rotation list where each group gets its share of requests."""
    out = []
    for paths, share in groups.values():
        out += [rng.choice(paths) for _ in range(size * share // 100)]
    rng.shuffle(out)
    return out


def start_wrk(port: int, paths_file: Path, connections: int, seconds: float, threads: int = 2) -> subprocess.Popen:
    """wrk in the background (stopped with SIGINT, it still prints its summary)."""
    return subprocess.Popen(["wrk", f"-t{threads}", f"-c{connections}", f"-d{round(seconds)}s",
                             f"--timeout={WRK_TIMEOUT}",
                             "-s", str(cb.LUA), f"http://{cb.HOST}:{port}", "--", str(paths_file), str(threads)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_result(proc: subprocess.Popen) -> dict:
    """Wait for wrk and read its rotate.lua summary (milliseconds, req/s, error counts)."""
    out = proc.communicate(timeout=120)[0]
    found = re.search(r"^WRKJSON (\{.*\})$", out, re.M)
    if not found:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    stats = json.loads(found.group(1))
    for key in ("p50", "p90", "p95", "p99", "max", "mean"):
        stats[key] = stats[key] / 1000
    stats["seconds"] = stats["duration_us"] / 1e6
    stats["rps"] = stats["requests"] / stats["seconds"]
    stats["errors"] = sum(stats[k] for k in ERROR_KINDS)
    return stats


def operator_work(catalog, port: int, export: Path, log: list[str]) -> None:
    """Publish the held releases, harvest ``export``, submit + approve its drafts; all through the CLI.

    One after another, not at once: on SQLite a harvest holds the write lock from its first
    flush to its commit, so an approval meanwhile would wait and fail ("database is locked").
    A draft the privacy gate refuses is logged and skipped, as a walidata would leave it.
    """
    env = cb.server_env(catalog, port)
    t0 = time.monotonic()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*FLASK, *args], cwd=cb.ROOT, env=env, capture_output=True, text=True)

    for release_id in catalog.held:
        done = run("releases", "approve", str(release_id), "--as", "walidata@demo.tabanan.go.id",
                   "--comment", "Disetujui (bench).")
        if done.returncode != 0:
            raise RuntimeError(f"release #{release_id}: {done.stderr.strip()[-400:]}")
        log.append(f"{time.monotonic() - t0:6.1f} s  release #{release_id} approved and published")

    done = run("harvest", str(export), "--reference-date", catalog_build.REFERENCE_DATE.isoformat(),
               "--as", "produsen@demo.tabanan.go.id")
    if done.returncode != 0:
        raise RuntimeError(f"flask harvest failed: {done.stderr.strip()[-400:]}")
    drafts = re.findall(r"draf rilis #(\d+)", done.stdout)
    log.append(f"{time.monotonic() - t0:6.1f} s  harvest done: {len(drafts)} drafts")
    published = refused = 0
    for draft in drafts:
        done = run("releases", "submit", draft, "--as", "produsen@demo.tabanan.go.id",
                   "--note", "Panen bulanan (bench).")
        if done.returncode != 0 and "gerbang privasi" in done.stderr:
            refused += 1
            log.append(f"{time.monotonic() - t0:6.1f} s  release #{draft}: refused by the privacy gate")
            continue
        if done.returncode == 0:
            done = run("releases", "approve", draft, "--as", "walidata@demo.tabanan.go.id",
                       "--comment", "Disetujui (bench).")
        if done.returncode != 0:
            raise RuntimeError(f"release #{draft}: {done.stderr.strip()[-400:]}")
        published += 1
        log.append(f"{time.monotonic() - t0:6.1f} s  release #{draft} published ({published} so far)")
    log.append(f"{time.monotonic() - t0:6.1f} s  done: {published} published, {refused} refused by the gate")


def busy_run(catalog, port: int, paths_file: Path, args, export: Path) -> tuple[dict, list[str], str]:
    """wrk during the operator's work: at least ``args.seconds``, until the last approval."""
    log: list[str] = []
    failure = ""
    proc = start_wrk(port, paths_file, args.connections, 3600)
    started = time.monotonic()
    try:
        operator_work(catalog, port, export, log)
    except RuntimeError as exc:
        failure = str(exc)
    time.sleep(max(0.0, args.seconds - (time.monotonic() - started)))
    proc.send_signal(signal.SIGINT)
    return wrk_result(proc), log, failure


def main() -> int:
    """Build, serve, check every URL, run quiet and busy, print both side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (make serve: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (make serve: 4)")
    parser.add_argument("--publish", type=int, default=3,
                        help="harvested releases left submitted, approved during the busy run")
    parser.add_argument("--keep", action="store_true", help="keep the catalogue folder and print it")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("load_bench needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    catalog_build.OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="load-bench-", dir=catalog_build.OUT))
    try:
        catalog = catalog_build.build(folder, args.datasets, hold=args.publish)
        app = catalog_build.make_app(folder)
        with app.app_context():
            export = catalog_build.district_export(2000, catalog_build.SEED + 1)
        port = cb.free_port()
        # One client address for all the load: the API limiter would answer 429 (see the docstring).
        server = cb.start_gunicorn(catalog, port, args.workers, args.threads, API_RATE_LIMIT="0")
        try:
            cb.wait_ready(port, server)
            rng = random.Random(8)
            groups = {"pages": (page_paths(catalog.entries, rng), 50),
                      "downloads": (download_paths(catalog.entries, rng), 20),
                      "api": (api_paths(port, catalog.entries, rng), 30)}
            failed = {name: cb.check(port, paths) for name, (paths, _) in groups.items()}
            mix = weighted(groups, rng)
            paths_file = folder / "paths.txt"
            paths_file.write_text("\n".join(mix) + "\n")
            load = [os.getloadavg()[0]]
            quiet = wrk_result(start_wrk(port, paths_file, args.connections, args.seconds))
            load.append(os.getloadavg()[0])
            busy, log, failure = busy_run(catalog, port, paths_file, args, export)
            load.append(os.getloadavg()[0])
        finally:
            cb.stop(server)
        report(catalog, args, groups, failed, quiet, busy, log, failure, load)
        if args.keep:
            print(f"catalogue kept in {folder}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def report(catalog, args, groups, failed, quiet, busy, log, failure, load) -> None:
    """Print the setting, the two runs side by side and the operator's timeline."""
    print(f"{len(catalog.entries)} published datasets (+{len(catalog.held)} submitted, approved in the busy run); "
          f"gunicorn {args.workers} workers x {args.threads} threads, "
          f"SQLite (WAL), API_RATE_LIMIT=0; wrk -t2 -c{args.connections} --timeout {WRK_TIMEOUT}; load average "
          f"{' / '.join(f'{x:.1f}' for x in load)} (before / after quiet / after busy) on {os.cpu_count()} cores")
    print("mix: " + ", ".join(f"{name} {share} % ({len(paths)} URLs)" for name, (paths, share) in groups.items()))
    for name, bad in failed.items():
        if bad:
            print(f"WARNING {name}: {len(bad)} URLs failed before the load, e.g. {bad[:3]}")
    print(f"{'':<24}{'quiet':>14}{'harvest+publish':>18}")
    lines = [("duration s", "seconds", "{:.0f}"), ("requests", "requests", "{:d}"),
             ("throughput req/s", "rps", "{:.0f}"), ("p50 ms", "p50", "{:.1f}"), ("p90 ms", "p90", "{:.1f}"),
             ("p99 ms", "p99", "{:.1f}"), ("max ms", "max", "{:.0f}"), ("MB/s", None, None),
             ("errors (all kinds)", "errors", "{:d}")] + [(f"  {k}", k, "{:d}") for k in ERROR_KINDS]
    for label, key, fmt in lines:
        if key is None:
            cells = [f"{s['bytes'] / s['seconds'] / 1e6:.1f}" for s in (quiet, busy)]
        else:
            cells = [fmt.format(s[key]) for s in (quiet, busy)]
        print(f"{label:<24}{cells[0]:>14}{cells[1]:>18}")
    print("operator work during the busy run (CLI, same database):")
    for line in log:
        print(f"  {line}")
    if failure:
        print(f"  FAILED: {failure}")
    verdict = "0 errors in both runs" if quiet["errors"] == busy["errors"] == 0 else "ERRORS (see above)"
    print(f"aim: 0 errors -> {verdict}; busy/quiet throughput {busy['rps'] / quiet['rps']:.2f}, "
          f"p99 {busy['p99'] / quiet['p99']:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
