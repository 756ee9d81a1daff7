"""The independent auditor: attacks exactly what would be published, and says where it leaks."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from scipy import sparse

from portal.privacy import audit_build as build
from portal.privacy.audit_groups import GroupMemo, digest, partition
from portal.privacy.audit_lp import CAP, Bounds, Retry
from portal.privacy.audit_model import IDENTITY_TAG, Published, SchemaError, System, parse
from portal.privacy.policy import GROUP_ALL_BUT, GROUP_DOMINANCE
from portal.statistics.identities import CARRIED_OVER_NAME, margin_identities, report_months_follow

TOL = 1e-6
RULES = {
    "format": "berkas tidak sesuai Table Schema yang dideklarasikan",
    "ambang": "angka kecil (1 sampai k-1) diterbitkan",
    "nol-spesifik": "nol diterbitkan di tabel data spesifik (harus tampak sama dengan angka kecil)",
    "terkunci": "nilai sel tersembunyi dapat dihitung tepat dari angka yang terbit",
    "interval": "rentang nilai sel tersembunyi yang dapat dihitung lebih sempit dari k",
    "versi": "sel tersembunyi versi sebelumnya menjadi dapat dihitung bila digabung dengan versi ini",
    "orang-dalam": "dua sel tersembunyi dalam satu persamaan: orang yang sendirian di satu sel "
                   "mengetahui angka kecil di sel lainnya",
    "semua-kecuali-satu": "semua kecuali paling banyak satu orang dalam satu kategori (dapat diturunkan)",
    "dominan": "satu kategori sensitif memuat 90 % atau lebih (dapat diturunkan)",
    "konsistensi": "angka yang terbit bertentangan dengan persamaan antartabel",
}


@dataclass(frozen=True)
class AuditFinding:
    """One failed check: which rule, which table, which desa and category; never a value."""

    rule: str
    table: str
    kode_desa: str = ""
    kategori: str = ""
    column: str = ""
    version: str = "baru"
    detail: str = ""

    def __str__(self) -> str:
        where = f"tabel {self.table}"
        if self.kode_desa:
            where += f", desa {self.kode_desa}"
        if self.kategori:
            where += f", kategori {self.kategori}"
        if self.column:
            where += f", kolom {self.column}"
        if self.version != "baru":
            where += f" (versi {self.version})"
        return f"[{self.rule}] {where}: {RULES.get(self.rule, self.rule)}{self.detail}"


@dataclass
class AuditReport:
    """The auditor's verdict and what it took to reach it."""

    passed: bool
    findings: list[AuditFinding] = field(default_factory=list)
    lps: int = 0
    hidden_cells: int = 0
    narrowest_interval: float | None = None
    narrowest_by_table: dict[str, float | None] = field(default_factory=dict)
    deltas: dict[str, float] = field(default_factory=dict)
    version_assumption_failed: int = 0
    seconds: float = 0.0
    identities: list[str] = field(default_factory=list)  # declared identities the attack used
    identities_contradicted: list[str] = field(default_factory=list)  # "desa: identity"

    def to_dict(self) -> dict:
        """JSON-able form, stored in the release's privacy report."""
        return {"passed": self.passed, "findings": [asdict(f) | {"message": str(f)} for f in self.findings],
                "lps_solved": self.lps, "hidden_cells": self.hidden_cells,
                "narrowest_interval": self.narrowest_interval,
                "narrowest_by_table": self.narrowest_by_table,
                "version_max_change": self.deltas,
                "version_assumption_failed": self.version_assumption_failed,
                "identities_used": [m["name"] for m in margin_identities()] + self.identities,
                "identities_contradicted": self.identities_contradicted,
                "seconds": round(self.seconds, 3)}


def _published_checks(t: Published, k: int, specific: bool) -> list[AuditFinding]:
    out = []
    low = 0 if specific else 1
    for r, c in zip(*np.nonzero((t.values >= low) & (t.values < k) & ~t.structural)):
        rule = "nol-spesifik" if t.values[r, c] == 0 else "ambang"
        out.append(AuditFinding(rule, t.name, str(t.desa[r]), str(t.kategori[r]), t.columns[c], t.version))
    return out


