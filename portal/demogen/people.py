"""Per-person coded attributes of the demo district: education, work, health, documents."""
from __future__ import annotations

import numpy as np

from .util import pick, pick_by_group

# pendidikan_kk by age band: <7, 7-12, 13-15, 16-18, 19-24, 25-39, 40-59, 60+.
_EDU_BANDS = np.array([7, 13, 16, 19, 25, 40, 60])
_EDU_KK = (
    {1: 1.0},
    {2: 0.97, 1: 0.03},
    {3: 0.88, 2: 0.12},
    {4: 0.85, 3: 0.11, 2: 0.04},
    {5: 0.63, 4: 0.11, 3: 0.05, 2: 0.01, 6: 0.04, 7: 0.06, 8: 0.10},
    {1: 0.01, 2: 0.03, 3: 0.12, 4: 0.16, 5: 0.44, 6: 0.03, 7: 0.06, 8: 0.13, 9: 0.015, 10: 0.001},
    {1: 0.04, 2: 0.08, 3: 0.26, 4: 0.18, 5: 0.30, 6: 0.02, 7: 0.04, 8: 0.07, 9: 0.008, 10: 0.002},
    {1: 0.22, 2: 0.20, 3: 0.32, 4: 0.10, 5: 0.11, 6: 0.01, 7: 0.01, 8: 0.025, 9: 0.004, 10: 0.001},
)
# pendidikan_sedang by age band: <4, 4-6, 7-12, 13-15, 16-18, 19-24, 25-34, 35-59, 60+.
_SEDANG_BANDS = np.array([4, 7, 13, 16, 19, 25, 35, 60])
_SEDANG = (
    {1: 1.0},
    {2: 0.9, 1: 0.1},
    {4: 0.98, 18: 0.02},
    {6: 0.95, 18: 0.05},
    {7: 0.88, 18: 0.12},
    {11: 0.24, 10: 0.05, 8: 0.01, 9: 0.01, 12: 0.004, 18: 0.696},
    {12: 0.01, 11: 0.02, 13: 0.001, 18: 0.969},
    {18: 0.95, 3: 0.02, 5: 0.02, 17: 0.01},
    {18: 0.80, 3: 0.08, 5: 0.06, 17: 0.06},
)
_WORK_MALE = {
    9: 0.22, 15: 0.16, 88: 0.15, 19: 0.08, 20: 0.04, 8: 0.03, 84: 0.02, 1: 0.04, 5: 0.035,
    65: 0.01, 6: 0.005, 7: 0.007, 26: 0.015, 27: 0.012, 81: 0.02, 36: 0.008, 85: 0.006, 18: 0.01,
    16: 0.004, 17: 0.003, 10: 0.01, 11: 0.004, 12: 0.004, 13: 0.008, 14: 0.006, 35: 0.008,
    46: 0.006, 79: 0.006, 25: 0.004, 29: 0.002, 24: 0.001, 72: 0.001, 74: 0.002, 64: 0.001,
    67: 0.0005, 70: 0.0005, 69: 0.0003, 44: 0.0003, 80: 0.0002, 89: 0.01, 2: 0.005,
}
_WORK_FEMALE = {
    2: 0.22, 9: 0.15, 15: 0.14, 88: 0.12, 84: 0.05, 8: 0.04, 19: 0.03, 20: 0.03, 1: 0.05,
    5: 0.03, 65: 0.025, 73: 0.005, 74: 0.008, 30: 0.006, 32: 0.005, 34: 0.003, 33: 0.001,
    23: 0.004, 46: 0.006, 36: 0.004, 18: 0.012, 16: 0.003, 72: 0.001, 75: 0.001, 85: 0.003,
    89: 0.01, 12: 0.004, 38: 0.0003,
}
_WORK_OLD_MALE = {9: 0.35, 4: 0.12, 1: 0.30, 88: 0.08, 20: 0.05, 8: 0.02, 36: 0.01, 37: 0.002, 89: 0.068}
_WORK_OLD_FEMALE = {2: 0.35, 1: 0.30, 9: 0.20, 4: 0.06, 84: 0.03, 89: 0.06}
# Employees likely to be enrolled in BPJS Ketenagakerjaan.
_EMPLOYED = np.array([5, 6, 7, 15, 16, 17, 18, 64, 65, 72, 73, 74, 75, 79, 85])


