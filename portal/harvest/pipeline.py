"""From a source to the in-memory statistic tables: read, check, minimise, count.

A CSV folder, the usual export and the only kind that reaches millions of residents, is read
in chunks: the small tables whole, tweb_keluarga in chunks of the columns a harvest uses, and
tweb_penduduk one chunk at a time, each chunk checked, minimised and counted, then dropped.
What the checks need of the whole district (NIK seen so far, ids) is kept as int64 arrays, so
memory stays bounded at millions of residents. Any other source, or a CSV the stream cannot
number exactly, is read whole; both ways give the same report and the same tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portal.harvest import boundaries as boundary_step
from portal.harvest import quality as quality_step
from portal.privacy.policy import (
    DERIVED_FLAGS,
    KELUARGA,
    ColumnClass,
    MinimisationReport,
    minimise_families,
    minimise_residents,
    minimise_table,
)
from portal.privacy.scan import build_deny_list
from portal.sources import (
    BOOKKEEPING,
    CHUNK_ROWS,
    SourceTables,
    StreamedExport,
    StreamUnsuitable,
    is_database_url,
    read_source,
    stream_csv_folder,
)
from portal.sources.checks import REQUIRED_COLUMNS, CheckReport, DistrictCheck, IdSet, check_tables
from portal.sources.codes import COLUMN_CODE_LIST
from portal.sources.wilayah import District
from portal.statistics.catalogue import CATALOGUE
from portal.statistics.compute import StatTable, Tally, count_all, desa_frame
from portal.statistics.stunting import count_stunting, without_stunting
from portal.statistics.village import LINK_COLUMNS, available, count_village, drafted

STREAMED = ("tweb_keluarga", "tweb_penduduk")
# Residents' columns a harvest reads: the checked ones, the counted ones, names for the scanner.
PEOPLE_COLUMNS = frozenset({
    *REQUIRED_COLUMNS["tweb_penduduk"], "config_id", "nama", *COLUMN_CODE_LIST, *DERIVED_FLAGS,
    *(spec.column for spec in CATALOGUE if spec.column), "status_kawin", *LINK_COLUMNS})
# Data quality (issue 13): when each desa's data last changed.
PEOPLE_COLUMNS = PEOPLE_COLUMNS | {"updated_at"}
# Families' columns: the checked ones and every one minimisation keeps.
FAMILY_COLUMNS = frozenset({
    *REQUIRED_COLUMNS["tweb_keluarga"], "config_id",
    *(c for c, cls in KELUARGA.items() if cls not in (ColumnClass.DIRECT, ColumnClass.QUASI))})


@dataclass
class Harvested:
    """What reading, checking, minimising and counting a source gave."""

    kind: str
    label: str
    report: CheckReport
    how: str  # "chunks" or "whole"
    desa: pd.DataFrame | None = None
    tables: list[StatTable] = field(default_factory=list)
    minimisation: MinimisationReport | None = None
    deny_names: set[str] = field(default_factory=set)  # memory only, for the output scanner
    resident_count: int = 0
    failure: Exception | None = None  # raised while minimising or counting
    boundaries: object | None = None  # desa boundaries (sources.boundaries.BoundaryReport), if any
    quality: object | None = None  # per-desa data-quality counts (statistics.quality.QualityTally)


def _no_progress(_label: str, _total: int):
    return lambda _done=1: None


def deny_names(names: pd.Series | None) -> set[str]:
    """The scanner's deny-list of these names (names repeat: each distinct one normalised once)."""
    if names is None or not len(names):
        return set()
    distinct = pc.unique(pa.array(names, type=pa.string(), from_pandas=True).drop_null())
    return build_deny_list(pd.Series(distinct.to_pylist(), dtype=object))


def harvest_tables(source: str | Path, reference_date: date, district: District | None,
                   chunk_rows: int | None = None, progress=_no_progress) -> Harvested:
    """Read, check, minimise and count ``source``; raises SourceError if it cannot be read."""
    if not is_database_url(source) and Path(source).is_dir():
        try:
            return _chunked(stream_csv_folder(Path(source), STREAMED), reference_date, district,
                            chunk_rows or CHUNK_ROWS, progress)
        except StreamUnsuitable:
            pass  # read whole below; the exact reader reports what the stream could not
    return _whole(read_source(source), reference_date, district)


