"""An upload beside the harvest's published tables of the same desa and reference date.

An OPD's count per desa (say "jumlah penduduk") may be the very quantity a harvest table
publishes (its desa's categories summed, or one category such as PENDUDUK). Where the
harvest hid cells of a desa, the upload's number would give them back (total less the
visible cells) or narrow them. The evidence that a column is the same quantity: on the desa
where both are fully visible, the upload's number equals the harvest's on at least
MATCH_SHARE of them (not all: when in doubt it is taken as the same). Then the upload's cell
of each desa the harvest hides is hidden too (``forced``; the protector adds partners), and
the auditor checks the published file against the same tables (``audit``). The other way:
a desa total the harvest publishes is no partner for hiding (``pinned``: subtracting it back
would undo the upload's secondary suppression), and the auditor attacks the file again with
those totals put into the cells it hides (``add_findings``). Messages cite table, column and
how many desa; never a value.

Only the upload's desa rows of a single period are compared (a desa's total row, or its
categories summed); kecamatan rows and the harvest's own kecamatan sums are not.

Cost is bounded: only published harvest tables of the same reference date are read, each
once, and compared with every upload column at once (pandas and numpy, no loop over desa).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import select

from portal.core.cells import SUPPRESSED
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.files import published_bytes
from portal.datasets.models import Release
from portal.extensions import db
from portal.uploads.audit import audit_published
from portal.uploads.lines import is_total
from portal.uploads.table import Prepared

HARVEST_CODE, HARVEST_CATEGORY = "kode_desa", "kategori"
HARVEST_COUNTS = ("jumlah", "laki_laki", "perempuan")  # the harvest's count columns
MATCH_SHARE = 0.9   # share of the compared desa that must agree: "when in doubt", the same
MIN_COMPARED = 1    # desa compared at least (fewer: no evidence either way)
DESA_DOTS = 3       # 51.02.01.2001
UNDONE = ("terkunci", "interval")  # the auditor's rules a harvest-published desa total can break


@dataclass
class Harvest:
    """The harvest's per-desa quantities of one reference date: desa x quantity, NaN where the
    harvest hid a cell the quantity is made of; ``labels`` (table, title, column, category)."""

    values: pd.DataFrame
    labels: list[tuple[str, str, str, str]]

    @property
    def empty(self) -> bool:
        """No published harvest table of that date."""
        return self.values.shape[1] == 0


@dataclass
class Crosscheck:
    """The upload's cells to hide because of the harvest, and what the report says."""

    forced: np.ndarray
    pinned: np.ndarray  # cells whose number the harvest publishes (never a partner to hide)
    notes: list[str] = field(default_factory=list)
    matches: list[dict] = field(default_factory=list)


def _releases(reference_date: date) -> list[Release]:
    """The newest published harvest version of each dataset with that reference date."""
    found = db.session.scalars(select(Release).where(
        Release.status == ReleaseStatus.PUBLISHED, Release.reference_date == reference_date,
        Release.harvest_id.is_not(None))).all()
    newest: dict[int, Release] = {}
    for release in found:
        held = newest.get(release.dataset_id)
        if held is None or (release.published_at, release.id) > (held.published_at, held.id):
            newest[release.dataset_id] = release
    return list(newest.values())


