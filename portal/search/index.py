"""The catalog's search index: one row per public dataset, its facet values, and its full text.

The full text is stemmed here (``portal.search.analysis``) and stored as plain words, so
SQLite FTS5 (``search_fts``) and PostgreSQL (``search_entry.document``, a tsvector with a
GIN index) only match words and never need a language of their own. Only datasets with a
published version are indexed; ``reindex`` runs inside the transaction that publishes or
withdraws, so the index and the public state commit (or roll back) together.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import ForeignKey, Index, String, Text, delete, insert, select, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.vocabularies import ReleaseStatus
from portal.datasets import files
from portal.datasets.models import Dataset, Release
from portal.datasets.signals import catalog_changed
from portal.datasets.topics import extra_topics, get_topic
from portal.datasets.versions import published_versions
from portal.extensions import db
from portal.search.analysis import analyse

log = logging.getLogger(__name__)
# Full-text fields, most telling first; SQLite weighs them in this order (BM25), PostgreSQL
# gives them the tsvector weights A to D.
TEXT_FIELDS = ("title", "tags", "description", "columns", "context")
FTS_WEIGHTS = (10.0, 5.0, 2.0, 1.0, 0.5)
PG_WEIGHTS = {"title": "A", "tags": "B", "description": "C", "columns": "D", "context": "D"}


class SearchEntry(db.Model):
    """What a search result shows of a public dataset, without loading its releases."""

    __tablename__ = "search_entry"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    organization: Mapped[str] = mapped_column(String(100))
    organization_title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(index=True)
    formats: Mapped[str] = mapped_column(String(100), default="")


class SearchFacet(db.Model):
    """One facet value of an indexed dataset (a dataset has several tags and formats)."""

    __tablename__ = "search_facet"
    __table_args__ = (Index("ix_search_facet_field_value", "field", "value"),)

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


def dialect() -> str:
    """The portal database's dialect name ("sqlite" or "postgresql")."""
    return db.session.get_bind().dialect.name


def column_labels(release: Release) -> list[str]:
    """Field titles and category labels of a published version's table schema."""
    content = files.published_bytes(release, "datapackage.json")
    if content is None:
        log.warning("datapackage.json of release %s is missing; indexed without column labels", release.id)
        return []
    try:
        descriptor = json.loads(content)
    except ValueError:
        log.warning("datapackage.json of release %s is not JSON; indexed without column labels", release.id)
        return []
    labels = []
    for resource in descriptor.get("resources", []):
        for field in resource.get("schema", {}).get("fields", []):
            labels.append(field.get("title") or field.get("name", ""))
            for category in field.get("categories", []) or []:
                labels.append(category.get("label", "") if isinstance(category, dict) else str(category))
    return list(dict.fromkeys(label for label in labels if label))


def last_public_change(dataset: Dataset, latest: Release) -> datetime:
    """When the public last saw the dataset change: its newest publication or a later withdrawal.

    A harvester asking ``metadata_modified:[since TO *]`` must see a withdrawal too.
    """
    withdrawn = [r.withdrawn_at for r in dataset.releases
                 if r.status == ReleaseStatus.WITHDRAWN and r.withdrawn_at and r.published_at]
    return max([latest.published_at, *withdrawn])


