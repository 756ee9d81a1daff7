"""Controlled vocabularies of dataset metadata: licences, frequencies, statuses.

Topics are a register in the database (portal.datasets.topics), edited by the walidata.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


def source_text(text: LazyString | str) -> str:
    """The Indonesian source of a lazily translated label (stable: the API and files use it)."""
    return text._args[0] if isinstance(text, LazyString) else str(text)


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


def licence(licence_id: str) -> Licence:
    """The licence of a dataset; an unknown id is reported as itself, without a URL."""
    return LICENCES.get(licence_id) or Licence(licence_id, licence_id, "")


class Frequency(str, enum.Enum):
    """How often a dataset is updated (Satu Data 'frekuensi penerbitan')."""

    MONTHLY = "bulanan"
    QUARTERLY = "triwulanan"
    SEMIANNUAL = "semesteran"
    ANNUAL = "tahunan"

    @property
    def label(self) -> str:
        """Label in the reader's language."""
        return str(_FREQUENCY_LABELS[self.value])

    @property
    def label_id(self) -> str:
        """Indonesian label (stable: the API and the published files use it)."""
        return source_text(_FREQUENCY_LABELS[self.value])


class PrivacyClass(str, enum.Enum):
    """UU PDP class of the data a table is counted from."""

    GENERAL = "umum"
    SPECIFIC = "spesifik"

    @property
    def label(self) -> str:
        """Label in the reader's language."""
        return str(_PRIVACY_LABELS[self.value])

    @property
    def label_id(self) -> str:
        """Indonesian label (stable: the API and the published files use it)."""
        return source_text(_PRIVACY_LABELS[self.value])


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
        """Label in the reader's language."""
        return str(_STATUS_LABELS[self.value])


# Marked with lazy_gettext so that extraction finds them; turned into text on each use.
_FREQUENCY_LABELS = {"bulanan": _l("Bulanan"), "triwulanan": _l("Triwulanan"),
                     "semesteran": _l("Semesteran"), "tahunan": _l("Tahunan")}
_PRIVACY_LABELS = {"umum": _l("Data pribadi umum (agregat)"),
                   "spesifik": _l("Data pribadi spesifik, Pasal 4(2) (agregat)")}
_STATUS_LABELS = {"draft": _l("Draf"), "submitted": _l("Menunggu persetujuan"),
                  "publishing": _l("Sedang diterbitkan"), "published": _l("Terbit"),
                  "rejected": _l("Ditolak"), "superseded": _l("Digantikan"), "withdrawn": _l("Ditarik")}
