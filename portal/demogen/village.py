"""The demo district's village data beyond the register: event logs, households, social aid.

Written beside the four register tables for every format (issue 16), from their own seeded
stream so the register's bytes never change:

- **log_penduduk**: the row each resident got when entered in OpenSID (1 lahir for those born
  since the desa started using it in 2016-2019, else 5 pindah masuk, as an import writes),
  recent arrivals (about 0.8 % of the living a year, kode 5 in the last year) and the exit row
  of every resident no longer living (kode = status_dasar 2/3/4/6) in the last 30 months, with
  ``ref_pindah`` for moves out. Report dates (``tgl_lapor``) trail the event by 0-6 days.
  A monthly series keeps the events of ``history`` and adds these rows for its first month.
- **log_keluarga**: each family's entry (1 baru, or 5 datang when its head arrived that month)
  and the exit of each family whose head died, moved or went missing, linked to that log row.
- **tweb_rtm**: rumah tangga registered for targeting (DTKS): about 30 % of families, mostly
  the poorer welfare classes; the household is the family; number = kode desa + 5 digits.
- **program / program_peserta**: national programmes (kabupaten-level rows, config_id NULL):
  PKH about 9 % of families, BPNT/Sembako 13 %, PBI JKN 28 % of residents, PIP 15 % of school
  children (KIP holders, a programme running since 2014, so active in every month of the
  demo's year: a twelve-month demo starting before a programme's period hides its first
  version's zeros, and a hidden row stays hidden), all weighted to welfare classes 1-2
  (Kemensos puts Bali's PKH coverage near 7-10 % of families); BLT Dana Desa per desa for
  3-6 % of families; tiny ones (Bedah Rumah for 1-3 households, a provincial old-age allowance for
  2-5 elderly) in some desa; and an expired BST 2021 whose recipients must not count. Card
  columns carry the invented person's data.
  In a monthly series the lists persist as real ones do over a programme period: who is
  chosen, which desa run a small programme and how large BLT Dana Desa is there follow from
  a key of the family, person or desa that does not change from month to month
  (``_stable_pick``), so a month's list is last month's without those who died, moved or
  left the target group, with the few the growing candidate pool brings in.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portal.sources.wilayah import undotted

from .util import datetime_strings

LOG_START = np.datetime64("2016-01-01")
EXIT_MONTHS = 30


def _numbers(rng: np.random.Generator, n: int, prefix: str, width: int) -> np.ndarray:
    """``n`` invented card numbers: ``prefix`` and ``width`` digits."""
    drawn = pd.Series(rng.integers(0, 10**9, n), dtype=np.int64).astype(str).str.zfill(width)
    return (prefix + drawn).to_numpy(dtype=object)


def _heads(keluarga: pd.DataFrame) -> np.ndarray:
    """tweb_keluarga.nik_kepala (a tweb_penduduk.id kept as text) as integers."""
    return keluarga["nik_kepala"].astype(np.int64).to_numpy()


def _stamp(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Timestamps on ``days`` during office hours."""
    return days.astype("datetime64[s]") + rng.integers(8 * 3600, 16 * 3600, len(days))


