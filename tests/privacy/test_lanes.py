"""The privacy layer's worker processes (portal/privacy/lanes.py): sharing the protector's
desa and the auditor's LP components with a worker gives the same patterns, notes and
findings as doing them all in one process, on a generated district's second month (its
first published before); a worker that dies costs no result; an error in the work is raised.
"""
from __future__ import annotations

import io
import os
import time
from datetime import date

import pandas as pd
import pytest

from portal.harvest.pipeline import harvest_tables
from portal.privacy import lanes
from portal.privacy import protect as protect_module
from portal.privacy.audit import audit_release
from portal.privacy.protect import Previous, protect_release
from portal.sources.wilayah import load_district
from tests.privacy.district import publish
from tests.support.world import TEST_SEED

K_GENERAL, K_SPECIFIC = 5, 10
RESIDENTS, MONTHS = 4000, 2


@pytest.fixture
def workers():
    """One worker process for the test; none again after it."""
    lanes.configure(1)
    yield
    lanes.configure(0)


def _where(piece: int, parent: int) -> tuple[int, bool]:
    """A piece and whether it was done in another process than ``parent`` (slowly: the
    worker has time to start and claim its part)."""
    time.sleep(0.05)
    return piece, os.getpid() != parent


def _die(piece: int, parent: int) -> int:
    """A piece, unless done in a worker: the worker dies without a word."""
    if os.getpid() != parent:
        os._exit(3)
    time.sleep(0.05)
    return piece


def _fail(piece: int) -> int:
    """Work that fails wherever it runs."""
    raise ValueError("sengaja gagal")


def test_share_meets_in_the_middle_and_keeps_the_order(workers):
    lanes.share(_where, range(8), os.getpid())  # the worker has started
    before = lanes.handed()
    out, here = lanes.share(_where, range(40), os.getpid())
    assert [piece for piece, _ in out] == list(range(40))
    by_worker = {i for i, (_, elsewhere) in enumerate(out) if elsewhere}
    assert by_worker and here, "both sides did pieces"
    assert by_worker == set(range(40)) - here
    # This process takes from the front, the worker from the back.
    assert max(here) < min(by_worker)
    assert lanes.handed() == before + len(by_worker)


def test_share_without_workers_or_with_few_pieces_does_everything_here(workers):
    assert lanes.share(_where, [1, 2, 3], os.getpid()) == ([(1, False), (2, False), (3, False)], {0, 1, 2})
    lanes.configure(0)
    out, here = lanes.share(_where, range(10), os.getpid())
    assert out == [(i, False) for i in range(10)] and here == set(range(10))


def test_a_worker_that_dies_costs_no_result(workers):
    out, here = lanes.share(_die, range(40), os.getpid())
    assert out == list(range(40)) and here == set(range(40))
    # The next call starts a new worker.
    lanes.share(_where, range(8), os.getpid())
    out, here = lanes.share(_where, range(40), os.getpid())
    assert any(elsewhere for _, elsewhere in out)


def test_an_error_in_the_work_is_raised_here(workers):
    with pytest.raises(ValueError, match="sengaja gagal"):
        lanes.share(_fail, range(8))


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    """Two months of a generated district, counted; the first protected and published."""
    from portal.demogen.generator import generate_district

    out = tmp_path_factory.mktemp("lanes") / "series"
    summary = generate_district(out, residents=RESIDENTS, seed=TEST_SEED, months=MONTHS)
    district = load_district("51.02")
    first, second = (harvest_tables(str(path), date.fromisoformat(f"{path.name}-01"), district).tables
                     for path in summary.months)
    published = publish(protect_release(first, K_GENERAL, K_SPECIFIC))
    return second, published


def _protect(tables, published: dict):
    """The second month protected against the first as published (no pattern memoised)."""
    protect_module.DESA_DONE.clear()
    previous = Previous({name: pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
                         for name, content in published["current"].items()})
    return protect_release(tables, K_GENERAL, K_SPECIFIC, previous)


def _audit(protected, published: dict):
    """The auditor's report on the second month's new versions beside the first's."""
    now = publish(protected)
    current = {n: c for n, c in now["current"].items() if published["current"].get(n) != c}
    return audit_release(current, now["schemas"], published["current"], now["k_for"], now["specific"])


def _findings(report) -> list:
    """Findings in a fixed order."""
    return sorted(report.findings, key=lambda f: (f.rule, f.table, f.kode_desa, f.kategori, f.column, f.version))


def _run(tables, published: dict) -> tuple:
    """The second month protected against the first, and the audit of the same month
    protected naively (without the first: differences between months leak, so the auditor
    has findings); the shares handed to a worker after protecting and after auditing."""
    protected = _protect(tables, published)
    handed = [lanes.handed()]
    naive = _audit(protect_release(tables, K_GENERAL, K_SPECIFIC), published)
    return protected, naive, [*handed, lanes.handed()]


def test_protecting_and_auditing_with_a_worker_gives_the_same_release(months):
    tables, published = months
    alone, naive, _ = _run(tables, published)
    lanes.configure(1)
    try:
        before = lanes.handed()
        shared, shared_naive, (after_protect, after_audit) = _run(tables, published)
    finally:
        lanes.configure(0)
    assert after_protect > before, "the protector handed no desa to the worker"
    assert after_audit > after_protect, "the auditor handed no component to the worker"
    assert [p.table.spec.name for p in shared] == [p.table.spec.name for p in alone]
    for mine, theirs in zip(alone, shared):
        assert theirs.frame.equals(mine.frame), mine.table.spec.name
        assert theirs.notes == mine.notes, mine.table.spec.name
    assert naive.findings, "the naive month gives the auditor something to find"
    assert _findings(shared_naive) == _findings(naive)
    assert (shared_naive.lps, shared_naive.hidden_cells, shared_naive.narrowest_by_table,
            shared_naive.version_assumption_failed) == \
        (naive.lps, naive.hidden_cells, naive.narrowest_by_table, naive.version_assumption_failed)
