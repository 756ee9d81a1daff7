"""Everything the dataset page shows about one published version, gathered for the template."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from portal.catalog import charts, cite, history, jsonld, maps, preview, trends
from portal.catalog.search import QUERY_SAFE
from portal.core.cells import SUPPRESSED, SUPPRESSED_LABEL
from portal.core.ids import stable_id
from portal.core.lru import LRU
from portal.core.site import base_url, district_code, district_name, walidata_title
from portal.core.vocabularies import LICENCES, Frequency
from portal.datasets import metadata, queries
from portal.datasets.drafts import release_meta
from portal.datasets.models import Organization
from portal.datasets.packaging import table_schema_of
from portal.extensions import db
from portal.i18n import current_language, localized
from portal.privacy.report import public_summary

# The order downloads are offered in.
DOWNLOAD_ORDER = ("{n}.csv", "{n}.xlsx", "{n}.json", "{n}.geojson", "{n}.zip", "datapackage.json")


# Published files never change, so everything derived from one is memoised by its content
# digest: a version's table, chart series, filter choices and village list are worked out
# once per worker (and shared by versions and datasets that publish the same bytes).
_TABLES, _DERIVED, _VIEWS = LRU(64), LRU(512), LRU(256)


def _memo(store: LRU, key, build):
    """``build()`` once per ``key`` (values may be None: they are kept wrapped)."""
    found = store.get(key)
    if found is None:
        found = (build(),)
        store.put(key, found)
    return found[0]


def _table(path: str, sha256: str) -> pd.DataFrame:
    """A published CSV as text cells (cached per content; callers never modify it)."""
    return _memo(_TABLES, sha256, lambda: queries.read_table(Path(path)))


def _titles(path: str, sha256: str) -> dict[str, str]:
    """Column titles from the version's Table Schema (shown on the grid's headers)."""
    def build() -> dict[str, str]:
        try:
            schema = table_schema_of(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, IndexError):
            return {}
        return {f["name"]: f.get("title", "") for f in schema.get("fields", []) if f.get("title")}
    return _memo(_DERIVED, ("titles", sha256), build)


def _dictionary(path: str, sha256: str) -> list[dict]:
    """The column dictionary of the version's Table Schema (the metadata section)."""
    def build() -> list[dict]:
        try:
            schema = table_schema_of(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, IndexError):
            return []
        return metadata.column_dictionary(schema)
    return _memo(_DERIVED, ("dictionary", sha256), build)


def _choices(path: str, sha256: str) -> preview.Options:
    """The filter choices of a published table (cached per content)."""
    return _memo(_DERIVED, ("choices", sha256), lambda: preview.options(_table(path, sha256)))


def _chart(name: str, path: str, sha256: str, kecamatan: str, desa: str,
           scope: str) -> charts.Chart | None:
    """The chart of a published table under one filter (series cached: the file never changes)."""
    frame = _table(path, sha256)
    pyramid = charts.is_pyramid(name, frame.columns)
    # The series depend on the content, the filter and the chart kind; the scope is a label.
    base = _memo(_DERIVED, ("chart", sha256, pyramid, kecamatan, desa),
                 lambda: charts.build(name, preview.narrow(frame, kecamatan, desa), ""))
    return None if base is None else dataclasses.replace(base, scope=scope)


def _views(path: str, sha256: str):
    """preview.build's view function for one published table, memoised per filter and sort."""
    frame = _table(path, sha256)

    def positions(kecamatan: str, desa: str, sort: str, direction: str):
        # Row positions (int32), not a copy of the rows: a sorted copy of a large table
        # would cost ~100 times more memory per entry.
        rows, hidden = preview.view(frame, kecamatan, desa, sort, direction)
        return frame.index.get_indexer(rows.index).astype("int32"), hidden

    def view(kecamatan: str, desa: str, sort: str, direction: str):
        found, hidden = _memo(_VIEWS, (sha256, kecamatan, desa, sort, direction),
                              lambda: positions(kecamatan, desa, sort, direction))
        return frame.take(found), hidden
    return view


