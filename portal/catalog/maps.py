"""Choropleth maps of the desa, drawn on the server as SVG from the published desa boundaries.

No tile server, no CDN, no script: the boundaries are the latest published version of
"Batas Wilayah Desa" (``portal.datasets.geo``), projected with a simple equirectangular
projection whose longitudes are scaled by cos(latitude) of the map's centre, and every desa
is one ``<a>`` (a focusable link to its page, with a ``<title>`` and an ``aria-label`` giving
its name and value). A hidden cell is drawn hatched with its own legend entry
("disembunyikan"), never as zero; a desa without a row is "tidak ada data"; a desa the
boundary dataset has only as a point is a small circle. Each map names its source dataset
and version, and those of the boundaries, in ``<title>``/``<desc>``/``<metadata>``, so the
SVG downloaded from its URL says where it comes from.

``render`` is a pure function of a ``MapData``; the builders below gather the values
(dashboard, dataset page, kecamatan page) from published tables only.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
from flask_babel import gettext as _
from markupsafe import Markup

from portal.core.cells import SUPPRESSED
from portal.core.lru import LRU
from portal.datasets import geo, queries
from portal.statistics.catalogue import CATALOGUE

WIDTH = 640
PAD = 8
LEGEND_ROW = 20
MAX_HEIGHT = 640  # a tall kecamatan is fitted to this height, not stretched to the width
# Sequential, colour-blind safe (ColorBrewer YlGnBu, 5 classes), light = low.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#e4e4e4"
HATCH = "#7a4b00"
STROKE = "#4a4a4a"
POINT_RADIUS = 5
POPULATION = "penduduk-dan-keluarga"
MEASURES = ("jumlah", "persen")  # a category as a count, or as a share of the desa's population
NAMESPACE = "urn:x-portal-satu-data:peta"
_SHAPES, _SVGS = LRU(8), LRU(256, max_bytes=32 * 1024 * 1024)


@dataclass(frozen=True)
class Shape:
    """One desa as the boundary dataset has it."""

    kode: str
    nama: str
    kode_kecamatan: str
    geometry: dict | None
    luas_km2: float | None


@dataclass(frozen=True)
class Boundaries:
    """The published boundaries a map is drawn from."""

    version: str
    sha256: str
    shapes: dict[str, Shape]


@dataclass(frozen=True)
class Area:
    """A desa's value on a map: a number, hidden (None, hidden=True) or missing (None)."""

    kode: str
    nama: str
    value: float | None
    hidden: bool = False


@dataclass(frozen=True)
class MapData:
    """What one map shows and where it comes from."""

    key: str  # an id prefix, unique on its page
    title: str
    unit: str  # "orang", "orang/km²", "%"
    areas: tuple[Area, ...]
    source: tuple[str, str, str]  # (dataset name, title, version)
    boundary_version: str
    download_url: str = ""
    denominator: tuple[str, str] | None = None  # (dataset name, version) of a share's population
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, label) of the form
    chosen: str = ""
    measure: str = "jumlah"


def boundaries() -> Boundaries | None:
    """The latest published desa boundaries, parsed once per file content; None before the first."""
    found = queries.public_dataset(geo.BOUNDARIES.name)
    if found is None:
        return None
    name = f"{geo.BOUNDARIES.name}.geojson"
    path, entry = queries.public_file(found.latest, name), found.latest.file(name)
    if path is None or entry is None:
        return None
    shapes = _SHAPES.get(entry.sha256)
    if shapes is None:
        shapes = _shapes(path.read_bytes())
        _SHAPES.put(entry.sha256, shapes)
    return Boundaries(found.latest.version, entry.sha256, shapes)


def _shapes(content: bytes) -> dict[str, Shape]:
    """Desa shapes of a published FeatureCollection, by desa code."""
    out = {}
    for feature in json.loads(content).get("features", []):
        p = feature.get("properties") or {}
        out[p["kode_desa"]] = Shape(p["kode_desa"], p.get("nama_desa", ""), p.get("kode_kecamatan", ""),
                                    feature.get("geometry"), p.get("luas_km2"))
    return out


# --- projection and drawing ---------------------------------------------------------------

