"""The suppression buffer with hysteresis (issue 13: every dataset a version every month).

A row the previous version did not publish is hidden while a cell is below k + margin
(protect.FIRST_MARGIN); a row published before stays published until a cell falls below k.
So a small, stable category first shown at k or just above is hidden from the start and
stays hidden (carry-forward), instead of being shown once and then pinned by the change
between months when it falls below k, which kept its whole table at its previous version.
"""
from __future__ import annotations

import pytest

from portal.core.vocabularies import PrivacyClass
from portal.privacy import protect
from portal.privacy.protect import HELD_PREFIX, first_threshold, protect_release
from tests.privacy.district import as_published, audit, families, make_tables, people

KTP = "kepemilikan-ktp"
K = 5
BELUM_WAJIB = 1  # the KTP table's row of adults who need not yet record (status_rekam 1)


def _desa(not_yet: int, pending: int = 30) -> list[dict]:
    """One desa: 300 adults of 40 who recorded their KTP, ``not_yet`` adults who need not yet
    (BELUM WAJIB: one small row in a table whose other cells barely move between months),
    ``pending`` who have not recorded yet (BELUM REKAM), 3 toddlers and 12 children
    (unmarried: no KTP) and 20 adults of 25 who recorded."""
    child = {"status_kawin": "1", "status_rekam": "1", "kk_level": "4"}
    return (people(150, status_rekam="3") + people(150, sex="2", status_rekam="3")
            + people(not_yet, status_rekam="1") + people(pending, status_rekam="2")
            + people(3, umur=3, **child) + people(12, umur=10, **child)
            + people(20, umur=25, status_rekam="3"))


def _release(not_yet: int, previous=None, pending: int = 30):
    return protect_release(make_tables([_desa(not_yet, pending)], [families(60)]), K, 10, previous)


def _table(release, name: str = KTP):
    return next(p for p in release if p.table.spec.name == name)


def _row_hidden(release, code: int = BELUM_WAJIB) -> bool:
    frame = _table(release).frame
    return bool(frame.loc[frame["kode"] == code, "jumlah"].isna().all())


def _threshold(release) -> int:
    """T = k + the margin of the KTP table's privacy class."""
    table = _table(release).table
    return first_threshold(table, K)


def _kept(release) -> bool:
    return any(n.startswith(HELD_PREFIX) for n in _table(release).notes)


MARGIN = 2  # the mechanism under test, whatever margin the protector declares


@pytest.fixture
def buffered(monkeypatch):
    """The protector with a margin of MARGIN for every privacy class."""
    for privacy_class in PrivacyClass:
        monkeypatch.setitem(protect.FIRST_MARGIN, privacy_class, MARGIN)


def test_every_privacy_class_declares_a_margin():
    assert set(protect.FIRST_MARGIN) == set(PrivacyClass)
    assert all(isinstance(m, int) and m >= 0 for m in protect.FIRST_MARGIN.values())


def test_a_first_version_hides_a_row_below_k_plus_the_margin(app, buffered):
    threshold = _threshold(_release(20))
    assert threshold == K + MARGIN
    for count in range(K, threshold):  # at or above k, below T: hidden as primary
        release = _release(count)
        assert _row_hidden(release), count
        assert _table(release).primary >= 1
    assert not _row_hidden(_release(threshold))  # at T: shown


def test_a_row_published_before_stays_published_down_to_k(app, buffered):
    v1 = _release(_threshold(_release(20)))
    assert not _row_hidden(v1)
    for count in range(K, _threshold(v1)):
        v2 = _release(count, as_published(v1))
        assert not _row_hidden(v2), count
        assert not _kept(v2)
    v2 = _release(K - 1, as_published(v1))  # below k: hidden now (the old rule)
    assert _row_hidden(v2)


def test_a_new_row_is_held_to_the_higher_threshold(app, buffered):
    v1 = _release(0)  # BELUM WAJIB published as 0 (a general table: 0 is not small)
    previous = as_published(v1)
    previous[KTP] = previous[KTP][previous[KTP]["kode"].astype(str) != str(BELUM_WAJIB)]
    v2 = _release(K, previous)  # the row is new to the previous version: buffered
    assert _row_hidden(v2)


def test_a_stable_small_row_no_longer_keeps_its_table(app, monkeypatch):
    """Month one shows 5 adults not yet required (k = 5); month two one of them records
    (4, below k) and one more adult has not recorded yet (30 to 31). Without the buffer the
    row shown before must be hidden and the change between months (1) pins it: the table keeps
    its previous version. With the buffer the row was hidden from month one, so month two
    publishes its new version, and the auditor, attacking both versions, finds nothing."""
    monkeypatch.setitem(protect.FIRST_MARGIN, PrivacyClass.GENERAL, 0)
    v1 = _release(K)
    previous = as_published(v1)
    v2 = _release(K - 1, previous, pending=31)
    assert not _row_hidden(v1) and _kept(v2)  # the old rule: kept
    monkeypatch.setitem(protect.FIRST_MARGIN, PrivacyClass.GENERAL, MARGIN)

    v1 = _release(K)
    assert _row_hidden(v1)
    v2 = _release(K - 1, as_published(v1), pending=31)
    assert not _kept(v2)
    assert _table(v2).frame["jumlah"].tolist() != _table(v1).frame["jumlah"].tolist()
    assert _row_hidden(v2)
    report = audit(v2, previous=v1)
    assert report.passed, [str(f) for f in report.findings[:5]]


@pytest.mark.parametrize("later", [K + 1, 40])
def test_a_row_hidden_by_the_buffer_stays_hidden(app, buffered, later):
    v1 = _release(K)
    assert _row_hidden(v1)
    v2 = _release(later, as_published(v1))
    assert _row_hidden(v2)  # carry-forward: hidden once, hidden in every later version
    v3 = _release(later, as_published(v2))
    assert _row_hidden(v3)
    assert audit(v3, previous=v2).passed
