"""`flask demo` (what `make run` calls): a year of monthly harvests, published in date order, idempotent.

The demo runs here on a small real district (Kota Padang Panjang, 16 kelurahan) with a few
thousand residents, so each desa is large enough for its cells to be published and to move
from month to month; Tabanan at that size would hide every desa and show no trend.
"""
from datetime import date
from pathlib import Path

import pytest

from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Dataset, Release
from portal.demo import MANIFEST, ensure_demo_months
from portal.extensions import db
from portal.harvest.models import HarvestRun

SMALL_DISTRICT = "13.74"
RESIDENTS = 3000
MONTHS = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]


@pytest.fixture
def small(app):
    """The app serving the small district."""
    app.config["DISTRICT_CODE"] = SMALL_DISTRICT
    return app


def _demo(runner, months: int):
    result = runner.invoke(args=["demo", "--residents", str(RESIDENTS), "--months", str(months)])
    assert result.exit_code == 0, result.output
    return result.output


def test_three_months_are_published_in_date_order_and_a_rerun_publishes_nothing(small, runner, auth):
    output = _demo(runner, 3)
    runs = db.session.query(HarvestRun).order_by(HarvestRun.id).all()
    assert [(r.reference_date, r.status) for r in runs] == [(m, "ok") for m in MONTHS]
    names = {d.name for d in db.session.query(Dataset)}
    for run in runs:
        made = db.session.query(Release).filter_by(harvest_id=run.id).all()
        # Every draft of the month went through submit and approval, with the month's date...
        assert {(r.status, r.reference_date) for r in made} <= {(ReleaseStatus.PUBLISHED, run.reference_date)}
        assert all(r.submitted_by.email == "produsen@demo.tabanan.go.id" for r in made)
        assert all(r.reviewed_by.email == "walidata@demo.tabanan.go.id" for r in made)
        # ... and every table got a version that month, was unchanged (or kept its previous
        # version), or waits for a later month because the auditor would narrow a hidden cell.
        assert {r.dataset.name for r in made} | set(run.report["unchanged"]) | set(run.report["withheld"]) >= names
        assert not {r.dataset.name for r in made} & set(run.report["withheld"])
        assert f"{run.reference_date.isoformat()}: {len(made)} rilis terbit" in output
    for dataset in db.session.query(Dataset):
        versions = [r for r in dataset.releases if r.status is ReleaseStatus.PUBLISHED]
        dates = [r.reference_date for r in versions]
        assert dates == sorted(set(dates)) and set(dates) <= set(MONTHS)
        hashes = [r.data_hash for r in versions]
        assert all(a != b for a, b in zip(hashes, hashes[1:], strict=False))  # a version = data changed
    # A living district: its population table has a version every month.
    population = db.session.query(Dataset).filter_by(name="penduduk-dan-keluarga").one()
    assert [r.reference_date for r in population.releases] == MONTHS
    assert [r.version for r in population.releases] == ["1.0.0", "1.1.0", "1.2.0"]

    count = db.session.query(Release).count()
    again = _demo(runner, 3)
    assert "Membuat distrik demo" not in again  # the exports are reused
    assert "Tidak ada perubahan" in again
    assert all(f"{m.isoformat()}: sudah dipanen, dilewati." in again for m in MONTHS)
    assert db.session.query(HarvestRun).count() == len(MONTHS)
    assert db.session.query(Release).count() == count
    assert auth.login("walidata@demo.tabanan.go.id", "walidata-demo-2026").status_code == 302


def test_one_month_is_the_single_export_of_the_reference_date(small, runner, client):
    output = _demo(runner, 1)
    assert "Terbit: penduduk-dan-keluarga versi 1.0.0" in output
    releases = db.session.query(Release).all()
    assert {(r.version, r.status, r.reference_date) for r in releases} == {
        ("1.0.0", ReleaseStatus.PUBLISHED, date(2026, 11, 1))}
    assert len(releases) == db.session.query(Dataset).count()
    assert client.get("/dataset/penduduk-dan-keluarga").status_code == 200


def test_a_series_without_its_manifest_is_made_again_and_a_finished_one_is_reused(small, tmp_path):
    months = ensure_demo_months(RESIDENTS, 2)
    assert [m.reference_date for m in months] == MONTHS[1:]
    folder = months[0].path.parent
    stamp = (folder / MANIFEST).stat().st_mtime_ns
    assert ensure_demo_months(RESIDENTS, 2) == months
    assert (folder / MANIFEST).stat().st_mtime_ns == stamp
    (folder / MANIFEST).unlink()  # a generation stopped half-way: never harvested
    (months[0].path / "tweb_penduduk.csv").write_text("rusak\n")
    assert ensure_demo_months(RESIDENTS, 2) == months
    assert (months[0].path / "tweb_penduduk.csv").read_text() != "rusak\n"
    (folder / MANIFEST).write_text("{not json")
    assert ensure_demo_months(RESIDENTS, 2) == months
    assert len(ensure_demo_months(RESIDENTS + 1, 2)) == 2  # another size is generated again


@pytest.mark.parametrize("months", ["0", "121", "dua"])
def test_a_bad_number_of_months_is_refused_before_anything_is_made(small, runner, months):
    result = runner.invoke(args=["demo", "--residents", str(RESIDENTS), "--months", months])
    assert result.exit_code == 2
    assert "--months" in result.output
    assert db.session.query(HarvestRun).count() == 0
    assert db.session.query(Release).count() == 0


def test_a_generation_that_fails_in_its_worker_stops_the_demo_before_any_harvest(small, runner):
    small.config["DISTRICT_CODE"] = "99.99"  # no such kabupaten: the worker process fails
    result = runner.invoke(args=["demo", "--residents", str(RESIDENTS), "--months", "2"])
    assert result.exit_code == 1
    assert "pembuatan distrik demo gagal" in result.output
    assert db.session.query(HarvestRun).count() == 0
    assert db.session.query(Release).count() == 0
    folder = Path(small.instance_path) / "demo-series"
    assert not (folder / MANIFEST).exists()  # the next run generates again