def _points(geometry: dict) -> list[tuple[float, float]]:
    """Every (lng, lat) of a Point, Polygon or MultiPolygon."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [tuple(coords)]
    polygons = [coords] if kind == "Polygon" else coords
    return [tuple(p) for polygon in polygons for ring in polygon for p in ring]


@dataclass(frozen=True)
class Projection:
    """Equirectangular: x = (lng - west)·cos(lat₀)·s, y = (north - lat)·s."""

    west: float
    north: float
    kx: float
    scale: float
    height: float

    @classmethod
    def fit(cls, shapes: list[Shape], width: int = WIDTH) -> Projection:
        """The projection that fits ``shapes`` into ``width`` pixels (padding included)."""
        points = [p for s in shapes if s.geometry for p in _points(s.geometry)] or [(0.0, 0.0)]
        lngs, lats = [p[0] for p in points], [p[1] for p in points]
        west, east, south, north = min(lngs), max(lngs), min(lats), max(lats)
        kx = math.cos(math.radians((south + north) / 2))
        scale = min((width - 2 * PAD) / max((east - west) * kx, 1e-9),
                    (MAX_HEIGHT - 2 * PAD) / max(north - south, 1e-9))
        return cls(west, north, kx, scale, (north - south) * scale + 2 * PAD)

    def xy(self, lng: float, lat: float) -> tuple[float, float]:
        """Pixel coordinates of a (lng, lat)."""
        return (PAD + (lng - self.west) * self.kx * self.scale, PAD + (self.north - lat) * self.scale)


def _path(geometry: dict, proj: Projection) -> str:
    """SVG path data of a Polygon or MultiPolygon (holes drawn by even-odd filling)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    parts = []
    for polygon in polygons:
        for ring in polygon:
            xy = [proj.xy(lng, lat) for lng, lat, *_ in ring]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
    return "".join(parts)


