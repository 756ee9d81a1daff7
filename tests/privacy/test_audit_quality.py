"""The independent auditor attacks the data-quality table (portal/privacy/audit_quality.py).

Its counts of residents per desa are aggregates over people: a BELUM MENGISI count repeats a
table's cell, so it may never show what that table hides; a count no table publishes (no
valid NIK, no head of family) is never small; a share never gives back a hidden count; a
count shown last month and hidden now is pinned by the change between months.
"""
from __future__ import annotations

import pandas as pd

from portal.datasets.quality import quality_csv
from portal.privacy.audit_quality import audit_quality
from portal.privacy.protect import protect_release
from portal.privacy.quality import protect_quality
from portal.statistics.catalogue import CATALOGUE, UNFILLED_CODE
from portal.statistics.identities import UNIT_TABLE
from portal.statistics.quality import NIK_INVALID, QUALITY_NAME, SCORE, indicators
from tests.privacy.district import families, make_tables, people, publish

RELIGION = "penduduk-menurut-agama"
UNFILLED = next(i for i in indicators(CATALOGUE) if i.source == RELIGION)
NIK = next(i for i in indicators(CATALOGUE) if i.code == NIK_INVALID)


def _district(unfilled: tuple[int, int]) -> list:
    """Two desa of 300 residents; ``unfilled`` left their religion empty in each."""
    return protect_release(make_tables(
        [people(150) + people(150 - n, sex="2") + people(n, sex="2", agama_id="") for n in unfilled],
        [families(60), families(60)]), 5, 10)


def _tables(release) -> dict[str, bytes]:
    return publish(release)["current"]


def _desa(release) -> list[str]:
    frame = next(p for p in release if p.table.spec.name == RELIGION).frame
    return list(dict.fromkeys(frame["kode_desa"]))


def _csv(rows: list[dict]) -> bytes:
    """A quality CSV of the published shape ('x' hidden, '' not applicable)."""
    columns = ["kode_desa", "kode", "indikator", "jumlah", "penyebut", "persen"]
    return pd.DataFrame(rows, columns=columns).to_csv(index=False).encode()


def _row(desa: str, ind, jumlah="x", penyebut="x", persen="x") -> dict:
    return {"kode_desa": desa, "kode": ind.code, "indikator": ind.label, "jumlah": jumlah,
            "penyebut": penyebut, "persen": persen}


def _rules(findings) -> set[tuple[str, str]]:
    return {(f.rule, f.column) for f in findings}


def test_the_protected_quality_table_passes_the_auditor():
    release = _district((3, 40))
    protected = {p.table.spec.name: p.frame for p in release}
    raw = []
    for i, desa in enumerate(_desa(release)):
        base = {"kode_desa": desa, "nama_desa": f"Desa {i}", "kode_kecamatan": "51.02.01",
                "nama_kecamatan": "Kecamatan Uji", "perubahan_terakhir": "2026-11"}
        raw += [{**base, "kode": SCORE, "indikator": "SKOR", "jumlah": None, "penyebut": None, "persen": None},
                {**base, "kode": NIK.code, "indikator": NIK.label, "jumlah": 2 if i == 0 else 30,
                 "penyebut": 300, "persen": None},
                {**base, "kode": UNFILLED.code, "indikator": UNFILLED.label, "jumlah": (3, 40)[i],
                 "penyebut": 300, "persen": None}]
    frame = protect_quality(pd.DataFrame(raw), protected, UNIT_TABLE, CATALOGUE, 5)
    assert frame["jumlah"].tolist()[1:3] == ["x", "x"]  # 2 without NIK, 3 unfilled: hidden
    assert audit_quality(quality_csv(frame), _tables(release), UNIT_TABLE, CATALOGUE, 5) == []


