"""Synthetic OpenSID "database gabungan" for a whole district, for demos, tests and benchmarks.

The output has OpenSID's table and column names (config, tweb_wil_clusterdesa, tweb_keluarga,
tweb_penduduk, each per-village table with config_id) and is shaped like real register data:
valid-looking NIK and No. KK, coherent families, Balinese names, an age pyramid and rare
categories. Every value is invented; the same (residents, seed, format) gives the same output.

With ``months`` > 1 it writes a series: one export per month, the register as it stood on the
first day of each month, the last one on REF_DATE (2026-11-01, the date a single export has
always had). Each month follows from the one before (``history.advance_month``): the same
people with the same ids, a month older, with the month's births, deaths, moves, marriages,
new families and e-KTP records; CSV exports add a ``log_penduduk.csv`` of those events.
Layout: ``OUT/2025-12/``, ``OUT/2026-01/``, ... (``OUT/2025-12.sqlite`` or ``.xlsx`` for the
other formats). ``months=1`` is the single export as before, written to ``OUT`` itself.
"""
from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from portal.sources.wilayah import District, load_district

from .history import Month, Register, advance_month, start_register
from .households import build_households
from .region import MIN_PER_DESA, Region, build_region
from .stunting import STUNTING_TABLES, stunting_tables
from .tables import Numbering, build_tables
from .util import REF_DATE
from .village import VILLAGE_TABLES, VillageNumbering, baseline_log, village_tables
from .writers import FORMATS, TABLE_NAMES, WRITERS, append_csv, check_target, lines_bytes

DEFAULT_RESIDENTS = 470_000
# Above this many residents a CSV export is written in batches of desa (bounded memory);
# below it, in one piece, so the demo district's bytes never change.
BATCH_ABOVE = 1_000_000
BATCH_RESIDENTS = 250_000
MAX_MONTHS = 120
PARTIAL = ".partial"  # suffix of a month's folder while it is being written


@dataclass(frozen=True)
class GenerationSummary:
    """What generate_district wrote."""

    path: Path
    format: str
    desa: int
    families: int
    residents: int  # rows in tweb_penduduk (all statuses)
    alive: int  # rows with status_dasar == 1
    months: tuple[Path, ...] = ()  # a series: the export of each month, oldest first (else empty)


def generate_district(
    out: str | Path,
    residents: int = DEFAULT_RESIDENTS,
    seed: int = 1,
    fmt: str = "csv",
    district: District | None = None,
    batch_residents: int | None = None,
    months: int = 1,
) -> GenerationSummary:
    """Generate a synthetic OpenSID district and write it to ``out`` as csv, xlsx or sqlite.

    A CSV export can be written in batches of whole desa of about ``batch_residents`` residents
    each (automatic above BATCH_ABOVE residents): peak memory then follows the batch, not the
    district. Batches draw from their own seeded streams, so the output differs from one piece.
    With ``months`` > 1, a monthly series (see the module doc; not in batches).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if int(months) != months or not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be a whole number from 1 to {MAX_MONTHS}, got {months!r}")
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

    if batch_residents is None and fmt == "csv" and residents > BATCH_ABOVE and months == 1:
        batch_residents = BATCH_RESIDENTS
    if months > 1 and batch_residents is not None:
        raise ValueError("a monthly series is not written in batches")
    rng = np.random.default_rng(seed)
    region = build_region(rng, district, int(residents), int(seed))
    if months > 1:
        return _generate_series(out, rng, district, region, int(seed), fmt, int(months))
    if batch_residents is not None:
        if fmt != "csv":
            raise ValueError("only a csv export can be written in batches")
        return _generate_in_batches(out, district, region, int(seed), int(batch_residents))
    households = build_households(rng, region.sizes)
    keluarga, penduduk = build_tables(rng, district, region, households)
    extra, id_rtm, rtm_level = village_tables(int(seed), region.config, keluarga, penduduk, REF_DATE)
    # Appended last: every column before them keeps the bytes it had before issue 16.
    penduduk = penduduk.assign(id_rtm=id_rtm, rtm_level=rtm_level)
    tables = {
        "config": region.config,
        "tweb_wil_clusterdesa": region.clusters,
        "tweb_keluarga": keluarga,
        "tweb_penduduk": penduduk,
        **extra,
        **stunting_tables(int(seed), region.config, penduduk, REF_DATE),
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


def _batches(sizes: np.ndarray, batch_residents: int) -> list[np.ndarray]:
    """Consecutive desa indices grouped to about ``batch_residents`` residents (one desa at least)."""
    groups, current, total = [], [], 0
    for i, size in enumerate(sizes.tolist()):
        if current and total + size > batch_residents:
            groups.append(np.array(current))
            current, total = [], 0
        current.append(i)
        total += size
    groups.append(np.array(current))
    return groups


def _generate_in_batches(out: Path, district: District, region: Region, seed: int,
                         batch_residents: int) -> GenerationSummary:
    """Write the CSV export batch by batch of desa, continuing ids and NIK / No. KK serials,
    with the village tables (issue 16) of each batch's desa, their ids continued too."""
    out.mkdir(parents=True, exist_ok=True)
    append_csv(out, "config", region.config, header=True)
    append_csv(out, "tweb_wil_clusterdesa", region.clusters, header=True)
    numbering, village = Numbering(), VillageNumbering()
    alive = 0
    for number, desa in enumerate(_batches(region.sizes, batch_residents)):
        rng = np.random.default_rng([seed, number])
        households = build_households(rng, region.sizes[desa])
        households = dataclasses.replace(households, fam_desa=desa[households.fam_desa])
        keluarga, penduduk = build_tables(rng, district, region, households, numbering)
        extra, id_rtm, rtm_level = village_tables(seed, region.config.iloc[desa], keluarga, penduduk,
                                                  REF_DATE, numbering=village, stream=(number,))
        penduduk = penduduk.assign(id_rtm=id_rtm, rtm_level=rtm_level)
        append_csv(out, "tweb_keluarga", keluarga, header=number == 0)
        append_csv(out, "tweb_penduduk", penduduk, header=number == 0)
        for name in VILLAGE_TABLES:
            append_csv(out, name, extra[name], header=number == 0)
        alive += int((penduduk["status_dasar"] == 1).sum())
        del keluarga, penduduk, households, extra
    return GenerationSummary(path=out, format="csv", desa=len(district.desa),
                             families=numbering.families, residents=numbering.people, alive=alive)


