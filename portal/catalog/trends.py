"""Trends across published versions: what the trend charts, the place pages and the dashboard draw.

Everything here reads the dataset's series (``portal.datasets.series``): the published
tables of its public versions, hidden cells as published. A total over hidden cells is a
lower bound (drawn hollow, written with ≥); a point whose every cell is hidden is drawn
as hidden, never as zero; a place a version has no rows for is "no data". Sums per version,
area and category are worked out once per set of versions (the series' signature) and kept.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from flask import render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.core.cells import SUPPRESSED
from portal.core.lru import LRU
from portal.core.site import district_name
from portal.datasets import queries, series
from portal.i18n import current_language
from portal.statistics.catalogue import get_spec

# SVG geometry of a trend chart (viewBox units).
WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 80, 600, 20, 170
ALL = ""  # the category choice "every category together" and the area choice "the district"
_SUMS = LRU(32)
LEVELS = (("", None), ("kecamatan", "kode_kecamatan"), ("desa", "kode_desa"))


@dataclass(frozen=True)
class Sums:
    """Visible sums per version, area and category of one series."""

    points: tuple[tuple[str, date], ...]          # (version, reference date), oldest first
    cells: dict                                   # (area, kode) -> {position: (sum, hidden, cells)}
    categories: tuple[tuple[str, str], ...]       # (kode, kategori) of the newest version
    areas: frozenset = frozenset()


@dataclass
class Point:
    """One version on a trend: its value and how it may be read."""

    version: str
    reference_date: date
    value: int | None
    state: str            # "shown", "partial" (a lower bound), "hidden", "absent"
    url: str = ""
    current: bool = False
    x: float = 0.0
    y: float = 0.0

    @property
    def label(self) -> str:
        """The point's date as written on the axis."""
        return self.reference_date.strftime("%m/%Y")


@dataclass
class Trend:
    """A line over the versions, with its geometry for the SVG."""

    title: str
    points: list[Point]
    ticks: list[tuple[float, int]] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        """True when a point is a lower bound or hidden."""
        return any(p.state in ("partial", "hidden") for p in self.points)

    @property
    def drawn(self) -> list[Point]:
        """Points with a value on the line."""
        return [p for p in self.points if p.value is not None]


def _frame(parts) -> pd.DataFrame:
    """The series' rows needed for sums: position, area codes, category, count, hidden flag."""
    frames = []
    for at, part in enumerate(parts):
        table = pd.read_csv(io.BytesIO(part.csv), dtype=str, keep_default_na=False, na_values=[])
        if not {"kode", "jumlah"} <= set(table.columns):
            continue
        piece = pd.DataFrame({"at": at, "kode": table["kode"], "kategori": table.get("kategori", table["kode"]),
                              "kode_kecamatan": table.get("kode_kecamatan", ""),
                              "kode_desa": table.get("kode_desa", "")})
        piece["hidden"] = table["jumlah"] == SUPPRESSED
        piece["value"] = pd.to_numeric(table["jumlah"].where(~piece["hidden"]), errors="coerce").fillna(0)
        frames.append(piece)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _sums(parts) -> Sums:
    """Visible sums of every version at every level (district, kecamatan, desa) and category."""
    frame = _frame(parts)
    points = tuple((p.version, p.reference_date) for p in parts)
    if frame.empty:
        return Sums(points, {}, ())
    cells: dict = {}
    for _level, column in LEVELS:
        for by_category in (True, False):
            keys = ["at"] + ([column] if column else []) + (["kode"] if by_category else [])
            grouped = frame.groupby(keys, sort=False).agg(
                total=("value", "sum"), hidden=("hidden", "sum"), n=("hidden", "size"))
            for index, row in zip(grouped.index, grouped.itertuples(index=False)):
                index = index if isinstance(index, tuple) else (index,)
                area = index[1] if column else ALL
                kode = index[-1] if by_category else ALL
                cells.setdefault((area, kode), {})[int(index[0])] = (int(row.total), int(row.hidden), int(row.n))
    newest = frame[frame["at"] == frame["at"].max()]
    categories = tuple(dict(zip(newest["kode"], newest["kategori"])).items())
    areas = frozenset(frame["kode_kecamatan"]) | frozenset(frame["kode_desa"])
    return Sums(points, cells, categories, areas)


