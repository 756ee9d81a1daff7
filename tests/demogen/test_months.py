"""A monthly series of the demo district: the same people month after month, a month older,
with births, deaths, moves, marriages, new families and e-KTP records at plausible rates."""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from portal.demogen.generator import generate_district
from portal.demogen.stunting import STUNTING_TABLES
from portal.demogen.village import VILLAGE_TABLES
from portal.sources import read_source
from portal.sources.checks import check_tables
from portal.sources.wilayah import load_district

TABLES = ("config", "tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk")
RESIDENTS = 13_300  # 100 a desa: enough events in a year to see rates
SEED = 7
MONTHS = 13  # a whole year of events between the first and the last export
FIRST, LAST = "2025-11", "2026-11"
# sha256 of the single export (1,330 residents, seed 3) as the generator wrote it before it
# learnt months: --months 1 must keep every resident's bytes (config only gains ``path``).
BEFORE_MONTHS = {
    "config": "3a9c7d093033a000562b42b5a1bf10b3645769b19210e583bb2088c0e5921239",
    "tweb_wil_clusterdesa": "bd7b7c9f3ce11bc06a9981935d4fed159ae345756d1a1951f1a6817aca9b5dd7",
    "tweb_keluarga": "ea0622f7bf3b26aca9f4405b37b4d42924870270f60a34a9f894945bbba2d409",
    "tweb_penduduk": "ffc274d2c2b8d1dbd06601b2fde92d3df90db713af6ba57f1437e714f5d68933",
}


def _read(folder: Path, table: str) -> pd.DataFrame:
    """One table of one month, every cell as text."""
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """(summary, {month: {table: frame}}) of one thirteen-month series."""
    out = tmp_path_factory.mktemp("series") / "district"
    summary = generate_district(out, residents=RESIDENTS, seed=SEED, months=MONTHS)
    months = {p.name: {t: _read(p, t) for t in (*TABLES, *VILLAGE_TABLES)} for p in summary.months}
    return summary, months


@pytest.fixture(scope="module")
def year(series):
    """The first and last month's residents, the log, and how many lived at the start."""
    first, last = series[1][FIRST]["tweb_penduduk"], series[1][LAST]["tweb_penduduk"]
    log = series[1][LAST]["log_penduduk"]
    log = log[log["tgl_lapor"] >= f"{FIRST}-01"]  # the year's events, not the entry rows before it
    return first, last, log, int((first["status_dasar"] == "1").sum())


def _per_thousand(count: int, alive: int) -> float:
    """Events a year per 1,000 residents living at the start."""
    return count / alive * 1000


def test_one_export_per_month_named_by_its_month(series):
    summary, months = series
    names = [p.name for p in summary.months]
    assert names[0] == FIRST and names[-1] == LAST and len(names) == MONTHS
    assert names == sorted(names) and len(set(names)) == MONTHS
    written = sorted(f"{t}.csv" for t in (*TABLES, *VILLAGE_TABLES, *STUNTING_TABLES))
    assert all(sorted(f.name for f in p.iterdir()) == written for p in summary.months)
    assert summary.residents == len(months[LAST]["tweb_penduduk"])
    assert summary.families == len(months[LAST]["tweb_keluarga"])
    # The villages do not change from month to month.
    assert all(m["config"].equals(months[FIRST]["config"]) for m in months.values())


def test_the_same_people_keep_their_ids_and_nobody_is_deleted(series):
    months = list(series[1].values())
    keep = ("id", "nik", "tanggallahir", "sex", "tempatlahir", "ibu_nik")
    for before, after in zip(months, months[1:]):
        a, b = before["tweb_penduduk"], after["tweb_penduduk"]
        assert len(b) >= len(a)
        assert b.iloc[: len(a)][list(keep)].reset_index(drop=True).equals(a[list(keep)])
        assert b["id"].is_unique and b["nik"].is_unique and after["tweb_keluarga"]["no_kk"].is_unique
        assert after["tweb_keluarga"]["id"].iloc[: len(before["tweb_keluarga"])].equals(before["tweb_keluarga"]["id"])
        # Dead and departed residents stay in the register as OpenSID keeps them.
        gone = a["status_dasar"] != "1"
        assert b.iloc[: len(a)]["status_dasar"][gone].equals(a["status_dasar"][gone])


