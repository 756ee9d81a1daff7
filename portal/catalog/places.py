"""Village profiles, kecamatan pages and the district dashboard (OpenSID/OpenKab's public pages)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from portal.catalog import cache, maps, village_panels
from portal.catalog.tables import all_latest, latest, visible_sum
from portal.sources.wilayah import load_district

bp = Blueprint("places", __name__)
cache.install(bp)  # anonymous readers get the rendered page while the catalog is unchanged
PYRAMID = "penduduk-menurut-kelompok-umur"
POPULATION = "penduduk-dan-keluarga"
HEADLINE_CODES = ("1", "2")  # penduduk, keluarga: the headline numbers whose trend the pages show


@bp.context_processor
def _headline_trends() -> dict:
    """Trends of the headline numbers (issue 13): a place page's partial asks for its area's."""
    from portal.catalog import trends

    return {"headline_trends": lambda area="": trends.headline(POPULATION, area, HEADLINE_CODES)}


def _district():
    return load_district(current_app.config["DISTRICT_CODE"])


def _rows(table, column: str, code: str) -> list[dict]:
    part = table.frame[table.frame[column] == code]
    return part.to_dict("records")


@bp.get("/desa/<kode>")
def desa(kode: str):
    """Everything published about one desa, table by table, with charts."""
    district = _district()
    place = next((d for d in district.desa if d.kode == kode), None)
    if place is None:
        abort(404)
    kecamatan = next(k for k in district.kecamatan if k.kode == place.kode_kecamatan)
    tables = all_latest()
    sections = [(t, _rows(t, "kode_desa", kode)) for t in tables]
    return render_template("catalog/desa.html", place=place, kecamatan=kecamatan, district=district,
                           sections=[s for s in sections if s[1]], **village_panels.desa(tables, place))


@bp.get("/kecamatan/<kode>")
def kecamatan(kode: str):
    """A kecamatan: its desa with their population and families."""
    district = _district()
    found = next((k for k in district.kecamatan if k.kode == kode), None)
    if found is None:
        abort(404)
    table = latest(POPULATION)
    by_desa = {}
    if table is not None:
        for row in _rows(table, "kode_kecamatan", kode):
            by_desa.setdefault(row["kode_desa"], {})[int(row["kode"])] = row
    return render_template("catalog/kecamatan.html", kecamatan=found, district=district,
                           table=table, by_desa=by_desa, map_html=_kecamatan_map(kode, "html"),
                           **village_panels.kecamatan(all_latest(), found))


def _by_kecamatan(table, district) -> list[dict]:
    out = []
    for kec in district.kecamatan:
        part = table.frame[table.frame["kode_kecamatan"] == kec.kode]
        people, people_hidden = visible_sum(part[part["kode"] == "1"]["jumlah"])
        fams, fams_hidden = visible_sum(part[part["kode"] == "2"]["jumlah"])
        out.append({"kecamatan": kec, "penduduk": people, "keluarga": fams,
                    "partial": people_hidden or fams_hidden})
    return out


def _pyramid(table) -> list[dict]:
    rows = []
    for _kode, part in table.frame.groupby("kode", sort=False):
        laki, h1 = visible_sum(part["laki_laki"])
        perempuan, h2 = visible_sum(part["perempuan"])
        rows.append({"kategori": part["kategori"].iloc[0], "laki_laki": laki,
                     "perempuan": perempuan, "partial": h1 or h2})
    return rows


# (table, label, codes counted as "yes"; None = every filled category except code 1)
INDICATORS = (
    ("kepemilikan-akta-kelahiran", _l("Penduduk yang memiliki akta kelahiran"), {"1"}),
    ("penduduk-menurut-warga-negara", _l("Penduduk warga negara Indonesia"), {"1"}),
    ("penduduk-menurut-asuransi-kesehatan", _l("Penduduk dengan asuransi kesehatan"), None),
)


def _indicators(tables) -> list[dict]:
    """A few shares per topic, each pointing at the table and version behind it."""
    by_name = {t.name: t for t in tables}
    out = []
    for name, label, codes in INDICATORS:
        table = by_name.get(name)
        if table is None:
            continue
        total, _ = visible_sum(table.frame["jumlah"])
        kode = table.frame["kode"]
        part = table.frame[kode.isin(codes)] if codes else table.frame[~kode.isin(["1", "777"])]
        value, partial = visible_sum(part["jumlah"])
        if total:
            out.append({"table": table, "label": label, "share": 100 * value / total,
                        "partial": partial})
    return out


@bp.get("/dasbor")
def dashboard():
    """The district dashboard: pyramid, population by kecamatan, key indicators."""
    district = _district()
    tables = all_latest()
    population = next((t for t in tables if t.name == POPULATION), None)
    pyramid = next((t for t in tables if t.name == PYRAMID), None)
    by_kecamatan = _by_kecamatan(population, district) if population else []
    return render_template(
        "catalog/dashboard.html", district=district,
        population=population, by_kecamatan=by_kecamatan,
        kecamatan_bars=[{"label": r["kecamatan"].nama, "value": r["penduduk"]} for r in by_kecamatan],
        pyramid=pyramid, pyramid_rows=_pyramid(pyramid) if pyramid else [],
        indicators=_indicators(tables), map_html=_dashboard_map("html"),
        **village_panels.dashboard(tables, district))


# --- maps (portal/catalog/maps.py): the dashboard's and a kecamatan's, inline and as SVG ---

def _desa_url() -> str:
    return url_for("places.desa", kode="0")[:-1]


def _dashboard_map(kind: str):
    """The dashboard's choropleth (``?peta=`` chooses what it shows), as page HTML or SVG data."""
    measure = request.args.get("peta", "penduduk")
    found = maps.dashboard_map(measure, INDICATORS, url_for("places.dashboard_map_svg", peta=measure))
    return maps.section(found, _desa_url(), form="dasbor") if kind == "html" else found


def _kecamatan_map(kode: str, kind: str):
    """A kecamatan's choropleth of its desa, as page HTML or SVG data."""
    found = maps.kecamatan_map(kode, url_for("places.kecamatan_map_svg", kode=kode))
    return maps.section(found, _desa_url()) if kind == "html" else found


def _svg_response(found, name: str) -> Response:
    """A map as a downloadable SVG file; 404 without boundaries or data."""
    if found is None:
        abort(404)
    data, boundaries = found
    return Response(maps.document(data, boundaries, _desa_url()), mimetype="image/svg+xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}.svg"'})


@bp.get("/dasbor/peta.svg")
def dashboard_map_svg():
    """The dashboard's map as an SVG file naming its source dataset and version."""
    found = _dashboard_map("svg")
    measure = found[0].chosen if found else "peta"
    return _svg_response(found, f"peta-{measure}-{found[0].source[2] if found else ''}")


@bp.get("/kecamatan/<kode>/peta.svg")
def kecamatan_map_svg(kode: str):
    """A kecamatan's map as an SVG file naming its source dataset and version."""
    if not any(k.kode == kode for k in _district().kecamatan):
        abort(404)
    found = _kecamatan_map(kode, "svg")
    return _svg_response(found, f"peta-kecamatan-{kode}-{found[0].source[2] if found else ''}")
