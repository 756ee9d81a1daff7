"""The UU PDP class of an upload: the produsen's choice, raised to specific when it must be.

Specific personal data (UU 27/2022 pasal 4): health, disability, children, religion-based and
financial data among them. When a column name, the title or a category value speaks of one
of these, the class is raised to specific and the report says which word and where.
"""
from __future__ import annotations

import re

import pandas as pd

from portal.core.vocabularies import PrivacyClass
from portal.uploads.roles import Column

SPECIFIC_WORDS: dict[str, tuple[str, ...]] = {
    "kesehatan": ("sakit", "penyakit", "pasien", "kesehatan", "gizi", "stunting", "imunisasi", "hamil",
                  "hiv", "aids", "tbc", "tuberkulosis", "kusta", "diabetes", "hipertensi", "kematian",
                  "rawat", "obat", "narkoba", "odgj", "gangguan_jiwa", "kb", "kontrasepsi", "bpjs"),
    "disabilitas": ("disabilitas", "difabel", "cacat", "tunanetra", "tunarungu", "tunadaksa"),
    "anak": ("anak", "balita", "bayi", "siswa", "murid", "pelajar", "yatim", "piatu", "remaja"),
    "agama": ("agama", "islam", "kristen", "katolik", "hindu", "buddha", "budha", "konghucu",
              "kepercayaan", "jemaat", "umat"),
    "keuangan": ("miskin", "kemiskinan", "bansos", "pkh", "bpnt", "blt", "pendapatan", "penghasilan",
                 "utang", "hutang", "kredit", "pinjaman", "tabungan", "desil", "dtks", "pajak"),
}
_WORD = re.compile(r"[a-z]+")


def _hits(text: str) -> set[str]:
    """The groups of specific data a text speaks of."""
    tokens = set(_WORD.findall(text.lower().replace("_", " ")))
    joined = text.lower().replace(" ", "_")
    return {group for group, terms in SPECIFIC_WORDS.items()
            for term in terms if term in tokens or ("_" in term and term in joined)}


def classify(chosen: str, title: str, columns: list[Column], frame: pd.DataFrame) -> tuple[str, list[str]]:
    """The class to apply and the reasons it was raised (empty when the produsen's stands)."""
    reasons = []
    for group in sorted(_hits(title)):
        reasons.append(f"judul menyebut data {group}")
    for column in columns:
        for group in sorted(_hits(column.name)):
            reasons.append(f"kolom {column.name} menyebut data {group}")
        if column.peran == "dimensi":
            values = " ".join(frame[column.name].drop_duplicates().head(500))
            for group in sorted(_hits(values)):
                reasons.append(f"kategori kolom {column.name} menyebut data {group}")
    if chosen not in {c.value for c in PrivacyClass}:
        chosen = PrivacyClass.GENERAL.value
    if reasons and chosen != PrivacyClass.SPECIFIC.value:
        return PrivacyClass.SPECIFIC.value, reasons
    return chosen, ([] if chosen == PrivacyClass.SPECIFIC.value and not reasons else reasons)
