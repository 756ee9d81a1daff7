"""Panels of the village data beyond the register (issue 16.5) on the dashboard, kecamatan and desa pages.

Every expected number is read from the published CSV the panel names: sums only where no
cell is hidden, a hidden cell (or a sum over one) shown as hidden, never as a number.
"""
from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pandas as pd
import pytest

from portal.auth.services import create_user
from portal.catalog import village_panels as vp
from portal.catalog.tables import PublishedTable
from portal.core.cells import SUPPRESSED
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.queries import release_csv, table_from_bytes
from portal.extensions import db
from portal.sources.wilayah import load_district
from portal.statistics.catalogue import CATALOGUE
from tests.support.catalog import CatalogFactory
from tests.support.world import (
    PASSWORDS,
    REFERENCE_DATE,
    fresh_app,
    join_catalogue_opds,
    publish_all,
    snapshot_dir,
)

MONTHLY, HOUSEHOLDS = vp.MONTHLY, vp.HOUSEHOLDS
COUNT_TABLES = {spec.name for spec in CATALOGUE}
AID = [name for name, _ in vp.AID]
KECAMATAN = "51.02.01"


# ---- tests on their own empty app (function-scoped): they come before the module's shared
# world, which is built on the same database when it is PostgreSQL (a fresh app drops the schema).

def test_dashboard_and_kecamatan_pages_list_the_desa_without_data(app):
    client = app.test_client()
    before = client.get("/dasbor").get_data(as_text=True)
    assert "panel-tanpa-data" not in before  # nothing published: no list of every desa
    # The catalogue factory's table covers three desa (two of Selemadeg, one of Kerambitan).
    CatalogFactory(app).dataset("penduduk-dan-keluarga", [("1.0.0", ReleaseStatus.PUBLISHED)])
    district = load_district(app.config["DISTRICT_CODE"])
    html = client.get("/dasbor").get_data(as_text=True)
    assert f"{len(district.desa) - 3} dari {len(district.desa)} desa belum ada data terbit" in html
    kecamatan = next(k for k in district.kecamatan if k.kode == KECAMATAN)
    page = unescape(client.get(f"/kecamatan/{KECAMATAN}").get_data(as_text=True))
    listed = _panel_html(page, "tanpa-data")
    assert f"{len(kecamatan.desa) - 2} dari {len(kecamatan.desa)} desa" in listed
    for desa in kecamatan.desa:
        assert (f'href="/desa/{desa.kode}"' in listed) == (desa.kode not in ("51.02.01.2001", "51.02.01.2002"))
    english = client.get(f"/kecamatan/{KECAMATAN}?lang=en").get_data(as_text=True)
    assert "Villages with no data yet" in english


def test_a_draft_table_does_not_count_as_data(app):
    CatalogFactory(app).dataset("penduduk-dan-keluarga", [("1.0.0", ReleaseStatus.DRAFT)])
    assert "panel-tanpa-data" not in app.test_client().get("/dasbor").get_data(as_text=True)
    assert vp.without_data(load_district(app.config["DISTRICT_CODE"]).desa, []) == []


def test_stunting_panels_show_one_column_per_quarter_linked_to_its_version(app):
    from datetime import date

    client = app.test_client()
    empty = _panel_html(client.get("/dasbor").get_data(as_text=True), "stunting")
    assert "Belum ada data." in empty and "<table" not in empty
    factory = CatalogFactory(app)
    dataset = factory.dataset(vp.STUNTING_TARGETS, [("1.0.0", ReleaseStatus.PUBLISHED),
                                                    ("1.1.0", ReleaseStatus.PUBLISHED)])
    first = next(r for r in dataset.releases if r.version == "1.0.0")
    first.reference_date = date(2025, 10, 1)  # the quarter before the factory's (1 Jan 2026)
    db.session.commit()
    html = client.get("/dasbor").get_data(as_text=True)
    assert 'id="panel-stunting"' not in html
    rows, _ = panel_rows(html, "stunting-sasaran")
    panel = _panel_html(html, "stunting-sasaran")
    headings = re.findall(r'<th scope="col"><a href="([^"]+)">([^<]+)</a></th>', panel)
    assert headings == [(f"/dataset/{vp.STUNTING_TARGETS}/version/1.0.0", "Triwulan 3 2025"),
                        (f"/dataset/{vp.STUNTING_TARGETS}/version/1.1.0", "Triwulan 4 2025")]
    # The factory's rows: code 1 shown in two desa (120 + n, 35), code 4 hidden in one of two;
    # the rows carry the catalogue's label of each code.
    assert rows[0] == ["Ibu hamil", 120 + 0 + 35, 120 + 1 + 35]
    assert rows[1] == ["Anak 0-23 bulan", "x", "x"]
    assert "(1 dari 2 sel disembunyikan)" in panel
    for key in ("stunting-tikar", "stunting-layanan"):
        assert "Belum ada data." in _panel_html(html, key)
    # A desa's panel: its own rows only (a cell hidden in another desa does not touch it).
    for kode, want in (("51.02.02.2001", [["Anak 0-23 bulan", 940, 940]]),
                       ("51.02.01.2002", [["Ibu hamil", 35, 35]])):
        assert panel_rows(client.get(f"/desa/{kode}").get_data(as_text=True), "stunting-sasaran")[0] == want


