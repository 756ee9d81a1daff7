"""Data quality per desa: what is missing or invalid in each desa's OpenSID data, as counts.

Counted by the harvest from what it already reads, before anything is published:
- residents with each counted field unfilled: the BELUM MENGISI row of each catalogue table
  whose code may be empty (the same cell that table counts);
- living residents without a valid NIK (``nik_valid``: the rule below), counted from the raw
  NIK column chunk by chunk; the NIK itself is never kept, stored or logged;
- families without a head: families whose head (nik_kepala) is not a resident of the export;
- the check warnings of the harvest by kind (``WARNING_KINDS``), per desa;
- the month the desa's data last changed (the newest ``updated_at`` of its residents and
  families, never later than the reference date).

Everything here is a raw count for the walidata; what may be published is decided by the
privacy layer (portal.privacy.quality), which hides small counts and every share or score
that would be computed from a hidden count.
"""
from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portal.sources.wilayah import WILAYAH_CSV
from portal.statistics.catalogue import UNFILLED_CODE, TableSpec
from portal.statistics.compute import StatTable, _positions

QUALITY_NAME = "kualitas-data-desa"
# Indicator codes of the published table (kode). Unfilled fields take 100 + their place in
# the catalogue, warnings 200 + their kind; the score is 0.
SCORE, NIK_INVALID, NO_HEAD = 0, 1, 2
UNFILLED_BASE, WARNING_BASE = 100, 200

QUALITY_SPEC = TableSpec(
    name=QUALITY_NAME, dimension="quality", title="Kualitas Data Desa",
    title_en="Village Data Quality",
    description="Kelengkapan dan keabsahan data OpenSID setiap desa pada tanggal referensi: pangsa "
                "penduduk dengan isian BELUM MENGISI per isian yang dihitung, penduduk tanpa NIK "
                "valid (16 digit, kode provinsi dan kabupaten/kota dikenal, bagian tanggal masuk "
                "akal), keluarga tanpa kepala keluarga, peringatan pemeriksaan panen menurut jenis, "
                "bulan data desa terakhir berubah, dan skor kelengkapan. Jumlah kecil disembunyikan "
                "seperti pada tabel lain.",
    description_en="Completeness and validity of each village's OpenSID data on the reference date: "
                   "share of residents with each counted field not filled in, residents without a "
                   "valid NIK, families without a head, harvest check warnings by kind, the month "
                   "the village's data last changed, and a completeness score. Small counts are "
                   "hidden as in every other table.",
    tags=("kualitas data", "kelengkapan data", "NIK", "desa"), count_unfilled=False)


@dataclass(frozen=True)
class Indicator:
    """One row of a desa's quality report: what is counted, of whom, and how it is named."""

    code: int
    label: str
    label_en: str
    unit: str             # "penduduk", "keluarga" or "peringatan" (rows of the check report)
    source: str = ""      # the catalogue table whose BELUM MENGISI row it is, if any
    in_score: bool = True  # a share that enters the completeness score


# A warning's kind by the start of its message (portal/sources/checks.py); rules as data.
WARNING_KINDS: tuple[tuple[int, str, str, str], ...] = (
    (1, "kode tidak dikenal", "KODE TIDAK DIKENAL", "UNKNOWN CODE"),
    (2, "NIK harus 16 digit", "NIK TIDAK 16 DIGIT", "NIK NOT 16 DIGITS"),
    (3, "bagian tanggal lahir NIK", "TANGGAL LAHIR DALAM NIK TIDAK COCOK",
     "BIRTH DATE IN NIK DOES NOT MATCH"),
    (4, "No. KK harus 16 digit", "NO. KK TIDAK 16 DIGIT", "FAMILY CARD NUMBER NOT 16 DIGITS"),
    (5, "No. KK yang sama", "NO. KK GANDA", "DUPLICATE FAMILY CARD NUMBER"),
    (6, "kepala keluarga tidak ada", "KEPALA KELUARGA TIDAK ADA DI DATA PENDUDUK",
     "HEAD OF FAMILY NOT IN THE RESIDENTS TABLE"),
)
OTHER_WARNING = (9, "", "PERINGATAN LAIN", "OTHER WARNING")

