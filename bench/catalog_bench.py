"""p50/p95 latency of the search page and the dataset page with 1,000 datasets, 16 clients.

Builds a catalogue of ``--datasets`` published datasets (``catalog_build``: one real
harvest, the rest clones with their own files), serves it with gunicorn as ``make serve``
does, and loads each target with wrk for ``--seconds`` on 127.0.0.1, rotating over many
URLs (``bench/lua/rotate.lua``). The floor is measured in the same run through the same
server: /healthz (one database round trip) and the stylesheet. Needs wrk (apt-get install wrk).

    .venv/bin/python bench/catalog_bench.py [--datasets 1000] [--seconds 20] [--connections 16]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # load goes to loopback only
LUA = HERE / "lua" / "rotate.lua"
AIM_P95_MS = 100
PAGE_SIZE = 25  # rows per preview page (portal/catalog/preview.py); pages past the end clamp
sys.path.insert(0, str(HERE))
import catalog_build  # noqa: E402  (bench/ is not a package when run as a script)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(catalog, port: int, **extra: str) -> dict:
    """The environment gunicorn and the flask CLI need to run on the bench catalogue."""
    return {**os.environ, "DATABASE_URL": catalog.database_url, "STORAGE_DIR": str(catalog.storage_dir),
            "PORTAL_INSTANCE": str(catalog.instance), "SECRET_KEY": "bench",
            "PORTAL_URL": f"http://{HOST}:{port}", **extra}


def start_gunicorn(catalog, port: int, workers: int, threads: int, **extra: str) -> subprocess.Popen:
    """gunicorn as ``make serve`` runs it, in its own process group; its log goes to the bench folder."""
    log = open(catalog.folder / "gunicorn.log", "ab")
    return subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"{HOST}:{port}", "--workers", str(workers),
                             "--threads", str(threads), "wsgi:app"], cwd=ROOT,
                            env=server_env(catalog, port, **extra), start_new_session=True,
                            stdout=log, stderr=log)


def stop(proc: subprocess.Popen) -> None:
    """Stop a process started in its own group (by its id), workers included."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    """One GET on loopback: status and body."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Poll /healthz until the server answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            if get(port, "/healthz", 2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def check(port: int, paths: list[str], threads: int = 4, sample: int = 0) -> list[tuple[str, int]]:
    """Fetch the paths once (all, or a sample of that size) as a check and warm-up; the ones not 2xx/3xx."""
    if sample and len(paths) > sample:
        paths = random.Random(0).sample(paths, sample)
    def one(path: str) -> tuple[str, int]:
        return path, get(port, path)[0]
    with ThreadPoolExecutor(threads) as pool:
        return [(p, s) for p, s in pool.map(one, paths) if not 200 <= s < 400]


def wrk(port: int, paths: list[str], seconds: float, connections: int, threads: int = 2,
        timeout: str = "10s") -> dict:
    """Load the server with wrk rotating over ``paths``; the rotate.lua summary (ms) plus req/s."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    try:
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                              f"--timeout={timeout}", "-s", str(LUA), f"http://{HOST}:{port}", "--",
                              handle.name, str(threads)],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(handle.name)
    found = re.search(r"^WRKJSON (\{.*\})$", out, re.M)
    if not found:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    stats = json.loads(found.group(1))
    for key in ("p50", "p90", "p95", "p99", "max", "mean"):
        stats[key] = stats[key] / 1000
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    stats["errors"] = sum(stats[k] for k in ("connect", "read", "write", "status", "timeout"))
    return stats


def search_paths(entries, rng: random.Random, count: int = 400) -> list[str]:
    """A mix of searches: words, stems, facets, sorts and later pages (portal/catalog/search.py)."""
    words = ["penduduk", "kependudukan", "pendidikan", "sekolah", "kesehatan", "agama", "umur",
             "keluarga", "pekerjaan", "disabilitas", "KB", "KTP", "akta kelahiran", "perkawinan",
             "golongan darah", "asuransi", "warga negara", "kehamilan", "penyakit", "kelas sosial",
             "tabanan", "kediri", "penebel", "2021", "2024", "bpjs", "anak", "lansia", "desa"]
    topics = sorted({e.topic for e in entries})
    orgs = sorted({e.organization for e in entries})
    tags = sorted({t for e in entries for t in e.tags})
    licences = sorted({e.licence for e in entries})
    paths = ["/dataset"] + [f"/dataset?page={p}" for p in (2, 3, 5, 10)]
    while len(paths) < count:
        args: dict[str, str] = {}
        if rng.random() < 0.75:
            args["q"] = rng.choice(words)
        facet = rng.random()
        if facet < 0.2:
            args["topic"] = rng.choice(topics)
        elif facet < 0.35:
            args["org"] = rng.choice(orgs)
        elif facet < 0.45:
            args["tag"] = rng.choice(tags)
        elif facet < 0.5:
            args["format"] = rng.choice(["csv", "xlsx", "json"])
        elif facet < 0.55:
            args["licence"] = rng.choice(licences)
        elif facet < 0.6:
            args["privacy"] = rng.choice(["umum", "spesifik"])
        if rng.random() < 0.3:
            args["sort"] = rng.choice(["name", "updated", "relevance"])
        if rng.random() < 0.25:
            args["page"] = str(rng.choice([2, 3, 4]))
        paths.append("/dataset" + ("?" + urlencode(args) if args else ""))
    return paths


def dataset_paths(entries, rng: random.Random) -> list[str]:
    """Every dataset's page once: preview pages, sorts and kecamatan/desa filters, some versions.

    The arguments are the preview's (portal/catalog/preview.py): page, sort, dir, kecamatan, desa.
    """
    from portal.sources.wilayah import load_district

    district = load_district("51.02")
    kecamatan, desa = [k.kode for k in district.kecamatan], [d.kode for d in district.desa]
    paths = []
    for e in entries:
        args: dict[str, str] = {}
        rows, pick = e.rows, rng.random()
        if pick < 0.15:
            args["kecamatan"] = rng.choice(kecamatan)
            rows = e.rows // len(kecamatan)
        elif pick < 0.22:
            args["desa"] = rng.choice(desa)
            rows = e.rows // len(desa)
        if rng.random() < 0.2:
            args["sort"] = rng.choice(["jumlah", "nama_desa", "kategori", "perempuan"])
            args["dir"] = rng.choice(["asc", "desc"])
        pages = max(1, -(-rows // PAGE_SIZE))
        if rng.random() > 0.34:
            args["page"] = str(rng.randint(1, pages))
        base = f"/dataset/{e.name}" + (f"/version/{e.version}" if rng.random() < 0.1 else "")
        paths.append(base + ("?" + urlencode(args) if args else ""))
    rng.shuffle(paths)
    return paths


def search_finds(port: int, entry) -> bool:
    """True when searching a dataset's own title lists it (the index sees the generated ones)."""
    status, body = get(port, "/dataset?" + urlencode({"q": entry.title}))
    return status == 200 and f"/dataset/{entry.name}".encode() in body


