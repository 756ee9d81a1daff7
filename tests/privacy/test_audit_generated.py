"""Generated districts (tiny desa, rare and one-person categories, all-but-one rows, zeros)
must all pass the independent auditor once protected."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.privacy.protect import protect_release
from tests.privacy.district import BASE, audit, make_tables

# Per column: the common value first, then rarer ones (so one-person categories are frequent).
CHOICES = {
    "sex": ["1", "2"], "agama_id": ["4", "1", "2"], "status_kawin": ["2", "1", "3", "4"],
    "pekerjaan_id": ["9", "1", "2", "88"], "warganegara_id": ["1", "2"],
    "cacat_id": ["7", "1", "4"], "sakit_menahun_id": ["14", "1", "10"], "hamil": ["2", "1"],
    "golongan_darah_id": ["13", "4", "1"], "cara_kb_id": ["3", "1", "99"],
    "id_asuransi": ["2", "1", "4"], "akta_lahir": ["1", "2"], "status_rekam": ["3", "2", "1"],
}
resident = st.fixed_dictionaries({
    **{col: st.sampled_from(values) for col, values in CHOICES.items()},
    "umur": st.integers(min_value=0, max_value=90),
}).map(lambda r: {**BASE, **r})
family = st.fixed_dictionaries({"kepala_sex": st.sampled_from(["1", "2"]),
                                "kelas_sosial": st.sampled_from(["2", "1", "5"]),
                                "aktif": st.just(True)})
desa = st.tuples(st.lists(resident, max_size=40), st.lists(family, max_size=12))
# Whole desa alike except one person: the all-but-one rows.
uniform = st.tuples(resident, st.integers(min_value=2, max_value=30), resident).map(
    lambda t: ([t[0]] * t[1] + [t[2]], []))


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(district=st.lists(st.one_of(desa, uniform), min_size=1, max_size=3),
       k_general=st.integers(min_value=3, max_value=6), extra=st.integers(min_value=0, max_value=6))
def test_every_protected_district_passes_the_auditor(district, k_general, extra):
    residents = [people for people, _ in district]
    fams = [fs for _, fs in district]
    protected = protect_release(make_tables(residents, fams), k_general, k_general + extra)
    report = audit(protected)
    assert report.passed, [str(f) for f in report.findings[:5]]
