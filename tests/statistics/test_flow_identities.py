"""The flow identities of issue 16 (monthly report, moves, aid), each on a hand-built desa.

Each case is a desa with small (hidden) births, deaths and moves: the protector and the auditor
read the same declaration, the auditor uses the identity and finds nothing to recompute. The
counts are typed in, as a harvest's counted tables would be.
"""
from __future__ import annotations

import pandas as pd
import pytest

from portal.privacy.protect import protect_release
from portal.statistics.catalogue import (
    COUNT_FIELDS,
    KEY_FIELDS,
    MONTHLY_PENDUDUK,
    MOVE_DESTINATIONS,
    PROGRAMME_CATEGORIES,
    UNIT_LABELS,
    get_spec,
)
from portal.statistics.compute import Category, StatTable
from portal.statistics.identities import FLOW_IDENTITIES, broken
from tests.privacy.district import audit, desa_code

K_GENERAL, K_SPECIFIC = 5, 10
DESA = desa_code(0)


def _table(name: str, labels: dict[int, str], counts: dict[int, tuple[int, int]]) -> StatTable:
    """One desa's table: {kode: (laki_laki, perempuan)}, every other category 0."""
    rows = []
    for code, label in labels.items():
        men, women = counts.get(code, (0, 0))
        rows.append({"kode_desa": DESA, "nama_desa": "Desa 0", "kode_kecamatan": "51.02.01",
                     "nama_kecamatan": "Kecamatan Uji", "kode": code, "kategori": label,
                     "jumlah": men + women, "laki_laki": men, "perempuan": women})
    frame = pd.DataFrame(rows)[[*KEY_FIELDS, *COUNT_FIELDS]]
    return StatTable(spec=get_spec(name), categories=[Category(c, t) for c, t in labels.items()], frame=frame)


def _units(people: tuple[int, int] = (150, 150), families: tuple[int, int] = (80, 20)) -> StatTable:
    return _table("penduduk-dan-keluarga", {v: k for k, v in UNIT_LABELS.items()},
                  {UNIT_LABELS["PENDUDUK"]: people, UNIT_LABELS["KELUARGA"]: families})


def _monthly() -> StatTable:
    """Awal 300; 2 births and 3 deaths (small, hidden), 10 in, 10 out: akhir 299."""
    return _table("laporan-bulanan-penduduk", MONTHLY_PENDUDUK,
                  {1: (150, 150), 2: (1, 1), 3: (2, 1), 4: (5, 5), 5: (5, 5), 7: (149, 150)})


def _moves() -> StatTable:
    """The 10 moving out: 8 to another desa, 2 (small, hidden) to another province."""
    return _table("rincian-pindah-keluar", MOVE_DESTINATIONS, {1: (4, 4), 4: (1, 1)})


CASES = {
    "arus-laporan-bulanan-penduduk": lambda: [_units(), _monthly()],
    "rincian-pindah-sama-dengan-pindah-keluar": lambda: [_units(), _monthly(), _moves()],
}


def _leaks(report, tables: set[str]) -> list:
    """Findings that narrow a hidden cell of these tables in the desa."""
    return [f for f in report.findings if f.table in tables and f.kode_desa == DESA
            and f.rule in ("terkunci", "interval")]


def test_every_flow_identity_holds_on_the_typed_tables():
    tables = {t.spec.name: t.frame for t in (_units(), _monthly(), _moves())}
    assert broken(tables) == []
    wrong = _monthly().frame
    wrong.loc[wrong["kode"] == 7, ["jumlah", "perempuan"]] += 1  # one resident too many at the end
    found = broken({**tables, "laporan-bulanan-penduduk": wrong})
    assert [f["identity"] for f in found] == ["arus-laporan-bulanan-penduduk"]
    assert "299" not in found[0]["message"] and "300" not in found[0]["message"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_with_the_flow_identities_the_release_is_safe(name):
    counted = CASES[name]()
    report = audit(protect_release(counted, K_GENERAL, K_SPECIFIC, None))
    assert report.passed, [str(f) for f in report.findings[:5]]
    assert name in report.to_dict()["identities_used"]


def test_aid_recipients_are_bounded_by_the_families_they_are_counted_among():
    # 3 PKH families in a desa of 3 active families: the bound pins nothing new (3 = 3) but
    # the auditor uses it; a desa with fewer families than recipients is a broken identity.
    aid = _table("penerima-bantuan-sosial-keluarga", PROGRAMME_CATEGORIES, {1: (2, 1)})
    assert broken({"penduduk-dan-keluarga": _units(families=(2, 1)).frame,
                   "penerima-bantuan-sosial-keluarga": aid.frame}) == []
    found = broken({"penduduk-dan-keluarga": _units(families=(1, 1)).frame,
                    "penerima-bantuan-sosial-keluarga": aid.frame})
    assert [f["identity"] for f in found] == ["penerima-paling-banyak-keluarga"]
    report = audit(protect_release([_units(families=(2, 1)), aid], K_GENERAL, K_SPECIFIC, None))
    assert report.passed, [str(f) for f in report.findings[:5]]


def test_every_flow_identity_is_declared_with_reasons():
    for identity in FLOW_IDENTITIES:
        assert identity.why and identity.breaks_when and identity.relations
