"""A month of life in the demo district: births, deaths, moves, marriages, e-KTP, school year.

``advance_month`` takes the register (tweb_penduduk, tweb_keluarga, log_penduduk) as it stood
at the start of a month and returns it as it stands at the start of the next, the way a desa
operator keeps OpenSID: nobody is deleted, ids never change.

- **Deaths**: ``status_dasar`` 2 (MATI); a surviving husband or wife becomes CERAI MATI (4);
  a head's widow(er) or eldest adult member becomes the head (``nik_kepala`` follows).
- **Moves out** (pindah keluar): whole families, and single young adults, get status 3.
- **Moves in** (pindah datang): new families with a new No. KK, drawn like the district's own.
- **Births**: a pregnant woman (``hamil`` 1) gives birth; the child joins her family (ANAK or
  CUCU) with a NIK of the kecamatan and birth date, her religion, and the father's NIK when he
  is in the family; married women conceive, so ``hamil`` follows too.
- **Marriages**: a single man and woman of the same desa; the wife joins his family (ISTRI of a
  head, MENANTU in his parents' family) or, for some, they start a new family (new No. KK,
  the husband its head). ``status_kawin`` becomes KAWIN.
- **e-KTP**: at 17 a resident becomes wajib KTP (status_rekam 2), many record within the month
  (ktp_el 2, status_rekam 3); recorded cards are issued over the next months (status_rekam 8).
- **School year** (July): children start TK and SD, move on to SLTP and SLTA, school leavers
  leave; ``pendidikan_kk`` records the finished level.

Every event is also a ``log_penduduk`` row (OpenSID's ref_peristiwa codes: 1 lahir, 2 mati,
3 pindah keluar, 5 pindah masuk; ``ref_pindah`` 1-4 for moves out; marriages have no code).

**Rates** (per year unless said; ``RATES`` holds them as data). No official monthly series for
Tabanan was at hand, so they are orders of magnitude from Indonesia's published statistics,
chosen so a year of the demo district moves as Bali's registers do:

- births: about 10-12 per 1,000 residents a year (the demo's first year starts near 10, as the
  generated register has few pregnancies). Bali's crude birth rate is in the mid-teens (BPS,
  Sensus Penduduk 2020 long form: total fertility near 2.0); Tabanan is older than Bali's
  average. Nine months of pregnancy: a pregnant woman gives birth with probability 1/9 a month;
  conception rates by age (``CONCEPTION``) keep the number of pregnancies about level.
- deaths: about 8 per 1,000 a year, from age-specific mortality (``MORTALITY``, a Gompertz-like
  curve near Indonesia's life tables: infant mortality about 15 per 1,000, 1.2 % a year at
  55-64, 8 % at 75-84); Bali's crude death rate is about 7-8 per 1,000.
- marriages: 7 per 1,000 residents a year (Indonesia's crude marriage rate, BPS/Kemenag: about
  1.6-1.9 million marriages for 275 million people); 30 % of couples start a new KK at once.
- moves: 0.4 % of families and 1.5 % of single adults aged 18-39 move out a year; arrivals are
  0.8 % of the population a year, so the district grows about 0.6-0.7 % a year, close to
  Tabanan's growth between the 2010 and 2020 censuses.
- e-KTP: 45 % of new seventeen-year-olds record in their birthday month, 6 % of the backlog a
  month; 40 % of recorded cards are issued each month.

Seasonal variation (``SEASON``, by calendar month): more moves in July (school year) and
January, more deaths in the rainy season (December-February), more weddings in the months
Balinese calendars favour, slightly more births in September-November.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from portal.sources.wilayah import District, undotted

from .households import build_households
from .names import make_names
from .region import Region
from .tables import _STYLE_OF_AGAMA, Numbering, build_tables
from .util import DAYS_PER_YEAR, concat, date_parts, date_strings, datetime_strings, digits, pick, serial_within
from .writers import row_lines

RATES = {
    "birth_after_pregnancy": 1 / 9,  # per month
    "marriage": 0.007,
    "new_family_share": 0.30,
    "move_out_family": 0.004,
    "move_out_single": 0.015,  # single residents aged 18-39, not heads
    "arrival": 0.008,
    "ktp_at_17": 0.45,  # per month
    "ktp_backlog": 0.06,  # per month
    "ktp_card_issued": 0.40,  # per month
}
# Annual probability of dying, by age band (lower bounds in years).
MORTALITY_AGES = np.array([0, 1, 5, 15, 30, 45, 55, 65, 75, 85])
MORTALITY = np.array([0.015, 0.0012, 0.0004, 0.0009, 0.0018, 0.005, 0.012, 0.03, 0.08, 0.19])
# Monthly probability that a married woman not pregnant and not using contraception conceives.
CONCEPTION_AGES = np.array([18, 25, 30, 35, 40, 45])
CONCEPTION = np.array([0.056, 0.050, 0.035, 0.018, 0.005, 0.0])
# Seasonal factors by calendar month (January first) for each kind of event.
SEASON = {
    "birth": (1.0, 0.95, 0.95, 0.95, 0.97, 0.97, 1.0, 1.0, 1.06, 1.08, 1.06, 1.01),
    "death": (1.12, 1.1, 1.02, 0.97, 0.95, 0.93, 0.94, 0.95, 0.96, 0.98, 1.0, 1.08),
    "move": (1.15, 0.9, 0.9, 1.0, 0.95, 1.05, 1.4, 1.1, 0.9, 0.85, 0.85, 0.95),
    "marriage": (0.8, 1.0, 0.7, 1.2, 1.3, 0.9, 1.2, 1.3, 0.8, 1.0, 1.0, 0.8),
}
REF_PINDAH = {1: 0.15, 2: 0.20, 3: 0.40, 4: 0.25}
LAHIR, MATI, PINDAH_KELUAR, PINDAH_MASUK = 1, 2, 3, 5
LOG_COLUMNS = ("id", "config_id", "id_pend", "kode_peristiwa", "ref_pindah", "tgl_peristiwa", "tgl_lapor",
               "created_at")


@dataclass
class Register:
    """The district's register between months: the two tables, the event log, and beside them
    what keeps a month fast: birth dates, NIK and No. KK as numbers, each resident's CSV line."""

    keluarga: pd.DataFrame
    penduduk: pd.DataFrame
    birth: np.ndarray  # tanggallahir of every penduduk row, datetime64[D]
    nik: np.ndarray  # tweb_penduduk.nik as int64
    no_kk: np.ndarray  # tweb_keluarga.no_kk as int64
    dirty: np.ndarray  # penduduk rows changed or added since their CSV lines were made
    lines: pa.Array | None = None
    log: list[pd.DataFrame] = field(default_factory=list)
    log_rows: int = 0

    def add_penduduk(self, frame: pd.DataFrame, birth: np.ndarray) -> np.ndarray:
        """Append residents; returns their row positions."""
        start = len(self.penduduk)
        self.penduduk = pd.concat([self.penduduk, frame.astype(self.penduduk.dtypes.to_dict())], ignore_index=True)
        self.birth = np.r_[self.birth, birth]
        self.nik = np.r_[self.nik, frame["nik"].to_numpy().astype(np.int64)]
        self.dirty = np.r_[self.dirty, np.ones(len(frame), dtype=bool)]
        return np.arange(start, len(self.penduduk))

    def add_keluarga(self, frame: pd.DataFrame) -> None:
        """Append families."""
        self.keluarga = pd.concat([self.keluarga, frame.astype(self.keluarga.dtypes.to_dict())], ignore_index=True)
        self.no_kk = np.r_[self.no_kk, frame["no_kk"].to_numpy().astype(np.int64)]

    def penduduk_lines(self) -> pa.Array:
        """Every resident's CSV line, re-formatting only the rows changed since the last call."""
        if self.lines is None:
            self.lines = row_lines(self.penduduk)
        elif self.dirty.any():
            rows = np.flatnonzero(self.dirty)
            order = np.arange(len(self.penduduk))
            order[rows] = len(self.lines) + np.arange(len(rows))
            fresh = row_lines(self.penduduk.iloc[rows])
            self.lines = pa.concat_arrays([self.lines, fresh]).take(pa.array(order))
        self.dirty = np.zeros(len(self.penduduk), dtype=bool)
        return self.lines

    def log_table(self) -> pd.DataFrame:
        """log_penduduk so far (OpenSID's columns that the demo fills)."""
        if not self.log:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in LOG_COLUMNS})
        return pd.concat(self.log, ignore_index=True)