def _document(dataset: Dataset, latest: Release) -> tuple[dict, list[tuple[str, str]], dict[str, str]]:
    """The entry row, the facet values and the stemmed text fields of one public dataset."""
    org = dataset.organization
    formats = sorted({f.format.lower() for f in latest.files})
    tags = list(dict.fromkeys(t.strip().lower() for t in dataset.tags or [] if t.strip()))
    entry = {"dataset_id": dataset.id, "name": dataset.name, "title": dataset.title,
             "title_en": dataset.title_en or "", "description": dataset.description or "",
             "description_en": dataset.description_en or "", "organization": org.name,
             "organization_title": org.title, "topic": dataset.topic, "version": latest.version,
             "updated_at": last_public_change(dataset, latest), "formats": " ".join(formats)}
    facets = [("topic", dataset.topic), *(("topic", t) for t in extra_topics(dataset.name)),
              ("organization", org.name),
              ("licence", dataset.licence_id), ("privacy", dataset.privacy_class.value),
              *(("tags", t) for t in tags), *(("format", f) for f in formats)]
    topic = get_topic(dataset.topic)
    raw = {"title": [dataset.title, dataset.title_en or "", dataset.name.replace("-", " ")],
           "tags": [*tags, *([topic.title, topic.title_en] if topic else [dataset.topic])],
           "description": [dataset.description or "", dataset.description_en or ""],
           "columns": column_labels(latest),
           "context": [org.title, org.description or ""]}
    stemmed = {k: " ".join(w for part in parts for w in analyse(part)) for k, parts in raw.items()}
    return entry, list(dict.fromkeys(facets)), stemmed


def _remove(dataset_id: str) -> None:
    """Delete one dataset's entry, facet values and full text from the index."""
    db.session.execute(delete(SearchFacet).where(SearchFacet.dataset_id == dataset_id)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(SearchEntry).where(SearchEntry.dataset_id == dataset_id)
                       .execution_options(synchronize_session=False))
    if dialect() == "sqlite":
        db.session.execute(text("DELETE FROM search_fts WHERE dataset_id = :id"), {"id": dataset_id})


def _write_text(dataset_id: str, stemmed: dict[str, str]) -> None:
    """Store one dataset's stemmed fields: an FTS5 row, or the weighted tsvector on PostgreSQL."""
    if dialect() == "sqlite":
        db.session.execute(text(
            f"INSERT INTO search_fts (dataset_id, {', '.join(TEXT_FIELDS)}) "
            f"VALUES (:dataset_id, {', '.join(':' + f for f in TEXT_FIELDS)})"),
            {"dataset_id": dataset_id, **stemmed})
    elif dialect() == "postgresql":
        vector = " || ".join(f"setweight(to_tsvector('simple', :{f}), '{PG_WEIGHTS[f]}')"
                             for f in TEXT_FIELDS)
        db.session.execute(text(f"UPDATE search_entry SET document = {vector} WHERE dataset_id = :id"),
                           {"id": dataset_id, **stemmed})


def reindex(dataset: Dataset) -> bool:
    """Bring one dataset's index rows in line with what is public; True if it is indexed."""
    db.session.flush()
    _remove(dataset.id)
    versions = published_versions(dataset)
    if not versions:
        return False
    entry, facets, stemmed = _document(dataset, versions[0])
    db.session.execute(insert(SearchEntry), [entry])
    db.session.execute(insert(SearchFacet), [{"dataset_id": dataset.id, "field": f, "value": v}
                                             for f, v in facets])
    _write_text(dataset.id, stemmed)
    return True


def reindex_all() -> int:
    """Rebuild the whole index from the published catalog; the number of datasets indexed."""
    db.session.execute(delete(SearchFacet).execution_options(synchronize_session=False))
    db.session.execute(delete(SearchEntry).execution_options(synchronize_session=False))
    if dialect() == "sqlite":
        db.session.execute(text("DELETE FROM search_fts"))
    published = select(Release.dataset_id).where(Release.status == ReleaseStatus.PUBLISHED)
    count = 0
    for dataset in db.session.scalars(select(Dataset).where(Dataset.id.in_(published))):
        count += reindex(dataset)
    return count


@catalog_changed.connect
def _on_catalog_changed(dataset: Dataset, **_extra) -> None:
    """Publish, withdraw or a published metadata edit: reindex that dataset in the same transaction."""
    reindex(dataset)


search_cli = AppGroup("search", help="Indeks pencarian katalog.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index of every published dataset."""
    count = reindex_all()
    db.session.commit()
    click.echo(f"{count} dataset diindeks.")
