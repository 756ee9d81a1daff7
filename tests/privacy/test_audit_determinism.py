"""The auditor's report is a function of the release alone: the same files give the same
report (findings, per-table narrowest intervals, LPs solved) whatever Python's string
hashing seed. A set of table or desa names iterated into the order of the LP's variables
or equations would let HiGHS reach another (equally optimal) vertex, and the report drift
from run to run (a walidata comparing two reports, a re-run that should change nothing).

The release: three desa counted by the real catalogue, last month and this month, the
second protected naively so that the attack across the versions has work to do (change
bounds, this month's awal = last month's akhir). It is built once here and audited in two
fresh interpreters with different PYTHONHASHSEED values.
"""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from portal.privacy.protect import protect_release
from tests.privacy.district import changing_desa, families, make_tables, publish

K_GENERAL, K_SPECIFIC = 5, 10
ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: audit the pickled release as the harvest does (group by group,
# memoised) or on the whole release at once, print the report without its timing.
AUDIT_SCRIPT = """
import json, pickle, sys
from portal.privacy.audit import audit_release
from portal.privacy.audit_groups import GroupMemo, table_groups
old, new, how = pickle.load(open(sys.argv[1], "rb"))
extra = {"groups": table_groups(), "memo": GroupMemo()} if how == "groups" else {}
report = audit_release(new["current"], new["schemas"], old["current"], new["k_for"], new["specific"],
                       previous_dates={n: "2026-10-31" for n in old["current"]},
                       current_date="2026-11-30", **extra).to_dict()
report.pop("seconds")
print(json.dumps(report))
"""


def _month(first: bool) -> dict:
    """What the auditor reads of one month (protected without a look at the month before)."""
    residents = [changing_desa(first, newcomer=i == 0) for i in range(3)]
    return publish(protect_release(make_tables(residents, [families(60)] * 3), K_GENERAL, K_SPECIFIC))


@pytest.fixture(scope="module")
def release() -> tuple[dict, dict]:
    """Last month's and this month's published tables."""
    return _month(True), _month(False)


def _audit_with_seed(path: Path, seed: str) -> dict:
    """The report of a fresh interpreter whose string hashing is seeded with ``seed``."""
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", AUDIT_SCRIPT, str(path)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("how", ["groups", "whole"])
def test_the_same_release_gives_the_same_report_whatever_the_hash_seed(release, tmp_path, how):
    old, new = release
    path = tmp_path / "release.pickle"
    path.write_bytes(pickle.dumps((old, new, how)))
    first, second = (_audit_with_seed(path, seed) for seed in ("1", "2"))
    assert first["findings"], "the naive second month leaks: the attack has work to do"
    assert first["lps_solved"] > 0 and first["narrowest_by_table"]
    assert first["findings"] == second["findings"]
    assert first["narrowest_by_table"] == second["narrowest_by_table"]
    assert first["narrowest_interval"] == second["narrowest_interval"]
    assert first["lps_solved"] == second["lps_solved"]
    assert first == second
