"""Plausible desa boundaries for the demo district, in OpenSID's ``config.path`` format.

Each desa gets the Voronoi cell of its office position (``config.lat``/``lng``), clipped to the
kabupaten's extent: neighbouring desa share their edges exactly, together they tile the
extent, and no cell overlaps another. Inner edges get a gentle bend (the same points seen
from both sides) so a map does not look like a crystal; the outer edges stay straight.

The value is what OpenSID (since v22.02) stores for a desa: a MultiPolygon of Leaflet
LatLngs, ``[[[[lat, lng], ...]]]`` (nesting depth 4), the ring left unclosed, six decimals
(opensid-more.md section 6). A cell has tens of points. Nothing here draws random numbers:
the boundaries follow from the positions alone, so adding them changes no other table.
"""
from __future__ import annotations

import json

import numpy as np
import shapely

# Kabupaten Tabanan's extent (lat south..north, lng west..east), from the Bali coast to the
# Batukaru ridge; positions outside it widen it (with a margin) so every desa keeps a cell.
TABANAN_EXTENT = (-8.70, -8.22, 114.90, 115.25)
MARGIN = 0.01
# Points added inside each inner edge, and how far the bend leaves the straight line
# (a share of the edge's length); small enough that a cell never crosses itself.
BEND_POINTS = 5
BEND_SHARE = 0.03


def extent_of(lat: np.ndarray, lng: np.ndarray) -> tuple[float, float, float, float]:
    """The clipping box (south, north, west, east): Tabanan's extent widened to hold every desa."""
    south, north, west, east = TABANAN_EXTENT
    return (min(south, float(lat.min()) - MARGIN), max(north, float(lat.max()) + MARGIN),
            min(west, float(lng.min()) - MARGIN), max(east, float(lng.max()) + MARGIN))


def voronoi_cells(lat: np.ndarray, lng: np.ndarray, extent: tuple[float, float, float, float]) -> list:
    """One shapely Polygon per position (x = lng, y = lat), in input order, clipped to ``extent``."""
    south, north, west, east = extent
    box = shapely.box(west, south, east, north)
    points = shapely.multipoints(np.column_stack([lng, lat]))
    cells = shapely.voronoi_polygons(points, extend_to=box, ordered=True)
    return [shapely.intersection(cell, box) for cell in shapely.get_parts(cells)]


def _on_box(a: np.ndarray, b: np.ndarray, extent: tuple[float, float, float, float]) -> bool:
    """Whether the edge a-b lies on a side of the clipping box (those stay straight)."""
    south, north, west, east = extent
    for axis, value in ((1, south), (1, north), (0, west), (0, east)):
        if abs(a[axis] - value) < 1e-9 and abs(b[axis] - value) < 1e-9:
            return True
    return False


def _bend(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Points strictly between a and b on a gentle S-curve, identical whichever side walks it."""
    flip = tuple(np.round(a, 7)) > tuple(np.round(b, 7))
    p, q = (b, a) if flip else (a, b)  # one canonical direction per edge
    t = np.arange(1, BEND_POINTS + 1) / (BEND_POINTS + 1)
    d = q - p
    normal = np.array([-d[1], d[0]])
    points = p + t[:, None] * d + (BEND_SHARE * np.sin(2 * np.pi * t))[:, None] * normal
    return points[::-1] if flip else points


def ring_points(cell, extent: tuple[float, float, float, float]) -> np.ndarray:
    """The cell's outer ring (x = lng, y = lat), unclosed, inner edges bent."""
    ring = np.asarray(shapely.get_coordinates(shapely.get_exterior_ring(cell)))[:-1]
    out = []
    for i, a in enumerate(ring):
        b = ring[(i + 1) % len(ring)]
        out.append(a[None, :])
        if not _on_box(a, b, extent):
            out.append(_bend(a, b))
    return np.concatenate(out)


def opensid_path(points: np.ndarray) -> str:
    """A ring of (lng, lat) points as OpenSID's desa path: ``[[[[lat,lng],...]]]``, unclosed."""
    latlng = [[round(float(y), 6), round(float(x), 6)] for x, y in points]
    return json.dumps([[latlng]], separators=(",", ":"))


def desa_paths(lat: np.ndarray, lng: np.ndarray) -> list[str]:
    """``config.path`` for every desa, in the order of the positions given."""
    lat, lng = np.asarray(lat, dtype=float), np.asarray(lng, dtype=float)
    extent = extent_of(lat, lng)
    return [opensid_path(ring_points(cell, extent)) for cell in voronoi_cells(lat, lng, extent)]