@pytest.fixture(scope="module")
def site(tmp_path_factory, district_export):
    """The test district harvested and every table published, shared by the module (pages only read).

    Built like conftest's ``published`` world (same accounts), so a session that already
    harvested and published the district gets a copy (tests/support/snapshot.py).
    """
    from tests.support.snapshot import harvest_once

    app = fresh_app(tmp_path_factory.mktemp("village-panels"))
    with app.test_request_context():
        users = {
            "walidata": create_user("walidata@example.go.id", PASSWORDS["walidata"], "walidata", "Wali Data"),
            "produsen": create_user("produsen@example.go.id", PASSWORDS["produsen"], "produsen", "Produsen"),
            "walidata2": create_user("walidata2@example.go.id", PASSWORDS["walidata"], "walidata"),
        }
        db.session.commit()
        harvested = harvest_once(app, district_export, REFERENCE_DATE, users["produsen"],
                                 snapshot_dir(tmp_path_factory))
        join_catalogue_opds(users["produsen"])
        db.session.commit()
        releases = publish_all(app, harvested, users, tmp_path_factory)
        # The count tables (the boundaries and the data-quality table have other columns).
        app.published = {r.dataset.name: (r.version, _frame(release_csv(r))) for r in releases
                         if r.dataset.name in COUNT_TABLES}
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(site):
    """A client of the shared app."""
    return site.test_client()


def _frame(content: bytes) -> pd.DataFrame:
    """A published CSV with counts as nullable integers (hidden cells: <NA>)."""
    frame = table_from_bytes(content)
    for column in ("jumlah", "laki_laki", "perempuan"):
        frame[column] = pd.array([None if v == SUPPRESSED else int(v) for v in frame[column]], dtype="Int64")
    return frame


def expected(values: pd.Series):
    """What a panel must show for a sum of published cells: the number, or 'x' if any is hidden."""
    if not len(values):
        return "-"
    return "x" if values.isna().any() else int(values.sum())


class _Tables(HTMLParser):
    """The rows (cell texts) of the first table inside the element with the given id."""

    def __init__(self, panel_id: str):
        super().__init__(convert_charrefs=True)
        self.panel_id, self.depth, self.inside, self.done = panel_id, 0, False, False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.caption = self.in_caption = False
        self.headers: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") == self.panel_id:
            self.inside = True
        if not self.inside or self.done:
            return
        if tag == "caption":
            self.caption = self.in_caption = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
            if tag == "th":
                self.headers.append(a.get("scope", ""))

    def handle_endtag(self, tag):
        if not self.inside or self.done:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "caption":
            self.in_caption = False
        elif tag == "table":
            self.done = True

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def panel_rows(html: str, key: str) -> tuple[list[list], _Tables]:
    """The body rows of a panel's table as [label, value, ...] (numbers as int, hidden as 'x')."""
    parser = _Tables(f"panel-{key}")
    parser.feed(html)
    assert parser.inside, f"no panel {key}"
    rows = [[r[0], *(_value(c) for c in r[1:])] for r in parser.rows[1:]]
    return rows, parser


def _value(text: str):
    if text.startswith("x"):
        return "x"
    if text == "-":
        return "-"
    digits = re.sub(r"[^\d-]", "", text)
    return int(digits) if re.fullmatch(r"-?\d+", digits) else text


