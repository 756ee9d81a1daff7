"""Fake names for the demo district: Balinese birth-order names plus a few minority styles."""
from __future__ import annotations

import numpy as np

from .util import concat, pick_strings

# Name styles, chosen per family from religion (and per person for foreign spouses).
BALI, MUSLIM, CHRISTIAN, CHINESE, FOREIGN = range(5)

# Title prefixes by caste (0 = none, then Brahmana, Ksatria and Wesia titles), male / female.
CASTE_MALE = ("I", "IDA BAGUS", "ANAK AGUNG", "I GUSTI", "DEWA")
CASTE_FEMALE = ("NI", "IDA AYU", "ANAK AGUNG AYU", "I GUSTI AYU", "DESAK")

# Balinese birth-order names: first, second, third and fourth child, then the cycle restarts.
ORDER_MALE = (("WAYAN", "PUTU", "GEDE"), ("MADE", "KADEK"), ("NYOMAN", "KOMANG"), ("KETUT",))
ORDER_FEMALE = (("WAYAN", "PUTU", "LUH PUTU", "LUH"), ("MADE", "KADEK", "LUH MADE"),
                ("NYOMAN", "KOMANG", "LUH NYOMAN"), ("KETUT", "LUH KETUT"))

BALI_MALE = (
    "SUDARMA", "ARTAWAN", "SUARDANA", "WIRAWAN", "ADNYANA", "SUKARTA", "PARWATA", "SUARJANA",
    "MERTA", "SUDIARTA", "WIDIASA", "SANTIKA", "ASTAWA", "SUWENA", "DARMAWAN", "SUPARTA", "YASA",
    "SUKADANA", "ARIMBAWA", "MAHENDRA", "PUTRA", "SURYA", "DIPTA", "KARIASA", "SUWECA", "WARDANA",
    "SUTAMA", "SEDANA", "ARDANA", "SUARKA", "GUNAWAN", "WINARTA", "JAYA", "SUDIRA", "KARYA",
    "MERTAYASA", "SUAMBARA", "RIANTA", "WIJAYA", "ANTARA", "SUJANA", "ARIAWAN", "DARMAYASA",
    "SUKERTA", "SWASTIKA", "ADI SAPUTRA", "YOGA PRATAMA", "BAGUS", "DANA", "RAKA", "AGUS",
    "BUDIARSA", "EKA PUTRA", "SUWARDANA", "PASTIKA", "SUKRAWAN", "WIRATA", "GEDE ARSANA",
)
BALI_FEMALE = (
    "SRI WAHYUNI", "ARIANI", "SUARNI", "WIDIASTUTI", "SUARTINI", "ARYANI", "SUDIARTI", "KARTINI",
    "MURNIATI", "PARWATI", "SRIANI", "ASTITI", "SUKERTI", "DEWI", "WIDYANTARI", "PURNAMI",
    "RATNADI", "SUSANTI", "MEI LINDAYANI", "INDAH", "LESTARI", "CAHYANI", "SUWARNI", "ARMINI",
    "SUWITRI", "RAI", "YULIANI", "ANGGRENI", "SUPARMI", "SETIAWATI", "ANDARI", "PERMATASARI",
    "KUSUMA DEWI", "SUCIATI", "SARI", "ARINI", "MARTINI", "WARSIKI", "DARMI", "SEKAR",
    "WIDIANI", "SUMERTI", "MADRI", "ARIASIH", "RESTITI", "DIAH", "PUSPITA", "TRISNAWATI",
)
MUSLIM_FIRST = (
    ("AHMAD", "MUHAMMAD", "ABDUL", "RUDI", "AGUS", "SUGENG", "HENDRA", "FAJAR", "RIZKI", "IMAM",
     "SLAMET", "HASAN", "YUSUF", "ARIF", "BAMBANG", "EKO", "JOKO", "IRFAN", "RAHMAT", "SAIFUL"),
    ("SITI", "NUR", "DEWI", "RINA", "SRI", "FATIMAH", "AISYAH", "YULIA", "LILIS", "ENDANG",
     "NINGSIH", "SUMIATI", "RATNA", "WATI", "INDAH", "ANISA", "LAILA", "UMI", "ERNA", "SUSI"),
)
MUSLIM_LAST = (
    ("HIDAYAT", "SANTOSO", "FAUZI", "RAHMAN", "SETIAWAN", "PRASETYO", "KURNIAWAN", "MAULANA",
     "SAPUTRA", "HAKIM", "WIBOWO", "NUGROHO", "SUBAGIO", "HASANUDIN", "SYAHPUTRA", "FIRMANSYAH"),
    ("AMINAH", "HALIMAH", "RAHAYU", "LESTARI", "HANDAYANI", "WULANDARI", "FITRIANI", "KHOTIMAH",
     "SUSANTI", "ZULAIKHA", "MAHMUDAH", "NURHAYATI", "PURWANTI", "MARYAM", "SAFITRI", "KHASANAH"),
)
CHRISTIAN_FIRST = (
    ("YOHANES", "PAULUS", "PETRUS", "MARKUS", "STEFANUS", "ANDREAS", "YOSEF", "FRANSISKUS",
     "DANIEL", "MATIUS", "BENEDIKTUS", "KRISTIANUS", "YAKOBUS", "SIMON", "TIMOTIUS"),
    ("MARIA", "MAGDALENA", "ELISABETH", "KATARINA", "YOHANA", "THERESIA", "AGNES", "DEBORA",
     "VERONIKA", "RUTH", "MARTA", "FELISITAS", "SELVI", "NOVITA", "CHRISTINA"),
)
CHRISTIAN_LAST = (
    "SITUMORANG", "SIMANJUNTAK", "MANAFE", "NDUN", "LAOLI", "MBULU", "KAPITAN", "SIHOMBING",
    "TANAMAL", "PATTY", "LEWERISSA", "DA COSTA", "PANDIE", "TEFA", "WORUNG", "SINAGA",
)
CHINESE_FIRST = (
    ("HENDRA", "WILLY", "SUSANTO", "ANTON", "HARTONO", "JOHAN", "KEVIN", "LIMAN", "BUDI", "TEDDY"),
    ("LINA", "SUSI", "MELIANA", "LANNY", "FENNY", "JESSICA", "LIANA", "MEILINDA", "VIVI", "YENNY"),
)
CHINESE_LAST = (
    "WIJAYA", "GUNAWAN", "TANUWIJAYA", "HALIM", "SANTOSO", "KUSUMA", "TJANDRA", "SETIADI",
    "HARTANTO", "LIE", "TAN", "SALIM",
)
FOREIGN_FIRST = (
    ("JOHN", "MICHAEL", "DAVID", "PETER", "THOMAS", "HIROSHI", "PIERRE", "LUCAS", "MARCO", "JAN",
     "ANDREW", "STEFAN"),
    ("ANNA", "SARAH", "EMMA", "YUKI", "SOPHIE", "MARIE", "LAURA", "JULIA", "EMILY", "CHLOE",
     "INGRID", "HANNA"),
)
FOREIGN_LAST = (
    "SMITH", "JONES", "MUELLER", "DE VRIES", "TANAKA", "DUBOIS", "ROSSI", "JANSEN", "BROWN",
    "WILSON", "SCHMIDT", "MARTIN", "NIELSEN", "KOWALSKI",
)


