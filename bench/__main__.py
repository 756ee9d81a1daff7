"""`python -m bench [NAME ...]`: run the benchmarks (all by default) one after another."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> None:
    """Run bench/<name>_bench.py for each name (every *_bench.py when none is given)."""
    scripts = sorted(HERE.glob("*_bench.py"))
    chosen = [s for s in scripts if not names or s.stem.removesuffix("_bench") in names]
    failed = []
    for script in chosen:
        print(f"=== {script.name} ===", flush=True)
        sys.argv = [str(script)]
        # A bench ends with sys.exit(main()); that must not end the benches after it.
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (None, 0):
                failed.append(script.name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
