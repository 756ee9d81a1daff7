"""``flask privacy audit-series``: attack every published version of the catalogue at once.

For a walidata, or anyone checking the portal from outside with what it published: does
any series reveal a hidden cell through the differences between months? Exits 1 when the
attack finds anything (so an operator's script can stop on it), 0 when it passes.
"""
from __future__ import annotations

import csv
import io
import json
import resource
import sys
import time

import click
from flask.cli import with_appcontext

from portal.datasets.series_privacy import SeriesAudit, audit_held, groups_of, held_series, table_groups
from portal.privacy.audit import RULES, AuditFinding
from portal.statistics.catalogue import CATALOGUE

FINDINGS_SHOWN = 200  # the text output lists this many findings; --json gives them all


@click.group("privacy")
def privacy_group() -> None:
    """Check what the portal has published against the privacy rules."""


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _desa_names(audit: SeriesAudit, version: str, table: str) -> dict[str, str]:
    """kode_desa -> nama_desa as one held version of a table publishes them (read once per
    version and table: a failing run may cite the same file thousands of times)."""
    key = (version, table)
    if key not in audit.desa_names:
        content = audit.held.versions.get(version, {}).get(table)
        rows = csv.DictReader(io.StringIO(content.decode("utf-8"))) if content is not None else ()
        audit.desa_names[key] = {row.get("kode_desa"): row.get("nama_desa", "") for row in rows}
    return audit.desa_names[key]


def _desa_name(audit: SeriesAudit, finding: AuditFinding) -> str:
    """The name of the finding's desa as the table it cites publishes it (empty if none)."""
    if not finding.kode_desa:
        return ""
    return _desa_names(audit, finding.version, finding.table).get(finding.kode_desa, "")


def finding_text(audit: SeriesAudit, finding: AuditFinding) -> str:
    """One finding as a produsen reads it: table title, desa, category, date; never a value."""
    title = audit.held.titles.get(finding.table, finding.table)
    where = f"{title} ({finding.table})"
    if finding.kode_desa:
        name = _desa_name(audit, finding)
        where += f", desa {name} ({finding.kode_desa})" if name else f", desa {finding.kode_desa}"
    if finding.kategori:
        where += f", kategori {finding.kategori}"
    if finding.column:
        where += f", kolom {finding.column}"
    where += f", {'versi' if finding.rule == 'format' else 'tanggal'} {finding.version}"
    return f"[{finding.rule}] {where}: {RULES.get(finding.rule, finding.rule)}{finding.detail}"


def _interval(width) -> str:
    return "tak terbatas" if width is None else f"{width:g}"


def audit_json(audit: SeriesAudit, seconds: float) -> dict:
    """Everything the text output says, as JSON-ready data."""
    held = audit.held
    return {
        "passed": audit.passed, "withdrawn_included": held.with_withdrawn,
        "reference_dates": sorted({label[:10] for label in held.versions}),
        "versions": held.count(), "lps": audit.lps, "seconds": round(seconds, 1),
        "attack_seconds": round(audit.seconds, 1), "peak_rss_mb": peak_rss_mb(),
        "groups": [{"tables": g.tables, "versions": g.versions, "lps": g.report.lps,
                    "hidden_cells": g.report.hidden_cells, "identities": g.report.identities,
                    "narrowest_interval": g.report.narrowest_interval,
                    "version_assumption_failed": g.report.version_assumption_failed,
                    "seconds": round(g.report.seconds, 1)} for g in audit.groups],
        "tables": [{"table": name, "versions": held.count({name}), "k": held.k_for.get(name),
                    "privacy_class": "spesifik" if name in held.specific else "umum",
                    "hidden_cells": audit.hidden_by_table.get(name, 0),
                    "withdrawn_versions": held.withdrawn.get(name, []),
                    "narrowest_interval": next((g.report.narrowest_by_table.get(name) for g in audit.groups
                                                if name in g.tables), None),
                    "findings": sum(1 for f in audit.findings if f.table == name)}
                   for name in held.tables()],
        "findings": [{"rule": f.rule, "table": f.table, "kode_desa": f.kode_desa, "kategori": f.kategori,
                      "column": f.column, "version": f.version, "message": finding_text(audit, f)}
                     for f in audit.findings],
    }