def _by_sex(rng: np.random.Generator, sex: np.ndarray, lists: tuple[tuple[str, ...], tuple[str, ...]]) -> np.ndarray:
    """Draw from the male list for sex 1 and the female list otherwise."""
    male = pick_strings(rng, len(sex), lists[0])
    female = pick_strings(rng, len(sex), lists[1])
    return np.where(sex == 1, male, female)


def _balinese(
    rng: np.random.Generator, sex: np.ndarray, order: np.ndarray, caste: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """'I WAYAN SUDARMA', 'NI LUH MADE ARIANI', 'IDA BAGUS NYOMAN ...' from sex, birth order and caste."""
    n = len(sex)
    prefix = np.where(sex == 1, np.array(CASTE_MALE, dtype=object)[caste], np.array(CASTE_FEMALE, dtype=object)[caste])
    slot = order % 4
    order_name = np.empty(n, dtype=object)
    for k in range(4):
        m = slot == k
        order_name[m] = _by_sex(rng, sex[m], (ORDER_MALE[k], ORDER_FEMALE[k]))
    given = _by_sex(rng, sex, (BALI_MALE, BALI_FEMALE))
    # Some women carry "AYU" before the given name; only without a caste title that already has it.
    ayu = (sex == 2) & (caste == 0) & (rng.random(n) < 0.2)
    full = concat(prefix, " ", order_name, " ", np.where(ayu, "AYU ", ""), given)
    return full, given


def make_names(
    rng: np.random.Generator, sex: np.ndarray, style: np.ndarray, order: np.ndarray, caste: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Full names (upper case, as on KK/KTP) and a first-name token for e-mail addresses."""
    n = len(sex)
    full = np.empty(n, dtype=object)
    token = np.empty(n, dtype=object)
    m = style == BALI
    full[m], token[m] = _balinese(rng, sex[m], order[m], caste[m])
    for st, first_lists, last in (
        (MUSLIM, MUSLIM_FIRST, None),
        (CHRISTIAN, CHRISTIAN_FIRST, CHRISTIAN_LAST),
        (CHINESE, CHINESE_FIRST, CHINESE_LAST),
        (FOREIGN, FOREIGN_FIRST, FOREIGN_LAST),
    ):
        m = style == st
        k = int(m.sum())
        first = _by_sex(rng, sex[m], first_lists)
        family = _by_sex(rng, sex[m], MUSLIM_LAST) if last is None else pick_strings(rng, k, last)
        full[m] = concat(first, " ", family)
        token[m] = first
    token = np.array([t.split(" ")[0].lower() for t in token], dtype=object)
    return full, token