def sums_of(releases) -> Sums:
    """The sums of the series these published releases make (kept per series signature)."""
    signature = series.signature(releases)
    found = _SUMS.get(signature)
    if found is None:
        found = _sums(series.parts_of(releases))
        _SUMS.put(signature, found)
    return found


def default_category(name: str, sums: Sums) -> str:
    """The category a trend shows first: every category together, unless the categories
    count different units (people and families), then the first one."""
    try:
        unit_table = get_spec(name).dimension == "unit"
    except KeyError:
        unit_table = False
    if unit_table and sums.categories:
        return sums.categories[0][0]
    return ALL


def allows_all(name: str) -> bool:
    """Whether the categories of ``name`` may be added together."""
    try:
        return get_spec(name).dimension != "unit"
    except KeyError:
        return True


def points(sums: Sums, area: str, kode: str, url_of=None, current: str = "") -> list[Point]:
    """The trend of one area and category: one point per version."""
    found = sums.cells.get((area, kode), {})
    out = []
    for at, (version, reference_date) in enumerate(sums.points):
        cell = found.get(at)
        if cell is None:
            value, state = None, "absent"
        elif cell[1] == cell[2]:
            value, state = None, "hidden"
        else:
            value, state = cell[0], "partial" if cell[1] else "shown"
        out.append(Point(version, reference_date, value, state,
                         url_of(version) if url_of else "", version == current))
    return out


def _scale(values: list[int]) -> tuple[float, float]:
    """The y range: the values with some room, never below zero."""
    low, high = min(values), max(values)
    pad = max((high - low) * 0.15, 1.0, high * 0.01)
    return max(0.0, low - pad), high + pad


def layout(title: str, found: list[Point]) -> Trend:
    """Place the points in the SVG: x by position, y by value; lines break at hidden points."""
    trend = Trend(title, found)
    values = [p.value for p in found if p.value is not None]
    step = (RIGHT - LEFT) / max(len(found) - 1, 1)
    low, high = _scale(values) if values else (0.0, 1.0)
    for i, p in enumerate(found):
        p.x = round(LEFT + step * i if len(found) > 1 else (LEFT + RIGHT) / 2, 1)
        p.y = round(BOTTOM - (BOTTOM - TOP) * ((p.value or 0) - low) / (high - low), 1) \
            if p.value is not None else float(BOTTOM)
    trend.ticks = [(round(BOTTOM - (BOTTOM - TOP) * f, 1), int(round(low + (high - low) * f)))
                   for f in (0.0, 0.5, 1.0)]
    run: list[Point] = []
    for p in [*found, None]:
        if p is not None and p.value is not None:
            run.append(p)
            continue
        if len(run) > 1:
            trend.segments.append(" ".join(f"{'M' if j == 0 else 'L'}{q.x},{q.y}" for j, q in enumerate(run)))
        run = []
    return trend


def change(found: list[Point]) -> dict | None:
    """The change from the previous point to the last one, when both are exact counts."""
    if len(found) < 2:
        return None
    before, last = found[-2], found[-1]
    exact = before.state == last.state == "shown"
    out = {"before": before, "last": last, "exact": exact}
    if exact:
        out["delta"] = last.value - before.value
        out["percent"] = 100.0 * out["delta"] / before.value if before.value else None
    return out


def area_label(area: str, villages) -> str:
    """The name of an area choice (villages: the dataset page's kecamatan/desa list)."""
    for kode, nama, desa in villages:
        if kode == area:
            return _("Kecamatan %(name)s", name=nama)
        for kode_desa, nama_desa in desa:
            if kode_desa == area:
                return _("Desa %(name)s", name=nama_desa)
    return ""


def choice(args, sums: Sums, name: str) -> tuple[str, str]:
    """The area and category a request asks for (``tren``, ``tren_kategori``), checked."""
    area = str(args.get("tren", "")).strip()
    if area not in sums.areas:
        area = ALL
    kode = str(args.get("tren_kategori", "")).strip()
    known = {k for k, _ in sums.categories}
    if kode == ALL and allows_all(name):
        return area, ALL
    if kode not in known:
        kode = default_category(name, sums)
    return area, kode


@dataclass
class DatasetTrend:
    """What the dataset page's trend section shows."""

    line: Trend
    area: str
    kode: str
    categories: tuple[tuple[str, str], ...]
    allows_all: bool
    action: str
    csv_url: str
    xlsx_url: str
    resource_id: str = ""
    quiet: tuple[str, ...] = ()  # harvests since its first version that brought it no version


