"""The privacy report of a release: JSON stored with it, a plain-language summary, a public part."""
from __future__ import annotations

from datetime import UTC, datetime

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.privacy.audit import RULES, AuditReport
from portal.privacy.policy import GROUP_DOMINANCE, POLICY_VERSION
from portal.privacy.protect import ProtectedTable
from portal.privacy.scan import Finding
from portal.statistics.identities import declared

REPORT_FORMAT = 1


def _angka(n: int | float) -> str:
    """A count in the reader's number format (12.345 in Indonesian, 12,345 in English)."""
    return format_decimal(round(n), locale=str(get_locale() or "id"))


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
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "k": {"umum": k_general, "spesifik": k_specific},
        "tables": tables,
        "audit": audit_dict,
        "scan": {"passed": not scan, "files": scanned_files,
                 "findings": [{"file": f.file, "where": f.where or f"baris {f.line}",
                               "pattern": f.pattern, "message": str(f)} for f in scan]},
        "minimisation": minimisation or {},
        "identities": identities_section(audit),
        "passed": audit.passed and not scan,
    }
    # The release's totals survive for_table(), so a table's page can still summarise its release.
    report["totals"] = {"tables": len(tables), "cells": sum(t["cells"] for t in tables),
                        "primary": sum(t["suppressed_primary"] for t in tables),
                        "secondary": sum(t["suppressed_secondary"] for t in tables)}
    report["summary"] = summary(report)
    return report


def identities_section(audit: AuditReport, broken: list[dict] | None = None) -> dict:
    """The identities between tables the protector and the auditor assumed, by name and title;
    where the published numbers contradict one (desa only); where the counted data break one."""
    titles = {d["name"]: d["title"] for d in declared()}
    used = audit.to_dict()["identities_used"]
    return {"used": [{"name": n, "title": titles.get(n, n)} for n in used],
            "contradicted": list(audit.identities_contradicted), "broken": list(broken or [])}


def summary(report: dict) -> list[str]:
    """Plain-language sentences for the walidata, in the reader's language (Indonesian stored)."""
    tables = report.get("tables", [])
    totals = report.get("totals") or {
        "tables": len(tables), "cells": sum(t["cells"] for t in tables),
        "primary": sum(t["suppressed_primary"] for t in tables),
        "secondary": sum(t["suppressed_secondary"] for t in tables)}
    k = report["k"]
    audit, scan = report["audit"], report["scan"]
    out = [
        _("Rilis ini memuat %(tables)s tabel dengan %(cells)s sel angka, dibuat menurut "
          "kebijakan privasi versi %(version)s.", tables=totals["tables"], cells=_angka(totals["cells"]),
          version=report["policy_version"]),
        _("Angka 1 sampai %(general)s di tabel data umum, dan 0 sampai %(specific)s di tabel data "
          "spesifik (kesehatan, keuangan, anak), tidak ditampilkan; nol di tabel data spesifik juga "
          "disembunyikan agar tidak dapat dibedakan dari angka kecil.",
          general=k["umum"] - 1, specific=k["spesifik"] - 1),
        _("%(primary)s sel disembunyikan karena angkanya kecil (primer) dan %(secondary)s sel lain "
          "disembunyikan agar angka kecil itu tidak dapat dihitung kembali dari jumlah baris, kolom, "
          "tabel lain atau versi sebelumnya (sekunder).",
          primary=_angka(totals["primary"]), secondary=_angka(totals["secondary"])),
    ]
    out += remedy_lines(tables)
    if audit["passed"]:
        narrow = audit.get("narrowest_interval")
        if narrow is None:
            out.append(_("Auditor independen menyerang berkas yang akan terbit dengan %(lps)s program "
                         "linear dan tidak menemukan kebocoran.", lps=_angka(audit["lps_solved"])))
        else:
            out.append(_("Auditor independen menyerang berkas yang akan terbit dengan %(lps)s program "
                         "linear dan tidak menemukan kebocoran; rentang tersempit yang terbukti selebar "
                         "%(width)s.", lps=_angka(audit["lps_solved"]), width=_angka(narrow)))
    else:
        rules = sorted({f["rule"] for f in audit["findings"]})
        out.append(_("Auditor independen menemukan %(n)s masalah (%(rules)s). Rilis ini tidak boleh "
                     "diajukan atau disetujui sebelum diperbaiki.", n=_angka(len(audit["findings"])),
                     rules=", ".join(str(RULES.get(r, r)) for r in rules)))
    identities = report.get("identities") or {}
    if identities.get("used"):
        named = [i["name"] for i in identities["used"] if not i["name"].startswith("margin:")]
        out.append(_("Pelindung dan auditor mengandaikan %(n)s identitas antartabel, seperti penyerang: "
                     "jumlah setiap tabel, dan %(named)s.", n=_angka(len(identities["used"])),
                     named=", ".join(named) or "-"))
    if identities.get("broken"):
        out.append(_("Data %(n)s desa tidak memenuhi identitas antartabel (lihat daftar); auditor tetap "
                     "mengandaikannya. Periksa data OpenSID desa tersebut.",
                     n=_angka(len({b["kode_desa"] for b in identities["broken"]}))))
    if scan["passed"]:
        out.append(_("Pemindaian berkas tidak menemukan NIK, No. KK, nomor telepon, e-mail, RT/RW, "
                     "tanggal lengkap, hash, maupun nama warga."))
    else:
        out.append(_("Pemindaian berkas menemukan %(n)s pola yang mirip data pribadi. Rilis ini tidak "
                     "boleh diterbitkan.", n=_angka(len(scan["findings"]))))
    passed = report.get("release_passed", report.get("passed"))
    out.append(_("Rilis ini memenuhi aturan privasi dan boleh diajukan.") if passed
               else _("Rilis ini BELUM memenuhi aturan privasi."))
    return out


