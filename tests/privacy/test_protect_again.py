"""Protecting a release again around rows the settle step forces hidden (issue 16, item 6).

Every desa is protected on its own, so when the settle step protects the release again with
the rows an auditor's finding names hidden from the start, only the desa those rows are in
are protected anew; every other desa keeps the pattern it had. The result must be exactly
what protecting the whole release from scratch gives.
"""
from __future__ import annotations

import numpy as np

from portal.privacy import protect, protect_lp
from portal.privacy.protect import REMEDY_LADDER, protect_release, reprotect, rows_to_hide
from tests.privacy.district import audit, desa_code, families, make_tables, people

RELIGION = "penduduk-menurut-agama"


def _desa(few: int, some: int, more: int = 20) -> list[dict]:
    """300 residents of one religion, ``more`` of a second, and two small groups."""
    return (people(150) + people(150, sex="2") + people(few, agama_id="5")
            + people(some, agama_id="1") + people(more, agama_id="2"))


def _month(first: tuple[int, int, int]) -> list:
    """Three desa; only the first changes between the months."""
    return make_tables([_desa(*first), _desa(4, 8), _desa(2, 11, 30)], [families(60)] * 3)


def _forget() -> None:
    """Empty both memories of the protector (desa patterns, LP components)."""
    protect.DESA_DONE.clear()
    protect_lp.SOLVED.clear()


def _pattern(release) -> dict:
    return {p.table.spec.name: (p.frame[["jumlah", "laki_laki", "perempuan"]].isna().to_numpy(), p.notes)
            for p in release}


def test_protecting_again_around_a_finding_equals_protecting_from_scratch(monkeypatch):
    # Month two protected blind to month one (as the protector's model can be blind to what
    # the auditor attacks): the auditor, holding both versions, names rows of the first desa.
    v1 = protect_release(_month((3, 9, 20)), 5, 10)
    _forget()
    v2 = protect_release(_month((6, 6, 23)), 5, 10)
    named = [(f.kode_desa, f.kategori) for f in audit(v2, previous=v1).findings if f.table == RELIGION]
    assert named and {d for d, _ in named} == {desa_code(0)}
    base = next(p for p in v2 if p.table.spec.name == RELIGION)
    force = {RELIGION: rows_to_hide(REMEDY_LADDER[1], named, base.table.frame)}

    anew = set()
    inner = protect._block
    monkeypatch.setattr(protect, "_block", lambda p, desa: anew.add(desa) or inner(p, desa))
    again = reprotect(v2, {}, force)
    assert anew == {desa_code(0)}  # only the desa of the finding was protected anew
    monkeypatch.setattr(protect, "_block", inner)

    _forget()
    scratch = protect_release([p.table for p in v2], 0, 0, {}, force=force, k_for={p.table.spec.name: p.k for p in v2})
    a, b = _pattern(again), _pattern(scratch)
    assert a.keys() == b.keys()
    for name in a:
        assert np.array_equal(a[name][0], b[name][0]), name
        assert a[name][1] == b[name][1], name
    # The forced rows are hidden, and the other desa kept the pattern they had.
    frame = next(p for p in again if p.table.spec.name == RELIGION).frame
    hidden = frame[["jumlah", "laki_laki", "perempuan"]].isna().to_numpy().any(axis=1)
    first = (frame["kode_desa"] == desa_code(0)).to_numpy()
    assert hidden[first].sum() > base.frame[["jumlah"]].isna().to_numpy()[first].sum()
    for p, q in zip(v2, again, strict=True):
        rest = (p.frame["kode_desa"] != desa_code(0)).to_numpy()
        assert np.array_equal(p.frame[rest].isna().to_numpy(), q.frame[rest].isna().to_numpy())
