"""A monthly re-harvest after a first release of every table: it must pass the gate and publish.

The versions attack bounds a cell the previous version published and this one hides by its
old value plus or minus d, the largest change seen among cells published in both. After a
month in which little changed d is 1, so such a cell can never be hidden safely: the
protector keeps such tables at their previous version (protect._hold_back) and takes
secondary cells from rows hidden before (suppress.PUBLISHED_BEFORE_COST).
"""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.datasets import services
from portal.extensions import db
from portal.privacy.gate import gate_errors
from portal.privacy.protect import protect_release
from tests.privacy.district import as_published, audit, families, make_tables, people
from tests.support.world import REFERENCE_DATE, TEST_RESIDENTS, join_catalogue_opds

NEXT_MONTH = date(2026, 12, 1)
# A month of ageing moves no published cell of this small district (30 residents a desa) once
# kelompok rentan's infants and toddlers hide more of the age categories: a quarter does.
NEXT_QUARTER = date(2027, 2, 1)


def _publish_all(result, users, note: str) -> None:
    """Submit and approve every draft of a harvest; the gate must let each one through."""
    join_catalogue_opds(users["produsen"])  # the harvest made the OPDs; its produsen submits for them
    for draft in result.drafts:
        assert gate_errors(draft.privacy_report) == [], draft.dataset.name
        services.submit(draft, users["produsen"], note)
        db.session.commit()
        services.approve(draft, users["walidata"], "Setuju.")
        db.session.commit()


@pytest.fixture
def first_release(app, users, district_export):
    """Every table of the generated district harvested and published."""
    from portal.harvest.service import harvest

    result = harvest(str(district_export), REFERENCE_DATE, users["produsen"])
    assert len(result.drafts) > 10
    _publish_all(result, users, "Rilis pertama.")
    return result


@pytest.fixture(scope="module")
def other_export(tmp_path_factory):
    """The same district generated with another seed: every count changed."""
    from portal.demogen.generator import generate_district

    out = tmp_path_factory.mktemp("district-other") / "export"
    generate_district(out, residents=TEST_RESIDENTS, seed=8, fmt="csv")
    return out


def test_the_same_export_a_quarter_later_passes_the_gate_and_publishes(first_release, users, district_export):
    from portal.harvest.service import harvest

    again = harvest(str(district_export), NEXT_QUARTER, users["produsen"])
    # Only ages moved on, by a quarter: a few people per desa changed bracket, too few to hide
    # a row the first release published. The bracket table keeps its previous version; the
    # age-category table, tied to it by a declared identity, publishes its new version (a
    # kept table keeps no other with it), attacked beside every table's old version, and
    # whatever is drafted passes the gate and publishes.
    assert "penduduk-menurut-kelompok-umur" in set(again.unchanged)
    assert "penduduk-menurut-kategori-umur" in {d.dataset.name for d in again.drafts}
    for draft in again.drafts:
        assert draft.privacy_report["audit"]["passed"], draft.privacy_report["audit"]["findings"][:5]
    _publish_all(again, users, "Pembaruan bulanan.")


def test_a_changed_district_is_refused_with_the_tables_it_cannot_protect_named(first_release, users,
                                                                              other_export):
    # Another seed: every desa of 30 residents changes, many go dark, and rows the first
    # release published (zeros of rare categories) must now be hidden. An attacker bounds each
    # by its old value plus the change seen in its own table (a few people): under k. The
    # protector keeps the tables it can at their previous version, and so does the harvest
    # where the independent auditor still narrows a hidden cell (named, with the reason);
    # what is published of the rest either passes the auditor or the gate refuses it with
    # messages that name the tables and desa, in words the produsen reads.
    from portal.harvest.service import harvest

    changed = harvest(str(other_export), NEXT_MONTH, users["produsen"])
    assert changed.drafts
    report = changed.drafts[0].privacy_report
    kept = {t["table"] for t in report["tables"]
            if any(n.startswith("versi sebelumnya dipertahankan") for n in t["notes"])}
    assert kept and kept <= set(changed.unchanged)
    for table in kept:
        notes = next(t["notes"] for t in report["tables"] if t["table"] == table)
        assert any("terlalu kecil" in n or "auditor independen" in n for n in notes)
    assert not kept & {d.dataset.name for d in changed.drafts}
    errors = gate_errors(report)
    if not report["audit"]["passed"]:
        listed = {f["table"] for f in report["audit"]["findings"][:50]}
        assert errors and listed and all(any(f"tabel {t}" in e for e in errors) for t in listed)
    else:
        assert not [e for e in errors if "audit" in e.lower()]


