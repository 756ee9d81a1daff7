"""Count the catalogue's tables from minimised residents."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from portal.sources.codes import CODE_LISTS
from portal.sources.wilayah import dotted
from portal.statistics.catalogue import KEY_FIELDS, TOTAL_FIELD, UNFILLED_FIELD, TableSpec

ALIVE = "1"


@dataclass(frozen=True)
class Category:
    """A counted column: its field name, code and label."""

    field: str
    code: int | None
    label: str


@dataclass
class StatTable:
    """A counted table before protection: desa rows, category columns, a total."""

    spec: TableSpec
    categories: list[Category]
    frame: pd.DataFrame

    @property
    def count_fields(self) -> list[str]:
        """The category columns, in order (the total excluded)."""
        return [c.field for c in self.categories]


def field_name(label: str) -> str:
    """A Table Schema field name from a code label ("LAKI-LAKI" -> "laki_laki")."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def desa_frame(config: pd.DataFrame) -> pd.DataFrame:
    """One row per desa with dotted codes and names, indexed by config id."""
    frame = pd.DataFrame({
        "kode_desa": config["kode_desa"].map(dotted),
        "nama_desa": config["nama_desa"].str.strip(),
        "kode_kecamatan": config["kode_kecamatan"].map(dotted),
        "nama_kecamatan": config["nama_kecamatan"].str.strip(),
    })
    frame.index = config["id"] if "id" in config.columns else pd.Index(["1"])
    return frame


def categories_for(spec: TableSpec) -> list[Category]:
    """The columns of a table: every code of its code list, plus 'belum mengisi'."""
    cats = [Category(field_name(label), code, label)
            for code, label in sorted(CODE_LISTS[spec.code_list].items())]
    if spec.count_unfilled:
        cats.append(Category(UNFILLED_FIELD, None, "BELUM MENGISI"))
    return cats


def count_table(spec: TableSpec, residents: pd.DataFrame, desa: pd.DataFrame) -> StatTable:
    """Count living residents of every desa by the spec's attribute."""
    alive = residents[residents["status_dasar"] == ALIVE]
    if "config_id" in alive.columns:
        place = alive["config_id"]
    else:
        place = pd.Series(desa.index[0], index=alive.index)
    cats = categories_for(spec)
    by_code = {str(c.code): c.field for c in cats if c.code is not None}
    fallback = UNFILLED_FIELD if spec.count_unfilled else None
    bucket = alive[spec.column].map(by_code)
    if fallback:
        bucket = bucket.fillna(fallback)
    counts = pd.crosstab(place, bucket)
    counts = counts.reindex(index=desa.index, columns=[c.field for c in cats], fill_value=0)
    frame = desa.join(counts.fillna(0).astype("int64"))
    frame[TOTAL_FIELD] = frame[[c.field for c in cats]].sum(axis=1)
    frame = frame.sort_values("kode_desa").reset_index(drop=True)
    return StatTable(spec=spec, categories=cats, frame=frame[[*KEY_FIELDS, *[c.field for c in cats], TOTAL_FIELD]])