def breaks(values: list[float], classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of up to ``classes`` classes of about equal counts (quantiles of the shown values)."""
    shown = sorted(set(values))
    if not shown:
        return []
    if len(shown) <= classes:
        return shown
    ordered = sorted(values)
    out = []
    for i in range(1, classes + 1):
        bound = ordered[min(len(ordered) - 1, math.ceil(i * len(ordered) / classes) - 1)]
        if not out or bound > out[-1]:
            out.append(bound)
    return out


def _class(value: float, bounds: list[float]) -> int:
    return next((i for i, b in enumerate(bounds) if value <= b), len(bounds) - 1)


def fmt(value: float | None, unit: str) -> str:
    """A value as the map and its table write it (Indonesian separators)."""
    if value is None:
        return ""
    if unit == "%":
        return f"{value:.1f}".replace(".", ",") + " %"
    if unit == "orang":
        return f"{int(round(value)):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".") + f" {unit}"


def label(area: Area, unit: str) -> str:
    """What a desa shows: its value, "disembunyikan" or "tidak ada data"."""
    if area.hidden:
        return _("disembunyikan")
    if area.value is None:
        return _("tidak ada data")
    return fmt(area.value, unit)


def _legend(bounds: list[float], unit: str, top: float, counts: dict) -> list[str]:
    """Legend rows under the map: one per class, then hidden and no data (only if present)."""
    rows, low = [], None
    for i, bound in enumerate(bounds):
        text = fmt(bound, unit) if low is None else f"{fmt(low, unit)} – {fmt(bound, unit)}"
        if low is None and len(bounds) > 1:
            text = f"≤ {fmt(bound, unit)}"
        rows.append((f'fill="{PALETTE[_class_colour(i, len(bounds))]}"', text))
        low = bound
    if counts.get("hidden"):
        rows.append(('fill="url(#{id}-arsir)"', _("disembunyikan untuk melindungi data pribadi (bukan nol)")))
    if counts.get("missing"):
        rows.append((f'fill="{NO_DATA}"', _("tidak ada data")))
    out = []
    for n, (fill, text) in enumerate(rows):
        y = top + n * LEGEND_ROW
        out.append(f'<rect x="{PAD}" y="{y:.0f}" width="18" height="14" {fill} stroke="{STROKE}" '
                   f'stroke-width="0.5"/><text x="{PAD + 26}" y="{y + 11:.0f}" font-size="12" '
                   f'fill="#1b1f24">{escape(text)}</text>')
    return out


def _class_colour(i: int, n: int) -> int:
    """Palette index of class i of n (fewer classes spread over the palette)."""
    return i if n >= len(PALETTE) else round(i * (len(PALETTE) - 1) / max(n - 1, 1))


def render(data: MapData, boundaries_: Boundaries, desa_url: str = "/desa/") -> str:
    """The map as a standalone SVG document (also inlined in the page)."""
    areas = {a.kode: a for a in data.areas}
    shapes = [boundaries_.shapes[k] for k in sorted(areas) if k in boundaries_.shapes]
    proj = Projection.fit(shapes)
    shown = [a.value for a in data.areas if a.value is not None and not a.hidden]
    bounds = breaks(shown)
    counts = {"hidden": sum(a.hidden for a in data.areas),
              "missing": sum(a.value is None and not a.hidden for a in data.areas)}
    legend_rows = len(bounds) + (1 if counts["hidden"] else 0) + (1 if counts["missing"] else 0)
    top = proj.height + 10
    height = top + legend_rows * LEGEND_ROW + PAD
    key = data.key
    name, title, version = data.source
    desc = _("Sumber: %(title)s (%(name)s) versi %(v)s; batas wilayah: %(bt)s (%(bn)s) versi %(bv)s. "
             "Sel yang disembunyikan untuk melindungi data pribadi digambar berarsir, bukan nol.",
             title=title, name=name, v=version, bt=geo.BOUNDARIES.title, bn=geo.BOUNDARIES.name,
             bv=boundaries_.version)
    if data.denominator:
        desc += " " + _("Penyebut persentase: %(name)s versi %(v)s.", name=data.denominator[0],
                        v=data.denominator[1])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
           f'class="choropleth" aria-labelledby="{key}-judul {key}-ket" role="group">',
           f'<title id="{key}-judul">{escape(data.title)}</title>',
           f'<desc id="{key}-ket">{escape(desc)}</desc>',
           f'<metadata><p:sumber xmlns:p="{NAMESPACE}" p:dataset={quoteattr(name)} p:versi={quoteattr(version)} '
           f'p:judul={quoteattr(title)}/><p:batas xmlns:p="{NAMESPACE}" p:dataset={quoteattr(geo.BOUNDARIES.name)} '
           f'p:versi={quoteattr(boundaries_.version)}/></metadata>',
           f'<defs><pattern id="{key}-arsir" width="6" height="6" patternUnits="userSpaceOnUse" '
           f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
           f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HATCH}" stroke-width="2"/></pattern></defs>']
    for shape in shapes:
        area = areas[shape.kode]
        if area.hidden:
            fill = f"url(#{key}-arsir)"
        elif area.value is None:
            fill = NO_DATA
        else:
            fill = PALETTE[_class_colour(_class(area.value, bounds), len(bounds))]
        text = f"{shape.nama}: {label(area, data.unit)}"
        out.append(f'<a href="{desa_url}{escape(shape.kode)}" aria-label={quoteattr(text)}>'
                   f'<title>{escape(text)}</title>{_shape(shape, proj, fill)}</a>')
    out += [line.replace("{id}", key) for line in _legend(bounds, data.unit, top, counts)]
    out.append("</svg>")
    return "\n".join(out)


def _shape(shape: Shape, proj: Projection, fill: str) -> str:
    """One desa's drawing: its boundary, or a circle at its point."""
    geometry = shape.geometry
    if geometry is None:
        return ""
    if geometry["type"] == "Point":
        x, y = proj.xy(*geometry["coordinates"][:2])
        return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{POINT_RADIUS}" fill="{fill}" '
                f'stroke="{STROKE}" stroke-width="1"/>')
    return (f'<path d="{_path(geometry, proj)}" fill="{fill}" fill-rule="evenodd" '
            f'stroke="{STROKE}" stroke-width="0.6"/>')


def svg(data: MapData, boundaries_: Boundaries, desa_url: str = "/desa/") -> str:
    """``render`` memoised by what the map shows (published files never change)."""
    key = (data.key, data.title, data.unit, data.areas, data.source, data.denominator,
           boundaries_.sha256, desa_url)
    found = _SVGS.get(key)
    if found is None:
        found = render(data, boundaries_, desa_url)
        _SVGS.put(key, found)
    return found