def row(label: str, urls: int, stats: dict) -> str:
    """One line of the results table."""
    return (f"{label:<26}{urls:>6}{stats['rps']:>9.0f}{stats['p50']:>9.1f}{stats['p95']:>9.1f}"
            f"{stats['p99']:>9.1f}{stats['errors']:>8}")


def main() -> int:
    """Build, serve, load each target, print the table beside the aim and the floor."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (make serve: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (make serve: 4)")
    parser.add_argument("--keep", action="store_true", help="keep the catalogue folder and print it")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="PAGE_CACHE=0: every page rendered, as on a first visit (portal/catalog/cache.py)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("catalog_bench needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    catalog_build.OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="catalog-bench-", dir=catalog_build.OUT))
    try:
        started = time.perf_counter()
        catalog = catalog_build.build(folder, args.datasets)
        built = time.perf_counter() - started
        rng = random.Random(6)
        targets = {"floor: /healthz": ["/healthz"], "floor: static CSS": ["/static/css/portal.css"],
                   "search page /dataset": search_paths(catalog.entries, rng),
                   "dataset page": dataset_paths(catalog.entries, rng)}
        port = free_port()
        extra = {"PAGE_CACHE": "0"} if args.no_page_cache else {}
        server = start_gunicorn(catalog, port, args.workers, args.threads, **extra)
        try:
            wait_ready(port, server)
            failed = {name: check(port, paths, sample=100) for name, paths in targets.items()}
            clones = [e for e in catalog.entries if e.source]
            sample = random.Random(1).sample(clones, min(20, len(clones)))
            found = sum(search_finds(port, e) for e in sample)
            load = os.getloadavg()[0]
            results = {name: wrk(port, paths, args.seconds, args.connections) for name, paths in targets.items()}
            load = max(load, os.getloadavg()[0])
        finally:
            stop(server)
        print(f"{len(catalog.entries)} published datasets ({len(catalog.entries) - len(clones)} harvested, "
              f"{len(clones)} cloned), built in {built:.0f} s ({catalog.seconds['clone files built']} clones' "
              f"files built, the rest cached); gunicorn {args.workers} workers x {args.threads} threads, "
              f"page cache {'off' if args.no_page_cache else 'on'}, "
              f"SQLite; wrk {args.connections} connections, {args.seconds:.0f} s per target; "
              f"load average up to {load:.1f} on {os.cpu_count()} cores")
        print(f"searching a clone's title found it: {found}/{len(sample)}")
        for name, bad in failed.items():
            if bad:
                print(f"WARNING {name}: {len(bad)} URLs failed before the load, e.g. {bad[:3]}")
        print(f"{'target':<26}{'URLs':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for name, stats in results.items():
            print(row(name, len(targets[name]), stats))
        floor = results["floor: /healthz"]["p95"]
        for name in ("search page /dataset", "dataset page"):
            p95 = results[name]["p95"]
            verdict = "met" if p95 <= AIM_P95_MS else "NOT met"
            print(f"{name}: p95 {p95:.1f} ms, aim <= {AIM_P95_MS} ms: {verdict}; "
                  f"{p95 / floor:.1f}x the /healthz floor ({floor:.1f} ms)")
        if args.keep:
            print(f"catalogue kept in {folder}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