def audit_release(current: dict[str, bytes], schemas: dict[str, dict], previous: dict[str, bytes] | None,
                  k_for: dict[str, int], specific: set[str],
                  previous_dates: dict[str, str] | None = None,
                  current_date: str | None = None, groups: list[list[str]] | None = None,
                  memo: GroupMemo | None = None) -> AuditReport:
    """Attack the CSVs that would be published (and the previous version): pass or findings.

    ``previous_dates`` gives each previous table's reference date: tables of one date are
    attacked together (their margins and identities hold on that date), never a table kept
    from an older month against another's newer one. Without it every previous table is
    taken to be of one date. With ``current_date`` too (this release's reference date), a
    monthly report whose previous version is of the month before is tied to it: this
    month's awal is last month's akhir (statistics.identities.CARRIED_OVER).

    ``groups`` (audit_groups.table_groups) attacks each connected group of tables apart,
    with what the attack reads from the whole release (the largest change anywhere, the
    default k, whether any part contradicts its equations) handed to every group: the same
    findings as one attack on all tables, the work cut where no equation crosses. ``memo``
    (audit_groups.GroupMemo) keeps each group's attack by a digest of its inputs, so a group
    whose tables did not change is not attacked again.
    """
    started = time.perf_counter()
    findings: list[AuditFinding] = []
    default_k = max(k_for.values(), default=10)
    files = {"baru": current, **_by_date(previous or {}, previous_dates)}
    dates = {label: (current_date if label == "baru" else label.removeprefix("lama").strip())
             for label in files}
    parsed: dict[str, dict[str, Published]] = {label: {} for label in files}
    for version, tables in files.items():
        for name, content in tables.items():
            try:
                parsed[version][name] = parse(name, version, content, schemas[name])
            except (SchemaError, KeyError, ValueError) as exc:
                findings.append(AuditFinding("format", name, version=version, detail=f": {exc}"))
    if findings:  # nothing sound to attack; the format findings say why
        return AuditReport(passed=False, findings=findings, seconds=time.perf_counter() - started)
    for t in parsed["baru"].values():
        findings += _published_checks(t, k_for.get(t.name, default_k), t.name in specific)
    names = {n for tables in files.values() for n in tables}
    changes = {label: build.change_summary(parsed["baru"], tables) for label, tables in parsed.items()
               if label != "baru"}
    parts = [_Group(part, files, schemas, k_for, default_k, specific, dates, changes, memo)
             for part in partition(names, groups)]
    alone = [g.stage("alone") for g in parts]
    found, plain_lps = _alone_findings(alone, parts)
    findings += found
    report = AuditReport(passed=False, lps=sum(a.lps for a in alone) + plain_lps,
                         hidden_cells=sum(a.hidden for a in alone),
                         identities=_union(a.identities for a in alone),
                         identities_contradicted=sorted({c for a in alone for c in a.contradicted}))
    narrow: dict = {}
    for a in alone:
        _narrower(narrow, a.narrowest, keep_open=True)
    if previous:
        # The attacker also holds the previous version and bounds each cell's change by what
        # the cells published in both show, table by table (build.CHANGE_MODES). Where a bound
        # contradicts the numbers it tells the attacker nothing; the single-version attack stands.
        seen = set(findings)
        for mode in build.CHANGE_MODES:
            joint, found = _joint_parts(parts, mode)
            findings += [f for f in found if f not in seen]
            seen = set(findings)
            report.identities += [n for n in _union(j.identities for j in joint) if n not in report.identities]
            report.lps += sum(j.lps for j in joint)
            report.deltas = report.deltas or {n: d for j in joint for n, d in j.deltas.items()}
            report.version_assumption_failed += sum(j.infeasible for j in joint)
            for j in joint:
                _narrower(narrow, j.narrowest)
            if not any(j.infeasible for j in joint):
                break  # the looser bounds' intervals contain these (build.CHANGE_MODES)
    report.findings, report.passed = findings, not findings
    report.narrowest_interval = narrow.pop(None, None)
    report.narrowest_by_table = narrow
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _Piece:
    """What one attack on one group of tables gave (the attack itself is not kept)."""

    findings: list[AuditFinding]
    infeasible: int = 0
    lps: int = 0
    hidden: int = 0
    identities: list[str] = field(default_factory=list)
    contradicted: list[str] = field(default_factory=list)
    narrowest: dict = field(default_factory=dict)
    deltas: dict[str, float] = field(default_factory=dict)