def baseline_log(rng: np.random.Generator, penduduk: pd.DataFrame, ref_date: np.datetime64,
                 first_id: int = 1) -> pd.DataFrame:
    """Entry rows for every resident and exit rows for those no longer living (see module doc)."""
    n = len(penduduk)
    birth = penduduk["tanggallahir"].to_numpy().astype("datetime64[D]")
    status = penduduk["status_dasar"].to_numpy().astype(np.int64)
    start = LOG_START + rng.integers(0, 4 * 365, n)   # when the desa entered its register
    born_here = birth >= start
    recent = (status == 1) & ~born_here & (rng.random(n) < 0.008)
    entry = np.where(born_here, birth, start)
    entry = np.where(recent, ref_date - rng.integers(1, 366, n), entry)
    kode = np.where(born_here & ~recent, 1, 5)
    leaving = np.isin(status, (2, 3, 4, 6))
    span = np.maximum((ref_date - np.maximum(entry, ref_date - EXIT_MONTHS * 30)).astype(np.int64), 1)
    exit_day = ref_date - 1 - (rng.random(n) * span).astype(np.int64)
    exit_day = np.maximum(exit_day, entry)
    rows = np.r_[np.arange(n), np.flatnonzero(leaving)]
    kodes = np.r_[kode, status[leaving]]
    when = np.r_[entry, exit_day[leaving]]
    lapor = np.minimum(when + rng.integers(0, 7, len(when)), ref_date - 1)
    order = np.lexsort((rows, lapor))
    rows, kodes, when, lapor = rows[order], kodes[order], when[order], lapor[order]
    moved = kodes == 3
    catatan = np.where(rng.random(len(rows)) < 0.05, "Data dimutakhirkan oleh operator desa", "")
    return pd.DataFrame({
        "id": np.arange(first_id, first_id + len(rows)),
        "config_id": penduduk["config_id"].to_numpy()[rows],
        "id_pend": penduduk["id"].to_numpy()[rows],
        "kode_peristiwa": kodes,
        "ref_pindah": np.where(moved, rng.choice([1, 2, 3, 4], len(rows), p=[.35, .25, .25, .15]), 1),
        "tgl_peristiwa": datetime_strings(_stamp(rng, when)),
        "tgl_lapor": datetime_strings(_stamp(rng, lapor)),
        "catatan": catatan,
        "created_at": datetime_strings(_stamp(rng, lapor)),
    })


def family_log(keluarga: pd.DataFrame, penduduk: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """log_keluarga from the families and their heads' log rows (see module doc)."""
    heads = _heads(keluarga)
    entries = log[log["kode_peristiwa"].isin([1, 5])].drop_duplicates("id_pend", keep="last")
    arrived = entries.set_index("id_pend")
    daftar = keluarga["tgl_daftar"].astype(str).str.slice(0, 7).to_numpy()
    head_kode = arrived["kode_peristiwa"].reindex(heads).fillna(0).to_numpy()
    head_month = arrived["tgl_lapor"].astype(str).str.slice(0, 7).reindex(heads).fillna("").to_numpy()
    peristiwa = np.where((head_kode == 5) & (head_month == daftar), 5, 1)
    first = pd.DataFrame({"id_kk": keluarga["id"].to_numpy(), "config_id": keluarga["config_id"].to_numpy(),
                          "id_peristiwa": peristiwa, "tgl_peristiwa": keluarga["tgl_daftar"].astype(str) + " 09:00:00",
                          "id_pend": heads, "id_log_penduduk": pd.array([None] * len(keluarga), dtype="Int64")})
    exits = log[log["kode_peristiwa"].isin([2, 3, 4]) & log["id_pend"].isin(heads)]
    family_of = pd.Series(keluarga["id"].to_numpy(), index=heads)
    family_of = family_of[~family_of.index.duplicated()]
    gone = pd.DataFrame({"id_kk": family_of.reindex(exits["id_pend"]).to_numpy(),
                         "config_id": exits["config_id"].to_numpy(), "id_peristiwa": exits["kode_peristiwa"].to_numpy(),
                         "tgl_peristiwa": exits["tgl_peristiwa"].to_numpy(), "id_pend": exits["id_pend"].to_numpy(),
                         "id_log_penduduk": pd.array(exits["id"].to_numpy(), dtype="Int64")})
    out = pd.concat([first, gone], ignore_index=True).sort_values("tgl_peristiwa", kind="stable")
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)