def _panel_html(html: str, key: str) -> str:
    start = html.index(f'id="panel-{key}"')
    ends = [html.find(mark, start + 1) for mark in ('<div class="panel"', "<section", "</main")]
    return html[start:min([e for e in ends if e > 0] or [len(html)])]


def _codes(part: pd.DataFrame, code: int) -> pd.Series:
    return part[part["kode"] == str(code)]["jumlah"]


def test_dashboard_monthly_panel_sums_each_kecamatan_only_where_no_cell_is_hidden(client, site):
    version, frame = site.published[MONTHLY]
    html = client.get("/dasbor").get_data(as_text=True)
    rows, parser = panel_rows(html, "bulanan")
    district = load_district(site.config["DISTRICT_CODE"])
    assert [r[0] for r in rows] == [k.nama for k in district.kecamatan] + ["Jumlah"]
    hidden_sums = 0
    for kec, row in zip(district.kecamatan, rows):
        part = frame[frame["kode_kecamatan"] == kec.kode]
        want = [expected(_codes(part, code)) for code, _ in vp.MONTHLY_COLUMNS]
        assert row[1:8] == want, kec.nama
        hidden_sums += want.count("x")
    assert hidden_sums  # the small test district hides births and moves somewhere
    total = [expected(_codes(frame, code)) for code, _ in vp.MONTHLY_COLUMNS]
    assert rows[-1][1:8] == total
    assert parser.caption and set(parser.headers) == {"col", "row"}
    assert f"/dataset/{MONTHLY}/version/{version}" in _panel_html(html, "bulanan")
    assert "Bulan laporan: 10-2026." in _panel_html(html, "bulanan")  # reference date 1 Nov 2026


def test_desa_panel_shows_its_own_numbers_and_its_hidden_cells_as_hidden(client, site):
    _, frame = site.published[MONTHLY]
    births = frame[(frame["kode"] == str(vp.LAHIR))]
    hidden = births[births["jumlah"].isna()]["kode_desa"].iloc[0]
    shown = births[births["jumlah"].notna()]["kode_desa"].iloc[0]
    for kode, births_shown in ((hidden, "x"), (shown, None)):
        part = frame[frame["kode_desa"] == kode]
        html = client.get(f"/desa/{kode}").get_data(as_text=True)
        rows, _ = panel_rows(html, "bulanan")
        assert len(rows) == 1  # the desa itself, no total
        want = [expected(_codes(part, code)) for code, _ in vp.MONTHLY_COLUMNS]
        assert rows[0][1:8] == want
        assert (want[1] == "x") == (births_shown == "x")  # the desa chosen for a hidden / shown birth count
        ends, flows = (want[6], want[0]), want[1:6]
        if "x" not in ends:
            assert rows[0][8] == ends[0] - ends[1]
        elif "x" not in flows:
            assert rows[0][8] == flows[0] + flows[2] - flows[1] - flows[3] - flows[4]
        else:
            assert rows[0][8] == "x"


def test_kecamatan_panel_lists_its_desa_and_sums_only_complete_columns(client, site):
    _, frame = site.published[MONTHLY]
    part = frame[frame["kode_kecamatan"] == KECAMATAN]
    html = client.get(f"/kecamatan/{KECAMATAN}").get_data(as_text=True)
    rows, _ = panel_rows(html, "bulanan")
    district = load_district(site.config["DISTRICT_CODE"])
    kecamatan = next(k for k in district.kecamatan if k.kode == KECAMATAN)
    assert [r[0] for r in rows] == [d.nama for d in kecamatan.desa] + ["Jumlah"]
    for desa, row in zip(kecamatan.desa, rows):
        own = part[part["kode_desa"] == desa.kode]
        assert row[1:8] == [expected(_codes(own, code)) for code, _ in vp.MONTHLY_COLUMNS], desa.nama
    assert rows[-1][1:8] == [expected(_codes(part, code)) for code, _ in vp.MONTHLY_COLUMNS]
    # A hidden part is said to be hidden: how many of the kecamatan's cells are.
    births = _codes(part, vp.LAHIR)
    if births.isna().any():
        assert f"({births.isna().sum()} dari {len(births)} sel disembunyikan)" in _panel_html(html, "bulanan")
    assert f'href="/desa/{kecamatan.desa[0].kode}"' in _panel_html(html, "bulanan")


