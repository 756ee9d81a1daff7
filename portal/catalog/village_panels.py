"""Panels of the village data beyond the register (issue 16.5) on the dashboard and place pages.

Each panel reads the latest PUBLISHED version of its catalogue tables (catalog.tables), names
and links every version it used, and adds cells up only where none is hidden: a sum over a
hidden cell is shown as hidden, with the number of desa whose cell is hidden, never as a
number (a lower bound would still read as a count). Rules are data: which table, which codes,
which columns; the templates (catalog/_panel_*.html) render any panel the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from flask_babel import lazy_gettext as _l

from portal.catalog.tables import PublishedTable
from portal.statistics.catalogue import AKHIR, AWAL, DATANG, HILANG, LAHIR, MATI, PINDAH

MONTHLY = "laporan-bulanan-penduduk"
AID = (("penerima-bantuan-sosial-penduduk", "penduduk"),
       ("penerima-bantuan-sosial-keluarga", "keluarga"),
       ("penerima-bantuan-sosial-rumah-tangga", "rumah_tangga"))
HOUSEHOLDS = "rumah-tangga-menurut-kelas-sosial"
# The stunting convergence tables (issue 16.2, statistics.stunting): one version per quarter
# (the last complete quarter on its reference date); the panels show the latest QUARTERS_SHOWN
# quarters, each column linked to its version.
STUNTING_TARGETS = "konvergensi-stunting-sasaran"
STUNTING_TIKAR = "konvergensi-stunting-tikar"
STUNTING_SERVICES = "konvergensi-stunting-layanan"
STUNTING = (
    (STUNTING_TARGETS, "stunting-sasaran", _l("Konvergensi stunting: sasaran per triwulan"), _l("Sasaran")),
    (STUNTING_TIKAR, "stunting-tikar", _l("Konvergensi stunting: status TIKAR anak 0-23 bulan per triwulan"),
     _l("Status TIKAR")),
    (STUNTING_SERVICES, "stunting-layanan",
     _l("Konvergensi stunting: penerima layanan per triwulan (cakupan atas sasaran layanannya)"), _l("Layanan")),
)
QUARTERS_SHOWN = 4
# Row labels (the published categories of statistics.catalogue, so English pages read English).
STUNTING_LABELS: dict[str, dict[str, object]] = {
    STUNTING_TARGETS: {
        "1": _l("Ibu hamil"), "2": _l("Ibu hamil KEK atau risiko tinggi"),
        "3": _l("Ibu hamil yang sudah bersalin (masa nifas)"), "4": _l("Anak 0-23 bulan"),
        "5": _l("Anak 0-5 bulan"), "6": _l("Anak gizi kurang"), "7": _l("Anak gizi buruk"),
        "8": _l("Anak stunting")},
    STUNTING_TIKAR: {"1": _l("Tidak diukur"), "2": _l("Merah (sangat pendek)"), "3": _l("Kuning (pendek)"),
                     "4": _l("Hijau (normal)")},
    STUNTING_SERVICES: {
        "1": _l("Ibu hamil: pemeriksaan kehamilan"), "2": _l("Ibu hamil: pil Fe"),
        "3": _l("Ibu bersalin: pemeriksaan nifas"), "4": _l("Ibu hamil: konseling gizi"),
        "5": _l("Ibu hamil KEK/risti: kunjungan rumah"), "6": _l("Ibu hamil: akses air bersih"),
        "7": _l("Ibu hamil: jamban sehat"), "8": _l("Ibu hamil: jaminan kesehatan"),
        "11": _l("Anak: imunisasi dasar"), "12": _l("Anak: pengukuran berat badan"),
        "13": _l("Anak: pengukuran tinggi badan"), "14": _l("Anak: konseling gizi orang tua"),
        "15": _l("Anak: kunjungan rumah"), "16": _l("Anak: akses air bersih"), "17": _l("Anak: jamban sehat"),
        "18": _l("Anak: akta lahir"), "19": _l("Anak: jaminan kesehatan"), "20": _l("Anak: pengasuhan PAUD")},
}

# Laporan bulanan: (code, column label); the net change is akhir - awal (or the flows).
MONTHLY_COLUMNS = (
    (AWAL, _l("Awal bulan")), (LAHIR, _l("Lahir")), (MATI, _l("Mati")),
    (DATANG, _l("Pindah datang")), (PINDAH, _l("Pindah keluar")), (HILANG, _l("Hilang")),
    (AKHIR, _l("Akhir bulan")))
NET_LABEL = _l("Perubahan bersih")
INFLOWS, OUTFLOWS = (LAHIR, DATANG), (MATI, PINDAH, HILANG)
AID_TARGET_LABELS = {"penduduk": _l("Penduduk"), "keluarga": _l("Keluarga"),
                     "rumah_tangga": _l("Rumah tangga")}
# Published programme codes (catalogue.PROGRAMME_CATEGORIES) -> (label, source of funds). A
# national programme's funds are those of its rules; any other programme was published under
# the source of funds its desa entered in OpenSID.
CENTRAL = _l("Pusat (APBN)")
PROGRAMMES: dict[str, tuple] = {
    "1": (_l("PKH (Program Keluarga Harapan)"), CENTRAL),
    "2": (_l("BPNT / Program Sembako"), CENTRAL),
    "3": (_l("BLT Dana Desa"), _l("Dana Desa")),
    "4": (_l("BST (Bantuan Sosial Tunai)"), CENTRAL),
    "5": (_l("PBI JKN / KIS"), _l("Pusat (APBN); PBI daerah: APBD")),
    "6": (_l("PIP / KIP"), CENTRAL),
    "7": (_l("Bedah rumah / RTLH"), _l("beragam (APBN, APBD, Dana Desa)")),
    "8": (_l("BLSM"), CENTRAL),
    "91": (_l("Program lain"), _l("Pusat")),
    "92": (_l("Program lain"), _l("Provinsi")),
    "93": (_l("Program lain"), _l("Kabupaten/kota")),
    "94": (_l("Program lain"), _l("Dana Desa")),
    "95": (_l("Program lain"), _l("Hibah dan lainnya")),
    "99": (_l("Program lain"), _l("Tidak diisi")),
}
WELFARE_CLASSES = {"1": _l("Keluarga Pra Sejahtera"), "2": _l("Sejahtera I"), "3": _l("Sejahtera II"),
                   "4": _l("Sejahtera III"), "5": _l("Sejahtera III Plus"), "777": _l("Belum mengisi")}


@dataclass(frozen=True)
class Column:
    """A column heading, linked to the version its numbers come from when columns differ in that."""

    label: str
    href: str = ""


@dataclass(frozen=True)
class Cell:
    """One shown value: a number, or hidden (``hidden`` desa hid a part), or text, or nothing."""

    value: int | None = None
    hidden: int = 0         # how many of the summed cells are hidden (then value is None)
    parts: int = 0          # how many cells were summed (0: no published row at all)
    text: str = ""
    share: float | None = None  # a coverage in percent, from shown cells only

    @property
    def state(self) -> str:
        """'text', 'number', 'hidden' or 'empty': what the template shows."""
        if self.text:
            return "text"
        if self.hidden:
            return "hidden"
        return "number" if self.parts else "empty"


@dataclass
class Row:
    """A row of a panel: its label (linked when it is a place) and its cells."""

    label: str
    cells: list[Cell]
    href: str = ""
    total: bool = False


@dataclass
class Panel:
    """A table of published numbers with the versions it was read from."""

    key: str
    title: str
    caption: str
    row_header: str
    columns: list[Column]
    rows: list[Row]
    sources: list[PublishedTable]
    note: str = ""
    extra: dict = field(default_factory=dict)


def total(part: pd.DataFrame, column: str = "jumlah") -> Cell:
    """The sum of ``column`` over ``part``'s rows, or hidden when any of them is hidden."""
    if not len(part):
        return Cell()
    values = part[column]
    hidden = int(values.isna().sum())
    if hidden:
        return Cell(hidden=hidden, parts=len(values))
    return Cell(value=int(values.sum()), parts=len(values))


