"""Audit and scan what a harvest would publish, and attach the privacy report to its drafts."""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import asdict
from pathlib import Path

from portal.core.vocabularies import PrivacyClass
from portal.datasets import packaging, queries
from portal.datasets import services as releases
from portal.privacy.audit import audit_release
from portal.privacy.audit_groups import GroupMemo, table_groups
from portal.privacy.audit_quality import audit_quality
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
from portal.statistics.catalogue import CATALOGUE
from portal.statistics.identities import UNIT_TABLE, broken
from portal.statistics.quality import QUALITY_NAME


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
# Each round of the settle step changes a few tables in a few desa: the release is attacked
# one connected group of tables at a time (privacy.audit_groups.table_groups), a group whose
# inputs did not change is not attacked again, and inside a changed group an LP component
# (a desa's equations) settled before is not solved again. The same findings as one attack
# on the whole release (tests/harvest/test_settle_groups.py).
_GROUPS = GroupMemo()


def _audit(current, schemas, previous, k_for, specific, dates=None, current_date=None):
    """The auditor's verdict on a release, memoised whole and group by group (_GROUPS)."""
    digest = hashlib.sha256()
    for part in (current, previous):
        for name in sorted(part):
            digest.update(name.encode() + b"\0" + part[name] + b"\0")
    digest.update(json.dumps([schemas, k_for, sorted(specific), dates, current_date], sort_keys=True).encode())
    key = digest.hexdigest()
    if key not in _AUDITS:
        _AUDITS[key] = audit_release(current, schemas, previous, k_for, specific, dates, current_date,
                                     groups=table_groups(), memo=_GROUPS)
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
SETTLE_ROUNDS = 6
HOLD_ROUNDS = 2  # the last rounds only keep tables back: no new pattern is left unaudited
# A table the protector kept already hides the rows it names: its ladder starts at the desa.
PROTECTOR_RUNG = 1


def _audit_inputs(protected: list[ProtectedTable], previous: dict[str, bytes],
                  reference_date=None) -> tuple:
    """What the auditor attacks: the new versions beside every table's last published one
    (and this release's reference date, which ties a monthly report to last month's)."""
    current = republished({p.table.spec.name: packaging.table_csv(p) for p in protected}, previous)
    schemas = {p.table.spec.name: packaging.table_schema(p) for p in protected}
    k_for = {p.table.spec.name: p.k for p in protected}
    specific = {p.table.spec.name for p in protected
                if p.table.spec.privacy_class is PrivacyClass.SPECIFIC}
    day = reference_date.isoformat() if reference_date is not None else None
    return current, schemas, previous, k_for, specific, published_dates(previous), day


def settle(protected: list[ProtectedTable], previous: dict[str, bytes],
           previous_frames, reference_date=None) -> tuple[list[ProtectedTable], dict[str, str]]:
    """Audit the protected release before any draft is made, and answer what leaks.

    The finer remedy comes first: more cells of a table's new version are hidden, rung by
    rung of protect.REMEDY_LADDER (the rows named, then every row of the table in those desa,
    then those categories across their kecamatan and the district), and the whole release is
    protected again around them. It answers two things: a table the protector kept itself
    because the change between months pins a row it must now hide (climbed without auditing
    in between: the protector's check is its own and cheap), then the independent auditor's
    findings on the new versions (audited again each round). Only a table the ladder cannot
    answer (a finding without a desa, a table not republished, every rung tried, more than
    MAX_HIDDEN_SHARE of its cells hidden, the last rounds) keeps its previous version (alone:
    a table a declared identity ties to it publishes its new version, audited beside the kept
    one's, and is answered in turn if the auditor names it) or, never published, is withheld
    this month. What still leaks
    after that (a total table) is left to the gate, which refuses: every pattern that leaves
    here is audited clean here or audited again by check_release.
    """
    ladder = _Ladder({p.table.spec.name: p for p in protected}, previous_frames)
    withheld: dict[str, str] = {}
    for _ in REMEDY_LADDER:
        stable = {p.table.spec.name: p.narrow for p in protected if p.narrow}
        if not ladder.climb_stable(stable):
            break
        protected, withheld = ladder.candidate()
    for round_ in range(SETTLE_ROUNDS):
        audit = _audit(*_audit_inputs(protected, previous, reference_date))
        if audit.passed:
            break
        climbing = round_ < SETTLE_ROUNDS - HOLD_ROUNDS
        if not ladder.answer(audit.findings, protected, previous, climbing):
            break  # nothing left to hide or keep back: the gate has the last word
        protected, withheld = ladder.candidate()
    ladder.record(protected, withheld)
    return protected, withheld


