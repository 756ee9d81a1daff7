"""Synthetic OpenSID "database gabungan" for a whole district, for demos, tests and benchmarks.

The output has OpenSID's table and column names (config, tweb_wil_clusterdesa, tweb_keluarga,
tweb_penduduk, each per-village table with config_id) and is shaped like real register data:
valid-looking NIK and No. KK, coherent families, Balinese names, an age pyramid and rare
categories. Every value is invented; the same (residents, seed, format) gives the same output.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .gen_households import build_households
from .gen_region import MIN_PER_DESA, build_region
from .gen_tables import build_tables
from .gen_writers import FORMATS, WRITERS, check_target
from .wilayah import District, load_district

DEFAULT_RESIDENTS = 470_000


@dataclass(frozen=True)
class GenerationSummary:
    """What generate_district wrote."""

    path: Path
    format: str
    desa: int
    families: int
    residents: int  # rows in tweb_penduduk (all statuses)
    alive: int  # rows with status_dasar == 1


def generate_district(
    out: str | Path,
    residents: int = DEFAULT_RESIDENTS,
    seed: int = 1,
    fmt: str = "csv",
    district: District | None = None,
) -> GenerationSummary:
    """Generate a synthetic OpenSID district and write it to ``out`` as csv, xlsx or sqlite."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    district = district or load_district("51.02")
    n_desa = len(district.desa)
    if n_desa == 0:
        raise ValueError(f"district {district.kode} has no desa")
    if int(residents) != residents or residents < n_desa * MIN_PER_DESA:
        raise ValueError(
            f"residents must be a whole number of at least {n_desa * MIN_PER_DESA} "
            f"({MIN_PER_DESA} per desa for {n_desa} desa), got {residents!r}"
        )
    out = Path(out)
    check_target(out, fmt)

    rng = np.random.default_rng(seed)
    region = build_region(rng, district, int(residents), int(seed))
    households = build_households(rng, region.sizes)
    keluarga, penduduk = build_tables(rng, district, region, households)
    tables = {
        "config": region.config,
        "tweb_wil_clusterdesa": region.clusters,
        "tweb_keluarga": keluarga,
        "tweb_penduduk": penduduk,
    }
    WRITERS[fmt](tables, out)
    return GenerationSummary(
        path=out,
        format=fmt,
        desa=n_desa,
        families=len(keluarga),
        residents=len(penduduk),
        alive=int((penduduk["status_dasar"] == 1).sum()),
    )
