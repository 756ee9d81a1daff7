"""Typed models of the catalog: organisations, datasets, releases, files."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.time import utcnow
from portal.core.vocabularies import DEFAULT_LICENCE, Frequency, PrivacyClass, ReleaseStatus
from portal.extensions import db, enum_column


def new_uuid() -> str:
    """A random UUID as text, the public id of a dataset; never one shaped like personal data.

    About one UUID in 500 has a run of digits that the output scan reads as a NIK or a phone
    number; it is published in every datapackage.json, so such a draw is simply redrawn.
    """
    from portal.privacy.scan import PATTERNS

    while True:
        candidate = str(uuid.uuid4())
        if not any(p.search(f'"urn:uuid:{candidate}"') for p in PATTERNS.values()):
            return candidate


class Organization(db.Model):
    """An OPD (regional agency) that publishes datasets."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The OPD's role address (kontak in the Satu Data metadata), never a person's.
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")


class Topic(db.Model):
    """A topic (CKAN group) datasets are filed under; a register the walidata keep.

    ``Dataset.topic`` holds the slug as plain text, not a foreign key: a harvest may file a
    table under a topic not (yet) registered, and its pages still show it by its slug.
    """

    __tablename__ = "topic"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # The set the topic belongs to ("" for the register's own topics, always shown); a topic
    # of a set is shown only while a walidata has the set switched on (TopicSet.active).
    topic_set: Mapped[str] = mapped_column(String(60), default="", server_default="")


class TopicSet(db.Model):
    """A group of topics a walidata switches on or off as one (e.g. the five priority fields)."""

    __tablename__ = "topic_set"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=False)


class TopicStatistic(db.Model):
    """A statistic filed under a topic besides its own (``Dataset.topic``), by dataset name.

    Plain text like ``Dataset.topic``: a statistic may be mapped before its first harvest.
    """

    __tablename__ = "topic_statistic"

    topic: Mapped[str] = mapped_column(String(60), primary_key=True)
    dataset_name: Mapped[str] = mapped_column(String(100), primary_key=True)


class Dataset(db.Model):
    """One statistic table, published as successive versions."""

    __tablename__ = "dataset"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(60), default="kependudukan")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    licence_id: Mapped[str] = mapped_column(String(40), default=DEFAULT_LICENCE)
    frequency: Mapped[Frequency] = mapped_column(
        enum_column(Frequency), default=Frequency.MONTHLY
    )
    privacy_class: Mapped[PrivacyClass] = mapped_column(
        enum_column(PrivacyClass), default=PrivacyClass.GENERAL
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Satu Data Indonesia metadata (portal.datasets.metadata lists them): the Standar Data of
    # Perpres 39/2019 Pasal 4 and the rest a walidata checks; "" until filled.
    konsep: Mapped[str] = mapped_column(String(200), default="", server_default="")
    definisi: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    klasifikasi: Mapped[str] = mapped_column(String(500), default="", server_default="")
    ukuran: Mapped[str] = mapped_column(String(100), default="", server_default="")
    satuan: Mapped[str] = mapped_column(String(100), default="", server_default="")
    tingkat_penyajian: Mapped[str] = mapped_column(String(20), default="", server_default="")
    cakupan_wilayah: Mapped[str] = mapped_column(String(200), default="", server_default="")
    periode_data: Mapped[str] = mapped_column(String(100), default="", server_default="")
    sumber_data: Mapped[str] = mapped_column(String(500), default="", server_default="")
    kode_referensi: Mapped[str] = mapped_column(String(200), default="", server_default="")

    organization: Mapped[Organization] = relationship()
    releases: Mapped[list[Release]] = relationship(
        back_populates="dataset", order_by="Release.id", cascade="all, delete-orphan"
    )


# A version number belongs to one release once it has been (or is being) published;
# drafts may share a number, superseded or rejected ones never block it.
HELD_VERSION = text("status IN ('publishing', 'published', 'withdrawn')")


class Release(db.Model):
    """A candidate or published version of a dataset; immutable once published."""

    __tablename__ = "release"
    __table_args__ = (
        Index("ux_release_dataset_version", "dataset_id", "version", unique=True,
              sqlite_where=HELD_VERSION, postgresql_where=HELD_VERSION),
        # "Latest published" (catalog fingerprints, feeds, the home page) from the index alone.
        Index("ix_release_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id"))
    harvest_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_run.id"))
    status: Mapped[ReleaseStatus] = mapped_column(
        enum_column(ReleaseStatus), default=ReleaseStatus.DRAFT, index=True
    )
    version: Mapped[str] = mapped_column(String(20))
    reference_date: Mapped[date]
    change_note: Mapped[str] = mapped_column(Text, default="")
    # Hashes that decide whether anything changed, and so the next version number.
    schema_hash: Mapped[str] = mapped_column(String(64))
    data_hash: Mapped[str] = mapped_column(String(64))
    privacy_report: Mapped[dict] = mapped_column(JSON, default=dict)
    validation_report: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The account whose harvest, upload or metadata edit made the draft (four eyes).
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    # The catalog metadata this version publishes (title, description, tags, OPD, licence,
    # frequency); copied onto the dataset when it becomes the latest public version.
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")

    dataset: Mapped[Dataset] = relationship(back_populates="releases")
    files: Mapped[list[ReleaseFile]] = relationship(
        back_populates="release", order_by="ReleaseFile.id", cascade="all, delete-orphan"
    )
    drafted_by: Mapped[User | None] = relationship(foreign_keys=[drafted_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_public(self) -> bool:
        """Only published releases are ever shown outside the admin pages."""
        return self.status == ReleaseStatus.PUBLISHED

    @property
    def is_withdrawn(self) -> bool:
        """A version that was public and has been taken down; only its tombstone remains."""
        return self.status == ReleaseStatus.WITHDRAWN

    def file(self, name: str) -> ReleaseFile | None:
        """The file of this release called ``name``."""
        return next((f for f in self.files if f.name == name), None)


class ReleaseFile(db.Model):
    """A downloadable file of a release, with its size and sha256."""

    __tablename__ = "release_file"
    __table_args__ = (UniqueConstraint("release_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"))
    name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(20))
    media_type: Mapped[str] = mapped_column(String(100))
    bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))

    release: Mapped[Release] = relationship(back_populates="files")
