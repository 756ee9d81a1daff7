"""Count the stunting convergence tables (issue 16): OpenKab's quarterly scorecard per desa.

Inputs are what the harvest boundary kept (privacy.policy.minimise_table): the KIA cards
(keys only), the posyandu's rows for pregnant women and children 0-23 months with their
examination month (``bulan_periksa``) and, for mothers, whether they delivered (``bersalin``),
and a compact frame of residents (id, sex). No personal value is read here.

The scorecard (OpenSID Rekap.php = API-Database-Gabungan RekapService): rows of the quarter
grouped per KIA card; each group is one mother or one child, placed in the desa of the row
and counted once; each indicator is Y, T or TS (tidak sasaran). Where this differs from
OpenKab is written in the catalogue's method note (catalogue._STUNTING_METHOD).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from portal.statistics.catalogue import (
    ANAK,
    ANAK_0_5,
    GIZI_BURUK,
    GIZI_KURANG,
    IBU,
    IBU_BERSALIN,
    IBU_RISIKO,
    STUNTING,
    STUNTING_DIMENSION,
    STUNTING_SERVICES,
    STUNTING_TARGETS,
    TIKAR,
    TableSpec,
)
from portal.statistics.compute import Category, StatTable, _assemble, _positions, isin_text

Y, T, TS = 1, 0, -1
# The yes/no answers each indicator reads (1 Ya). Mothers: ibu_hamil; children: bulanan_anak.
MOTHER_ANSWERS = {"periksa": "pemeriksaan_kehamilan", "pil_fe": "konsumsi_pil_fe",
                  "nifas": "pemeriksaan_nifas", "konseling": "konseling_gizi",
                  "kunjungan": "kunjungan_rumah", "air": "akses_air_bersih",
                  "jamban": "kepemilikan_jamban", "jaminan": "jaminan_kesehatan"}
CHILD_ANSWERS = {"dasar": "pemberian_imunisasi_dasar", "berat": "pengukuran_berat_badan",
                 "tinggi": "pengukuran_tinggi_badan", "konseling": "konseling_gizi_ibu",
                 "kunjungan": "kunjungan_rumah", "air": "air_bersih", "jamban": "kepemilikan_jamban",
                 "akta": "akta_lahir", "jaminan": "jaminan_kesehatan", "paud": "pengasuhan_paud"}
# Every code column a row needs within OpenSID's list to be counted (sources.checks flags the rest).
MOTHER_CODES = {"status_kehamilan": {"1", "2", "3"}}
CHILD_CODES = {"status_gizi": {"1", "2", "3", "4"}, "status_tikar": {"1", "2", "3", "4"},
               "pemberian_imunisasi_campak": {"", "0", "1", "2"}}
YES_NO = {"", "0", "1"}
RISK = {"2", "3"}             # status_kehamilan: risiko tinggi, KEK
MEASLES_GIVEN = "2"           # pemberian_imunisasi_campak: 2 Sudah
GIZI_ROWS = {"2": GIZI_KURANG, "3": GIZI_BURUK, "4": STUNTING}
# Children's measurements needed by age category (2: 6-12, 3: 13-17, 4: 18-23 months).
MEASURED = {2: 5, 3: 8, 4: 15}
PAUD_SESSIONS = 5


def report_quarter(reference_date: date) -> tuple[int, int]:
    """(year, quarter) of the last complete quarter on the reference date."""
    last_day = (pd.Timestamp(reference_date) + pd.Timedelta(days=1)).month != reference_date.month
    month = reference_date.month if last_day else reference_date.month - 1
    year, quarter = reference_date.year, month // 3
    return (year - 1, 4) if quarter == 0 else (year, quarter)


def quarter_months(year: int, quarter: int) -> tuple[str, str]:
    """First and last month ("YYYY-MM") of a quarter."""
    return f"{year}-{3 * quarter - 2:02d}", f"{year}-{3 * quarter:02d}"


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column stripped ("" where the export lacks it)."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column].fillna("").astype(str).str.strip()


def _whole(values: pd.Series, low: int, high: int) -> pd.Series:
    """Whole numbers in [low, high] as float (NaN otherwise)."""
    number = pd.to_numeric(values, errors="coerce")
    return number.where(number.between(low, high) & (number % 1 == 0))


def _countable(rows: pd.DataFrame, codes: dict, answers: dict, cards: pd.DataFrame, end: str,
               key: str) -> pd.DataFrame:
    """Rows the checks did not flag, examined by ``end``, of a known card; ordered as OpenSID reads them."""
    ok = (_text(rows, "bulan_periksa") != "") & (_text(rows, "bulan_periksa") <= end)
    for column, allowed in codes.items():
        ok &= isin_text(_text(rows, column), allowed)
    for column in answers.values():
        ok &= isin_text(_text(rows, column), YES_NO)
    ok &= isin_text(_text(rows, "kia_id"), cards.index)
    out = rows[ok.to_numpy(dtype=bool)].copy()
    out["kia_id"] = _text(out, "kia_id")
    out["_order"] = pd.to_numeric(out[key], errors="coerce").fillna(-1) if key in out.columns else 0
    return out.sort_values(["bulan_periksa", "_order"], kind="stable")


def _yes(rows: pd.DataFrame, column: str) -> pd.Series:
    """1 where the answer is Ya."""
    return (_text(rows, column) == "1").astype(np.int64)


def _cards(kia: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """KIA cards whose mother is a resident, with the child's sex ("" before the birth)."""
    sex = people.assign(id=people["id"].astype(str)).drop_duplicates("id").set_index("id")["sex"].astype(str)
    cards = pd.DataFrame({"id": _text(kia, "id"), "ibu_id": _text(kia, "ibu_id"),
                          "anak_id": _text(kia, "anak_id")})
    cards = cards[(cards["id"] != "") & isin_text(cards["ibu_id"], sex.index)].drop_duplicates("id")
    cards["anak_sex"] = sex.reindex(cards["anak_id"]).fillna("").to_numpy()
    return cards.set_index("id")