def inline(data: MapData, boundaries_: Boundaries, desa_url: str = "/desa/") -> Markup:
    """The SVG for inlining in a page (already escaped where needed)."""
    return Markup(svg(data, boundaries_, desa_url))


def document(data: MapData, boundaries_: Boundaries, desa_url: str = "/desa/") -> str:
    """The SVG as a downloadable file."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg(data, boundaries_, desa_url) + "\n"


# --- values from published tables ----------------------------------------------------------

def _numbers(frame: pd.DataFrame) -> pd.Series:
    """``jumlah`` as nullable numbers: a hidden cell (text "x" or <NA>) is <NA>."""
    values = frame["jumlah"]
    if values.dtype == object:
        values = values.where(values != SUPPRESSED)
    return pd.to_numeric(values, errors="coerce")


def counts_by_desa(frame: pd.DataFrame, codes: set[str] | None = None) -> dict[str, tuple[float | None, bool]]:
    """Per desa: (sum of ``jumlah`` over the categories ``codes`` (all when None), any cell hidden).

    A sum with a hidden cell in it is unknown: (None, True), never the sum of the rest.
    """
    part = frame if codes is None else frame[frame["kode"].astype(str).isin(codes)]
    numbers = _numbers(part)
    out = {}
    for kode, values in numbers.groupby(part["kode_desa"], sort=False):
        hidden = bool(values.isna().any())
        out[str(kode)] = (None, True) if hidden else (float(values.sum()), False)
    return out


def is_per_desa(frame: pd.DataFrame) -> bool:
    """Whether a published table has one row per desa and category with a count (mappable)."""
    return {"kode_desa", "kode", "kategori", "jumlah"} <= set(frame.columns)


def areas(shapes: dict[str, Shape], values: dict[str, tuple[float | None, bool]],
          codes: list[str] | None = None) -> tuple[Area, ...]:
    """Areas of the desa ``codes`` (all shapes when None), values looked up by desa code."""
    out = []
    for kode in codes if codes is not None else sorted(shapes):
        shape = shapes.get(kode)
        if shape is None:
            continue
        value, hidden = values.get(kode, (None, False))
        out.append(Area(kode, shape.nama, value, hidden))
    return tuple(out)


def shares(numerator: dict, denominator: dict) -> dict[str, tuple[float | None, bool]]:
    """numerator / denominator × 100 per desa; hidden when either is hidden, missing without a base."""
    out = {}
    for kode, (value, hidden) in numerator.items():
        base, base_hidden = denominator.get(kode, (None, False))
        if hidden or base_hidden:
            out[kode] = (None, True)
        elif value is not None and base:
            out[kode] = (100 * value / base, False)
    return out


def density(population: dict, shapes: dict[str, Shape]) -> dict[str, tuple[float | None, bool]]:
    """Residents per km² of the desa's boundary area; a desa drawn as a point has no area."""
    out = {}
    for kode, (value, hidden) in population.items():
        area = shapes.get(kode).luas_km2 if kode in shapes else None
        if hidden:
            out[kode] = (None, True)
        elif value is not None and area:
            out[kode] = (value / area, False)
    return out


def unit_code(name: str) -> str:
    """The category of the population table that is a table's base: 1 residents, 2 families."""
    spec = next((s for s in CATALOGUE if s.name == name), None)
    return "2" if spec is not None and spec.unit == "keluarga" else "1"


# --- the maps of the pages -----------------------------------------------------------------

def _published(name: str):
    """(frame with counts, title, version) of the latest published table ``name``, or None."""
    from portal.catalog.tables import latest

    table = latest(name)
    return None if table is None else (table.frame, table.title, table.version)


