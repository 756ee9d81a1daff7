"""The gate: a release whose privacy report fails any check cannot be submitted or approved."""
from __future__ import annotations

from portal.privacy.policy import POLICY_VERSION

MIN_K = 3
MAX_LISTED = 50


def gate_errors(release_privacy_report: dict | None) -> list[str]:
    """Why a release may not be submitted or approved; empty when it may (fails closed)."""
    report = release_privacy_report or {}
    if not report.get("audit") or "scan" not in report:
        return ["laporan privasi belum lengkap: rilis ini belum diaudit dan dipindai"]
    errors = []
    if report.get("policy_version") != POLICY_VERSION:
        errors.append(f"laporan privasi dibuat dengan kebijakan versi {report.get('policy_version')}, "
                      f"bukan {POLICY_VERSION}: panen dan audit ulang")
    for table in report.get("tables", []):
        if int(table.get("k", 0)) < MIN_K:
            errors.append(f"tabel {table.get('table')}: ambang k={table.get('k')} di bawah {MIN_K}")
    audit = report["audit"]
    findings = audit.get("findings", [])
    if not audit.get("passed") and not findings:
        errors.append("audit privasi tidak lulus")
    errors += [_finding(f) for f in findings[:MAX_LISTED]]
    scan = report["scan"]
    if not scan.get("passed") and not scan.get("findings"):
        errors.append("pemindaian data pribadi tidak lulus")
    errors += [f"pemindaian: {f['message']}" for f in scan.get("findings", [])[:MAX_LISTED]]
    hidden = max(0, len(findings) - MAX_LISTED) + max(0, len(scan.get("findings", [])) - MAX_LISTED)
    if hidden:
        errors.append(f"dan {hidden} temuan lain (lihat laporan privasi)")
    return errors


def _finding(f: dict) -> str:
    """Rule, table and cell (desa code, category, column) of an audit finding."""
    return f.get("message") or (f"[{f.get('rule')}] tabel {f.get('table')}, desa {f.get('kode_desa')}, "
                                f"kategori {f.get('kategori')}, kolom {f.get('column')}")
