"""Merge single-desa exports into one gabungan-shaped set of tables, keeping every reference right."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .tables import BOOKKEEPING, FILE_COLUMN, PER_DESA_TABLES, ROW_COLUMN, TABLE_KEYS, SourceError

# Columns that hold the id of a row of another per-desa table (OpenSID's own joins).
REFERENCES: dict[tuple[str, str], str] = {
    ("tweb_penduduk", "id_kk"): "tweb_keluarga",
    ("tweb_penduduk", "id_cluster"): "tweb_wil_clusterdesa",
    ("tweb_keluarga", "nik_kepala"): "tweb_penduduk",  # holds tweb_penduduk.id despite its name
    ("tweb_keluarga", "id_cluster"): "tweb_wil_clusterdesa",
    ("tweb_wil_clusterdesa", "id_kepala"): "tweb_penduduk",
    # The optional tables of issue 16 (tweb_penduduk.id_rtm holds tweb_rtm.no_kk, not an id).
    ("log_penduduk", "id_pend"): "tweb_penduduk",
    ("log_keluarga", "id_kk"): "tweb_keluarga",
    ("log_keluarga", "id_pend"): "tweb_penduduk",
    ("log_keluarga", "id_log_penduduk"): "log_penduduk",
    ("program_peserta", "program_id"): "program",
    ("program_peserta", "kartu_id_pend"): "tweb_penduduk",
    ("tweb_rtm", "nik_kepala"): "tweb_penduduk",  # tweb_penduduk.id, as in tweb_keluarga
    # Stunting convergence (v23.02+): KIA cards name mother and child; records name card and posyandu.
    ("kia", "ibu_id"): "tweb_penduduk",
    ("kia", "anak_id"): "tweb_penduduk",
    **{(table, column): target for table in ("ibu_hamil", "bulanan_anak", "sasaran_paud")
       for column, target in (("kia_id", "kia"), ("posyandu_id", "posyandu"))},
}
# Tables whose empty config_id means "every desa" (a kabupaten-level programme).
SHARED_WHEN_EMPTY = ("program",)
# How OpenSID writes "no reference"; kept as is.
NO_REFERENCE = ("", "0")


def renumber(ids: pd.Series, offset: int) -> tuple[pd.Series, int]:
    """Old id -> new id (offset+1, offset+2, ... in order of first appearance) and the next offset."""
    present = ids[ids != ""]  # a row without id stays without one, so the checks still see it
    uniques = pd.unique(present.to_numpy())
    new = np.arange(offset + 1, offset + len(uniques) + 1).astype(str)
    return pd.Series(new, index=pd.Index(uniques, dtype="str"), dtype="str"), offset + len(uniques)


def remap(refs: pd.Series, mapping: pd.Series) -> pd.Series:
    """References through ``mapping``; one to a row the desa does not have becomes empty."""
    # An unknown id must not land on another desa's row that happens to get that number.
    mapped = refs.map(mapping)
    return mapped.where(~refs.isin(NO_REFERENCE), refs).fillna("").astype("str")


def _check_one_desa(label: str, tables: dict[str, pd.DataFrame]) -> None:
    """Raise unless an export holds exactly one desa and every per-desa row belongs to it."""
    config = tables["config"]
    if len(config) != 1:
        raise SourceError(f"{label}: ekspor berisi {len(config)} desa; folder ekspor desa harus "
                          "berisi satu desa per ekspor")
    config_id = str(config["id"].iloc[0]) if "id" in config.columns else "1"
    for table in PER_DESA_TABLES:
        frame = tables.get(table)
        if frame is None or "config_id" not in frame.columns:
            continue
        foreign = frame["config_id"] != config_id
        if table in SHARED_WHEN_EMPTY:
            foreign &= frame["config_id"].str.strip() != ""
        wrong = frame.index[foreign]
        if len(wrong):
            row = frame.loc[wrong[0]]
            raise SourceError(f"{row[FILE_COLUMN]} baris {row[ROW_COLUMN]}: config_id bukan desa "
                              "di tabel config ekspor ini")


def _renumbered(number: int, label: str, tables: dict[str, pd.DataFrame],
                offsets: dict[str, int]) -> dict[str, pd.DataFrame]:
    """One export's tables as desa ``number`` of the gabungan: ids shifted past ``offsets``."""
    maps = {}
    for table in PER_DESA_TABLES:
        key = TABLE_KEYS.get(table, "id")
        if table in tables and key in tables[table].columns:
            maps[table], offsets[table] = renumber(tables[table][key], offsets[table])
    out = dict(tables)
    for table in PER_DESA_TABLES:
        if table not in tables:
            continue
        frame = tables[table].copy()
        if table in maps:
            key = TABLE_KEYS.get(table, "id")
            frame[key] = remap(frame[key], maps[table])
        for (source, column), target in REFERENCES.items():
            if source == table and column in frame.columns and target in maps:
                frame[column] = remap(frame[column], maps[target])
        frame["config_id"] = str(number)
        out[table] = frame
    config = tables["config"].copy()
    if "id" not in config.columns:
        config.insert(0, "id", "")
    config["id"] = str(number)
    out["config"] = config
    return out


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One table from several exports' frames, a column missing in one export left empty."""
    merged = pd.concat(frames, ignore_index=True)
    text = [c for c in merged.columns if c not in BOOKKEEPING]
    # Exports of different OpenSID versions differ in columns: a missing column is empty text.
    merged[text] = merged[text].fillna("").astype("str")
    return merged[text + list(BOOKKEEPING)]


def merge_exports(parts: list[tuple[str, dict[str, pd.DataFrame]]]) -> dict[str, pd.DataFrame]:
    """Several one-desa exports as one gabungan: config ids 1..n, per-desa ids renumbered."""
    offsets = dict.fromkeys(PER_DESA_TABLES, 0)
    collected: dict[str, list[pd.DataFrame]] = {}
    first_seen: dict[str, str] = {}
    for number, (label, tables) in enumerate(parts, 1):
        _check_one_desa(label, tables)
        config = tables["config"]
        kode = config["kode_desa"].iloc[0].strip() if "kode_desa" in config.columns else ""
        if kode and kode in first_seen:
            # Two copies of one desa would double its population in every statistic.
            raise SourceError(f"{label}: desa yang sama (kode_desa) dengan {first_seen[kode]}")
        first_seen.setdefault(kode, label)
        for table, frame in _renumbered(number, label, tables, offsets).items():
            collected.setdefault(table, []).append(frame)
    merged = {}
    for table, frames in collected.items():
        frame = _concat(frames)
        if table not in PER_DESA_TABLES and table != "config" and "id" in frame.columns:
            # Shared code tables: newer OpenSID versions only add codes, so the first wins.
            frame = frame.drop_duplicates(subset="id", keep="first").reset_index(drop=True)
        merged[table] = frame
    return merged
