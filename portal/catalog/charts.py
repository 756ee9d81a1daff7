"""The chart that suits a published table: a pyramid for age x sex, bars by category otherwise.

Charts are drawn on the server as inline SVG (no JavaScript, nothing from a CDN); this module
only works out what to draw. Hidden cells ("x") are left out of every sum, so a total that
skipped one is a lower bound and is flagged as such.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from portal.privacy.protect import SUPPRESSED
from portal.statistics.catalogue import AGE_RANGES, get_spec

BAR_WIDTH = 300      # longest bar, in SVG units
HALF_WIDTH = 250     # longest half of a pyramid row
LABEL_CHARS = 38


@dataclass
class Bar:
    """One category: its visible total, whether cells were hidden, and the bar geometry."""

    kode: str
    label: str
    value: int
    partial: bool
    hidden: bool          # every cell of the category was hidden: nothing to draw
    width: float = 0.0
    laki_laki: int = 0
    perempuan: int = 0
    width_l: float = 0.0
    width_p: float = 0.0

    @property
    def short(self) -> str:
        """The label cut to fit beside a bar (the table alternative shows it whole)."""
        return self.label if len(self.label) <= LABEL_CHARS else self.label[:LABEL_CHARS - 1] + "…"


@dataclass
class Chart:
    """What the template draws: ``kind`` is "pyramid" or "bars"."""

    kind: str
    scope: str
    rows: list[Bar] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        """True when any total is a lower bound."""
        return any(r.partial or r.hidden for r in self.rows)

    @property
    def height(self) -> int:
        """SVG height: one line per category (plus the pyramid's header)."""
        return (18 * len(self.rows) + 30) if self.kind == "pyramid" else (22 * len(self.rows) + 10)


def is_pyramid(name: str, columns) -> bool:
    """The age-group x sex table (OpenSID's kelompok umur brackets) is drawn as a pyramid."""
    try:
        spec = get_spec(name)
    except KeyError:
        return False
    return (spec.dimension == "age" and spec.brackets == AGE_RANGES
            and {"laki_laki", "perempuan"} <= set(columns))


def by_category(frame: pd.DataFrame) -> list[Bar]:
    """Totals per category (code order as published), over the rows of ``frame``."""
    if not {"kode", "kategori", "jumlah"} <= set(frame.columns):
        return []
    counts = [c for c in ("jumlah", "laki_laki", "perempuan") if c in frame.columns]
    hidden = frame[counts].eq(SUPPRESSED)
    # One vectorised pass: visible sums, and per category whether any / every cell was hidden.
    numbers = frame[counts].mask(hidden).apply(pd.to_numeric, errors="coerce").fillna(0)
    grouped = pd.concat([frame[["kode"]], numbers, hidden.add_prefix("h_")], axis=1).groupby(
        "kode", sort=False)
    sums, every = grouped[counts].sum(), grouped["h_jumlah"].all()
    some = grouped[[f"h_{c}" for c in counts]].any()
    labels = frame.groupby("kode", sort=False)["kategori"].first()
    out = []
    for kode in sums.index:
        all_hidden = bool(every[kode])
        bar = Bar(str(kode), str(labels[kode]), int(sums.at[kode, "jumlah"]),
                  bool(some.loc[kode].any()) and not all_hidden, all_hidden)
        bar.laki_laki = int(sums.at[kode, "laki_laki"]) if "laki_laki" in counts else 0
        bar.perempuan = int(sums.at[kode, "perempuan"]) if "perempuan" in counts else 0
        out.append(bar)
    return out


def build(name: str, frame: pd.DataFrame, scope: str) -> Chart | None:
    """The chart of ``frame`` (already narrowed to a kecamatan or desa), or None if none suits."""
    rows = by_category(frame)
    if not rows:
        return None
    if is_pyramid(name, frame.columns):
        top = max([r.laki_laki for r in rows] + [r.perempuan for r in rows] + [0])
        for r in rows:
            r.width_l = round(HALF_WIDTH * r.laki_laki / top, 1) if top else 0.0
            r.width_p = round(HALF_WIDTH * r.perempuan / top, 1) if top else 0.0
        # Oldest at the top, as population pyramids are read.
        return Chart("pyramid", scope, list(reversed(rows)))
    top = max(r.value for r in rows)
    for r in rows:
        r.width = round(BAR_WIDTH * r.value / top, 1) if top else 0.0
    return Chart("bars", scope, rows)
