"""Public pages: only published releases reach them."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for

from portal.datasets import queries
from portal.privacy.protect import SUPPRESSED, SUPPRESSED_LABEL

bp = Blueprint("catalog", __name__)
PAGE_SIZE = 25
HEADLINE_DATASET = "penduduk-dan-keluarga"


@bp.get("/")
def home():
    """Search box, latest releases and headline numbers."""
    datasets = queries.public_datasets()
    latest = sorted((d.latest for d in datasets), key=lambda r: r.published_at, reverse=True)[:5]
    headline = _headline(datasets)
    return render_template("catalog/home.html", datasets=datasets, latest=latest, headline=headline)


def _headline(datasets) -> dict | None:
    found = next((d for d in datasets if d.dataset.name == HEADLINE_DATASET), None)
    if found is None:
        return None
    table = queries.read_table(queries.public_file(found.latest, f"{found.dataset.name}.csv"))

    def total(kode: str) -> int:
        rows = table[table["kode"] == kode]["jumlah"]
        return sum(int(v) for v in rows if v != SUPPRESSED)

    return {"penduduk": total("1"), "keluarga": total("2"), "desa": table["kode_desa"].nunique(),
            "kecamatan": table["kode_kecamatan"].nunique(), "release": found.latest}


@bp.get("/dataset")
def search():
    """List and search published datasets."""
    q = request.args.get("q", "")
    return render_template("catalog/search.html", results=queries.public_datasets(q), q=q)


@bp.get("/dataset/<name>")
def dataset(name: str):
    """The dataset's latest published version."""
    found = queries.public_dataset(name)
    if found is None:
        abort(404)
    return _release_page(found, found.latest)


@bp.get("/dataset/<name>/version/<version>")
def dataset_version(name: str, version: str):
    """A specific published version, at its permanent URL."""
    found = queries.public_dataset(name)
    release = queries.public_release(name, version)
    if found is None or release is None:
        abort(404)
    return _release_page(found, release)


def _release_page(found, release):
    path = queries.public_file(release, f"{release.dataset.name}.csv")
    table = queries.read_table(path)
    page = max(1, request.args.get("page", 1, type=int))
    pages = max(1, -(-len(table) // PAGE_SIZE))
    page = min(page, pages)
    rows = table.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return render_template("catalog/dataset.html", found=found, release=release,
                           columns=list(table.columns), rows=rows.values.tolist(), page=page,
                           pages=pages, total_rows=len(table), suppressed=SUPPRESSED,
                           suppressed_label=SUPPRESSED_LABEL,
                           is_latest=release.id == found.latest.id)


@bp.get("/dataset/<name>/version/<version>/download/<filename>")
def download(name: str, version: str, filename: str):
    """A file of a published version, with ETag, Last-Modified and Range support."""
    release = queries.public_release(name, version)
    path = queries.public_file(release, filename) if release else None
    if path is None:
        abort(404)
    entry = release.file(filename)
    response = send_file(path, mimetype=entry.media_type, as_attachment=True,
                         download_name=f"{name}-{version}.{entry.format}" if entry.format != "json"
                         else "datapackage.json", etag=entry.sha256, conditional=True,
                         last_modified=release.published_at)
    return response


@bp.get("/dataset/<name>/download/<filename>")
def download_latest(name: str, filename: str):
    """The latest version's file: redirects to its permanent URL."""
    found = queries.public_dataset(name)
    if found is None:
        abort(404)
    return redirect(url_for("catalog.download", name=name, version=found.latest.version,
                            filename=filename))
