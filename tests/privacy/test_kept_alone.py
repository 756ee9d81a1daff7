"""A table kept at its previous version keeps no other table with it (issue 13: every dataset
a version every month).

The protector keeps a table whose newly hidden row the change between months pins
(protect._hold_back). A table a declared identity ties to it publishes its new version: the
auditor attacks that new version beside every table's last published one (identities within
each reference date, the change bound between a table's own versions), and names the tied
table if the two narrow a hidden cell; the settle step then answers for that table.
"""
from __future__ import annotations

from portal.harvest.privacy_check import settle
from portal.privacy.protect import HELD_PREFIX, protect_release
from portal.statistics.identities import VULNERABLE_TABLE
from tests.privacy.district import as_published, audit, families, make_tables, people, publish

KTP = "kepemilikan-ktp"
AGES = ("penduduk-menurut-kategori-umur", "penduduk-menurut-kelompok-umur")


def _desa(not_yet: int, toddlers: int, children: int, young: int, older: int) -> list[dict]:
    """One desa: 300 adults of 40 who recorded their KTP, ``not_yet`` adults who need not yet
    (BELUM WAJIB), toddlers of 3 and children of 10 (unmarried: no KTP), ``young`` adults of 25
    and ``older`` ones of 35. The KTP identities tie the KTP table to both age tables."""
    child = {"status_kawin": "1", "status_rekam": "1", "kk_level": "4"}
    return (people(150, status_rekam="3") + people(150, sex="2", status_rekam="3")
            + people(not_yet, status_rekam="1")
            + people(toddlers, umur=3, **child) + people(children, umur=10, **child)
            + people(young, umur=25, status_rekam="3") + people(older, umur=35, status_rekam="3"))


def _release(desa: list[dict], previous=None):
    """The register tables of the desa without kelompok rentan: its hidden zeros beside BALITA
    would hide the age tables whose protection blind to their past these tests study."""
    tables = [t for t in make_tables([desa], [families(60)]) if t.spec.name != VULNERABLE_TABLE]
    return protect_release(tables, 5, 10, previous)


def _csv(release, name: str) -> bytes:
    return publish(release)["current"][name]


def _notes(release, name: str) -> list[str]:
    return next(p for p in release if p.table.spec.name == name).notes


def test_a_table_tied_to_a_kept_one_publishes_its_new_version(app):
    v1 = _release(_desa(7, 3, 12, 20, 0))
    # Three residents record their KTP: BELUM WAJIB falls from 7 (published) to 4, which must
    # be hidden now and is pinned by the KTP table's change of 3. Ten residents move from
    # DEWASA to TUA: both age tables change, and no row of theirs shown before is hidden now.
    v2 = _release(_desa(4, 3, 12, 10, 10), as_published(v1))
    assert _csv(v2, KTP) == _csv(v1, KTP)
    assert any(n.startswith(HELD_PREFIX) for n in _notes(v2, KTP))
    for name in AGES:  # tied to the KTP table by the declared KTP identities, yet published anew
        assert _csv(v2, name) != _csv(v1, name), name
        assert not any(n.startswith(HELD_PREFIX) for n in _notes(v2, name)), name
    # The auditor attacks the new age tables beside the KTP table's (and every) old version.
    report = audit(v2, previous=v1)
    assert report.passed, [str(f) for f in report.findings[:5]]
    # The harvest's settle step leaves it so: nothing to answer.
    settled, withheld = settle(v2, publish(v1)["current"], as_published(v1))
    assert withheld == {}
    assert {n: _csv(settled, n) for n in (KTP, *AGES)} == {n: _csv(v2, n) for n in (KTP, *AGES)}


def test_a_tied_table_whose_new_version_narrows_its_old_cells_is_named_and_answered(app):
    v1 = _release(_desa(7, 3, 12, 20, 0))
    # Both age tables protected blind to their own previous versions: their rows hidden in
    # month one (3 toddlers, 12 children and a complement) are shown as 5, 13, ... while their
    # published rows did not move (the attacker's change bound is 0); the KTP table is kept.
    previous = {n: f for n, f in as_published(v1).items() if n not in AGES}
    v2 = _release(_desa(4, 5, 13, 20, 0), previous)
    assert _csv(v2, KTP) == _csv(v1, KTP)
    report = audit(v2, previous=v1)
    named = {f.table for f in report.findings}
    assert named and named <= set(AGES), [str(f) for f in report.findings[:5]]
    assert all(f.version != "baru" for f in report.findings)  # month one's cells, pinned
    # The settle step answers for the table the auditor names; what leaves it audits clean.
    settled, withheld = settle(v2, publish(v1)["current"], as_published(v1))
    assert withheld == {} and _csv(settled, KTP) == _csv(v1, KTP)
    fresh = audit(settled, previous=v1)
    assert fresh.passed, [str(f) for f in fresh.findings[:5]]
