"""The shape every source reader returns: OpenSID tables as text, with where each row came from."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

CORE_TABLES = ("config", "tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk")
# Tables that belong to one desa and carry config_id in a database gabungan.
PER_DESA_TABLES = ("tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk", "tweb_penduduk_umur")
# OpenSID's shared code tables (no config_id); read when present, never required.
REFERENCE_TABLES = (
    "tweb_penduduk_sex", "tweb_penduduk_agama", "tweb_penduduk_pendidikan_kk",
    "tweb_penduduk_pendidikan", "tweb_penduduk_pekerjaan", "tweb_penduduk_kawin",
    "tweb_golongan_darah", "tweb_cacat", "tweb_sakit_menahun", "tweb_penduduk_hubungan",
    "tweb_penduduk_warganegara", "tweb_status_dasar", "tweb_penduduk_status", "tweb_cara_kb",
    "tweb_penduduk_asuransi", "ref_penduduk_hamil", "tweb_keluarga_sejahtera", "tweb_status_ktp",
)
# Village data beyond the register (issue 16): read when present, never required. An export
# of an older OpenSID lacks some; the checks warn once per missing table and the statistic
# tables that need it are not drafted. Each carries config_id in a gabungan (program: NULL =
# a kabupaten-level programme).
OPTIONAL_TABLES = ("log_penduduk", "log_keluarga", "program", "program_peserta", "tweb_rtm")
# Stunting convergence (OpenSID v23.02+): posyandu, the KIA cards (mother, child) and the
# posyandu's records of pregnant women, children 0-23 months and PAUD children.
STUNTING_TABLES = ("posyandu", "kia", "ibu_hamil", "bulanan_anak", "sasaran_paud")
OPTIONAL_TABLES += STUNTING_TABLES
# The key column of a table whose key is not "id" (OpenSID renamed them in Migrasi 2208).
TABLE_KEYS = {"ibu_hamil": "id_ibu_hamil", "bulanan_anak": "id_bulanan_anak",
              "sasaran_paud": "id_sasaran_paud"}
PER_DESA_TABLES += OPTIONAL_TABLES
# Every table a reader keeps; anything else in an export is ignored (less personal data held).
KNOWN_TABLES = frozenset(CORE_TABLES + PER_DESA_TABLES + REFERENCE_TABLES)
# Bookkeeping columns: the row's number in its source and the file/sheet/table it came from.
ROW_COLUMN = "_baris"
FILE_COLUMN = "_berkas"
BOOKKEEPING = (ROW_COLUMN, FILE_COLUMN)
_COLUMN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,63}")
# No OpenSID cell holds more text than this (an address, a note); a longer one is a broken
# file, refused before it is parsed (read_csv_gate) or, if it spans lines, right after.
MAX_CELL = 64 * 1024
# OpenSID keeps a desa's map polygon in one cell (config.path, tweb_wil_clusterdesa.path).
MAP_COLUMNS = frozenset({"path"})
MAX_MAP_CELL = 16 * 1024 * 1024


class SourceError(Exception):
    """The source cannot be read at all; the message names no personal value."""


@dataclass
class SourceTables:
    """The OpenSID tables of one harvest source, every cell as text (``_baris`` is an int)."""

    kind: str
    label: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def column_names(raw: Sequence[object], where: str) -> list[str]:
    """Header cells as OpenSID column names; duplicates are an error cited by position only."""
    names = ["" if cell is None else str(cell).strip().lower() for cell in raw]
    seen: dict[str, int] = {}
    for position, name in enumerate(names, 1):
        if not name:
            continue
        if name in seen:
            # The header might really be a data row: cite positions, never the text.
            raise SourceError(f"{where}: nama kolom ganda di header "
                              f"(kolom ke-{seen[name]} dan ke-{position})")
        if not name.isprintable() or name in BOOKKEEPING:
            raise SourceError(f"{where}: header kolom ke-{position} tidak valid")
        seen[name] = position
    return names


def column_label(name: str, position: int) -> str:
    """How a message cites a column: its name if it looks like one, else its position."""
    # A "header" that is really a data row holds personal values: never echo those.
    return name if _COLUMN_NAME.fullmatch(name) else f"ke-{position}"


def cell_limit(name: str) -> int:
    """The longest cell (bytes of text) a column may hold."""
    return MAX_MAP_CELL if name in MAP_COLUMNS else MAX_CELL


def cell_too_long(where: str, line: int, column: str, limit: int) -> SourceError:
    """The error for a cell over its limit: file, row and column, never the value."""
    size = f"{limit // 1024**2} MiB" if limit >= 1024**2 else f"{limit // 1024} KiB"
    return SourceError(f"{where} baris {line} kolom {column}: isi sel lebih dari {size} "
                       "(berkas rusak?)")


def check_cell_lengths(frame: pd.DataFrame, names: list[str], lines, where: str) -> None:
    """Raise for the first cell over its column's limit (cells the line gate cannot see)."""
    for index, name in enumerate(names):
        values = pa.array(frame.iloc[:, index], type=pa.string(), from_pandas=True)
        lengths = pc.binary_length(values)
        limit = cell_limit(name)
        if len(values) and (pc.max(lengths).as_py() or 0) > limit:
            first = pc.index(pc.greater(lengths, limit), True).as_py()
            raise cell_too_long(where, int(np.asarray(lines)[first]), column_label(name, index + 1), limit)


