"""Controlled vocabularies of dataset metadata: licences, frequencies, statuses."""
from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    """An open licence with its Open Definition id."""

    id: str
    title: str
    url: str


LICENCES: dict[str, Licence] = {
    lic.id: lic
    for lic in (
        Licence("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
        Licence("CC0-1.0", "Creative Commons CCZero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        Licence("ODC-BY-1.0", "Open Data Commons Attribution License 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    )
}
DEFAULT_LICENCE = "CC-BY-4.0"


@dataclass(frozen=True)
class Topic:
    """A topic (CKAN group) datasets are filed under."""

    name: str
    title: str
    title_en: str


TOPICS: dict[str, Topic] = {
    t.name: t
    for t in (
        Topic("kependudukan", "Kependudukan", "Population"),
        Topic("pendidikan", "Pendidikan", "Education"),
        Topic("kesehatan", "Kesehatan", "Health"),
        Topic("ketenagakerjaan", "Ketenagakerjaan", "Employment"),
        Topic("jaminan-sosial", "Jaminan Sosial", "Social Security"),
        Topic("agama", "Agama", "Religion"),
    )
}


class Frequency(str, enum.Enum):
    """How often a dataset is updated (Satu Data 'frekuensi penerbitan')."""

    MONTHLY = "bulanan"
    QUARTERLY = "triwulanan"
    SEMIANNUAL = "semesteran"
    ANNUAL = "tahunan"

    @property
    def label(self) -> str:
        """Indonesian label."""
        return {"bulanan": "Bulanan", "triwulanan": "Triwulanan",
                "semesteran": "Semesteran", "tahunan": "Tahunan"}[self.value]


class PrivacyClass(str, enum.Enum):
    """UU PDP class of the data a table is counted from."""

    GENERAL = "umum"
    SPECIFIC = "spesifik"

    @property
    def label(self) -> str:
        """Indonesian label."""
        return {"umum": "Data pribadi umum (agregat)",
                "spesifik": "Data pribadi spesifik, Pasal 4(2) (agregat)"}[self.value]


class ReleaseStatus(str, enum.Enum):
    """Where a release is in the four-eyes workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    # Claimed by one walidata's approval while its files are written; never public.
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """Indonesian label."""
        return {"draft": "Draf", "submitted": "Menunggu persetujuan",
                "publishing": "Sedang diterbitkan", "published": "Terbit",
                "rejected": "Ditolak", "superseded": "Digantikan", "withdrawn": "Ditarik"}[self.value]
