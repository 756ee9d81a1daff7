"""Atom feeds of published releases (all, and per topic) and /sitemap.xml."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, url_for

from portal.catalog import browse, cache
from portal.datasets import queries
from portal.datasets.topics import get_topic
from portal.sources.wilayah import load_district

bp = Blueprint("feeds", __name__)
cache.install(bp)  # anonymous readers get the rendered page while the catalog is unchanged
FEED_SIZE = 50


def _entries(topic: str | None = None) -> list:
    releases = []
    for found in queries.public_datasets():
        if topic and found.dataset.topic != topic:
            continue
        releases.extend(found.versions)
    return sorted(releases, key=lambda r: r.published_at, reverse=True)[:FEED_SIZE]


def _feed(entries, title: str, self_url: str) -> Response:
    body = render_template("feeds/atom.xml", entries=entries, title=title, self_url=self_url,
                           updated=entries[0].published_at if entries else None)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/feeds/releases.atom")
def releases():
    """Every new or updated published version, newest first."""
    return _feed(_entries(), current_app.config["PORTAL_TITLE"],
                 url_for("feeds.releases", _external=True))


@bp.get("/feeds/topic/<topic>.atom")
def topic(topic: str):
    """New or updated versions in one topic."""
    found = get_topic(topic)
    if found is None:
        abort(404)
    return _feed(_entries(topic), f"{current_app.config['PORTAL_TITLE']}: {found.label}",
                 url_for("feeds.topic", topic=topic, _external=True))


@bp.get("/sitemap.xml")
def sitemap():
    """Every public page a search engine should know."""
    urls = [url_for("catalog.home", _external=True), url_for("catalog.search", _external=True),
            url_for("places.dashboard", _external=True)]
    for found in queries.public_datasets():
        urls.append(url_for("catalog.dataset", name=found.dataset.name, _external=True))
        urls.extend(url_for("catalog.dataset_version", name=found.dataset.name, version=r.version,
                            _external=True) for r in found.versions)
    urls.extend(url_for(endpoint, _external=True, **args) for endpoint, args in browse.public_pages())
    district = load_district(current_app.config["DISTRICT_CODE"])
    urls.extend(url_for("places.kecamatan", kode=k.kode, _external=True) for k in district.kecamatan)
    urls.extend(url_for("places.desa", kode=d.kode, _external=True) for d in district.desa)
    return Response(render_template("feeds/sitemap.xml", urls=urls), mimetype="application/xml")
