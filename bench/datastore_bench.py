"""How much work one datastore_search request can buy (issue 12, finding 1).

Builds a throwaway portal in a temporary folder with one published table the size of the
demo's largest (133 desa of Tabanan × 90 categories = 11,970 rows), then times requests
in-process through the Flask test client (request parsing, search, JSON encoding: the
work a worker thread does, without the network): the normal one-word query as the floor,
the first text query on a table (its index is built then, once), the most expensive
request the bounds allow, and the refusals of oversized input. For comparison it times
the text match the portal used before (each row's text rebuilt once per word of q).
A limit of 32000 is capped at DATASTORE_ROWS_MAX (5000 by default).

    .venv/bin/python bench/datastore_bench.py [--runs 15]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = 90
REGIONS = ROOT / "portal/sources/data/wilayah-kemendagri.csv"


def desa_of_tabanan() -> list[tuple[str, str, str, str]]:
    """(kode_desa, nama_desa, kode_kecamatan, nama_kecamatan) of the 133 desa of Tabanan."""
    with REGIONS.open(encoding="utf-8") as handle:
        names = {row["kode"]: row["nama"] for row in csv.DictReader(handle) if row["kode"].startswith("51.02.")}
    return [(code, name, code[:8], names.get(code[:8], "")) for code, name in sorted(names.items())
            if code.count(".") == 3]


def table_csv(header: list[str]) -> bytes:
    """11,970 rows in the portal's long format; small counts hidden as 'x'."""
    rows = [header]
    for d, (kode_desa, nama_desa, kode_kec, nama_kec) in enumerate(desa_of_tabanan()):
        for c in range(CATEGORIES):
            count = (d * 37 + c * 11) % 400
            shown = str(count) if count >= 5 else "x"
            rows.append([kode_desa, nama_desa, kode_kec, nama_kec, str(c + 1), f"Kelompok umur {c} tahun",
                         shown, shown, shown])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def build(folder: Path):
    """A portal with one published dataset whose CSV is the demo-sized table; (app, resource id)."""
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from portal import create_app
    from portal.datasets.storage import Storage
    from tests.support.catalog import HEADER, CatalogFactory

    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.sqlite3'}",
                      "STORAGE_DIR": str(folder / "storage"), "API_RATE_LIMIT": 0})
    with app.app_context(), app.test_request_context():
        upgrade()
        CatalogFactory(app).dataset("umur-desa")
        target = Storage(app.config["STORAGE_DIR"]).published_dir("umur-desa", "1.0.0") / "data/umur-desa.csv"
        target.write_bytes(table_csv(HEADER))
    client = app.test_client()
    pkg = client.get("/api/3/action/package_show?id=umur-desa").get_json()["result"]
    return app, next(r["id"] for r in pkg["resources"] if r["format"] == "CSV")


def timed(send, runs: int) -> tuple[float, float, float, int]:
    """Milliseconds of the first call (it builds what the table keeps), median and worst of
    ``runs`` more, and the last status."""
    started = time.perf_counter()
    send()
    first = (time.perf_counter() - started) * 1000
    spent, status = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        status = send()
        spent.append((time.perf_counter() - started) * 1000)
    return first, statistics.median(spent), max(spent), status


def cases(rid: str) -> dict:
    """Request bodies or query strings by name: the floor, the worst allowed, the refused."""
    broad = " | ".join(f"{letter}:*" for letter in "abcdefghijkl")  # 12 prefix terms: every row
    phrases = " | ".join(f"{a}:* <-> {b}:*" for a, b in ("ke", "um", "ta", "de", "pe", "ba"))
    return {
        "1 word, default page (floor)": ("get", {"resource_id": rid, "q": "kediri"}),
        "no q, 100 rows": ("get", {"resource_id": rid}),
        "12 prefix terms, every row, 4 sorts, distinct, limit 32000": ("post", {
            "resource_id": rid, "q": broad, "plain": False, "distinct": True, "limit": 32000,
            "sort": "nama_kecamatan desc, jumlah nulls first, kategori, nama_desa desc"}),
        "6 prefix phrases (12 terms), 4 sorts, limit 32000": ("post", {
            "resource_id": rid, "q": phrases, "plain": False, "limit": 32000,
            "sort": "jumlah desc, kode, kode_desa, laki_laki"}),
        "filters on 2 columns (110 values) + q on 2 columns": ("post", {
            "resource_id": rid, "limit": 32000,
            "filters": {"kode": [str(n) for n in range(1, 101)],
                        "kode_kecamatan": [f"51.02.{n:02d}" for n in range(1, 11)]},
            "q": {"kategori": "kelompok umur tahun", "nama_kecamatan": "kediri"}}),
        "no q, limit 32000, objects": ("post", {"resource_id": rid, "limit": 32000}),
    }


def refusals(rid: str) -> dict:
    """Inputs over the bounds: each must be refused before any row is read."""
    words = " ".join(f"kata{n}" for n in range(10_000))
    return {
        "10,000-word q as GET (409)": ("get", {"resource_id": rid, "q": words}),
        "10,000-word q as 60 KB POST (413)": ("post", {"resource_id": rid, "q": words}),
        "13 prefix terms (409)": ("get", {"resource_id": rid, "plain": "false",
                                          "q": " | ".join(f"k{n}:*" for n in range(13))}),
    }


def sender(client, method: str, params: dict):
    """A function sending one request; returns its status."""
    if method == "get":
        return lambda: client.get("/api/3/action/datastore_search", query_string=params).status_code
    body = json.dumps(params)
    return lambda: client.post("/api/action/datastore_search", data=body,
                               content_type="application/json").status_code


def old_text_match(table, q: str) -> int:
    """The text match before this change (portal/api/datastore.py at 512e055): every row's
    text joined and lower-cased again for every word of q."""
    words = q.lower().split()
    rows = range(len(table.typed))
    return len([r for r in rows if all(w in " ".join(table.raw[r][1:]).lower() for w in words)])


def main() -> None:
    """Build the table, print the timings as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, rid = build(Path(tmp))
        from portal.api import tables

        client = app.test_client()
        started = time.perf_counter()
        status = sender(client, "get", {"resource_id": rid, "q": "kediri"})()
        first = (time.perf_counter() - started) * 1000
        with app.test_request_context():
            table = tables.load_table(*tables.find_resource(rid))
        print(f"rows: {len(table.typed)}; first text query (reads the CSV, builds the index once): "
              f"{first:.0f} ms ({status})\n")
        print("| request | first ms | median ms | worst ms | status |\n|---|---|---|---|---|")
        for name, (method, params) in {**cases(rid), **refusals(rid)}.items():
            first, median, worst, status = timed(sender(client, method, params), args.runs)
            print(f"| {name} | {first:.1f} | {median:.1f} | {worst:.1f} | {status} |")
        for words in (1, 100, 1000):
            q = " ".join(["kelompok"] * words)  # a word of every row: no row stops early
            started = time.perf_counter()
            old_text_match(table, q)
            print(f"| before: old text match, {words} word(s) | | {(time.perf_counter() - started) * 1000:.1f} | | |")


if __name__ == "__main__":
    main()