def month_starts(last: np.datetime64, months: int) -> list[np.datetime64]:
    """The first days of ``months`` consecutive months, ending with the month of ``last``."""
    end = last.astype("datetime64[M]")
    return [(end - (months - 1 - i)).astype("datetime64[D]") for i in range(months)]


def month_labels(months: int) -> list[str]:
    """The folder names (``YYYY-MM``) of a CSV series of ``months`` months, oldest first."""
    return [str(day.astype("datetime64[M]")) for day in month_starts(REF_DATE, months)]


def generate_in_worker(out: str, residents: int, seed: int, months: int, district_code: str) -> None:
    """A CSV export (a series: month by month) written by a worker process of its own.

    The entry point ``portal.demo`` starts while it harvests: each month's folder appears
    whole (see _write_month), so month k is read while month k + 1 is being generated.
    """
    generate_district(out, residents=residents, seed=seed, fmt="csv", months=months,
                      district=load_district(district_code))


def _write_month(reg: Register, region: Region, out: Path, day: np.datetime64, fmt: str, seed: int) -> Path:
    """Write the register as it stands on ``day`` as one export under ``out``; returns its path."""
    label = str(day.astype("datetime64[M]"))
    tables = {"config": region.config, "tweb_wil_clusterdesa": region.clusters,
              "tweb_keluarga": reg.keluarga, "tweb_penduduk": reg.penduduk}
    extra, _, _ = village_tables(seed, region.config, reg.keluarga, reg.penduduk, day, reg.log_table())
    tables.update(extra)
    tables.update(stunting_tables(seed, region.config, reg.penduduk, day))
    if fmt != "csv":
        path = out / f"{label}.{fmt}"
        WRITERS[fmt](tables, path)
        return path
    # Written under a scratch name and renamed when whole: a reader waiting for the month
    # (portal.demo harvests each month while the next is generated) never sees half of it.
    path, scratch = out / label, out / f"{label}{PARTIAL}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for name in (*TABLE_NAMES, *VILLAGE_TABLES, *STUNTING_TABLES):
        if name == "tweb_penduduk":  # most lines are last month's: only changed rows are formatted
            header = (",".join(reg.penduduk.columns) + "\n").encode("utf-8")
            (scratch / f"{name}.csv").write_bytes(header + lines_bytes(reg.penduduk_lines()))
        else:
            append_csv(scratch, name, tables[name], header=True)
    scratch.rename(path)
    return path


def _generate_series(out: Path, rng: np.random.Generator, district: District, region: Region, seed: int,
                     fmt: str, months: int) -> GenerationSummary:
    """The register on the first day of each of ``months`` months, each month from the one before."""
    days = month_starts(REF_DATE, months)
    households = build_households(rng, region.sizes)
    keluarga, penduduk = build_tables(rng, district, region, households, ref_date=days[0])
    reg = start_register(keluarga, penduduk)
    # Each resident's entry row (and the exit rows of the no longer living) before the series.
    reg.log.append(baseline_log(np.random.default_rng([seed, 16, 0]), penduduk, days[0]))
    reg.log_rows = len(reg.log[0])
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, day in enumerate(days):
        if i:
            month = Month(start=days[i - 1], end=day, rng=np.random.default_rng([seed, 13, i]))
            reg = advance_month(reg, month, district, region)
        paths.append(_write_month(reg, region, out, day, fmt, seed))
    status = reg.penduduk["status_dasar"].to_numpy()
    return GenerationSummary(path=out, format=fmt, desa=len(district.desa), families=len(reg.keluarga),
                             residents=len(reg.penduduk), alive=int((status == 1).sum()), months=tuple(paths))