_HTML = LRU(256)


def quiet_dates(versions) -> tuple[date, ...]:
    """The harvests' reference dates after this dataset's first harvested version that brought
    it no version (its published cells did not move, or the privacy layer kept the previous
    version); () for a dataset no harvest drafted."""
    harvested = [r.reference_date for r in versions if r.harvest_id is not None]
    if not harvested:
        return ()
    own = {r.reference_date for r in versions}
    return tuple(d for d in queries.harvest_dates() if d > min(harvested) and d not in own)


def area_options(villages, area: str, district: str, source: tuple) -> Markup:
    """The <option>s of the area choice: the district, then each kecamatan with its desa.

    Built here, not in Jinja (~150 options on every first visit of a choice); the list is
    kept per ``source`` (what the village list was read from: dataset and version) and
    language, and the chosen one marked by its unique value.
    """
    key = ("options", *source, district, current_language())
    found = _HTML.get(key)
    if found is None:
        parts = [f'<option value="">{escape(district)}</option>']
        for kode, nama, desa in villages:
            label = escape(_("Kecamatan %(name)s", name=nama))
            parts.append(f'<optgroup label="{label}"><option value="{escape(kode)}">{label}</option>')
            parts += [f'<option value="{escape(k)}">{escape(n)} ({escape(k)})</option>' for k, n in desa]
            parts.append("</optgroup>")
        found = "".join(parts)
        _HTML.put(key, found, len(found))
    if area:
        found = found.replace(f'<option value="{escape(area)}">', f'<option value="{escape(area)}" selected>', 1)
    return Markup(found)


def _title(scope: str, kode: str, sums: Sums) -> str:
    """The chart's title: the category (or every category) in the chosen area."""
    label = dict(sums.categories).get(kode) if kode != ALL else None
    if label:
        return _("%(category)s, %(scope)s, per tanggal referensi", category=label, scope=scope)
    return _("Jumlah semua kategori, %(scope)s, per tanggal referensi", scope=scope)


def dataset_section(found, release, args, villages) -> Markup:
    """The dataset page's trend section (rendered once per series, choice, version and language)."""
    name = found.dataset.name
    sums = sums_of(found.versions)
    if not sums.cells:  # no counts by category (a boundary list): nothing to trend
        return Markup("")
    area, kode = choice(args, sums, name)
    page = url_for("catalog.dataset", name=name)
    quiet = quiet_dates(found.versions)
    key = (series.signature(found.versions), area, kode, release.version, page, current_language(), quiet)

    def render() -> Markup:
        """Lay the trend out and render the section."""
        version_url = url_for("catalog.dataset_version", name=name, version="0")[:-1]
        scope = area_label(area, villages) or district_name()
        line = layout(_title(scope, kode, sums),
                      points(sums, area, kode, lambda v: f"{version_url}{v}", release.version))
        section = DatasetTrend(line, area, kode, sums.categories, allows_all(name), page,
                               url_for("catalog.series_download", name=name, fmt="csv"),
                               url_for("catalog.series_download", name=name, fmt="xlsx"),
                               series.resource_id(found.dataset.id, name),
                               tuple(d.strftime("%d-%m-%Y") for d in quiet))
        return Markup(render_template("catalog/_dataset_trend.html", trend=section,
                                      options=area_options(villages, area, district_name(),
                                                           (name, release.version))))
    found_html = _HTML.get(key)
    if found_html is None:
        found_html = render()
        _HTML.put(key, found_html, len(found_html))
    return found_html


def headline(name: str, area: str, codes: tuple[str, ...]) -> list[tuple[str, Trend, dict | None]]:
    """Trends of a few categories of ``name`` in one area (a desa, a kecamatan or the district),
    each with its latest change: [(kode, trend, change)]."""
    found = queries.public_dataset(name)
    if found is None:
        return []
    sums = sums_of(found.versions)
    labels = dict(sums.categories)
    version_url = url_for("catalog.dataset_version", name=name, version="0")[:-1]
    out = []
    for kode in codes:
        if kode not in labels:
            continue
        line = points(sums, area, kode, lambda v: f"{version_url}{v}")
        if not any(p.state != "absent" for p in line):
            continue
        out.append((kode, layout(labels[kode].capitalize(), line), change(line)))
    return out
