"""Count the catalogue's tables from minimised residents and families."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portal.sources.codes import CODE_LISTS
from portal.sources.wilayah import dotted
from portal.statistics.catalogue import (
    COUNT_FIELDS,
    FLAGS,
    KEY_FIELDS,
    UNFILLED_CODE,
    UNFILLED_LABEL,
    UNIT_LABELS,
    VULNERABLE,
    TableSpec,
    is_register,
)

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


def categories_for(spec: TableSpec) -> list[Category]:
    """Every category of a table, in code order, BELUM MENGISI last when counted."""
    if spec.dimension == "unit":
        return [Category(code, label) for label, code in UNIT_LABELS.items()]
    if spec.dimension == "age":
        return [Category(i + 1, label) for i, (_, _, label) in enumerate(spec.brackets)]
    if spec.dimension == "rentan":
        return [Category(code, label) for code, label in VULNERABLE.items()]
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
    # Category positions by column, computed once however many tables count that column.
    cache: dict = field(default_factory=dict, repr=False)


def _positions(values: pd.Series, lookup: dict) -> np.ndarray:
    """``lookup[value]`` for each value (-1 when absent), by exact equality, as a dict would."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    text_keys = all(isinstance(k, str) for k in lookup)
    try:
        arrow = pa.array(values, from_pandas=True) if text_keys else None
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arrow = None
    if arrow is None or not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)
                             or pa.types.is_null(arrow.type)):
        # Not text (a hand-built frame of numbers): the plain dict lookup says what matches.
        return values.map(lookup).fillna(-1).to_numpy(dtype=np.int64)
    found = pc.index_in(arrow.cast(pa.string()), value_set=pa.array(list(lookup), type=pa.string()))
    targets = np.append(np.fromiter(lookup.values(), dtype=np.int64, count=len(lookup)), -1)
    return targets[pc.fill_null(found, len(lookup)).to_numpy(zero_copy_only=False)]