SCORE_FORMULA = ("skor = 100 × (1 − rata-rata pangsa indikator yang terbit), dengan pangsa = "
                 "jumlah / penyebut untuk setiap isian BELUM MENGISI, penduduk tanpa NIK valid "
                 "dan keluarga tanpa kepala; indikator yang disembunyikan tidak dihitung, dan "
                 "kolom jumlah baris skor menyebut berapa indikator yang dipakai")
SCORE_FORMULA_EN = ("score = 100 × (1 − mean share of the published indicators), a share being "
                    "count / denominator for each field left BELUM MENGISI, residents without a "
                    "valid NIK and families without a head; hidden indicators are left out, and "
                    "the score row's count says how many indicators were used")


def indicators(catalogue) -> list[Indicator]:
    """Every indicator in code order: score, NIK, heads, unfilled fields, warning kinds."""
    out = [Indicator(SCORE, "SKOR KELENGKAPAN", "COMPLETENESS SCORE", "skor", in_score=False),
           Indicator(NIK_INVALID, "PENDUDUK TANPA NIK VALID", "RESIDENTS WITHOUT A VALID NIK",
                     "penduduk"),
           Indicator(NO_HEAD, "KELUARGA TANPA KEPALA KELUARGA", "FAMILIES WITHOUT A HEAD", "keluarga")]
    for i, spec in enumerate(unfilled_specs(catalogue)):
        out.append(Indicator(UNFILLED_BASE + i, f"BELUM MENGISI: {spec.title.upper()}",
                             f"NOT FILLED IN: {spec.title_en.upper()}", spec.unit, spec.name))
    for code, _start, label, label_en in (*WARNING_KINDS, OTHER_WARNING):
        out.append(Indicator(WARNING_BASE + code, f"PERINGATAN: {label}", f"WARNING: {label_en}",
                             "peringatan", in_score=False))
    return out


def unfilled_specs(catalogue) -> list[TableSpec]:
    """The catalogue tables that count residents or families whose field is not filled in."""
    return [s for s in catalogue if s.dimension == "code" and s.count_unfilled]


def warning_kind(message: str) -> int:
    """The kind (WARNING_KINDS code) of a check warning, by the start of its message."""
    for code, start, _label, _label_en in WARNING_KINDS:
        if message.startswith(start):
            return code
    return OTHER_WARNING[0]


# ---- NIK validity ------------------------------------------------------------------------
# 16 digits: PPKKCC (province, kabupaten/kota, kecamatan of issue), DDMMYY (birth date, day
# + 40 for women), SSSS (serial, never 0000). OpenSID's temporary NIK starts with 0.
NIK_SHAPE = r"\d{16}"
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # any year: 29 February allowed


@functools.lru_cache(maxsize=1)
def kabupaten_prefixes() -> frozenset[str]:
    """The four-digit codes (PPKK) of every kabupaten/kota in the bundled Kemendagri list."""
    with WILAYAH_CSV.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        column = next(rows).index("kode")  # the kode column only: no dict per row
        return frozenset(row[column].replace(".", "") for row in rows
                         if len(row) > column and row[column].count(".") == 1)


def nik_valid(nik: pd.Series, prefixes: frozenset[str] | None = None) -> np.ndarray:
    """Whether each NIK is valid: shape, a known kabupaten/kota prefix, a plausible date part.

    Works on the column as a whole and returns booleans only; no value leaves this function.
    """
    prefixes = kabupaten_prefixes() if prefixes is None else prefixes
    text = nik.astype("string").str.strip()
    shaped = text.str.fullmatch(NIK_SHAPE).fillna(False).to_numpy(dtype=bool)
    safe = text.where(pd.Series(shaped, index=nik.index), "0" * 16)
    arrow = pa.array(safe, type=pa.string(), from_pandas=True)
    if len(arrow) and pc.all(pc.string_is_ascii(arrow)).as_py():
        known, kecamatan, day, month, serial = _nik_parts(arrow, prefixes)
    else:  # a digit outside ASCII (\d matches it): pandas reads each part as before
        known, kecamatan, day, month, serial = _nik_parts_text(safe, prefixes)
    day = np.where(day > 40, day - 40, day)
    limit = np.array((0, *DAYS_IN_MONTH))[np.clip(month, 0, 12)]
    plausible = (month >= 1) & (month <= 12) & (day >= 1) & (day <= limit)
    return shaped & known & kecamatan & plausible & serial


