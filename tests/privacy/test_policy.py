"""The privacy policy applied at the harvest boundary."""
from datetime import date

import pandas as pd

from portal.privacy.policy import ColumnClass, classify, completed_years, minimise_residents


def _people(**extra):
    base = {"id": ["1", "2"], "config_id": ["1", "1"], "nama": ["A", "B"],
            "nik": ["5102014107900001", "5102010101900002"], "sex": ["2", "1"],
            "tanggallahir": ["1990-11-02", "2000-11-01"], "status_dasar": ["1", "1"],
            "id_cluster": ["3", "3"], "telepon": ["0812", ""]}
    base.update(extra)
    return pd.DataFrame(base)


def test_direct_identifiers_are_dropped_and_listed():
    out, report = minimise_residents(_people(), date(2026, 11, 1))
    assert not {"nama", "nik", "telepon", "tanggallahir", "id_cluster"} & set(out.columns)
    assert {"tweb_penduduk.nama", "tweb_penduduk.nik", "tweb_penduduk.telepon"} <= set(report.dropped_direct)


def test_unknown_columns_fail_closed():
    out, report = minimise_residents(_people(kolom_baru=["x", "y"]), date(2026, 11, 1))
    assert "kolom_baru" not in out.columns
    assert report.dropped_unknown == ["tweb_penduduk.kolom_baru"]
    assert classify("kolom_baru") is ColumnClass.DIRECT


def test_age_is_counted_on_the_reference_date_not_today():
    out, _ = minimise_residents(_people(), date(2026, 11, 1))
    # Born 1990-11-02: still 35 the day before the 36th birthday; born 2000-11-01: 26 that day.
    assert out["umur"].tolist() == [35, 26]


def test_completed_years_on_leap_day_births():
    born = pd.to_datetime(pd.Series(["2004-02-29"]))
    assert completed_years(born, date(2026, 2, 28)).tolist() == [21]
    assert completed_years(born, date(2026, 3, 1)).tolist() == [22]


def test_specific_attributes_are_classified_as_specific():
    for column in ("cacat_id", "sakit_menahun_id", "cara_kb_id", "hamil", "golongan_darah_id"):
        assert classify(column) is ColumnClass.SPECIFIC
