"""Harvest with the boundaries of 133 desa beside the same harvest without them.

The same 470,000-resident demo export in three variants that differ only in ``config.path``:
no ``path`` column at all (the floor: what the harvest cost before boundaries), the demo's
boundaries (tens of points per desa, ~1 KB each), and large boundaries (8,000 points per
desa, ~180 KB each, 24 MB in config.csv: what real, finely digitised polygons cost). Each
run is a fresh child process: the harvest's read, check, minimise and count with the
boundary step (``portal/harvest/pipeline.py``), then the boundary dataset's files as the
draft makes them (normalise, CSV + GeoJSON, the publish gate's validation). Peak RSS is the
child's. The variants share every file but config.csv (hard links, not copies).

    .venv/bin/python bench/boundary_bench.py [--residents 470000] [--repeat 2]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harvest_bench import export  # noqa: E402

REFERENCE_DATE = date(2026, 11, 1)
VARIANTS = ("tanpa batas", "batas demo", "batas besar")
LARGE_POINTS = 8_000


def _circle(lat: float, lng: float, points: int, radius: float = 0.006) -> str:
    """A valid OpenSID desa path ([lat, lng], unclosed, depth 4) with ``points`` points."""
    ring = [[round(lat + radius * math.sin(2 * math.pi * i / points), 6),
             round(lng + radius * math.cos(2 * math.pi * i / points), 6)] for i in range(points)]
    return json.dumps([[ring]], separators=(",", ":"))


def variant(source: Path, name: str) -> Path:
    """The export with config.path as ``name`` says, under bench/out/ (other files hard-linked)."""
    import pandas as pd

    out = source.parent / f"{source.name}-{name.replace(' ', '-')}"
    if (out / "config.csv").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.name != "config.csv":
            target = out / path.name
            if not target.exists():
                try:
                    os.link(path, target)
                except OSError:
                    shutil.copy2(path, target)
    config = pd.read_csv(source / "config.csv", dtype=str, keep_default_na=False)
    if name == "tanpa batas":
        config = config.drop(columns=["path"])
    elif name == "batas besar":
        config["path"] = [_circle(float(a), float(b), LARGE_POINTS) for a, b in zip(config["lat"], config["lng"])]
    config.to_csv(out / "config.csv", index=False)
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(path: str) -> dict:
    """Harvest the export to tables (with the boundary step), then build the boundary files."""
    from portal.datasets import geo, validation
    from portal.harvest.pipeline import harvest_tables
    from portal.sources.wilayah import load_district

    district = load_district("51.02")
    start = time.perf_counter()
    harvested = harvest_tables(path, REFERENCE_DATE, district)
    assert not harvested.report.errors and harvested.failure is None
    harvest_s = time.perf_counter() - start
    files_s, geojson_bytes = 0.0, 0
    if harvested.boundaries is not None:
        start = time.perf_counter()
        features = geo.normalised_features(harvested.boundaries.features, district)
        csv_bytes, geojson = geo.package_bytes(features)
        name = geo.BOUNDARIES.name
        descriptor = {"name": name, "resources": [
            {"name": name, "type": "table", "path": f"data/{name}.csv", "format": "csv",
             "mediatype": "text/csv", "schema": geo.table_schema()},
            geo.geojson_resource(name, geo.BOUNDARIES.title, geojson)]}
        report = validation.validate_files({f"data/{name}.csv": csv_bytes, f"data/{name}.geojson": geojson,
                                            "datapackage.json": json.dumps(descriptor).encode()})
        assert report["valid"], report["errors"][:3]
        files_s, geojson_bytes = time.perf_counter() - start, len(geojson)
    return {"harvest_s": harvest_s, "files_s": files_s, "peak_mb": _peak_mb(),
            "config_mb": (Path(path) / "config.csv").stat().st_size / 1024**2,
            "desa_drawn": 0 if harvested.boundaries is None else len(harvested.boundaries.features),
            "geojson_mb": geojson_bytes / 1024**2, "tables": len(harvested.tables)}


def run_child(path: Path) -> dict:
    """One measurement in a fresh Python process."""
    out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    """Alternate the three variants ``repeat`` times; print the best of each beside the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=470_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child)))
        return
    source = export(args.residents)
    paths = {name: variant(source, name) for name in VARIANTS}
    runs: dict[str, list[dict]] = {name: [] for name in VARIANTS}
    for _ in range(args.repeat):
        for name in VARIANTS:
            runs[name].append(run_child(paths[name]))
    floor = min(r["harvest_s"] for r in runs["tanpa batas"])
    print(f"residents: {args.residents}, 133 desa, {args.repeat} alternating runs, best of each")
    print(f"{'variant':<12} | {'config.csv MB':>13} | {'harvest s (runs)':>22} | {'vs floor':>8} | "
          f"{'boundary files s':>16} | {'GeoJSON MB':>10} | {'peak RSS MB':>11}")
    for name in VARIANTS:
        best = min(runs[name], key=lambda r: r["harvest_s"])
        times = " / ".join(f"{r['harvest_s']:.2f}" for r in runs[name])
        print(f"{name:<12} | {best['config_mb']:>13.1f} | {times:>22} | {best['harvest_s'] / floor:>7.2f}x | "
              f"{min(r['files_s'] for r in runs[name]):>16.2f} | {best['geojson_mb']:>10.2f} | "
              f"{max(r['peak_mb'] for r in runs[name]):>11.0f}")


if __name__ == "__main__":
    main()
