"""The publish gate's validation of the k-th monthly version (k = 1..12), whole and incremental.

A version's package holds its month's table and the series of every month so far (issue 13).
For each k this builds, in memory, the package of version k of a statistic of the 133 desa of
Tabanan (every category, about 3 % of the cells hidden, as ``series_bench`` makes them) and
times ``validation.validate_files`` three ways in the same run:

- floor: the package without its series (the month's own table: what cannot be avoided);
- whole: the package with its series validated whole (the gate before this change: the peer);
- incremental: the same package with the series of version k - 1 named as passed before
  (``validation.Validated``): only the head and the new rows are read again.

Both gate reports must agree (valid, same checks). CPU seconds of this process are the
comparable numbers on a shared machine; wall seconds are printed beside them.

    .venv/bin/python bench/approval_bench.py [--dataset penduduk-menurut-pekerjaan] [--months 12]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import series_bench as sb  # noqa: E402  (bench/ is not a package when run as a script)


def parts_for(name: str, months: int) -> tuple:
    """``months`` published months of ``name`` as series parts (table and descriptor bytes)."""
    from portal.datasets import packaging, series
    from portal.sources.wilayah import load_district
    from portal.statistics.catalogue import get_spec
    from portal.statistics.compute import categories_for

    district = load_district("51.02")
    categories = [(c.code, c.label) for c in categories_for(get_spec(name))]
    rng = random.Random(2026)
    parts = []
    for month in range(1, months + 1):
        content = sb.table(month, district, categories, rng)
        version = f"1.{month - 1}.0"
        meta = packaging.PackageMeta(id="bench", name=name, title="Bench", description="Bench.", version=version,
                                     created=datetime(2026, month, 2), licence_id="CC-BY-4.0", keywords=["bench"],
                                     homepage="", contributors=[{"title": "Bench", "roles": ["publisher"]}])
        descriptor = packaging.to_json_bytes(packaging.datapackage(meta, sb.schema(categories), content))
        parts.append(series.Part(version, date(2026, month, 1), None, "", content, descriptor))
    return tuple(parts)


def package(name: str, parts: tuple, with_series: bool) -> tuple[dict[str, bytes], bytes, dict]:
    """The package of the newest part (with or without its series), the series and its resource."""
    from portal.datasets import packaging, series

    descriptor = json.loads(parts[-1].descriptor)
    files = {packaging.csv_path(name): parts[-1].csv}
    content = series.series_csv(parts)
    resource = series.resource(parts, name, descriptor["title"], content)
    if with_series:
        descriptor["resources"].append(resource)
        files[resource["path"]] = content
    files["datapackage.json"] = packaging.to_json_bytes(descriptor)
    return files, content, resource


def timed(call, *args) -> tuple[dict, float, float]:
    """The call's result, CPU seconds and wall seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = call(*args)
    return result, time.process_time() - cpu, time.perf_counter() - wall


def run(name: str, months: int) -> dict:
    """Each k: series rows, and CPU/wall seconds of floor, whole and incremental validation."""
    from portal.datasets import validation
    from portal.datasets.storage import sha256_bytes

    every = parts_for(name, months)
    validation.validate_files(package(name, every[:1], with_series=True)[0])  # imports and caches warm
    rows, previous = [], None
    for k in range(1, months + 1):
        parts = every[:k]
        plain, _, _ = package(name, parts, with_series=False)
        files, content, resource = package(name, parts, with_series=True)
        floor, floor_cpu, floor_wall = timed(validation.validate_files, plain)
        whole, whole_cpu, whole_wall = timed(validation.validate_files, files)
        before = {} if previous is None else {resource["path"]: previous}
        step, step_cpu, step_wall = timed(validation.validate_files, files, before)
        assert floor["valid"] and whole["valid"] and step["valid"], (floor, whole, step)
        assert whole["checks"] == step["checks"]
        rows.append({"k": k, "series rows": content.count(b"\n") - 1, "series MB": round(len(content) / 1e6, 2),
                     "reused rows": step.get("reused", {}).get(resource["path"], {}).get("rows", 0),
                     "floor cpu": round(floor_cpu, 2), "whole cpu": round(whole_cpu, 2),
                     "incremental cpu": round(step_cpu, 2), "whole wall": round(whole_wall, 2),
                     "incremental wall": round(step_wall, 2)})
        print(json.dumps(rows[-1]), flush=True)
        previous = validation.Validated(len(content), sha256_bytes(content), resource)
    total = {key: round(sum(r[key] for r in rows), 1) for key in ("floor cpu", "whole cpu", "incremental cpu")}
    return {"dataset": name, "months": months, "load average": os.getloadavg(), "per k": rows, "sum": total}


def main() -> int:
    """Run and print the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="penduduk-menurut-pekerjaan")
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"started {started}, load average {os.getloadavg()}", flush=True)
    result = run(args.dataset, args.months)
    print(json.dumps({k: v for k, v in result.items() if k != "per k"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
