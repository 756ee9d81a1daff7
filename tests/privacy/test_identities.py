"""Identities between published tables (statistics.identities): each one alone reveals a hidden
cell of a hand-built desa when the protector ignores it, and the auditor, which assumes every
declared identity as an attacker would, catches that; with the identities the release passes."""
from __future__ import annotations

from portal.privacy.protect import protect_release
from portal.privacy.suppress import Steps
from portal.statistics.identities import IDENTITIES, broken, declared
from tests.privacy.district import audit, desa_code, families, make_tables, people

K_GENERAL, K_SPECIFIC = 5, 10
DESA = desa_code(0)
NO_IDENTITIES = Steps(identities=False)


def _protect(residents, fams, steps=Steps()):
    return protect_release(make_tables(residents, fams), K_GENERAL, K_SPECIFIC, None, steps)


def _leaks(report, table: str) -> list:
    """Interval findings (narrower than k, or exact) in one table of the desa."""
    return [f for f in report.findings if f.table == table and f.kode_desa == DESA
            and f.rule in ("terkunci", "interval")]


def test_every_identity_says_why_it_holds_and_what_breaks_it():
    names = [i.name for i in IDENTITIES]
    assert len(names) == len(set(names))
    for identity in IDENTITIES:
        assert identity.why and identity.breaks_when and identity.relations
    assert {d["name"] for d in declared()} >= set(names)


def test_heads_of_family_reveal_hidden_families_without_the_identity():
    # 100 families, all headed by men: the welfare table (k = 10) cannot protect an empty
    # perempuan column, so the families row is hidden; the relationship table publishes its
    # twin, the heads of family, unless both are hidden together.
    residents = [people(200) + people(200, sex="2")]
    fams = [families(100)]
    exposed = audit(_protect(residents, fams, NO_IDENTITIES))
    assert {f.kategori for f in _leaks(exposed, "penduduk-dan-keluarga")} == {"KELUARGA"}
    protected = _protect(residents, fams)
    report = audit(protected)
    assert report.passed, [str(f) for f in report.findings[:5]]
    assert "kepala-keluarga-sama-dengan-keluarga" in report.to_dict()["identities_used"]


def test_female_headed_families_welfare_classes_stay_wider_than_k():
    # The case: a few female-headed families; through heads = families an attacker
    # narrowed their welfare classes (specific data, k = 10) to width 5 or 7.
    residents = [people(200) + people(200, sex="2")]
    fams = [families(92) + families(8, kepala_sex="2")]
    exposed = audit(_protect(residents, fams, NO_IDENTITIES))
    assert _leaks(exposed, "keluarga-menurut-kelas-sosial") or _leaks(exposed, "penduduk-dan-keluarga")
    assert audit(_protect(residents, fams)).passed


def test_age_brackets_pin_a_hidden_age_category_without_the_identity():
    # Ten five-year-olds and three boys of seven: ANAK-ANAK (6-17) is 3, hidden; the bracket
    # 5-9 (13) and the published BALITA row would give it away through the age nesting.
    men = people(10, umur=5) + people(3, umur=7) + people(200, umur=40)
    residents = [men + people(200, sex="2", umur=40)]
    fams = [families(100)]
    exposed = audit(_protect(residents, fams, NO_IDENTITIES))
    assert _leaks(exposed, "penduduk-menurut-kategori-umur") or _leaks(exposed, "penduduk-menurut-kelompok-umur")
    assert audit(_protect(residents, fams)).passed


def test_broken_identities_are_named_by_desa_never_by_value():
    # A family whose head lives elsewhere: heads of family 0, families 1 in this desa.
    tables = make_tables([people(20)], [families(1)], heads=False)
    frames = {t.spec.name: t.frame for t in tables}
    found = broken(frames)
    assert [b["identity"] for b in found] == ["kepala-keluarga-sama-dengan-keluarga"]
    assert found[0]["kode_desa"] == DESA and "20" not in found[0]["message"].replace(DESA, "")
    clean = {t.spec.name: t.frame for t in make_tables([people(20)], [families(1)])}
    assert broken(clean) == []


def test_a_kept_identity_gap_is_not_a_leak_but_is_reported():
    # Published numbers that contradict an identity (the data break it) tell the attacker only
    # that it does not hold there: listed in the audit report, not a finding.
    fams = [families(50) + families(50, kepala_sex="2")]
    tables = make_tables([people(300) + people(300, sex="2")], fams, heads=False)
    protected = protect_release(tables, K_GENERAL, K_SPECIFIC)
    report = audit(protected)
    assert report.passed, [str(f) for f in report.findings[:5]]
    assert any("kepala-keluarga" in item for item in report.identities_contradicted)
    assert report.to_dict()["identities_contradicted"] == report.identities_contradicted