def remedy_lines(tables: list[dict]) -> list[str]:
    """What the harvest's settle step did per table (protect.REMEDY_LADDER), for the produsen."""
    out = []
    for t in tables:
        remedy = t.get("remedy") or {}
        why = (_("perubahan antarbulan") if remedy.get("reason") == "antarbulan"
               else _("auditor independen dapat mempersempit sel tersembunyi"))
        if remedy.get("kind") == "sembunyikan":
            out.append(_("Tabel %(table)s: %(cells)s sel tambahan disembunyikan di %(desa)s desa karena "
                         "%(why)s.", table=t["table"], cells=_angka(remedy.get("cells", 0)),
                         desa=_angka(remedy.get("desa", 0)), why=why))
        elif remedy.get("kind") == "pertahankan" and remedy.get("rung"):
            out.append(_("Tabel %(table)s: versi sebelumnya dipertahankan karena %(why)s, dan menyembunyikan "
                         "sel tambahan tidak cukup.", table=t["table"], why=why))
    return out


def privacy_summary(report: dict) -> list[str]:
    """A stored privacy report's summary, re-worded in the reader's language.

    A report from before the summary's current inputs is shown as it was stored.
    """
    try:
        return summary(report)
    except (KeyError, TypeError):
        return list(report.get("summary", []))


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
            _("ambang: tidak ada angka kecil yang diterbitkan"),
            _("penekanan sekunder bersama untuk semua tabel yang terbit bersamaan"),
            _("audit program linear atas semua persamaan antartabel dan versi sebelumnya"),
            _("identitas antartabel (kepala keluarga = keluarga, kelompok dan kategori umur, "
              "wajib KTP) dan perubahan antarversi per tabel dan desa diandaikan seperti penyerang"),
            _("pengungkapan kelompok: tidak ada baris yang (dapat diturunkan) hampir seluruhnya atau "
              "%(share)s %% atau lebih dalam satu kategori sensitif", share=int(GROUP_DOMINANCE * 100)),
            _("pemindaian berkas untuk NIK, No. KK, telepon, e-mail, RT/RW, tanggal, hash dan nama"),
        ],
        "audited": bool(report.get("audit")),
        "passed": bool(report.get("passed", False)),
    }