def _whole(tables: SourceTables, reference_date: date, district: District | None) -> Harvested:
    report = check_tables(tables, reference_date, district)
    result = Harvested(kind=tables.kind, label=tables.label, report=report, how="whole")
    if report.errors:
        return result
    result.boundaries = boundary_step.read_step(tables.tables, district, report)
    # The readers' bookkeeping (source row numbers) served the checks; it is not data.
    frames = {n: f.drop(columns=[c for c in f.columns if c.startswith("_")]) for n, f in tables.tables.items()}
    result.deny_names = deny_names(frames["tweb_penduduk"].get("nama"))
    try:
        residents, result.minimisation = minimise_residents(frames["tweb_penduduk"], reference_date)
        families = minimise_families(frames["tweb_keluarga"], residents, result.minimisation)
        result.desa = desa_frame(frames["config"])
        result.resident_count = int((residents["status_dasar"] == "1").sum())
        specs = drafted(CATALOGUE, report, set(frames["tweb_penduduk"].columns))
        result.tables = count_all(specs, residents, families, result.desa) + _village(
            specs, frames, residents, families, result, reference_date)
        result.quality = quality_step.start(result.desa, reference_date)
        result.quality.add_residents(frames["tweb_penduduk"])
        result.quality.add_families(families)
    except Exception as exc:  # the service records it as a failed harvest
        result.failure = exc
    return result


def _village(specs, frames: dict, residents: pd.DataFrame, families: pd.DataFrame, result: Harvested,
             reference_date: date) -> list[StatTable]:
    """The optional tables' statistics (issue 16): each usable table minimised, then counted."""
    optional = {n: minimise_table(_drop_bookkeeping(frames[n]), n, result.minimisation)
                for n in result.report.optional}
    return (count_village(without_stunting(specs), optional, residents, families, result.desa, reference_date)
            + count_stunting(specs, optional, residents, result.desa, reference_date))


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})


def _drop_bookkeeping(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if c in BOOKKEEPING])


def _chunked(export: StreamedExport, reference_date: date, district: District | None,
             chunk_rows: int, progress) -> Harvested:
    """Check, minimise and count a streamed CSV folder, residents one chunk at a time."""
    label, small, streams = export.label, export.tables, export.streams
    people = streams["tweb_penduduk"]
    families = pd.concat(list(streams["tweb_keluarga"].chunks(FAMILY_COLUMNS, chunk_rows)),
                         ignore_index=True)
    source = SourceTables(kind=export.kind, label=label, tables={**small, "tweb_keluarga": families})
    check = DistrictCheck(source, reference_date, district, people.columns)
    result = Harvested(kind=export.kind, label=label, report=check.report, how="chunks")
    if not check.ready:
        return result
    try:
        result.desa = desa_frame(small["config"])
        result.quality = quality_step.start(result.desa, reference_date)
        tally = Tally(available(CATALOGUE, set(), set(people.columns))[0], result.desa)
        heads = IdSet.of(families["nik_kepala"])
    except Exception as exc:
        result.failure = exc
    head_rows: list[pd.DataFrame] = []
    link_rows: list[pd.DataFrame] = []  # id, sex, desa, family, household: the optional tables' links
    step = progress("Membaca penduduk", max(1, round(people.lines / chunk_rows)))
    for chunk in people.chunks(PEOPLE_COLUMNS, chunk_rows):
        check.people(chunk)
        if result.failure is None:
            try:
                frame = _drop_bookkeeping(chunk)
                result.quality.add_residents(frame)
                result.deny_names |= deny_names(frame.get("nama"))
                residents, _ = minimise_residents(frame, reference_date)
                result.resident_count += int((residents["status_dasar"] == "1").sum())
                tally.add_residents(residents)
                # Families need their head's sex and status: keep those rows only.
                if "id" in residents.columns:
                    is_head = heads.contains(residents["id"]).to_numpy(dtype=bool)
                    head_rows.append(residents.loc[is_head, ["id", "sex", "status_dasar"]])
                link_rows.append(residents[[c for c in LINK_COLUMNS if c in residents.columns]])
            except Exception as exc:
                result.failure = exc
        step()
    result.report = check.finish()
    if result.report.errors or result.failure is not None:
        return result
    result.boundaries = boundary_step.read_step(small, district, result.report)
    try:
        # The report names every column dropped, including those the stream never read.
        report = MinimisationReport()
        minimise_residents(_empty(people.columns), reference_date, report)
        minimise_families(_empty(streams["tweb_keluarga"].columns),
                          _empty(["id", "sex", "status_dasar"]), report)
        result.minimisation = report
        heads_frame = (pd.concat(head_rows, ignore_index=True) if head_rows
                       else _empty(["id", "sex", "status_dasar"]))
        kept = minimise_families(_drop_bookkeeping(families), heads_frame, MinimisationReport())
        tally.add_families(kept)
        result.quality.add_families(kept)
        specs = drafted(CATALOGUE, result.report, set(people.columns))
        links = pd.concat(link_rows, ignore_index=True) if link_rows else _empty(list(LINK_COLUMNS))
        result.tables = tally.tables() + _village(specs, small, links, kept, result, reference_date)
    except Exception as exc:
        result.failure = exc
    return result