@dataclass(frozen=True)
class Month:
    """One step: the register goes from ``start`` (first day of a month) to ``end`` (the next)."""

    start: np.datetime64
    end: np.datetime64
    rng: np.random.Generator

    @property
    def calendar_month(self) -> int:
        """1-12, the month the events fall in."""
        return int(self.start.astype("datetime64[M]").astype(np.int64) % 12) + 1

    def season(self, kind: str) -> float:
        """The seasonal factor of this month for a kind of event."""
        return SEASON[kind][self.calendar_month - 1]

    def moments(self, n: int) -> np.ndarray:
        """``n`` event times within the month, office hours, as datetime64[s]."""
        days = (self.end - self.start).astype(np.int64)
        day = self.start + self.rng.integers(0, days, n)
        return day.astype("datetime64[s]") + self.rng.integers(8 * 3600, 16 * 3600, n)


def monthly(p_year: np.ndarray | float) -> np.ndarray | float:
    """A yearly probability as the probability for one month."""
    return 1 - (1 - np.asarray(p_year)) ** (1 / 12)


def start_register(keluarga: pd.DataFrame, penduduk: pd.DataFrame) -> Register:
    """The register at the first month, as build_tables made it."""
    birth = penduduk["tanggallahir"].to_numpy().astype("datetime64[D]")
    return Register(keluarga=keluarga, penduduk=penduduk, birth=birth,
                    nik=penduduk["nik"].to_numpy().astype(np.int64),
                    no_kk=keluarga["no_kk"].to_numpy().astype(np.int64),
                    dirty=np.ones(len(penduduk), dtype=bool))


