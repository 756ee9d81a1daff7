"""The portal as `make serve` runs it (gunicorn), behind Debian's nginx configured as in
docs/DEPLOYMENT.md (TLS, X-Forwarded-For/-Proto), everything on loopback.

Two gunicorns share one database: one with PROXY_FIX=1 (the documented deployment), one
with PROXY_FIX=0 (what every district got while load_config never read it). Clients
connect from different loopback addresses (127.0.0.2, 127.0.0.3, ...), so nginx sees
different clients and passes them on in X-Forwarded-For. The servers run under
`timeout`, so they stop by themselves even if the test run is killed; the fixture stops
them at the end.

The database is a SQLite file of its own, whatever TEST_DATABASE_URL says: .ci/run leaves
this module out of the PostgreSQL pass.
"""
from __future__ import annotations

import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
SEARCH_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
NGINX = shutil.which("nginx", path=SEARCH_PATH)
OPENSSL = shutil.which("openssl", path=SEARCH_PATH)
pytestmark = pytest.mark.skipif(NGINX is None or OPENSSL is None,
                                reason="nginx and openssl are needed (.ci/run installs them)")
# The servers stop by themselves after this, whatever happens to the test run.
LIFETIME_SECONDS = 600
RATE_ENV = {"API_RATE_LIMIT": "1", "API_RATE_BURST": "3"}  # 3 at once, then one a minute
API = "/api/3/action/site_read"

# The server block of docs/DEPLOYMENT.md on a loopback port, with a throwaway certificate.
SERVER = """
    server {{
        listen {listen} ssl;
        server_name localhost;
        ssl_certificate {folder}/cert.pem;
        ssl_certificate_key {folder}/key.pem;
        client_max_body_size 16m;
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
"""
CONF = """
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    proxy_max_temp_file_size 0;
{servers}
}}
"""