def _code(frame: pd.DataFrame, code) -> pd.DataFrame:
    return frame[frame["kode"] == str(code)]


def net_change(cells: dict[int, Cell]) -> Cell:
    """Akhir - awal when both are shown, else inflows - outflows when all are; else hidden."""
    ends = (cells[AKHIR], cells[AWAL])
    if all(c.state == "number" for c in ends):
        return Cell(value=ends[0].value - ends[1].value, parts=1)
    flows = [cells[c] for c in (*INFLOWS, *OUTFLOWS)]
    if all(c.state == "number" for c in flows):
        return Cell(value=sum(cells[c].value for c in INFLOWS) - sum(cells[c].value for c in OUTFLOWS),
                    parts=1)
    if all(c.state == "empty" for c in (*ends, *flows)):
        return Cell()
    return Cell(hidden=max(c.hidden for c in (*ends, *flows)) or 1, parts=1)


def monthly_row(part: pd.DataFrame, label: str, href: str = "", is_total: bool = False) -> Row:
    """One place's (or a sum of places') monthly report: the seven codes and the net change."""
    cells = {code: total(_code(part, code)) for code, _ in MONTHLY_COLUMNS}
    return Row(label, [*(cells[code] for code, _ in MONTHLY_COLUMNS), net_change(cells)], href, is_total)


