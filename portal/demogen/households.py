"""Household structure of the demo district: family sizes, members' roles, ages, sexes and parents."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .util import pick, serial_within

# Household sizes 1..8; mean about 3.7 people, close to Bali's census average.
FAMILY_SIZE_WEIGHTS = {1: 0.09, 2: 0.17, 3: 0.21, 4: 0.24, 5: 0.15, 6: 0.08, 7: 0.04, 8: 0.02}

# Member roles, in the order members are listed within a family.
HEAD, SPOUSE, MARRIED_CHILD, MENANTU, CHILD, CUCU, ELDER, OTHER = range(8)


@dataclass(frozen=True)
class Households:
    """Per-family and per-person arrays (people are ordered family by family)."""

    fam_desa: np.ndarray  # desa index of each family
    fam_size: np.ndarray
    fam_start: np.ndarray  # index of each family's head in the person arrays
    fam: np.ndarray  # family index of each person
    role: np.ndarray
    age: np.ndarray  # completed-years float at REF_DATE
    sex: np.ndarray  # 1 male, 2 female
    kk_level: np.ndarray
    status_kawin: np.ndarray
    birth_order: np.ndarray  # 0-based, drives Balinese birth-order names
    father: np.ndarray  # person index of the father in the same family, or -1
    mother: np.ndarray
    status_dasar: np.ndarray


def family_sizes(rng: np.random.Generator, desa_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut each desa's population into families of 1..8 people; returns (size, desa index)."""
    mean = sum(k * w for k, w in FAMILY_SIZE_WEIGHTS.items())
    sizes, desa = [], []
    for i, total in enumerate(desa_sizes):
        draw = pick(rng, int(total / mean * 1.3) + 10, FAMILY_SIZE_WEIGHTS)
        while draw.sum() < total:  # only for tiny desa with unlucky draws
            draw = np.r_[draw, pick(rng, 10, FAMILY_SIZE_WEIGHTS)]
        cum = np.cumsum(draw)
        k = int(np.searchsorted(cum, total))
        fam = draw[: k + 1].copy()
        fam[-1] = total - (cum[k - 1] if k > 0 else 0)  # the last family takes the remainder
        sizes.append(fam)
        desa.append(np.full(len(fam), i))
    return np.concatenate(sizes), np.concatenate(desa)


def _composition(rng: np.random.Generator, s: np.ndarray) -> dict[str, np.ndarray]:
    """Decide per family how many spouses, married children, grandchildren, elders and others."""
    n = len(s)
    has_sp = ((s >= 2) & (rng.random(n) < 0.86)).astype(np.int64)
    # Three-generation household: a married child, the menantu and at least one cucu.
    g3 = ((s - 1 - has_sp >= 3) & (rng.random(n) < 0.30)).astype(np.int64)
    avail = s - 1 - has_sp - 2 * g3
    n_cucu = np.where(g3 == 1, 1 + np.floor(rng.random(n) * avail).astype(np.int64), 0)
    avail = avail - n_cucu
    r = rng.random(n)
    n_el = np.where((g3 == 0) & (avail >= 2) & (has_sp == 1) & (r < 0.03), 2,
                    np.where((g3 == 0) & (avail >= 1) & (r < 0.14), 1, 0))
    avail = avail - n_el
    n_ot = ((avail >= 1) & (s >= 3) & (rng.random(n) < 0.06)).astype(np.int64)
    n_ch = avail - n_ot
    return {"sp": has_sp, "g3": g3, "ch": n_ch, "cucu": n_cucu, "el": n_el, "ot": n_ot}


