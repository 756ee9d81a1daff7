"""Audit and scan what a harvest would publish, and attach the privacy report to its drafts."""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path

from portal.core.vocabularies import PrivacyClass
from portal.datasets import packaging, queries
from portal.datasets import services as releases
from portal.privacy.audit import audit_release
from portal.privacy.protect import ProtectedTable, keep_after_audit
from portal.privacy.report import privacy_report, summary
from portal.privacy.scan import scan_release
from portal.statistics.identities import broken


def _draft_files(drafts) -> dict[str, bytes]:
    """Every file of every draft, named by dataset and path (what the scanner must read)."""
    files = {}
    for draft in drafts:
        directory = Path(releases.storage().draft_dir(draft.id))
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            files[f"{draft.dataset.name}/{path.relative_to(directory).as_posix()}"] = path.read_bytes()
    return files


# The audit is a pure function of what would be published; the same inputs (a re-run, a
# retried harvest, the test suite's one district) need not solve the same LPs again.
_AUDITS: OrderedDict[str, object] = OrderedDict()
_AUDITS_KEPT = 8


def _audit(current, schemas, previous, k_for, specific, dates=None):
    digest = hashlib.sha256()
    for part in (current, previous):
        for name in sorted(part):
            digest.update(name.encode() + b"\0" + part[name] + b"\0")
    digest.update(json.dumps([schemas, k_for, sorted(specific), dates], sort_keys=True).encode())
    key = digest.hexdigest()
    if key not in _AUDITS:
        _AUDITS[key] = audit_release(current, schemas, previous, k_for, specific, dates)
        while len(_AUDITS) > _AUDITS_KEPT:
            _AUDITS.popitem(last=False)
    _AUDITS.move_to_end(key)
    return _AUDITS[key]


def published_dates(names) -> dict[str, str]:
    """The reference date of each table's latest published version (ISO), by table name."""
    out = {}
    for name in names:
        found = queries.public_dataset(name)
        if found is not None:
            out[name] = found.latest.reference_date.isoformat()
    return out


def republished(current: dict[str, bytes], previous: dict[str, bytes]) -> dict[str, bytes]:
    """The tables that get a new version: their CSV differs from the last published one."""
    return {name: content for name, content in current.items() if previous.get(name) != content}


# How many times the harvest takes leaking tables out and audits again before it leaves the
# verdict to the gate (each round takes out at least one table, or stops).
SETTLE_ROUNDS = 4


def _audit_inputs(protected: list[ProtectedTable], previous: dict[str, bytes]) -> tuple:
    """What the auditor attacks: the new versions beside every table's last published one."""
    current = republished({p.table.spec.name: packaging.table_csv(p) for p in protected}, previous)
    schemas = {p.table.spec.name: packaging.table_schema(p) for p in protected}
    k_for = {p.table.spec.name: p.k for p in protected}
    specific = {p.table.spec.name for p in protected
                if p.table.spec.privacy_class is PrivacyClass.SPECIFIC}
    return current, schemas, previous, k_for, specific, published_dates(previous)


def settle(protected: list[ProtectedTable], previous: dict[str, bytes],
           previous_frames) -> tuple[list[ProtectedTable], dict[str, str]]:
    """Audit the protected release before any draft is made, and take out what leaks.

    A table whose hidden cells the independent auditor narrows keeps its previous version
    (with the tables tied to it) or, never published, is withheld this month; the rest of
    the release is audited again, so one table cannot hold a living district's month back.
    What still leaks after that (a total table) is left to the gate, which refuses.
    """
    withheld: dict[str, str] = {}
    for _ in range(SETTLE_ROUNDS):
        audit = _audit(*_audit_inputs(protected, previous))
        if audit.passed:
            break
        settled, out = keep_after_audit(protected, {f.table for f in audit.findings}, previous_frames)
        moved = len(settled) != len(protected) or any(a is not b for a, b in zip(settled, protected, strict=True))
        protected, withheld = settled, withheld | out
        if not moved:  # nothing left to take out: the gate has the last word
            break
    return protected, withheld


def check_release(protected: list[ProtectedTable], drafts, previous: dict[str, bytes],
                  deny_names: set[str], k_general: int, k_specific: int,
                  minimisation: dict) -> dict:
    """The privacy report of a harvest's drafts: audit of all tables together, scan of every file.

    A table whose CSV is the one last published (kept by the protector, or unchanged) gets
    no new version: it is attacked as published before, beside the new versions of the rest,
    never as if it were counted on this release's reference date.
    """
    audit = _audit(*_audit_inputs(protected, previous))
    files = _draft_files(drafts)
    findings = scan_release(files, deny_names)
    report = privacy_report(protected, audit, findings, k_general, k_specific, minimisation,
                            scanned_files=len(files))
    # The harvest's check of the declared identities on the counted (never published) data.
    report["identities"]["broken"] = broken({p.table.spec.name: p.table.frame for p in protected})
    report["summary"] = summary(report)
    for draft in drafts:
        draft.privacy_report = report
    return report
