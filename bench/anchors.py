"""First-order reason a table is kept: cells that turn from a published value to a hidden one.

For a monthly series written by ``flask generate-district OUT --months N``, counts the living
residents per desa, category and sex for a few register columns (and occupation in a draft
grouping), and prints, for each month-to-month step, how many cells go from a value the
threshold rule publishes (0, or at least k) to one it hides (1..k-1): each such cell is pinned
by the change-between-versions attack whatever else is hidden (bench/README.md, "make run").

    .venv/bin/python bench/anchors.py OUT [--k 5]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

# A draft grouping of OpenSID's 89 occupation codes (not the published classification).
GROUPS = {
    "tidak bekerja": [1], "mengurus rumah tangga": [2], "pelajar/mahasiswa": [3], "pensiunan": [4],
    "aparatur": [5, 6, 7, 18, 85, 86, *range(48, 64)],
    "pertanian": [9, 10, 11, 20, 21, 22], "perdagangan": [8, 84], "karyawan": [15, 16, 17],
    "wiraswasta": [88], "buruh harian": [19],
    "industri/tukang/transportasi": [12, 13, 14, 24, 25, 26, 27, 28, 29, 30, 35, 79, 81],
    "kesehatan": [31, 37, 38, 72, 73, 74, 75, 76], "pendidikan": [64, 65],
    "jasa/profesi lain": [23, 32, 33, 34, 36, 39, *range(40, 48), *range(66, 72), 77, 78, 80, 82, 83, 87],
    "lainnya": [89],
}
COLUMNS = ("pekerjaan_id", "kelompok_pekerjaan", "golongan_darah_id", "warganegara_id", "pendidikan_sedang_id")


def _month(folder: Path) -> pd.DataFrame:
    """The living residents of one month with the counted columns."""
    usecols = ["config_id", "status_dasar", "sex", *[c for c in COLUMNS if c != "kelompok_pekerjaan"]]
    people = pd.read_csv(folder / "tweb_penduduk.csv", usecols=usecols)
    people = people[people["status_dasar"] == 1].copy()
    group = {code: name for name, codes in GROUPS.items() for code in codes}
    people["kelompok_pekerjaan"] = people["pekerjaan_id"].map(group).fillna("lainnya")
    return people


def _counts(people: pd.DataFrame, column: str) -> pd.Series:
    """Residents per desa, category and sex."""
    return people.groupby(["config_id", column, "sex"]).size()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("series", type=Path)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    months = [_month(p) for p in sorted(p for p in args.series.iterdir() if p.is_dir())]
    print(f"{len(months)} months, k = {args.k}")
    for column in COLUMNS:
        counts = [_counts(m, column) for m in months]
        index = counts[0].index
        for c in counts[1:]:
            index = index.union(c.index)
        # every category of every desa with both sexes, 0 where nobody
        full = pd.MultiIndex.from_product(index.levels)
        counts = [c.reindex(full, fill_value=0) for c in counts]
        hidden = [(c > 0) & (c < args.k) for c in counts]
        newly = [int((~a & b).sum()) for a, b in zip(hidden, hidden[1:])]
        share = np.mean([h.mean() for h in hidden])
        print(f"{column:22s} cells {len(full):6d}  hidden share {share:.0%}  newly hidden per step {newly}")


if __name__ == "__main__":
    main()