def isin_text(values: pd.Series, allowed) -> pd.Series:
    """``values.isin(allowed)`` for text columns, in Arrow.

    pandas' isin on Arrow strings turns every allowed value into a Python scalar first: with a
    set of 470,000 resident ids that loop costs seconds. Null matches null, as in pandas.
    """
    allowed = list(allowed) if isinstance(allowed, (set, frozenset, dict)) else allowed
    try:
        arrow = pa.array(values, type=pa.string(), from_pandas=True)
        value_set = pa.array(allowed, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return values.isin(allowed)  # not text: pandas' own test
    found = pc.fill_null(pc.is_in(arrow, value_set=value_set), False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)


def _units(frame: pd.DataFrame, sex_column: str, desa: pd.DataFrame) -> Units:
    place = _positions(frame["config_id"], {key: i for i, key in enumerate(desa.index)})
    return Units(frame, place, _positions(frame[sex_column], {"1": 0, "2": 1}))


def prepare(residents: pd.DataFrame, families: pd.DataFrame, desa: pd.DataFrame) -> tuple[Units, Units]:
    """Living residents and active families with desa and sex as small integers."""
    return prepare_residents(residents, desa), prepare_families(families, desa)


def prepare_residents(residents: pd.DataFrame, desa: pd.DataFrame) -> Units:
    """Living residents (of the whole district or one chunk) with desa and sex as integers."""
    alive = residents[(residents["status_dasar"] == "1").to_numpy(dtype=bool)]
    return _units(alive, "sex", desa)


def prepare_families(families: pd.DataFrame, desa: pd.DataFrame) -> Units:
    """Active families with desa and the head's sex as integers."""
    return _units(families[families["aktif"].to_numpy(dtype=bool)], "kepala_sex", desa)


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
    cache_key = (spec.column, tuple(position.items()))
    if cache_key not in units.cache:
        units.cache[cache_key] = _positions(frame[spec.column], position)
    index = units.cache[cache_key]
    fallback = len(cats) - 1 if spec.count_unfilled else -1
    return np.where(index >= 0, index, fallback)


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


# Kelompok rentan (OpenSID's Laporan_rentan): code -> who is in the group; groups overlap.
VULNERABLE_RULES = {
    1: lambda f: f["umur"] < 1, 2: lambda f: (f["umur"] >= 1) & (f["umur"] <= 5),
    3: lambda f: (f["umur"] >= 6) & (f["umur"] <= 12), 4: lambda f: (f["umur"] >= 13) & (f["umur"] <= 15),
    5: lambda f: (f["umur"] >= 16) & (f["umur"] <= 18), 6: lambda f: f["umur"] > 60,
    7: lambda f: f["cacat_id"].isin(["1", "2", "3", "4", "5", "6"]),
    8: lambda f: f["sakit_menahun_id"].isin([str(c) for c in range(1, 14)]),  # known, not 14
    9: lambda f: f["hamil"] == "1",
}


def _vulnerable_counts(units: Units, cats: list[Category], shape) -> np.ndarray:
    """(desa, group, sex) counts of kelompok rentan: one resident may count in several groups."""
    out = np.zeros(shape, dtype=np.int64)
    frame = units.frame
    for i, cat in enumerate(cats):
        needed = {7: "cacat_id", 8: "sakit_menahun_id", 9: "hamil"}.get(cat.code, "umur")
        if needed not in frame.columns:
            continue
        member = VULNERABLE_RULES[cat.code](frame).fillna(False).to_numpy(dtype=bool)
        ok = member & (units.place >= 0) & (units.sex >= 0)
        key = units.place[ok] * 2 + units.sex[ok]
        out[:, i, :] += np.bincount(key, minlength=shape[0] * 2).reshape(shape[0], 2)
    return out


def _counts(spec: TableSpec, units: Units, unit: str, cats: list[Category], shape) -> np.ndarray:
    """The (desa, category, sex) counts one kind of unit adds to one table."""
    if spec.dimension == "rentan":
        return _vulnerable_counts(units, cats, shape)
    cat = _category_index(spec if spec.dimension != "unit" else _UNIT_SPECS[unit], units, cats)
    place, sex = units.place, units.sex
    if spec.dimension != "unit" and spec.unit == "penduduk" and spec.population != "all":
        mask = POPULATIONS[spec.population](units.frame).to_numpy(dtype=bool)
        cat, place, sex = cat[mask], place[mask], sex[mask]
    ok = (place >= 0) & (cat >= 0) & (sex >= 0)
    key = (place[ok] * shape[1] + cat[ok]) * 2 + sex[ok]
    return np.bincount(key, minlength=int(np.prod(shape))).reshape(shape)


_UNIT_SPECS = {unit: TableSpec(name="", title="", title_en="", description="", description_en="",
                               dimension="unit", unit=unit) for unit in ("penduduk", "keluarga")}


class Tally:
    """Counts of every table, added up over chunks of residents and then the families."""

    def __init__(self, specs, desa: pd.DataFrame):
        # The optional tables' statistics (laporan bulanan, aid, households) are counted by
        # statistics.village; the tally counts the register's own.
        self.specs = [spec for spec in specs if is_register(spec)]
        self.desa = desa
        self.cats = [categories_for(spec) for spec in self.specs]
        self.counts = [np.zeros((len(desa), len(c), 2), dtype=np.int64) for c in self.cats]

    def _add(self, units: Units, unit: str) -> None:
        for spec, cats, counts in zip(self.specs, self.cats, self.counts):
            counted = {"penduduk", "keluarga"} if spec.dimension == "unit" else {spec.unit}
            if unit in counted:
                counts += _counts(spec, units, unit, cats, counts.shape)

    def add_residents(self, residents: pd.DataFrame) -> None:
        """Count a chunk of minimised residents (only the living ones count)."""
        self._add(prepare_residents(residents, self.desa), "penduduk")

    def add_families(self, families: pd.DataFrame) -> None:
        """Count the minimised families (only the active ones count)."""
        self._add(prepare_families(families, self.desa), "keluarga")

    def tables(self) -> list[StatTable]:
        """One table per spec, every category for every desa."""
        return [_assemble(spec, counts, cats, self.desa)
                for spec, cats, counts in zip(self.specs, self.cats, self.counts)]


def count_prepared(spec: TableSpec, people: Units, families: Units, desa: pd.DataFrame) -> StatTable:
    """Count one table from prepared units; every category appears for every desa."""
    cats = categories_for(spec)
    counts = np.zeros((len(desa), len(cats), 2), dtype=np.int64)
    units = {"penduduk": people, "keluarga": families}
    for unit in (("penduduk", "keluarga") if spec.dimension == "unit" else (spec.unit,)):
        counts += _counts(spec, units[unit], unit, cats, counts.shape)
    return _assemble(spec, counts, cats, desa)


def count_table(spec: TableSpec, residents: pd.DataFrame, families: pd.DataFrame,
                desa: pd.DataFrame) -> StatTable:
    """Count one table for every desa (prepares the units; prefer count_all for many tables)."""
    people, fams = prepare(residents, families, desa)
    return count_prepared(spec, people, fams, desa)


def count_all(specs, residents: pd.DataFrame, families: pd.DataFrame, desa: pd.DataFrame) -> list[StatTable]:
    """Count every table of the catalogue from one preparation."""
    tally = Tally(specs, desa)
    tally.add_residents(residents)
    tally.add_families(families)
    return tally.tables()


def desa_frame(config) -> pd.DataFrame:
    """One row per desa with dotted codes and names, indexed by config id."""
    frame = pd.DataFrame({
        "kode_desa": config["kode_desa"].map(dotted).to_numpy(),
        "nama_desa": config["nama_desa"].str.strip().to_numpy(),
        "kode_kecamatan": config["kode_kecamatan"].map(dotted).to_numpy(),
        "nama_kecamatan": config["nama_kecamatan"].str.strip().to_numpy(),
    }, index=config["id"].to_numpy() if "id" in config.columns else ["1"])
    return frame
