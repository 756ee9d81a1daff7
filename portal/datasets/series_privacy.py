"""Privacy across time: every version the public has held of every catalogue table, attacked at once.

Each harvest is audited against the previous version of its tables before it is drafted
(portal/harvest/privacy_check.py). Over a year, though, an outsider holds every version
ever published, and a cell hidden in one month may be pinned by the differences between
several months. ``held_series`` collects what such an outsider holds: every version of
every catalogue table that was ever public (withdrawn ones too, unless asked otherwise: a
withdrawn version was downloadable once, so it may be in anyone's hands), grouped by
reference date, with each table's Table Schema, k and privacy class. ``audit_held`` runs
the independent auditor's series attack (``privacy.audit.audit_series``) on it, one
connected group of tables at a time (``table_groups``, privacy.audit_groups, which the
harvest's audit shares): tables joined by no margin and no declared identity share no
equation, so attacking them apart is the same attack, smaller.

Labels (what the auditor calls a version) are reference dates, ISO, oldest first. A table
republished for the same date (a corrected harvest) keeps the version that stands for that
date (the series' choice, ``series.chosen``) under the date, and each other version under
``<date> panen #<id>`` (or ``rilis #<id>``), placed before it: all are held by the
attacker, and the tables of one harvest stay together with their identities.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import current_app

from portal.core.vocabularies import PrivacyClass, ReleaseStatus
from portal.datasets import files, packaging, queries
from portal.datasets.models import Release
from portal.datasets.series import chosen
from portal.privacy.audit import AuditFinding, AuditReport, audit_series
from portal.privacy.audit_groups import table_groups
from portal.privacy.audit_model import SchemaError, parse
from portal.privacy.policy import table_class
from portal.statistics.catalogue import CATALOGUE

EVER_PUBLIC = (ReleaseStatus.PUBLISHED, ReleaseStatus.WITHDRAWN)


@dataclass
class HeldSeries:
    """What an outsider holds: tables by label (oldest first), with schema, k and class."""

    versions: dict[str, dict[str, bytes]] = field(default_factory=dict)
    schemas: dict[str, dict] = field(default_factory=dict)
    k_for: dict[str, int] = field(default_factory=dict)
    specific: set[str] = field(default_factory=set)
    titles: dict[str, str] = field(default_factory=dict)
    withdrawn: dict[str, list[str]] = field(default_factory=dict)  # table -> withdrawn versions held
    unreadable: list[AuditFinding] = field(default_factory=list)   # a held version whose file is gone
    with_withdrawn: bool = True  # withdrawn versions are held too (they were public once)

    def tables(self) -> list[str]:
        """Every table with at least one held version, in catalogue order."""
        held = {name for tables in self.versions.values() for name in tables}
        return [spec.name for spec in CATALOGUE if spec.name in held]

    def count(self, names=None) -> int:
        """How many table versions are held (of ``names`` only, if given)."""
        return sum(1 for tables in self.versions.values() for name in tables if names is None or name in names)

    def only(self, names: set[str]) -> dict[str, dict[str, bytes]]:
        """The versions restricted to ``names``; labels left empty are dropped."""
        out = {label: {n: c for n, c in tables.items() if n in names} for label, tables in self.versions.items()}
        return {label: tables for label, tables in out.items() if tables}


def _label(release: Release, standing: bool) -> str:
    """The auditor's name for a held version: its reference date, or the date and its origin."""
    day = release.reference_date.isoformat()
    if standing:
        return day
    return f"{day} panen #{release.harvest_id}" if release.harvest_id else f"{day} rilis #{release.id}"


def _held_releases(releases, withdrawn: bool) -> list[tuple[Release, bool]]:
    """A table's versions ever public, oldest first, each with whether it stands for its date.

    Of one date, the version the series shows stands (``series.chosen``), or when all of
    that date's versions were withdrawn, the newest of them; a later version whose CSV is the
    same as one already held (a metadata correction) adds nothing and is left out.
    """
    public = [r for r in releases if r.status in EVER_PUBLIC and r.published_at is not None
              and (withdrawn or r.status == ReleaseStatus.PUBLISHED)]
    public.sort(key=lambda r: (r.reference_date, r.published_at, r.id))
    standing = {r.reference_date: r for r in public}  # newest of each date ...
    standing.update({r.reference_date: r for r in chosen(public)})  # ... unless one still stands
    out: list[list] = []
    seen: dict[tuple, int] = {}
    for release in public:
        entry = release.file(f"{release.dataset.name}.csv")
        digest = (release.reference_date, entry.sha256 if entry is not None else release.id)
        stands = standing[release.reference_date] is release
        if digest in seen:  # the same bytes are held already: that copy stands if this one does
            out[seen[digest]][1] = out[seen[digest]][1] or stands
            continue
        seen[digest] = len(out)
        out.append([release, stands])
    return [(release, stands) for release, stands in out]


