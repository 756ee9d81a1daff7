"""Requests per second of package_show and package_search under gunicorn, beside Datasette.

Builds a throwaway catalogue (``--datasets`` published datasets) in a temporary folder,
serves it with gunicorn as ``make serve`` does, serves the same catalogue table with
Datasette, and loads each target for ``--seconds`` on 127.0.0.1 only. Uses wrk when it
is installed, else a small threaded http.client load generator. Stops by itself.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/api_bench.py [--datasets 200] [--seconds 3]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # load goes to loopback only


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def build_catalogue(folder: Path, datasets: int) -> list[dict]:
    """Publish ``datasets`` datasets into a fresh portal database; their package dicts."""
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from portal import create_app
    from portal.api.actions import package_search
    from portal.extensions import db
    from tests.api.conftest import CatalogFactory

    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.sqlite3'}",
                      "STORAGE_DIR": str(folder / "storage"), "PORTAL_URL": "http://127.0.0.1"})
    with app.app_context(), app.test_request_context():
        upgrade()
        factory = CatalogFactory(app)
        for i in range(datasets):
            org = ("dukcapil", "disdik", "dinkes", "dinsos")[i % 4]
            factory.org(org, f"Dinas {org.title()}")
            factory.dataset(f"tabel-{i:04d}", org=org, tags=("penduduk", f"tema-{i % 7}"), commit=False)
        db.session.commit()
        return package_search({"rows": 1000, "sort": "name asc"})["results"]


def datasette_db(path: Path, packages: list[dict]) -> None:
    """The same catalogue as one SQLite table: a row per dataset with its package JSON."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE catalogue (name TEXT PRIMARY KEY, id TEXT, title TEXT, notes TEXT, "
                     "version TEXT, organization TEXT, license_id TEXT, metadata_created TEXT, "
                     "metadata_modified TEXT, num_resources INTEGER, package TEXT)")
        conn.execute("CREATE INDEX catalogue_modified ON catalogue (metadata_modified)")
        conn.executemany("INSERT INTO catalogue VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
            (p["name"], p["id"], p["title"], p["notes"], p["version"], p["organization"]["name"],
             p["license_id"], p["metadata_created"], p["metadata_modified"], p["num_resources"],
             json.dumps(p)) for p in packages])


def wait_ready(port: int, path: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Poll until the server answers ``path`` with 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def start(cmd: list[str], env: dict | None = None) -> subprocess.Popen:
    """A server in its own process group, so stopping it stops its workers too."""
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started by ``start`` (its own process group, by id)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def load_wrk(url: str, seconds: float, connections: int) -> tuple[float, int]:
    """Requests/s and non-2xx count measured by wrk."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(bad.group(1)) if bad else 0


def load_python(url: str, seconds: float, connections: int) -> tuple[float, int]:
    """Requests/s with keep-alive http.client threads (when wrk is not installed)."""
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    counts, bad, stop_at = [0] * connections, [0] * connections, time.monotonic() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        while time.monotonic() < stop_at:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            counts[i] += 1
            bad[i] += response.status != 200
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started), sum(bad)


def measure(url: str, seconds: float, connections: int) -> tuple[float, int]:
    """Warm the target up briefly, then measure it."""
    load = load_wrk if shutil.which("wrk") else load_python
    load_python(url, 0.5, 2)
    return load(url, seconds, connections)


def main() -> int:
    """Build, serve, load, print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (make serve uses 2)")
    args = parser.parse_args()
    datasette = shutil.which("datasette", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if not datasette:
        print("datasette is not installed: pip install -r bench/requirements.txt", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="api-bench-") as tmp:
        folder = Path(tmp)
        packages = build_catalogue(folder, args.datasets)
        datasette_db(folder / "catalogue.db", packages)
        portal_port, datasette_port = free_port(), free_port()
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}",
               "STORAGE_DIR": str(folder / "storage"), "PORTAL_INSTANCE": str(folder / "instance"),
               "SECRET_KEY": "bench", "PORTAL_URL": f"http://{HOST}:{portal_port}",
               # All load comes from one address: the limiter would measure itself, not the API.
               "API_RATE_LIMIT": "0"}
        servers = [
            start([str(BIN / "gunicorn"), "--bind", f"{HOST}:{portal_port}", "--workers", str(args.workers),
                   "--threads", "4", "wsgi:app"], env),
            start([datasette, "serve", "-i", str(folder / "catalogue.db"), "--host", HOST,
                   "--port", str(datasette_port)]),
        ]
        try:
            name = packages[len(packages) // 2]["name"]
            wait_ready(portal_port, "/api/3/action/site_read", servers[0])
            wait_ready(datasette_port, "/catalogue.json", servers[1])
            portal, ds = f"http://{HOST}:{portal_port}", f"http://{HOST}:{datasette_port}"
            targets = {
                "package_show": (f"{portal}/api/3/action/package_show?id={name}",
                                 f"{ds}/catalogue/catalogue/{name}.json"),
                "package_search": (f"{portal}/api/3/action/package_search?rows=10",
                                   f"{ds}/catalogue/catalogue.json?_size=10&_sort_desc=metadata_modified"),
            }
            tool = "wrk" if shutil.which("wrk") else "python http.client threads"
            print(f"{args.datasets} datasets, {args.seconds:.0f} s per target, {args.connections} connections, "
                  f"load: {tool}; portal: gunicorn {args.workers} workers x 4 threads; datasette 0.65 (-i)")
            print(f"{'action':<16}{'portal req/s':>14}{'datasette req/s':>17}{'ratio':>8}{'errors':>8}")
            for action, (ours, theirs) in targets.items():
                portal_rps, portal_bad = measure(ours, args.seconds, args.connections)
                ds_rps, ds_bad = measure(theirs, args.seconds, args.connections)
                print(f"{action:<16}{portal_rps:>14.0f}{ds_rps:>17.0f}{portal_rps / ds_rps:>8.2f}"
                      f"{portal_bad + ds_bad:>8}")
        finally:
            for proc in servers:
                stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
