"""The privacy report of a release: JSON stored with it, a summary in Indonesian, a public part."""
from __future__ import annotations

from datetime import datetime, timezone

from portal.privacy.audit import RULES, AuditReport
from portal.privacy.policy import GROUP_DOMINANCE, POLICY_VERSION
from portal.privacy.protect import ProtectedTable
from portal.privacy.scan import Finding

REPORT_FORMAT = 1


def _angka(n: int | float) -> str:
    """Indonesian number format: 12.345."""
    return f"{n:,.0f}".replace(",", ".")


def privacy_report(protected: list[ProtectedTable], audit: AuditReport, scan: list[Finding],
                   k_general: int, k_specific: int, minimisation: dict | None = None,
                   scanned_files: int = 0) -> dict:
    """Everything the walidata reviews about a release's privacy, as JSON (no hidden value)."""
    audit_dict = audit.to_dict()
    tables = []
    for p in protected:
        entry = p.report()
        entry["narrowest_interval"] = audit.narrowest_by_table.get(p.table.spec.name)
        entry["findings"] = sum(1 for f in audit.findings if f.table == p.table.spec.name)
        tables.append(entry)
    report = {
        "format": REPORT_FORMAT,
        "policy_version": POLICY_VERSION,
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "k": {"umum": k_general, "spesifik": k_specific},
        "tables": tables,
        "audit": audit_dict,
        "scan": {"passed": not scan, "files": scanned_files,
                 "findings": [{"file": f.file, "where": f.where or f"baris {f.line}",
                               "pattern": f.pattern, "message": str(f)} for f in scan]},
        "minimisation": minimisation or {},
        "passed": audit.passed and not scan,
    }
    report["summary"] = summary(report)
    return report


def summary(report: dict) -> list[str]:
    """Plain-language sentences in Indonesian for the walidata."""
    tables = report["tables"]
    primary = sum(t["suppressed_primary"] for t in tables)
    secondary = sum(t["suppressed_secondary"] for t in tables)
    cells = sum(t["cells"] for t in tables)
    k = report["k"]
    audit, scan = report["audit"], report["scan"]
    out = [
        f"Rilis ini memuat {len(tables)} tabel dengan {_angka(cells)} sel angka, dibuat menurut "
        f"kebijakan privasi versi {report['policy_version']}.",
        f"Angka 1 sampai {k['umum'] - 1} di tabel data umum, dan 0 sampai {k['spesifik'] - 1} di tabel "
        "data spesifik (kesehatan, keuangan, anak), tidak ditampilkan; nol di tabel data spesifik "
        "juga disembunyikan agar tidak dapat dibedakan dari angka kecil.",
        f"{_angka(primary)} sel disembunyikan karena angkanya kecil (primer) dan {_angka(secondary)} "
        "sel lain disembunyikan agar angka kecil itu tidak dapat dihitung kembali dari jumlah "
        "baris, kolom, tabel lain atau versi sebelumnya (sekunder).",
    ]
    if audit["passed"]:
        narrow = audit.get("narrowest_interval")
        width = f"; rentang tersempit yang terbukti selebar {_angka(narrow)}" if narrow is not None else ""
        out.append(f"Auditor independen menyerang berkas yang akan terbit dengan {_angka(audit['lps_solved'])} "
                   f"program linear dan tidak menemukan kebocoran{width}.")
    else:
        rules = sorted({f["rule"] for f in audit["findings"]})
        out.append(f"Auditor independen menemukan {_angka(len(audit['findings']))} masalah "
                   f"({', '.join(RULES.get(r, r) for r in rules)}). Rilis ini tidak boleh diajukan "
                   "atau disetujui sebelum diperbaiki.")
    if scan["passed"]:
        out.append("Pemindaian berkas tidak menemukan NIK, No. KK, nomor telepon, e-mail, RT/RW, "
                   "tanggal lengkap, hash, maupun nama warga.")
    else:
        out.append(f"Pemindaian berkas menemukan {_angka(len(scan['findings']))} pola yang mirip data "
                   "pribadi. Rilis ini tidak boleh diterbitkan.")
    out.append("Rilis ini memenuhi aturan privasi dan boleh diajukan." if report["passed"]
               else "Rilis ini BELUM memenuhi aturan privasi.")
    return out


def for_table(report: dict, name: str) -> dict:
    """The release report narrowed to one table (what that dataset's release stores and shows)."""
    entry = next((t for t in report["tables"] if t["table"] == name), {})
    audit = dict(report["audit"])
    audit["findings"] = [f for f in audit["findings"] if f["table"] == name]
    narrowed = {key: value for key, value in report.items() if key not in ("tables", "audit")}
    return {**entry, **narrowed, "tables": [entry] if entry else [], "audit": audit,
            "release_passed": report["passed"]}


def public_summary(report: dict) -> dict:
    """The short public version: method and rules, never which cells were hidden or why."""
    return {
        "policy_version": report.get("policy_version", POLICY_VERSION),
        "k": report.get("k", {}),
        "missing_value": "x",
        "checks": [
            "ambang: tidak ada angka kecil yang diterbitkan",
            "penekanan sekunder bersama untuk semua tabel yang terbit bersamaan",
            "audit program linear atas semua persamaan antartabel dan versi sebelumnya",
            "pengungkapan kelompok: tidak ada baris yang (dapat diturunkan) hampir seluruhnya "
            f"atau {int(GROUP_DOMINANCE * 100)} % atau lebih dalam satu kategori sensitif",
            "pemindaian berkas untuk NIK, No. KK, telepon, e-mail, RT/RW, tanggal, hash dan nama",
        ],
        "audited": bool(report.get("audit")),
        "passed": bool(report.get("passed", False)),
    }
