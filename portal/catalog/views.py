"""Public pages: only published releases reach them."""
from __future__ import annotations

import base64
import io

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for

from portal.catalog import cache, dataset_page
from portal.core.cells import SUPPRESSED
from portal.datasets import queries
from portal.datasets.topics import all_topics

bp = Blueprint("catalog", __name__)
cache.install(bp)  # anonymous readers get the rendered page while the catalog is unchanged
HEADLINE_DATASET = "penduduk-dan-keluarga"
FEED_SIZE = 50


@bp.get("/")
def home():
    """Search box, topics, latest releases, headline numbers, and the ways to the dashboard and API."""
    from portal.catalog import search as catalog_search

    found = queries.public_dataset(HEADLINE_DATASET)
    counts = catalog_search.facet_totals("topic")
    topics = [(slug, topic.label, counts.get(slug, 0)) for slug, topic in all_topics().items()]
    return render_template("catalog/home.html", topics=topics, headline=_headline([found] if found else []),
                           latest=catalog_search.latest_releases(6), total=sum(counts.values()))


def _headline(datasets) -> dict | None:
    found = next((d for d in datasets if d.dataset.name == HEADLINE_DATASET), None)
    if found is None:
        return None
    filename = f"{found.dataset.name}.csv"
    path, entry = queries.public_file(found.latest, filename), found.latest.file(filename)
    if path is None or entry is None:
        return None
    table = dataset_page._table(str(path), entry.sha256)  # parsed once per file content

    def total(kode: str) -> int:
        rows = table[table["kode"] == kode]["jumlah"]
        return sum(int(v) for v in rows if v != SUPPRESSED)

    return {"penduduk": total("1"), "keluarga": total("2"), "desa": table["kode_desa"].nunique(),
            "kecamatan": table["kode_kecamatan"].nunique(), "release": found.latest}


@bp.get("/dataset")
def search():
    """Full-text search of published datasets with facets, sort and paging; all in the URL."""
    from portal.catalog import search as catalog_search

    params = catalog_search.SearchParams.from_args(request.args)
    return render_template("catalog/search.html", result=catalog_search.search(params),
                           links=catalog_search.Links(params), sorts=catalog_search.SORTS)


@bp.get("/dataset/<name>")
def dataset(name: str):
    """The dataset's latest published version (a tombstone if every version was withdrawn)."""
    found = queries.public_dataset(name)
    if found is None:
        return _tombstone_or_404(name, None)
    return _release_page(found, found.latest)


@bp.get("/dataset/<name>/version/<version>")
def dataset_version(name: str, version: str):
    """A specific published version, at its permanent URL; a withdrawn one keeps a tombstone."""
    found = queries.public_dataset(name)
    release = queries.public_release(name, version)
    if found is None or release is None:
        return _tombstone_or_404(name, version)
    return _release_page(found, release)


def _tombstone_or_404(name: str, version: str | None):
    """410 Gone with the reason for a withdrawn version, 404 for anything never public."""
    if version is not None:
        gone = queries.withdrawn_release(name, version)
        withdrawn = [gone] if gone else []
    else:
        dataset = queries.dataset_by_name(name)
        withdrawn = queries.withdrawn_versions(dataset) if dataset else []
    if not withdrawn:
        abort(404)
    return render_template("catalog/tombstone.html", withdrawn=withdrawn,
                           dataset=withdrawn[0].dataset,
                           latest=queries.public_dataset(name)), 410


def _release_page(found, release):
    """The page of one published version: metadata, downloads, preview, chart, history, citation."""
    context = dataset_page.context(found, release, request.args)
    if context is None:
        abort(404)
    return render_template("catalog/dataset.html", **context)


@bp.get("/dataset/<name>/version/<version>/download/<filename>")
def download(name: str, version: str, filename: str):
    """A file of a published version, with ETag, Last-Modified, conditional GET and Range."""
    release = queries.public_release(name, version)
    path = queries.public_file(release, filename) if release else None
    if path is None:
        gone = queries.withdrawn_release(name, version)
        if gone is not None and gone.file(filename) is not None:
            return _gone(gone)
        abort(404)
    entry = release.file(filename)
    if filename in _series_carriers(name):
        gone = _series_withdrawn(release)
        if gone is not None:
            return gone
    response = send_file(path, mimetype=_content_type(entry), as_attachment=True,
                         download_name=_download_name(name, version, entry), etag=entry.sha256,
                         conditional=True, last_modified=release.published_at,
                         max_age=current_app.config["DOWNLOAD_CACHE_SECONDS"])
    # Not immutable: a withdrawal must reach caches within DOWNLOAD_CACHE_SECONDS; the digest
    # lets a client check what it received, the ETag makes revalidation a cheap 304.
    response.headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(entry.sha256)).decode()}:"
    return response


