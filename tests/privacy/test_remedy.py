"""The settle step's finer remedy (issue 13): hide more cells of a leaking table's new version
before keeping the whole table at its previous version.

The auditor attacks the release with every published version; where it narrows a hidden
cell, the harvest first hides more cells of that table's new version (protect.REMEDY_LADDER),
protects the release again and audits again, and only when the ladder is exhausted keeps the
previous version (or withholds a table never published). A fresh auditor must find nothing in
what is published, whichever way it went.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.harvest.privacy_check import remedies, settle
from portal.privacy.audit import audit_release
from portal.privacy.protect import REMEDY_LADDER, keep_after_audit, protect_release, rows_to_hide
from portal.privacy.report import for_table, privacy_report, privacy_summary
from tests.privacy.district import as_published, audit, families, make_tables, people, publish

RELIGION = "penduduk-menurut-agama"


def _religions(few: int, some: int, more: int = 20) -> list[list[dict]]:
    """One desa: 300 residents of one religion, ``more`` of a second, and two small groups."""
    return [people(150) + people(150, sex="2") + people(few, agama_id="5")
            + people(some, agama_id="1") + people(more, agama_id="2")]


def _table(release, name=RELIGION):
    return next(p for p in release if p.table.spec.name == name)


def _hidden(release, name=RELIGION) -> np.ndarray:
    frame = _table(release, name).frame
    return frame[["jumlah", "laki_laki", "perempuan"]].isna().to_numpy()


@pytest.fixture
def blind_month(app):
    """Month one published; month two protected without reading it (a protector blind to the
    previous version, as its model can be to what the auditor attacks): the 3 hidden
    Buddhists of month one are shown as 6 next to a hidden group the change pins down."""
    v1 = protect_release(make_tables(_religions(3, 9), [families(60)]), 5, 10)
    v2 = protect_release(make_tables(_religions(6, 6, 23), [families(60)]), 5, 10)
    return v1, v2


def test_hiding_more_cells_publishes_a_table_the_old_remedy_kept(blind_month):
    v1, v2 = blind_month
    before = audit(v2, previous=v1)
    assert {f.table for f in before.findings} == {RELIGION}
    # Today's remedy alone: the whole table keeps its previous version.
    kept, _ = keep_after_audit(v2, {RELIGION}, as_published(v1))
    assert publish(kept)["current"][RELIGION] == publish(v1)["current"][RELIGION]

    settled, withheld = settle(v2, publish(v1)["current"], {})
    table = _table(settled)
    assert withheld == {}
    # A new version, with every cell hidden before still hidden and more besides.
    assert publish(settled)["current"][RELIGION] != publish(v1)["current"][RELIGION]
    assert (_hidden(settled) >= _hidden(v2)).all() and _hidden(settled).sum() > _hidden(v2).sum()
    assert table.remedy["kind"] == "sembunyikan" and table.remedy["rung"] == REMEDY_LADDER[0].name
    extra = int(_hidden(settled).sum() - _hidden(v2).sum())
    assert table.remedy["cells"] == extra and table.remedy["desa"] == 1
    words = f"{extra} sel tambahan disembunyikan di 1 desa karena perubahan antarbulan"
    assert words in table.notes and remedies(settled, withheld)[RELIGION] == words
    assert table.report()["remedy"]["cells"] == extra
    # A fresh auditor holding both published versions finds nothing.
    fresh = audit(settled, previous=v1)
    assert fresh.passed, [str(f) for f in fresh.findings[:5]]
    # The review page and `releases show` print the summary lines: the remedy is one of them.
    lines = privacy_summary(for_table(privacy_report(settled, fresh, [], 5, 10), RELIGION))
    assert f"Tabel {RELIGION}: {words}." in lines


def _stable(catholics: int, protestants: int) -> list[list[dict]]:
    """One desa whose counts barely move: a Catholic group that falls below k is pinned by the
    change between months, however many other cells are hidden."""
    return [people(150) + people(150, sex="2") + people(catholics, agama_id="5")
            + people(protestants, agama_id="2") + people(9, agama_id="4")]


def test_when_hiding_more_is_not_enough_the_table_is_not_published(app):
    v1 = protect_release(make_tables(_stable(7, 20), [families(60)]), 5, 10)
    v2 = protect_release(make_tables(_stable(4, 21), [families(60)]), 5, 10)
    previous = publish(v1)["current"]
    assert not audit(v2, previous=v1).passed
    # Blind to the previous version, the protector cannot keep it: the ladder is climbed to
    # the top, and the table, never published as far as the protector knows, is withheld.
    settled, withheld = settle(v2, previous, {})
    assert RELIGION not in {p.table.spec.name for p in settled}
    assert "menyembunyikan sel tambahan tidak cukup" in withheld[RELIGION]
    assert remedies(settled, withheld)[RELIGION] == withheld[RELIGION]
    # Reading it, the table keeps its previous version: nothing new of it is published.
    settled, withheld = settle(v2, previous, as_published(v1))
    assert withheld == {} and publish(settled)["current"][RELIGION] == previous[RELIGION]
    assert _table(settled).remedy["kind"] == "pertahankan"
    assert "dipertahankan" in remedies(settled, withheld)[RELIGION]
    fresh = audit(settled, previous=v1)
    assert fresh.passed, [str(f) for f in fresh.findings[:5]]


def test_a_finding_without_a_desa_is_answered_by_the_whole_table_only():
    frame = make_tables(_religions(3, 9), [families(60)])[0].frame
    assert rows_to_hide(REMEDY_LADDER[0], [("", "")], frame) is None
    assert rows_to_hide(REMEDY_LADDER[0], [], frame) is None


def test_each_rung_hides_at_least_what_the_one_before_did():
    tables = make_tables([_religions(3, 9)[0], _religions(4, 8)[0], _religions(6, 6)[0]],
                         [families(60)] * 3)
    frame = next(t for t in tables if t.spec.name == RELIGION).frame
    named = [(frame["kode_desa"].iloc[0], "BUDHA")]
    sizes = []
    for rung in REMEDY_LADDER:
        rows = rows_to_hide(rung, named, frame)
        assert all(kode_desa in set(frame["kode_desa"]) for kode_desa, _ in rows)
        sizes.append(rows)
    assert sizes[0] < sizes[1] < sizes[2]
    assert len(sizes[0]) == 1  # the named row only
    assert {d for d, _ in sizes[1]} == {named[0][0]}  # the named desa only
    with pytest.raises(ValueError):
        rows_to_hide(type(REMEDY_LADDER[0])("x", "dusun", "-"), named, frame)


@st.composite
def _months(draw):
    """Two or three desa whose small groups move at random over three months."""
    n = draw(st.integers(2, 3))
    return [[(draw(st.integers(0, 12)), draw(st.integers(0, 12)), draw(st.integers(40, 60)))
             for _ in range(n)] for _ in range(3)]


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(months=_months())
def test_every_month_of_a_random_district_publishes_nothing_the_auditor_narrows(app, months):
    published: dict[str, bytes] = {}
    for month in months:
        residents = [people(80) + people(80, sex="2") + people(a, agama_id="5") + people(b, agama_id="1")
                     + people(c, sex="2", status_kawin="1") for a, b, c in month]
        frames = as_published_bytes(published)
        protected = protect_release(make_tables(residents, [families(40)] * len(month)), 5, 10, frames)
        settled, withheld = settle(protected, dict(published), frames)
        out = publish(settled)
        fresh = audit_release({n: c for n, c in out["current"].items() if published.get(n) != c},
                              out["schemas"], dict(published) or None, out["k_for"], out["specific"])
        assert fresh.passed, [str(f) for f in fresh.findings[:5]]
        for name, remedy in remedies(settled, withheld).items():
            assert remedy, name  # every remedy is said in words
        published.update(out["current"])


def as_published_bytes(published: dict[str, bytes]):
    """The previous versions as the protector reads them (CSV text, 'x' hidden)."""
    import io

    import pandas as pd

    return {name: pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
            for name, content in published.items()}
