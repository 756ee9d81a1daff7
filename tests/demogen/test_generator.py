"""The synthetic OpenSID district: structure, identifiers, coherence, formats and determinism."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from portal.demogen.generator import GenerationSummary, generate_district
from portal.demogen.stunting import STUNTING_TABLES
from portal.demogen.village import VILLAGE_TABLES
from portal.sources.wilayah import load_district, undotted

RESIDENTS = 4000
SEED = 11
# The register's four, then the village data of issue 16 (stunting too), in every format.
TABLES = ("config", "tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk", *VILLAGE_TABLES, *STUNTING_TABLES)
REF = pd.Timestamp("2026-11-01")


def _read(out: Path) -> dict[str, pd.DataFrame]:
    """Read the four CSV tables as text, the way a harvester must (NIK stays a string)."""
    return {t: pd.read_csv(out / f"{t}.csv", dtype=str, keep_default_na=False) for t in TABLES}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[GenerationSummary, dict[str, pd.DataFrame]]:
    """One small CSV district shared by the read-only tests of this module."""
    out = tmp_path_factory.mktemp("gen") / "district"
    summary = generate_district(out, residents=RESIDENTS, seed=SEED, fmt="csv")
    return summary, _read(out)


@pytest.fixture(scope="module")
def people(generated) -> pd.DataFrame:
    """tweb_penduduk with parsed birth dates and ages at the generator's reference date."""
    p = generated[1]["tweb_penduduk"].copy()
    p["birth"] = pd.to_datetime(p["tanggallahir"], format="%Y-%m-%d")
    p["age"] = (REF - p["birth"]).dt.days / 365.2425
    return p


def test_summary_matches_the_files(generated):
    summary, t = generated
    assert summary.format == "csv" and summary.desa == 133
    assert summary.residents == RESIDENTS == len(t["tweb_penduduk"])
    assert summary.families == len(t["tweb_keluarga"])
    assert summary.alive == int((t["tweb_penduduk"]["status_dasar"] == "1").sum())
    assert sorted(p.name for p in summary.path.iterdir()) == sorted(f"{n}.csv" for n in TABLES)