def _nik_parts(arrow: pa.Array, prefixes: frozenset[str]) -> tuple[np.ndarray, ...]:
    """(known prefix, kecamatan not 00, day, month, serial not 0000) of ASCII 16-digit texts, in Arrow."""
    def part(start: int, stop: int):
        return pc.utf8_slice_codeunits(arrow, start, stop)

    def numpy(values) -> np.ndarray:
        return values.to_numpy(zero_copy_only=False)

    known = numpy(pc.is_in(part(0, 4), value_set=pa.array(sorted(prefixes), type=pa.string())))
    return (known, numpy(pc.not_equal(part(4, 6), "00")),
            numpy(pc.cast(part(6, 8), pa.int64())).astype(np.int64),
            numpy(pc.cast(part(8, 10), pa.int64())).astype(np.int64),
            numpy(pc.not_equal(part(12, 16), "0000")))


def _nik_parts_text(safe: pd.Series, prefixes: frozenset[str]) -> tuple[np.ndarray, ...]:
    """The same parts read by pandas, for any text."""
    digits = safe.str.slice
    known = digits(0, 4).isin(prefixes).to_numpy(dtype=bool)
    kecamatan = digits(4, 6).to_numpy(dtype=object) != "00"
    day = pd.to_numeric(digits(6, 8), errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    month = pd.to_numeric(digits(8, 10), errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    serial = digits(12, 16).to_numpy(dtype=object) != "0000"
    return known, kecamatan, day, month, serial


# ---- Counting ----------------------------------------------------------------------------
def _month(values: pd.Series, reference_date: date) -> pd.Series:
    """Each ``updated_at`` as a date (NaT where unreadable or after the reference date)."""
    stamps = pd.to_datetime(values.astype("string").str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return stamps.where(stamps <= pd.Timestamp(reference_date))


class QualityTally:
    """Per-desa counts a harvest adds up over chunks of raw residents, then the families."""

    def __init__(self, desa: pd.DataFrame, reference_date: date):
        self.desa = desa
        self.reference_date = reference_date
        self.position = {key: i for i, key in enumerate(desa.index)}
        self.nik_invalid = np.zeros(len(desa), dtype=np.int64)
        self.no_head = np.zeros(len(desa), dtype=np.int64)
        self.changed: list[pd.Timestamp | None] = [None] * len(desa)

    def _places(self, frame: pd.DataFrame) -> np.ndarray:
        if "config_id" not in frame.columns:
            return np.zeros(len(frame), dtype=np.int64) if len(self.desa) == 1 else np.full(len(frame), -1)
        return _positions(frame["config_id"], self.position)

    def _note_change(self, frame: pd.DataFrame, places: np.ndarray) -> None:
        if "updated_at" not in frame.columns:
            return
        stamps = _month(frame["updated_at"], self.reference_date)
        newest = stamps.groupby(places).max()
        for place, stamp in newest.items():
            if place >= 0 and pd.notna(stamp) and (self.changed[place] is None or stamp > self.changed[place]):
                self.changed[place] = stamp

    def add_residents(self, raw: pd.DataFrame) -> None:
        """Count a chunk of raw residents (living ones only: status_dasar 1); the NIK is not kept."""
        places = self._places(raw)
        alive = (raw["status_dasar"].astype("string").str.strip() == "1").fillna(False).to_numpy(dtype=bool)
        bad = alive & ~nik_valid(raw["nik"]) & (places >= 0)
        self.nik_invalid += np.bincount(places[bad], minlength=len(self.desa))
        self._note_change(raw, places)

    def add_families(self, families: pd.DataFrame) -> None:
        """Count minimised families whose head is not a resident (no head row was found)."""
        places = self._places(families)
        missing = families["kepala_sex"].isna().to_numpy(dtype=bool) & (places >= 0)
        self.no_head += np.bincount(places[missing], minlength=len(self.desa))
        self._note_change(families, places)


def warnings_by_desa(by_desa: dict, desa: pd.DataFrame) -> dict[str, dict[int, int]]:
    """Check warnings per dotted desa code and kind, from the report's per-desa tally."""
    known = set(desa["kode_desa"])
    out: dict[str, dict[int, int]] = {}
    for (label, message), hits in by_desa.items():
        if label in known:
            kinds = out.setdefault(label, {})
            kind = warning_kind(message)
            kinds[kind] = kinds.get(kind, 0) + int(hits)
    return out


def _unit_totals(tables: list[StatTable]) -> pd.DataFrame | None:
    unit = next((t for t in tables if t.spec.dimension == "unit"), None)
    if unit is None:
        return None
    frame = unit.frame
    return frame.pivot_table(index="kode_desa", columns="kode", values="jumlah", aggfunc="sum")


def quality_frame(tables: list[StatTable], tally: QualityTally, warnings: dict[str, dict[int, int]],
                  catalogue) -> pd.DataFrame:
    """Raw counts: one row per desa and indicator with jumlah, penyebut (denominator) and unit.

    ``tables`` are the counted tables of the same harvest; the share and score are left to
    the privacy layer, which decides what of this may be published.
    """
    desa = tally.desa.reset_index(drop=True)
    units = _unit_totals(tables)
    sources = {ind.source for ind in indicators(catalogue) if ind.source}
    by_name = {t.spec.name: _desa_sums(t.frame) for t in tables if t.spec.name in sources}
    listed = indicators(catalogue)  # the same list for every desa: built once
    rows = []
    for i, place in desa.iterrows():
        kode = place["kode_desa"]
        people = int(units.loc[kode, 1]) if units is not None and kode in units.index else 0
        families = int(units.loc[kode, 2]) if units is not None and kode in units.index else 0
        changed = tally.changed[i]
        base = {**place.to_dict(), "perubahan_terakhir": changed.strftime("%Y-%m") if changed is not None else ""}
        for ind in listed:
            count, denominator = _count(ind, i, kode, tally, warnings, by_name, people, families)
            rows.append({**base, "kode": ind.code, "indikator": ind.label, "jumlah": count,
                         "penyebut": denominator, "satuan": ind.unit, "sumber": ind.source})
    return pd.DataFrame(rows)


def _desa_sums(frame: pd.DataFrame) -> pd.DataFrame:
    """A counted table's ``unfilled`` (BELUM MENGISI) and ``total`` count per kode_desa, once
    per table (filtering the whole table for each desa and indicator took most of the step)."""
    unfilled = frame["jumlah"].where(frame["kode"] == UNFILLED_CODE, 0)
    return pd.DataFrame({"unfilled": unfilled, "total": frame["jumlah"],
                         "kode_desa": frame["kode_desa"]}).groupby("kode_desa").sum()


def _count(ind: Indicator, i: int, kode: str, tally: QualityTally, warnings, by_name,
           people: int, families: int) -> tuple[int | None, int | None]:
    """(count, denominator) of one indicator in one desa; None where it does not apply."""
    if ind.code == SCORE:
        return None, None
    if ind.code == NIK_INVALID:
        return int(tally.nik_invalid[i]), people
    if ind.code == NO_HEAD:
        # Families without a head are never active: the denominator is all families counted.
        return int(tally.no_head[i]), families + int(tally.no_head[i])
    if ind.source:
        sums = by_name.get(ind.source)
        if sums is None:
            return None, None
        if kode not in sums.index:
            return 0, 0
        return int(sums.at[kode, "unfilled"]), int(sums.at[kode, "total"])
    return int(warnings.get(kode, {}).get(ind.code - WARNING_BASE, 0)), None


def score(shares: list[float]) -> float | None:
    """The completeness score of SCORE_FORMULA from the shares used (None without any)."""
    if not shares:
        return None
    return round(100.0 * (1.0 - sum(shares) / len(shares)), 1)
