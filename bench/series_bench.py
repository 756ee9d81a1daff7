"""p50/p95 of a dataset page with twelve versions and its trend, 16 clients, first visit and cached.

Builds (in a fresh folder under bench/out/) one statistic with twelve monthly published
versions — penduduk-menurut-agama of the 133 desa of Tabanan, every category, a few cells
hidden as "x" — and, as the peer in the same run, the same table published once. Serves
them with gunicorn as ``make serve`` does (2 workers x 4 threads) and loads each target with
wrk for ``--seconds`` at ``--connections``:

- floor: ``/healthz``;
- one version: the peer's page on every trend choice (district, 10 kecamatan, 133 desa);
- twelve versions: the same URLs on the twelve-version dataset;
- both with the page cache off (every request renders its page: the first visit of a URL,
  the trend's sums already worked out in the worker) and on (the URLs come round again
  after a first pass has filled both workers' caches: the cached case). The cold cost (first
  request of a fresh worker: twelve CSVs read and summed, eleven diffs of the history) is
  timed separately, as are the series downloads and the publish gate with and without the
  series in the package.

Needs wrk (apt-get install wrk).

    .venv/bin/python bench/series_bench.py [--seconds 15] [--connections 16]
"""
from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
import catalog_bench as cb  # noqa: E402  (bench/ is not a package when run as a script)

NAME, PEER = "penduduk-menurut-agama", "agama-satu-versi"
MONTHS = 12
HEADER = ["kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan", "kode", "kategori",
          "jumlah", "laki_laki", "perempuan"]


def table(month: int, district, categories, rng: random.Random) -> bytes:
    """One month's long-format table: every desa x category, about 3 % of the cells hidden."""
    kecamatan = {k.kode: k.nama for k in district.kecamatan}
    out = io.StringIO()
    out.write(",".join(HEADER) + "\n")
    for desa in district.desa:
        for code, label in categories:
            men, women = rng.randint(0, 900) + month, rng.randint(0, 900) + month
            cells = ["x", "x", "x"] if rng.random() < 0.03 else [str(men + women), str(men), str(women)]
            out.write(",".join([desa.kode, desa.nama, desa.kode_kecamatan, kecamatan[desa.kode_kecamatan],
                                str(code), label, *cells]) + "\n")
    return out.getvalue().encode()


def schema(categories) -> dict:
    """The Table Schema the portal publishes for such a table (packaging.table_schema's shape)."""
    text = ("kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan")
    fields = [{"name": n, "type": "string", "title": n} for n in text]
    fields += [{"name": "kode", "type": "integer", "categories": [{"value": c, "label": t} for c, t in categories]},
               {"name": "kategori", "type": "string", "categories": [t for _, t in categories]}]
    fields += [{"name": n, "type": "integer", "constraints": {"minimum": 0}} for n in HEADER[6:]]
    return {"fields": fields, "primaryKey": ["kode_desa", "kode"],
            "missingValues": [{"value": "x", "label": "Disembunyikan"}]}