def test_every_month_passes_the_harvest_checks_on_its_own_reference_date(series):
    district = load_district("51.02")
    for path in series[0].months[::6]:
        year, month = map(int, path.name.split("-"))
        report = check_tables(read_source(path), date(year, month, 1), district)
        assert report.problems == [], [str(p) for p in report.problems[:5]]


def test_reused_csv_lines_equal_a_fresh_write_of_every_month(series):
    # Only changed residents are re-formatted each month; the file must be what writing the
    # whole table anew gives.
    for path in series[0].months:
        raw = (path / "tweb_penduduk.csv").read_bytes()
        assert _read(path, "tweb_penduduk").to_csv(index=False, lineterminator="\n").encode() == raw


def test_ages_advance_with_the_reference_date(year):
    first, last, _, _ = year
    born = pd.to_datetime(last["tanggallahir"].iloc[: len(first)], format="%Y-%m-%d")

    def completed(on: str) -> pd.Series:
        day = pd.Timestamp(on)
        return day.year - born.dt.year - ((born.dt.month > day.month)
                                          | ((born.dt.month == day.month) & (born.dt.day > day.day)))
    assert (completed("2026-11-01") - completed("2025-11-01") == 1).all()


def test_events_happen_at_plausible_rates(year):
    first, last, log, alive = year
    kinds = log["kode_peristiwa"].value_counts()
    assert 7 <= _per_thousand(kinds["1"], alive) <= 16  # births
    assert 4 <= _per_thousand(kinds["2"], alive) <= 12  # deaths
    assert 3 <= _per_thousand(kinds["3"], alive) <= 15  # moves out
    assert 3 <= _per_thousand(kinds["5"], alive) <= 15  # moves in
    assert set(kinds.index) == {"1", "2", "3", "5"}
    old = last.iloc[: len(first)]
    married = (first["status_kawin"] != "2") & (old["status_kawin"].values == "2")
    assert 4 <= _per_thousand(married.sum() / 2, alive) <= 11  # marriages (two people each)
    grown = len(last[last["status_dasar"] == "1"]) / alive - 1
    assert -0.005 < grown < 0.02


def test_the_log_matches_the_register(year):
    first, last, log, _ = year
    by_id = last.set_index("id")
    for kode, status in (("2", "2"), ("3", "3")):
        assert (by_id.loc[log.loc[log["kode_peristiwa"] == kode, "id_pend"], "status_dasar"] == status).all()
    changed = last.iloc[: len(first)]["status_dasar"].values != first["status_dasar"].values
    left = set(log.loc[log["kode_peristiwa"].isin(["2", "3"]), "id_pend"])
    assert set(first["id"][changed]) == left & set(first["id"])  # and some born or arrived this year
    new = set(last["id"].iloc[len(first):])
    assert new == set(log.loc[log["kode_peristiwa"].isin(["1", "5"]), "id_pend"])
    assert log["id"].is_unique and (log["tgl_lapor"] >= log["tgl_peristiwa"]).all()
    assert log.loc[log["kode_peristiwa"] == "3", "ref_pindah"].isin(["1", "2", "3", "4"]).all()


def test_babies_are_born_to_mothers_of_plausible_age_in_their_family(year):
    _, last, log, _ = year
    babies = last[last["id"].isin(log.loc[log["kode_peristiwa"] == "1", "id_pend"])]
    assert (babies["tanggallahir"] >= "2025-11-01").all() and (babies["tanggallahir"] < "2026-11-01").all()
    mothers = last.set_index("nik").loc[babies["ibu_nik"]]
    assert (mothers["sex"] == "2").all() and (mothers["id_kk"].values == babies["id_kk"].values).all()
    age = (pd.to_datetime(babies["tanggallahir"]).values - pd.to_datetime(mothers["tanggallahir"]).values)
    years = pd.Series(age).dt.days / 365.25
    assert years.between(17, 46).all()
    assert babies["kk_level"].isin(["4", "6"]).all() and (babies["status_kawin"] == "1").all()
    assert babies["nik"].str.fullmatch(r"\d{16}").all()
    assert (babies["ayah_nik"] != "").mean() > 0.8


