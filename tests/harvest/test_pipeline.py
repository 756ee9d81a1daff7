"""The chunked harvest of a CSV folder gives the same report and tables as reading it whole."""
import shutil
from datetime import date

import pandas as pd
import pytest

from portal.demogen.generator import generate_district
from portal.demogen.village import VILLAGE_TABLES
from portal.harvest.pipeline import _whole, harvest_tables
from portal.sources.readers import read_source
from portal.sources.wilayah import load_district

REF = date(2026, 11, 1)


def _both(path, chunk_rows):
    district = load_district("51.02")
    return (harvest_tables(path, REF, district, chunk_rows=chunk_rows),
            _whole(read_source(path), REF, district))


def _same(chunked, whole):
    assert chunked.how == "chunks" and whole.how == "whole"
    assert [str(p) for p in chunked.report.problems] == [str(p) for p in whole.report.problems]
    if whole.report.errors:
        return  # a blocked harvest goes no further
    assert chunked.deny_names == whole.deny_names
    assert chunked.resident_count == whole.resident_count
    assert (chunked.minimisation.to_dict() if chunked.minimisation else None) == (
        whole.minimisation.to_dict() if whole.minimisation else None)
    assert [t.spec.name for t in chunked.tables] == [t.spec.name for t in whole.tables]
    for a, b in zip(chunked.tables, whole.tables):
        pd.testing.assert_frame_equal(a.frame, b.frame)


def test_chunks_count_exactly_what_the_whole_table_counts(district_export):
    chunked, whole = _both(district_export, chunk_rows=700)
    assert not whole.report.errors and whole.tables
    _same(chunked, whole)


def test_problems_across_chunks_are_reported_as_for_the_whole_table(district_export, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(district_export, folder)
    people = pd.read_csv(folder / "tweb_penduduk.csv", dtype=str, keep_default_na=False)
    alive = people.index[people["status_dasar"] == "1"]
    people.loc[alive[-1], "nik"] = people.loc[alive[0], "nik"]  # first and last chunk, two desa
    people.loc[alive[60:130], "agama_id"] = "42"  # one rule over the limit, across chunks
    people.loc[alive[2000], "id_kk"] = "99999999"
    people.to_csv(folder / "tweb_penduduk.csv", index=False, lineterminator="\n")
    chunked, whole = _both(folder, chunk_rows=500)
    assert any("dua desa" in p.message for p in whole.report.errors)
    _same(chunked, whole)


def test_a_cell_over_two_lines_falls_back_to_the_exact_reader(district_export, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(district_export, folder)
    people = pd.read_csv(folder / "tweb_penduduk.csv", dtype=str, keep_default_na=False)
    people.loc[3, "alamat_sekarang"] = "Banjar\nDinas"
    people.to_csv(folder / "tweb_penduduk.csv", index=False, lineterminator="\n")
    result = harvest_tables(folder, REF, load_district("51.02"), chunk_rows=500)
    assert result.how == "whole" and not result.report.errors


@pytest.mark.parametrize("batch", [700, 1500])
def test_a_district_written_in_batches_is_clean_and_complete(tmp_path, batch):
    summary = generate_district(tmp_path / "out", residents=4000, seed=5, batch_residents=batch)
    assert summary.residents == 4000
    people = pd.read_csv(tmp_path / "out" / "tweb_penduduk.csv", dtype=str, keep_default_na=False)
    families = pd.read_csv(tmp_path / "out" / "tweb_keluarga.csv", dtype=str, keep_default_na=False)
    assert people["id"].is_unique and people["nik"].is_unique and families["no_kk"].is_unique
    assert len(families) == summary.families
    for name in VILLAGE_TABLES:
        table = pd.read_csv(tmp_path / "out" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert len(table) and table["id"].is_unique, name  # ids go on from batch to batch
    result = harvest_tables(tmp_path / "out", REF, load_district("51.02"), chunk_rows=600)
    # The batch writer writes the village tables (issue 16) too: each is read and checked like
    # the register; nothing is reported but tables the demo does not write (none is missing).
    others = [p for p in result.report.problems if "tidak ada di sumber" not in p.message
              or p.table in VILLAGE_TABLES]
    assert others == [] and result.resident_count == summary.alive
    assert {"laporan-bulanan-penduduk", "penerima-bantuan-sosial-keluarga"} <= {t.spec.name for t in result.tables}


def test_a_duplicated_resident_id_is_reported_the_same_by_both_paths(district_export, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(district_export, folder)
    people = pd.read_csv(folder / "tweb_penduduk.csv", dtype=str, keep_default_na=False)
    families = pd.read_csv(folder / "tweb_keluarga.csv", dtype=str, keep_default_na=False)
    # No family points to either row: only the id check can see it (first and last chunk).
    loose = people.index[~people["id"].isin(set(families["nik_kepala"]))]
    people.loc[loose[-1], "id"] = people.loc[loose[0], "id"]
    people.to_csv(folder / "tweb_penduduk.csv", index=False, lineterminator="\n")
    chunked, whole = _both(folder, chunk_rows=500)
    rows = [p.row for p in whole.report.errors if p.column == "id"]
    assert rows == [loose[0] + 2, loose[-1] + 2]
    assert whole.failure is None and chunked.failure is None
    _same(chunked, whole)
