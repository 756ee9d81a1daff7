"""Kelompok rentan beside the register tables (issue 16): infants + toddlers = BALITA.

Kelompok rentan is specific data (k = 10): its zeros are hidden like small counts. The age
category BALITA is general data: a 0 there is published. In a desa without small children
the declared identity rentan(<1) + rentan(1-5) = BALITA then pins both hidden zeros at 0, and
rentan(<1) <= the age bracket 0-4 (published 0) pins the first again. The protector must
hide those published zeros too, so the table publishes and the auditor finds nothing.
"""
from __future__ import annotations

from portal.privacy import protect, protect_lp
from portal.privacy.protect import protect_release
from portal.statistics.catalogue import CATALOGUE, WITHHELD
from portal.statistics.identities import CATEGORY_TABLE, VULNERABLE_TABLE
from tests.privacy.district import audit, desa_code, families, make_tables, people

RENTAN = next(s for s in (*CATALOGUE, *WITHHELD) if s.name == VULNERABLE_TABLE)


def _district() -> list:
    """Desa 0: adults, elderly, a few disabled, no child under 6; desa 1: families with children."""
    adults = people(150) + people(150, sex="2") + people(15, umur=70) + people(12, umur=70, sex="2")
    adults += people(12, cacat_id="1") + people(11, cacat_id="2", sex="2")
    young = (people(120) + people(120, sex="2") + people(12, umur=0) + people(11, umur=0, sex="2")
             + people(25, umur=3) + people(25, umur=4, sex="2") + people(30, umur=8) + people(30, umur=9, sex="2"))
    return make_tables([adults, young], [families(60), families(50)], extra=(RENTAN,))


def _forget() -> None:
    protect.DESA_DONE.clear()
    protect_lp.SOLVED.clear()


def _cells(release, name: str, desa: str, kode: int):
    frame = next(p for p in release if p.table.spec.name == name).frame
    return frame[(frame["kode_desa"] == desa) & (frame["kode"] == kode)][["jumlah", "laki_laki", "perempuan"]]


def test_a_desa_without_small_children_publishes_kelompok_rentan_safely():
    _forget()
    release = protect_release(_district(), 5, 10)
    report = audit(release)
    assert report.passed, [str(f) for f in report.findings[:5]]
    assert VULNERABLE_TABLE in {p.table.spec.name for p in release}
    # The published 0 of BALITA in desa 0 is hidden now; the table still publishes that
    # desa's elderly (15 men, 12 women).
    assert _cells(release, CATEGORY_TABLE, desa_code(0), 1).isna().all(axis=None)
    assert _cells(release, VULNERABLE_TABLE, desa_code(0), 6).notna().all(axis=None)


def test_without_hiding_the_zeros_the_auditor_recomputes_them(monkeypatch):
    # The same district, the protector taking only rows with people from the identities'
    # sides: the auditor computes the hidden zeros of desa 0 exactly.
    _forget()
    only_people = protect_lp._identity_rows
    monkeypatch.setattr(protect_lp, "_identity_rows",
                        lambda *args, people=True: only_people(*args) if people else [])
    report = audit(protect_release(_district(), 5, 10))
    _forget()
    pinned = {(f.table, f.kode_desa) for f in report.findings if f.rule == "terkunci"}
    assert (VULNERABLE_TABLE, desa_code(0)) in pinned
