"""An OPD's per-desa count beside the harvest's published table of the same date: the upload
never publishes the number that would give back a cell the harvest hid."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from portal.auth.services import set_memberships
from portal.core.cells import SUPPRESSED
from portal.datasets import services
from portal.datasets.files import draft_bytes
from portal.datasets.queries import release_csv
from portal.extensions import db
from portal.uploads import crosscheck
from portal.uploads.service import upload_to_draft
from tests.support.world import REFERENCE_DATE
from tests.uploads.bad_input import csv_bytes

SCHEMA = {"fields": [{"name": "jumlah_penduduk", "role": "ukuran", "measure": "orang"},
                     {"name": "jumlah_kader", "role": "ukuran", "measure": "orang"}]}


@pytest.fixture
def opd(app, users, published):
    """Dinas Kesehatan with the test produsen as its member, in the published harvested world."""
    org = services.ensure_organization("dinas-kesehatan", "Dinas Kesehatan")
    db.session.flush()
    set_memberships(users["produsen"], [org.id], None)
    db.session.commit()
    return org


def frame(content: bytes) -> pd.DataFrame:
    """A CSV as text cells."""
    return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)


def harvest_population(published) -> pd.DataFrame:
    """The harvest's published PENDUDUK row of each desa (hidden cells as the marker)."""
    table = frame(release_csv(published))
    return table[table["kategori"] == "PENDUDUK"].set_index("kode_desa")


def upload_rows(population: pd.DataFrame, change: int = 0) -> tuple[list[list[str]], set[str]]:
    """Each desa's population as the harvest shows it (40 where it hid it), and a column of
    cadres unrelated to it; ``change`` visible desa get a different population. Also the desa
    whose population the harvest hid."""
    rows = [["kode_desa", "jumlah_penduduk", "jumlah_kader"]]
    hidden, changed = set(), 0
    for i, (code, row) in enumerate(population.iterrows()):
        value = row["jumlah"]
        if value == SUPPRESSED:
            hidden.add(code)
            value = "40"
        elif changed < change:
            value, changed = str(int(value) + 1), changed + 1
        rows.append([code.replace(".", ""), value, str(11 + i % 7)])
    return rows, hidden


def upload(rows, users, name: str, reference_date=None):
    """The rows uploaded as a draft of ``name`` for ``reference_date``."""
    schema = {**SCHEMA, "reference_date": (reference_date or REFERENCE_DATE).isoformat()}
    result = upload_to_draft(csv_bytes(rows), f"{name}.csv", name, "dinas-kesehatan", users["produsen"], schema)
    return result, frame(draft_bytes(result.release, f"{name}.csv")).set_index("kode_desa")


def test_a_population_the_harvest_hid_in_a_desa_is_hidden_in_the_upload_too(opd, users, published):
    population = harvest_population(published)
    rows, hidden = upload_rows(population)
    assert hidden and len(hidden) < len(population)  # the world hides some desa, not all
    result, table = upload(rows, users, "penduduk-opd")
    # Case A: every desa whose population the harvest hid has the upload's number hidden ...
    assert (table.loc[sorted(hidden), "jumlah_penduduk"] == SUPPRESSED).all()
    # ... so its hidden harvest cells cannot be computed (total less the visible cells).
    for code in hidden:
        harvest_row = population.loc[code, ["jumlah", "laki_laki", "perempuan"]]
        assert (harvest_row == SUPPRESSED).any()
        assert table.loc[code, "jumlah_penduduk"] == SUPPRESSED
    # Nothing else of that column is hidden: the desa the harvest shows are shown.
    shown = table.index.difference(sorted(hidden))
    assert (table.loc[shown, "jumlah_penduduk"] != SUPPRESSED).all()
    # Case B: the unrelated column is untouched.
    assert (table["jumlah_kader"] != SUPPRESSED).all()
    notes = result.report["tables"][0]["notes"]
    line = next(n for n in notes if n.startswith(f"{len(hidden)} sel disembunyikan: jumlah_penduduk"))
    assert "penduduk-dan-keluarga" in line and "membukanya" in line and "dianggap sama" not in line
    assert not any("jumlah_kader" in n for n in notes)
    matches = result.report["upload"]["harvest_matches"]
    assert [(m["kolom"], m["tabel"], m["kolom_panen"], m["kategori_panen"]) for m in matches] == [
        ("jumlah_penduduk", "penduduk-dan-keluarga", "jumlah", "PENDUDUK")]
    assert matches[0]["desa_disembunyikan"] == len(hidden)
    assert result.report["audit"]["passed"], result.report["audit"]["findings"]
    # The report cites counts and names, never a desa's number.
    assert not any(ch.isdigit() for ch in line.split(" ", 1)[1])


