"""The register of topics (CKAN groups): one service behind the admin pages and any CLI.

Every change is written to the audit log (which also moves the catalog fingerprint, so the
page cache and the API snapshot of every worker see it) and sends ``catalog_changed`` for
each dataset filed under the topic, so the search index picks up the new title in the same
transaction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit.log import record
from portal.auth.models import User
from portal.auth.permissions import require
from portal.datasets import topics
from portal.datasets.models import Dataset, Topic, TopicSet, TopicStatistic
from portal.datasets.signals import catalog_changed
from portal.extensions import db

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIELDS = ("title", "title_en", "description", "description_en", "position")


class TopicError(ValueError):
    """A topic could not be saved or deleted as asked (the message is shown to the user)."""


@dataclass(frozen=True)
class TopicRow:
    """A topic of the register with how many datasets are filed under it, for the admin list."""

    topic: Topic
    datasets: int


def dataset_counts() -> dict[str, int]:
    """How many datasets (public or not) are filed under each topic slug."""
    return dict(db.session.execute(select(Dataset.topic, func.count()).group_by(Dataset.topic)).all())


def listing() -> tuple[list[TopicRow], dict[str, int]]:
    """The register's own topics in order, and the slugs datasets use that it lacks (with counts)."""
    counts = dataset_counts()
    found = list(db.session.scalars(select(Topic).order_by(Topic.position, Topic.title, Topic.name)))
    known = {t.name for t in found}
    unknown = {name: n for name, n in sorted(counts.items()) if name not in known}
    # Topics of a set are listed with their set (set_listing), switched on or off as one.
    return [TopicRow(t, counts.get(t.name, 0)) for t in found if not t.topic_set], unknown


@dataclass(frozen=True)
class SetRow:
    """A topic set for the admin list: whether it is on, its topics and their mapped statistics."""

    topic_set: TopicSet
    topics: list[Topic]
    statistics: dict[str, list[str]]


def set_listing() -> list[SetRow]:
    """Every topic set with its topics (in order) and the statistics mapped to each."""
    out = []
    for found in db.session.scalars(select(TopicSet).order_by(TopicSet.name)):
        members = list(db.session.scalars(select(Topic).where(Topic.topic_set == found.name)
                                          .order_by(Topic.position, Topic.name)))
        out.append(SetRow(found, members, {t.name: topics.mapped_statistics(t.name) for t in members}))
    return out


def switch_set(user: User, topic_set: TopicSet, active: bool) -> TopicSet:
    """Switch a topic set on or off (walidata only); the caller commits.

    On: its topics appear on the topic pages, facets and API, with the statistics mapped to
    them; off: they disappear again. The topics and the mapping themselves are kept.
    """
    require(user, "manage_topics")
    if bool(topic_set.active) == bool(active):
        raise TopicError(_("Tidak ada perubahan."))
    topic_set.active = bool(active)
    record("topic_set_switch", user, topic_set=topic_set.name, active=bool(active))
    topics.forget()
    members = list(db.session.scalars(select(Topic.name).where(Topic.topic_set == topic_set.name)))
    names = set(db.session.scalars(select(TopicStatistic.dataset_name)
                                   .where(TopicStatistic.topic.in_(members))))
    for dataset in db.session.scalars(select(Dataset).where(
            Dataset.topic.in_(members) | Dataset.name.in_(names)).order_by(Dataset.name)):
        catalog_changed.send(dataset)
    return topic_set


def _clean(values: dict) -> dict:
    clean = {k: (values.get(k) or "").strip() for k in FIELDS if k != "position"}
    if not clean["title"] or len(clean["title"]) > 200 or len(clean["title_en"]) > 200:
        raise TopicError(_("Nama topik wajib diisi (paling banyak 200 karakter)."))
    if len(clean["description"]) > 5000 or len(clean["description_en"]) > 5000:
        raise TopicError(_("Deskripsi paling banyak 5000 karakter."))
    try:
        clean["position"] = int(str(values.get("position") or 0).strip())
    except ValueError:
        clean["position"] = -1
    if not 0 <= clean["position"] <= 100000:
        raise TopicError(_("Urutan harus bilangan bulat 0 sampai 100000."))
    return clean


def _title_taken(title: str, except_name: str = "") -> bool:
    return db.session.scalar(select(Topic.name).where(
        func.lower(Topic.title) == title.lower(), Topic.name != except_name)) is not None


def _changed(name: str) -> None:
    """Tell the catalog: this request's copy is stale, and each dataset of the topic is reindexed."""
    topics.forget()
    for dataset in db.session.scalars(select(Dataset).where(Dataset.topic == name).order_by(Dataset.name)):
        catalog_changed.send(dataset)


def create(user: User, name: str, **values) -> Topic:
    """Register a new topic (walidata only); the caller commits."""
    require(user, "manage_topics")
    name = (name or "").strip().lower()
    if not NAME_RE.match(name) or len(name) > 60:
        raise TopicError(_("Nama singkat hanya boleh huruf kecil, angka dan tanda hubung."))
    clean = _clean(values)
    if db.session.get(Topic, name) is not None:
        raise TopicError(_("Topik dengan nama singkat ini sudah ada."))
    if _title_taken(clean["title"]):
        raise TopicError(_("Topik dengan nama ini sudah ada."))
    topic = Topic(name=name, **clean)
    db.session.add(topic)
    record("topic_create", user, topic=name, title=clean["title"])
    # Datasets may already be filed under this slug (a harvest ahead of the register).
    _changed(name)
    return topic


def update(user: User, topic: Topic, **values) -> Topic:
    """Change a topic's titles, descriptions and position (walidata only); the caller commits.

    The slug stays: it is in every page address, feed and published package that cites it.
    """
    require(user, "manage_topics")
    clean = _clean(values)
    if _title_taken(clean["title"], except_name=topic.name):
        raise TopicError(_("Topik dengan nama ini sudah ada."))
    changes = {k: {"from": getattr(topic, k), "to": v} for k, v in clean.items() if getattr(topic, k) != v}
    if not changes:
        raise TopicError(_("Tidak ada perubahan."))
    for key, value in clean.items():
        setattr(topic, key, value)
    record("topic_update", user, topic=topic.name, changes=changes)
    _changed(topic.name)
    return topic


def delete(user: User, topic: Topic) -> None:
    """Remove a topic no dataset is filed under (walidata only); the caller commits."""
    require(user, "manage_topics")
    used = dataset_counts().get(topic.name, 0)
    if used:
        raise TopicError(_("Topik %(title)s tidak dapat dihapus: %(n)s dataset memakainya.",
                           title=topic.title, n=used))
    record("topic_delete", user, topic=topic.name, title=topic.title)
    db.session.delete(topic)
    topics.forget()