def mother_groups(ibu_hamil: pd.DataFrame, cards: pd.DataFrame, year: int, quarter: int) -> pd.DataFrame:
    """One row per mother (KIA card) with rows in the quarter: desa and her 8 indicators (Y/T/TS)."""
    first, end = quarter_months(year, quarter)
    rows = _countable(ibu_hamil, MOTHER_CODES, MOTHER_ANSWERS, cards, end, "id_ibu_hamil")
    rows = rows[rows["bulan_periksa"] >= first]
    usia = _whole(_text(rows, "usia_kehamilan"), 0, 10)
    rows = rows[usia.notna().to_numpy()].assign(usia=usia.dropna())
    answers = {name: _yes(rows, column) for name, column in MOTHER_ANSWERS.items()}
    answers["kunjungan"] = answers["kunjungan"] * _text(rows, "status_kehamilan").isin(RISK)
    frame = pd.DataFrame({"kia_id": rows["kia_id"], "bersalin": (_text(rows, "bersalin") == "1").astype(int),
                          "usia": rows["usia"], **answers})
    grouped = frame.groupby("kia_id", sort=True)
    g = grouped.sum()
    last = rows.groupby("kia_id", sort=True).last()
    out = pd.DataFrame({"config_id": _text(last, "config_id"), "sex": "2",
                        "risiko": _text(last, "status_kehamilan").isin(RISK)}, index=g.index)
    bersalin = grouped["bersalin"].max().to_numpy() > 0
    trimester3 = grouped["usia"].max().to_numpy() > 6
    need = np.where(trimester3, 2, 1)

    def pregnant(count) -> np.ndarray:
        return np.where(bersalin, TS, np.where(count >= need, Y, T))

    out["bersalin"] = bersalin
    out[1] = pregnant(g["periksa"].to_numpy())
    out[2] = np.where(bersalin, TS, np.where(g["pil_fe"].to_numpy() >= 1, Y, T))
    out[3] = np.where(bersalin, np.where(g["nifas"].to_numpy() >= 3, Y, T), TS)
    out[4] = pregnant(g["konseling"].to_numpy())
    out[5] = np.where(bersalin, TS, np.where(g["kunjungan"].to_numpy() >= 1, Y, T))
    for code, name in ((6, "air"), (7, "jamban"), (8, "jaminan")):
        out[code] = np.where(g[name].to_numpy() >= 1, Y, T)
    return out


