"""A folder of single-desa exports reads as one gabungan with every reference kept right."""
import zipfile

import pandas as pd
import pytest

from portal.demogen.generator import generate_district
from portal.sources import CORE_TABLES, SourceError, read_source

PER_DESA = ("tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk")
PICKED = {"desa-a": 3, "desa-b.zip": 1, "desa-c.xlsx": 40}  # config ids of the gabungan


@pytest.fixture(scope="module")
def gabungan(tmp_path_factory):
    out = tmp_path_factory.mktemp("merge") / "gabungan"
    generate_district(out, residents=1500, seed=5, fmt="csv")
    return {t: pd.read_csv(out / f"{t}.csv", dtype=str, keep_default_na=False) for t in CORE_TABLES}


@pytest.fixture(scope="module")
def folder(gabungan, tmp_path_factory, one_desa, write_export):
    base = tmp_path_factory.mktemp("desa-folder") / "kiriman"
    base.mkdir()
    for name, cid in PICKED.items():
        write_export(base / name, one_desa(gabungan, cid))
    return base


def _facts(tables: dict, config_ids) -> pd.DataFrame:
    """Each resident's links by natural keys: desa code, No. KK, the head's NIK, the RT."""
    people = tables["tweb_penduduk"]
    people = people[people["config_id"].isin([str(c) for c in config_ids])]
    families = tables["tweb_keluarga"].set_index("id")
    clusters = tables["tweb_wil_clusterdesa"].set_index("id")
    nik_of = tables["tweb_penduduk"].set_index("id")["nik"]
    desa = tables["config"].set_index("id")["kode_desa"]
    return pd.DataFrame({
        "nik": people["nik"].to_numpy(),
        "kode_desa": desa.reindex(people["config_id"]).to_numpy(),
        "no_kk": families["no_kk"].reindex(people["id_kk"]).to_numpy(),
        "kepala": nik_of.reindex(families["nik_kepala"].reindex(people["id_kk"])).to_numpy(),
        "kk_rt": clusters["rt"].reindex(families["id_cluster"].reindex(people["id_kk"])).to_numpy(),
        "rt": clusters["rt"].reindex(people["id_cluster"]).to_numpy(),
        "dusun": clusters["dusun"].reindex(people["id_cluster"]).to_numpy(),
    }).sort_values("nik").reset_index(drop=True)


def test_merged_folder_is_one_gabungan_with_unique_ids(folder, gabungan):
    source = read_source(folder)
    assert source.kind == "folder"
    assert source["config"]["id"].tolist() == ["1", "2", "3"]  # in the folder's name order
    assert source["config"]["kode_desa"].tolist() == [
        gabungan["config"].set_index("id").loc[str(c), "kode_desa"] for c in PICKED.values()]
    for table in PER_DESA:
        frame = source[table]
        expected = gabungan[table]["config_id"].isin([str(c) for c in PICKED.values()]).sum()
        assert len(frame) == expected, table
        assert frame["id"].is_unique, table
        assert set(frame["config_id"]) == {"1", "2", "3"}, table


def test_every_reference_points_at_the_same_row_as_before(folder, gabungan):
    source = read_source(folder)
    merged = _facts(source.tables, ["1", "2", "3"])
    original = _facts(gabungan, PICKED.values())
    pd.testing.assert_frame_equal(merged, original)
    assert merged["no_kk"].notna().all() and merged["rt"].notna().all()
    heads = source["tweb_wil_clusterdesa"]["id_kepala"]
    assert heads[heads != ""].isin(source["tweb_penduduk"]["id"]).all()


def test_rows_still_cite_their_own_file_and_line(folder):
    people = read_source(folder)["tweb_penduduk"]
    assert set(people["_berkas"]) == {"desa-a/tweb_penduduk.csv", "desa-b.zip/tweb_penduduk.csv",
                                      "desa-c.xlsx/tweb_penduduk"}
    for berkas, rows in people.groupby("_berkas"):
        assert rows["_baris"].tolist() == list(range(2, len(rows) + 2)), berkas


def test_a_dangling_reference_does_not_land_in_another_desa(gabungan, tmp_path, one_desa, write_export):
    first, second = one_desa(gabungan, 1), one_desa(gabungan, 2)
    first["tweb_penduduk"].loc[0, "id_kk"] = str(len(first["tweb_keluarga"]) + 1)
    first["tweb_penduduk"].loc[1, "id_kk"] = "0"  # OpenSID's "no family"
    write_export(tmp_path / "kiriman" / "a", first)
    write_export(tmp_path / "kiriman" / "b", second)
    people = read_source(tmp_path / "kiriman")["tweb_penduduk"]
    assert people.loc[0, "id_kk"] == "" and people.loc[1, "id_kk"] == "0"
    assert people.loc[2:, "id_kk"].isin(read_source(tmp_path / "kiriman")["tweb_keluarga"]["id"]).all()


def test_a_zip_with_one_folder_per_desa_is_merged(gabungan, tmp_path, one_desa):
    with zipfile.ZipFile(tmp_path / "kiriman.zip", "w") as zf:
        for name, cid in (("Bajera", 1), ("Wanagiri", 2)):
            for table, frame in one_desa(gabungan, cid).items():
                zf.writestr(f"kiriman/{name}/{table}.csv", frame.to_csv(index=False))
    source = read_source(tmp_path / "kiriman.zip")
    assert source["config"]["id"].tolist() == ["1", "2"]
    assert "kiriman.zip/kiriman/Wanagiri/tweb_keluarga.csv" in set(source["tweb_keluarga"]["_berkas"])


@pytest.mark.parametrize("problem,expected", [
    ("gabungan", r"b: ekspor berisi 133 desa"),
    ("same_desa", r"b: desa yang sama \(kode_desa\) dengan a"),
    ("no_family_table", r"b: tabel wajib tidak ada: tweb_keluarga"),
])
def test_folders_that_cannot_be_merged_say_which_export(gabungan, tmp_path, problem, expected, one_desa,
                                                        write_export):
    write_export(tmp_path / "kiriman" / "a", one_desa(gabungan, 1))
    second = one_desa(gabungan, 1 if problem == "same_desa" else 2)
    if problem == "gabungan":
        second = {t: gabungan[t] for t in CORE_TABLES}
    if problem == "no_family_table":
        del second["tweb_keluarga"]
    write_export(tmp_path / "kiriman" / "b", second)
    with pytest.raises(SourceError, match=expected):
        read_source(tmp_path / "kiriman")
