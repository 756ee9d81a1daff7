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


def _category_codes(spec: TableSpec, units: pd.DataFrame) -> pd.Series:
    """The category code of each counted unit (NaN when it is not counted)."""
    if spec.dimension == "age":
        codes = pd.Series(np.nan, index=units.index)
        for i, (low, high, _) in enumerate(spec.brackets):
            codes[(units["umur"] >= low) & (units["umur"] <= high)] = i + 1
        return codes
    known = {str(c): c for c in (FLAGS[spec.column] if spec.dimension == "flag"
                                 else CODE_LISTS[spec.code_list])}
    codes = units[spec.column].map(known)
    if spec.count_unfilled:
        codes = codes.fillna(UNFILLED_CODE)
    return codes


def _cross(units: pd.DataFrame, codes: pd.Series, sex: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"place": units["config_id"], "kode": codes, "sex": sex}).dropna()
    return frame.groupby(["place", "kode", "sex"]).size()


def _assemble(spec: TableSpec, counts: pd.Series, desa: pd.DataFrame) -> StatTable:
    cats = categories_for(spec)
    grid = pd.MultiIndex.from_product([desa.index, [c.code for c in cats]], names=["place", "kode"])
    if len(counts):
        wide = counts.unstack("sex", fill_value=0)
        wide.index = pd.MultiIndex.from_arrays(
            [wide.index.get_level_values(0), wide.index.get_level_values(1).astype(int)],
            names=["place", "kode"])
    else:
        wide = pd.DataFrame(index=grid)
    wide = wide.reindex(index=grid, columns=list(SEX_FIELDS), fill_value=0).fillna(0).astype("int64")
    frame = wide.rename(columns=SEX_FIELDS)
    frame["jumlah"] = frame["laki_laki"] + frame["perempuan"]
    labels = {c.code: c.label for c in cats}
    frame = frame.reset_index()
    frame["kategori"] = frame["kode"].map(labels)
    frame = desa.reindex(frame["place"]).reset_index(drop=True).join(frame)
    order = {c.code: i for i, c in enumerate(cats)}
    frame["_order"] = frame["kode"].map(order)
    frame = frame.sort_values(["kode_desa", "_order"], kind="stable").reset_index(drop=True)
    return StatTable(spec=spec, categories=cats, frame=frame[[*KEY_FIELDS, *COUNT_FIELDS]])


def count_table(spec: TableSpec, residents: pd.DataFrame, families: pd.DataFrame,
                desa: pd.DataFrame) -> StatTable:
    """Count one table for every desa; every category appears, zero or not."""
    alive = residents[residents["status_dasar"] == "1"]
    if spec.dimension == "unit":
        people = _cross(alive, pd.Series(UNIT_LABELS["PENDUDUK"], index=alive.index), alive["sex"])
        active = families[families["aktif"]]
        fams = _cross(active, pd.Series(UNIT_LABELS["KELUARGA"], index=active.index),
                      active["kepala_sex"])
        return _assemble(spec, pd.concat([people, fams]), desa)
    if spec.unit == "keluarga":
        units = families[families["aktif"]]
        sex = units["kepala_sex"]
    else:
        units = alive[POPULATIONS[spec.population](alive)]
        sex = units["sex"]
    return _assemble(spec, _cross(units, _category_codes(spec, units), sex), desa)


def desa_frame(config) -> pd.DataFrame:
    """One row per desa with dotted codes and names, indexed by config id."""
    frame = pd.DataFrame({
        "kode_desa": config["kode_desa"].map(dotted).to_numpy(),
        "nama_desa": config["nama_desa"].str.strip().to_numpy(),
        "kode_kecamatan": config["kode_kecamatan"].map(dotted).to_numpy(),
        "nama_kecamatan": config["nama_kecamatan"].str.strip().to_numpy(),
    }, index=config["id"].to_numpy() if "id" in config.columns else ["1"])
    return frame
