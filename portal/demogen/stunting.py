"""The demo district's stunting convergence tables (OpenSID v23.02+): posyandu and their records.

Written beside the register for every format (issue 16). Every draw is a hash of (seed, the
person's id, the month, what is drawn), so a monthly series keeps each past record as it was
(OpenSID keeps them) and the register's own streams are untouched.

- **posyandu**: 3-6 per desa, named after flowers as many are.
- **kia**: one card per child under 26 months whose mother is in the register (ibu_id from
  ``ibu_nik``), and one per pregnant woman (``hamil`` 1) with no child yet (anak_id NULL).
- **bulanan_anak**: a child's monthly weighing from the month after birth to 23 months, attended
  50-90 % of months. About 7.5 % of children are stunted (SSGI 2022 put Bali at 8.0 %,
  SKI 2023 at 7.2 %; Tabanan near 8 %), varying by desa; the stunting shows from 6 months as
  status_gizi 4 and TIKAR red or yellow (about 6 % of the children 0-23 months in a
  quarter). A few underweight children (gizi kurang 3 %, buruk 0.4 %). Services at Bali-like
  rates: weighing 95 %, height 80 %, counselling 70 %, clean water 93 %, latrine 95 %,
  insurance 85 %, birth certificate 90 %, basic immunisation 90 %.
- **ibu_hamil**: a pregnant woman's monthly check from the 3rd month of pregnancy; mothers of
  the children born in the last 14 months have their pregnancy's last months and three
  postnatal checks (tanggal_melahirkan filled in). Status: 85 % normal, 8 % high risk, 7 % KEK.
- **sasaran_paud**: about 40 % of children aged 2-6 with their monthly PAUD attendance this year.
Examination dates are ``created_at`` (as OpenSID's forms write them), always before the
reference date.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .util import datetime_strings

FLOWERS = ("Melati", "Mawar", "Cempaka", "Kenanga", "Anggrek", "Teratai", "Kamboja", "Sandat")
STUNTED = 0.075
MONTHS_BACK = 26
STUNTING_TABLES = ("posyandu", "kia", "ibu_hamil", "bulanan_anak", "sasaran_paud")
PAUD_MONTHS = ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
               "september", "oktober", "november", "desember")
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 of each value (uint64), the bits of a reproducible draw."""
    with np.errstate(over="ignore"):
        x = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK
        x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK
        x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK
        return x ^ (x >> np.uint64(31))


def draw(seed: int, salt: int, *keys: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) numbers, one per key tuple: the same keys always give the same number."""
    h = _mix(np.full(np.broadcast(*keys).shape if keys else (), seed * 1000 + salt, dtype=np.uint64))
    for key in keys:
        with np.errstate(over="ignore"):
            h = _mix(h ^ np.asarray(key).astype(np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _month_start(months: np.ndarray) -> np.ndarray:
    return months.astype("datetime64[M]").astype("datetime64[D]")


def _stamp(seed: int, salt: int, person: np.ndarray, month: np.ndarray, start: np.ndarray,
           ref_date: np.datetime64) -> np.ndarray:
    """An examination time in the month (a weekday-ish day, 08:00-12:00), before the reference date."""
    day = start + (draw(seed, salt, person, month) * 26).astype(np.int64)
    day = np.minimum(day, ref_date - 1)
    seconds = (8 * 3600 + draw(seed, salt + 1, person, month) * 4 * 3600).astype(np.int64)
    return day.astype("datetime64[s]") + seconds


def posyandu_table(seed: int, config: pd.DataFrame) -> pd.DataFrame:
    """3-6 posyandu per desa."""
    ids = config["id"].to_numpy()
    count = 3 + (draw(seed, 1, ids.astype(np.int64)) * 4).astype(np.int64)
    desa = np.repeat(ids, count)
    serial = np.concatenate([np.arange(n) for n in count]) if len(count) else np.zeros(0, np.int64)
    names = [f"Posyandu {FLOWERS[i % len(FLOWERS)]}" + (f" {i // len(FLOWERS) + 1}" if i >= len(FLOWERS) else "")
             for i in serial]
    return pd.DataFrame({"id": np.arange(1, len(desa) + 1), "config_id": desa, "nama": names,
                         "alamat": [f"Banjar Dinas {i + 1}" for i in serial],
                         "created_at": "2023-02-01 09:00:00", "updated_at": "2023-02-01 09:00:00"})


def _posyandu_of(seed: int, people: np.ndarray, desa: np.ndarray, posyandu: pd.DataFrame) -> np.ndarray:
    """A posyandu of the person's desa, the same every month."""
    first = posyandu.groupby("config_id")["id"].min()
    count = posyandu.groupby("config_id")["id"].count()
    base = first.reindex(desa).to_numpy()
    n = count.reindex(desa).to_numpy()
    return (base + (draw(seed, 2, people) * n).astype(np.int64)).astype(np.int64)