def _quantities(table: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Desa x (column, category) of one harvest table, and the desa's categories summed per
    column; NaN where a cell it is made of is hidden."""
    table = table[table[HARVEST_CODE].str.count(r"\.") == DESA_DOTS]
    parts, labels = [], []
    categories = table[HARVEST_CATEGORY].astype(str)
    plain = ~categories.map(is_total).to_numpy(dtype=bool)
    for column in (c for c in HARVEST_COUNTS if c in table.columns):
        raw = table[column].astype(str).str.strip()
        number = pd.to_numeric(raw.where(raw != SUPPRESSED), errors="coerce").to_numpy(dtype=float)
        frame = pd.DataFrame({"desa": table[HARVEST_CODE].to_numpy(), "kategori": categories.to_numpy(),
                              "v": number, "h": np.isnan(number)})
        cells = frame.groupby(["desa", "kategori"], sort=False)
        hid = cells["h"].any().unstack(fill_value=False)
        wide = cells["v"].sum().unstack(fill_value=0.0).where(~hid)  # absent category: none, not hidden
        kept = frame[plain].groupby("desa", sort=False)
        parts.append(kept["v"].sum().where(~kept["h"].any()).rename(len(labels)))
        labels.append((column, ""))
        for name in wide.columns:
            parts.append(wide[name].rename(len(labels)))
            labels.append((column, str(name)))
    if not parts:
        return pd.DataFrame(), []
    return pd.concat(parts, axis=1), labels


def harvest_quantities(reference_date: date) -> Harvest:
    """Every per-desa quantity the harvest published for ``reference_date``."""
    frames, labels = [], []
    for release in _releases(reference_date):
        name = release.dataset.name
        content = published_bytes(release, f"{name}.csv")
        if content is None:
            continue
        table = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, na_values=[])
        if HARVEST_CODE not in table.columns or HARVEST_CATEGORY not in table.columns:
            continue
        wide, found = _quantities(table)
        if wide.empty:
            continue
        wide.columns = range(len(labels), len(labels) + len(found))
        frames.append(wide)
        labels += [(name, release.dataset.title, column, category) for column, category in found]
    values = pd.concat(frames, axis=1) if frames else pd.DataFrame()
    return Harvest(values, labels)


def desa_groups(codes: np.ndarray, periods: np.ndarray, dims: list[np.ndarray]) -> pd.DataFrame | None:
    """Per desa row of the upload: its desa, and whether it is the desa's total row (every
    category "jumlah") or a part of it; None when the table holds several periods."""
    if len(set(periods.tolist())) > 1:
        return None
    codes = np.asarray(codes, dtype=str)
    desa = np.char.count(codes, ".") == DESA_DOTS
    total = np.ones(len(codes), dtype=bool)
    part = np.ones(len(codes), dtype=bool)
    for values in dims:
        flags = pd.Series(np.asarray(values, dtype=object)).astype(str).map(is_total).to_numpy(dtype=bool)
        total &= flags
        part &= ~flags
    if not dims:
        part[:] = False  # one row per desa: it is the desa's total
    return pd.DataFrame({"desa": codes, "row": np.arange(len(codes)), "total": total & desa,
                         "part": part & desa})


def desa_values(groups: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """Desa x count column: the desa's number as the table shows it (its total row, else its
    parts summed), NaN when hidden; ``values`` rows x columns, NaN for hidden cells."""
    columns = range(values.shape[1])
    frame = pd.DataFrame(values, columns=columns)
    frame["desa"] = groups["desa"].to_numpy()
    totals = frame[groups["total"].to_numpy()].groupby("desa")[list(columns)].first()
    part = frame[groups["part"].to_numpy()]
    summed = part.groupby("desa")[list(columns)].sum().where(
        ~part[list(columns)].isna().groupby(part["desa"].to_numpy()).any())
    both = totals.combine_first(summed) if len(totals) else summed
    return both if len(both) else pd.DataFrame(columns=list(columns), dtype=float)


def matches(upload: pd.DataFrame, harvest: Harvest) -> list[tuple[int, int, int, int]]:
    """(upload column, harvest quantity, agreeing desa, compared desa) of every same quantity."""
    if harvest.empty or upload.empty:
        return []
    index = upload.index.intersection(harvest.values.index)
    if not len(index):
        return []
    h = harvest.values.loc[index].to_numpy(dtype=float)
    out = []
    for j in upload.columns:
        u = upload.loc[index, j].to_numpy(dtype=float)[:, None]
        both = ~np.isnan(h) & ~np.isnan(u)
        compared = both.sum(axis=0)
        agree = (both & (h == u)).sum(axis=0)
        same = (compared >= MIN_COMPARED) & (agree >= MATCH_SHARE * np.maximum(compared, 1))
        out += [(int(j), int(q), int(agree[q]), int(compared[q])) for q in np.flatnonzero(same)]
    return out


def _line(count: int, column: str, label: tuple, agree: int, compared: int) -> str:
    """The produsen's words for one match (counts of desa, never a value)."""
    doubt = "" if agree == compared else f" (sama di {agree} dari {compared} desa: dianggap sama, demi aman)"
    return (f"{count} sel disembunyikan: {column} sama dengan tabel {label[1]} ({label[0]}, kolom {label[2]}"
            f"{', kategori ' + label[3] if label[3] else ''}) hasil panen{doubt}; di desa ini tabel panen "
            "menyembunyikan sel, dan angka ini akan membukanya")