def test_aid_panel_counts_recipients_per_programme_and_target_with_source_of_funds(client, site):
    html = client.get(f"/kecamatan/{KECAMATAN}").get_data(as_text=True)
    rows, _ = panel_rows(html, "bansos")
    frames = [site.published[name][1] for name in AID]
    codes = list(dict.fromkeys(frames[0]["kode"]))
    assert len(rows) == len(codes)
    for code, row in zip(codes, rows):
        label, funds = vp.PROGRAMMES[code]
        assert row[0] == str(label) and row[1] == str(funds)
        assert row[2:] == [expected(_codes(f[f["kode_kecamatan"] == KECAMATAN], int(code))) for f in frames]
    assert rows[0][:2] == ["PKH (Program Keluarga Harapan)", "Pusat (APBN)"]
    assert next(r for r in rows if r[0] == "BLT Dana Desa")[1] == "Dana Desa"
    panel = _panel_html(html, "bansos")
    for name in AID:
        assert f"/dataset/{name}/version/{site.published[name][0]}" in panel


def test_households_panel_shows_welfare_classes_of_the_area(client, site):
    _, frame = site.published[HOUSEHOLDS]
    kode = frame["kode_desa"].iloc[0]
    part = frame[frame["kode_desa"] == kode]
    rows, _ = panel_rows(client.get(f"/desa/{kode}").get_data(as_text=True), "rumah-tangga")
    assert [r[0] for r in rows] == [str(vp.WELFARE_CLASSES[c]) for c in part["kode"]]
    for (_, row), got in zip(part.iterrows(), rows):
        assert got[1:] == [row[c] if pd.notna(row[c]) else "x" for c in ("jumlah", "laki_laki", "perempuan")]


def test_stunting_panels_link_each_published_quarter_or_say_no_data(client, site):
    html = client.get("/dasbor").get_data(as_text=True)
    published = [(name, key) for name, key, *_ in vp.STUNTING if name in site.published]
    if not published:
        panel = _panel_html(html, "stunting")
        assert "Belum ada data." in panel and "<table" not in panel
    for name, key in published:
        panel = _panel_html(html, key)
        assert f"/dataset/{name}/version/{site.published[name][0]}" in panel and "<caption>" in panel


def test_english_pages_carry_english_labels(client, site):
    html = client.get("/dasbor?lang=en").get_data(as_text=True)
    for label in ("Population change this month", "Births", "Deaths", "Moved in", "Moved out", "Net change",
                  "Social aid recipients by programme", "Source of funds", "Central government (APBN)",
                  "Households by welfare class", "Stunting convergence"):
        assert label in html, label
    for label in ("Pindah keluar", "Perubahan bersih", "Asal dana", "Penerima bantuan sosial menurut program"):
        assert label not in html, label
    desa = client.get("/desa/51.02.01.2001?lang=en").get_data(as_text=True)
    assert "Pre-prosperous family" in desa and "Keluarga Pra Sejahtera" not in _panel_html(desa, "rumah-tangga")


def test_panel_ids_are_unique_and_tables_have_captions(client, site):
    for url in ("/dasbor", f"/kecamatan/{KECAMATAN}", "/desa/51.02.01.2001"):
        html = client.get(url).get_data(as_text=True)
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), url
        for key in ("bulanan", "bansos", "rumah-tangga"):
            panel = _panel_html(html, key)
            assert panel.count("<table") == panel.count("<caption>") == 1, (url, key)
            assert 'tabindex="0" role="region" aria-label=' in panel


def test_every_desa_has_data_so_no_list_is_shown(client, site):
    assert "panel-tanpa-data" not in client.get("/dasbor").get_data(as_text=True)
    assert "panel-tanpa-data" not in client.get(f"/kecamatan/{KECAMATAN}").get_data(as_text=True)


# ---- the rules, on hand-built tables ----

