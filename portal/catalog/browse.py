"""Browsing the catalog by topic and by organisation (OPD): lists of their published datasets."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from portal.catalog import cache
from portal.catalog.search import SORTS, Links, SearchParams, facet_totals, search
from portal.datasets.models import Organization
from portal.datasets.topics import all_topics, get_topic
from portal.extensions import db

bp = Blueprint("browse", __name__)
cache.install(bp)  # anonymous readers get the rendered page while the catalog is unchanged
# A topic or organisation page lists by name unless asked otherwise (no text to rank by).
LIST_SORTS = {k: v for k, v in SORTS.items() if k != "relevance"}


def _listing(field: str, value: str, endpoint: str, **view_args):
    """One page of a topic's or organisation's datasets, sorted and paged from the URL."""
    sort = request.args.get("sort", "name")
    params = SearchParams(filters={field: [value]}, sort=sort if sort in LIST_SORTS else "name",
                          page=max(1, request.args.get("page", 1, type=int) or 1))
    # Links carry only sort and page (the filter is the page itself); the default sort stays implicit.
    links = Links(SearchParams(sort="" if params.sort == "name" else params.sort), endpoint, **view_args)
    return search(params, with_facets=False), links


@bp.get("/topik")
def topics():
    """Every topic with the number of published datasets in it."""
    counts = facet_totals("topic")
    items = [(slug, topic.label, counts.get(slug, 0)) for slug, topic in all_topics().items()]
    return render_template("catalog/topics.html", topics=items)


@bp.get("/topik/<slug>")
def topic(slug: str):
    """The published datasets of one topic."""
    found = get_topic(slug)
    if found is None:
        abort(404)
    result, links = _listing("topic", slug, "browse.topic", slug=slug)
    return render_template("catalog/topic.html", slug=slug, title=found.label, result=result,
                           links=links, sorts=LIST_SORTS, description=found.description_label)


@bp.get("/organisasi")
def organizations():
    """Every organisation (OPD) with the number of datasets it publishes."""
    counts = facet_totals("organization")
    orgs = db.session.scalars(select(Organization).order_by(Organization.title)).all()
    return render_template("catalog/organizations.html",
                           organizations=[(o, counts.get(o.name, 0)) for o in orgs])


@bp.get("/organisasi/<name>")
def organization(name: str):
    """One organisation (OPD) and the datasets it publishes."""
    org = db.session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        abort(404)
    result, links = _listing("organization", name, "browse.organization", name=name)
    return render_template("catalog/organization.html", organization=org, result=result,
                           links=links, sorts=LIST_SORTS)


def public_pages() -> list[tuple[str, dict]]:
    """(endpoint, arguments) of every topic and organisation page, for the sitemap."""
    orgs = facet_totals("organization")
    return [("browse.topics", {}), *(("browse.topic", {"slug": s}) for s in all_topics()),
            ("browse.organizations", {}),
            *(("browse.organization", {"name": n}) for n in sorted(orgs))]