def education(rng: np.random.Generator, age: np.ndarray, cacat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pendidikan_kk_id and pendidikan_sedang_id plausible for each age."""
    kk = pick_by_group(rng, np.searchsorted(_EDU_BANDS, age, side="right"), _EDU_KK)
    sedang = pick_by_group(rng, np.searchsorted(_SEDANG_BANDS, age, side="right"), _SEDANG)
    # Students in higher education have finished SLTA.
    kk = np.where(np.isin(sedang, (8, 9, 10, 11)), 5, kk)
    kk = np.where(sedang == 12, 8, kk)
    kk = np.where(sedang == 13, 9, kk)
    # Adults who never went to school, and school-age children with disabilities in SLB.
    sedang = np.where((kk == 1) & (age >= 19), 3, sedang)
    slb = (age >= 7) & (age < 19) & np.isin(cacat, (2, 3, 4))
    sedang = np.where(slb, np.select([cacat == 2, cacat == 3], [14, 15], 16), sedang)
    return kk, sedang


def occupation(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray, sedang: np.ndarray) -> np.ndarray:
    """pekerjaan_id: children at school are PELAJAR, adults a rural Balinese mix, elders retire."""
    n = len(age)
    group = np.where(age >= 65, 2, 0) + (sex == 2)  # 0/1 working age m/f, 2/3 elderly m/f
    work = pick_by_group(rng, group, (_WORK_MALE, _WORK_FEMALE, _WORK_OLD_MALE, _WORK_OLD_FEMALE))
    in_school = np.isin(sedang, (2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16))
    work = np.where(age < 19, np.where(in_school, 3, 1), work)
    work = np.where((age >= 16) & (age < 19) & ~in_school & (rng.random(n) < 0.5), 19, work)
    work = np.where((age >= 19) & in_school, 3, work)
    return np.where(age < 5, 1, work)


def health(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray) -> dict[str, np.ndarray]:
    """Blood type, disability (about 1%) and chronic illness (about 2%), more common with age."""
    n = len(age)
    blood = pick(rng, n, {1: 8, 2: 9, 3: 2, 4: 12, 5: 3, 6: 0.1, 7: 3, 8: 0.1, 9: 1, 10: 0.05,
                          11: 4, 12: 0.1, 13: 57.65})
    p_cacat = np.where(age >= 65, 0.03, 0.007)
    cacat = np.where(rng.random(n) < p_cacat,
                     pick(rng, n, {1: 0.35, 2: 0.15, 3: 0.15, 4: 0.15, 5: 0.05, 6: 0.15}), 7)
    p_sakit = np.select([age >= 60, age >= 40], [0.07, 0.03], 0.005)
    sakit = np.where(rng.random(n) < p_sakit,
                     pick(rng, n, {1: 14, 2: 3, 3: 5, 4: 5, 5: 10, 6: 25, 7: 5, 8: 0.5, 9: 0.5,
                                   10: 1, 11: 4, 12: 6, 13: 12}), 14)
    return {"golongan_darah_id": blood, "cacat_id": cacat, "sakit_menahun_id": sakit}


def fertility(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray, kawin: np.ndarray,
              alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """hamil (1/2 for women, NULL for men) and cara_kb_id (NULL when not using contraception)."""
    n = len(age)
    woman = sex == 2
    fertile = woman & (kawin == 2) & alive
    hamil = np.where(woman, 2, 0)
    hamil[fertile & (age >= 18) & (age < 45) & (rng.random(n) < 0.06)] = 1
    kb = np.zeros(n, dtype=np.int64)
    user = fertile & (age >= 15) & (age < 50) & (hamil != 1) & (rng.random(n) < 0.6)
    kb[user] = pick(rng, int(user.sum()), {3: 0.50, 1: 0.18, 2: 0.15, 5: 0.08, 6: 0.05, 4: 0.02, 99: 0.02})
    men = (sex == 1) & (kawin == 2) & (age >= 25) & (age < 60) & (rng.random(n) < 0.004)
    kb[men] = 7
    return hamil, kb  # 0 means NULL


def id_documents(rng: np.random.Generator, age: np.ndarray, kawin: np.ndarray) -> dict[str, np.ndarray]:
    """ktp_el and status_rekam (tweb_status_ktp pairs) and whether a birth certificate exists."""
    n = len(age)
    wajib = (age >= 17) | (kawin != 1)  # KTP is compulsory from 17 or on marriage
    recorded = rng.random(n) < 0.93
    ktp_el = np.where(wajib, np.where(recorded, 2, 1), np.where(rng.random(n) < 0.45, 3, 1))
    rekam = pick(rng, n, {8: 0.85, 3: 0.06, 4: 0.03, 5: 0.02, 6: 0.02, 7: 0.02})
    status_rekam = np.where(wajib, np.where(recorded, rekam, 2), 1)
    p_akta = np.select([age < 26, age < 46], [0.93, 0.5], 0.15)
    return {"ktp_el": ktp_el, "status_rekam": status_rekam, "has_akta": rng.random(n) < p_akta}


def insurance(rng: np.random.Generator, work: np.ndarray, age: np.ndarray) -> dict[str, np.ndarray]:
    """id_asuransi, and who holds a BPJS Ketenagakerjaan membership."""
    n = len(work)
    asuransi = pick(rng, n, {1: 0.08, 2: 0.38, 3: 0.36, 4: 0.15, 99: 0.03})
    bpjs_tk = np.isin(work, _EMPLOYED) & (age < 60) & (rng.random(n) < 0.6)
    bpjs_tk |= np.isin(work, (8, 84, 88, 19)) & (age >= 19) & (rng.random(n) < 0.08)
    return {"id_asuransi": asuransi, "bpjs_tk": bpjs_tk}
