"""Identities between the published tables, declared as data beside the catalogue.

Anyone who reads the catalogue's definitions can write these down; an attacker will. The
privacy layer's protector and its independent auditor both read this declaration, so a
hidden cell is protected against every relation listed here, within one release and across
versions. Each identity says why it holds (how the portal counts) and what data breaks it;
the harvest reports the desa where counted data break one (``broken``), and the auditor
assumes it all the same, because the attacker will.

Two kinds:
- margins: a table's rows add up to a row of another table (or at most to it);
- relations: equalities or inequalities between sums of rows of different tables, per desa
  and per count column (jumlah, laki_laki, perempuan).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from portal.statistics.catalogue import (
    AGE_CATEGORIES,
    AGE_RANGES,
    AKHIR,
    ANAK,
    ANAK_0_5,
    AWAL,
    CATALOGUE,
    CITIZENSHIP_BLOCKS,
    COUNT_FIELDS,
    DATANG,
    GIZI_BURUK,
    GIZI_KURANG,
    HILANG,
    IBU,
    IBU_BERSALIN,
    IBU_RISIKO,
    LAHIR,
    MATI,
    PINDAH,
    PROGRAMME_CATEGORIES,
    STUNTING,
    STUNTING_SERVICES,
    UNIT_LABELS,
)
from portal.statistics.village import report_month

UNIT_TABLE = "penduduk-dan-keluarga"
MARITAL_TABLE = "penduduk-menurut-status-perkawinan"
RELATION_TABLE = "penduduk-menurut-hubungan-dalam-kk"
BRACKET_TABLE = "penduduk-menurut-kelompok-umur"
CATEGORY_TABLE = "penduduk-menurut-kategori-umur"
KTP_TABLE = "kepemilikan-ktp"
PEOPLE, FAMILIES = UNIT_LABELS["PENDUDUK"], UNIT_LABELS["KELUARGA"]
HEAD = 1                        # hubungan: KEPALA KELUARGA
MARRIED = 2                     # status_kawin: KAWIN
EVER_MARRIED = (2, 3, 4)        # KAWIN, CERAI HIDUP, CERAI MATI
KTP_AGE = 17                    # wajib KTP: aged 17 and over, or ever married
ADULT_CATEGORIES = tuple(i + 1 for i, (low, _, _) in enumerate(AGE_CATEGORIES) if low >= KTP_AGE)

# Which row a table's categories add up to, by the population it counts:
# (table, kode, mode); mode "fixed" (equal), "women" (equal to the row's perempuan column,
# no men), "bounded" (at most the row: the table's own total is never published).
MARGINS: dict[str, tuple[str, int, str]] = {
    "all": (UNIT_TABLE, PEOPLE, "fixed"),
    "perempuan": (UNIT_TABLE, PEOPLE, "women"),
    "kawin": (MARITAL_TABLE, MARRIED, "fixed"),
    "wajib_ktp": (UNIT_TABLE, PEOPLE, "bounded"),
}
FAMILY_MARGIN = (UNIT_TABLE, FAMILIES, "fixed")
# Dimensions whose categories partition the unit (each unit in exactly one row).
MARGIN_DIMENSIONS = frozenset({"age", "code", "flag"})


def margin_of(spec) -> tuple[str, int, str] | None:
    """The row a table adds up to and how; None for the unit table (its rows are totals).

    An unknown population fails closed as ``("", 0, "own")``: a total of its own, as if
    published, so nothing is assumed about it and nothing of it is taken as public.
    """
    if spec.dimension == "unit":
        return None
    if spec.dimension not in MARGIN_DIMENSIONS:
        # Flows, aid, households, overlapping groups: no published row they add up to (their
        # relations to other tables are the FLOW_IDENTITIES below).
        return ("", 0, "own")
    if spec.unit == "keluarga":
        return FAMILY_MARGIN
    return MARGINS.get(spec.population, ("", 0, "own"))


@dataclass(frozen=True)
class Side:
    """A sum of rows of one table in one desa: the rows with these codes (None: all rows)."""

    table: str
    codes: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Relation:
    """sum(left) op sum(right) in every desa and every count column; op is =, <= or >=."""

    left: tuple[Side, ...]
    op: str
    right: tuple[Side, ...]


@dataclass(frozen=True)
class Identity:
    """A named set of relations, with why it holds and what data break it."""

    name: str
    title: str
    why: str
    breaks_when: str
    relations: tuple[Relation, ...]

    @property
    def tables(self) -> set[str]:
        """Every table the identity reads."""
        return {s.table for r in self.relations for s in (*r.left, *r.right)}


def _codes(brackets, keep) -> tuple[int, ...]:
    """Codes (position + 1, as compute.categories_for numbers them) of brackets kept."""
    return tuple(i + 1 for i, (low, high, _) in enumerate(brackets) if keep(low, high))


def age_nesting() -> tuple[Relation, ...]:
    """Five-year brackets against age categories, as prefix inequalities at each boundary.

    Up to a category boundary b, the categories hold at least the brackets that end by b
    and at most the brackets that start by b. Both tables count the same ages on the same
    reference date, so these (with the two tables' common total) are all the attacker needs.
    """
    out = []
    for _, boundary, _ in AGE_CATEGORIES[:-1]:
        upto = (Side(CATEGORY_TABLE, _codes(AGE_CATEGORIES, lambda lo, hi, b=boundary: hi <= b)),)
        inside = (Side(BRACKET_TABLE, _codes(AGE_RANGES, lambda lo, hi, b=boundary: hi <= b)),)
        touching = (Side(BRACKET_TABLE, _codes(AGE_RANGES, lambda lo, hi, b=boundary: lo <= b)),)
        out += [Relation(upto, ">=", inside), Relation(upto, "<=", touching)]
    return tuple(out)


def _ktp_upper() -> tuple[Side, ...]:
    """Residents aged 17 and over (at most the brackets touching 17 and up) plus the ever-married."""
    return (Side(BRACKET_TABLE, _codes(AGE_RANGES, lambda lo, hi: hi >= KTP_AGE)),
            Side(MARITAL_TABLE, EVER_MARRIED))


IDENTITIES: tuple[Identity, ...] = (
    Identity(
        name="kepala-keluarga-sama-dengan-keluarga",
        title="Kepala keluarga (tabel hubungan dalam KK) = jumlah keluarga, menurut jenis kelamin",
        why="Setiap keluarga aktif dihitung menurut jenis kelamin kepalanya, dan kepala itu "
            "adalah penduduk hidup desa yang sama dengan hubungan KEPALA KELUARGA.",
        breaks_when="Kepala keluarga tercatat di desa lain atau tidak menunjuk ke penduduk "
                    "hidup, dua penduduk berstatus kepala dalam satu KK, atau penduduk berstatus "
                    "kepala yang tidak menjadi kepala KK mana pun.",
        relations=(Relation((Side(RELATION_TABLE, (HEAD,)),), "=", (Side(UNIT_TABLE, (FAMILIES,)),)),),
    ),
    Identity(
        name="kelompok-umur-dan-kategori-umur",
        title="Kelompok umur lima tahunan dan kategori umur: kategori memuat paling sedikit "
              "kelompok yang ada di dalamnya dan paling banyak kelompok yang bersinggungan",
        why="Kedua tabel menghitung umur yang sama, pada tanggal referensi yang sama.",
        breaks_when="Tidak pernah pada data yang dihitung bersama; hanya bila satu tabel "
                    "berasal dari tanggal referensi lain (versi lama yang dipertahankan).",
        relations=age_nesting(),
    ),
    Identity(
        name="wajib-ktp-paling-sedikit-dewasa",
        title="Penduduk wajib KTP >= penduduk dewasa dan tua (kategori umur 18 tahun ke atas)",
        why="Wajib KTP berarti berumur 17 tahun ke atas atau pernah kawin.",
        breaks_when="Tidak pernah pada data yang dihitung bersama (umur dan wajib KTP dihitung "
                    "dari tanggal lahir yang sama).",
        relations=(Relation((Side(KTP_TABLE),), ">=", (Side(CATEGORY_TABLE, ADULT_CATEGORIES),)),),
    ),
    Identity(
        name="wajib-ktp-paling-sedikit-pernah-kawin",
        title="Penduduk wajib KTP >= penduduk kawin, cerai hidup dan cerai mati",
        why="Siapa pun yang pernah kawin wajib memiliki KTP, berapa pun umurnya.",
        breaks_when="Tidak pernah pada data yang dihitung bersama.",
        relations=(Relation((Side(KTP_TABLE),), ">=", (Side(MARITAL_TABLE, EVER_MARRIED),)),),
    ),
    Identity(
        name="wajib-ktp-paling-banyak-umur-17-dan-pernah-kawin",
        title="Penduduk wajib KTP <= kelompok umur 15 tahun ke atas + penduduk pernah kawin",
        why="Wajib KTP berarti berumur 17 tahun ke atas (semuanya di kelompok umur yang "
            "menyentuh 17 tahun ke atas) atau pernah kawin.",
        breaks_when="Tidak pernah pada data yang dihitung bersama.",
        relations=(Relation((Side(KTP_TABLE),), "<=", _ktp_upper()),),
    ),
)


# ---- Flow identities (issue 16): the monthly report, moves, aid ---------------------------
# The classic differencing attack on flows beside stocks: every relation below is exact by
# construction (statistics.village counts akhir from the others, rincian from the same rows,
# aid recipients among living residents / active families / households of the same desa).
MONTHLY_TABLES = ("laporan-bulanan-penduduk", "laporan-bulanan-keluarga")
MOVES_TABLE = "rincian-pindah-keluar"
HOUSEHOLD_TABLE = "rumah-tangga-menurut-kelas-sosial"
AID_UNITS: dict[str, tuple[Side, ...]] = {
    "penerima-bantuan-sosial-penduduk": (Side(UNIT_TABLE, (PEOPLE,)),),
    "penerima-bantuan-sosial-keluarga": (Side(UNIT_TABLE, (FAMILIES,)),),
    "penerima-bantuan-sosial-rumah-tangga": (Side(HOUSEHOLD_TABLE),),
}
FLOW_CODES = (AWAL, LAHIR, MATI, DATANG, PINDAH, HILANG, AKHIR)
# Row blocks of each monthly table: the totals (offset 0) and, for residents, WNI and WNA.
MONTHLY_BLOCKS: dict[str, tuple[int, ...]] = {
    MONTHLY_TABLES[0]: (0, *CITIZENSHIP_BLOCKS.values()), MONTHLY_TABLES[1]: (0,)}
# Across versions: this month's awal is last month's akhir, row block by row block:
# (table, akhir code in the older version, awal code in the newer). The auditor adds it
# between two versions of a table whose report months follow each other (carried_over).
CARRIED_OVER: tuple[tuple[str, int, int], ...] = tuple(
    (t, AKHIR + off, AWAL + off) for t, offsets in MONTHLY_BLOCKS.items() for off in offsets)
CARRIED_OVER_NAME = "awal-bulan-sama-dengan-akhir-bulan-lalu"
CARRIED_OVER_TITLE = ("Penduduk / keluarga awal bulan = akhir bulan laporan sebelumnya (versi bulan "
                      "lalu), menurut jenis kelamin dan kewarganegaraan")
CARRIED_OVER_BREAKS = ("Catatan log yang diubah atau dihapus sesudah bulan lalu diterbitkan (tgl_lapor "
                       "mundur, penduduk dihapus), peristiwa pergi (kode 6) yang tidak dilaporkan, atau "
                       "jenis kelamin / kewarganegaraan yang berubah: keduanya dihitung dari data saat ini.")


def _flow(table: str, offset: int = 0) -> Relation:
    """akhir + mati + pindah + hilang = awal + lahir + datang, in one table's row block."""
    codes = lambda *c: tuple(x + offset for x in c)  # noqa: E731
    return Relation((Side(table, codes(AKHIR, MATI, PINDAH, HILANG)),), "=",
                    (Side(table, codes(AWAL, LAHIR, DATANG)),))


def _citizenship_split(table: str) -> tuple[Relation, ...]:
    """Each total row = its WNI row + its WNA row."""
    return tuple(Relation((Side(table, (code,)),), "=",
                          tuple(Side(table, (code + off,)) for off in CITIZENSHIP_BLOCKS.values()))
                 for code in FLOW_CODES)


def report_months_follow(newer: str, older: str) -> bool:
    """Whether the report month of reference date ``newer`` is the one after ``older``'s.

    Dates are ISO text (YYYY-MM-DD); anything else is False (the identity is not assumed).
    """
    try:
        new, old = (report_month(date.fromisoformat(str(d)[:10])) for d in (newer, older))
    except ValueError:
        return False
    year, month = int(old[:4]), int(old[5:7])
    following = f"{year + month // 12:04d}-{month % 12 + 1:02d}"
    return new == following


FLOW_IDENTITIES: tuple[Identity, ...] = (
    *(Identity(
        name=f"arus-{table}",
        title="Penduduk akhir bulan = awal + lahir + pindah datang - mati - pindah keluar - hilang"
              if table.endswith("penduduk") else
              "Keluarga akhir bulan = awal + baru + datang - kepala mati - pindah - kepala hilang",
        why="Laporan bulanan OpenSID menghitung akhir bulan dari awal bulan dan peristiwa bulan itu.",
        breaks_when="Tidak pernah: akhir dihitung dengan rumus ini.",
        relations=tuple(_flow(table, off) for off in MONTHLY_BLOCKS[table]))
      for table in MONTHLY_TABLES),
    Identity(
        name="laporan-bulanan-wni-dan-wna",
        title="Setiap baris laporan bulanan penduduk = baris WNI + baris WNA",
        why="Setiap penduduk dihitung di jumlah dan di tepat satu kelompok kewarganegaraan "
            "(WNA = kode 2, WNI = selainnya, seperti OpenSID).",
        breaks_when="Tidak pernah: ketiganya dihitung dari baris log yang sama.",
        relations=_citizenship_split(MONTHLY_TABLES[0])),
    Identity(
        name="rincian-pindah-sama-dengan-pindah-keluar",
        title="Rincian pindah keluar (desa, kecamatan, kabupaten, provinsi) = pindah keluar bulan itu",
        why="Kedua tabel menghitung baris log_penduduk kode 3 yang sama pada bulan laporan.",
        breaks_when="Tidak pernah: tujuan kosong atau tidak dikenal dihitung sebagai pindah keluar desa.",
        relations=(Relation((Side(MOVES_TABLE),), "=", (Side(MONTHLY_TABLES[0], (PINDAH,)),)),)),
    *(Identity(
        name=f"penerima-paling-banyak-{table.rsplit('-', 1)[-1]}",
        title=f"Penerima setiap program ({table}) <= jumlah unit sasaran di desa",
        why="Setiap penerima dihitung sekali per program dan hanya bila ia penduduk hidup, keluarga "
            "aktif atau rumah tangga berkepala penduduk hidup desa itu.",
        breaks_when="Tidak pernah pada data yang dihitung bersama.",
        relations=tuple(Relation((Side(table, (code,)),), "<=", units) for code in PROGRAMME_CATEGORIES))
      for table, units in AID_UNITS.items()),
)
VULNERABLE_TABLE = "kelompok-rentan"
# Kelompok rentan repeats rows of the register tables: the attacker subtracts them.
FLOW_IDENTITIES += (
    Identity(
        name="kelompok-rentan-dan-tabel-register",
        title="Kelompok rentan: bayi + balita 1-5 = BALITA; disabilitas = kode cacat 1-6; sakit "
              "menahun = kode 1-13; hamil >= perempuan hamil; bayi <= kelompok umur 0-1",
        why="Kelompok rentan dihitung dari umur, cacat, sakit menahun dan status hamil yang sama "
            "dengan tabel-tabel register.",
        breaks_when="Hamil: penduduk laki-laki berstatus hamil (salah isi) dihitung di kelompok rentan "
                    "saja.",
        relations=(
            Relation((Side(VULNERABLE_TABLE, (1, 2)),), "=", (Side(CATEGORY_TABLE, (1,)),)),
            Relation((Side(VULNERABLE_TABLE, (1,)),), "<=", (Side(BRACKET_TABLE, (1,)),)),
            Relation((Side(VULNERABLE_TABLE, (7,)),), "=",
                     (Side("penduduk-menurut-disabilitas", (1, 2, 3, 4, 5, 6)),)),
            Relation((Side(VULNERABLE_TABLE, (8,)),), "=",
                     (Side("penduduk-menurut-penyakit-menahun", tuple(range(1, 14))),)),
            Relation((Side(VULNERABLE_TABLE, (9,)),), ">=", (Side("status-kehamilan", (1,)),)),
        )),
)
IDENTITIES = IDENTITIES + FLOW_IDENTITIES

# ---- Stunting convergence (issue 16): the three scorecard tables of one quarter ------------
STUNTING_TARGETS_TABLE = "konvergensi-stunting-sasaran"
STUNTING_TIKAR_TABLE = "konvergensi-stunting-tikar"
STUNTING_SERVICES_TABLE = "konvergensi-stunting-layanan"


def _service_bound(code: int, plus: tuple[int, ...], minus: tuple[int, ...]) -> Relation:
    """Recipients of a service + the targets it excludes <= the targets it is for."""
    return Relation((Side(STUNTING_SERVICES_TABLE, (code,)),
                     *(Side(STUNTING_TARGETS_TABLE, (m,)) for m in minus)), "<=",
                    (Side(STUNTING_TARGETS_TABLE, plus),))


STUNTING_IDENTITIES: tuple[Identity, ...] = (
    Identity(
        name="stunting-tikar-sama-dengan-anak",
        title="Anak 0-23 bulan menurut status TIKAR = sasaran anak 0-23 bulan",
        why="Setiap anak (kartu KIA) triwulan itu dihitung sekali di sasaran dan sekali menurut "
            "status TIKAR baris terakhirnya.",
        breaks_when="Tidak pernah: kedua tabel dihitung dari kelompok anak yang sama.",
        relations=(Relation((Side(STUNTING_TIKAR_TABLE),), "=", (Side(STUNTING_TARGETS_TABLE, (ANAK,)),)),)),
    Identity(
        name="stunting-sasaran-bagian",
        title="Ibu KEK/risti, ibu bersalin <= ibu hamil; anak 0-5 bulan, gizi kurang + gizi buruk + "
              "stunting <= anak 0-23 bulan",
        why="Baris-baris itu menghitung sebagian kelompok ibu atau anak yang sama.",
        breaks_when="Tidak pernah.",
        relations=(
            Relation((Side(STUNTING_TARGETS_TABLE, (IBU_RISIKO,)),), "<=", (Side(STUNTING_TARGETS_TABLE, (IBU,)),)),
            Relation((Side(STUNTING_TARGETS_TABLE, (IBU_BERSALIN,)),), "<=",
                     (Side(STUNTING_TARGETS_TABLE, (IBU,)),)),
            Relation((Side(STUNTING_TARGETS_TABLE, (ANAK_0_5,)),), "<=", (Side(STUNTING_TARGETS_TABLE, (ANAK,)),)),
            Relation((Side(STUNTING_TARGETS_TABLE, (GIZI_KURANG, GIZI_BURUK, STUNTING)),), "<=",
                     (Side(STUNTING_TARGETS_TABLE, (ANAK,)),)))),
    Identity(
        name="stunting-layanan-paling-banyak-sasaran",
        title="Penerima setiap layanan konvergensi <= sasaran layanan itu (mis. pemeriksaan "
              "kehamilan <= ibu hamil - bersalin)",
        why="Indikator Y hanya untuk ibu atau anak yang menjadi sasaran layanan (bukan TS).",
        breaks_when="Tidak pernah.",
        relations=tuple(_service_bound(code, plus, minus)
                        for code, (_label, plus, minus) in STUNTING_SERVICES.items())),
)
IDENTITIES = IDENTITIES + STUNTING_IDENTITIES


def margin_identities() -> list[dict]:
    """The margins of the catalogue, named and explained, for the privacy report."""
    out = []
    for spec in CATALOGUE:
        margin = margin_of(spec)
        if margin is None or not margin[0]:
            continue
        table, kode, mode = margin
        word = {"fixed": "=", "women": "= (perempuan)", "bounded": "<="}[mode]
        out.append({"name": f"margin:{spec.name}", "title": f"jumlah {spec.name} {word} {table} kode {kode}"})
    return out


def declared() -> list[dict]:
    """Every identity (margins included) by name and title: what the privacy report cites."""
    return (margin_identities() + [{"name": i.name, "title": i.title} for i in IDENTITIES]
            + [{"name": CARRIED_OVER_NAME, "title": CARRIED_OVER_TITLE}])


def relations_for(tables: set[str]) -> list[tuple[Identity, Relation]]:
    """The relations whose every table is among ``tables`` (the others cannot be written)."""
    return [(i, r) for i in IDENTITIES if i.tables <= tables for r in i.relations]


def _side_sum(frames: dict[str, pd.DataFrame], sides: tuple[Side, ...]) -> pd.DataFrame:
    """Per desa, the count columns summed over the rows of ``sides``."""
    parts = []
    for side in sides:
        frame = frames[side.table]
        rows = frame if side.codes is None else frame[frame["kode"].isin(side.codes)]
        parts.append(rows.groupby("kode_desa")[list(COUNT_FIELDS)].sum())
    return sum(parts[1:], parts[0])


def broken(frames: dict[str, pd.DataFrame]) -> list[dict]:
    """Desa where counted tables break a declared identity: which identity, where, never values.

    ``frames`` maps table names to counted frames (kode_desa, kode and the count columns).
    """
    out = []
    for identity, relation in relations_for(set(frames)):
        left, right = _side_sum(frames, relation.left), _side_sum(frames, relation.right)
        left, right = left.align(right, fill_value=0)
        diff = (left - right).to_numpy()
        bad = {"=": diff != 0, "<=": diff > 0, ">=": diff < 0}[relation.op].any(axis=1)
        for desa in left.index[np.flatnonzero(bad)]:
            out.append({"identity": identity.name, "kode_desa": str(desa),
                        "message": f"desa {desa}: identitas '{identity.title}' tidak berlaku pada "
                                   f"data desa ini ({identity.breaks_when}) Auditor tetap "
                                   "mengandaikannya, seperti penyerang."})
    seen, unique = set(), []
    for item in out:
        key = (item["identity"], item["kode_desa"])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