def crosscheck(counts: np.ndarray, count_names: list[str], groups: pd.DataFrame | None,
               harvest: Harvest) -> Crosscheck:
    """The upload's cells (flat over its count columns) to hide so no harvest cell comes back."""
    forced = np.zeros(counts.size, dtype=bool)
    result = Crosscheck(forced, np.zeros(counts.size, dtype=bool))
    if groups is None or harvest.empty or not counts.size:
        return result
    upload = desa_values(groups, counts.astype(float))
    width = counts.shape[1]
    for j, q, agree, compared in matches(upload, harvest):
        hidden = harvest.values[q]
        result.pinned[_total_cells(groups, _equal(upload[j], hidden)) * width + j] = True
        exposed = set(hidden.index[hidden.isna()]) & set(upload.index)
        if not exposed:
            continue
        rows = groups[groups["desa"].isin(exposed) & (groups["total"] | groups["part"])]
        cells = _one_per_desa(rows, counts[:, j]) * width + j
        forced[cells] = True
        result.notes.append(_line(len(exposed), count_names[j], harvest.labels[q], agree, compared))
        result.matches.append({"kolom": count_names[j], "tabel": harvest.labels[q][0],
                               "kolom_panen": harvest.labels[q][2], "kategori_panen": harvest.labels[q][3],
                               "desa_sama": agree, "desa_dibanding": compared, "desa_disembunyikan": len(exposed)})
    return result


def _equal(upload: pd.Series, harvest: pd.Series) -> set:
    """The desa where the harvest publishes the upload's very number."""
    index = upload.index.intersection(harvest.index)
    same = upload.loc[index].to_numpy(dtype=float) == harvest.loc[index].to_numpy(dtype=float)
    return set(index[same])


def _total_cells(groups: pd.DataFrame, desa: set) -> np.ndarray:
    """The rows holding these desa's number in one cell (their total row)."""
    return groups["row"][groups["total"] & groups["desa"].isin(desa)].to_numpy(dtype=np.int64)


def _one_per_desa(rows: pd.DataFrame, column: np.ndarray) -> np.ndarray:
    """The row to hide in each desa: its total row, else its smallest non-zero part."""
    ranked = rows.assign(v=column[rows["row"].to_numpy()])
    ranked = ranked.assign(order=np.where(ranked["total"], -1, np.where(ranked["v"] == 0, 10**12, ranked["v"])))
    return ranked.sort_values(["desa", "order"]).groupby("desa")["row"].first().to_numpy(dtype=np.int64)


