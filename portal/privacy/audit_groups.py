"""Connected groups of tables, and a memo of the auditor's attack on each group.

Two tables share an equation of the attack only when one adds up to a row of the other
(statistics.identities margin_of) or a declared identity reads both (IDENTITIES); the
versions of one table are always together. Tables joined by neither share no equation, so
attacking each connected group apart is the same attack, smaller. The few things the
auditor takes from the whole release (the largest change anywhere, the default k, whether
any part contradicts its equations) are handed to each group by privacy.audit, so a group's
findings are the ones the whole attack gives it.

The harvest's settle step audits the release again after each rung of the remedy ladder,
and the demo publishes twelve months: a group whose inputs did not change since its last
attack need not be attacked again. ``GroupMemo`` keeps each group's result by a digest of
everything the attack reads (its tables' bytes in every version, schemas, k, class, dates
and the whole-release values it was given).
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from portal.statistics.catalogue import CATALOGUE
from portal.statistics.identities import IDENTITIES, margin_of


def table_groups() -> list[list[str]]:
    """The catalogue split into groups no equation of the attack crosses, in catalogue order.

    Two tables are joined when one adds up to a row of the other (statistics.identities
    margin_of) or a declared identity reads both (IDENTITIES); the versions of one table are
    always together. These are every link the auditor writes between tables
    (privacy.audit_build: column totals, identities, carried-over months, change bounds).
    """
    parent = {spec.name: spec.name for spec in CATALOGUE}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    for spec in CATALOGUE:
        margin = margin_of(spec)
        if margin is not None and margin[0]:
            join(spec.name, margin[0])
    for identity in IDENTITIES:
        first, *rest = sorted(identity.tables)
        for other in rest:
            join(first, other)
    groups: dict[str, list[str]] = {}
    for spec in CATALOGUE:
        groups.setdefault(root(spec.name), []).append(spec.name)
    return list(groups.values())


def partition(names: set[str], groups: list[list[str]] | None) -> list[tuple[str, ...]]:
    """``names`` cut along ``groups`` (None: all in one); a name in no group stands alone.

    Only names are kept that are in ``names``; empty parts are dropped."""
    if groups is None:
        return [tuple(sorted(names))] if names else []
    out, placed = [], set()
    for group in groups:
        part = tuple(n for n in group if n in names and n not in placed)
        placed.update(part)
        if part:
            out.append(part)
    return out + [(n,) for n in sorted(names - placed)]


def digest(files: dict[str, dict[str, bytes]], facts: object) -> str:
    """A digest of a group's inputs: every version's table bytes and the JSON-able facts."""
    h = hashlib.sha256()
    for label in sorted(files):
        h.update(label.encode() + b"\1")
        for name in sorted(files[label]):
            h.update(name.encode() + b"\0" + files[label][name] + b"\0")
    h.update(json.dumps(facts, sort_keys=True, default=str).encode())
    return h.hexdigest()


class GroupMemo:
    """The last ``kept`` group attacks by digest; ``computed`` lists what was attacked
    (stage, tables), in order (the last ``kept``), so a caller (or a test) sees what a round
    re-audited.

    Inside a group that must be attacked again, most of its LP components (a desa's
    equations) are often the same as last round's: ``components`` keeps the bounds of the
    last ``kept_components`` components by the digest of their LP (privacy.audit_lp
    component_key); ``solved`` and ``reused`` count components solved and taken from it.
    Only the rounds of one month reuse them (next month every desa has changed): 8,000 is
    several audits of the 31-desa kept_bench district (about 140 components an attack),
    a few kB each."""

    def __init__(self, kept: int = 512, kept_components: int = 8_000):
        self.kept, self.kept_components = kept, kept_components
        self.results: OrderedDict[str, object] = OrderedDict()
        self.computed: list[tuple[str, tuple[str, ...]]] = []
        self.components: OrderedDict[bytes, object] = OrderedDict()
        self.solved = self.reused = 0
        self.lock = threading.Lock()

    def get(self, key: str, stage: str, tables: tuple[str, ...], compute: Callable[[], object]) -> object:
        """The memoised result for ``key``, computed (and recorded) when not held."""
        with self.lock:
            found = self.results.get(key)
        if found is None:
            found = compute()
            with self.lock:
                self.computed.append((stage, tables))
                del self.computed[:-self.kept]  # a long-lived process keeps only the last
        self._keep(self.results, key, found, self.kept)
        return found

    def component(self, key: bytes) -> object | None:
        """A component's bounds kept under ``key``, or None."""
        with self.lock:
            found = self.components.get(key)
            if found is not None:
                self.components.move_to_end(key)
                self.reused += 1
        return found

    def keep_component(self, key: bytes, value: object) -> None:
        """Keep a solved component's bounds (the oldest go past ``kept_components``)."""
        with self.lock:
            self.solved += 1
        self._keep(self.components, key, value, self.kept_components)

    def _keep(self, store: OrderedDict, key, value: object, kept: int) -> None:
        """Keep ``value`` as the newest of ``store``, at most ``kept`` (a server's threads
        may audit at once)."""
        with self.lock:
            store[key] = value
            store.move_to_end(key)
            while len(store) > kept:
                store.popitem(last=False)