def _piece(attack: _Attack) -> _Piece:
    """The summary of an attack that the report and the findings need."""
    return _Piece(list(attack.findings), len(attack.bounds.infeasible), attack.bounds.lps, int(attack.real.size),
                  list(attack.identities), list(attack.contradicted), attack.narrowest(), dict(attack.deltas))


class _Group:
    """One connected group of a release's tables (every version), attacked stage by stage;
    each stage memoised by the digest of the group's inputs and the whole-release values
    it reads (the largest change anywhere, only where the group's bounds use it)."""

    def __init__(self, names: tuple[str, ...], files: dict[str, dict[str, bytes]], schemas: dict[str, dict],
                 k_for: dict[str, int], default_k: int, specific: set[str], dates: dict[str, str | None],
                 changes: dict[str, tuple[float | None, set[str]]], memo: GroupMemo | None):
        self.names, self.memo, self.changes, self.default_k = names, memo, changes, default_k
        own = set(names)
        self.files = {label: {n: c for n, c in tables.items() if n in own} for label, tables in files.items()}
        self.schemas = {n: schemas[n] for n in names}
        self.k_for = {n: k_for[n] for n in names if n in k_for}
        self.specific = specific & own
        self.dates = dates
        self.links = [("baru", label, tuple(sorted(self.files["baru"].keys() & tables.keys())))
                      for label, tables in self.files.items() if label != "baru"]
        held = {label: tables for label, tables in self.files.items() if tables}
        self.key = digest(held, [sorted(names), self.schemas, self.k_for, default_k, sorted(self.specific),
                                 {label: dates.get(label) for label in held}]) if memo is not None else ""

    def stage(self, kind: str, mode: str | None = None) -> _Piece:
        """One attack of the group: "alone" (this release), "plain" (alone without declared
        identities), "joint" (every version coupled by ``mode``), "joint-plain" (the same
        without this month's awal = last month's akhir)."""
        fallback = self._fallback(mode) if mode else {}
        if self.memo is None:
            return self._run(kind, mode, fallback)
        key = digest({}, [self.key, kind, mode, sorted(fallback.items(), key=lambda i: i[0])])
        return self.memo.get(key, kind if mode is None else f"{kind} {mode}", self.names,
                             lambda: self._run(kind, mode, fallback))

    def _fallback(self, mode: str) -> dict[str, float | None]:
        """Per linked version, the largest change anywhere in the release, where this group's
        bounds read it: every table in "global" mode, else a table with no cell in both."""
        out = {}
        for _new, old, names in self.links:
            largest, blind = self.changes[old]
            if names and (mode == "global" or blind & set(names)):
                out[old] = largest
        return out

    def _run(self, kind: str, mode: str | None, fallback: dict[str, float | None]) -> _Piece:
        """Build and attack the stage's equations."""
        if kind in ("alone", "plain"):
            if not self.files["baru"]:
                return _Piece([])
            return _piece(_attack({"baru": self.files["baru"]}, self.schemas, self.k_for, self.default_k,
                                  self.specific, identities=kind == "alone", memo=self.memo))
        full = {old: self.changes[old][0] for _new, old, _names in self.links}
        return _piece(_attack(self.files, self.schemas, self.k_for, self.default_k, self.specific, couple=mode,
                              links=self.links, dates=self.dates if kind == "joint" else None,
                              fallbacks={**full, **fallback}, memo=self.memo))