def _gone(release):
    text = (f"410 Gone: {release.dataset.name} versi {release.version} telah ditarik pada "
            f"{release.withdrawn_at:%d-%m-%Y %H:%M} UTC. Alasan: {release.withdrawal_reason}\n")
    return Response(text, status=410, mimetype="text/plain",
                    headers={"Cache-Control": "no-store"})


def _content_type(entry) -> str:
    # JSON says its charset too (werkzeug adds it to text/* itself), so no client guesses.
    return f"{entry.media_type}; charset=utf-8" if entry.format == "json" else entry.media_type


def _download_name(name: str, version: str, entry) -> str:
    if entry.name == "datapackage.json":
        return f"{name}-{version}-datapackage.json"
    return f"{name}-{version}.{entry.format}"


@bp.get("/dataset/<name>/version/<version>/peta.svg")
def dataset_map_svg(name: str, version: str):
    """The map of a per-desa table's version as an SVG file naming the dataset and version."""
    from portal.catalog import maps

    release = queries.public_release(name, version)
    csv_name = f"{name}.csv"
    path = queries.public_file(release, csv_name) if release else None
    if path is None:
        abort(404)
    frame = dataset_page._table(str(path), release.file(csv_name).sha256)
    found = dataset_page.map_of(name, dataset_page.release_meta(release)["title"], release, frame,
                                request.args)
    if found is None:
        abort(404)
    data, boundaries = found
    return Response(maps.document(data, boundaries, url_for("places.desa", kode="0")[:-1]),
                    mimetype="image/svg+xml", headers={
                        "Content-Disposition": f'attachment; filename="peta-{name}-{version}.svg"'})


@bp.get("/dataset/<name>/download/<filename>")
def download_latest(name: str, filename: str):
    """The latest version's file: redirects to its permanent URL."""
    found = queries.public_dataset(name)
    if found is None:
        abort(404)
    return redirect(url_for("catalog.download", name=name, version=found.latest.version,
                            filename=filename))


SERIES_FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/dataset/<name>/series.<fmt>")
def series_download(name: str, fmt: str):
    """The whole series of a dataset (every public version, long format) as CSV or XLSX.

    Built from the published files of the public versions only; its ETag is the digest of
    which versions (and which bytes) it holds, so a publication or a withdrawal changes it.
    """
    from portal.datasets import series

    found = queries.public_dataset(name)
    if found is None or fmt not in SERIES_FORMATS:
        abort(404)
    parts = series.parts_of(found.versions)
    if not parts:
        abort(404)
    title = found.dataset.title
    content = (series.series_csv(parts) if fmt == "csv"
               else series.series_xlsx(parts, name, title))
    newest = max(p.published_at for p in parts if p.published_at)
    # Streamed from memory (send_file): conditional GET and Range like the version files;
    # never kept by the page cache, which would drop the ETag.
    return send_file(io.BytesIO(content), mimetype=SERIES_FORMATS[fmt], as_attachment=True,
                     download_name=f"{series.series_name(name)}.{fmt}",
                     etag=f"{series.key(parts)}-{fmt}", conditional=True, last_modified=newest,
                     max_age=current_app.config["DOWNLOAD_CACHE_SECONDS"])


def _series_carriers(name: str) -> tuple[str, str]:
    """The files of a version that carry its stored series: the series CSV and the zip."""
    from portal.datasets import series

    return f"{series.series_name(name)}.csv", f"{name}.zip"


def _series_withdrawn(release):
    """410 when the version's stored series holds a version withdrawn since (else None)."""
    from portal.datasets import series

    gone = series.withdrawn_inside(release)
    if not gone:
        return None
    versions = ", ".join(sorted(r.version for r in gone))
    text = (f"410 Gone: berkas ini memuat seri waktu {release.dataset.name} hingga versi {release.version}, "
            f"termasuk versi yang telah ditarik ({versions}). Seri terkini tanpa versi yang ditarik: "
            f"{url_for('catalog.series_download', name=release.dataset.name, fmt='csv', _external=True)}\n")
    return Response(text, status=410, mimetype="text/plain", headers={"Cache-Control": "no-store"})
