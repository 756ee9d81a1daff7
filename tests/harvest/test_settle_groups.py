"""The settle step's audit, group by group and memoised (portal/harvest/privacy_check.py,
portal/privacy/audit_groups.py): the same findings as one attack on the whole release, and
a round after a change in one group attacks that group again, not the others.

The release: three desa counted by the real catalogue (one connected group of tables, tied
by their margins and declared identities) and a table outside the catalogue (a group of its
own). The second month is protected naively (no look at the first): a Buddhist newcomer's
cell in desa 0 is narrowed through the difference between the months, a leak in the
catalogue's group only.
"""
from __future__ import annotations

import io

import pandas as pd

from portal.datasets.packaging import table_csv
from portal.privacy.audit import audit_release
from portal.privacy.audit_groups import GroupMemo, partition, table_groups
from portal.privacy.protect import protect_release
from tests.privacy.district import changing_desa, desa_code, families, make_tables, publish

K_GENERAL, K_SPECIFIC = 5, 10
RELIGION = "penduduk-menurut-agama"
OUTSIDE = "tabel-di-luar-katalog"  # no margin, no identity: a group of its own
HIDDEN = "x"  # the published tables' declared missing value


def _month(first: bool):
    """The protected tables of one month (naive: protected without the previous version)."""
    residents = [changing_desa(first, newcomer=i == 0) for i in range(3)]
    return protect_release(make_tables(residents, [families(60)] * 3), K_GENERAL, K_SPECIFIC)


def _release(protected, outside: bytes) -> dict:
    """What the auditor reads, with the table outside the catalogue beside the catalogue's."""
    out = publish(protected)
    religion = next(p for p in protected if p.table.spec.name == RELIGION)
    out["current"][OUTSIDE] = outside
    out["schemas"][OUTSIDE] = out["schemas"][RELIGION]
    out["k_for"][OUTSIDE] = religion.k
    return out


def _audit(release: dict, previous: dict, **how):
    """Audit a release beside its previous version as the harvest does (new versions only)."""
    current = {n: c for n, c in release["current"].items() if previous.get(n) != c}
    return audit_release(current, release["schemas"], previous, release["k_for"], release["specific"], **how)


def _largest_row(frame: pd.DataFrame, desa: str) -> int:
    """The row of one desa with the largest published count."""
    rows = frame.index[frame["kode_desa"] == desa]
    return max(rows, key=lambda r: int(frame.at[r, "jumlah"]) if frame.at[r, "jumlah"].isdigit() else -1)


def _edit(content: bytes, desa: str, how: str) -> bytes:
    """A table's CSV with its largest count in one desa hidden (as a remedy would) or grown
    by one man (a newcomer: the row still adds up)."""
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    top = _largest_row(frame, desa)
    if how == "hide":
        frame.loc[top, ["jumlah", "laki_laki", "perempuan"]] = HIDDEN
    else:
        for column in ("jumlah", "laki_laki"):
            frame.at[top, column] = str(int(frame.at[top, column]) + 1)
    return frame.to_csv(index=False).encode()


def _key(findings) -> list:
    """Findings in a fixed order (the groups are attacked one after another)."""
    return sorted(findings, key=lambda f: (f.rule, f.table, f.kode_desa, f.kategori, f.column, f.version))


def _months():
    """Last month as published, and this month's naive release."""
    v1, v2 = _month(True), _month(False)
    old = _release(v1, table_csv(next(p for p in v1 if p.table.spec.name == RELIGION)))
    new = _release(v2, old["current"][OUTSIDE])
    new["current"][OUTSIDE] = _edit(old["current"][OUTSIDE], desa_code(2), "grow")
    return old, new


def test_the_release_falls_into_the_catalogues_group_and_the_outside_table():
    _old, new = _months()
    parts = partition(set(new["current"]), table_groups())
    assert len(parts) == 2 and (OUTSIDE,) in parts


def test_group_by_group_the_auditor_finds_exactly_what_it_finds_on_the_whole_release():
    old, new = _months()
    whole = _audit(new, old["current"])
    grouped = _audit(new, old["current"], groups=table_groups())
    memoised = _audit(new, old["current"], groups=table_groups(), memo=GroupMemo())
    leaks = {f.table for f in whole.findings}
    assert not whole.passed and RELIGION in leaks and OUTSIDE not in leaks
    assert any(f.kode_desa == desa_code(0) and f.table == RELIGION for f in whole.findings)
    for report in (grouped, memoised):
        assert report.passed is whole.passed
        assert _key(report.findings) == _key(whole.findings)
        assert report.hidden_cells == whole.hidden_cells
        assert report.deltas == whole.deltas
        assert sorted(report.identities) == sorted(whole.identities)


def test_a_round_after_a_change_in_one_group_attacks_only_that_group_again():
    old, new = _months()
    memo = GroupMemo()
    first = _audit(new, old["current"], groups=table_groups(), memo=memo)
    catalogue = frozenset(old["current"]) - {OUTSIDE}
    assert {frozenset(tables) for _stage, tables in memo.computed} == {frozenset({OUTSIDE}), catalogue}

    # The same release again: nothing is attacked.
    memo.computed.clear()
    assert _key(_audit(new, old["current"], groups=table_groups(), memo=memo).findings) == _key(first.findings)
    assert memo.computed == []

    # The table outside the catalogue changes: only its group is attacked again.
    new["current"][OUTSIDE] = _edit(new["current"][OUTSIDE], desa_code(1), "grow")
    again = _audit(new, old["current"], groups=table_groups(), memo=memo)
    assert memo.computed and {tables for _stage, tables in memo.computed} == {(OUTSIDE,)}
    assert _key(again.findings) == _key(_audit(new, old["current"]).findings)

    # A remedy hides one more cell of the religion table in desa 2: only the catalogue's
    # group is attacked again, and in it only the LP components that changed are solved
    # (the other desa's equations are the same as last round's).
    memo.computed.clear()
    solved, reused = memo.solved, memo.reused
    new["current"][RELIGION] = _edit(new["current"][RELIGION], desa_code(2), "hide")
    third = _audit(new, old["current"], groups=table_groups(), memo=memo)
    assert memo.computed and OUTSIDE not in {n for _stage, tables in memo.computed for n in tables}
    assert memo.reused > reused and memo.solved > solved
    assert _key(third.findings) == _key(_audit(new, old["current"]).findings)