def _age_category(months: np.ndarray) -> np.ndarray:
    """OpenSID's category of a child by its largest age in the quarter: 1 <6, 2 6-12, 3 13-17, 4 >=18."""
    return np.select([months < 6, months <= 12, months <= 17], [1, 2, 3], 4)


def child_groups(bulanan_anak: pd.DataFrame, cards: pd.DataFrame, year: int, quarter: int) -> pd.DataFrame:
    """One row per child (KIA card) with rows in the quarter: desa, sex, status and 10 indicators."""
    first, end = quarter_months(year, quarter)
    known = cards[cards["anak_sex"].isin(["1", "2"])]
    rows = _countable(bulanan_anak, CHILD_CODES, CHILD_ANSWERS, known, end, "id_bulanan_anak")
    umur = _whole(_text(rows, "umur_bulan"), 0, 23)
    rows = rows[umur.notna().to_numpy()].assign(umur=umur.dropna())
    answers = pd.DataFrame({name: _yes(rows, column) for name, column in CHILD_ANSWERS.items()})
    answers["kia_id"] = rows["kia_id"]
    answers["campak"] = (_text(rows, "pemberian_imunisasi_campak") == MEASLES_GIVEN).astype(np.int64)
    answers["umur"] = rows["umur"]
    quarter_rows = (rows["bulan_periksa"] >= first).to_numpy()
    year_rows = (rows["bulan_periksa"] >= f"{year}-01").to_numpy()
    now = answers[quarter_rows].groupby("kia_id", sort=True)
    g = now.sum()
    ever = answers.groupby("kia_id").sum().reindex(g.index)          # any date up to the quarter's end
    in_year = answers[year_rows].groupby("kia_id").sum().reindex(g.index).fillna(0)
    last = rows[quarter_rows].groupby("kia_id", sort=True).last()
    oldest = now["umur"].max().to_numpy()
    category = _age_category(oldest)
    out = pd.DataFrame({"config_id": _text(last, "config_id"),
                        "sex": known["anak_sex"].reindex(g.index).to_numpy(),
                        "gizi": _text(last, "status_gizi"), "tikar": _text(last, "status_tikar"),
                        "muda": category == 1}, index=g.index)
    young = category == 1
    dasar = g["dasar"].to_numpy() >= 1
    campak = g["campak"].to_numpy() >= 1
    early = (category == 2) & (oldest <= 9)
    out[11] = np.where(young, TS, np.where(np.where(early, dasar, dasar & campak), Y, T))
    threshold = np.array([MEASURED.get(c, 0) for c in category])
    out[12] = np.where(young, TS, np.where(ever["berat"].to_numpy() >= threshold, Y, T))
    out[13] = np.where(g["tinggi"].to_numpy() >= 1, Y, T)
    out[14] = np.where(young, TS, np.where(ever["konseling"].to_numpy() >= threshold, Y, T))
    out[15] = np.where(g["kunjungan"].to_numpy() >= 2, Y, T)
    for code, name in ((16, "air"), (17, "jamban"), (18, "akta"), (19, "jaminan")):
        out[code] = np.where(g[name].to_numpy() >= 1, Y, T)
    out[20] = np.where(young, TS, np.where(in_year["paud"].to_numpy() >= PAUD_SESSIONS, Y, T))
    return out