# -- small synthetic two-version districts ----------------------------------------------------
AGAMA = ["3", "1", "2", "4", "5"]  # the common religion (BASE) first, then rarer ones


def _desa(counts: list[tuple[int, int]]) -> list[dict]:
    """150 + 150 residents of the common religion, plus counts[i] (men, women) of AGAMA[i + 1]."""
    out = people(150) + people(150, sex="2")
    for code, (men, women) in zip(AGAMA[1:], counts):
        out += people(men, agama_id=code) + people(women, sex="2", agama_id=code)
    return out


small = st.tuples(st.integers(0, 7), st.integers(0, 7))
# A move keeps the desa's totals: (from religion, to religion, sex, how many).
move = st.tuples(st.integers(0, 4), st.integers(0, 4), st.sampled_from(["1", "2"]), st.integers(0, 6))


def _apply(residents: list[dict], moves) -> list[dict]:
    out = [dict(r) for r in residents]
    for source, target, sex, n in moves:
        for r in out:
            if n and r["sex"] == sex and r["agama_id"] == AGAMA[source]:
                r["agama_id"], n = AGAMA[target], n - 1
    return out


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(first=st.lists(st.lists(small, min_size=4, max_size=4), min_size=1, max_size=2),
       moves=st.lists(st.lists(move, max_size=4), min_size=2, max_size=2),
       k_general=st.integers(min_value=3, max_value=6))
def test_protecting_with_the_previous_version_always_passes_the_audit(first, moves, k_general):
    # Residents change religion between the versions (a 0 becomes small, a 5 becomes 4, ...),
    # the desa totals stay: the case where the change between versions can be tiny.
    before = [_desa(counts) for counts in first]
    after = [_apply(group, moves[i]) for i, group in enumerate(before)]
    fams = [families(60) for _ in before]
    v1 = protect_release(make_tables(before, fams), k_general, 10)
    assert audit(v1).passed
    v2 = protect_release(make_tables(after, fams), k_general, 10, previous=as_published(v1))
    report = audit(v2, previous=v1)
    assert report.passed, [str(f) for f in report.findings[:5]]


def test_a_zero_that_becomes_one_keeps_the_previous_version():
    # One man turns Hindu: the published 0 becomes 1. With d = 1 the attacker would know
    # the hidden cell is 0 or 1, so the religion table keeps its previous version.
    before = [_desa([(5, 5), (6, 6), (0, 0), (9, 9)])]
    after = [_apply(before[0], [(0, 3, "1", 1)])]
    fams = [families(60)]
    v1 = protect_release(make_tables(before, fams), 5, 10)
    v2 = protect_release(make_tables(after, fams), 5, 10, previous=as_published(v1))
    agama = {p.table.spec.name: p for p in v2}["penduduk-menurut-agama"]
    assert any("dipertahankan" in n for n in agama.notes)
    assert audit(v2, previous=v1).passed



def test_without_holding_back_the_auditor_catches_the_new_small_cell(monkeypatch):
    import portal.privacy.protect as protect

    before = [_desa([(5, 5), (6, 6), (0, 0), (9, 9)])]
    after = [_apply(before[0], [(0, 3, "1", 1)])]
    fams = [families(60)]
    v1 = protect_release(make_tables(before, fams), 5, 10)
    monkeypatch.setattr(protect, "_hold_back", lambda out, _prepared, _previous: out)
    v2 = protect_release(make_tables(after, fams), 5, 10, previous=as_published(v1))
    report = audit(v2, previous=v1)
    assert {f.table for f in report.findings} == {"penduduk-menurut-agama"}