def test_csv_is_plain_utf8_with_iso_dates(generated):
    summary, t = generated
    raw = (summary.path / "tweb_penduduk.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw[:5000]
    assert t["tweb_penduduk"]["tanggallahir"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    for col in ("tgl_daftar", "tgl_cetak_kk"):
        assert t["tweb_keluarga"][col].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_config_has_the_133_desa_of_tabanan(generated):
    cfg = generated[1]["config"]
    district = load_district("51.02")
    assert list(cfg["id"]) == [str(i) for i in range(1, 134)]
    assert list(cfg["kode_desa"]) == [undotted(d.kode) for d in district.desa]
    assert list(cfg["nama_desa"]) == [d.nama for d in district.desa]
    assert (cfg["kode_kecamatan"] == cfg["kode_desa"].str[:6]).all()
    assert set(cfg["kode_kabupaten"]) == {"5102"} and set(cfg["nama_kabupaten"]) == {"Tabanan"}
    assert set(cfg["kode_propinsi"]) == {"51"} and set(cfg["nama_propinsi"]) == {"Bali"}
    assert cfg["kode_pos"].str.fullmatch(r"82\d{3}").all()
    assert cfg["app_key"].is_unique and cfg["app_key"].str.fullmatch(r"[0-9a-f]{32}").all()


def test_every_desa_has_residents_and_dusun(generated):
    t = generated[1]
    per_desa = t["tweb_penduduk"].groupby("config_id").size()
    assert len(per_desa) == 133 and per_desa.min() >= 10
    c = t["tweb_wil_clusterdesa"]
    dusun = c[(c["rt"] == "0") & (c["rw"] == "0")]
    assert dusun.groupby("config_id").size().min() >= 2


def test_nik_structure(people):
    nik = people["nik"]
    assert nik.str.fullmatch(r"\d{16}").all() and nik.is_unique
    day = nik.str[6:8].astype(int)
    female = people["sex"] == "2"
    assert ((day - 40 * female) == people["birth"].dt.day).all()
    assert (day[female] > 40).all() and (day[~female] <= 31).all()
    assert (nik.str[8:10].astype(int) == people["birth"].dt.month).all()
    assert (nik.str[10:12].astype(int) == people["birth"].dt.year % 100).all()
    assert (nik.str[12:].astype(int) >= 1).all()


def test_nik_and_kk_start_with_the_kecamatan_code(generated, people):
    t = generated[1]
    kec = t["config"].set_index("id")["kode_kecamatan"]
    assert (people["nik"].str[:6] == people["config_id"].map(kec)).all()
    k = t["tweb_keluarga"]
    assert (k["no_kk"].str[:6] == k["config_id"].map(kec)).all()


def test_no_kk_structure(generated):
    k = generated[1]["tweb_keluarga"]
    assert k["no_kk"].str.fullmatch(r"\d{16}").all() and k["no_kk"].is_unique
    daftar = pd.to_datetime(k["tgl_daftar"], format="%Y-%m-%d")
    assert (k["no_kk"].str[6:12] == daftar.dt.strftime("%d%m%y")).all()
    assert (k["no_kk"].str[12:].astype(int) >= 1).all()
    assert (k["tgl_cetak_kk"] >= k["tgl_daftar"]).all()
    assert k["kelas_sosial"].astype(int).between(1, 5).all()


def test_references_between_tables(generated, people):
    t = generated[1]
    k, c = t["tweb_keluarga"], t["tweb_wil_clusterdesa"]
    assert c["id"].is_unique
    rt_rows = c[c["rt"] != "0"].set_index("id")
    assert people["id_kk"].isin(k["id"]).all()
    assert people["id_cluster"].isin(rt_rows.index).all() and k["id_cluster"].isin(rt_rows.index).all()
    fam = k.set_index("id")
    assert (people["id_cluster"].values == fam.loc[people["id_kk"], "id_cluster"].values).all()
    assert (people["config_id"].values == rt_rows.loc[people["id_cluster"], "config_id"].values).all()
    heads = people.set_index("id").loc[k["nik_kepala"]]
    assert (heads["kk_level"] == "1").all() and (heads["id_kk"].values == k["id"].values).all()


def test_cluster_rows_follow_opensid_encoding(generated):
    c = generated[1]["tweb_wil_clusterdesa"]
    keys = set(zip(c["config_id"], c["rt"], c["rw"], c["dusun"]))
    assert len(keys) == len(c)  # OpenSID's unique key (config_id, rt, rw, dusun)
    for row in c[c["rt"] != "0"].itertuples():
        assert (row.config_id, "0", row.rw, row.dusun) in keys  # its RW row (rw may be '-')
        assert (row.config_id, "0", "0", row.dusun) in keys  # its dusun row


def test_families_are_coherent(people):
    sizes = people.groupby("id_kk").size()
    assert sizes.between(1, 8).all() and sizes.nunique() >= 6
    heads = people[people["kk_level"] == "1"].groupby("id_kk").size()
    assert len(heads) == len(sizes) and (heads == 1).all()
    head_sex = people[people["kk_level"] == "1"].set_index("id_kk")["sex"]
    wives = people[people["kk_level"] == "3"]
    assert (wives["sex"] == "2").all() and (wives["id_kk"].map(head_sex) == "1").all()
    assert (people[people["kk_level"] == "2"]["sex"] == "1").all()
    by_nik = people.set_index("nik")
    for col, parent_sex in (("ayah_nik", "1"), ("ibu_nik", "2")):
        linked = people[people[col] != ""]
        assert len(linked) > RESIDENTS / 3
        parents = by_nik.loc[linked[col]]
        assert (parents["sex"] == parent_sex).all()
        assert (parents["id_kk"].values == linked["id_kk"].values).all()
        gap = (linked["birth"].values - parents["birth"].values).astype("timedelta64[D]").astype(int)
        assert gap.min() >= 15 * 365


def test_age_pyramid_and_attributes_fit_age(people):
    assert people["age"].min() >= 0 and people["age"].max() < 105
    assert 0.15 < (people["age"] < 15).mean() < 0.35
    assert 0.05 < (people["age"] >= 65).mean() < 0.2
    young = people[people["age"] < 15]
    assert young["pekerjaan_id"].isin(["1", "3"]).all()
    assert young["status_kawin"].eq("1").all()
    assert (people.loc[people["age"] < 5, "pendidikan_kk_id"] == "1").all()
    assert people.loc[people["kk_level"] == "1", "age"].min() >= 17


def test_religion_mix_is_mostly_hindu(people):
    share = people["agama_id"].value_counts(normalize=True)
    assert 0.85 < share["4"] < 0.95
    assert {"1", "2", "3", "5"} <= set(share.index)


def test_status_dasar_mix(people):
    status = people["status_dasar"].value_counts(normalize=True)
    assert {"1", "2", "3"} <= set(status.index)
    assert 0.02 < 1 - status["1"] < 0.08
    assert set(status.index) <= {"1", "2", "3", "4", "6", "9"}


def test_rare_categories_are_present(people):
    assert people["cacat_id"].isin([str(i) for i in range(1, 7)]).sum() >= 10
    assert set(people["cacat_id"]) <= {str(i) for i in range(1, 8)}
    assert people["sakit_menahun_id"].isin([str(i) for i in range(1, 14)]).sum() >= 20
    assert set(people["sakit_menahun_id"]) <= {str(i) for i in range(1, 15)}
    wna = people[people["warganegara_id"] == "2"]
    assert len(wna) >= 3 and (wna["dokumen_pasport"] != "").all()
    assert (people["warganegara_id"] == "3").sum() >= 2
    assert (people.loc[people["warganegara_id"] == "1", "dokumen_pasport"] == "").all()
    pregnant = people[people["hamil"] == "1"]
    assert len(pregnant) > 0 and (pregnant["sex"] == "2").all()
    assert pregnant["age"].between(18, 46).all()
    assert (people.loc[people["sex"] == "1", "hamil"] == "").all()
    assert people["golongan_darah_id"].isin(["6", "8", "10", "12"]).any()


def test_contact_fields_look_plausible(people):
    phones = people.loc[people["telepon"] != "", "telepon"]
    assert len(phones) > 0 and phones.str.fullmatch(r"08\d{9,10}").all()
    emails = people.loc[people["email"] != "", "email"]
    assert emails.is_unique and emails.str.endswith("@example.com").all()
    assert people["alamat_sekarang"].str.fullmatch(r"Banjar Dinas .+, Desa .+").all()


def test_same_seed_gives_identical_bytes_and_another_seed_differs(generated, tmp_path):
    first = generated[0].path
    generate_district(tmp_path / "again", residents=RESIDENTS, seed=SEED, fmt="csv")
    for name in TABLES:
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == (first / f"{name}.csv").read_bytes()
    generate_district(tmp_path / "other", residents=RESIDENTS, seed=SEED + 1, fmt="csv")
    assert (tmp_path / "other" / "tweb_penduduk.csv").read_bytes() != (first / "tweb_penduduk.csv").read_bytes()


def test_sqlite_and_xlsx_hold_the_same_tables_as_csv(tmp_path):
    n = 1500
    csv_sum = generate_district(tmp_path / "csv", residents=n, seed=3, fmt="csv")
    db_sum = generate_district(tmp_path / "d.sqlite", residents=n, seed=3, fmt="sqlite")
    xl_sum = generate_district(tmp_path / "d.xlsx", residents=n, seed=3, fmt="xlsx")
    assert (csv_sum.families, csv_sum.alive) == (db_sum.families, db_sum.alive) == (xl_sum.families, xl_sum.alive)
    csv = _read(tmp_path / "csv")

    con = sqlite3.connect(tmp_path / "d.sqlite")
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert names == set(TABLES)
        for t in TABLES:
            assert con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] == len(csv[t])
        assert con.execute("SELECT DISTINCT typeof(nik) FROM tweb_penduduk").fetchall() == [("text",)]
        assert con.execute("SELECT DISTINCT typeof(no_kk) FROM tweb_keluarga").fetchall() == [("text",)]
        niks = [r[0] for r in con.execute("SELECT nik FROM tweb_penduduk ORDER BY id")]
    finally:
        con.close()
    assert niks == list(csv["tweb_penduduk"]["nik"])

    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "d.xlsx", read_only=True)
    try:
        assert wb.sheetnames == list(TABLES)
        for t in TABLES:
            assert sum(1 for _ in wb[t].iter_rows(values_only=True)) == len(csv[t]) + 1
        header = [c.value for c in next(wb["tweb_penduduk"].iter_rows(max_row=1))]
        nik_col = header.index("nik")
        cells = [row[nik_col] for row in wb["tweb_penduduk"].iter_rows(min_row=2)]
        assert all(c.data_type == "s" for c in cells)
        assert [c.value for c in cells] == list(csv["tweb_penduduk"]["nik"])
    finally:
        wb.close()


def test_refuses_to_overwrite(tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    with pytest.raises(FileExistsError):
        generate_district(full, residents=1330, fmt="csv")
    existing = tmp_path / "d.sqlite"
    existing.write_bytes(b"")
    with pytest.raises(FileExistsError):
        generate_district(existing, residents=1330, fmt="sqlite")
    with pytest.raises(FileExistsError):
        generate_district(existing, residents=1330, fmt="csv")
    assert existing.read_bytes() == b"" and (full / "keep.txt").read_text() == "x"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert generate_district(empty, residents=1330, fmt="csv").residents == 1330


def test_rejects_too_few_residents_and_unknown_formats(tmp_path):
    with pytest.raises(ValueError):
        generate_district(tmp_path / "a", residents=133 * 10 - 1)
    with pytest.raises(ValueError):
        generate_district(tmp_path / "b", residents=2000, fmt="json")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