def _echo_text(audit: SeriesAudit, seconds: float) -> None:
    """The verdict, each group's attack and cost, each table's facts, then the findings."""
    data = audit_json(audit, seconds)
    dates = data["reference_dates"]
    span = f" ({dates[0]} s.d. {dates[-1]})" if dates else ""
    click.echo(f"Audit deret terbit: {len(data['tables'])} tabel, {data['versions']} versi, "
               f"{len(dates)} tanggal referensi{span}.")
    withdrawn = sum(len(t["withdrawn_versions"]) for t in data["tables"])
    if withdrawn:
        click.echo(f"Termasuk {withdrawn} versi yang sudah ditarik: pernah terbit, jadi mungkin dipegang orang.")
    for i, g in enumerate(data["groups"], start=1):
        click.echo(f"Kelompok {i} ({len(g['tables'])} tabel terhubung margin/identitas): {g['versions']} versi, "
                   f"{g['lps']} LP, {g['hidden_cells']} sel tersembunyi, rentang tersempit "
                   f"{_interval(g['narrowest_interval'])}, {g['seconds']} s")
        if g["identities"]:
            click.echo(f"  identitas dipakai: {', '.join(g['identities'])}")
    headings = ["Tabel", "Versi", "k", "Kelas", "Sel tersembunyi", "Rentang tersempit", "Temuan"]
    rows = [[t["table"], str(t["versions"]), str(t["k"]), t["privacy_class"], str(t["hidden_cells"]),
             _interval(t["narrowest_interval"]), str(t["findings"])] for t in data["tables"]]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headings)]
    for cells in [headings, ["-" * w for w in widths], *rows]:
        click.echo("  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    for line in data["findings"][:FINDINGS_SHOWN]:
        click.echo(f"  ! {line['message']}")
    if len(data["findings"]) > FINDINGS_SHOWN:
        click.echo(f"  ... dan {len(data['findings']) - FINDINGS_SHOWN} temuan lagi (lihat --json)")
    verdict = "LULUS" if audit.passed else f"TIDAK LULUS ({len(data['findings'])} temuan)"
    click.echo(f"Hasil: {verdict}. {data['lps']} LP, serangan {data['attack_seconds']} s, "
               f"seluruhnya {data['seconds']} s, memori puncak {data['peak_rss_mb']} MB.")


@privacy_group.command("audit-series")
@click.option("--dataset", "datasets", multiple=True, metavar="NAMA",
              help="Hanya kelompok tabel yang memuat dataset ini (boleh diulang); tabel yang terhubung "
                   "dengannya lewat margin atau identitas ikut diserang.")
@click.option("--without-withdrawn", is_flag=True,
              help="Abaikan versi yang sudah ditarik (bawaan: ikut diserang, karena pernah terbit).")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON untuk mesin.")
@with_appcontext
def audit_series_command(datasets: tuple[str, ...], without_withdrawn: bool, as_json: bool) -> None:
    """Attack every published version of every table at once; exit 1 on any finding.

    The attack is the auditor's (privacy.audit.audit_series): a cell hidden in one month and
    shown in another, or hidden in several, is bounded through every difference between the
    versions and every declared identity. Tables are attacked per connected group (tables
    joined by a margin or a declared identity); no equation crosses two groups.
    """
    known = {spec.name for spec in CATALOGUE}
    unknown = sorted(set(datasets) - known)
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)} bukan tabel katalog panen", param_hint="--dataset")
    started = time.perf_counter()
    groups = groups_of(set(datasets)) if datasets else table_groups()
    held = held_series({n for g in groups for n in g}, withdrawn=not without_withdrawn)
    if not held.versions and not held.unreadable:
        if as_json:
            click.echo(json.dumps({"passed": True, "versions": 0, "findings": []}))
        else:
            click.echo("Belum ada versi terbit untuk diserang.")
        return
    audit = audit_held(held, groups)
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps(audit_json(audit, seconds), ensure_ascii=False, indent=2))
    else:
        _echo_text(audit, seconds)
    if not audit.passed:
        click.get_current_context().exit(1)