def _children(seed: int, penduduk: pd.DataFrame, ref_date: np.datetime64) -> pd.DataFrame:
    """Children born in the last MONTHS_BACK months whose mother is in the register."""
    born = penduduk["tanggallahir"].to_numpy().astype("datetime64[D]")
    young = (born < ref_date) & (born >= ref_date - MONTHS_BACK * 31)
    kids = penduduk[young]
    mother = pd.Series(penduduk["id"].to_numpy(), index=penduduk["nik"].astype(str).to_numpy())
    mother = mother[~mother.index.duplicated()]
    ibu = mother.reindex(kids["ibu_nik"].astype(str).to_numpy()).to_numpy()
    kids = kids[~pd.isna(ibu)]
    return pd.DataFrame({"anak_id": kids["id"].to_numpy(np.int64), "ibu_id": ibu[~pd.isna(ibu)].astype(np.int64),
                         "config_id": kids["config_id"].to_numpy(),
                         "born": kids["tanggallahir"].to_numpy().astype("datetime64[D]")})


def _child_rows(seed: int, kids: pd.DataFrame, ref_date: np.datetime64) -> pd.DataFrame:
    """Monthly weighing rows of each child (see the module doc)."""
    ref_month = ref_date.astype("datetime64[M]")
    first = kids["born"].to_numpy().astype("datetime64[M]") + 1
    span = np.clip((ref_month - first).astype(np.int64), 0, 23)  # months before the reference month
    who = np.repeat(np.arange(len(kids)), span)
    age = np.concatenate([np.arange(1, n + 1) for n in span]) if len(span) else np.zeros(0, np.int64)
    month = first[who] + (age - 1)
    child = kids["anak_id"].to_numpy()[who]
    mkey = month.astype(np.int64)
    attends = draw(seed, 10, child, mkey) < 0.5 + 0.4 * draw(seed, 11, child)
    who, age, month, child, mkey = who[attends], age[attends], month[attends], child[attends], mkey[attends]
    desa = kids["config_id"].to_numpy()[who]
    desa_rate = STUNTED * np.exp(0.35 * (draw(seed, 12, desa.astype(np.int64)) - 0.5) * 2)
    stunted = draw(seed, 13, child) < desa_rate
    showing = stunted & (age >= 6)
    u = draw(seed, 14, child, mkey)
    gizi = np.where(showing, 4, np.where(u < 0.004, 3, np.where(u < 0.034, 2, 1)))
    tall = draw(seed, 15, child, mkey) < 0.8
    v = draw(seed, 16, child, mkey)
    tikar = np.where(~tall, 1, np.where(showing, np.where(v < 0.3, 2, 3), np.where(v < 0.04, 3, 4)))

    def yes(salt: int, p) -> np.ndarray:
        return (draw(seed, salt, child, mkey) < p).astype(np.int64)

    def fixed(salt: int, p: float) -> np.ndarray:
        return (draw(seed, salt, child) < p).astype(np.int64)

    measles = np.where(age < 6, 0, np.where((age >= 9) & (draw(seed, 17, child) < 0.85), 2, 1))
    weight = 3.3 + 0.7 * np.minimum(age, 6) + 0.25 * np.maximum(age - 6, 0) - 0.6 * showing
    height = 50 + 2.7 * np.minimum(age, 6) + 1.1 * np.maximum(age - 6, 0) - 4 * showing
    return pd.DataFrame({
        "config_id": desa, "kia_id": who, "status_gizi": gizi, "umur_bulan": age, "status_tikar": tikar,
        "pemberian_imunisasi_dasar": np.where(age >= 2, fixed(18, 0.9), 0),
        "pemberian_imunisasi_campak": measles,
        "pengukuran_berat_badan": yes(19, 0.95), "pengukuran_tinggi_badan": tall.astype(np.int64),
        "konseling_gizi_ayah": yes(20, 0.2), "konseling_gizi_ibu": yes(21, 0.7),
        "kunjungan_rumah": yes(22, np.where(showing, 0.6, 0.15)), "air_bersih": fixed(23, 0.93),
        "kepemilikan_jamban": fixed(24, 0.95), "akta_lahir": fixed(25, 0.9),
        "jaminan_kesehatan": fixed(26, 0.85), "pengasuhan_paud": yes(27, 0.4),
        "berat_badan": np.round(weight + draw(seed, 28, child, mkey) - 0.5, 1),
        "tinggi_badan": np.round(height + 2 * draw(seed, 29, child, mkey) - 1, 1),
        "_person": child, "_month": month, "_start": _month_start(month)})