def test_a_belum_mengisi_count_the_table_hides_is_a_leak():
    release = _district((3, 40))
    first, second = _desa(release)
    religion = next(p for p in release if p.table.spec.name == RELIGION).frame
    hidden = religion.loc[(religion["kode_desa"] == first) & (religion["kode"] == UNFILLED_CODE), "jumlah"]
    assert hidden.isna().all()  # 3 unfilled: hidden in the religion table
    found = audit_quality(_csv([_row(first, UNFILLED, jumlah=3), _row(second, UNFILLED, jumlah=40)]),
                          _tables(release), UNIT_TABLE, CATALOGUE, 5)
    assert {(f.rule, f.kode_desa, f.column) for f in found} == {("terkunci", first, "jumlah")}
    # The same count shown where the table shows another number: the files contradict.
    found = audit_quality(_csv([_row(second, UNFILLED, jumlah=41)]), _tables(release), UNIT_TABLE, CATALOGUE, 5)
    assert _rules(found) == {("konsistensi", "jumlah")}


def test_a_denominator_over_hidden_rows_and_a_share_of_a_hidden_count_are_leaks():
    release = _district((3, 40))
    first, _second = _desa(release)
    found = audit_quality(_csv([_row(first, UNFILLED, penyebut=300, persen=1.0)]),
                          _tables(release), UNIT_TABLE, CATALOGUE, 5)
    assert _rules(found) == {("terkunci", "penyebut"), ("terkunci", "persen")}


def test_small_new_counts_and_their_small_complements_are_leaks():
    release = _district((3, 40))
    first, second = _desa(release)
    found = audit_quality(_csv([_row(first, NIK, jumlah=2, penyebut=300), _row(second, NIK, jumlah=298,
                                                                                penyebut=300)]),
                          _tables(release), UNIT_TABLE, CATALOGUE, 5)
    assert {(f.rule, f.kode_desa) for f in found} == {("ambang", first), ("semua-kecuali-satu", second)}
    assert audit_quality(_csv([_row(first, NIK, jumlah=0, penyebut=300)]), _tables(release),
                         UNIT_TABLE, CATALOGUE, 5) == []


def test_a_count_shown_last_month_and_hidden_now_is_pinned_by_a_small_change():
    release = _district((3, 40))
    first, second = _desa(release)
    before = _csv([_row(first, NIK, jumlah=7, penyebut=300), _row(second, NIK, jumlah=30, penyebut=300)])
    now = _csv([_row(first, NIK, penyebut=300), _row(second, NIK, jumlah=31, penyebut=300)])
    found = audit_quality(now, _tables(release), UNIT_TABLE, CATALOGUE, 5, previous=before)
    assert {(f.rule, f.kode_desa) for f in found} == {("versi", first)}
    # Where the indicator's counts move by k/2 or more between months, the hidden one is not pinned.
    moved = _csv([_row(first, NIK, penyebut=300), _row(second, NIK, jumlah=33, penyebut=300)])
    assert audit_quality(moved, _tables(release), UNIT_TABLE, CATALOGUE, 5, previous=before) == []
    # Hidden in every desa, the indicator's change is estimated from the others' (here: a
    # warning count moving by 1), as the table auditor falls back to the largest change.
    warning = next(i for i in indicators(CATALOGUE) if i.unit == "peringatan")
    before = _csv([_row(first, NIK, jumlah=7, penyebut=300), _row(first, warning, jumlah=9, persen="")])
    now = _csv([_row(first, NIK, penyebut=300), _row(first, warning, jumlah=10, persen="")])
    found = audit_quality(now, _tables(release), UNIT_TABLE, CATALOGUE, 5, previous=before)
    assert {(f.rule, f.kategori) for f in found} == {("versi", NIK.label)}


def test_a_file_that_does_not_read_as_the_quality_table_fails_closed():
    release = _district((3, 40))
    first, _ = _desa(release)
    for bad in (b"kode_desa,kode\n1,2\n", _csv([_row(first, NIK, jumlah="lima")]),
                _csv([_row(first, NIK, jumlah=-6)]), b"\xff\xfe\x00", _csv([{**_row(first, NIK), "kode": "9x"}])):
        found = audit_quality(bad, _tables(release), UNIT_TABLE, CATALOGUE, 5)
        assert [f.rule for f in found] == ["format"] and found[0].table == QUALITY_NAME, bad
    unknown = _csv([{**_row(first, NIK), "kode": 999}])
    assert [f.rule for f in audit_quality(unknown, _tables(release), UNIT_TABLE, CATALOGUE, 5)] == ["format"]