class _Counts:
    """(desa, category, sex) counts of one table."""

    def __init__(self, desa: pd.DataFrame, labels: dict[int, str]):
        self.desa = desa
        self.cats = [Category(code, label) for code, label in labels.items()]
        self.index = {c.code: i for i, c in enumerate(self.cats)}
        self.counts = np.zeros((len(desa), len(self.cats), 2), dtype=np.int64)
        self.place = {key: i for i, key in enumerate(desa.index)}

    def add(self, groups: pd.DataFrame, code: int, mask) -> None:
        """Count the groups where ``mask`` holds in row ``code``, each in its desa and by its sex."""
        chosen = groups[np.asarray(mask, dtype=bool)]
        place = _positions(chosen["config_id"].astype(str).reset_index(drop=True), self.place)
        sex = _positions(chosen["sex"].astype(str).reset_index(drop=True), {"1": 0, "2": 1})
        ok = (place >= 0) & (sex >= 0)
        np.add.at(self.counts, (place[ok], self.index[code], sex[ok]), 1)

    def table(self, spec: TableSpec) -> StatTable:
        """The counted table, every desa x category."""
        return _assemble(spec, self.counts, self.cats, self.desa)


def targets(spec: TableSpec, mothers: pd.DataFrame, children: pd.DataFrame, desa: pd.DataFrame) -> StatTable:
    """Sasaran: mothers (at risk, delivered) and children (0-5 months, by nutrition status)."""
    counts = _Counts(desa, STUNTING_TARGETS)
    counts.add(mothers, IBU, np.ones(len(mothers)))
    counts.add(mothers, IBU_RISIKO, mothers["risiko"])
    counts.add(mothers, IBU_BERSALIN, mothers["bersalin"])
    counts.add(children, ANAK, np.ones(len(children)))
    counts.add(children, ANAK_0_5, children["muda"])
    for status, code in GIZI_ROWS.items():
        counts.add(children, code, children["gizi"] == status)
    return counts.table(spec)


def tikar(spec: TableSpec, children: pd.DataFrame, desa: pd.DataFrame) -> StatTable:
    """Children by the TIKAR status of their last row of the quarter."""
    counts = _Counts(desa, TIKAR)
    for code in TIKAR:
        counts.add(children, code, children["tikar"] == str(code))
    return counts.table(spec)


def services(spec: TableSpec, mothers: pd.DataFrame, children: pd.DataFrame, desa: pd.DataFrame) -> StatTable:
    """Mothers and children for whom each indicator is Y."""
    counts = _Counts(desa, {code: label for code, (label, _, _) in STUNTING_SERVICES.items()})
    for code in STUNTING_SERVICES:
        groups = mothers if code < 10 else children
        counts.add(groups, code, groups[code] == Y)
    return counts.table(spec)


def count_stunting(specs, frames: dict[str, pd.DataFrame], people: pd.DataFrame, desa: pd.DataFrame,
                   reference_date: date) -> list[StatTable]:
    """The stunting tables among ``specs`` (the caller keeps only those its source can feed)."""
    specs = [s for s in specs if s.dimension == STUNTING_DIMENSION]
    if not specs:
        return []
    year, quarter = report_quarter(reference_date)
    cards = _cards(frames["kia"], people)
    mothers = mother_groups(frames["ibu_hamil"], cards, year, quarter)
    children = child_groups(frames["bulanan_anak"], cards, year, quarter)
    out = []
    for spec in specs:
        if spec.code_list == "stunting_sasaran":
            out.append(targets(spec, mothers, children, desa))
        elif spec.code_list == "status_tikar":
            out.append(tikar(spec, children, desa))
        elif spec.code_list == "stunting_layanan":
            out.append(services(spec, mothers, children, desa))
        else:
            raise ValueError(f"tabel stunting tidak dikenal: {spec.name}")
    return out


def without_stunting(specs) -> list[TableSpec]:
    """The specs other counters handle (statistics.village raises on a stunting one)."""
    return [s for s in specs if s.dimension != STUNTING_DIMENSION]
