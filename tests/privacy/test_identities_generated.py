"""Random small districts (a few desa of 5 to 200 residents: rare categories, female-headed
families, pregnant women, married couples without family planning), protected with every
declared identity: an LP attacker that assumes every identity finds no interval under k."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.privacy.protect import protect_release
from tests.privacy.district import BASE, audit, make_tables

# Per column: the common value first, then rarer ones. "" for cara_kb: married, no method.
CHOICES = {
    "agama_id": ["4", "1", "2", "5"], "status_kawin": ["2", "1", "3", "4"],
    "pekerjaan_id": ["9", "1", "88"], "cacat_id": ["7", "1"], "golongan_darah_id": ["13", "4"],
    "cara_kb_id": ["", "3", "1"], "status_rekam": ["3", "2", "1"], "id_asuransi": ["2", "1"],
}


def _resident(sex: str, fields: dict, age: int, pregnant: bool) -> dict:
    """A resident: only women of 15 to 49 can be pregnant, as the protector's data would say."""
    hamil = "1" if (pregnant and sex == "2" and 15 <= age <= 49) else "2"
    return {**BASE, **fields, "sex": sex, "umur": age, "hamil": hamil}


resident = st.builds(_resident, st.sampled_from(["1", "2"]),
                     st.fixed_dictionaries({c: st.sampled_from(v) for c, v in CHOICES.items()}),
                     st.integers(min_value=0, max_value=90), st.booleans())
family = st.fixed_dictionaries({"kepala_sex": st.sampled_from(["1", "2"]),
                                "kelas_sosial": st.sampled_from(["2", "1", "5"]), "aktif": st.just(True)})
# A desa: a crowd of one common resident plus a few random ones, and families of either sex.
desa = st.tuples(resident, st.integers(min_value=0, max_value=190), st.lists(resident, min_size=5, max_size=25),
                 st.lists(family, max_size=40)).map(lambda t: ([t[0]] * t[1] + t[2], t[3]))


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(district=st.lists(desa, min_size=1, max_size=3), k_general=st.integers(min_value=3, max_value=6))
def test_no_declared_identity_narrows_a_hidden_cell_below_k(district, k_general):
    residents = [people for people, _ in district]
    fams = [fs for _, fs in district]
    protected = protect_release(make_tables(residents, fams), k_general, 10)
    report = audit(protected)
    assert report.passed, [str(f) for f in report.findings[:5]]
    assert "kelompok-umur-dan-kategori-umur" in report.identities
