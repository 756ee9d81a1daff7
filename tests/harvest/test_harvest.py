"""Harvest of a generated OpenSID export: counts, all-or-nothing, no personal data stored."""
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Dataset, Release
from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.harvest.service import harvest
from portal.statistics.catalogue import CATALOGUE
from tests.support.harvested import harvested_names
from tests.support.world import REFERENCE_DATE


def _raw(export: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(export / f"{table}.csv", dtype=str, keep_default_na=False)


def _draft_csv(app, release) -> pd.DataFrame:
    path = (Path(app.config["STORAGE_DIR"]) / "releases" / str(release.id) / "data"
            / f"{release.dataset.name}.csv")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_cli_harvest_drafts_every_table_with_the_true_counts(runner, users, district_export, app):
    result = runner.invoke(args=["harvest", str(district_export), "--reference-date", "2026-11-01",
                                 "--as", "produsen@example.go.id"])
    assert result.exit_code == 0, result.output
    assert "133 desa dibaca" in result.output
    releases = db.session.scalars(select(Release)).all()
    assert len(releases) == len(harvested_names())
    assert {r.status for r in releases} == {ReleaseStatus.DRAFT}
    assert {r.version for r in releases} == {"1.0.0"}
    # Independent count straight from the raw export.
    people = _raw(district_export, "tweb_penduduk")
    alive = people[people["status_dasar"] == "1"]
    config = _raw(district_export, "config").set_index("id")
    expected = alive.groupby(["config_id", "sex"]).size().unstack(fill_value=0)
    population = next(r for r in releases if r.dataset.name == "penduduk-dan-keluarga")
    table = _draft_csv(app, population)
    published = table[table["kode"] == "1"].set_index("kode_desa")
    assert len(published) == 133 and len(table) == 266
    for config_id, row in expected.iterrows():
        kode = config.loc[config_id, "kode_desa"]
        out = published.loc[f"{kode[:2]}.{kode[2:4]}.{kode[4:6]}.{kode[6:]}"]
        for sex, column in (("1", "laki_laki"), ("2", "perempuan")):
            true = int(row.get(sex, 0))
            if 1 <= true < 5:
                assert out[column] == "x"
            else:  # a complement may be hidden too, but a shown number is always true
                assert out[column] in ("x", str(true))
        assert out["jumlah"] in ("x", str(int(row.sum())))
    assert sum(int(v) for v in published["jumlah"] if v != "x") <= len(alive)


def test_every_table_reconciles_with_the_desa_population(harvested, app):
    by_name = {r.dataset.name: _draft_csv(app, r) for r in harvested.drafts}
    population = by_name["penduduk-dan-keluarga"]
    people = population[population["kode"] == "1"].set_index("kode_desa")["jumlah"]
    for spec in CATALOGUE:
        if spec.population != "all" or spec.unit != "penduduk" or spec.dimension == "unit":
            continue
        table = by_name[spec.name]
        assert table.groupby("kode_desa")["kode"].count().eq(len(table["kode"].unique())).all()
        if table["jumlah"].eq("x").any():
            continue  # hidden cells: reconciliation is checked on the unprotected counts below
        sums = table.astype({"jumlah": int}).groupby("kode_desa")["jumlah"].sum()
        assert (sums == people.astype(int)).all(), spec.name


def test_harvest_records_its_run_and_minimisation_report(harvested):
    run = db.session.get(HarvestRun, harvested.run.id)
    assert run.status == "ok" and run.desa_count == 133
    assert "tweb_penduduk.nik" in run.report["minimisation"]["dropped_direct"]
    assert "tweb_penduduk.nama" in run.report["minimisation"]["dropped_direct"]
    assert "tweb_keluarga.no_kk" in run.report["minimisation"]["dropped_direct"]


def test_harvesting_the_same_data_again_makes_no_new_release(published, users, district_export):
    again = harvest(str(district_export), REFERENCE_DATE, users["produsen"])
    assert again.drafts == [] and len(again.unchanged) == len(harvested_names())
    assert db.session.query(Dataset).count() == len(harvested_names())
    assert db.session.query(Release).count() == len(harvested_names())


def test_re_harvest_while_a_draft_is_open_does_not_duplicate_it(harvested, users, district_export):
    again = harvest(str(district_export), REFERENCE_DATE, users["produsen"])
    assert again.drafts == []
    assert db.session.query(Release).count() == len(harvested_names())


def _snapshot(app):
    storage = Path(app.config["STORAGE_DIR"])
    files = sorted(str(p.relative_to(storage)) for p in storage.rglob("*") if p.is_file())
    return (db.session.query(Dataset).count(), db.session.query(Release).count(), files)


@pytest.mark.parametrize("breakage,where", [
    ("drop_column", "kolom sex"),
    ("bad_sex_code", "kolom sex"),
    ("bad_date", "kolom tanggallahir"),
    ("missing_table", "tweb_keluarga"),
    ("orphan_family", "kolom id_kk"),
])
def test_bad_input_is_reported_and_changes_nothing(app, users, district_export, tmp_path,
                                                   runner, breakage, where):
    broken = tmp_path / "broken"
    shutil.copytree(district_export, broken)
    people = _raw(broken, "tweb_penduduk")
    if breakage == "drop_column":
        people = people.drop(columns=["sex"])
    elif breakage == "bad_sex_code":
        people.loc[5, "sex"] = "9"
    elif breakage == "bad_date":
        people.loc[5, "tanggallahir"] = "1990-02-31"
    elif breakage == "orphan_family":
        people.loc[5, "id_kk"] = "999999999"
    if breakage == "missing_table":
        (broken / "tweb_keluarga.csv").unlink()
    else:
        people.to_csv(broken / "tweb_penduduk.csv", index=False)
    before = _snapshot(app)
    result = runner.invoke(args=["harvest", str(broken), "--reference-date", "2026-11-01"])
    assert result.exit_code != 0
    assert where in result.output
    assert _snapshot(app) == before
    failed = db.session.scalars(select(HarvestRun).order_by(HarvestRun.id.desc())).first()
    assert failed.status == "failed"
    if breakage not in ("missing_table", "drop_column"):
        assert "baris 7" in result.output  # data row 5 is line 7 of the file (header is line 1)
    # The offending value itself is never echoed.
    value = {"bad_sex_code": "9", "bad_date": "1990-02-31", "orphan_family": "999999999"}.get(breakage)
    if value and len(value) > 1:
        assert value not in result.output


def test_personal_data_never_reaches_the_database_or_the_files(published, app, district_export):
    people = _raw(district_export, "tweb_penduduk")
    families = _raw(district_export, "tweb_keluarga")
    secrets = set(people["nik"]) | set(families["no_kk"]) | set(people["telepon"]) - {""}
    secrets |= {n for n in people["nama"] if len(n) > 12}
    stored = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            stored.append(repr(tuple(row)))
    for path in Path(app.config["STORAGE_DIR"]).rglob("*"):
        if path.is_file() and path.suffix != ".zip":
            stored.append(path.read_text(encoding="utf-8"))
    blob = "\n".join(stored)
    leaked = [s for s in secrets if s and s in blob]
    assert leaked == []


def test_a_refused_database_url_fails_cleanly_without_storing_its_password(runner, app):
    url = "mysql+pymysql://reader:s3cret-pass@127.0.0.1:1/opensid"
    result = runner.invoke(args=["harvest", url, "--reference-date", "2026-11-01"])
    assert result.exit_code != 0
    assert "s3cret-pass" not in result.output
    run = db.session.scalars(select(HarvestRun).order_by(HarvestRun.id.desc())).first()
    assert run.status == "failed" and "s3cret-pass" not in run.source
    assert db.session.query(Release).count() == 0


def test_every_draft_carries_a_passing_privacy_report(harvested):
    from portal.privacy.gate import gate_errors
    for draft in harvested.drafts:
        report = draft.privacy_report
        assert report["passed"] and report["scan"]["passed"] and report["audit"]["passed"]
        if "geografis" in report:  # the desa boundaries count nobody: no table of counts, said so
            assert report["geografis"]["counts_people"] is False
        elif "quality_audit" in report:  # the data-quality table: the auditor's own attack on it
            assert report["quality_audit"]["passed"] and report["quality_audit"]["findings"] == []
        else:
            assert {t["table"] for t in report["tables"]} >= {draft.dataset.name}
        assert gate_errors(report) == []