def _alone_findings(alone: list[_Piece], parts: list[_Group]) -> tuple[list[AuditFinding], int]:
    """The single-version findings (and the LPs of any further attack); where declared
    identities make the equations contradict the numbers (data that break an identity)
    anywhere, the release is attacked without them too."""
    if not any(a.infeasible for a in alone):
        return [f for a in alone for f in a.findings], 0
    plain = [g.stage("plain") for g in parts]
    out = [f for a in alone for f in a.findings if f.rule != "konsistensi"]
    held = set(out)
    return out + [f for p in plain for f in p.findings if f not in held], sum(p.lps for p in plain)


def _joint_parts(parts: list[_Group], mode: str) -> tuple[list[_Piece], list[AuditFinding]]:
    """The attack on every version coupled by ``mode``, group by group, and its findings
    (consistency aside). Where this month's awal = last month's akhir (added for versions of
    consecutive report months) contradicts the numbers, the data broke it
    (CARRIED_OVER_BREAKS): the versions are attacked without it too, so no component goes
    unattacked."""
    joint = [g.stage("joint", mode) for g in parts]
    found = [f for j in joint for f in j.findings if f.rule != "konsistensi"]
    used = {n for j in joint for n in j.identities}
    if not (any(j.infeasible for j in joint) and CARRIED_OVER_NAME in used):
        return joint, found
    plain = [g.stage("joint-plain", mode) for g in parts]
    held = set(found)
    found += [f for p in plain for f in p.findings if f.rule != "konsistensi" and f not in held]
    return [replace(p, lps=p.lps + j.lps, identities=j.identities) for j, p in zip(joint, plain)], found


def _union(lists) -> list[str]:
    """The names of several lists, each once, in order of first appearance."""
    out: list[str] = []
    for names in lists:
        out += [n for n in names if n not in out]
    return out


def _narrower(narrow: dict, widths: dict, keep_open: bool = False) -> None:
    """Take the narrower of each key's widths (None: unbounded; kept only with ``keep_open``)."""
    for key, width in widths.items():
        if keep_open and key not in narrow:
            narrow[key] = width
        elif width is not None and (narrow.get(key) is None or width < narrow[key]):
            narrow[key] = width


def _by_date(previous: dict[str, bytes], dates: dict[str, str] | None) -> dict[str, dict[str, bytes]]:
    """The previous tables as versions: one ("lama"), or one per reference date ("lama <date>")."""
    if not dates:
        return {"lama": previous}
    out: dict[str, dict[str, bytes]] = {}
    for name, content in previous.items():
        out.setdefault(f"lama {dates.get(name, '')}".rstrip(), {})[name] = content
    return out


def audit_series(versions: dict[str, dict[str, bytes]], schemas: dict[str, dict],
                 k_for: dict[str, int], specific: set[str]) -> AuditReport:
    """Attack every published version of a series at once (issue 13: privacy across time).

    ``versions`` maps a label (the reference date, oldest first) to the tables that got a new
    version on that date: a table held back or unchanged is not republished, so it appears
    only on the dates it was published. Each date's tables are written with every equation
    and declared identity between them; each table's consecutive published versions are
    coupled by the attacker's change bound (all of build.CHANGE_MODES, as audit_release does
    for two versions), so a cell hidden on one date and shown on another, or hidden on
    several dates, is attacked through every difference at once. The single-version checks
    (published small counts) are the gate's, per release; this adds what time gives away.
    """
    started = time.perf_counter()
    default_k = max(k_for.values(), default=10)
    findings: list[AuditFinding] = []
    for label, tables in versions.items():
        for name, content in tables.items():
            try:
                parse(name, label, content, schemas[name])
            except (SchemaError, KeyError, ValueError) as exc:
                findings.append(AuditFinding("format", name, version=label, detail=f": {exc}"))
    report = AuditReport(passed=False)
    if findings:
        report.findings, report.seconds = findings, time.perf_counter() - started
        return report
    narrow: dict = {}
    for mode in build.CHANGE_MODES:
        joint, found = _joint(versions, schemas, k_for, default_k, specific, mode,
                              _series_links(versions), {label: label for label in versions})
        seen = set(findings)
        findings += [f for f in found if f not in seen]
        report.lps += joint.bounds.lps
        report.hidden_cells = int(joint.real.size)
        report.identities = joint.identities
        report.version_assumption_failed += len(joint.bounds.infeasible)
        for name, delta in joint.deltas.items():
            report.deltas[name] = max(report.deltas.get(name, 0.0), delta)
        for key, width in joint.narrowest().items():
            if width is not None and (narrow.get(key) is None or width < narrow[key]):
                narrow[key] = width
        if not joint.bounds.infeasible:
            break  # the looser bounds' intervals contain these (build.CHANGE_MODES)
    report.findings, report.passed = findings, not findings
    report.narrowest_interval = narrow.pop(None, None)
    report.narrowest_by_table = narrow
    report.seconds = time.perf_counter() - started
    return report


