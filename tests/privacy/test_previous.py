"""The previous versions, converted once per harvest (issue 13: `make run` within 10 minutes).

protect.Previous keeps what the protector derives from each previously published version:
its counts as numbers, the rows it hid and published, its frame as a kept table, and the
rows a pattern of this release leaves pinned by the change between versions. The settle step
protects the release again and again against one Previous; every time, the result must be
exactly what protecting against the plain frames gives, with nothing remembered.
"""
from __future__ import annotations

import pandas as pd

from portal.privacy import protect, protect_lp
from portal.privacy.protect import REMEDY_LADDER, Previous, keep_after_audit, protect_release, reprotect, rows_to_hide
from tests.privacy.district import as_published, desa_code, families, make_tables, people

RELIGION = "penduduk-menurut-agama"
COUNTS = ["jumlah", "laki_laki", "perempuan"]


def _stable(catholics: int, protestants: int) -> list[dict]:
    """A desa whose counts barely move: a Catholic group that falls below k is pinned by the
    change between months (the protector keeps the table at its previous version)."""
    return (people(150) + people(150, sex="2") + people(catholics, agama_id="5")
            + people(protestants, agama_id="2") + people(9, agama_id="4"))


def _moving(few: int, some: int) -> list[dict]:
    """A desa whose small groups move between months."""
    return people(120) + people(130, sex="2") + people(few, agama_id="5") + people(some, agama_id="1")


def _month(catholics: int, protestants: int, few: int, some: int) -> list:
    return make_tables([_stable(catholics, protestants), _moving(few, some)], [families(60)] * 2)


def _forget() -> None:
    """Empty the protector's memories (desa patterns, LP components): work from scratch."""
    protect.DESA_DONE.clear()
    protect_lp.SOLVED.clear()


def _as_read(release) -> dict:
    """Everything a release publishes or reports, per table."""
    return {p.table.spec.name: (p.frame.to_csv(index=False), p.k, p.primary, p.secondary, list(p.notes),
                                list(p.narrow), p.remedy) for p in release}


def _from_frames(tables, frames, force=None, k_for=None, k=(5, 10)):
    """The reference: protected from scratch against plain frames (no Previous, no memory)."""
    _forget()
    return protect_release(tables, *k, {n: f.copy() for n, f in frames.items()}, force=force, k_for=k_for)


def test_protecting_again_and_again_with_one_previous_equals_protecting_from_the_frames():
    v1 = protect_release(_month(7, 20, 3, 9), 5, 10)
    frames = as_published(v1)
    previous = Previous(frames)
    tables = _month(4, 21, 6, 6)
    first = protect_release(tables, 5, 10, previous)
    assert _as_read(first) == _as_read(_from_frames(tables, frames))
    kept = next(p for p in first if p.table.spec.name == RELIGION)
    assert kept.narrow and kept.notes[0].startswith(protect.HELD_PREFIX)  # the protector kept it
    # The settle step's rounds: rows forced hidden, the same rows again, then more rows.
    frame = kept.table.frame
    named = [(desa_code(1), "BUDHA")]
    rounds = [rows_to_hide(REMEDY_LADDER[0], named, frame), rows_to_hide(REMEDY_LADDER[0], named, frame),
              rows_to_hide(REMEDY_LADDER[1], named, frame)]
    k_for = {p.table.spec.name: p.k for p in first}
    for rows in rounds:
        again = reprotect(first, previous, {RELIGION: rows})
        assert _as_read(again) == _as_read(_from_frames(tables, frames, {RELIGION: rows}, k_for, (0, 0)))
    assert frames.keys() == previous.keys()
    for name, frame in frames.items():  # the versions were read, never changed
        assert frame.equals(previous[name])


def test_another_release_against_the_same_previous_is_not_answered_from_the_last_one():
    v1 = protect_release(_month(7, 20, 3, 9), 5, 10)
    frames = as_published(v1)
    previous = Previous(frames)
    protect_release(_month(4, 21, 6, 6), 5, 10, previous)
    other = _month(7, 22, 2, 12)  # the same tables counted again, other counts
    assert _as_read(protect_release(other, 5, 10, previous)) == _as_read(_from_frames(other, frames))


def test_a_kept_table_is_a_fresh_copy_of_the_previous_version_each_time():
    v1 = protect_release(_month(7, 20, 3, 9), 5, 10)
    v2 = protect_release(_month(6, 23, 6, 6), 5, 10)
    previous = Previous(as_published(v1))
    kept, withheld = keep_after_audit(v2, {RELIGION}, previous)
    table = next(p for p in kept if p.table.spec.name == RELIGION)
    expected = next(p for p in v1 if p.table.spec.name == RELIGION).frame
    assert withheld == {} and table.frame[COUNTS].equals(expected[COUNTS])
    table.frame.loc[:, "jumlah"] = 0  # a later step changing the kept frame it was given
    again, _ = keep_after_audit(v2, {RELIGION}, previous)
    assert next(p for p in again if p.table.spec.name == RELIGION).frame[COUNTS].equals(expected[COUNTS])


def test_no_previous_version_is_the_same_as_an_empty_previous():
    tables = _month(4, 21, 6, 6)
    assert _as_read(protect_release(tables, 5, 10, Previous())) == _as_read(_from_frames(tables, {}))
    assert _as_read(protect_release(tables, 5, 10, Previous(None))) == _as_read(protect_release(tables, 5, 10))


def test_a_garbled_previous_cell_is_read_as_from_the_plain_frames():
    # Neither a number nor "x" (a file edited by hand): whatever the protector makes of it, the
    # kept conversion makes the same.
    v1 = protect_release(_month(7, 20, 3, 9), 5, 10)
    frames = as_published(v1)
    religion = frames[RELIGION]
    religion.loc[religion.index[:3], "jumlah"] = ["", "abc", "-1"]
    tables = _month(4, 21, 6, 6)
    assert _as_read(protect_release(tables, 5, 10, Previous(frames))) == _as_read(_from_frames(tables, frames))
    kept, _ = keep_after_audit(protect_release(tables, 5, 10), {RELIGION}, Previous(frames))
    plain, _ = keep_after_audit(protect_release(tables, 5, 10), {RELIGION}, {n: f.copy() for n, f in frames.items()})
    assert _as_read(kept) == _as_read(plain)


def test_a_previous_of_frames_is_still_a_mapping_of_them():
    frame = pd.DataFrame({"kode_desa": ["1"], "kode": ["1"], "kategori": ["A"], "jumlah": ["x"],
                          "laki_laki": ["x"], "perempuan": ["2"]})
    previous = Previous({"t": frame})
    assert list(previous) == ["t"] and previous["t"] is frame and previous.get("u") is None
    assert previous.numbers("t").isna().to_numpy().tolist() == [[True, True, False]]
    assert protect.as_previous(previous) is previous
