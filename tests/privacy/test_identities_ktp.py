"""The three identities of residents required to hold a KTP (wajib KTP: aged 17 and over, or
ever married), each on a hand-built desa where that identity alone pins a hidden cell.

A release may hold any subset of the catalogue (protector and auditor take what is harvested
together), so each case releases only the tables its identity reads, plus the population
table: no other table (the family-planning table's k = 10 on the married row, for one) hides
the row the identity needs. Each case leaks when the protector ignores the declared
identities, leaks when only that one identity is unknown to the protector (and then only that
identity reveals it: an auditor without it passes the same files), and is safe with them all.
"""
from __future__ import annotations

import pytest

from portal.privacy.protect import protect_release
from portal.privacy.suppress import Steps
from portal.statistics import identities
from portal.statistics.identities import (
    BRACKET_TABLE,
    CATEGORY_TABLE,
    IDENTITIES,
    KTP_TABLE,
    MARITAL_TABLE,
    UNIT_TABLE,
)
from tests.privacy.district import audit, desa_code, families, make_tables, people

K_GENERAL, K_SPECIFIC = 5, 10
DESA = desa_code(0)
SINGLE = "1"       # status_kawin BELUM KAWIN
NOT_DUE = "1"      # status_rekam BELUM WAJIB (children)
NOT_RECORDED = "2"  # status_rekam BELUM REKAM: the small, hidden KTP row


def _at_least_adults() -> list[dict]:
    """Single adults of 40 and five boys of 3 (no girls): wajib KTP women = adult women.

    Six adults (one man, five women) have not recorded their KTP: that row is hidden. Alone,
    it ranges up to the population's women less the published women, [0, 5]; the age
    categories publish 150 adult women, so the KTP table's women are at least 150, and the
    hidden women's cell is exactly 5.
    """
    return (people(149, status_kawin=SINGLE) + people(145, sex="2", status_kawin=SINGLE)
            + people(1, status_kawin=SINGLE, status_rekam=NOT_RECORDED)
            + people(5, sex="2", status_kawin=SINGLE, status_rekam=NOT_RECORDED)
            + people(5, umur=3, status_kawin=SINGLE, status_rekam=NOT_DUE))


def _at_least_ever_married() -> list[dict]:
    """Married adults and five single boys of 3: wajib KTP women = married women (150)."""
    return (people(149) + people(145, sex="2") + people(1, status_rekam=NOT_RECORDED)
            + people(5, sex="2", status_rekam=NOT_RECORDED)
            + people(5, umur=3, status_kawin=SINGLE, status_rekam=NOT_DUE))


def _at_most_aged_15_and_ever_married() -> list[dict]:
    """Nobody married, adults of 40 and children of 3 of both sexes.

    One man and one woman have not recorded their KTP (row hidden, 1 each). The population
    leaves the hidden cells [0, 6]; the brackets from 15 up hold 150 of each sex, the KTP
    table publishes 149, so the hidden cells are at most 1.
    """
    return (people(149, status_kawin=SINGLE) + people(149, sex="2", status_kawin=SINGLE)
            + people(1, status_kawin=SINGLE, status_rekam=NOT_RECORDED)
            + people(1, sex="2", status_kawin=SINGLE, status_rekam=NOT_RECORDED)
            + people(5, umur=3, status_kawin=SINGLE, status_rekam=NOT_DUE)
            + people(5, sex="2", umur=3, status_kawin=SINGLE, status_rekam=NOT_DUE))


CASES = {
    "wajib-ktp-paling-sedikit-dewasa": (_at_least_adults, {CATEGORY_TABLE}),
    "wajib-ktp-paling-sedikit-pernah-kawin": (_at_least_ever_married, {MARITAL_TABLE}),
    "wajib-ktp-paling-banyak-umur-17-dan-pernah-kawin": (_at_most_aged_15_and_ever_married,
                                                          {BRACKET_TABLE, MARITAL_TABLE}),
}


def _release(name: str, steps: Steps = Steps()):
    """The case's desa, only the tables its identity reads (and the population), protected."""
    build, tables = CASES[name]
    wanted = {UNIT_TABLE, KTP_TABLE, *tables}
    counted = [t for t in make_tables([build()], [families(100)]) if t.spec.name in wanted]
    assert {t.spec.name for t in counted} == wanted
    return protect_release(counted, K_GENERAL, K_SPECIFIC, None, steps)


def _ktp_leaks(report) -> list:
    """Findings that narrow a hidden cell of the KTP table in the desa."""
    return [f for f in report.findings if f.table == KTP_TABLE and f.kode_desa == DESA
            and f.rule in ("terkunci", "interval")]


def _without(monkeypatch, name: str) -> None:
    """The declaration as it would be without one identity (protector and auditor read it)."""
    monkeypatch.setattr(identities, "IDENTITIES", tuple(i for i in IDENTITIES if i.name != name))


def test_every_wajib_ktp_identity_has_a_case():
    assert {i.name for i in IDENTITIES if KTP_TABLE in i.tables} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_without_the_identities_the_protector_leaks_the_hidden_ktp_row(name):
    report = audit(_release(name, Steps(identities=False)))
    assert _ktp_leaks(report), name
    assert name in report.identities


@pytest.mark.parametrize("name", sorted(CASES))
def test_this_identity_alone_reveals_the_hidden_ktp_row(name, monkeypatch):
    # The protector that does not know this one identity (but every other) publishes a
    # pattern an auditor without it passes and the auditor with it breaks.
    with monkeypatch.context() as patch:
        _without(patch, name)
        exposed = _release(name)
        blind = audit(exposed)
    assert blind.passed, [str(f) for f in blind.findings[:5]]
    assert _ktp_leaks(audit(exposed)), name


@pytest.mark.parametrize("name", sorted(CASES))
def test_with_the_identities_the_release_is_safe(name):
    protected = _release(name)
    report = audit(protected)
    assert report.passed, [str(f) for f in report.findings[:5]]
    assert name in report.to_dict()["identities_used"]
    ktp = next(p for p in protected if p.table.spec.name == KTP_TABLE)
    assert ktp.secondary > 0  # the identity made the protector hide more than the small row