def _age(reg: Register, when: np.datetime64) -> np.ndarray:
    """Age in (fractional) years of every resident on a date."""
    return (when - reg.birth).astype(np.int64) / DAYS_PER_YEAR


def _log(reg: Register, rows: np.ndarray, kode: int, when: np.ndarray, month: Month,
         ref_pindah: np.ndarray | None = None) -> None:
    """Append log_penduduk rows for the residents at row positions ``rows``."""
    if not len(rows):
        return
    p = reg.penduduk
    lapor = np.minimum(when + month.rng.integers(0, 3 * 86400, len(rows)),
                       month.end.astype("datetime64[s]") - 1)
    stamp = datetime_strings(lapor)
    reg.log.append(pd.DataFrame({
        "id": np.arange(reg.log_rows + 1, reg.log_rows + len(rows) + 1),
        "config_id": p["config_id"].to_numpy()[rows],
        "id_pend": p["id"].to_numpy()[rows],
        "kode_peristiwa": np.full(len(rows), kode),
        "ref_pindah": np.ones(len(rows), np.int64) if ref_pindah is None else ref_pindah,
        "tgl_peristiwa": datetime_strings(when),
        "tgl_lapor": stamp,
        "created_at": stamp,
    }))
    reg.log_rows += len(rows)


def _set(frame: pd.DataFrame, rows: np.ndarray, column: str, values) -> None:
    """Assign ``values`` to ``column`` at row positions ``rows`` (keeps the column's dtype)."""
    if len(rows):
        frame.iloc[rows, frame.columns.get_loc(column)] = values


def _touch(reg: Register, rows: np.ndarray, when: np.ndarray) -> None:
    """Record that these residents' rows changed at ``when``."""
    if not len(rows):
        return
    _set(reg.penduduk, rows, "updated_at", datetime_strings(when))
    reg.dirty[rows] = True


def deaths(reg: Register, month: Month, busy: np.ndarray) -> None:
    """Residents die at age-specific rates; spouses are widowed, families get a new head."""
    p = reg.penduduk
    age = _age(reg, month.start)
    alive = (p["status_dasar"].to_numpy() == 1) & ~busy
    q = MORTALITY[np.searchsorted(MORTALITY_AGES, age, side="right") - 1]
    dead = np.flatnonzero(alive & (month.rng.random(len(p)) < monthly(q) * month.season("death")))
    when = month.moments(len(dead))
    _set(p, dead, "status_dasar", 2)
    _touch(reg, dead, when)
    _log(reg, dead, MATI, when, month)
    busy[dead] = True
    _widow(reg, dead, when)
    _new_heads(reg, dead, when)


def _members(reg: Register) -> pd.DataFrame:
    """Living residents' row position, family, role, sex and marital status."""
    p = reg.penduduk
    frame = pd.DataFrame({"row": np.arange(len(p)), "id_kk": p["id_kk"].to_numpy(),
                          "kk_level": p["kk_level"].to_numpy(), "sex": p["sex"].to_numpy(),
                          "kawin": p["status_kawin"].to_numpy()})
    return frame[p["status_dasar"].to_numpy() == 1]


