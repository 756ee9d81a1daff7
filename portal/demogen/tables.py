"""Assemble OpenSID's tweb_keluarga and tweb_penduduk tables for the demo district."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portal.sources.wilayah import District, undotted

from . import people
from .households import CHILD, CUCU, HEAD, MARRIED_CHILD, MENANTU, SPOUSE, Households
from .names import BALI, CHINESE, CHRISTIAN, FOREIGN, MUSLIM, make_names
from .region import Region
from .util import (
    DAYS_PER_YEAR,
    REF_DATE,
    concat,
    date_parts,
    date_strings,
    datetime_strings,
    digits,
    pick,
    pick_strings,
    serial_continuing,
)

_STYLE_OF_AGAMA = np.array([MUSLIM, MUSLIM, CHRISTIAN, CHRISTIAN, BALI, CHINESE, CHINESE, MUSLIM])
_AGAMA = {4: 0.905, 1: 0.062, 2: 0.015, 3: 0.009, 5: 0.008, 6: 0.0005, 7: 0.0005}
_BALI_TOWNS = ("DENPASAR", "BADUNG", "GIANYAR", "SINGARAJA", "NEGARA", "KLUNGKUNG", "BANGLI", "AMLAPURA")
_BIRTHPLACES = {
    MUSLIM: ("BANYUWANGI", "JEMBER", "SURABAYA", "MATARAM", "MALANG", "NEGARA", "DENPASAR"),
    CHRISTIAN: ("KUPANG", "MAUMERE", "MEDAN", "AMBON", "DENPASAR", "WAINGAPU"),
    CHINESE: ("DENPASAR", "SURABAYA", "JAKARTA", "SINGARAJA"),
    FOREIGN: ("MELBOURNE", "AMSTERDAM", "TOKYO", "PARIS", "BERLIN", "SYDNEY", "MILAN", "COPENHAGEN"),
}
_SUKU = {
    MUSLIM: (("Jawa", "Sasak", "Madura", "Bugis", "Bali"), (0.55, 0.15, 0.1, 0.1, 0.1)),
    CHRISTIAN: (("Flores", "Batak", "Timor", "Bali", "Ambon", "Sumba"), (0.3, 0.2, 0.2, 0.15, 0.1, 0.05)),
}
_MOBILE = ("0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877", "0878",
           "0819", "0838", "0895", "0896", "0881")
_TEXT_NULL = None


def _none_unless(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Keep ``values`` where ``mask`` holds and NULL elsewhere (object array)."""
    return np.where(mask, values, _TEXT_NULL).astype(object)


def _nullable(values: np.ndarray, null_code: int = 0) -> pd.arrays.IntegerArray:
    """Integer column where ``null_code`` becomes SQL NULL / an empty CSV cell."""
    return pd.arrays.IntegerArray(values.astype(np.int64), values == null_code)


def _days(rng: np.random.Generator, span_days: np.ndarray) -> np.ndarray:
    """Random whole-day offsets in [0, span_days)."""
    return np.floor(rng.random(len(span_days)) * np.maximum(span_days, 1)).astype(np.int64)


@dataclass
class Numbering:
    """Where a batch of families continues the district's ids and NIK / No. KK serials."""

    families: int = 0  # families written before this batch
    people: int = 0
    nik: dict[int, int] = field(default_factory=dict)  # serials used per NIK prefix
    kk: dict[int, int] = field(default_factory=dict)