def _mother_rows(seed: int, kids: pd.DataFrame, pregnant: pd.DataFrame, first_kia: int,
                 ref_date: np.datetime64) -> pd.DataFrame:
    """Pregnancy checks of pregnant women and of the recent mothers, and three postnatal checks."""
    ref_month = ref_date.astype("datetime64[M]")
    recent = kids[kids["born"].to_numpy() >= ref_date - 14 * 31]
    # (kia position, mother id, desa, month of the last pregnancy check, months pregnant then, born)
    due = recent["born"].to_numpy().astype("datetime64[M]")
    pregnant_now = ref_month - 1
    now_months = 3 + (draw(seed, 30, pregnant["id"].to_numpy(np.int64)) * 6).astype(np.int64)
    kia = np.r_[recent.index.to_numpy(), first_kia + np.arange(len(pregnant))]
    mother = np.r_[recent["ibu_id"].to_numpy(np.int64), pregnant["id"].to_numpy(np.int64)]
    desa = np.r_[recent["config_id"].to_numpy(), pregnant["config_id"].to_numpy()]
    last = np.r_[due - 1, np.full(len(pregnant), pregnant_now)]
    usia_last = np.r_[np.full(len(recent), 9), now_months]
    checks = np.maximum(usia_last - 2, 1)
    who = np.repeat(np.arange(len(kia)), checks)
    back = np.concatenate([np.arange(n)[::-1] for n in checks]) if len(checks) else np.zeros(0, np.int64)
    month = last[who] - back
    usia = usia_last[who] - back
    keep = month < ref_month
    who, month, usia = who[keep], month[keep], usia[keep]
    person, mkey = mother[who], month.astype(np.int64)
    u = draw(seed, 31, mother)
    status = np.where(u < 0.07, 3, np.where(u < 0.15, 2, 1))
    risky = status[who] > 1

    def yes(salt: int, p) -> np.ndarray:
        return (draw(seed, salt, person, mkey) < p).astype(np.int64)

    pill = yes(32, 0.85)
    rows = pd.DataFrame({
        "config_id": desa[who], "kia_id": kia[who], "status_kehamilan": status[who],
        "usia_kehamilan": usia, "tanggal_melahirkan": None, "butir_pil_fe": pill * 30,
        "pemeriksaan_kehamilan": yes(33, 0.9), "konsumsi_pil_fe": pill, "pemeriksaan_nifas": 0,
        "konseling_gizi": yes(34, 0.7), "kunjungan_rumah": yes(35, np.where(risky, 0.5, 0.1)),
        "akses_air_bersih": (draw(seed, 36, person) < 0.93).astype(np.int64),
        "kepemilikan_jamban": (draw(seed, 37, person) < 0.95).astype(np.int64),
        "jaminan_kesehatan": (draw(seed, 38, person) < 0.85).astype(np.int64),
        "_person": person, "_month": month, "_start": _month_start(month)})
    # Postnatal checks: days 3-7, 8-28 and 29-42 after the birth, each attended 85 %.
    born = recent["born"].to_numpy()
    parts = []
    child = recent["anak_id"].to_numpy(np.int64)
    for visit, (low, high) in enumerate(((3, 7), (8, 28), (29, 42))):
        day = born + low + (draw(seed, 40 + visit, child) * (high - low)).astype(np.int64)
        came = (draw(seed, 43 + visit, child) < 0.85) & (day < ref_date)
        pos = np.flatnonzero(came)
        parts.append(pd.DataFrame({
            "config_id": recent["config_id"].to_numpy()[pos], "kia_id": recent.index.to_numpy()[pos],
            "status_kehamilan": status[pos], "usia_kehamilan": 9,
            "tanggal_melahirkan": np.datetime_as_string(born[pos], unit="D").astype(object),
            "butir_pil_fe": 0, "pemeriksaan_kehamilan": 0, "konsumsi_pil_fe": 0, "pemeriksaan_nifas": 1,
            "konseling_gizi": 0, "kunjungan_rumah": 0,
            "akses_air_bersih": (draw(seed, 36, mother[pos]) < 0.93).astype(np.int64),
            "kepemilikan_jamban": (draw(seed, 37, mother[pos]) < 0.95).astype(np.int64),
            "jaminan_kesehatan": (draw(seed, 38, mother[pos]) < 0.85).astype(np.int64),
            "_person": mother[pos], "_month": day[pos].astype("datetime64[M]"),
            "_start": day[pos]}))
    return pd.concat([rows, *parts], ignore_index=True)