def _table(rows: list[tuple], name: str = MONTHLY, extra: dict | None = None) -> PublishedTable:
    """A published table of (kode_desa, kode_kecamatan, kode, kategori, jumlah) rows; None = hidden."""
    frame = pd.DataFrame(rows, columns=["kode_desa", "kode_kecamatan", "kode", "kategori", "jumlah"])
    frame["jumlah"] = frame["jumlah"].astype("Int64")
    frame["laki_laki"] = frame["jumlah"]
    frame["perempuan"] = frame["jumlah"] - frame["jumlah"]
    for column, values in (extra or {}).items():
        frame[column] = values
    return PublishedTable(name, "t", "1.0.0", "kependudukan", frame)


def _monthly(desa: str, values: list) -> list[tuple]:
    return [(desa, "K", str(code), "c", v) for (code, _), v in zip(vp.MONTHLY_COLUMNS, values)]


def test_sums_are_shown_only_when_no_part_is_hidden():
    table = _table(_monthly("A", [10, 1, 0, 2, 1, 0, 12]) + _monthly("B", [20, None, 0, 1, 0, 0, 20]))
    panel = vp.monthly_panel(table, [("A", "", "kode_desa", "A"), ("B", "", "kode_desa", "B")], "Desa", "t")
    a, b, total = panel.rows
    assert [c.value for c in a.cells] == [10, 1, 0, 2, 1, 0, 12, 2]
    assert b.cells[1].state == "hidden" and b.cells[1].value is None
    assert b.cells[-1].value == 0  # akhir - awal: both shown
    assert total.total and [c.value for c in total.cells[:1]] == [30]
    assert total.cells[1].state == "hidden" and (total.cells[1].hidden, total.cells[1].parts) == (1, 2)
    assert total.cells[-1].value == 2


def test_net_change_falls_back_to_the_flows_and_hides_when_neither_is_complete():
    table = _table(_monthly("A", [None, 1, 0, 2, 1, 0, None]) + _monthly("B", [None, None, 0, 1, 0, 0, None]))
    a, b = (vp.monthly_panel(table, [(d, "", "kode_desa", d)], "Desa", "t").rows[0] for d in "AB")
    assert a.cells[-1].value == 1 + 2 - 0 - 1 - 0
    assert b.cells[-1].state == "hidden"


def test_an_area_without_rows_shows_nothing_rather_than_zero():
    table = _table(_monthly("A", [10, 1, 0, 2, 1, 0, 12]))
    assert vp.monthly_panel(table, [("Z", "", "kode_desa", "Z")], "Desa", "t").rows == []  # "no data yet"
    rows = vp.monthly_panel(table, [("A", "", "kode_desa", "A"), ("Z", "", "kode_desa", "Z")], "Desa", "t").rows
    assert {c.state for c in rows[1].cells} == {"empty"}
    assert [c.value for c in rows[2].cells] == [c.value for c in rows[0].cells]  # the total: A's numbers


def test_service_coverage_is_shown_only_from_shown_cells():
    services = {1: ("IBU HAMIL: PEMERIKSAAN", (1,), (3,))}
    targets = _table([("A", "K", "1", "IBU HAMIL", 12), ("A", "K", "3", "BERSALIN", 2)]).frame
    covered = vp._coverage(services, "1", vp.Cell(8, parts=1), targets)
    assert (covered.value, covered.share) == (8, 80.0)
    hidden_target = _table([("A", "K", "1", "IBU HAMIL", 12), ("A", "K", "3", "BERSALIN", None)]).frame
    assert vp._coverage(services, "1", vp.Cell(8, parts=1), hidden_target).share is None
    assert vp._coverage(services, "1", vp.Cell(hidden=1, parts=1), targets).state == "hidden"
    assert vp._coverage(services, "9", vp.Cell(8, parts=1), targets).share is None  # no rule: no share


def test_quarter_of_a_version_is_the_last_complete_quarter_on_its_reference_date():
    from datetime import date

    assert vp.quarter_label(date(2026, 11, 1)) == "Triwulan 3 2026"
    assert vp.quarter_label(date(2026, 9, 30)) == "Triwulan 3 2026"
    assert vp.quarter_label(date(2026, 2, 15)) == "Triwulan 4 2025"


def test_an_unknown_programme_code_keeps_its_published_label():
    table = _table([("A", "K", "42", "PROGRAM BARU", 6)], name=AID[0])
    panel = vp.aid_panel({AID[0]: table}, vp.area(None))
    assert panel.rows[0].label == "PROGRAM BARU" and panel.rows[0].cells[0].text == "-"
    assert panel.rows[0].cells[1].value == 6
