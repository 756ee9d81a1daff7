"""Counting ahead (portal.harvest.ahead): a worker counts the next exports while the caller
publishes; what the caller receives is exactly what counting in its own process gives."""
import shutil
from datetime import date

import numpy as np
import pandas as pd

from portal.harvest.ahead import CountingAhead, CountJob
from portal.harvest.pipeline import harvest_tables
from portal.sources.wilayah import load_district

REF = date(2026, 11, 1)
LATER = date(2026, 12, 1)
TABANAN = "51.02"


def _same(sent, here):
    """Everything a harvest reads of a counted export is equal, table by table."""
    assert [str(p) for p in sent.report.problems] == [str(p) for p in here.report.problems]
    assert sent.report.to_dict() == here.report.to_dict()
    assert sent.deny_names == here.deny_names and sent.deny_names
    assert (sent.kind, sent.label, sent.how, sent.resident_count) == (here.kind, here.label, here.how,
                                                                      here.resident_count)
    assert sent.minimisation.to_dict() == here.minimisation.to_dict()
    pd.testing.assert_frame_equal(sent.desa, here.desa)
    assert [t.spec for t in sent.tables] == [t.spec for t in here.tables]
    for a, b in zip(sent.tables, here.tables, strict=True):
        pd.testing.assert_frame_equal(a.frame, b.frame)
    _same_tally(sent.quality, here.quality)


def _same_tally(sent, here):
    """The data-quality tally's counts per desa are equal, field by field."""
    assert vars(sent).keys() == vars(here).keys()
    for name, value in vars(here).items():
        other = vars(sent)[name]
        if isinstance(value, np.ndarray):
            assert np.array_equal(other, value), name
        elif isinstance(value, pd.DataFrame | pd.Series):
            assert other.equals(value), name
        else:
            assert other == value, name


def test_the_worker_sends_what_counting_here_gives_in_order(district_export, tmp_path):
    later = tmp_path / "later"
    jobs = [CountJob(str(district_export), REF), CountJob(str(later), LATER)]
    ahead = CountingAhead(jobs, TABANAN)
    try:
        shutil.copytree(district_export, later)  # appears after the worker started: it waits
        district = load_district(TABANAN)
        _same(ahead.take(str(district_export), REF), harvest_tables(str(district_export), REF, district))
        _same(ahead.take(str(later), LATER), harvest_tables(str(later), LATER, district))
    finally:
        ahead.stop()
    assert not ahead.process.is_alive()


def test_an_export_the_worker_cannot_count_is_left_to_the_caller(district_export, tmp_path):
    broken = tmp_path / "rusak"
    shutil.copytree(district_export, broken)
    (broken / "tweb_penduduk.csv").write_text("bukan,ekspor\n1\n", encoding="utf-8")
    good = tmp_path / "baik"
    shutil.copytree(district_export, good)
    ahead = CountingAhead([CountJob(str(broken), REF), CountJob(str(good), LATER)], TABANAN)
    try:
        assert ahead.take(str(broken), REF) is None  # the caller harvests it and records why
        assert ahead.take(str(good), LATER) is not None  # the next month is still counted ahead
    finally:
        ahead.stop()


def test_asked_for_another_export_the_worker_stops_and_the_caller_counts(district_export, tmp_path):
    ahead = CountingAhead([CountJob(str(district_export), REF), CountJob(str(tmp_path / "x"), LATER)],
                          TABANAN)
    assert ahead.take(str(district_export), LATER) is None  # not the export it counts next
    assert not ahead.process.is_alive()
    assert ahead.take(str(district_export), REF) is None
