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
from portal.privacy.protect import (
    AUDIT_NOTE,
    HELD_PREFIX,
    REMEDY_LADDER,
    ProtectedTable,
    hidden_more,
    keep_after_audit,
    remedy_note,
    reprotect,
    rows_to_hide,
)
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


# How many times the harvest audits the release and answers the findings before it leaves the
# verdict to the gate: up to one round per rung of the remedy ladder (protect.REMEDY_LADDER),
# then rounds that keep leaking tables at their previous version (each takes out at least
# one table, or stops).
SETTLE_ROUNDS = 7
HOLD_ROUNDS = 2  # the last rounds only keep tables back: no new pattern is left unaudited


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
    """Audit the protected release before any draft is made, and answer what leaks.

    Where the independent auditor narrows hidden cells of a table's new version, the finer
    remedy comes first: more cells of that new version are hidden, rung by rung of
    protect.REMEDY_LADDER (the rows the auditor names, then every row of the table in those
    desa, then those categories across their kecamatan), the whole release is protected
    again around them and audited again. Only a table the ladder cannot answer (a finding
    without a desa, a table not republished, every rung tried, the last rounds) keeps its
    previous version (with the tables tied to it) or, never published, is withheld this
    month. What still leaks after that (a total table) is left to the gate, which refuses:
    every pattern that leaves here is either audited clean or checked again by check_release.
    """
    base = {p.table.spec.name: p for p in protected}
    force: dict[str, set[tuple[str, str]]] = {}
    rung: dict[str, int] = {}
    reason: dict[str, str] = {}
    hold: set[str] = set()
    withheld: dict[str, str] = {}
    for round_ in range(SETTLE_ROUNDS):
        audit = _audit(*_audit_inputs(protected, previous))
        if audit.passed:
            break
        found: dict[str, list] = {}
        for f in audit.findings:
            found.setdefault(f.table, []).append(f)
        moved = False
        for name, items in sorted(found.items()):
            if name in hold or name not in base:
                continue
            if any(f.rule == "versi" or f.version != "baru" for f in items):
                reason[name] = "antarbulan"
            reason.setdefault(name, "audit")
            fresh = name in republished(_csv_of(protected, name), previous)
            if not (fresh and round_ < SETTLE_ROUNDS - HOLD_ROUNDS and _climb(name, items, base, force, rung)):
                hold.add(name)
            moved = True
        if not moved:  # nothing left to hide or keep back: the gate has the last word
            break
        candidate = reprotect(list(base.values()), previous_frames, force) if force else list(base.values())
        protected, withheld = keep_after_audit(candidate, hold, previous_frames)
    _record_remedies(protected, base, rung, reason, withheld)
    return protected, withheld


def _csv_of(protected: list[ProtectedTable], name: str) -> dict[str, bytes]:
    """One table of the release as it would be published (empty when it is not in it)."""
    return {p.table.spec.name: packaging.table_csv(p) for p in protected if p.table.spec.name == name}


def _climb(name: str, findings: list, base: dict[str, ProtectedTable],
           force: dict[str, set[tuple[str, str]]], rung: dict[str, int]) -> bool:
    """Take a table up the remedy ladder to the next rung that hides a row not hidden on
    purpose yet; False when no rung is left or the findings name no desa."""
    named = [(f.kode_desa, f.kategori) for f in findings]
    frame = base[name].table.frame
    for i in range(rung.get(name, -1) + 1, len(REMEDY_LADDER)):
        rows = rows_to_hide(REMEDY_LADDER[i], named, frame)
        if rows is None:
            return False
        rung[name] = i
        if rows - force.get(name, set()):
            force[name] = force.get(name, set()) | rows
            return True
    return False


def _record_remedies(protected: list[ProtectedTable], base: dict[str, ProtectedTable],
                     rung: dict[str, int], reason: dict[str, str], withheld: dict[str, str]) -> None:
    """Say per table what the settle step did: cells hidden more, or the previous version kept
    (or the table withheld) because hiding more was not enough or could not answer."""
    for p in protected:
        name = p.table.spec.name
        if name not in reason:
            continue
        tried = REMEDY_LADDER[rung[name]].name if name in rung else None
        if any(n.startswith(HELD_PREFIX) for n in p.notes):
            p.remedy = {"kind": "pertahankan", "rung": tried, "reason": reason[name]}
            if tried and p.notes[0].startswith(AUDIT_NOTE):
                p.notes = [remedy_note(p.remedy)]
        elif name in rung:
            hidden_more(p, base[name], REMEDY_LADDER[rung[name]], reason[name])
    for name in withheld:
        if name in rung:
            withheld[name] = remedy_note({"kind": "tunda"})


def remedies(protected: list[ProtectedTable], withheld: dict[str, str]) -> dict[str, str]:
    """Per table, the privacy layer's remedy this harvest, in a produsen's words (for the
    harvest record): cells hidden more, the previous version kept, or the table withheld."""
    out = {name: why for name, why in withheld.items()}
    for p in protected:
        if p.remedy is not None or any(HELD_PREFIX in n for n in p.notes):
            out[p.table.spec.name] = "; ".join(p.notes)
    return dict(sorted(out.items()))


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