def build_households(rng: np.random.Generator, desa_sizes: np.ndarray) -> Households:
    """Generate coherent families: heads, spouses, children younger than their parents, etc."""
    fam_size, fam_desa = family_sizes(rng, desa_sizes)
    F, N = len(fam_size), int(fam_size.sum())
    c = _composition(rng, fam_size)
    has_sp, g3 = c["sp"].astype(bool), c["g3"].astype(bool)
    fam_start = np.cumsum(fam_size) - fam_size
    fam = np.repeat(np.arange(F), fam_size)
    pos = np.arange(N) - fam_start[fam]
    bounds = np.cumsum(np.stack([np.ones(F, np.int64), c["sp"], c["g3"], c["g3"], c["ch"], c["cucu"], c["el"]]), axis=0)
    role = (pos[None, :] >= bounds[:, fam]).sum(axis=0)

    # --- family-level ages and sexes
    u = rng.random((6, F))
    single = fam_size == 1
    head_age = rng.triangular(21, 48, 82, F)
    head_age = np.where(single, np.where(u[0] < 0.45, 19 + 16 * u[1], 55 + 35 * u[1]), head_age)
    head_age = np.where(g3, 50 + 32 * u[1], head_age)
    head_age = np.where((c["el"] > 0) & ~single, 26 + 29 * u[1], head_age)
    p_male = np.where(has_sp, 0.95, np.where(single, np.where(head_age < 50, 0.5, 0.35), 0.35))
    head_sex = np.where(u[2] < p_male, 1, 2)
    gap = rng.normal(3.0, 3.5, F)
    sp_age = np.clip(np.where(head_sex == 1, head_age - gap, head_age + gap), 18, 98)
    sp_age = np.where(g3, np.maximum(sp_age, 45), sp_age)
    parent_min = np.where(has_sp, np.minimum(head_age, sp_age), head_age)
    mc_age = 24 + (parent_min - 42) * u[3]
    mn_age = np.clip(mc_age + rng.normal(-2, 3, F), 19, 98)
    mc_sex = np.where(u[4] < 0.85, 1, 2)  # Balinese couples mostly live with the husband's family
    mertua = has_sp & (u[5] < 0.5)  # elders are the spouse's parents rather than the head's
    elder_base = np.where(mertua, sp_age, head_age)
    other_kind = pick(rng, F, {9: 0.7, 10: 0.2, 11: 0.1})

    # --- person-level
    r = rng.random((4, N))
    age = np.empty(N)
    sex = np.where(r[0] < 0.51, 1, 2)
    f = fam
    for rl, val in ((HEAD, head_age), (SPOUSE, sp_age), (MARRIED_CHILD, mc_age), (MENANTU, mn_age)):
        m = role == rl
        age[m] = val[f[m]]
    # A child's age is the younger parent's age minus that parent's age at the birth (18-40).
    m = role == CHILD
    pm = parent_min[f[m]]
    age[m] = pm - (18 + (np.minimum(pm, 40) - 18) * r[1][m])
    m = role == CUCU
    pm = np.minimum(mc_age, mn_age)[f[m]]
    age[m] = pm - (18 + (np.minimum(pm, 40) - 18) * r[1][m])
    m = role == ELDER
    age[m] = np.minimum(elder_base[f[m]] + 20 + 12 * r[1][m], 99)
    m = role == OTHER
    lo = np.select([other_kind == 9, other_kind == 10], [5, 18], 10)[f[m]]
    hi = np.select([other_kind == 9, other_kind == 10], [70, 55], 70)[f[m]]
    age[m] = lo + (hi - lo) * r[1][m]

    sex = np.where(role == HEAD, head_sex[f], sex)
    sex = np.where(role == SPOUSE, 3 - head_sex[f], sex)
    sex = np.where(role == MARRIED_CHILD, mc_sex[f], sex)
    sex = np.where(role == MENANTU, 3 - mc_sex[f], sex)
    elder_rank = pos - bounds[5][f]  # 0 or 1 among the elders
    two_elders = c["el"][f] == 2
    sex = np.where((role == ELDER) & two_elders, 1 + elder_rank, np.where((role == ELDER) & (r[2] < 0.65), 2, sex))
    sex = np.where((role == OTHER) & (other_kind[f] == 10), np.where(r[2] < 0.8, 2, 1), sex)

    kk_level = np.array([1, 2, 4, 5, 4, 6, 7, 9])[role]
    kk_level = np.where((role == SPOUSE) & (sex == 2), 3, kk_level)
    kk_level = np.where((role == ELDER) & mertua[f], 8, kk_level)
    kk_level = np.where(role == OTHER, other_kind[f], kk_level)

    has_kids = (c["ch"] + c["g3"] > 0)[f]
    status_kawin = _status_kawin(rng, role, age, has_sp[f], has_kids, two_elders)
    father, mother = _parents(role, sex, f, fam_start, bounds, has_sp, mertua, head_sex, mc_sex, c["el"])
    return Households(
        fam_desa=fam_desa, fam_size=fam_size, fam_start=fam_start, fam=fam, role=role, age=age,
        sex=sex, kk_level=kk_level, status_kawin=status_kawin,
        birth_order=_birth_order(rng, role, age, fam), father=father, mother=mother,
        status_dasar=_status_dasar(rng, role, age),
    )