def build(folder: Path) -> SimpleNamespace:
    """A fresh database with the twelve-version dataset and its one-version peer."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.core.vocabularies import ReleaseStatus
    from portal.datasets import packaging
    from portal.datasets.models import Dataset, Organization, Release, ReleaseFile
    from portal.datasets.storage import LocalStorage
    from portal.extensions import db
    from portal.search.index import reindex
    from portal.sources.wilayah import load_district
    from portal.statistics.catalogue import get_spec
    from portal.statistics.compute import categories_for

    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.sqlite3'}",
                      "STORAGE_DIR": str(folder / "storage"), "PORTAL_URL": "http://127.0.0.1:8000"})
    district = load_district("51.02")
    categories = [(c.code, c.label) for c in categories_for(get_spec(NAME))]
    rng = random.Random(2026)
    with app.app_context():
        upgrade()
        store = LocalStorage(folder / "storage")
        org = Organization(name="kesra", title="Bagian Kesejahteraan Rakyat", description="")
        db.session.add(org)
        for name, months in ((NAME, MONTHS), (PEER, 1)):
            ds = Dataset(name=name, title=f"Penduduk menurut Agama ({name})", topic="agama", tags=["agama"],
                         description="Bench.", organization=org)
            db.session.add(ds)
            db.session.flush()
            for month in range(1, months + 1):
                content = table(month, district, categories, rng)
                version = f"1.{month - 1}.0"
                meta = packaging.PackageMeta(id=ds.id, name=name, title=ds.title, description="Bench.",
                                             version=version, created=datetime(2026, month, 2),
                                             licence_id="CC-BY-4.0", keywords=["agama"], homepage="",
                                             contributors=[{"title": "Bench", "roles": ["publisher"]}])
                descriptor = packaging.to_json_bytes(packaging.datapackage(meta, schema(categories), content))
                release = Release(dataset=ds, version=version, status=ReleaseStatus.PUBLISHED,
                                  reference_date=date(2026, month, 1), schema_hash="s" * 64, data_hash="d" * 64,
                                  published_at=datetime(2026, month, 2) + timedelta(hours=month), meta={})
                for fname, data, fmt, media in ((f"{name}.csv", content, "csv", "text/csv"),
                                                ("datapackage.json", descriptor, "json", "application/json")):
                    sha, _ = store.put(data, fname)
                    release.files.append(ReleaseFile(name=fname, format=fmt, media_type=media,
                                                     bytes=len(data), sha256=sha))
                db.session.add(release)
            db.session.flush()
            reindex(ds)
        db.session.commit()
    url = f"sqlite:///{folder / 'portal.sqlite3'}"
    return SimpleNamespace(folder=folder, database_url=url, storage_dir=folder / "storage",
                           instance=folder / "instance", district=district, categories=categories)


def gate_cost(folder: Path) -> dict:
    """Seconds the publish gate (frictionless on files and zip) takes for the twelfth version's
    package with its series, beside the same package without it (what publishing it adds)."""
    from portal import create_app
    from portal.datasets import packaging, queries, series, validation

    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.sqlite3'}",
                      "STORAGE_DIR": str(folder / "storage")})
    out = {}
    with app.app_context():
        found = queries.public_dataset(NAME)
        parts = series.parts_of(found.versions)
        latest = parts[-1]
        content = series.series_csv(parts)
        descriptor = json.loads(latest.descriptor)
        plain = {packaging.csv_path(NAME): latest.csv, "datapackage.json": latest.descriptor}
        descriptor["resources"].append(series.resource(parts, NAME, descriptor["title"], content))
        with_series = {**plain, packaging.csv_path(series.series_name(NAME)): content,
                       "datapackage.json": packaging.to_json_bytes(descriptor)}
        for label, files in (("without series", plain), ("with series", with_series)):
            started = time.perf_counter()
            report = validation.validate_files(files)
            errors = validation.zip_errors(packaging.zip_bytes(files))
            out[f"gate s, {label}"] = round(time.perf_counter() - started, 2)
            out[f"gate valid, {label}"] = report["valid"] and not errors
        out["series rows"] = content.count(b"\n") - 1
        out["series bytes"] = len(content)
    return out


def trend_paths(name: str, catalog, rng: random.Random) -> list[str]:
    """The dataset page on every trend choice: the district, each kecamatan and each desa."""
    areas = [""] + [k.kode for k in catalog.district.kecamatan] + [d.kode for d in catalog.district.desa]
    paths = []
    for area in areas:
        args = {"tren": area} if area else {}
        if rng.random() < 0.3:
            args["tren_kategori"] = str(rng.choice(catalog.categories)[0])
        paths.append(f"/dataset/{name}" + ("?" + urlencode(args) if args else ""))
    rng.shuffle(paths)
    return paths


def timed(port: int, path: str) -> tuple[int, float]:
    """One GET: status and milliseconds."""
    started = time.perf_counter()
    status, _ = cb.get(port, path, timeout=120)
    return status, 1000 * (time.perf_counter() - started)


def serve(catalog, cache: bool):
    """gunicorn on the bench database (page cache on or off); its port and process."""
    port = cb.free_port()
    proc = cb.start_gunicorn(catalog, port, workers=2, threads=4, PAGE_CACHE="1" if cache else "0",
                             API_RATE_LIMIT="0")
    cb.wait_ready(port, proc)
    return port, proc


def run(args) -> dict:
    """Build, serve with the page cache off then on, load each target; the numbers."""
    folder = cb.catalog_build.OUT / f"series-{int(time.time())}"
    folder.mkdir(parents=True)
    started = time.perf_counter()
    catalog = build(folder)
    results = {"build_s": round(time.perf_counter() - started, 1), **gate_cost(folder)}
    print(results, flush=True)
    rng = random.Random(7)
    many, one = trend_paths(NAME, catalog, rng), trend_paths(PEER, catalog, rng)
    for cache in (False, True):
        port, proc = serve(catalog, cache)
        try:
            label = "cached" if cache else "first visit"
            if not cache:
                results["cold first request ms (12 versions)"] = round(timed(port, f"/dataset/{NAME}")[1], 1)
                results["cold first request ms (1 version)"] = round(timed(port, f"/dataset/{PEER}")[1], 1)
                status, ms = timed(port, f"/dataset/{NAME}/series.csv")
                results["series.csv ms (first)"] = round(ms, 1)
                results["series.csv ms (again)"] = round(timed(port, f"/dataset/{NAME}/series.csv")[1], 1)
                results["series.xlsx ms (first)"] = round(timed(port, f"/dataset/{NAME}/series.xlsx")[1], 1)
            else:
                bad = cb.check(port, many + one)  # every URL once: the cached case starts warm
                if bad:
                    print("not 2xx/3xx:", bad[:5])
            for target, paths in (("floor /healthz", ["/healthz"]), (f"1 version, {label}", one),
                                  (f"12 versions, {label}", many)):
                if cache and len(paths) > 1:
                    # Each worker has its own page cache, whose entries live PAGE_CACHE_SECONDS
                    # (60): a pass right before the measured one fills both.
                    cb.wrk(port, paths, args.seconds, args.connections)
                stats = cb.wrk(port, paths, args.seconds, args.connections)
                results[target] = {k: round(stats[k], 1) for k in ("rps", "p50", "p95", "p99")}
                results[target]["errors"] = stats["errors"]
                print(target, results[target], flush=True)
        finally:
            cb.stop(proc)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def main() -> int:
    """Run and print the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="keep the bench folder")
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)")
        return 1
    print(json.dumps(run(parser.parse_args()), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