def monthly_panel(table: PublishedTable | None, groups: list[tuple[str, str, str, str]],
                  row_header: str, title: str, month: str = "") -> Panel | None:
    """The monthly report, one row per group (label, href, area column, code) and a total row.

    The total is summed over every group's rows (hidden when any is hidden); a single group
    (a desa page) gets no total row.
    """
    if table is None:
        return None
    frame = table.frame
    rows = [monthly_row(frame[frame[column] == code], label, href) for label, href, column, code in groups]
    if len(groups) == 1 and all(c.state == "empty" for c in rows[0].cells):
        rows = []  # a desa without a row in this table: "no data yet", not a row of dashes
    elif len(groups) > 1:
        codes = {(column, code) for _, _, column, code in groups}
        mask = pd.Series(False, index=frame.index)
        for column, code in codes:
            mask |= frame[column] == code
        rows.append(monthly_row(frame[mask], str(_l("Jumlah")), is_total=True))
    columns = [Column(label) for _, label in MONTHLY_COLUMNS] + [Column(NET_LABEL)]
    return Panel("bulanan", title, title, row_header, columns, rows, [table], extra={"month": month})


def aid_panel(tables: dict[str, PublishedTable], part) -> Panel | None:
    """Recipients per programme: one column per target kind, with the programme's source of funds.

    ``part(frame)`` keeps the rows of the area (the whole district, a kecamatan, a desa).
    """
    used = [(tables[name], target) for name, target in AID if name in tables]
    if not used:
        return None
    frames = {target: part(table.frame) for table, target in used}
    codes = list(dict.fromkeys(c for f in frames.values() for c in f["kode"]))
    rows = []
    for code in codes:
        label, funds = PROGRAMMES.get(code, (None, None))
        if label is None:  # a category this page does not know: its published label as it is
            label = next(f[f["kode"] == code]["kategori"].iloc[0] for f in frames.values()
                         if (f["kode"] == code).any())
        rows.append(Row(str(label), [Cell(text=str(funds or "-")),
                                     *(total(_code(frames[t], code)) for _, t in used)]))
    columns = [Column(_l("Asal dana")), *(Column(AID_TARGET_LABELS[t]) for _, t in used)]
    title = _l("Penerima bantuan sosial menurut program")
    return Panel("bansos", title, title, _l("Program"), columns, rows, [t for t, _ in used],
                 note=_l("Asal dana program nasional menurut ketentuannya; program lain menurut "
                         "asal dana yang diisi desa di OpenSID. Satu penerima dapat menerima "
                         "beberapa program."))


