"""Kemendagri region reference (province, kabupaten/kota, kecamatan, desa) for one district."""
from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

WILAYAH_CSV = Path(__file__).parent / "data" / "wilayah-kemendagri.csv"

# Segment lengths of an undotted code: province, kabupaten/kota, kecamatan, desa.
_SEGMENTS = (2, 2, 2, 4)
_DOTTED_LENGTHS = {2: 1, 4: 2, 6: 3, 10: 4}


@dataclass(frozen=True)
class Desa:
    """A desa or kelurahan; ``kode`` is dotted (51.02.01.2001)."""

    kode: str
    nama: str
    kode_kecamatan: str


@dataclass(frozen=True)
class Kecamatan:
    """A kecamatan with its desa in code order."""

    kode: str
    nama: str
    desa: tuple[Desa, ...]


@dataclass(frozen=True)
class District:
    """A kabupaten/kota with its kecamatan in code order."""

    kode: str
    nama: str
    kode_provinsi: str
    nama_provinsi: str
    kecamatan: tuple[Kecamatan, ...]

    @property
    def desa(self) -> tuple[Desa, ...]:
        """All desa of the district in code order."""
        return tuple(d for k in self.kecamatan for d in k.desa)


def undotted(code: str) -> str:
    """Return a region code without dots, as OpenSID stores it ("51.02.01.2001" -> "5102012001")."""
    return code.replace(".", "").strip()


def dotted(code: str) -> str:
    """Return a region code in Kemendagri dotted form; accepts dotted or undotted input."""
    digits = undotted(code)
    if not digits.isdigit() or len(digits) not in _DOTTED_LENGTHS:
        raise ValueError(f"not a region code (expected 2, 4, 6 or 10 digits): {code!r}")
    parts, pos = [], 0
    for size in _SEGMENTS[: _DOTTED_LENGTHS[len(digits)]]:
        parts.append(digits[pos : pos + size])
        pos += size
    return ".".join(parts)


@functools.lru_cache(maxsize=1)
def _all_regions() -> dict[str, str]:
    """Read the whole code -> name table once (about 91,600 rows)."""
    with WILAYAH_CSV.open(encoding="utf-8", newline="") as fh:
        return {row["kode"]: row["nama"] for row in csv.DictReader(fh)}


def load_district(kode: str = "51.02") -> District:
    """Load a kabupaten/kota and all its kecamatan and desa from the bundled Kemendagri table."""
    try:
        key = dotted(kode)
    except ValueError as exc:
        raise ValueError(f"{kode!r} is not a kabupaten/kota code such as '51.02': {exc}") from None
    if len(undotted(key)) != 4:
        raise ValueError(f"{kode!r} is not a kabupaten/kota code (4 digits, e.g. '51.02')")
    if key not in _all_regions():
        raise ValueError(f"unknown kabupaten/kota code {kode!r} in {WILAYAH_CSV.name}")
    return _load_district(key)


# Keyed on the dotted code so "5102" and "51.02" share one cached District.
@functools.lru_cache(maxsize=64)
def _load_district(key: str) -> District:
    """Build the District for a known dotted kabupaten/kota code."""
    regions = _all_regions()
    prov = key[:2]
    prefix = key + "."
    kec_names: dict[str, str] = {}
    desa_by_kec: dict[str, list[Desa]] = {}
    for code, name in regions.items():
        if not code.startswith(prefix):
            continue
        if code.count(".") == 2:
            kec_names[code] = name
        elif code.count(".") == 3:
            kec = code.rsplit(".", 1)[0]
            desa_by_kec.setdefault(kec, []).append(Desa(code, name, kec))
    kecamatan = tuple(
        Kecamatan(k, kec_names[k], tuple(sorted(desa_by_kec.get(k, []), key=lambda d: d.kode)))
        for k in sorted(kec_names)
    )
    return District(
        kode=key,
        nama=regions[key],
        kode_provinsi=prov,
        nama_provinsi=regions.get(prov, ""),
        kecamatan=kecamatan,
    )