# At most this share of a table's count cells hidden after the ladder; beyond it the table
# is of little use this month and keeps its previous version instead. Measured on 20 desa of
# demo density over three months (bench/README.md): at 0.5 the ladder freed no table, at
# 0.75 it freed three of six in the third month (the monthly reports and moves out).
MAX_HIDDEN_SHARE = 0.75


class _Ladder:
    """The settle step's state: rows hidden on purpose, the rung each table reached, why,
    and the tables left to the old remedy."""

    def __init__(self, base: dict[str, ProtectedTable], previous_frames):
        self.base, self.previous_frames = base, previous_frames
        self.force: dict[str, set[tuple[str, str]]] = {}
        self.rung: dict[str, int] = {}
        self.reason: dict[str, str] = {}
        self.hold: set[str] = set()
        self.too_much: set[str] = set()

    def climb_stable(self, stable: dict[str, list[tuple[str, str]]]) -> bool:
        """Climb every table the protector kept itself; whether any rung was taken."""
        moved = False
        for name, named in sorted(stable.items()):
            if name not in self.hold | self.too_much and _climb(name, named, self.base, self.force,
                                                                self.rung, start=PROTECTOR_RUNG):
                self.reason[name] = "antarbulan"
                moved = True
        return moved

    def answer(self, findings: list, protected: list[ProtectedTable], previous: dict[str, bytes],
               climbing: bool) -> bool:
        """Climb or keep back every table the auditor names; whether anything changed."""
        found: dict[str, list] = {}
        for f in findings:
            found.setdefault(f.table, []).append(f)
        moved = False
        for name, items in sorted(found.items()):
            if name in self.hold or name not in self.base:
                continue
            if any(f.rule == "versi" or f.version != "baru" for f in items):
                self.reason[name] = "antarbulan"
            self.reason.setdefault(name, "audit")
            fresh = name in republished(_csv_of(protected, name), previous)
            named = [(f.kode_desa, f.kategori) for f in items]
            if name in self.too_much or not (fresh and climbing and _climb(name, named, self.base, self.force,
                                                                            self.rung)):
                self.hold.add(name)
            moved = True
        return moved

    def candidate(self) -> tuple[list[ProtectedTable], dict[str, str]]:
        """The release protected again with every row hidden on purpose, and every table
        held kept at its previous version. A table the ladder would hide more than
        MAX_HIDDEN_SHARE of gets none of its rows (the protector's own pattern, or hold-back)."""
        out = reprotect(list(self.base.values()), self.previous_frames, self.force)
        over = {p.table.spec.name for p in out
                if p.table.spec.name in self.force and _hidden_share(p) > MAX_HIDDEN_SHARE}
        if over:
            self.too_much |= over
            self.force = {n: rows for n, rows in self.force.items() if n not in over}
            out = reprotect(list(self.base.values()), self.previous_frames, self.force)
        return keep_after_audit(out, self.hold, self.previous_frames)

    def record(self, protected: list[ProtectedTable], withheld: dict[str, str]) -> None:
        """Say per table what was done (_record_remedies)."""
        _record_remedies(protected, self.base, self.rung, self.reason, withheld, self.too_much)


def _hidden_share(p: ProtectedTable) -> float:
    """The share of a table's count cells published hidden."""
    cells = p.frame[[c for c in ("jumlah", "laki_laki", "perempuan") if c in p.frame.columns]]
    return float(cells.isna().to_numpy().mean()) if cells.size else 0.0


def _csv_of(protected: list[ProtectedTable], name: str) -> dict[str, bytes]:
    """One table of the release as it would be published (empty when it is not in it)."""
    return {p.table.spec.name: packaging.table_csv(p) for p in protected if p.table.spec.name == name}


