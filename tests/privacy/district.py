"""Small synthetic districts built in code, counted by the real catalogue, and the audit pipe."""
from __future__ import annotations

import io

import pandas as pd

from portal.core.vocabularies import PrivacyClass
from portal.datasets.packaging import table_csv, table_schema
from portal.harvest.privacy_check import republished
from portal.privacy.audit import AuditReport, audit_release
from portal.privacy.policy import table_class
from portal.privacy.protect import ProtectedTable
from portal.statistics.catalogue import REGISTER_TABLES
from portal.statistics.compute import StatTable, count_table
from portal.statistics.village import available

# An ordinary resident: every coded column filled with a common value.
BASE = {"sex": "1", "umur": 40, "status_kawin": "2", "agama_id": "3", "pendidikan_kk_id": "5",
        "pendidikan_sedang_id": "18", "pekerjaan_id": "9", "warganegara_id": "1", "kk_level": "4",
        "golongan_darah_id": "13", "cacat_id": "7", "sakit_menahun_id": "14", "cara_kb_id": "1",
        "hamil": "2", "akta_lahir": "1", "status_rekam": "3", "id_asuransi": "2", "status_dasar": "1"}
FAMILY = {"kepala_sex": "1", "aktif": True, "kelas_sosial": "2"}


def desa_code(i: int) -> str:
    """A dotted Kemendagri-shaped desa code (fictional numbering)."""
    return f"51.02.01.{2001 + i}"


def people(n: int, **fields) -> list[dict]:
    """n residents like BASE with some fields changed."""
    return [{**BASE, **fields} for _ in range(n)]


def changing_desa(first: bool, newcomer: bool) -> list[dict]:
    """300 residents; in the second month a Christian turns Hindu, a Muslim man dies and (with
    ``newcomer``) a Buddhist man moves in; 20 women turn 45."""
    out = (people(10, agama_id="1") + people(10, sex="2", agama_id="1")
           + people(10, agama_id="2") + people(10, sex="2", agama_id="2")
           + people(130, agama_id="4") + people(110, sex="2", agama_id="4")
           + people(20, sex="2", agama_id="4", umur=44 if first else 45))
    if first:
        return out
    out[10]["agama_id"] = "4"
    out.pop(0)
    return out + (people(1, agama_id="5") if newcomer else [])


def families(n: int, **fields) -> list[dict]:
    """n active families like FAMILY with some fields changed."""
    return [{**FAMILY, **fields} for _ in range(n)]


def with_heads(group: list[dict], fams: list[dict]) -> list[dict]:
    """A desa's residents with one head of family (kk_level 1) per family, of the head's sex.

    Residents already marked as heads count first; a family whose head's sex has nobody left
    gets a new resident as its head, so the district is clean: heads of family = families.
    """
    out = [dict(r) for r in group]
    free = {sex: [r for r in out if r["sex"] == sex and r["kk_level"] != "1"] for sex in ("1", "2")}
    needed = {sex: sum(f["kepala_sex"] == sex for f in fams if f["aktif"]) for sex in ("1", "2")}
    for sex, n in needed.items():
        n -= sum(r["sex"] == sex and r["kk_level"] == "1" for r in out)
        for r in free[sex][:max(n, 0)]:
            r["kk_level"] = "1"
        out += people(max(n - len(free[sex]), 0), sex=sex, kk_level="1")
    return out


def make_tables(residents: list[list[dict]], fams: list[list[dict]], heads: bool = True,
                extra: tuple = ()) -> list[StatTable]:
    """Every catalogue table of a district whose desa i has residents[i] and fams[i].

    With ``heads`` (the default) each family's head is one of the residents (with_heads), as
    in clean OpenSID data; without, the residents are counted as given.
    """
    rows, frows = [], []
    for i, group in enumerate(residents):
        if heads:
            group = with_heads(group, fams[i] if i < len(fams) else [])
        rows += [{**r, "config_id": str(i)} for r in group]
    for i, group in enumerate(fams):
        frows += [{**f, "config_id": str(i)} for f in group]
    columns = [*BASE, "config_id"]
    res = pd.DataFrame(rows, columns=columns)
    res["umur"] = res["umur"].astype("Int64")
    fam = pd.DataFrame(frows, columns=[*FAMILY, "config_id"])
    fam["aktif"] = fam["aktif"].astype(bool)
    n = max(len(residents), len(fams))
    desa = pd.DataFrame({"kode_desa": [desa_code(i) for i in range(n)],
                         "nama_desa": [f"Desa {i}" for i in range(n)],
                         "kode_kecamatan": "51.02.01", "nama_kecamatan": "Kecamatan Uji"},
                        index=[str(i) for i in range(n)])
    # The register tables whose columns these residents have (as a harvest drafts them), and
    # the ``extra`` specs counted from the same residents.
    specs = [*available(REGISTER_TABLES, set(), set(res.columns))[0], *extra]
    return [count_table(spec, res, fam, desa) for spec in specs]


def publish(protected: list[ProtectedTable]) -> dict:
    """What the auditor may read: CSV bytes, schemas, k per table, the specific tables."""
    return {
        "current": {p.table.spec.name: table_csv(p) for p in protected},
        "schemas": {p.table.spec.name: table_schema(p) for p in protected},
        "k_for": {p.table.spec.name: p.k for p in protected},
        "specific": {p.table.spec.name for p in protected
                     if table_class(p.table.spec) is PrivacyClass.SPECIFIC},
    }


def audit(protected: list[ProtectedTable], previous: list[ProtectedTable] | None = None) -> AuditReport:
    """Audit a protected release (and the version published before it) as the harvest does:
    a table kept at its previous version is not republished (privacy_check.republished)."""
    out = publish(protected)
    prev = publish(previous)["current"] if previous else None
    current = republished(out["current"], prev) if prev else out["current"]
    return audit_release(current, out["schemas"], prev, out["k_for"], out["specific"])


def as_published(protected: list[ProtectedTable]) -> dict[str, pd.DataFrame]:
    """The previous version as protect_release reads it: CSV text, 'x' for hidden."""
    return {p.table.spec.name: pd.read_csv(io.BytesIO(table_csv(p)), dtype=str, keep_default_na=False)
            for p in protected}


def findings(report: AuditReport, rule: str, table: str, desa: str) -> list:
    """The report's findings of one rule in one table and desa."""
    return [f for f in report.findings if f.rule == rule and f.table == table and f.kode_desa == desa]
