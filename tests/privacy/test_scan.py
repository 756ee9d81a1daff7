"""The release scanner: every pattern in every file kind, and declared metadata recognised precisely."""
import io
import json
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from portal.privacy.scan import PersonalDataFound, assert_clean, build_deny_list, scan_release, scan_text

NAME = "I Gede Contoh Warga"
LEAKS = {
    "nik": "5102014107900001",
    "nik_or_kk": "0000 1111 2222 3333",
    "excel_nik": "5.10201E+15",
    "hex_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "phone": "0812-3456-7890",
    "email": "warga@example.com",
    "rt_rw": "RT 03/RW 02",
    "date": "1990-11-02",
    "nama_warga": NAME,
}
DENY = build_deny_list(pd.Series([NAME, "Ni Luh Contoh"]))


def _xlsx(cell: str = "", creator: str = "portal") -> bytes:
    book = Workbook()
    book.active.append(["kode_desa", "keterangan"])
    book.active.append(["51.02.01.2001", cell])
    book.properties.creator = creator
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


KINDS = {
    "csv": lambda leak: {"data/t.csv": f"kode_desa,keterangan\n51.02.01.2001,kontak {leak}\n".encode()},
    "csv header": lambda leak: {"data/t.csv": f"kode_desa,{leak}\n51.02.01.2001,1\n".encode()},
    "json value": lambda leak: {"datapackage.json": json.dumps({"description": f"kontak {leak}"}).encode()},
    "json label": lambda leak: {"datapackage.json": json.dumps(
        {"resources": [{"schema": {"fields": [{"name": "k", "categories": [{"value": 1, "label": leak}]}]}}]}
    ).encode()},
    "xlsx cell": lambda leak: {"t.xlsx": _xlsx(cell=f"kontak {leak}")},
    "xlsx xml": lambda leak: {"t.xlsx": _xlsx(creator=leak)},
    "zip member": lambda leak: {"t.zip": _zip({"data/t.csv": f"a\n{leak}\n".encode()})},
    "file name": lambda leak: {f"data/{leak.replace('/', '-')}.csv": b"a\n1\n"},
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("pattern", LEAKS)
def test_every_pattern_is_caught_in_every_file_kind(pattern, kind):
    found = scan_release(KINDS[kind](LEAKS[pattern]), DENY)
    assert pattern in {f.pattern for f in found}


def _datapackage() -> dict:
    return {"name": "penduduk-menurut-agama", "version": "1.2.0", "created": "2026-11-28T05:00:00Z",
            "sources": [{"title": "Panen #3 (tanggal referensi 2026-11-01)", "version": "2026-11-01"}],
            "resources": [{"path": "data/penduduk-menurut-agama.csv", "bytes": 12345,
                           "hash": "sha256:" + "ab" * 32}]}


def test_declared_metadata_is_recognised_and_a_clean_release_passes():
    files = {"datapackage.json": json.dumps(_datapackage(), indent=2).encode(),
             "data/penduduk-menurut-agama.csv": b"kode_desa,nama_desa,kode,jumlah\n51.02.01.2001,Bajera,1,x\n",
             "t.xlsx": _xlsx(cell="HINDU"),
             "penduduk-menurut-agama.zip": _zip({"datapackage.json": json.dumps(_datapackage()).encode()})}
    assert scan_release(files, DENY) == []


@pytest.mark.parametrize("field,value,pattern", [
    ("description", "sha256:" + "ab" * 32, "hex_hash"),     # a hash outside the "hash" field
    ("hash", "ab" * 32, "hex_hash"),                        # "hash" without its declared form
    ("created", "1990-11-02", "date"),                       # "created" that is not a timestamp
    ("title", "dibuat 2026-11-28T05:00:00Z", "date"),         # a timestamp outside "created"
])
def test_metadata_is_recognised_by_key_and_exact_format_only(field, value, pattern):
    found = scan_release({"datapackage.json": json.dumps({field: value}).encode()}, set())
    assert pattern in {f.pattern for f in found}


def test_a_date_in_a_source_title_is_allowed_only_as_the_reference_date():
    data = _datapackage()
    data["sources"][0]["title"] = "lahir 1990-11-02"
    assert {f.pattern for f in scan_release({"datapackage.json": json.dumps(data).encode()}, set())} == {"date"}


def test_aggregates_and_codes_pass():
    text = "kode_desa,nama_desa,laki_laki,perempuan,jumlah\n51.02.01.2001,Bajera,1520,x,3011\n"
    assert scan_text("x.csv", text) == []


def test_findings_never_quote_the_value():
    with pytest.raises(PersonalDataFound) as caught:
        assert_clean({"data.csv": b"a\n5102014107900001\n"})
    assert "5102014107900001" not in str(caught.value)
    assert "data.csv baris 2" in str(caught.value)
    found = scan_release({"t.csv": f"a\n{NAME}\n".encode()}, DENY)
    assert found and NAME.lower() not in str(found).lower() and "Contoh" not in str(found)


def test_deny_list_matches_whole_names_not_parts_of_words():
    deny = build_deny_list(pd.Series(["Sari", "Made Bagus"]))
    assert scan_release({"t.csv": b"nama_desa\nSarimekar\nBagus Made\n"}, deny) == []
    assert scan_release({"t.csv": b"nama_desa\nsari\n"}, deny)