def _status_kawin(rng: np.random.Generator, role, age, fam_has_sp, fam_has_kids, two_elders) -> np.ndarray:
    """Marital status consistent with the member's role and age."""
    n = len(role)
    u = rng.random(n)
    out = np.ones(n, dtype=np.int64)  # BELUM KAWIN
    married = np.isin(role, (SPOUSE, MARRIED_CHILD, MENANTU)) | ((role == HEAD) & fam_has_sp)
    out[married] = 2
    lone_head = (role == HEAD) & ~fam_has_sp
    widowed_or_divorced = np.where(u < np.clip((age - 25) / 45, 0.1, 0.9), 4, 3)
    # Heads without spouse or children: young ones never married, older ones mostly widowed.
    never = lone_head & ~fam_has_kids & (u < np.clip((45 - age) / 25, 0.0, 0.9))
    out[lone_head] = widowed_or_divorced[lone_head]
    out[never] = 1
    out[(role == ELDER)] = np.where(two_elders[role == ELDER], 2, 4)
    adult_child = (role == CHILD) & (age >= 25) & (u < 0.05)
    out[adult_child] = 3  # divorced children moving back home
    other = (role == OTHER) & (age >= 22)
    out[other] = np.where(u[other] < 0.5, 2, 1)
    return out


def _parents(role, sex, f, fam_start, bounds, has_sp, mertua, head_sex, mc_sex, n_el):
    """Person indices of father and mother when they are registered in the same family."""
    start = fam_start
    head = start
    spouse = np.where(has_sp, start + 1, -1)
    male_parent = np.where(head_sex == 1, head, spouse)
    female_parent = np.where(head_sex == 2, head, spouse)
    mc = start + bounds[1]  # married child's position, valid only in three-generation families
    cucu_father = np.where(mc_sex == 1, mc, mc + 1)
    cucu_mother = np.where(mc_sex == 1, mc + 1, mc)
    first_elder = start + bounds[5]
    father = np.full(len(role), -1, dtype=np.int64)
    mother = np.full(len(role), -1, dtype=np.int64)
    kids = np.isin(role, (CHILD, MARRIED_CHILD))
    father[kids] = male_parent[f[kids]]
    mother[kids] = female_parent[f[kids]]
    m = role == CUCU
    father[m], mother[m] = cucu_father[f[m]], cucu_mother[f[m]]
    # Elders are the head's (ORANGTUA) or the spouse's (MERTUA) parents.
    for who in (HEAD, SPOUSE):
        m = (role == who) & (n_el[f] > 0) & (mertua[f] == (who == SPOUSE))
        fm = f[m]
        e0 = first_elder[fm]
        two = n_el[fm] == 2
        father[m] = np.where(two | (sex[e0] == 1), e0, -1)
        mother[m] = np.where(two, e0 + 1, np.where(sex[e0] == 2, e0, -1))
    return father, mother


def _birth_order(rng: np.random.Generator, role, age, fam) -> np.ndarray:
    """Rank of each child among its siblings (eldest 0); other members get a random rank."""
    order = rng.integers(0, 4, len(role))
    for group in ((CHILD, MARRIED_CHILD), (CUCU,)):
        idx = np.flatnonzero(np.isin(role, group))
        idx = idx[np.lexsort((-age[idx], fam[idx]))]
        order[idx] = serial_within(fam[idx]) - 1
    return order


def _status_dasar(rng: np.random.Generator, role, age) -> np.ndarray:
    """About 4% of records are no longer living residents: died, moved away, missing, invalid."""
    n = len(role)
    u = rng.random(n)
    p_mati = 0.002 + 0.05 * (age >= 55) + 0.12 * (age >= 72)
    p_pindah = np.where((age >= 18) & (age < 40), 0.055, 0.015)
    scale = np.where(role == HEAD, 0.4, 1.0)  # keep most families' heads alive
    p_mati, p_pindah = p_mati * scale, p_pindah * scale
    out = np.ones(n, dtype=np.int64)
    out[u < p_mati] = 2
    band = (u >= p_mati) & (u < p_mati + p_pindah)
    out[band] = 3
    rare = (u >= p_mati + p_pindah) & (u < p_mati + p_pindah + 0.003)
    out[rare] = pick(rng, int(rare.sum()), {4: 0.3, 6: 0.5, 9: 0.2})
    return out
