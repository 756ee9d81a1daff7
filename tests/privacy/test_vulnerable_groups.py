"""Kelompok rentan beside the register tables (issue 16): infants + toddlers = BALITA.

Kelompok rentan is specific data (k = 10): its zeros are hidden like small counts. The age
category BALITA is general data: a 0 there is published. In a desa without small children
the declared identity rentan(<1) + rentan(1-5) = BALITA then pins both hidden zeros at 0, and
rentan(<1) <= the age bracket 0-4 (published 0) pins the first again. The protector must
hide those published zeros too, so the table publishes and the auditor finds nothing.

The same identity hands the width a general table leaves its hidden rows to the specific
cells: BALITA hidden beside a few other hidden age categories may range over fewer than 10
values. With every row on the identity's sides hidden, the protector hides more of the age
categories (protect_lp._beside_sides).
"""
from __future__ import annotations

from portal.privacy import protect, protect_lp
from portal.privacy.protect import protect_release
from portal.statistics.catalogue import CATALOGUE
from portal.statistics.identities import CATEGORY_TABLE, VULNERABLE_TABLE
from tests.privacy.district import audit, desa_code, families, make_tables, people

RENTAN = next(s for s in CATALOGUE if s.name == VULNERABLE_TABLE)


def _district() -> list:
    """Desa 0: adults, elderly, a few disabled, no child under 6; desa 1: families with children."""
    adults = people(150) + people(150, sex="2") + people(15, umur=70) + people(12, umur=70, sex="2")
    adults += people(12, cacat_id="1") + people(11, cacat_id="2", sex="2")
    young = (people(120) + people(120, sex="2") + people(12, umur=0) + people(11, umur=0, sex="2")
             + people(25, umur=3) + people(25, umur=4, sex="2") + people(30, umur=8) + people(30, umur=9, sex="2"))
    return make_tables([adults, young], [families(60), families(50)], extra=(RENTAN,))


def _elderly_desa() -> list:
    """Desa 0 as a generated district had it: 83 residents, 74 of them over 30 (most of them
    old women), two infants and seven children and young adults; desa 1: families with children."""
    old = (people(2, umur=0) + people(1, umur=7) + people(1, umur=12) + people(2, umur=13, sex="2")
           + people(1, umur=16, sex="2") + people(1, umur=22, sex="2") + people(1, umur=27)
           + people(1, umur=32, sex="2") + people(1, umur=41, sex="2") + people(1, umur=47)
           + people(3, umur=62) + people(1, umur=61, sex="2") + people(1, umur=66) + people(1, umur=72)
           + people(1, umur=80) + people(64, umur=81, sex="2"))
    young = (people(120) + people(120, sex="2") + people(12, umur=0) + people(11, umur=0, sex="2")
             + people(25, umur=3) + people(25, umur=4, sex="2") + people(30, umur=8) + people(30, umur=9, sex="2"))
    return make_tables([old, young], [families(3) + families(1, kepala_sex="2"), families(50)], extra=(RENTAN,))


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
    # sides (and none beside them): the auditor computes the hidden zeros of desa 0 exactly.
    _forget()
    only_people = protect_lp._identity_rows
    monkeypatch.setattr(protect_lp, "_identity_rows",
                        lambda *args, people=True: only_people(*args) if people else [])
    monkeypatch.setattr(protect_lp, "_beside_sides", lambda *args: [])
    report = audit(protect_release(_district(), 5, 10))
    _forget()
    pinned = {(f.table, f.kode_desa) for f in report.findings if f.rule == "terkunci"}
    assert (VULNERABLE_TABLE, desa_code(0)) in pinned


def test_a_general_side_narrower_than_the_specific_k_is_widened_from_its_own_table():
    # k general 4: BALITA (2), ANAK-ANAK (5) and DEWASA (2) are hidden beside TUA (74) and
    # PENDUDUK (83), published; the nine people between them are wide enough for the age
    # categories (k = 4), not for infants + toddlers = BALITA in kelompok rentan (k = 10).
    # Every row on the identity's sides is hidden already: the protector hides more of the
    # age categories (TUA) so the auditor cannot bound the infants to fewer than 10 values.
    _forget()
    release = protect_release(_elderly_desa(), 4, 10)
    report = audit(release)
    assert report.passed, [str(f) for f in report.findings[:5]]
    assert VULNERABLE_TABLE in {p.table.spec.name for p in release}
    assert _cells(release, CATEGORY_TABLE, desa_code(0), 4).isna().all(axis=None)
    # Desa 1 still publishes its 60 school-age children.
    assert _cells(release, VULNERABLE_TABLE, desa_code(1), 3).notna().all(axis=None)


def test_without_widening_beside_the_sides_the_auditor_narrows_the_infants(monkeypatch):
    _forget()
    monkeypatch.setattr(protect_lp, "_beside_sides", lambda *args: [])
    report = audit(protect_release(_elderly_desa(), 4, 10))
    _forget()
    narrow = {(f.table, f.kode_desa, f.kategori) for f in report.findings if f.rule == "interval"}
    assert (VULNERABLE_TABLE, desa_code(0), "DI BAWAH 1 TAHUN") in narrow