def _partner_rows(reg: Register, rows: np.ndarray) -> pd.DataFrame:
    """For residents at ``rows``: the row of their living husband or wife in the same family."""
    p = reg.penduduk
    who = pd.DataFrame({"row": rows, "id_kk": p["id_kk"].to_numpy()[rows],
                        "kk_level": p["kk_level"].to_numpy()[rows], "sex": p["sex"].to_numpy()[rows],
                        "kawin": p["status_kawin"].to_numpy()[rows]})
    who = who[who["kawin"] == 2]
    living = _members(reg)
    living = living[living["kawin"] == 2]
    # Head <-> SUAMI/ISTRI; a married ANAK <-> MENANTU (of the other sex).
    want = np.select([who["kk_level"] == 1, np.isin(who["kk_level"], (2, 3)), who["kk_level"] == 5,
                      who["kk_level"] == 4], [-1, 1, 4, 5], 0)
    who = who.assign(want=want, other_sex=3 - who["sex"])
    heads = living[living["kk_level"] == 1]
    spouses = living[np.isin(living["kk_level"], (2, 3))]
    pairs = [who[who["want"] == -1].merge(spouses, on="id_kk", suffixes=("", "_p")),
             who[who["want"] == 1].merge(heads, on="id_kk", suffixes=("", "_p"))]
    for level in (4, 5):
        cand = living[living["kk_level"] == level]
        part = who[who["want"] == level].merge(cand, on="id_kk", suffixes=("", "_p"))
        pairs.append(part[part["sex_p"] == part["other_sex"]])
    found = pd.concat(pairs, ignore_index=True).drop_duplicates("row")
    return found[["row", "row_p"]]


def _widow(reg: Register, dead: np.ndarray, when: np.ndarray) -> None:
    """The living husband or wife of each dead resident becomes CERAI MATI (4)."""
    pairs = _partner_rows(reg, dead)
    if len(pairs):
        at = pd.Series(np.arange(len(dead)), index=dead)
        rows = pairs["row_p"].to_numpy()
        _set(reg.penduduk, rows, "status_kawin", 4)
        _touch(reg, rows, when[at.loc[pairs["row"]].to_numpy()])


def _new_heads(reg: Register, dead: np.ndarray, when: np.ndarray) -> None:
    """A family whose head died gets its widow(er), else its eldest adult member, as head."""
    p, k = reg.penduduk, reg.keluarga
    is_head = p["kk_level"].to_numpy()[dead] == 1
    heads, when = dead[is_head], when[is_head]
    if not len(heads):
        return
    families = p["id_kk"].to_numpy()[heads]
    living = _members(reg)
    living = living[np.isin(living["id_kk"], families)]
    age = _age(reg, when.min().astype("datetime64[D]"))[living["row"].to_numpy()]
    living = living.assign(rank=np.where(np.isin(living["kk_level"], (2, 3)), 0, 1), age=age)
    living = living[living["age"] >= 17].sort_values(["id_kk", "rank", "age"], ascending=[True, True, False])
    new = living.drop_duplicates("id_kk")
    if not len(new):
        return
    rows = new["row"].to_numpy()
    _set(p, rows, "kk_level", 1)
    at = pd.Series(when, index=families).groupby(level=0).first()
    _touch(reg, rows, at.loc[new["id_kk"]].to_numpy())
    positions = pd.Index(k["id"]).get_indexer(new["id_kk"])
    _set(k, positions, "nik_kepala", p["id"].to_numpy()[rows].astype("U12").astype(object))


def moves_out(reg: Register, month: Month, busy: np.ndarray) -> None:
    """Whole families, and single young adults, move away (status_dasar 3, pindah keluar)."""
    p, rng = reg.penduduk, month.rng
    alive = (p["status_dasar"].to_numpy() == 1) & ~busy
    level = p["kk_level"].to_numpy()
    fam = p["id_kk"].to_numpy()
    active = np.unique(fam[alive & (level == 1)])
    leaving = active[rng.random(len(active)) < monthly(RATES["move_out_family"]) * month.season("move")]
    age = _age(reg, month.start)
    single = alive & (level != 1) & (p["status_kawin"].to_numpy() != 2) & (age >= 18) & (age < 40)
    single &= rng.random(len(p)) < monthly(RATES["move_out_single"]) * month.season("move")
    family_rows = np.flatnonzero(alive & np.isin(fam, leaving))
    rows = np.union1d(family_rows, np.flatnonzero(single))
    # One date and destination per family; each single mover their own.
    key = np.where(np.isin(rows, family_rows), fam[rows], -1 - rows)
    uniq, inverse = np.unique(key, return_inverse=True)
    when = month.moments(len(uniq))[inverse]
    dest = pick(rng, len(uniq), REF_PINDAH)[inverse]
    _set(p, rows, "status_dasar", 3)
    _touch(reg, rows, when)
    _log(reg, rows, PINDAH_KELUAR, when, month, dest)
    busy[rows] = True