def test_a_death_widows_the_husband_or_wife(year):
    first, last, log, _ = year
    dead = last[last["id"].isin(log.loc[log["kode_peristiwa"] == "2", "id_pend"])]
    old = last.iloc[: len(first)]
    widowed = (first["status_kawin"].values == "2") & (old["status_kawin"] == "4") & (old["status_dasar"] == "1")
    assert widowed.sum() > 10
    # Each new widow(er) lived in the family of someone who died married this year.
    families = set(first.loc[first["id"].isin(dead["id"]) & (first["status_kawin"] == "2"), "id_kk"])
    assert first.loc[widowed.values, "id_kk"].isin(families).all()


def test_families_keep_a_living_head_and_marriages_start_new_ones(series):
    months = series[1]
    k0, k1 = months[FIRST]["tweb_keluarga"], months[LAST]["tweb_keluarga"]
    people = months[LAST]["tweb_penduduk"].set_index("id")
    new = k1.iloc[len(k0):]
    assert len(new) > 20
    assert new["no_kk"].str.fullmatch(r"\d{16}").all() and not new["no_kk"].isin(k0["no_kk"]).any()
    assert (people.loc[new["nik_kepala"], "kk_level"] == "1").all()
    heads = people.loc[k1["nik_kepala"]]
    assert (heads["kk_level"] == "1").all() and (heads["id_kk"].values == k1["id"].values).all()
    # A family whose head died this year, with a grown-up left, has a new and living head.
    log = months[LAST]["log_penduduk"]
    log = log[log["tgl_lapor"] >= f"{FIRST}-01"]  # this year's deaths, not the entry rows before it
    died = k0[k0["nik_kepala"].isin(log.loc[log["kode_peristiwa"] == "2", "id_pend"])]["id"]
    assert len(died) > 3
    living = people[(people["status_dasar"] == "1") & (people["tanggallahir"] < "2008-01-01")]
    left = died[died.isin(living["id_kk"])]
    now = people.loc[k1.set_index("id").loc[left, "nik_kepala"]]
    assert len(left) > 0 and (now["status_dasar"] == "1").all()
    couples = new.merge(people.reset_index(), left_on="id", right_on="id_kk")
    # Newly-weds with their own KK (the rest are families that moved in).
    assert couples.groupby("id_x")["kk_level"].apply(lambda s: {"1", "3"} <= set(s)).sum() > 10


def test_seventeen_year_olds_become_wajib_ktp_and_record(year):
    first, last, _, _ = year
    old = last.iloc[: len(first)]
    born = pd.to_datetime(first["tanggallahir"])
    turned = (born > pd.Timestamp("2008-11-01")) & (born <= pd.Timestamp("2009-11-01")) & (old["status_dasar"] == "1")
    assert turned.sum() > 50
    assert (first.loc[turned, "status_rekam"] == "1").mean() > 0.9  # belum wajib a year ago
    assert (old.loc[turned, "status_rekam"] != "1").all()  # wajib now
    assert 0.4 < (old.loc[turned, "ktp_el"] == "2").mean() < 0.95  # most have recorded


def test_the_school_year_moves_children_up_in_july(series):
    months = series[1]
    july, august = months["2026-07"]["tweb_penduduk"], months["2026-08"]["tweb_penduduk"]
    same = august.iloc[: len(july)]
    moved = (july["pendidikan_sedang_id"] != same["pendidikan_sedang_id"].values).sum()
    june = months["2026-06"]["tweb_penduduk"]
    quiet = (june["pendidikan_sedang_id"] != july["pendidikan_sedang_id"].iloc[: len(june)].values).sum()
    assert moved > 100 and quiet == 0