def _k_and_class(spec, releases: list[Release]) -> tuple[int, bool]:
    """The largest k any held version was protected with, and whether any says specific data.

    A version whose report names no k for the table counts with the policy's k for its class
    (PRIVACY_K_*), and the policy's class stands with the reports': both fail closed.
    """
    specific = table_class(spec) is PrivacyClass.SPECIFIC
    ks = []
    for release in releases:
        row = next((t for t in (release.privacy_report or {}).get("tables", []) if t.get("table") == spec.name), {})
        if isinstance(row.get("k"), int) and row["k"] > 0:
            ks.append(row["k"])
        specific = specific or row.get("privacy_class") == PrivacyClass.SPECIFIC.value
    policy = current_app.config["PRIVACY_K_SPECIFIC" if specific else "PRIVACY_K_GENERAL"]
    if len(ks) < len(releases):
        ks.append(max(3, int(policy)))
    return max(ks), specific


def held_series(names: set[str] | None = None, withdrawn: bool = True) -> HeldSeries:
    """Every version of the catalogue tables (``names`` only, if given) the public has held."""
    held = HeldSeries(with_withdrawn=withdrawn)
    entries: list[tuple[tuple, str, str, bytes]] = []
    for spec in CATALOGUE:
        dataset = queries.dataset_by_name(spec.name)
        if dataset is None or (names is not None and spec.name not in names):
            continue
        versions = _held_releases(dataset.releases, withdrawn)
        if not versions:
            continue
        held.titles[spec.name] = dataset.title
        last = versions[-1][0]
        descriptor = files.published_bytes(last, "datapackage.json")
        try:
            held.schemas[spec.name] = packaging.table_schema_of(json.loads(descriptor or b""))
        except (ValueError, KeyError, IndexError, TypeError):
            held.unreadable.append(AuditFinding("format", spec.name, version=last.version,
                                                detail=": datapackage.json versi ini tidak terbaca"))
            continue
        held.k_for[spec.name], specific = _k_and_class(spec, [r for r, _ in versions])
        if specific:
            held.specific.add(spec.name)
        for release, standing in versions:
            content = files.published_bytes(release, f"{spec.name}.csv")
            if content is None:
                held.unreadable.append(AuditFinding("format", spec.name, version=release.version,
                                                    detail=": berkas CSV versi ini tidak ada di penyimpanan"))
                continue
            if release.status == ReleaseStatus.WITHDRAWN:
                held.withdrawn.setdefault(spec.name, []).append(release.version)
            order = (release.reference_date, standing, release.published_at, release.id)
            entries.append((order, _label(release, standing), spec.name, content))
    for _order, label, name, content in sorted(entries, key=lambda e: e[0]):
        held.versions.setdefault(label, {})[name] = content
    return held


@dataclass
class GroupAudit:
    """The series attack on one connected group of tables."""

    tables: list[str]
    versions: int
    report: AuditReport


@dataclass
class SeriesAudit:
    """The verdict over every held version: one attack per group, and per-table facts."""

    held: HeldSeries
    groups: list[GroupAudit]
    hidden_by_table: dict[str, int]
    desa_names: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # read on demand

    @property
    def findings(self) -> list[AuditFinding]:
        """Every finding: unreadable versions first, then each group's."""
        return self.held.unreadable + [f for g in self.groups for f in g.report.findings]

    @property
    def passed(self) -> bool:
        """No finding anywhere (an unreadable version fails closed)."""
        return not self.findings

    @property
    def lps(self) -> int:
        """Linear programs solved over all groups."""
        return sum(g.report.lps for g in self.groups)

    @property
    def seconds(self) -> float:
        """The attack's time over all groups (reading the files aside)."""
        return sum(g.report.seconds for g in self.groups)


def _hidden_cells(held: HeldSeries) -> dict[str, int]:
    """Per table, the hidden cells over every held version (read as the auditor reads them)."""
    out: dict[str, int] = {}
    for label, tables in held.versions.items():
        for name, content in tables.items():
            try:
                values = parse(name, label, content, held.schemas[name]).values
            except (SchemaError, KeyError, ValueError):
                continue  # the attack reports the format finding
            out[name] = out.get(name, 0) + int((values != values).sum())
    return out


def audit_held(held: HeldSeries, groups: list[list[str]] | None = None) -> SeriesAudit:
    """Attack the held versions group by group (``table_groups`` unless given)."""
    done = []
    for group in groups if groups is not None else table_groups():
        names = set(group) & set(held.schemas)
        versions = held.only(names)
        if not versions:
            continue
        report = audit_series(versions, {n: held.schemas[n] for n in names},
                              {n: held.k_for[n] for n in names}, held.specific & names)
        done.append(GroupAudit([n for n in group if n in names], held.count(names), report))
    return SeriesAudit(held, done, _hidden_cells(held))


def groups_of(names: set[str]) -> list[list[str]]:
    """The connected groups holding any of ``names`` (the attack needs a group whole)."""
    return [g for g in table_groups() if names & set(g)]
