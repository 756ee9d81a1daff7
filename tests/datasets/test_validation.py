"""The gate's zip check: the downloaded zip must hold exactly the package files just validated."""
from __future__ import annotations

from portal.datasets import packaging, validation

FILES = {"data/penduduk.csv": b"kode_desa,jumlah\n51.02.01.2001,12\n", "datapackage.json": b'{"name": "penduduk"}'}


def _notes(errors: list[dict]) -> list[str]:
    return [e["note"] for e in errors]


def test_a_zip_of_exactly_the_validated_files_passes():
    assert validation.zip_errors(packaging.zip_bytes(FILES), FILES) == []


def test_a_zip_whose_table_differs_from_the_validated_one_is_refused_naming_the_file():
    changed = {**FILES, "data/penduduk.csv": b"kode_desa,jumlah\n51.02.01.2001,13\n"}
    notes = _notes(validation.zip_errors(packaging.zip_bytes(changed), FILES))
    assert notes == ["data/penduduk.csv: isi berbeda dari paket yang divalidasi"]


def test_a_zip_missing_a_file_or_carrying_one_more_is_refused():
    missing = _notes(validation.zip_errors(packaging.zip_bytes({"datapackage.json": FILES["datapackage.json"]}), FILES))
    extra = _notes(validation.zip_errors(packaging.zip_bytes({**FILES, "catatan.txt": b"x"}), FILES))
    assert missing == ["data/penduduk.csv: tidak ada di zip"]
    assert extra == ["catatan.txt: berkas tambahan di zip"]


def test_a_damaged_or_unreadable_zip_is_refused():
    archive = bytearray(packaging.zip_bytes(FILES))
    # Flip a byte inside the first member's compressed data: its CRC no longer matches.
    archive[40] ^= 0xFF
    damaged = validation.zip_errors(bytes(archive), FILES)
    assert damaged and all(e["check"] == "zip" for e in damaged)
    assert _notes(validation.zip_errors(b"not a zip", FILES)) == ["arsip zip tidak dapat dibaca"]