def test_a_column_that_agrees_on_most_desa_is_taken_as_the_same_and_the_report_says_so(opd, users, published):
    population = harvest_population(published)
    rows, hidden = upload_rows(population, change=1)
    visible = len(population) - len(hidden)
    assert visible >= 10  # one desa in ten or more differs: under the 90 % doubt line
    result, table = upload(rows, users, "penduduk-ragu")
    assert (table.loc[sorted(hidden), "jumlah_penduduk"] == SUPPRESSED).all()
    line = next(n for n in result.report["tables"][0]["notes"] if "jumlah_penduduk sama dengan" in n)
    assert f"sama di {visible - 1} dari {visible} desa" in line and "dianggap sama" in line


def test_a_column_that_differs_on_many_desa_is_not_the_same_quantity(opd, users, published):
    population = harvest_population(published)
    visible = len(population) - sum(population["jumlah"] == SUPPRESSED)
    rows, _hidden = upload_rows(population, change=visible // 2)
    result, table = upload(rows, users, "penduduk-lain")
    assert (table["jumlah_penduduk"] != SUPPRESSED).all()
    assert result.report["upload"]["harvest_matches"] == []


def test_another_reference_date_is_not_checked_against_the_harvest(opd, users, published):
    population = harvest_population(published)
    rows, hidden = upload_rows(population)
    result, table = upload(rows, users, "penduduk-lalu", REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 1))
    # Case C: the harvest published nothing for that date; every count is shown.
    assert (table["jumlah_penduduk"] != SUPPRESSED).all()
    assert result.report["upload"]["harvest_matches"] == []
    assert not any("hasil panen" in n for n in result.report["tables"][0]["notes"])


def test_the_auditor_fails_a_published_file_that_shows_what_the_harvest_hid(app, published):
    """The auditor's own check, on a file whose protector did not look at the harvest."""
    population = harvest_population(published)
    rows, hidden = upload_rows(population)
    table = pd.DataFrame(rows[1:], columns=rows[0])
    table["kode_desa"] = [f"{c[:2]}.{c[2:4]}.{c[4:6]}.{c[6:]}" for c in table["kode_desa"]]
    schema = {"fields": [{"name": "kode_desa", "satudata": {"peran": "kode_wilayah"}},
                         {"name": "jumlah_penduduk", "satudata": {"peran": "ukuran", "jenis_ukuran": "orang"}},
                         {"name": "jumlah_kader", "satudata": {"peran": "ukuran", "jenis_ukuran": "orang"}}]}
    harvest = crosscheck.harvest_quantities(REFERENCE_DATE)
    findings = crosscheck.audit("bocor", table, schema, harvest)
    assert {f["kode_desa"] for f in findings} == hidden
    assert {(f["rule"], f["column"], f["detail"]) for f in findings} == {
        ("panen", "jumlah_penduduk", "penduduk-dan-keluarga")}
    assert not any("40" in f["message"] for f in findings)  # the desa's number is never cited
    # Hidden where the harvest hides: nothing to find.
    table.loc[table["kode_desa"].isin(hidden), "jumlah_penduduk"] = SUPPRESSED
    assert crosscheck.audit("bocor", table, schema, harvest) == []
    # No harvest table of another date.
    assert crosscheck.harvest_quantities(REFERENCE_DATE.replace(year=2020)).empty


def test_a_desa_total_the_harvest_shows_is_never_the_partner_that_protects_a_hidden_one(opd, users, published):
    """With kecamatan rows, hiding one desa needs a partner in its kecamatan; a desa whose number
    the harvest publishes would be no partner (subtract it back), so the kecamatan row is hidden."""
    population = harvest_population(published)
    rows, hidden = upload_rows(population)
    desa = pd.DataFrame(rows[1:], columns=rows[0])
    desa["kode_desa"] = [f"{c[:2]}.{c[2:4]}.{c[4:6]}.{c[6:]}" for c in desa["kode_desa"]]
    desa["kec"] = desa["kode_desa"].str[:8]
    sums = desa.groupby("kec")[["jumlah_penduduk", "jumlah_kader"]].agg(lambda v: str(sum(map(int, v))))
    lone = {kec for kec, n in desa[desa["kode_desa"].isin(hidden)].groupby("kec").size().items() if n == 1}
    assert lone  # the world has a kecamatan with one desa the harvest hid
    rows = [rows[0], *desa[rows[0]].values.tolist(), *[[kec, *sums.loc[kec]] for kec in sums.index]]
    result, table = upload(rows, users, "penduduk-kecamatan")
    assert result.report["audit"]["passed"], result.report["audit"]["findings"]
    shown = [c for c in population.index if c not in hidden]
    assert (table.loc[shown, "jumlah_penduduk"] != SUPPRESSED).all()
    assert (table.loc[sorted(hidden), "jumlah_penduduk"] == SUPPRESSED).all()
    assert (table.loc[sorted(lone), "jumlah_penduduk"] == SUPPRESSED).all()