def _climb(name: str, named: list[tuple[str, str]], base: dict[str, ProtectedTable],
           force: dict[str, set[tuple[str, str]]], rung: dict[str, int], start: int = 0) -> bool:
    """Take a table up the remedy ladder to the next rung that hides a row not hidden on
    purpose yet, for the rows named (kode_desa, kategori); False when no rung is left or a
    named row has no desa."""
    frame = base[name].table.frame
    for i in range(max(rung.get(name, -1) + 1, start), len(REMEDY_LADDER)):
        rows = rows_to_hide(REMEDY_LADDER[i], named, frame)
        if rows is None:
            return False
        rung[name] = i
        if rows - force.get(name, set()):
            force[name] = force.get(name, set()) | rows
            return True
    return False


def _record_remedies(protected: list[ProtectedTable], base: dict[str, ProtectedTable],
                     rung: dict[str, int], reason: dict[str, str], withheld: dict[str, str],
                     too_much: set[str] = frozenset()) -> None:
    """Say per table what the settle step did: cells hidden more, or the previous version kept
    (or the table withheld) because hiding more was not enough or could not answer."""
    for p in protected:
        name = p.table.spec.name
        if name not in reason:
            continue
        tried = REMEDY_LADDER[rung[name]].name if name in rung else None
        if any(n.startswith(HELD_PREFIX) for n in p.notes):
            p.remedy = {"kind": "pertahankan", "rung": tried, "reason": reason[name],
                        "too_much": name in too_much, "cap": MAX_HIDDEN_SHARE}
            if name in too_much:
                p.notes = [*p.notes, remedy_note(p.remedy)]
            elif tried and p.notes[0].startswith(AUDIT_NOTE):
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
                  minimisation: dict, reference_date=None) -> dict:
    """The privacy report of a harvest's drafts: audit of all tables together, scan of every file.

    A table whose CSV is the one last published (kept by the protector, or unchanged) gets
    no new version: it is attacked as published before, beside the new versions of the rest,
    never as if it were counted on this release's reference date.
    """
    audit = _audit(*_audit_inputs(protected, previous, reference_date))
    files = _draft_files(drafts)
    findings = scan_release(files, deny_names)
    report = privacy_report(protected, audit, findings, k_general, k_specific, minimisation,
                            scanned_files=len(files))
    # The harvest's check of the declared identities on the counted (never published) data.
    report["identities"]["broken"] = broken({p.table.spec.name: p.table.frame for p in protected})
    report["summary"] = summary(report)
    for draft in drafts:
        draft.privacy_report = report
    quality = next((d for d in drafts if d.dataset.name == QUALITY_NAME), None)
    if quality is not None:
        quality.privacy_report = _with_quality_audit(report, quality, protected, previous, k_general)
    return report


def published_quality() -> bytes | None:
    """The last published quality CSV, if any."""
    found = queries.public_dataset(QUALITY_NAME)
    path = queries.public_file(found.latest, f"{QUALITY_NAME}.csv") if found is not None else None
    return path.read_bytes() if path is not None else None


def _with_quality_audit(report: dict, draft, protected: list[ProtectedTable], previous: dict[str, bytes],
                        k_general: int) -> dict:
    """The quality draft's report: the release's, with the auditor's attack on the quality
    table (audit_quality) among the findings, so the gate refuses that table alone when its
    counts would narrow a hidden cell. The tables are attacked as they stand after the
    release (new versions, kept ones, and the last published version of a withheld one)."""
    csv = next((c for n, c in _draft_files([draft]).items() if n.endswith(".csv")), b"")
    tables = {**previous, **{p.table.spec.name: packaging.table_csv(p) for p in protected}}
    found = audit_quality(csv, tables, UNIT_TABLE, CATALOGUE, k_general, published_quality(), QUALITY_NAME)
    extra = [asdict(f) | {"message": str(f)} for f in found]
    audit = {**report["audit"], "findings": [*report["audit"]["findings"], *extra],
             "passed": bool(report["audit"]["passed"]) and not found}
    out = {**report, "audit": audit, "passed": bool(report["passed"]) and not found,
           "quality_audit": {"passed": not found, "findings": extra}}
    out["summary"] = summary(out)
    return out
