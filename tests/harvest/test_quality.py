"""The harvest drafts "Kualitas Data Desa" from the generated district: true counts, the same
hidden cells as the catalogue tables, the raw counts kept for the walidata, no personal data."""
import shutil
from pathlib import Path

import pandas as pd
import pytest

from portal.core.vocabularies import ReleaseStatus
from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.harvest.pipeline import _whole, harvest_tables
from portal.sources.readers import read_source
from portal.sources.wilayah import load_district
from portal.statistics.catalogue import CATALOGUE, UNFILLED_CODE
from portal.statistics.quality import (
    NIK_INVALID,
    NO_HEAD,
    QUALITY_NAME,
    UNFILLED_BASE,
    indicators,
    nik_valid,
    unfilled_specs,
    warning_kind,
    warnings_by_desa,
)
from tests.support.world import REFERENCE_DATE

UNIT = "penduduk-dan-keluarga"


def _raw(export: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(export / f"{table}.csv", dtype=str, keep_default_na=False)


def _draft_csv(app, release) -> pd.DataFrame:
    path = (Path(app.config["STORAGE_DIR"]) / "releases" / str(release.id) / "data"
            / f"{release.dataset.name}.csv")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _dotted(kode: str) -> str:
    return f"{kode[:2]}.{kode[2:4]}.{kode[4:6]}.{kode[6:]}"


def _quality(harvested):
    return next(r for r in harvested.drafts if r.dataset.name == QUALITY_NAME)


def test_the_quality_table_is_drafted_with_every_desa_and_indicator(harvested, app):
    release = _quality(harvested)
    assert release.status == ReleaseStatus.DRAFT and release.validation_report["valid"]
    table = _draft_csv(app, release)
    codes = [i.code for i in indicators(CATALOGUE)]
    assert len(table) == 133 * len(codes)
    assert table.groupby("kode_desa")["kode"].apply(lambda s: sorted(map(int, s))).map(
        lambda found: found == sorted(codes)).all()
    assert release.privacy_report  # the harvest's privacy report, as every draft of the harvest
    assert release.dataset.title == "Kualitas Data Desa"


def test_a_shown_count_is_the_true_one_and_small_ones_are_hidden(harvested, app, district_export):
    table = _draft_csv(app, _quality(harvested))
    people = _raw(district_export, "tweb_penduduk")
    config = _raw(district_export, "config").set_index("id")
    alive = people[people["status_dasar"] == "1"]
    bad = alive[~nik_valid(alive["nik"])]
    truth = bad.groupby("config_id").size().rename(index=lambda c: _dotted(config.loc[c, "kode_desa"]))
    rows = table[table["kode"] == str(NIK_INVALID)].set_index("kode_desa")
    k = app.config["PRIVACY_K_GENERAL"]
    shown = 0
    for kode, row in rows.iterrows():
        true = int(truth.get(kode, 0))
        if 1 <= true < k:
            assert row["jumlah"] == "x" and row["persen"] == "x"
        elif row["jumlah"] != "x":
            shown += 1
            assert int(row["jumlah"]) == true
            assert float(row["persen"]) == round(100 * true / int(row["penyebut"]), 1)
    assert shown  # the rule is exercised, not only hidden


def test_an_unfilled_field_is_the_belum_mengisi_cell_its_table_drafts(harvested, app):
    tables = {r.dataset.name: _draft_csv(app, r) for r in harvested.drafts}
    quality = tables[QUALITY_NAME]
    for i, spec in enumerate(unfilled_specs(CATALOGUE)):
        if spec.name not in tables:
            continue
        own = tables[spec.name]
        cells = own[own["kode"] == str(UNFILLED_CODE)].set_index("kode_desa")["jumlah"]
        mine = quality[quality["kode"] == str(UNFILLED_BASE + i)].set_index("kode_desa")["jumlah"]
        assert (mine.sort_index() == cells.sort_index()).all(), spec.name


def test_the_families_without_a_head_hide_their_denominator_with_them(harvested, app):
    table = _draft_csv(app, _quality(harvested))
    rows = table[table["kode"] == str(NO_HEAD)]
    assert (rows.loc[rows["jumlah"] == "x", "penyebut"] == "x").all()


def test_the_raw_counts_are_kept_for_the_walidata_without_personal_values(harvested):
    run = db.session.get(HarvestRun, harvested.run.id)
    quality = run.report["quality"]
    assert len(quality) == 133
    assert set(quality[0]) == {"kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan",
                               "perubahan_terakhir", "skor", "items"}
    assert all(isinstance(v, int) or v is None for d in quality for item in d["items"] for v in item)
    assert all(d["skor"] is None or 0 <= d["skor"] <= 100 for d in quality)


def _damaged(district_export, tmp_path) -> tuple[Path, str, int]:
    """A copy of the export where one desa has 7 residents with a 15-digit NIK and 4 with an
    unknown religion code; returns (folder, that desa's dotted code, its living residents hit)."""
    folder = tmp_path / "export"
    shutil.copytree(district_export, folder)
    people = _raw(folder, "tweb_penduduk")
    config = _raw(folder, "config").set_index("id")
    desa_id = people["config_id"].iloc[0]
    rows = people.index[(people["config_id"] == desa_id) & (people["status_dasar"] == "1")]
    people.loc[rows[:7], "nik"] = people.loc[rows[:7], "nik"].str.slice(0, 15)
    people.loc[rows[10:14], "agama_id"] = "99"
    people.to_csv(folder / "tweb_penduduk.csv", index=False)
    return folder, _dotted(config.loc[desa_id, "kode_desa"]), 7


@pytest.mark.parametrize("chunk_rows", [None, 500])
def test_the_pipeline_counts_warnings_by_kind_and_invalid_nik_per_desa(district_export, tmp_path, chunk_rows):
    folder, kode, broken = _damaged(district_export, tmp_path)
    district = load_district("51.02")
    result = (harvest_tables(folder, REFERENCE_DATE, district, chunk_rows=chunk_rows) if chunk_rows
              else _whole(read_source(folder), REFERENCE_DATE, district))
    assert result.failure is None and not result.report.errors
    clean = harvest_tables(district_export, REFERENCE_DATE, district)
    warnings = warnings_by_desa(result.report.by_desa, result.desa)
    assert warnings[kode] == {warning_kind("NIK harus 16 digit"): broken,
                              warning_kind("kode tidak dikenal"): 4}
    assert set(warnings) == {kode}
    place = list(result.desa["kode_desa"]).index(kode)
    assert result.quality.nik_invalid[place] == clean.quality.nik_invalid[place] + broken
    others = [i for i in range(len(result.desa)) if i != place]
    assert (result.quality.nik_invalid[others] == clean.quality.nik_invalid[others]).all()
