"""Count the catalogue's tables from minimised residents and families."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portal.sources.codes import CODE_LISTS
from portal.sources.wilayah import dotted
from portal.statistics.catalogue import (COUNT_FIELDS, FLAGS, KEY_FIELDS, UNFILLED_CODE,
                                         UNFILLED_LABEL, UNIT_LABELS, TableSpec)

SEX_FIELDS = {"1": "laki_laki", "2": "perempuan"}
EVER_MARRIED = {"2", "3", "4"}
# Which members of a unit a table counts.
POPULATIONS = {
    "all": lambda df: pd.Series(True, index=df.index),
    "perempuan": lambda df: df["sex"] == "2",
    "kawin": lambda df: df["status_kawin"] == "2",
    "wajib_ktp": lambda df: (df["umur"] >= 17).fillna(False) | df["status_kawin"].isin(EVER_MARRIED),
}


@dataclass(frozen=True)
class Category:
    """A row category of a table: its code and label."""

    code: int
    label: str


@dataclass
class StatTable:
    """A counted table before protection: one row per desa x category, counts by sex."""

    spec: TableSpec
    categories: list[Category]
    frame: pd.DataFrame

    @property
    def count_fields(self) -> list[str]:
        """The count columns: jumlah, laki_laki, perempuan."""
        return list(COUNT_FIELDS)


def categories_for(spec: TableSpec) -> list[Category]:
    """Every category of a table, in code order, BELUM MENGISI last when counted."""
    if spec.dimension == "unit":
        return [Category(code, label) for label, code in UNIT_LABELS.items()]
    if spec.dimension == "age":
        return [Category(i + 1, label) for i, (_, _, label) in enumerate(spec.brackets)]
    codes = FLAGS[spec.column] if spec.dimension == "flag" else CODE_LISTS[spec.code_list]
    cats = [Category(code, label) for code, label in sorted(codes.items())]
    if spec.count_unfilled:
        cats.append(Category(UNFILLED_CODE, UNFILLED_LABEL))
    return cats


@dataclass
class Units:
    """The counted units (living residents or active families), prepared once for all tables."""

    frame: pd.DataFrame
    place: np.ndarray  # row of the desa frame, -1 when the desa is unknown
    sex: np.ndarray    # 0 laki-laki, 1 perempuan, -1 otherwise


def prepare(residents: pd.DataFrame, families: pd.DataFrame, desa: pd.DataFrame) -> tuple[Units, Units]:
    """Living residents and active families with desa and sex as small integers."""
    position = {key: i for i, key in enumerate(desa.index)}
    alive = residents[residents["status_dasar"] == "1"]
    active = families[families["aktif"]]

    def units(frame: pd.DataFrame, sex_column: str) -> Units:
        place = frame["config_id"].map(position).fillna(-1).to_numpy(dtype=np.int64)
        sex = frame[sex_column].map({"1": 0, "2": 1}).fillna(-1).to_numpy(dtype=np.int64)
        return Units(frame, place, sex)

    return units(alive, "sex"), units(active, "kepala_sex")


def _category_index(spec: TableSpec, units: Units, cats: list[Category]) -> np.ndarray:
    """Position of each unit's category in ``cats`` (-1 when it is not counted)."""
    frame = units.frame
    if spec.dimension == "unit":
        return np.full(len(frame), 0 if spec.unit == "penduduk" else 1, dtype=np.int64)
    if spec.dimension == "age":
        age = frame["umur"].to_numpy(dtype="float64", na_value=np.nan)
        index = np.full(len(frame), -1, dtype=np.int64)
        for i, (low, high, _) in enumerate(spec.brackets):
            index[(age >= low) & (age <= high)] = i
        return index
    position = {str(c.code): i for i, c in enumerate(cats) if c.code != UNFILLED_CODE}
    index = frame[spec.column].map(position)
    fallback = len(cats) - 1 if spec.count_unfilled else -1
    return index.fillna(fallback).to_numpy(dtype=np.int64)


def _assemble(spec: TableSpec, counts: np.ndarray, cats: list[Category], desa: pd.DataFrame) -> StatTable:
    """Rows for every desa x category from a (desa, category, sex) count array."""
    n_desa, n_cat = len(desa), len(cats)
    laki = counts[:, :, 0].reshape(-1)
    perempuan = counts[:, :, 1].reshape(-1)
    frame = desa.iloc[np.repeat(np.arange(n_desa), n_cat)].reset_index(drop=True)
    frame["kode"] = np.tile([c.code for c in cats], n_desa)
    frame["kategori"] = np.tile([c.label for c in cats], n_desa)
    frame["jumlah"] = laki + perempuan
    frame["laki_laki"] = laki
    frame["perempuan"] = perempuan
    order = np.lexsort((np.tile(np.arange(n_cat), n_desa), frame["kode_desa"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    return StatTable(spec=spec, categories=cats, frame=frame[[*KEY_FIELDS, *COUNT_FIELDS]])


def count_prepared(spec: TableSpec, people: Units, families: Units, desa: pd.DataFrame) -> StatTable:
    """Count one table from prepared units; every category appears for every desa."""
    cats = categories_for(spec)
    parts = [people, families] if spec.dimension == "unit" else [
        families if spec.unit == "keluarga" else people]
    counts = np.zeros((len(desa), len(cats), 2), dtype=np.int64)
    for units in parts:
        chosen = units
        if spec.dimension != "unit" and spec.unit == "penduduk" and spec.population != "all":
            mask = POPULATIONS[spec.population](units.frame).to_numpy(dtype=bool)
            chosen = Units(units.frame[mask], units.place[mask], units.sex[mask])
        spec_for = spec if spec.dimension != "unit" else TableSpec(
            name=spec.name, title="", title_en="", description="", description_en="",
            dimension="unit", unit="penduduk" if units is people else "keluarga")
        cat = _category_index(spec_for, chosen, cats)
        ok = (chosen.place >= 0) & (cat >= 0) & (chosen.sex >= 0)
        key = (chosen.place[ok] * len(cats) + cat[ok]) * 2 + chosen.sex[ok]
        counts += np.bincount(key, minlength=counts.size).reshape(counts.shape)
    return _assemble(spec, counts, cats, desa)


def count_table(spec: TableSpec, residents: pd.DataFrame, families: pd.DataFrame,
                desa: pd.DataFrame) -> StatTable:
    """Count one table for every desa (prepares the units; prefer count_all for many tables)."""
    people, fams = prepare(residents, families, desa)
    return count_prepared(spec, people, fams, desa)


def count_all(specs, residents: pd.DataFrame, families: pd.DataFrame, desa: pd.DataFrame) -> list[StatTable]:
    """Count every table of the catalogue from one preparation."""
    people, fams = prepare(residents, families, desa)
    return [count_prepared(spec, people, fams, desa) for spec in specs]


def desa_frame(config) -> pd.DataFrame:
    """One row per desa with dotted codes and names, indexed by config id."""
    frame = pd.DataFrame({
        "kode_desa": config["kode_desa"].map(dotted).to_numpy(),
        "nama_desa": config["nama_desa"].str.strip().to_numpy(),
        "kode_kecamatan": config["kode_kecamatan"].map(dotted).to_numpy(),
        "nama_kecamatan": config["nama_kecamatan"].str.strip().to_numpy(),
    }, index=config["id"].to_numpy() if "id" in config.columns else ["1"])
    return frame