Link = tuple[str, str, tuple[str, ...]]  # (newer label, older label, tables published on both)


def _series_links(versions: dict[str, dict[str, bytes]]) -> list[Link]:
    """Each table's consecutive published versions, grouped by the pair of dates."""
    last: dict[str, str] = {}
    grouped: dict[tuple[str, str], list[str]] = {}
    for label, tables in versions.items():
        for name in tables:
            if name in last:
                grouped.setdefault((label, last[name]), []).append(name)
            last[name] = label
    return [(new, old, tuple(names)) for (new, old), names in grouped.items()]


def _joint(files: dict[str, dict[str, bytes]], schemas: dict[str, dict], k_for: dict[str, int],
           default_k: int, specific: set[str], mode: str, links: list[Link],
           dates: dict[str, str | None]) -> tuple[_Attack, list[AuditFinding]]:
    """The attack on several versions coupled by ``mode``, and its findings (consistency
    aside). Where this month's awal = last month's akhir (added for versions of consecutive
    report months) contradicts the numbers, the data broke it (CARRIED_OVER_BREAKS): the
    versions are attacked without it too, so no component goes unattacked."""
    joint = _attack(files, schemas, k_for, default_k, specific, couple=mode, links=links, dates=dates)
    found = [f for f in joint.findings if f.rule != "konsistensi"]
    if not (joint.bounds.infeasible and CARRIED_OVER_NAME in joint.identities):
        return joint, found
    plain = _attack(files, schemas, k_for, default_k, specific, couple=mode, links=links)
    plain.bounds.lps += joint.bounds.lps
    plain.identities = joint.identities
    return plain, found + [f for f in plain.findings if f.rule != "konsistensi" and f not in set(found)]


def _attack(files: dict[str, dict[str, bytes]], schemas: dict[str, dict], k_for: dict[str, int],
            default_k: int, specific: set[str], couple: str | None = None,
            identities: bool = True, links: list[Link] | None = None,
            dates: dict[str, str | None] | None = None,
            fallbacks: dict[str, float | None] | None = None, memo: GroupMemo | None = None) -> _Attack:
    """Build every equation of the given versions (declared identities included) and run
    the LP attack on them; ``couple`` names the change bound between versions, if any, and
    ``links`` which versions of which tables it couples (default: "baru" with "lama");
    ``dates`` (each version's reference date) ties linked versions of consecutive report
    months by this month's awal = last month's akhir; ``fallbacks`` (by older version) the
    largest change anywhere in the release, when these tables are a part of it."""
    system = System()
    tables = {v: {n: parse(n, v, c, schemas[n]) for n, c in fs.items()} for v, fs in files.items()}
    for version in tables.values():
        for t in version.values():
            build.assign_variables(system, t)
    totals = build.Totals()
    used: list[str] = []
    for version in tables.values():
        build.add_equations(system, version, totals)
        if identities:
            used += [n for n in build.add_identities(system, version) if n not in used]
    deltas: dict[str, float] = {}
    if couple:
        if links is None:
            links = [("baru", "lama", tuple(sorted(tables["baru"].keys() & tables["lama"].keys())))]
        for new, old, names in links:
            extra = {"fallback": fallbacks[old]} if fallbacks is not None and old in fallbacks else {}
            found = build.add_coupling(system, {n: tables[new][n] for n in names},
                                       {n: tables[old][n] for n in names}, couple, **extra)
            for name, delta in found.items():
                deltas[name] = max(deltas.get(name, 0.0), delta)
            if identities and dates and dates.get(new) and dates.get(old) \
                    and report_months_follow(dates[new], dates[old]):
                used += [n for n in build.add_carried_over(system, {n: tables[new][n] for n in names},
                                                          {n: tables[old][n] for n in names})
                         if n not in used]
    questions = [q for version in tables.values()
                 for q in build.group_questions(version, totals, specific, GROUP_ALL_BUT, GROUP_DOMINANCE)]
    attack = _Attack(system, questions, k_for, default_k, specific)
    attack.memo = memo
    attack.tables, attack.deltas, attack.identities = tables, deltas, used
    attack.contradicted = sorted({f"{desa}: {tag[len(IDENTITY_TAG):]}" for _t, desa, tag in system.contradicted})
    attack.findings = [AuditFinding("konsistensi", table, desa, detail=f" ({what})")
                       for table, desa, what in system.inconsistent] + attack.run()
    return attack