def dashboard_map(measure: str, indicators, download_url: str) -> tuple[MapData, Boundaries] | None:
    """The dashboard's map: population, density per km², or one indicator (share per desa).

    ``indicators`` are (table name, label, codes counted as yes; None = every filled category
    but code 1), as the dashboard's cards use them.
    """
    found = boundaries()
    population = _published(POPULATION)
    if found is None or population is None:
        return None
    frame, title, version = population
    people = counts_by_desa(frame, {"1"})
    choices = [("penduduk", _("Jumlah penduduk")), ("kepadatan", _("Kepadatan penduduk per km²"))]
    choices += [(name, str(text)) for name, text, _codes in indicators]
    measure = measure if measure in dict(choices) else "penduduk"
    common = {"key": "peta-dasbor", "boundary_version": found.version, "download_url": download_url,
              "choices": choices, "chosen": measure}
    if measure == "penduduk":
        return MapData(title=_("Jumlah penduduk per desa"), unit="orang", areas=areas(found.shapes, people),
                       source=(POPULATION, title, version), **common), found
    if measure == "kepadatan":
        return MapData(title=_("Kepadatan penduduk per desa (orang per km²)"), unit="orang/km²",
                       areas=areas(found.shapes, density(people, found.shapes)),
                       source=(POPULATION, title, version), **common), found
    name, text, codes = next(i for i in indicators if i[0] == measure)
    table = _published(name)
    if table is None:
        return None
    t_frame, t_title, t_version = table
    if codes is None:
        codes = set(t_frame["kode"].astype(str)) - {"1", "777"}
    values = shares(counts_by_desa(t_frame, set(codes)), counts_by_desa(t_frame))
    return MapData(title=f"{text} (%)", unit="%", areas=areas(found.shapes, values),
                   source=(name, t_title, t_version), **common), found


def dataset_map(name: str, title: str, version: str, frame: pd.DataFrame, args,
                download_url: str) -> tuple[MapData, Boundaries] | None:
    """The map of a per-desa table's version: one category (``peta_kategori``) as a count or a
    share of the desa's population (``peta_ukuran`` = jumlah | persen); None for other tables."""
    found = boundaries()
    if found is None or not is_per_desa(frame) or name == geo.BOUNDARIES.name:
        return None
    categories = list(dict.fromkeys(zip(frame["kode"].astype(str), frame["kategori"].astype(str))))
    if not categories:
        return None
    chosen = str(args.get("peta_kategori", "")) or categories[0][0]
    if chosen not in dict(categories):
        chosen = categories[0][0]
    measure = args.get("peta_ukuran", "jumlah")
    measure = measure if measure in MEASURES else "jumlah"
    values = counts_by_desa(frame, {chosen})
    common = {"key": "peta-dataset", "boundary_version": found.version, "download_url": download_url,
              "choices": categories, "chosen": chosen, "measure": measure, "source": (name, title, version)}
    label_ = dict(categories)[chosen]
    base = _published(POPULATION) if measure == "persen" else None
    if base is None:
        return MapData(title=_("%(kategori)s: jumlah per desa", kategori=label_), unit="orang",
                       areas=areas(found.shapes, values), **{**common, "measure": "jumlah"}), found
    b_frame, _b_title, b_version = base
    population = counts_by_desa(b_frame, {unit_code(name)})
    return MapData(title=_("%(kategori)s: persen dari penduduk desa", kategori=label_), unit="%",
                   areas=areas(found.shapes, shares(values, population)),
                   denominator=(POPULATION, b_version), **common), found


def kecamatan_map(kode: str, download_url: str) -> tuple[MapData, Boundaries] | None:
    """The map of one kecamatan's desa, by population."""
    found = boundaries()
    population = _published(POPULATION)
    if found is None or population is None:
        return None
    frame, title, version = population
    codes = sorted(k for k, s in found.shapes.items() if s.kode_kecamatan == kode)
    if not codes:
        return None
    return MapData(key="peta-kecamatan", title=_("Jumlah penduduk per desa"), unit="orang",
                   areas=areas(found.shapes, counts_by_desa(frame, {"1"}), codes),
                   source=(POPULATION, title, version), boundary_version=found.version,
                   download_url=download_url), found


def section(data_found, desa_url: str, form: str = "") -> Markup:
    """The map, its legend, its download and its table alternative, as the pages include it."""
    from flask import render_template

    if data_found is None:
        return Markup("")
    data, found = data_found
    return Markup(render_template("catalog/_map.html", m=data, svg=inline(data, found, desa_url),
                                  rows=[(a, label(a, data.unit)) for a in data.areas], form=form,
                                  boundary_name=geo.BOUNDARIES.name, boundary_version=found.version))