def households(rng: np.random.Generator, config: pd.DataFrame, keluarga: pd.DataFrame,
               penduduk: pd.DataFrame, salt: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """tweb_rtm, and tweb_penduduk's id_rtm and rtm_level columns (see module doc); which
    families are registered, and with what, is keyed by the family (stable_uniform), so a
    household stays registered from month to month."""
    alive_heads = penduduk.set_index("id")["status_dasar"].reindex(_heads(keluarga)).to_numpy() == 1
    share = keluarga["kelas_sosial"].map({1: 0.85, 2: 0.55, 3: 0.15, 4: 0.04, 5: 0.01}).fillna(0).to_numpy()
    chosen = np.flatnonzero(alive_heads & (stable_uniform(keluarga["id"].to_numpy(), salt + 30) < share))
    fam = keluarga.iloc[chosen]
    kode = config.set_index("id")["kode_desa"].map(lambda c: undotted(str(c)) if "." in str(c) else str(c))
    if not len(fam):
        return _empty_rtm(), np.full(len(penduduk), "0", dtype=object), np.zeros(len(penduduk), np.int64)
    serial = fam.groupby("config_id").cumcount().to_numpy() + 1
    number = kode.reindex(fam["config_id"]).to_numpy().astype(str) + np.char.zfill(serial.astype(str), 5)
    rtm = pd.DataFrame({
        "id": np.arange(1, len(fam) + 1), "config_id": fam["config_id"].to_numpy(),
        "nik_kepala": _heads(fam), "no_kk": number,
        "tgl_daftar": fam["tgl_daftar"].astype(str).to_numpy() + " 10:00:00",
        "kelas_sosial": pd.array([None] * len(fam), dtype="Int64"),
        "bdt": np.where(stable_uniform(fam["id"].to_numpy(), salt + 31) < 0.6,
                        _numbers(rng, len(fam), "BDT", 12), None),
        "terdaftar_dtks": (stable_uniform(fam["id"].to_numpy(), salt + 32) < 0.8).astype(np.int64),
    })
    household = pd.Series(number, index=fam["id"].to_numpy())
    id_rtm = household.reindex(penduduk["id_kk"].to_numpy()).fillna("0").to_numpy().astype(object)
    level = np.where(id_rtm == "0", 0, np.where(penduduk["kk_level"].to_numpy() == 1, 1, 2))
    return rtm, id_rtm, level


def _empty_rtm() -> pd.DataFrame:
    """tweb_rtm without rows (a district too small to register any household)."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in (
        "id", "config_id", "nik_kepala", "no_kk", "tgl_daftar", "kelas_sosial", "bdt", "terdaftar_dtks")})


# (nama, sasaran, asaldana, share of the eligible, weight of the poorest classes, sdate, edate)
NATIONAL = (
    ("PKH (Program Keluarga Harapan)", 2, "Pusat", 0.09, "2020-01-01", "2026-12-31"),
    ("BPNT / Program Sembako", 2, "Pusat", 0.13, "2020-01-01", "2026-12-31"),
    ("PBI JKN (Kartu Indonesia Sehat)", 1, "Pusat", 0.28, "2019-01-01", "2027-12-31"),
    ("PIP (Program Indonesia Pintar)", 1, "Pusat", 0.15, "2020-01-01", "2026-12-31"),
    ("BST 2021", 2, "Pusat", 0.10, "2021-01-01", "2021-12-31"),
)


def stable_uniform(ids: np.ndarray, salt: int) -> np.ndarray:
    """A number in [0, 1) for each id, the same in every month and export (splitmix64 of the
    id and ``salt``): the draw of a list that persists from month to month."""
    with np.errstate(over="ignore"):
        x = np.asarray(ids).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(salt % 2**63)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53)


def _stable_pick(ids: np.ndarray, weights: np.ndarray, share: float, salt: int) -> np.ndarray:
    """Positions of about ``share`` of the candidates (weight > 0), drawn by weight without
    replacement (Efraimidis-Spirakis: the largest u ** (1 / w)) from each id's stable number:
    with the same candidates the same positions, and a candidate who stays keeps its place."""
    weights = np.asarray(weights, dtype=float)
    candidates = weights > 0
    n = min(int(round(share * candidates.sum())), int(candidates.sum()))
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    u = np.clip(stable_uniform(ids, salt), 1e-300, None)
    key = np.full(len(weights), -np.inf)
    key[candidates] = np.log(u[candidates]) / weights[candidates]
    return np.sort(np.argpartition(-key, n - 1)[:n])


def _first(ids: np.ndarray, n: int, salt: int) -> np.ndarray:
    """Positions of the ``n`` ids first in a stable order (stable_uniform): a small list that
    keeps its members while they remain candidates."""
    return np.sort(np.argsort(stable_uniform(ids, salt), kind="stable")[:n])


_CARD_COLUMNS = ("config_id", "nik", "nama", "tempatlahir", "tanggallahir", "alamat_sekarang")


def programmes(rng: np.random.Generator, config: pd.DataFrame, keluarga: pd.DataFrame,
               penduduk: pd.DataFrame, rtm: pd.DataFrame, ref_date: np.datetime64, salt: int = 0
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """program and program_peserta (see module doc); ``salt`` (from the seed) keys the lists."""
    alive = penduduk.loc[penduduk["status_dasar"] == 1, ["id", "id_kk", "config_id", "nik", "tanggallahir"]]
    people = penduduk.set_index("id")[["status_dasar"]]
    # The card columns as arrays, looked up by position: a frame lookup per programme took
    # every column of every resident through Arrow (most of a month's generation time).
    ids = pd.Index(penduduk["id"].to_numpy())
    cards = {c: penduduk[c].to_numpy() for c in _CARD_COLUMNS}
    poor = keluarga["kelas_sosial"].map({1: 6.0, 2: 3.0, 3: 1.0, 4: 0.2, 5: 0.05}).fillna(0.5).to_numpy()
    fam_alive = people["status_dasar"].reindex(_heads(keluarga)).to_numpy() == 1
    fam_weight = poor * fam_alive
    person_poor = pd.Series(poor, index=keluarga["id"].to_numpy()).reindex(alive["id_kk"]).fillna(0.5).to_numpy()
    age = (ref_date - alive["tanggallahir"].to_numpy().astype("datetime64[D]")).astype(np.int64) / 365.25
    progs, members = [], []

    def add(nama, sasaran, funds, config_id, start, end, holders, peserta):
        pid = len(progs) + 1
        progs.append({"id": pid, "config_id": config_id, "nama": nama, "sasaran": sasaran,
                      "ndesc": f"Program {nama}", "sdate": start, "edate": end,
                      "status": 1 if end >= str(ref_date) else 0, "asaldana": funds, "userid": 1})
        at = ids.get_indexer(holders)
        if (at < 0).any():
            raise KeyError("a programme holder is not a resident")
        card = {c: values[at] for c, values in cards.items()}
        members.append(pd.DataFrame({
            "program_id": pid, "config_id": card["config_id"], "peserta": peserta,
            "no_id_kartu": _numbers(rng, len(holders), "K", 10),
            "kartu_nik": card["nik"], "kartu_nama": card["nama"],
            "kartu_tempat_lahir": card["tempatlahir"],
            "kartu_tanggal_lahir": card["tanggallahir"],
            "kartu_alamat": card["alamat_sekarang"], "kartu_id_pend": holders}))

    family_ids, person_ids = keluarga["id"].to_numpy(), alive["id"].to_numpy()
    for i, (nama, sasaran, funds, share, start, end) in enumerate(NATIONAL):
        if sasaran == 2:
            chosen = keluarga.iloc[_stable_pick(family_ids, fam_weight, share, salt + i)]
            add(nama, sasaran, funds, None, start, end, _heads(chosen), chosen["no_kk"].to_numpy())
        else:
            weight = person_poor * ((age >= 6) & (age < 19) if nama.startswith("PIP") else 1)
            chosen = alive.iloc[_stable_pick(person_ids, weight.astype(float), share, salt + i)]
            add(nama, sasaran, funds, None, start, end, chosen["id"].to_numpy(), chosen["nik"].to_numpy())
    year = str(ref_date)[:4]
    desa_ids = config["id"].to_numpy()
    # Per desa, stable: the share of BLT Dana Desa, whether it runs Bedah Rumah and the old-age
    # allowance, and for how many (the lists themselves by _stable_pick).
    blt_share = 0.03 + 0.03 * stable_uniform(desa_ids, salt + 20)
    bedah = stable_uniform(desa_ids, salt + 21)
    lansia = stable_uniform(desa_ids, salt + 22)
    for j, config_id in enumerate(desa_ids):
        here = (keluarga["config_id"].to_numpy() == config_id)
        chosen = keluarga.iloc[_stable_pick(family_ids, fam_weight * here, blt_share[j], salt + 23)]
        add(f"BLT Dana Desa {year}", 2, "Dana Desa", config_id, f"{year}-01-01", f"{year}-12-31",
            _heads(chosen), chosen["no_kk"].to_numpy())
        mine = rtm[rtm["config_id"] == config_id]
        if len(mine) and bedah[j] < 0.25:  # 1-3 households
            few = mine.iloc[_first(mine["nik_kepala"].to_numpy(), 1 + int(bedah[j] * 12), salt + 24)]
            add("Bedah Rumah", 3, "Kab/Kota", config_id, f"{year}-03-01", f"{year}-12-31",
                few["nik_kepala"].to_numpy(), few["no_kk"].to_numpy())
        elders = alive[(alive["config_id"].to_numpy() == config_id) & (age >= 70)]
        if len(elders) and lansia[j] < 0.2:  # 2-5 elderly
            few = elders.iloc[_first(elders["id"].to_numpy(), 2 + int(lansia[j] * 20), salt + 25)]
            add("Bantuan Sosial Lansia Provinsi", 1, "Provinsi", config_id, f"{year}-01-01",
                f"{year}-12-31", few["id"].to_numpy(), few["nik"].to_numpy())
    program = pd.DataFrame(progs)
    program["config_id"] = pd.array(program["config_id"], dtype="Int64")
    peserta = pd.concat(members, ignore_index=True)
    peserta.insert(0, "id", np.arange(1, len(peserta) + 1))
    return program, peserta


@dataclass
class VillageNumbering:
    """Where a batch of desa continues the district's ids in the village tables (the batch
    writer): rows written so far per table; the national programmes are written once."""

    log: int = 0
    family_log: int = 0
    rtm: int = 0
    programmes: int = 0
    peserta: int = 0


def _renumber(tables: dict[str, pd.DataFrame], numbering: VillageNumbering) -> None:
    """Shift one batch's ids past the batches before it (in place) and advance ``numbering``.

    The national programmes (ids 1..len(NATIONAL), kabupaten-level) keep their ids in every
    batch and their rows are written with the first batch only; each desa's own programmes
    continue after the ones written before.
    """
    log, fam, rtm = tables["log_penduduk"], tables["log_keluarga"], tables["tweb_rtm"]
    log["id"] = log["id"] + numbering.log
    fam["id"] = fam["id"] + numbering.family_log
    fam["id_log_penduduk"] = fam["id_log_penduduk"] + numbering.log
    rtm["id"] = pd.to_numeric(rtm["id"]) + numbering.rtm if len(rtm) else rtm["id"]
    national = len(NATIONAL)
    shift = max(numbering.programmes, national) - national
    program, peserta = tables["program"], tables["program_peserta"]
    new_id = np.where(program["id"] <= national, program["id"], program["id"] + shift)
    mapping = pd.Series(new_id, index=program["id"].to_numpy())
    program["id"] = new_id
    peserta["program_id"] = mapping.reindex(peserta["program_id"]).to_numpy()
    peserta["id"] = peserta["id"] + numbering.peserta
    if numbering.programmes:
        tables["program"] = program[program["id"] > national].reset_index(drop=True)
    numbering.log += len(log)
    numbering.family_log += len(fam)
    numbering.rtm += len(rtm)
    numbering.programmes = max(numbering.programmes, national) + int((program["id"] > national).sum())
    numbering.peserta += len(peserta)


def village_tables(seed: int, config: pd.DataFrame, keluarga: pd.DataFrame, penduduk: pd.DataFrame,
                   ref_date: np.datetime64, log: pd.DataFrame | None = None,
                   numbering: VillageNumbering | None = None, stream: tuple[int, ...] = ()
                   ) -> tuple[dict[str, pd.DataFrame], np.ndarray, np.ndarray]:
    """Every table of the module doc for one export, and tweb_penduduk's id_rtm and rtm_level.

    ``log``: a series' own log_penduduk (baseline and events); else the baseline is drawn here.
    ``numbering`` and ``stream``: one batch of a district written in several (``config`` holds
    the batch's desa): ids go on from the batches before, drawn from the batch's own stream.
    """
    rng = np.random.default_rng([seed, 16, *stream])
    log = baseline_log(rng, penduduk, ref_date) if log is None else log
    rtm, id_rtm, level = households(rng, config, keluarga, penduduk, salt=seed * 1000)
    program, peserta = programmes(rng, config, keluarga, penduduk, rtm, ref_date, salt=seed * 1000)
    tables = {"log_penduduk": log, "log_keluarga": family_log(keluarga, penduduk, log),
              "tweb_rtm": rtm, "program": program, "program_peserta": peserta}
    if numbering is not None:
        _renumber(tables, numbering)
    return tables, id_rtm, level


VILLAGE_TABLES = ("log_penduduk", "log_keluarga", "tweb_rtm", "program", "program_peserta")