Verdict = bool | tuple[int, int]  # True = fails, False = passes, (objective, sense) = solve first


class _Attack:
    """The LP attack: interval, insider and group rules over one linear system."""

    def __init__(self, system: System, questions: list[build.GroupQuestion], k_for: dict[str, int],
                 default_k: int, specific: set[str]):
        self.system, self.questions = system, questions
        self.tables: dict[str, dict[str, Published]] = {}
        self.deltas: dict[str, float] = {}
        self.identities: list[str] = []
        self.contradicted: list[str] = []
        self.findings: list[AuditFinding] = []
        self.memo: GroupMemo | None = None  # settled components kept across attacks
        n = len(system.cells)
        self.k_of_var = np.array([k_for.get(c.table, default_k) for c in system.cells], float)
        self.real = np.array([i for i, c in enumerate(system.cells) if c.kode is not None], np.int64)
        # A cell every modelled attacker places at k or above is not one the threshold rule
        # hides (a primary cell is 1..k-1, or a sensitive 0): how narrowly it is known tells
        # nothing the rule protects. Only a coupling to the other version's published count
        # proves such a floor (System.floor); its other cells pin the small ones they meet.
        self.at_least_k = np.zeros(n, bool)
        for var, least in system.floor.items():
            self.at_least_k[var] = least >= self.k_of_var[var] - TOL
        identity = sparse.csr_array((np.ones(n), (np.arange(n), np.arange(n))), shape=(n, n))
        ri, ci, data = [], [], []
        for i, q in enumerate(questions):
            for v, c in q.terms.items():
                ri.append(i), ci.append(v), data.append(c)
        asked = sparse.csr_array((data, (ri, ci)), shape=(len(questions), n))
        self.bounds = Bounds(system, sparse.vstack([identity, asked]).tocsr(),
                             np.concatenate([np.zeros(n), [q.const for q in questions]]))
        self.pairs = [p for p in build.insider_pairs(system) if self._protected(p[1], p[2], specific)]

    def _protected(self, var: int, value: float, specific: set[str]) -> bool:
        """Would an insider learn a value the threshold rule hides (0..k-1 or 1..k-1)?"""
        cell = self.system.cells[var]
        low = 0 if (cell.table in specific and cell.kode is not None) else 1
        return low - TOL <= value <= self.k_of_var[var] - 1 + TOL

    def run(self) -> list[AuditFinding]:
        """Settle every rule component by component, exact LPs only where points do not."""
        b = self.bounds
        pair_comp = np.array([b.comp[a] for a, _, _, _ in self.pairs], np.int64)
        q_comp = b.obj_comp[len(self.system.cells):]
        self.pairs_of = {c: np.flatnonzero(pair_comp == c) for c in np.unique(pair_comp)}
        self.questions_of = {c: np.flatnonzero(q_comp == c) for c in np.unique(q_comp)}
        real_comp = b.comp[self.real] if self.real.size else np.zeros(0, np.int64)
        order = np.argsort(real_comp, kind="stable")
        edges = np.searchsorted(real_comp[order], np.arange(b.n_comp + 1))
        self.real_of = [self.real[order[edges[c]:edges[c + 1]]] for c in range(b.n_comp)]
        keys = self._recall() if self.memo is not None else {}
        for batch in b.batches(skip=set(range(b.n_comp)) - set(keys) if self.memo is not None else frozenset()):
            try:
                self._settle(batch)
            except Retry:
                for comp in batch:
                    self._settle(range(comp, comp + 1))
        for comp, key in keys.items():
            self.memo.keep_component(key, b.snapshot(comp))
        b.infeasible.sort()
        return self._findings()

    def _recall(self) -> dict[int, bytes]:
        """Settle every component whose LP and questions were settled before (the memo's
        components); the keys of the others, to keep once they are settled."""
        b, todo = self.bounds, {}
        for comp in range(b.n_comp):
            key = b.component_key(comp, self._asked(comp))
            kept = self.memo.component(key)
            if kept is None:
                todo[comp] = key
            else:
                b.restore(comp, kept)
        return todo

    def _asked(self, comp: int) -> list[np.ndarray]:
        """What the rules ask of one component, in its own coordinates: the real cells, their
        k and which are proven at least k, the insider pairs, the group questions' rule and population term."""
        b = self.bounds
        v0 = b.var_edges[comp]
        real = self.real_of[comp]
        pairs = [self.pairs[i] for i in self.pairs_of.get(comp, ())]
        questions = [self.questions[i] for i in self.questions_of.get(comp, ())]
        return [b.position[real] - v0, self.k_of_var[real], self.at_least_k[real].astype(float),
                np.array([(b.position[a] - v0, b.position[o] - v0, value) for a, o, value, _ in pairs], float),
                np.array([(q.rule == "dominan", b.position[q.n[0]] - v0 if q.n[0] >= 0 else -1, q.n[1])
                          for q in questions], float)]

    def _settle(self, batch: range) -> None:
        targets = np.concatenate([self.real_of[c] for c in batch])
        targets = targets[~self.at_least_k[targets]]
        self.bounds.settle(batch, targets, self.k_of_var[targets], lambda: [
            v for c in batch for v in self._verdicts(c).values() if isinstance(v, tuple)])

    # -- one verdict per rule -------------------------------------------------------------
    def _interval(self, v: int) -> Verdict:
        b, k = self.bounds, self.k_of_var[v]
        if b.wmax[v] - b.wmin[v] >= k - TOL:
            return False
        if np.isnan(b.exact_max[v]):
            return (v, 1)
        if np.isnan(b.exact_min[v]):
            return (v, -1)
        return bool(b.exact_max[v] - b.exact_min[v] < k - TOL)

    def _can_be_one(self, a: int) -> Verdict:
        b = self.bounds
        if b.wmin[a] <= 1 + TOL and b.wmax[a] >= 1 - TOL:
            return True
        if b.wmin[a] > 1:
            return (a, -1) if np.isnan(b.exact_min[a]) else bool(b.exact_min[a] <= 1 + TOL)
        return (a, 1) if np.isnan(b.exact_max[a]) else bool(b.exact_max[a] >= 1 - TOL)

    def _max_at_least(self, n: tuple[int, float], need: float) -> Verdict:
        var, value = n
        b = self.bounds
        if var < 0:
            return bool(value >= need - TOL)
        if b.wmax[var] >= need - TOL:
            return True
        return (var, 1) if np.isnan(b.exact_max[var]) else bool(b.exact_max[var] >= need - TOL)

    def _group(self, q: build.GroupQuestion, o: int) -> Verdict:
        b = self.bounds
        if q.rule == "semua-kecuali-satu":  # fails when n - x <= 1 everywhere and n can be >= 2
            if b.wmax[o] >= GROUP_ALL_BUT + 1 - TOL:
                return False
            if np.isnan(b.exact_max[o]):
                return (o, 1)
            if b.exact_max[o] >= GROUP_ALL_BUT + 1 - TOL:
                return False
            return self._max_at_least(q.n, GROUP_ALL_BUT + 1)
        if b.wmin[o] < -TOL:  # dominan: fails when x >= 0.9 n everywhere and n can be >= 1
            return False
        if np.isnan(b.exact_min[o]):
            return (o, -1)
        if b.exact_min[o] < -TOL:
            return False
        return self._max_at_least(q.n, 1)

    def _verdicts(self, comp: int) -> dict[tuple, Verdict]:
        """Every open check of one component (-1: the constant ones), keyed by what it checks."""
        b, out = self.bounds, {}
        if comp >= 0 and comp in b.infeasible:
            return out
        if comp >= 0:
            v = self.real_of[comp]
            for var in v[((b.wmax[v] - b.wmin[v]) < self.k_of_var[v] - TOL) & ~self.at_least_k[v]]:
                out[("interval", int(var))] = self._interval(int(var))
            for i in self.pairs_of.get(comp, ()):
                out[("orang-dalam", int(i))] = self._can_be_one(self.pairs[i][0])
        base = len(self.system.cells)
        for i in self.questions_of.get(comp, ()):
            q, o = self.questions[i], base + i
            if (q.rule == "dominan" and b.wmin[o] >= -TOL) or \
               (q.rule != "dominan" and b.wmax[o] < GROUP_ALL_BUT + 1 - TOL):
                out[("group", int(i))] = self._group(q, o)
        return out

    def _findings(self) -> list[AuditFinding]:
        b, cells, out = self.bounds, self.system.cells, []
        for comp in b.infeasible:
            c = cells[int(b.var_order[b.var_edges[comp]])]
            out.append(AuditFinding("konsistensi", c.table, c.desa, version=c.version))
        verdicts: dict[tuple, Verdict] = {}
        for comp in range(-1, b.n_comp):
            verdicts.update(self._verdicts(comp))
        for key, verdict in verdicts.items():
            if isinstance(verdict, tuple) or not verdict:
                continue
            if key[0] == "interval":
                c = cells[key[1]]
                width = b.exact_max[key[1]] - b.exact_min[key[1]]
                rule = "terkunci" if width < TOL else ("versi" if c.version.startswith("lama") else "interval")
                out.append(AuditFinding(rule, c.table, c.desa, c.kategori, c.column, c.version))
            elif key[0] == "orang-dalam":
                a, other = (cells[x] for x in self.pairs[key[1]][:2])
                out.append(AuditFinding("orang-dalam", a.table, a.desa, a.kategori, a.column, a.version,
                                        f"; sel pasangannya: {other.table} / {other.kategori} / {other.column}"))
            else:
                q = self.questions[key[1]]
                out.append(AuditFinding(q.rule, q.table, q.desa, q.kategori, q.column, q.version))
        return out

    def narrowest(self) -> dict:
        """Narrowest proven interval overall (key None) and per table; None when unbounded.

        Proven from inside: a cell's width is that of the feasible points the attack met
        (exact only where they were narrower than k), so every hidden cell's true interval
        is at least this wide, and may be wider (the target LPs stop once a cell is k wide).
        A fixed equation order (sorted names, see audit_build) keeps the number the same
        from run to run. A cell proven at least k (at_least_k) is not counted: its width
        is not what the threshold rule asks of it."""
        b, out = self.bounds, {}
        for var in self.real:
            if b.obj_comp[var] == -2 or self.at_least_k[var]:
                continue
            width = float(min(b.wmax[var], CAP) - b.wmin[var])
            width = None if width >= CAP / 2 else round(width, 3)
            for key in (None, self.system.cells[var].table):
                out.setdefault(key, None)
                if width is not None and (out[key] is None or width < out[key]):
                    out[key] = width
        return out