def _dated(seed: int, frame: pd.DataFrame, salt: int, key: str, ref_date: np.datetime64,
           exact: bool = False) -> pd.DataFrame:
    """Rows with created_at (examination date), ordered by it and numbered from 1."""
    person, month = frame["_person"].to_numpy(np.int64), frame["_month"].to_numpy().astype("datetime64[M]")
    start = frame["_start"].to_numpy().astype("datetime64[D]")
    stamps = _stamp(seed, salt, person, month.astype(np.int64), start, ref_date)
    if exact:  # a postnatal check on its own day
        nifas = frame["pemeriksaan_nifas"].to_numpy() == 1
        stamps = np.where(nifas, start.astype("datetime64[s]") + 9 * 3600, stamps)
    frame = frame.assign(created_at=datetime_strings(stamps))
    frame["updated_at"] = frame["created_at"]
    frame = frame.sort_values(["created_at", "_person"], kind="stable").drop(columns=["_person", "_month", "_start"])
    frame.insert(0, key, np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def _paud(seed: int, penduduk: pd.DataFrame, posyandu: pd.DataFrame, first_kia: int,
          ref_date: np.datetime64) -> tuple[pd.DataFrame, pd.DataFrame]:
    """KIA cards and PAUD rows of about 40 % of the children aged 2-6 (see the module doc)."""
    born = penduduk["tanggallahir"].to_numpy().astype("datetime64[D]")
    age = (ref_date - born).astype(np.int64) / 365.25
    ids = penduduk["id"].to_numpy(np.int64)
    chosen = penduduk[(age >= 2) & (age < 6) & (penduduk["status_dasar"].to_numpy() == 1)
                      & (draw(seed, 50, ids) < 0.4)]
    mother = pd.Series(penduduk["id"].to_numpy(), index=penduduk["nik"].astype(str).to_numpy())
    mother = mother[~mother.index.duplicated()]
    ibu = mother.reindex(chosen["ibu_nik"].astype(str).to_numpy()).to_numpy()
    chosen = chosen[~pd.isna(ibu)]
    ibu = ibu[~pd.isna(ibu)].astype(np.int64)
    kid = chosen["id"].to_numpy(np.int64)
    kia = pd.DataFrame({"id": first_kia + np.arange(len(chosen)), "config_id": chosen["config_id"].to_numpy(),
                        "ibu_id": ibu, "anak_id": kid})
    year = str(ref_date.astype("datetime64[Y]"))
    months_done = int((ref_date.astype("datetime64[M]") - np.datetime64(f"{year}-01", "M")).astype(np.int64))
    kid_age = ((ref_date - chosen["tanggallahir"].to_numpy().astype("datetime64[D]")).astype(np.int64) / 365.25)
    paud = pd.DataFrame({"config_id": chosen["config_id"].to_numpy(), "kia_id": kia["id"].to_numpy(),
                         "posyandu_id": _posyandu_of(seed, kid, chosen["config_id"].to_numpy(), posyandu),
                         "kategori_usia": np.where(kid_age < 3, 1, 2)})
    for i, name in enumerate(PAUD_MONTHS):
        u = draw(seed, 51, kid, i)
        paud[name] = np.where(i < months_done, np.where(u < 0.7, 2, np.where(u < 0.9, 3, 1)), 1)
    start = np.datetime64(f"{year}-01-05") + (draw(seed, 52, kid) * 20).astype(np.int64)
    start = np.minimum(start, ref_date - 1)
    paud["created_at"] = datetime_strings(start.astype("datetime64[s]") + 9 * 3600)
    paud["updated_at"] = paud["created_at"]
    paud.insert(0, "id_sasaran_paud", np.arange(1, len(paud) + 1))
    return kia, paud


def stunting_tables(seed: int, config: pd.DataFrame, penduduk: pd.DataFrame,
                    ref_date: np.datetime64) -> dict[str, pd.DataFrame]:
    """posyandu, kia, ibu_hamil, bulanan_anak and sasaran_paud for one export (see the module doc)."""
    ref_date = np.datetime64(ref_date, "D")
    posyandu = posyandu_table(seed, config)
    kids = _children(seed, penduduk, ref_date)
    alive = penduduk["status_dasar"].to_numpy() == 1
    hamil = pd.to_numeric(penduduk["hamil"], errors="coerce").fillna(0).to_numpy() if "hamil" in penduduk else 0
    pregnant = penduduk[alive & (hamil == 1)]
    pregnant = pd.DataFrame({"id": pregnant["id"].to_numpy(np.int64), "config_id": pregnant["config_id"].to_numpy()})
    kids.index = np.arange(1, len(kids) + 1)
    first_kia = len(kids) + 1
    kia = pd.DataFrame({"id": kids.index.to_numpy(), "config_id": kids["config_id"].to_numpy(),
                        "ibu_id": kids["ibu_id"].to_numpy(), "anak_id": kids["anak_id"].to_numpy()})
    expecting = pd.DataFrame({"id": first_kia + np.arange(len(pregnant)), "config_id": pregnant["config_id"].to_numpy(),
                              "ibu_id": pregnant["id"].to_numpy(), "anak_id": None})
    paud_kia, paud = _paud(seed, penduduk, posyandu, first_kia + len(pregnant), ref_date)
    kia = pd.concat([kia, expecting, paud_kia], ignore_index=True)
    kia["anak_id"] = pd.array(kia["anak_id"], dtype="Int64")
    kia.insert(2, "no_kia", [f"KIA-{int(c):03d}-{i:06d}" for c, i in zip(kia["config_id"], kia["id"])])
    kia["hari_perkiraan_lahir"] = None
    anak = _child_rows(seed, kids.reset_index(drop=True), ref_date)
    anak["kia_id"] = anak["kia_id"].to_numpy() + 1  # positions to card ids (cards 1..len(kids))
    anak.insert(2, "posyandu_id", _posyandu_of(seed, anak["_person"].to_numpy(np.int64),
                                               anak["config_id"].to_numpy(), posyandu))
    ibu = _mother_rows(seed, kids, pregnant, first_kia, ref_date)
    ibu.insert(2, "posyandu_id", _posyandu_of(seed, ibu["_person"].to_numpy(np.int64),
                                              ibu["config_id"].to_numpy(), posyandu))
    return {"posyandu": posyandu, "kia": kia,
            "ibu_hamil": _dated(seed, ibu, 60, "id_ibu_hamil", ref_date, exact=True),
            "bulanan_anak": _dated(seed, anak, 62, "id_bulanan_anak", ref_date),
            "sasaran_paud": paud}