def households_panel(table: PublishedTable | None, part) -> Panel | None:
    """Households by welfare class (of the head's family), with the head's sex."""
    if table is None:
        return None
    frame = part(table.frame)
    rows = []
    for code in dict.fromkeys(frame["kode"]):
        rows_of = _code(frame, code)
        label = WELFARE_CLASSES.get(code) or rows_of["kategori"].iloc[0]
        rows.append(Row(str(label), [total(rows_of, c) for c in ("jumlah", "laki_laki", "perempuan")]))
    title = _l("Rumah tangga menurut kelas sosial")
    return Panel("rumah-tangga", title, title, _l("Kelas sosial"),
                 [Column(c) for c in (_l("Rumah tangga"), _l("Kepala laki-laki"), _l("Kepala perempuan"))],
                 rows, [table])


def quarter_label(reference_date) -> str:
    """The quarter a stunting version counts: the last complete quarter on its reference date
    (as statistics.stunting counts it: the quarter that ends with or before the report month)."""
    from portal.statistics.village import report_month

    year, month = (int(part) for part in report_month(reference_date).split("-"))
    year, quarter = (year - 1, 4) if month < 3 else (year, month // 3)
    return str(_l("Triwulan %(q)s %(year)s", q=quarter, year=year))


def quarter_versions(name: str, keep) -> list[tuple[Column, PublishedTable]]:
    """The newest published version of each of the last QUARTERS_SHOWN quarters, oldest first.

    ``keep(frame)`` keeps the rows of the area. Versions of one quarter (a correction) give
    way to the newest.
    """
    from flask import url_for

    from portal.catalog.tables import _read
    from portal.datasets import queries

    found = queries.public_dataset(name)
    out: dict[str, tuple[Column, PublishedTable]] = {}
    for release in found.versions if found else []:
        label = quarter_label(release.reference_date)
        path, entry = queries.public_file(release, f"{name}.csv"), release.file(f"{name}.csv")
        if label in out or path is None or entry is None:
            continue
        table = PublishedTable(name, found.dataset.title, release.version, found.dataset.topic,
                               keep(_read(str(path), entry.sha256)), found.dataset.title_en or "")
        out[label] = (Column(label, url_for("catalog.dataset_version", name=name, version=release.version)), table)
        if len(out) == QUARTERS_SHOWN:
            break
    return list(reversed(out.values()))


def _coverage(services: dict, code: str, recipients: Cell, targets: pd.DataFrame | None) -> Cell:
    """The service's recipients with their share of its target group, when every cell is shown."""
    rule = services.get(int(code)) if code.isdigit() else None
    if rule is None or targets is None or recipients.state != "number":
        return recipients
    plus = [total(_code(targets, c)) for c in rule[1]]
    minus = [total(_code(targets, c)) for c in rule[2]]
    if any(c.state != "number" for c in (*plus, *minus)):
        return recipients
    group = sum(c.value for c in plus) - sum(c.value for c in minus)
    return Cell(recipients.value, parts=recipients.parts,
                share=100 * recipients.value / group if group > 0 else None)


def stunting_panels(keep) -> list[Panel]:
    """The stunting convergence panels: targets, TIKAR status and services, one column per quarter.

    Without any published stunting table one panel says there is no data yet.
    """
    by_quarter = {name: quarter_versions(name, keep) for name, *_ in STUNTING}
    if not any(by_quarter.values()):
        title = _l("Konvergensi stunting per triwulan")
        return [Panel("stunting", title, title, _l("Indikator"), [], [], [])]
    targets = {c.label: t.frame for c, t in by_quarter[STUNTING_TARGETS]}
    panels = []
    for name, key, title, header in STUNTING:
        versions = by_quarter[name]
        if not versions:
            panels.append(Panel(key, title, title, header, [], [], []))
            continue
        services = {}
        if name == STUNTING_SERVICES:
            from portal.statistics.catalogue import STUNTING_SERVICES as services
        latest = versions[-1][1].frame
        rows = []
        for code in dict.fromkeys(latest["kode"]):
            cells = [_coverage(services, code, total(_code(t.frame, code)), targets.get(c.label))
                     for c, t in versions]
            label = STUNTING_LABELS[name].get(code) or _code(latest, code)["kategori"].iloc[0]
            rows.append(Row(str(label), cells))
        panels.append(Panel(key, title, title, header, [c for c, _ in versions], rows,
                            [t for _, t in versions]))
    return panels


def by_name(tables: list[PublishedTable]) -> dict[str, PublishedTable]:
    """The published tables by dataset name."""
    return {t.name: t for t in tables}


def area(column: str | None, code: str = ""):
    """A function keeping the rows of one area (``column`` == ``code``); None: every row."""
    if column is None:
        return lambda frame: frame
    return lambda frame: frame[frame[column] == code]


def area_panels(tables: list[PublishedTable], column: str | None, code: str = "") -> list[Panel]:
    """The aid, households and stunting panels of an area (district: column None)."""
    found = by_name(tables)
    keep = area(column, code)
    panels = [aid_panel(found, keep), households_panel(found.get(HOUSEHOLDS), keep), *stunting_panels(keep)]
    return [p for p in panels if p is not None]


def desa_with_data(tables: list[PublishedTable]) -> set[str]:
    """Codes of the desa with at least one row in a published per-desa table."""
    found: set[str] = set()
    for table in tables:
        if "kode_desa" in table.frame.columns:
            found.update(table.frame["kode_desa"])
    return found


def without_data(desa, tables: list[PublishedTable]) -> list:
    """The desa (of the region list) with no row in any published table; none before any is published."""
    if not tables:
        return []
    have = desa_with_data(tables)
    return [d for d in desa if d.kode not in have]


def report_month(table: PublishedTable) -> str:
    """The report month ("MM-YYYY") of a monthly report version: the last complete month on its reference date."""
    from portal.datasets import queries
    from portal.statistics.village import report_month as month_of

    release = queries.public_release(table.name, table.version)
    if release is None or release.reference_date is None:
        return ""
    year, month = month_of(release.reference_date).split("-")
    return f"{month}-{year}"


def _monthly(tables: dict[str, PublishedTable], groups, row_header: str, place: str) -> list[Panel]:
    table = tables.get(MONTHLY)
    title = _l("Perubahan penduduk bulan ini, %(place)s", place=place)
    panel = monthly_panel(table, groups, row_header, str(title), report_month(table) if table else "")
    return [panel] if panel else []


def dashboard(tables: list[PublishedTable], district) -> dict:
    """The dashboard's panels: monthly change by kecamatan, aid, households, stunting; desa without data."""
    from flask import url_for

    found = by_name(tables)
    groups = [(k.nama, url_for("places.kecamatan", kode=k.kode), "kode_kecamatan", k.kode)
              for k in district.kecamatan]
    panels = _monthly(found, groups, str(_l("Kecamatan")), district.nama) + area_panels(tables, None)
    return {"village_panels": panels, "no_data": without_data(district.desa, tables),
            "no_data_of": len(district.desa)}


def kecamatan(tables: list[PublishedTable], kecamatan_place) -> dict:
    """A kecamatan's panels: monthly change by desa (and their sum), aid, households, stunting."""
    from flask import url_for

    found = by_name(tables)
    groups = [(d.nama, url_for("places.desa", kode=d.kode), "kode_desa", d.kode) for d in kecamatan_place.desa]
    name = str(_l("Kecamatan %(name)s", name=kecamatan_place.nama))
    panels = (_monthly(found, groups, str(_l("Desa")), name)
              + area_panels(tables, "kode_kecamatan", kecamatan_place.kode))
    return {"village_panels": panels, "no_data": without_data(kecamatan_place.desa, tables),
            "no_data_of": len(kecamatan_place.desa)}


def desa(tables: list[PublishedTable], place) -> dict:
    """A desa's own panels: its monthly report, aid, households, stunting."""
    found = by_name(tables)
    name = str(_l("Desa %(name)s", name=place.nama))
    groups = [(place.nama, "", "kode_desa", place.kode)]
    panels = _monthly(found, groups, str(_l("Desa")), name) + area_panels(tables, "kode_desa", place.kode)
    return {"village_panels": panels}