def _quota(rng: np.random.Generator, desa: np.ndarray, n_desa: int, rate: float) -> np.ndarray:
    """Events per desa this month: Poisson around ``rate`` times each desa's living residents."""
    return rng.poisson(np.bincount(desa, minlength=n_desa) * rate)


def marriages(reg: Register, month: Month, busy: np.ndarray, n_desa: int) -> None:
    """Single men and women of the same desa marry; some couples start a new family."""
    p, rng = reg.penduduk, month.rng
    alive = (p["status_dasar"].to_numpy() == 1) & ~busy
    age = _age(reg, month.start)
    sex, level = p["sex"].to_numpy(), p["kk_level"].to_numpy()
    single = alive & (p["status_kawin"].to_numpy() != 2) & (p["warganegara_id"].to_numpy() == 1)
    sizes = pd.Series(p["id_kk"].to_numpy()[alive]).value_counts()
    alone = p["id_kk"].map(sizes).fillna(0).to_numpy() == 1
    men = single & (sex == 1) & (age >= 21) & (age < 41) & ((level == 4) | ((level == 1) & alone))
    women = single & (sex == 2) & (age >= 19) & (age < 36) & (level != 1) & (p["status_kawin"].to_numpy() == 1)
    desa = p["config_id"].to_numpy() - 1
    quota = _quota(rng, desa[alive], n_desa, RATES["marriage"] / 12 * month.season("marriage"))
    couples = []
    for who in (men, women):
        rows = np.flatnonzero(who)
        rows = rows[np.lexsort((rng.random(len(rows)), desa[rows]))]
        rank = serial_within(desa[rows]) - 1
        keep = rank < quota[desa[rows]]
        couples.append(pd.DataFrame({"desa": desa[rows][keep], "rank": rank[keep], "row": rows[keep]}))
    pairs = couples[0].merge(couples[1], on=["desa", "rank"], suffixes=("_m", "_f"))
    if not len(pairs):
        return
    groom, bride = pairs["row_m"].to_numpy(), pairs["row_f"].to_numpy()
    when = month.moments(len(pairs))
    both = np.r_[groom, bride]
    _set(p, both, "status_kawin", 2)
    _touch(reg, both, np.r_[when, when])
    busy[both] = True
    new_family = (level[groom] == 4) & (rng.random(len(groom)) < RATES["new_family_share"])
    _set(p, bride, "kk_level", np.where(new_family | (level[groom] == 1), 3, 5))
    _set(p, bride, "agama_id", p["agama_id"].to_numpy()[groom])
    for column in ("id_kk", "id_cluster", "alamat_sekarang"):
        _set(p, bride, column, p[column].to_numpy()[groom])
    if new_family.any():
        _start_families(reg, groom[new_family], bride[new_family], when[new_family], rng)


