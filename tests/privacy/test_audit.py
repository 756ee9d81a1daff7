"""Hand-built attacks: each is caught by the auditor when the protection step against it is off."""
import pytest

from portal.privacy.protect import protect_release
from portal.privacy.suppress import Steps
from tests.privacy.district import as_published, audit, desa_code, families, findings, make_tables, people

K_GENERAL, K_SPECIFIC = 5, 10
DESA = desa_code(0)


def _protect(residents, fams, steps=Steps(), previous=None):
    return protect_release(make_tables(residents, fams), K_GENERAL, K_SPECIFIC, previous, steps)


def _village(**extra_men):
    """One desa of 200 men and 200 women, 100 families, plus a few men who differ."""
    men = people(200)
    for fields, n in extra_men.values():
        men[:n] = people(n, **fields)
    return [men + people(200, sex="2")], [families(100)]


def test_margin_subtraction_is_caught_without_secondary_suppression():
    residents, fams = _village(islam=({"agama_id": "1"}, 2))
    exposed = audit(_protect(residents, fams, Steps(secondary=False)))
    assert [f.kategori for f in findings(exposed, "terkunci", "penduduk-menurut-agama", DESA)
            if f.column == "laki_laki"] == ["ISLAM"]
    assert audit(_protect(residents, fams)).passed


def test_subtraction_across_linked_tables_is_caught_without_joint_protection():
    # 8 female-headed families: fewer than k for the specific table, yet the unit table
    # publishes 8 (>= 5), so the welfare table's women column adds up to a published total.
    residents, _ = _village()
    fams = [families(92) + families(8, kepala_sex="2")]
    exposed = audit(_protect(residents, fams, Steps(linked=False)))
    hit = findings(exposed, "interval", "keluarga-menurut-kelas-sosial", DESA)
    assert hit and {f.column for f in hit} >= {"perempuan"}
    assert audit(_protect(residents, fams)).passed


def test_differencing_two_versions_is_caught_without_carrying_the_pattern_forward():
    hindu = {"agama_id": "4"}
    v1 = _protect(*_village(hindu=(hindu, 3)))
    residents, fams = _village(hindu=(hindu, 3))
    residents[0] += people(2, **hindu)  # two Hindu men move in: the hidden 3 becomes 5
    tables = make_tables(residents, fams)
    exposed = protect_release(tables, K_GENERAL, K_SPECIFIC, as_published(v1), Steps(carry_forward=False))
    report = audit(exposed, previous=v1)
    assert any(f.kategori == "HINDU" and f.version == "lama"
               for f in findings(report, "versi", "penduduk-menurut-agama", DESA))
    carried = protect_release(tables, K_GENERAL, K_SPECIFIC, as_published(v1))
    assert audit(carried, previous=v1).passed


def test_insider_pair_is_caught_without_the_insider_rule():
    # Two small citizenship rows hidden together, each column summing to exactly k:
    # the one WNA man (if he is alone) learns the other row's count.
    men = people(195) + people(2, warganegara_id="2") + people(3, warganegara_id="3")
    women = people(195, sex="2") + people(3, sex="2", warganegara_id="2") + people(2, sex="2", warganegara_id="3")
    exposed = audit(_protect([men + women], [families(100)], Steps(insider=False)))
    hit = findings(exposed, "orang-dalam", "penduduk-menurut-warga-negara", DESA)
    assert hit and {f.kategori for f in hit} <= {"WNA", "DUA KEWARGANEGARAAN"}
    assert audit(_protect([men + women], [families(100)])).passed


def test_dominant_sensitive_category_is_caught_without_the_group_rule():
    # 900 of 1000 families in one welfare class, every cell at least k: nothing is small,
    # yet publishing says that nine in ten families of the desa are Pra Sejahtera.
    fams = families(450, kelas_sosial="1") + families(450, kepala_sex="2", kelas_sosial="1")
    for code in ("2", "3", "4", "5", "9"):
        fams += families(10, kelas_sosial=code) + families(10, kepala_sex="2", kelas_sosial=code)
    residents, _ = _village()
    exposed = audit(_protect(residents, [fams], Steps(group=False)))
    hit = findings(exposed, "dominan", "keluarga-menurut-kelas-sosial", DESA)
    assert hit and {f.kategori for f in hit} == {"Keluarga Pra Sejahtera"}
    assert audit(_protect(residents, [fams])).passed


@pytest.mark.parametrize("column", ["jumlah", "laki_laki"])
def test_findings_name_the_cell_never_its_value(column):
    residents, fams = _village(islam=({"agama_id": "1"}, 2))
    report = audit(_protect(residents, fams, Steps(secondary=False)))
    text = " ".join(str(f) for f in report.findings) + str(report.to_dict())
    assert "ISLAM" in text and DESA in text
    finding = next(f for f in report.findings if f.kategori == "ISLAM" and f.column == column)
    assert "2" not in str(finding).replace(DESA, "").replace("51.02", "")


def test_a_small_married_total_leaves_the_family_planning_table_room_for_its_k():
    # 7 married men: too few for the k = 10 table, enough for the k = 5 marital table. Hiding
    # the married row must leave it (and so every hidden KB cell) room to range over 10.
    men = people(7) + people(193, status_kawin="1")
    protected = _protect([men + people(200, sex="2")], [families(100)])
    assert audit(protected).passed


def test_the_linprog_fallback_finds_the_same_leak(monkeypatch):
    # scipy's HiGHS bindings are used directly for speed; another scipy falls back to linprog.
    import portal.privacy.audit_lp as audit_lp

    monkeypatch.setattr(audit_lp, "highs_core", None)
    residents, fams = _village(islam=({"agama_id": "1"}, 2))
    exposed = audit(_protect(residents, fams, Steps(secondary=False)))
    assert "ISLAM" in {f.kategori for f in findings(exposed, "terkunci", "penduduk-menurut-agama", DESA)}