def audit(name: str, frame: pd.DataFrame, schema: dict, harvest: Harvest,
          filled: pd.DataFrame | None = None) -> list[dict]:
    """The auditor's findings on the published file beside the harvest: a desa whose number the
    file shows while the same harvest quantity is hidden there (table, column, desa; no value).
    ``filled``: a copy of ``frame`` that gets, in each desa total the file hides, the number the
    harvest publishes for it (what an attacker holding both has; for ``add_findings``)."""
    if harvest.empty:
        return []
    role = {f["name"]: f.get("satudata", {}) for f in schema["fields"]}
    counted = [n for n, s in role.items() if s.get("jenis_ukuran") in ("orang", "keluarga")]
    code = next((n for n, s in role.items() if s.get("peran") == "kode_wilayah"), None)
    if not counted or code is None:
        return []
    period = [n for n, s in role.items() if s.get("peran") == "periode"]
    periods = frame[period[0]].to_numpy() if period else np.full(len(frame), "")
    groups = desa_groups(frame[code].to_numpy(), periods,
                         [frame[n].to_numpy() for n, s in role.items() if s.get("peran") == "dimensi"])
    if groups is None:
        return []
    raw = frame[counted].astype(str)
    values = raw.where(raw != SUPPRESSED).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    upload = desa_values(groups, values)
    findings = []
    for j, q, _agree, _compared in matches(upload, harvest):
        hidden = harvest.values[q]
        if filled is not None:
            known = hidden.dropna()
            gaps = groups[groups["total"] & groups["desa"].isin(set(upload.index[upload[j].isna()]) & set(known.index))]
            filled.loc[gaps["row"].to_numpy(), counted[j]] = known.loc[gaps["desa"]].astype(int).astype(str).to_numpy()
        shown = upload[j].dropna().index
        for desa in sorted(set(hidden.index[hidden.isna()]) & set(shown)):
            label = harvest.labels[q]
            findings.append({"rule": "panen", "table": name, "kode_desa": str(desa), "kategori": "",
                             "column": counted[j], "version": "baru", "detail": label[0],
                             "message": f"[panen] tabel {name}, wilayah {desa}, kolom {counted[j]}: sama dengan "
                                        f"tabel panen {label[0]} (kolom {label[2]}) yang menyembunyikan sel di desa "
                                        "ini; angka ini akan membukanya"})
    return findings


def upload_groups(prepared: Prepared) -> pd.DataFrame | None:
    """``desa_groups`` of a prepared upload (None unless its rows are desa)."""
    if prepared.level != "desa":
        return None
    period = next((c.name for c in prepared.columns if c.peran == "periode"), None)
    periods = prepared.frame[period].to_numpy() if period else np.full(len(prepared.frame), "")
    dims = [prepared.frame[c.name].to_numpy() for c in prepared.columns if c.peran == "dimensi"]
    return desa_groups(prepared.frame[prepared.code].to_numpy(), periods, dims)


def add_findings(audit_report: dict, name: str, csv_bytes: bytes, schema: dict, harvest: Harvest,
                 k: int, specific: bool, known: np.ndarray) -> None:
    """The auditor's verdict with the harvest's tables checked together (fails on a finding):
    the file shows no number the harvest hides, and with the numbers the harvest shows put in
    the cells the file hides, the file's own attack finds nothing new."""
    frame = pd.read_csv(io.BytesIO(csv_bytes), dtype=str, keep_default_na=False, na_values=[])
    filled = frame.copy()
    found = audit(name, frame, schema, harvest, filled)
    if not filled.equals(frame):
        seen = {(f["rule"], f["kode_desa"], f["kategori"], f["column"]) for f in audit_report["findings"]}
        buffer = io.StringIO()
        filled.to_csv(buffer, index=False, lineterminator="\n")
        again = audit_published(name, buffer.getvalue().encode("utf-8"), schema, k, specific, known)
        found += [{**f, "rule": "panen", "message": "[panen] dengan jumlah desa dari tabel panen: " + f["message"]}
                  for f in again["findings"] if f["rule"] in UNDONE
                  and (f["rule"], f["kode_desa"], f["kategori"], f["column"]) not in seen]
    audit_report["findings"] = [*audit_report["findings"], *found]
    audit_report["passed"] = bool(audit_report["passed"]) and not found
    audit_report["harvest_tables"] = len({label[0] for label in harvest.labels})


def for_upload(prepared: Prepared, reference_date: date) -> tuple[Harvest, Crosscheck]:
    """The harvest's quantities of ``reference_date`` (read only for desa rows) and the
    upload's cells to hide because of them."""
    groups = upload_groups(prepared)
    harvest = harvest_quantities(reference_date) if groups is not None else Harvest(pd.DataFrame(), [])
    return harvest, crosscheck(prepared.counts, prepared.count_names, groups, harvest)