def test_the_same_seed_gives_the_same_series_and_another_differs(tmp_path):
    def digest(out: Path) -> dict[str, str]:
        return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*.csv"))}
    a = generate_district(tmp_path / "a", residents=1330, seed=4, months=3)
    b = generate_district(tmp_path / "b", residents=1330, seed=4, months=3)
    c = generate_district(tmp_path / "c", residents=1330, seed=5, months=3)
    assert digest(a.path) == digest(b.path) != digest(c.path)
    assert len(digest(a.path)) == 3 * (len(TABLES) + len(VILLAGE_TABLES) + len(STUNTING_TABLES))


def test_one_month_is_the_export_as_before(tmp_path):
    summary = generate_district(tmp_path / "one", residents=1330, seed=3, months=1)
    assert summary.months == () and summary.path == tmp_path / "one"
    for table in TABLES[1:3]:
        assert hashlib.sha256((summary.path / f"{table}.csv").read_bytes()).hexdigest() == BEFORE_MONTHS[table]
    # Issue 16 appended the household columns; every column before them keeps its bytes.
    people = _read(summary.path, "tweb_penduduk")
    assert list(people.columns)[-2:] == ["id_rtm", "rtm_level"]
    text = people.drop(columns=["id_rtm", "rtm_level"]).to_csv(index=False, lineterminator="\n").encode()
    assert hashlib.sha256(text).hexdigest() == BEFORE_MONTHS["tweb_penduduk"]
    config = _read(summary.path, "config")
    assert list(config.columns)[-1] == "path"
    text = config.drop(columns="path").to_csv(index=False, lineterminator="\n").encode()
    assert hashlib.sha256(text).hexdigest() == BEFORE_MONTHS["config"]


def test_other_formats_write_one_file_per_month(tmp_path):
    summary = generate_district(tmp_path / "db", residents=1330, seed=2, months=2, fmt="sqlite")
    assert [p.name for p in summary.months] == ["2026-10.sqlite", "2026-11.sqlite"]
    assert all(p.is_file() for p in summary.months)


@pytest.mark.parametrize("months", [0, -1, 1.5, 121])
def test_months_out_of_range_are_refused(tmp_path, months):
    with pytest.raises(ValueError, match="months"):
        generate_district(tmp_path / "x", residents=1330, months=months)
    assert not (tmp_path / "x").exists()


def test_the_command_takes_months(tmp_path):
    from tests.support.world import fresh_app

    app = fresh_app(tmp_path / "app")
    result = app.test_cli_runner().invoke(args=["generate-district", str(tmp_path / "out"), "--residents", "1330",
                                                "--seed", "2", "--months", "2"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-10", "2026-11"]
    assert "2026-11" in result.output


def _recipients(month: dict) -> set[tuple[str, str]]:
    """(programme without its year, card holder) of one month's aid lists."""
    programmes = month["program"].set_index("id")["nama"].str.replace(r" \d{4}$", "", regex=True)
    peserta = month["program_peserta"]
    return set(zip(programmes.reindex(peserta["program_id"]).to_numpy(), peserta["kartu_id_pend"]))


def test_aid_lists_and_registered_households_persist_from_month_to_month(series):
    """Real aid lists hold over a programme period: a month's recipients are last month's
    but for the few who left (died, moved, aged out) or joined; so are DTKS households."""
    months = series[1]
    names = sorted(months)
    for before, after in zip(names, names[1:]):
        old, new = _recipients(months[before]), _recipients(months[after])
        assert len(old & new) >= 0.97 * len(old), (before, after)
        old_heads, new_heads = (set(months[m]["tweb_rtm"]["nik_kepala"]) for m in (before, after))
        assert len(old_heads & new_heads) >= 0.97 * len(old_heads), (before, after)
    first, last = _recipients(months[FIRST]), _recipients(months[LAST])
    assert last - first and first - last  # over a year the lists do change
    # The PKH cards held all year are held by living residents (a death takes the card away).
    people = months[LAST]["tweb_penduduk"].set_index("id")
    kept_pkh = [h for p, h in first & last if p.startswith("PKH")]
    assert kept_pkh and (people.loc[kept_pkh, "status_dasar"] == "1").all()