def _no_kk(reg: Register, kec6: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """New No. KK numbers: kecamatan, registration DDMMYY, the next serial of that prefix."""
    day, mon, year = date_parts(dates)
    prefix = kec6 * 10**6 + day * 10**4 + mon * 100 + year % 100
    return _next_serials(reg.no_kk, prefix)


def _top_serials(used: np.ndarray) -> pd.Series:
    """The highest 4-digit serial used per 12-digit prefix of NIK or No. KK numbers."""
    return pd.Series(used % 10**4).groupby(used // 10**4).max()


def _next_serials(used: np.ndarray, prefix: np.ndarray) -> np.ndarray:
    """16-digit numbers ``prefix`` + a 4-digit serial above every one already used."""
    base = pd.Series(prefix).map(_top_serials(used)).fillna(0).to_numpy().astype(np.int64)
    serial = base + serial_within(prefix)
    if len(serial) and serial.max() > 9999:
        raise RuntimeError("serial overflow: too many numbers share one prefix")
    return (prefix * 10**4 + serial).astype("U16").astype(object)


def _start_families(reg: Register, groom: np.ndarray, bride: np.ndarray, when: np.ndarray,
                    rng: np.random.Generator) -> None:
    """New KK for newly-weds: the husband its head, the wife ISTRI, in his RT and address."""
    p, k = reg.penduduk, reg.keluarga
    old = pd.Index(k["id"]).get_indexer(p["id_kk"].to_numpy()[groom])
    ids = np.arange(len(groom)) + int(k["id"].max()) + 1
    days = when.astype("datetime64[D]")
    kec6 = k["no_kk"].to_numpy()[old].astype("U6").astype(np.int64)
    family = pd.DataFrame({
        "id": ids,
        "config_id": k["config_id"].to_numpy()[old],
        "no_kk": _no_kk(reg, kec6, days),
        "nik_kepala": p["id"].to_numpy()[groom].astype("U12").astype(object),
        "tgl_daftar": date_strings(days),
        "kelas_sosial": k["kelas_sosial"].to_numpy()[old],
        "tgl_cetak_kk": date_strings(days + rng.integers(0, 14, len(days))),
        "alamat": k["alamat"].to_numpy()[old],
        "id_cluster": k["id_cluster"].to_numpy()[old],
    })
    reg.add_keluarga(family)
    _set(p, groom, "kk_level", 1)
    _set(p, groom, "id_kk", ids)
    _set(p, bride, "id_kk", ids)


def _fathers(reg: Register, mothers: np.ndarray) -> np.ndarray:
    """Row of each mother's husband when he lives in her family, else -1."""
    pairs = _partner_rows(reg, mothers)
    father = pd.Series(-1, index=mothers)
    father.loc[pairs["row"].to_numpy()] = pairs["row_p"].to_numpy()
    return father.to_numpy()


def births(reg: Register, month: Month, busy: np.ndarray, home_town: str, kab: str) -> None:
    """Pregnant women give birth; the child joins the mother's family. Then new pregnancies."""
    p, rng = reg.penduduk, month.rng
    alive = (p["status_dasar"].to_numpy() == 1) & ~busy
    hamil = p["hamil"].to_numpy(dtype=np.int64, na_value=0)
    mothers = np.flatnonzero(alive & (hamil == 1) & (rng.random(len(p)) < RATES["birth_after_pregnancy"]
                                                     * month.season("birth")))
    _set(p, mothers, "hamil", 2)
    _touch(reg, mothers, month.moments(len(mothers)))
    if len(mothers):
        _add_babies(reg, mothers, month, home_town, kab)
    p = reg.penduduk
    n = len(p)
    age = _age(reg, month.start)
    hamil = p["hamil"].to_numpy(dtype=np.int64, na_value=0)
    can = (p["status_dasar"].to_numpy() == 1) & (p["sex"].to_numpy() == 2) & (p["status_kawin"].to_numpy() == 2)
    can &= (hamil == 2) & p["cara_kb_id"].isna().to_numpy()
    can[: len(busy)] &= ~np.isin(np.arange(len(busy)), mothers)
    p_conceive = CONCEPTION[np.clip(np.searchsorted(CONCEPTION_AGES, age, side="right") - 1, 0, None)]
    p_conceive = np.where(age < 18, 0.0, p_conceive)
    conceive = np.flatnonzero(can & (rng.random(n) < p_conceive))
    _set(p, conceive, "hamil", 1)
    _touch(reg, conceive, month.moments(len(conceive)))


def _add_babies(reg: Register, mothers: np.ndarray, month: Month, home_town: str, kab: str) -> None:
    """Append one new resident per mother, born this month, to tweb_penduduk."""
    p, rng = reg.penduduk, month.rng
    n = len(mothers)
    when = month.moments(n)
    born = when.astype("datetime64[D]")
    father = _fathers(reg, mothers)
    parents = np.unique(np.r_[mothers, father[father >= 0]])
    col = {c: pd.Series(p[c].iloc[parents].to_numpy(), index=parents)
           for c in ("id_kk", "kk_level", "config_id", "agama_id", "warganegara_id", "nik", "nama", "id_cluster",
                     "alamat_sekarang", "id_asuransi", "suku")}
    of_father = {c: col[c].reindex(father).to_numpy() for c in ("nik", "nama")}
    col = {c: col[c].loc[mothers].to_numpy() for c in col}
    sex = np.where(rng.random(n) < 0.51, 1, 2)
    agama = col["agama_id"]
    names, _ = make_names(rng, sex, _STYLE_OF_AGAMA[agama], rng.integers(0, 4, n), np.zeros(n, np.int64))
    day, mon, year = date_parts(born)
    kec6 = col["nik"].astype("U6").astype(np.int64)
    nik = _next_serials(reg.nik, kec6 * 10**6 + (day + 40 * (sex == 2)) * 10**4 + mon * 100 + year % 100)
    has_father = father >= 0
    akta = concat(kab, "-LT-", np.char.zfill(day.astype("U2"), 2), np.char.zfill(mon.astype("U2"), 2),
                  year.astype("U4"), "-", digits(rng, n, 4))
    stamp = datetime_strings(when)
    none = np.full(n, None, dtype=object)
    insured = np.isin(col["id_asuransi"], (2, 3, 4))
    babies = {
        "id": np.arange(n) + int(p["id"].max()) + 1,
        "config_id": col["config_id"],
        "nama": names,
        "nik": nik,
        "id_kk": col["id_kk"],
        "kk_level": np.where(np.isin(col["kk_level"], (1, 2, 3)), 4, 6),
        "sex": sex,
        "tempatlahir": np.full(n, home_town, dtype=object),
        "tanggallahir": date_strings(born),
        "agama_id": agama,
        "pendidikan_kk_id": np.ones(n, np.int64),
        "pendidikan_sedang_id": np.ones(n, np.int64),
        "pekerjaan_id": np.ones(n, np.int64),
        "status_kawin": np.ones(n, np.int64),
        "warganegara_id": np.where(col["warganegara_id"] == 1, 1, 3),
        "dokumen_pasport": none,
        "ayah_nik": np.where(has_father, of_father["nik"], None).astype(object),
        "ibu_nik": col["nik"],
        "nama_ayah": np.where(has_father, of_father["nama"], None).astype(object),
        "nama_ibu": col["nama"],
        "golongan_darah_id": np.full(n, 13),
        "id_cluster": col["id_cluster"],
        "status": np.ones(n, np.int64),
        "alamat_sekarang": col["alamat_sekarang"],
        "status_dasar": np.ones(n, np.int64),
        "hamil": pd.array(np.where(sex == 2, 2, 0), dtype="Int64"),
        "cacat_id": np.full(n, 7),
        "sakit_menahun_id": np.full(n, 14),
        "akta_lahir": np.where(rng.random(n) < 0.85, akta, None).astype(object),
        "cara_kb_id": pd.array([None] * n, dtype="Int64"),
        "telepon": none, "email": none,
        "ktp_el": np.where(rng.random(n) < 0.2, 3, 1),
        "status_rekam": np.ones(n, np.int64),
        "id_asuransi": col["id_asuransi"],
        "no_asuransi": np.where(insured, concat("000", digits(rng, n, 10)), None).astype(object),
        "bpjs_ketenagakerjaan": none,
        "suku": col["suku"],
        "created_at": stamp,
        "updated_at": stamp,
    }
    babies["hamil"][sex == 1] = pd.NA
    rows = reg.add_penduduk(pd.DataFrame(babies)[list(p.columns)], born)
    _log(reg, rows, LAHIR, when, month)


def arrivals(reg: Register, month: Month, district: District, region: Region) -> None:
    """New families move in (pindah datang), drawn like the district's own, with new ids."""
    p, k, rng = reg.penduduk, reg.keluarga, month.rng
    n_desa = len(district.desa)
    alive = p["status_dasar"].to_numpy() == 1
    people = _quota(rng, p["config_id"].to_numpy()[alive] - 1, n_desa,
                    RATES["arrival"] / 12 * month.season("move"))
    desa = np.flatnonzero(people > 0)
    if not len(desa):
        return
    households = build_households(rng, people[desa])
    households = _relabel(households, desa)
    numbering = Numbering(families=int(k["id"].max()), people=int(p["id"].max()),
                          nik=_serials_used(reg.nik), kk=_serials_used(reg.no_kk))
    keluarga, penduduk = build_tables(rng, district, region, households, numbering, ref_date=month.end)
    when = month.moments(len(keluarga))[households.fam]
    penduduk["status_dasar"] = 1
    stamp = datetime_strings(when)
    penduduk["created_at"] = stamp
    penduduk["updated_at"] = stamp
    reg.add_keluarga(keluarga)
    rows = reg.add_penduduk(penduduk, penduduk["tanggallahir"].to_numpy().astype("datetime64[D]"))
    _log(reg, rows, PINDAH_MASUK, when, month)


def _relabel(households, desa: np.ndarray):
    """Households drawn for a subset of desa, with their desa index in the whole district."""
    return dataclasses.replace(households, fam_desa=desa[households.fam_desa])


def _serials_used(used: np.ndarray) -> dict[int, int]:
    """_top_serials as the dict build_tables' Numbering continues from."""
    top = _top_serials(used)
    return dict(zip(top.index.tolist(), top.tolist()))


def ktp(reg: Register, month: Month) -> None:
    """Seventeen-year-olds become wajib KTP and record; recorded cards are issued."""
    p, rng = reg.penduduk, month.rng
    n = len(p)
    alive = p["status_dasar"].to_numpy() == 1
    day, mon, year = date_parts(reg.birth)
    seventeen = ((year + 17 - 1970) * 12 + mon - 1).astype("datetime64[M]").astype("datetime64[D]") + (day - 1)
    turning = alive & (seventeen >= month.start) & (seventeen < month.end)
    el, rekam = p["ktp_el"].to_numpy().copy(), p["status_rekam"].to_numpy().copy()
    new = turning & (rekam == 1)
    el[new], rekam[new] = 1, 2
    record = alive & (el == 1) & (rekam == 2) & (rng.random(n) < np.where(new, RATES["ktp_at_17"],
                                                                            RATES["ktp_backlog"]))
    el[record], rekam[record] = 2, 3
    issued = alive & ~record & (el == 2) & np.isin(rekam, (3, 4, 5, 6, 7)) & (rng.random(n) < RATES["ktp_card_issued"])
    rekam[issued] = 8
    changed = np.flatnonzero(new | record | issued)
    p["ktp_el"], p["status_rekam"] = el, rekam
    _touch(reg, changed, month.moments(len(changed)))


def school_year(reg: Register, month: Month) -> None:
    """In July children move up a school level and school leavers leave (pendidikan, pekerjaan)."""
    if month.calendar_month != 7:
        return
    p, rng = reg.penduduk, month.rng
    n = len(p)
    alive = p["status_dasar"].to_numpy() == 1
    age = np.floor(_age(reg, month.start))
    sedang, kk, work = (p[c].to_numpy().copy() for c in ("pendidikan_sedang_id", "pendidikan_kk_id", "pekerjaan_id"))
    u = rng.random(n)
    tk = alive & (sedang == 1) & (age >= 4) & (age <= 6) & (u < 0.9)
    sd = alive & np.isin(sedang, (1, 2)) & (age >= 7) & (age <= 8)
    smp = alive & (sedang == 4) & (age == 13) & (u < 0.95)
    sma = alive & (sedang == 6) & (age == 16) & (u < 0.88)
    lulus = alive & (sedang == 7) & (age == 19)
    kuliah = lulus & (u < 0.3)
    sedang[tk], sedang[sd], sedang[smp], sedang[sma] = 2, 4, 6, 7
    sedang[lulus] = np.where(kuliah[lulus], 11, 18)
    kk[sd & (kk == 1)] = 2
    kk[smp] = np.maximum(kk[smp], 3)
    kk[sma] = np.maximum(kk[sma], 4)
    kk[lulus] = np.maximum(kk[lulus], 5)
    work[sd] = 3
    work[lulus & ~kuliah & (work == 3)] = 1
    changed = np.flatnonzero(tk | sd | smp | sma | lulus)
    p["pendidikan_sedang_id"], p["pendidikan_kk_id"], p["pekerjaan_id"] = sedang, kk, work
    _touch(reg, changed, month.moments(len(changed)))


def advance_month(reg: Register, month: Month, district: District, region: Region) -> Register:
    """The register one month later: every event of ``month`` applied, in a fixed order."""
    home_town = re.sub(r"^(Kabupaten|Kota)\s+", "", district.nama).upper()
    busy = np.zeros(len(reg.penduduk), dtype=bool)  # one event per resident per month
    deaths(reg, month, busy)
    moves_out(reg, month, busy)
    marriages(reg, month, busy, len(district.desa))
    births(reg, month, busy, home_town, undotted(district.kode))
    arrivals(reg, month, district, region)
    ktp(reg, month)
    school_year(reg, month)
    return reg
