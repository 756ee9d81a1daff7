"""The catalogue of statistic tables: declared once, counted by generic code."""
from __future__ import annotations

from dataclasses import dataclass

from portal.datasets.vocabularies import PrivacyClass


@dataclass(frozen=True)
class TableSpec:
    """One published table: residents of each desa counted by one coded attribute."""

    name: str
    title: str
    description: str
    column: str
    code_list: str
    topic: str = "kependudukan"
    tags: tuple[str, ...] = ()
    privacy_class: PrivacyClass = PrivacyClass.GENERAL
    # Residents whose code is empty or unknown are counted as "belum mengisi", as OpenSID does.
    count_unfilled: bool = True


# Keys identifying a desa row in every table; dotted Kemendagri codes (kode referensi).
KEY_FIELDS = ("kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan")
TOTAL_FIELD = "jumlah"
UNFILLED_FIELD = "belum_mengisi"

CATALOGUE: tuple[TableSpec, ...] = (
    TableSpec(
        name="penduduk-menurut-jenis-kelamin",
        title="Jumlah Penduduk menurut Jenis Kelamin per Desa",
        description=(
            "Jumlah penduduk hidup (status dasar HIDUP) di setiap desa menurut jenis kelamin, "
            "dihitung dari data OpenSID desa pada tanggal referensi."
        ),
        column="sex",
        code_list="sex",
        tags=("penduduk", "jenis kelamin", "demografi"),
        count_unfilled=False,
    ),
)


def get_spec(name: str) -> TableSpec:
    """The spec called ``name``; KeyError when unknown."""
    for spec in CATALOGUE:
        if spec.name == name:
            return spec
    raise KeyError(name)