def build_frame(names: list[str], rows: list[list[str]], lines: list[int], where: str) -> pd.DataFrame:
    """A text DataFrame of parsed rows plus the bookkeeping columns."""
    positional = list(range(len(names)))
    frame = pd.DataFrame(rows, columns=positional, dtype="str") if rows else pd.DataFrame(
        {i: pd.Series([], dtype="str") for i in positional})
    return finish_frame(frame, names, lines, where)


def finish_frame(frame: pd.DataFrame, names: list[str], lines, where: str) -> pd.DataFrame:
    """Name the columns of a positional text frame and add ``_baris``/``_berkas``.

    A column without a header name (a trailing delimiter) is dropped when empty; holding
    data it is an error, as the data could not be told apart from its neighbours.
    """
    check_cell_lengths(frame, names, lines, where)
    keep = []
    for index, name in enumerate(names):
        if name:
            keep.append(frame.columns[index])
        elif (frame.iloc[:, index] != "").any():
            raise SourceError(f"{where}: kolom ke-{index + 1} berisi data tetapi tidak bernama")
    frame = frame[keep]
    frame.columns = [name for name in names if name]
    frame[ROW_COLUMN] = np.asarray(lines, dtype=np.int64)
    frame[FILE_COLUMN] = pd.Series([where] * len(frame), dtype="str", index=frame.index)
    return frame


def require_core(tables: dict[str, pd.DataFrame], where: str) -> None:
    """Raise if a core table is missing, naming every missing one."""
    missing = [t for t in CORE_TABLES if t not in tables]
    if missing:
        prefix = f"{where}: " if where else ""
        raise SourceError(f"{prefix}tabel wajib tidak ada: " + ", ".join(missing))


def single_desa_config_id(tables: dict[str, pd.DataFrame], where: str) -> dict[str, pd.DataFrame]:
    """Give the per-desa tables of a one-desa export (no config_id) the id of its config row."""
    config = tables["config"]
    lacking = [t for t in PER_DESA_TABLES if t in tables and "config_id" not in tables[t].columns]
    if not lacking:
        return tables
    prefix = f"{where}: " if where else ""
    if len(config) != 1:
        # Without config_id a row cannot be placed in one of several desa.
        raise SourceError(f"{prefix}tabel config berisi {len(config)} baris, tetapi tabel "
                          f"{', '.join(lacking)} tidak punya kolom config_id")
    # Without an id column the checks report it; "1" is the id the privacy policy assumes too.
    config_id = str(config["id"].iloc[0]) if "id" in config.columns else "1"
    for name in lacking:
        frame = tables[name]
        position = 1 if "id" in frame.columns[:1] else 0
        frame.insert(position, "config_id", pd.Series([config_id] * len(frame), dtype="str",
                                                      index=frame.index))
    return tables
