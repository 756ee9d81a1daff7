"""The topic register (CKAN groups) as the pages read it: ordered, cached per request, localised.

The walidata edit it in the admin pages (portal.admin.topics). Every reader goes through
``all_topics`` / ``get_topic``: one small query per request, kept in ``flask.g`` and
forgotten when a request starts or the register changes.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_app_context, request_started
from sqlalchemy import select

from portal.datasets.models import Topic, TopicSet, TopicStatistic
from portal.extensions import db
from portal.i18n import localized

_CACHE = "_portal_topics"


@dataclass(frozen=True)
class TopicView:
    """A registered topic, detached from the session (safe in templates and caches)."""

    name: str
    title: str
    title_en: str = ""
    description: str = ""
    description_en: str = ""
    position: int = 0
    topic_set: str = ""

    @property
    def label(self) -> str:
        """The topic's title in the reader's language."""
        return localized(self, "title")

    @property
    def description_label(self) -> str:
        """The topic's description in the reader's language (Indonesian when no English)."""
        return localized(self, "description")


def _load() -> dict[str, TopicView]:
    """The topics shown: the register's own and those of a set switched on."""
    active = set(db.session.scalars(select(TopicSet.name).where(TopicSet.active.is_(True))))
    rows = db.session.scalars(select(Topic).order_by(Topic.position, Topic.title, Topic.name))
    return {t.name: TopicView(t.name, t.title, t.title_en or "", t.description or "",
                              t.description_en or "", t.position, t.topic_set or "")
            for t in rows if not t.topic_set or t.topic_set in active}


def all_topics() -> dict[str, TopicView]:
    """Every registered topic by slug, in the register's order (by position, then title)."""
    if not has_app_context():
        return _load()
    found = g.get(_CACHE)
    if found is None:
        found = _load()
        setattr(g, _CACHE, found)
    return found


def get_topic(slug: str) -> TopicView | None:
    """The registered topic called ``slug``, or None."""
    return all_topics().get(slug)


def topic_label(slug: str) -> str:
    """A topic's title in the reader's language; an unregistered slug is shown as it is."""
    found = get_topic(slug)
    return found.label if found else slug


def mapped_statistics(slug: str) -> list[str]:
    """Names of the statistics filed under ``slug`` besides their own topic (any set state)."""
    return list(db.session.scalars(select(TopicStatistic.dataset_name)
                                   .where(TopicStatistic.topic == slug)
                                   .order_by(TopicStatistic.dataset_name)))


def extra_topics(dataset_name: str) -> list[str]:
    """Shown topics a statistic belongs to besides its own (priority fields switched on)."""
    shown = all_topics()
    found = set(db.session.scalars(select(TopicStatistic.topic)
                                   .where(TopicStatistic.dataset_name == dataset_name)))
    return [slug for slug in shown if slug in found]


def forget() -> None:
    """Drop this request's copy of the register (after a change, before it is read again)."""
    if has_app_context():
        g.pop(_CACHE, None)


@request_started.connect
def _on_request_started(_app, **_extra) -> None:
    # Tests (and the CLI) may run several requests in one app context, which share ``g``.
    forget()