def build_tables(
    rng: np.random.Generator, district: District, region: Region, hh: Households,
    numbering: Numbering | None = None, ref_date: np.datetime64 = REF_DATE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (tweb_keluarga, tweb_penduduk) DataFrames with OpenSID column names.

    With ``numbering`` the households are one batch of a district written in several: ids and
    serials go on from the batches before, and ``numbering`` is advanced past this one.
    Ages are completed years on ``ref_date`` (the generator's fixed REF_DATE unless a monthly
    series starts earlier); birth, registration and record dates are drawn before it.
    """
    fam_base, person_base = (numbering.families, numbering.people) if numbering else (0, 0)
    n_desa = len(district.desa)
    F, N = len(hh.fam_size), len(hh.fam)
    fam, role, age, sex = hh.fam, hh.role, hh.age, hh.sex
    kec6 = np.array([int(undotted(d.kode_kecamatan)) for d in district.desa], dtype=np.int64)
    kab = undotted(district.kode)
    home_town = re.sub(r"^(Kabupaten|Kota)\s+", "", district.nama).upper()

    # Families live in one RT of their desa (RT rows of a desa are contiguous in Region).
    rt_first = np.searchsorted(region.rt_desa, np.arange(n_desa))
    rt_count = np.bincount(region.rt_desa, minlength=n_desa)
    fam_rt = rt_first[hh.fam_desa] + np.floor(rng.random(F) * rt_count[hh.fam_desa]).astype(np.int64)
    agama_f = pick(rng, F, _AGAMA)
    caste_f = np.where(agama_f == 4, pick(rng, F, {0: 0.9, 1: 0.03, 2: 0.02, 3: 0.035, 4: 0.015}), 0)

    agama = agama_f[fam]
    style = _STYLE_OF_AGAMA[agama]
    born_in = np.isin(role, (HEAD, CHILD, MARRIED_CHILD, CUCU)) | (hh.kk_level == 7)
    caste = np.where(born_in, caste_f[fam], 0)

    # A few foreign spouses married into local families, and their under-18 children as dual citizens.
    wn = np.ones(N, dtype=np.int64)
    cand = np.flatnonzero(np.isin(role, (SPOUSE, MENANTU)) & (age >= 21) & (style == BALI))
    wna = np.sort(rng.choice(cand, size=min(len(cand), max(3, round(N * 8e-5))), replace=False))
    wn[wna] = 2
    style[wna] = FOREIGN
    kids = np.isin(role, (CHILD, CUCU)) & (age < 18)
    dual = kids & (np.isin(hh.father, wna) | np.isin(hh.mother, wna))
    if dual.sum() < 2:
        extra = np.flatnonzero(kids & ~dual)
        dual[rng.choice(extra, size=min(len(extra), 2 - int(dual.sum())), replace=False)] = True
    wn[dual] = 3

    nama, token = make_names(rng, sex, style, hh.birth_order, caste)
    parent_style = np.where(wn == 2, FOREIGN, _STYLE_OF_AGAMA[agama])
    rand_father, _ = make_names(rng, np.ones(N, np.int64), parent_style, rng.integers(0, 4, N), caste)
    rand_mother, _ = make_names(rng, np.full(N, 2), parent_style, rng.integers(0, 4, N), np.zeros(N, np.int64))

    # NIK: kecamatan code, birth DDMMYY with day+40 for women, serial per 12-digit prefix.
    birth = ref_date - (np.floor(age * DAYS_PER_YEAR).astype(np.int64) + 1)
    day, month, year = date_parts(birth)
    prefix = kec6[hh.fam_desa[fam]] * 10**6 + (day + 40 * (sex == 2)) * 10**4 + month * 100 + year % 100
    serial = serial_continuing(prefix, numbering.nik if numbering else None)
    if serial.max() > 9999:
        raise RuntimeError("NIK serial overflow: too many residents share one birth date and kecamatan")
    nik = (prefix * 10**4 + serial).astype("U16").astype(object)

    # No. KK: kecamatan code, registration DDMMYY (no +40), serial per prefix.
    head = hh.fam_start
    tgl_daftar = ref_date - _days(rng, np.minimum(25, age[head] - 17) * DAYS_PER_YEAR)
    d_day, d_month, d_year = date_parts(tgl_daftar)
    kk_prefix = kec6[hh.fam_desa] * 10**6 + d_day * 10**4 + d_month * 100 + d_year % 100
    kk_serial = serial_continuing(kk_prefix, numbering.kk if numbering else None)
    if kk_serial.max(initial=0) > 9999:
        raise RuntimeError("No. KK serial overflow: too many families registered on one day in one kecamatan")
    no_kk = (kk_prefix * 10**4 + kk_serial).astype("U16").astype(object)
    tgl_cetak = tgl_daftar + _days(rng, np.minimum((ref_date - tgl_daftar).astype(np.int64), 5 * 365))
    alamat_f = region.rt_alamat[fam_rt]
    keluarga = pd.DataFrame({
        "id": np.arange(1, F + 1) + fam_base,
        "config_id": hh.fam_desa + 1,
        "no_kk": no_kk,
        "nik_kepala": (head + 1 + person_base).astype("U12").astype(object),  # holds tweb_penduduk.id
        "tgl_daftar": date_strings(tgl_daftar),
        "kelas_sosial": pick(rng, F, {1: 0.12, 2: 0.25, 3: 0.33, 4: 0.22, 5: 0.08}),
        "tgl_cetak_kk": date_strings(tgl_cetak),
        "alamat": alamat_f,
        "id_cluster": region.rt_id[fam_rt],
    })

    alive = hh.status_dasar == 1
    hl = people.health(rng, age, sex)
    pend_kk, pend_sedang = people.education(rng, age, hl["cacat_id"])
    work = people.occupation(rng, age, sex, pend_sedang)
    hamil, kb = people.fertility(rng, age, sex, hh.status_kawin, alive)
    docs = people.id_documents(rng, age, hh.status_kawin)
    ins = people.insurance(rng, work, age)

    place = np.full(N, home_town, dtype=object)
    for st, towns in _BIRTHPLACES.items():
        m = style == st
        place[m] = pick_strings(rng, int(m.sum()), towns)
    m = (style == BALI) & (rng.random(N) < 0.15)
    place[m] = pick_strings(rng, int(m.sum()), _BALI_TOWNS)
    place[(age < 30) & (style != FOREIGN) & (rng.random(N) < 0.7)] = home_town

    suku = np.where(style == BALI, "Bali", _TEXT_NULL).astype(object)
    suku[style == CHINESE] = "Tionghoa"
    for st, (names, weights) in _SUKU.items():
        m = style == st
        suku[m] = pick_strings(rng, int(m.sum()), names, weights)
    suku[rng.random(N) < 0.05] = _TEXT_NULL

    ids = np.arange(1, N + 1) + person_base
    # Mobile numbers: a 4-digit operator prefix plus 7 or 8 digits.
    phone = concat(pick_strings(rng, N, _MOBILE), digits(rng, N, 7),
                   np.where(rng.random(N) < 0.5, digits(rng, N, 1), ""))
    email = concat(token, ".", ids.astype("U8"), "@example.com")
    akta = concat(kab, "-LT-", np.char.zfill(day.astype("U2"), 2), np.char.zfill(month.astype("U2"), 2),
                  year.astype("U4"), "-", digits(rng, N, 4))
    passport = concat(pick_strings(rng, N, tuple("ABCEKLMNPRSTX")), pick_strings(rng, N, tuple("ABCDEFGH")),
                      digits(rng, N, 7))

    # Records were created after 2016 (or at birth) and last touched before ref_date.
    lo = np.maximum(birth, np.datetime64("2016-01-01"))
    created_day = lo + _days(rng, (ref_date - lo).astype(np.int64))
    created = created_day.astype("datetime64[s]") + rng.integers(8 * 3600, 16 * 3600, N)
    span = (ref_date.astype("datetime64[s]") - created).astype(np.int64)
    updated = created + np.floor(rng.random(N) * span).astype(np.int64)

    penduduk = pd.DataFrame({
        "id": ids,
        "config_id": hh.fam_desa[fam] + 1,
        "nama": nama,
        "nik": nik,
        "id_kk": fam + 1 + fam_base,
        "kk_level": hh.kk_level,
        "sex": sex,
        "tempatlahir": place,
        "tanggallahir": date_strings(birth),
        "agama_id": agama,
        "pendidikan_kk_id": pend_kk,
        "pendidikan_sedang_id": pend_sedang,
        "pekerjaan_id": work,
        "status_kawin": hh.status_kawin,
        "warganegara_id": wn,
        "dokumen_pasport": _none_unless(wn == 2, passport),
        "ayah_nik": _none_unless(hh.father >= 0, nik[hh.father]),
        "ibu_nik": _none_unless(hh.mother >= 0, nik[hh.mother]),
        "nama_ayah": np.where(hh.father >= 0, nama[hh.father], rand_father).astype(object),
        "nama_ibu": np.where(hh.mother >= 0, nama[hh.mother], rand_mother).astype(object),
        "golongan_darah_id": hl["golongan_darah_id"],
        "id_cluster": region.rt_id[fam_rt][fam],
        "status": np.where(rng.random(N) < np.where(wn == 2, 0.4, 0.025), 2, 1),
        "alamat_sekarang": alamat_f[fam],
        "status_dasar": hh.status_dasar,
        "hamil": _nullable(hamil),
        "cacat_id": hl["cacat_id"],
        "sakit_menahun_id": hl["sakit_menahun_id"],
        "akta_lahir": _none_unless(docs["has_akta"], akta),
        "cara_kb_id": _nullable(kb),
        "telepon": _none_unless((age >= 15) & alive & (rng.random(N) < 0.65), phone),
        "email": _none_unless((age >= 18) & (age < 46) & alive & (rng.random(N) < 0.12), email),
        "ktp_el": docs["ktp_el"],
        "status_rekam": docs["status_rekam"],
        "id_asuransi": ins["id_asuransi"],
        "no_asuransi": _none_unless(np.isin(ins["id_asuransi"], (2, 3, 4)), concat("000", digits(rng, N, 10))),
        "bpjs_ketenagakerjaan": _none_unless(ins["bpjs_tk"], digits(rng, N, 11)),
        "suku": np.where(wn == 2, _TEXT_NULL, suku).astype(object),
        "created_at": datetime_strings(created),
        "updated_at": datetime_strings(updated),
    })
    if numbering is not None:
        numbering.families += F
        numbering.people += N
    return keluarga, penduduk