def _villages(path: str, sha256: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The kecamatan and desa the table has rows for: [(kode, nama, [(kode_desa, nama_desa)])]."""
    def build():
        frame = _table(path, sha256)
        needed = ["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"]
        if not set(needed) <= set(frame.columns):
            return []
        out: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for kec, nama_kec, desa, nama_desa in set(zip(*(frame[c].tolist() for c in needed))):
            out.setdefault((kec, nama_kec), []).append((desa, nama_desa))
        return [(k, n, sorted(v)) for (k, n), v in sorted(out.items())]
    return _memo(_DERIVED, ("villages", sha256), build)


def _organization(meta: dict, dataset) -> str:
    """The OPD that published this version (it may have moved since)."""
    name = meta.get("organization")
    if name and name != dataset.organization.name:
        org = db.session.scalar(select(Organization).where(Organization.name == name))
        if org is not None:
            return org.title
    return dataset.organization.title


def _frequency(value: str) -> str:
    try:
        return Frequency(value).label
    except ValueError:
        return value


def _scope(view: preview.Preview) -> str:
    """What the chart covers: the district, a kecamatan or a desa."""
    if view.desa:
        name = dict(view.desa_options).get(view.desa, view.desa)
        return _("Desa %(name)s", name=name)
    if view.kecamatan:
        name = dict(view.kecamatan_options).get(view.kecamatan, view.kecamatan)
        return _("Kecamatan %(name)s", name=name)
    return district_name()


def _endpoint(endpoint: str, **values) -> str | None:
    """A link to a page of another part of the portal, when that page exists."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def preview_url(query: dict | None = None) -> str:
    """This page with the preview state ``query`` (anchored at the grid), or bare without one."""
    # ~15 links per page: the path is built once per request, the query string encoded as
    # url_for encodes it.
    base = request.environ.get("portal.preview_base")
    if base is None:
        base = request.environ["portal.preview_base"] = url_for(request.endpoint, **request.view_args)
    if query is None:
        return base
    items = [(k, v) for k, v in query.items() if v is not None]
    return f"{base}?{urlencode(items, safe=QUERY_SAFE)}#pratinjau" if items else f"{base}#pratinjau"


def _api(found, release, csv_name: str, sample: pd.DataFrame) -> dict:
    """Ids and URLs the API snippets use: the same ones package_show returns."""
    first = sample.iloc[0] if len(sample) else None
    return {
        "base": base_url(),
        "package_id": found.dataset.name,
        "resource_id": stable_id("resource", found.dataset.id, csv_name),
        "csv_url": f"{cite.permanent_url(found.dataset.name, release.version)}/download/{csv_name}",
        "filter_column": "kode_desa" if first is not None and "kode_desa" in sample.columns else None,
        "filter_value": str(first["kode_desa"]) if first is not None and "kode_desa" in sample.columns
        else None,
    }


def map_of(name: str, title: str, release, frame: pd.DataFrame, args):
    """The choropleth of a per-desa table's version (``peta_kategori``, ``peta_ukuran``), or None."""
    chosen = {k: args.get(k) for k in ("peta_kategori", "peta_ukuran") if args.get(k)}
    download = url_for("catalog.dataset_map_svg", name=name, version=release.version, **chosen)
    return maps.dataset_map(name, title, release.version, frame, args, download)


def context(found, release, args) -> dict | None:
    """The template context of the page of ``release`` (a published version), or None."""
    ds = found.dataset
    csv_name = f"{ds.name}.csv"
    path, entry = queries.public_file(release, csv_name), release.file(csv_name)
    if path is None or entry is None:
        return None
    frame = _table(str(path), entry.sha256)
    meta = release_meta(release)
    title = localized({"title": meta["title"], "title_en": ds.title_en}, "title")
    description = localized({"description": meta["description"],
                             "description_en": ds.description_en}, "description")
    organization = _organization(meta, ds)
    view = preview.build(frame, args, _choices(str(path), entry.sha256), _views(str(path), entry.sha256))
    chart = _chart(ds.name, str(path), entry.sha256, view.kecamatan, view.desa, _scope(view))
    downloads = [f for pattern in DOWNLOAD_ORDER for f in release.files
                 if f.name == pattern.format(n=ds.name)]
    permanent = cite.permanent_url(ds.name, release.version)
    hrefs = [(f, f"{permanent}/download/{f.name}") for f in downloads]
    villages = _villages(str(path), entry.sha256)
    desa_url = url_for("places.desa", kode="0")[:-1]  # + kode: one url_for, not 133
    language = current_language()
    # The village list and the chart are the longest parts of the page and depend only on
    # the file, the filter and the language: rendered once, kept as HTML.
    villages_html = _memo(_DERIVED, ("villages.html", entry.sha256, language, desa_url), lambda: Markup(
        render_template("catalog/_villages.html", villages=villages, desa_url=desa_url,
                        n_desa=sum(len(v[2]) for v in villages)))) if villages else ""
    chart_html = _memo(_DERIVED, ("chart.html", entry.sha256, chart and chart.kind,
                                  view.kecamatan, view.desa, view.filtered, chart and chart.scope,
                                  release.version, release.reference_date, language), lambda: Markup(
        render_template("catalog/_dataset_chart.html", chart=chart, release=release, preview=view,
                        suppressed=SUPPRESSED))) if chart else ""
    descriptor = queries.public_file(release, "datapackage.json")
    described = release.file("datapackage.json")
    titles = _titles(str(descriptor), described.sha256) if descriptor and described else {}
    portal_title = current_app.config["PORTAL_TITLE"]
    return {
        "found": found, "release": release, "meta": meta, "title": title,
        "description": description, "organization": organization,
        "walidata": walidata_title(), "licence": LICENCES.get(meta["licence_id"]),
        "frequency": _frequency(meta["frequency"]), "district": district_name(),
        "villages": villages, "n_desa": sum(len(v[2]) for v in villages),
        "desa_url": desa_url, "villages_html": villages_html, "chart_html": chart_html,
        "grid_rows": preview.rows_html(view.rows, SUPPRESSED_LABEL),
        "filter_html": _memo(_DERIVED, ("filter.html", entry.sha256, view.kecamatan, view.desa, language),
                             lambda: Markup(render_template("catalog/_preview_filter.html", preview=view))),
        "downloads": downloads, "preview": view, "preview_url": preview_url,
        "column_titles": titles, "chart": chart,
        "sdi_rows": metadata.rows(meta, release.reference_date),
        "dictionary": _dictionary(str(descriptor), described.sha256) if descriptor and described else [],
        "history": history.history(found), "citation": cite.cite(
            name=ds.name, title=meta["title"], version=release.version,
            published=release.published_at, author=organization, publisher=portal_title),
        "api": _api(found, release, csv_name, frame), "permanent_url": permanent,
        "trend_html": trends.dataset_section(found, release, args, villages),
        "map_html": maps.section(map_of(ds.name, meta["title"], release, frame, args), desa_url, form="dataset"),
        "suppressed": SUPPRESSED, "suppressed_label": SUPPRESSED_LABEL,
        "privacy_public": public_summary(release.privacy_report or {}),
        "privacy_method_url": _endpoint("privacy.method"),
        "privacy_note_url": _endpoint("privacy.release_note", name=ds.name, version=release.version),
        "is_latest": release.id == found.latest.id,
        "jsonld": jsonld.dumps(jsonld.dataset(
            found=found, release=release, meta=meta,
            organization=organization, columns=list(frame.columns),
            district_code=district_code(),
            portal_title=portal_title, files=hrefs)),
    }
