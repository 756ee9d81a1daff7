"""The output scan refuses anything shaped like personal data."""
import pytest

from portal.privacy.scan import PersonalDataFound, assert_clean, scan_text

LEAKS = {
    "nik": "51.02.01,Bajera,5102014107900001",
    "nik_or_kk": "51.02.01,Bajera,0000111122223333",
    "excel_nik": "Bajera,5.10201E+15",
    "phone": "kontak 081234567890",
    "email": "kontak warga@example.com",
    "rt_rw": "RT 03/RW 02",
    "date": "lahir 12-08-1990",
}


@pytest.mark.parametrize("pattern,line", LEAKS.items())
def test_each_personal_data_pattern_is_found(pattern, line):
    findings = scan_text("x.csv", "kode_desa,nama\n" + line)
    assert [f.pattern for f in findings] == [pattern]
    assert findings[0].line == 2


def test_nik_with_separators_is_found():
    assert scan_text("x.csv", "5102 0141 0790 0001")


def test_aggregates_and_codes_pass():
    text = "kode_desa,nama_desa,laki_laki,perempuan,jumlah\n51.02.01.2001,Bajera,1520,x,3011\n"
    assert scan_text("x.csv", text) == []


def test_findings_never_quote_the_value():
    with pytest.raises(PersonalDataFound) as caught:
        assert_clean({"data.csv": b"a\n5102014107900001\n"})
    assert "5102014107900001" not in str(caught.value)
    assert "data.csv baris 2" in str(caught.value)