@dataclass
class Stack:
    """nginx's two loopback ports (PROXY_FIX=1 and =0) and the gunicorns' log files."""

    trusted_port: int
    untrusted_port: int
    trusted_log: Path


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def serve_command(port: int) -> list[str]:
    """The gunicorn command of `make serve`, on ``port`` with one worker (one rate-limit bucket)."""
    dry_run = subprocess.run(["make", "-s", "-n", "serve", f"HOST={LOOPBACK}", f"PORT={port}", "WORKERS=1"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next(line for line in dry_run.splitlines() if "gunicorn" in line and "--bind" in line)
    return shlex.split(line)


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Run ``command`` in its own process group, ending by itself after LIFETIME_SECONDS."""
    out = log.open("ab")
    return subprocess.Popen(["timeout", str(LIFETIME_SECONDS), *command], cwd=ROOT, env=env,
                            stdout=out, stderr=out, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    """Stop a process started by ``start`` (its group, by id)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    """Return once something accepts connections on ``port``; fail with the log if it died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            socket.create_connection((LOOPBACK, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing answers on {port}:\n{log.read_text(errors='replace')[-3000:]}")


def certificate(folder: Path) -> None:
    """A self-signed certificate for 127.0.0.1, valid for a day."""
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True)


def portal_env(folder: Path, public_port: int, proxies: int) -> dict:
    """The environment of one gunicorn: its own instance folder, the shared database."""
    env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    env.update(RATE_ENV, PORTAL_INSTANCE=str(folder / f"instance-{proxies}"),
               DATABASE_URL=f"sqlite:///{folder / 'portal.sqlite3'}", STORAGE_DIR=str(folder / "storage"),
               SECRET_KEY="nginx-test", PORTAL_URL=f"https://{LOOPBACK}:{public_port}",
               PROXY_FIX=str(proxies), PATH=f"{BIN}:{env.get('PATH', '')}")
    return env


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """nginx on two loopback ports in front of two gunicorns (PROXY_FIX=1 and PROXY_FIX=0)."""
    folder = tmp_path_factory.mktemp("nginx")
    certificate(folder)
    public = {1: free_port(), 0: free_port()}
    upstream = {1: free_port(), 0: free_port()}
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, check=True,
                   env=portal_env(folder, public[1], 1), capture_output=True)
    processes = []
    try:
        for proxies in (1, 0):
            log = folder / f"gunicorn-{proxies}.log"
            processes.append(start(serve_command(upstream[proxies]), portal_env(folder, public[proxies], proxies), log))
            wait_for_port(upstream[proxies], processes[-1], log)
        servers = "".join(SERVER.format(listen=f"{LOOPBACK}:{public[p]}", folder=folder,
                                        upstream=f"{LOOPBACK}:{upstream[p]}") for p in (1, 0))
        (folder / "nginx.conf").write_text(CONF.format(folder=folder, servers=servers))
        log = folder / "nginx.log"
        processes.append(start([NGINX, "-p", str(folder), "-e", str(folder / "error.log"),
                                "-c", str(folder / "nginx.conf")], dict(os.environ), log))
        for port in public.values():
            wait_for_port(port, processes[-1], folder / "error.log")
        yield Stack(public[1], public[0], folder / "gunicorn-1.log")
    finally:
        for process in reversed(processes):
            stop(process)


def get(port: int, path: str, client: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """GET ``path`` over TLS through nginx on ``port``, connecting from loopback address ``client``."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the test's own certificate
    connection = http.client.HTTPSConnection(LOOPBACK, port, timeout=30, context=context,
                                             source_address=(client, 0))
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def drain(port: int, client: str, headers: dict | None = None) -> list[int]:
    """Spend ``client``'s burst on the API; the statuses it got."""
    return [get(port, API, client, headers).status for _ in range(int(RATE_ENV["API_RATE_BURST"]) + 1)]


def test_each_client_behind_nginx_has_its_own_rate_limit(stack):
    assert drain(stack.trusted_port, "127.0.0.2") == [200, 200, 200, 429]
    assert get(stack.trusted_port, API, "127.0.0.3").status == 200  # another client is not held up
    assert get(stack.trusted_port, API, "127.0.0.2").status == 429


def test_a_forwarded_for_sent_by_the_client_itself_is_not_believed(stack):
    # nginx appends the real address; the portal trusts only that last hop (PROXY_FIX=1).
    assert drain(stack.trusted_port, "127.0.0.4") == [200, 200, 200, 429]
    forged = get(stack.trusted_port, API, "127.0.0.4", {"X-Forwarded-For": "127.0.0.99"})
    assert forged.status == 429


def test_without_proxy_fix_every_client_shares_nginx_address(stack):
    # What a district got while PROXY_FIX was never read: one client empties everyone's bucket.
    assert drain(stack.untrusted_port, "127.0.0.5") == [200, 200, 200, 429]
    assert get(stack.untrusted_port, API, "127.0.0.6").status == 429


def test_links_are_https_when_nginx_says_the_request_was(stack):
    sitemap = get(stack.trusted_port, "/sitemap.xml", "127.0.0.7")
    assert sitemap.status == 200
    links = re.findall(r"<loc>([^<]+)</loc>", sitemap.body.decode())
    assert links and all(link.startswith("https://") for link in links)


def test_the_server_log_has_no_query_string_and_no_client_address(stack):
    assert get(stack.trusted_port, "/dataset?q=rahasia-kueri", "127.0.0.8").status == 200
    time.sleep(0.5)  # the worker writes its line after the answer
    log = stack.trusted_log.read_text(errors="replace")
    assert '"path": "/dataset"' in log
    assert "rahasia-kueri" not in log and "127.0.0.8" not in log


def test_admin_and_login_pages_are_never_stored_by_a_cache(stack):
    for path in ("/auth/login", "/admin/"):
        response = get(stack.trusted_port, path, "127.0.0.9")
        assert response.getheader("Cache-Control") == "no-store", path
    assert get(stack.trusted_port, "/", "127.0.0.9").getheader("Cache-Control") != "no-store"
