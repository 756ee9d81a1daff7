"""Privacy across time on a living district (issue 13, point 3).

A few desa generated with history (portal/demogen/history.py: births, deaths, moves,
marriages, new families, e-KTP records), harvested month by month and approved in order, as
a walidata would. The hold-back of the protector must not freeze the district: every month
publishes the tables it can, and names the tables it keeps at their previous version and why.
An independent attacker holding every published version at once (audit_series; over the
catalogue, `flask privacy audit-series`) finds no hidden cell narrower than k through the
differences between months; and a count that moves by one between months in a
specific-data table is not, by itself, a disclosure.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pytest

from portal.datasets import services
from portal.datasets.series_privacy import audit_held, held_series
from portal.extensions import db
from portal.privacy.audit import audit_series
from portal.privacy.gate import gate_errors
from portal.privacy.protect import protect_release
from tests.privacy.district import audit, families, make_tables, people
from tests.support.world import PASSWORDS, fresh_app, join_catalogue_opds

DESA, RESIDENTS, MONTHS, SEED = 4, 3000, 4, 11
HELD = "versi sebelumnya dipertahankan"


@dataclass
class Month:
    """What one monthly harvest did: new versions, kept tables (and why), the gate's verdict."""

    reference_date: date
    drafted: list[str]
    unchanged: list[str]
    gate: list[str]
    kept: dict[str, list[str]] = field(default_factory=dict)


def _few_desa():
    """The first DESA desa of Tabanan's first kecamatan, as a district of their own."""
    from portal.sources.wilayah import load_district

    full = load_district("51.02")
    first = full.kecamatan[0]
    return dataclasses.replace(full, kecamatan=(dataclasses.replace(first, desa=first.desa[:DESA]),))


@pytest.fixture(scope="module")
def living(tmp_path_factory):
    """A few desa, MONTHS monthly exports, each harvested and (when the gate allows) approved."""
    from portal.auth.services import create_user
    from portal.demogen.generator import generate_district
    from portal.harvest.service import harvest

    tmp = tmp_path_factory.mktemp("living")
    summary = generate_district(tmp / "export", residents=RESIDENTS, seed=SEED, months=MONTHS,
                                district=_few_desa())
    app = fresh_app(tmp)
    with app.test_request_context():
        produsen = create_user("produsen@example.go.id", PASSWORDS["produsen"], "produsen", "P")
        walidata = create_user("walidata@example.go.id", PASSWORDS["walidata"], "walidata", "W")
        db.session.commit()
        months = []
        for path in summary.months:
            ref = date.fromisoformat(f"{path.name}-01")
            result = harvest(str(path), ref, produsen)
            join_catalogue_opds(produsen)  # the OPDs the harvest created
            db.session.commit()
            report = result.drafts[0].privacy_report if result.drafts else None
            errors = gate_errors(report) if result.drafts else []
            month = Month(ref, [d.dataset.name for d in result.drafts], list(result.unchanged), errors)
            if report:
                month.kept = {t["table"]: t["notes"] for t in report["tables"]
                              if any(n.startswith(HELD) for n in t["notes"])}
            if not errors:
                for draft in result.drafts:
                    services.submit(draft, produsen, "Pembaruan bulanan.")
                    db.session.commit()
                    services.approve(draft, walidata, "Setuju.")
                    db.session.commit()
            months.append(month)
        yield months, held_series(), app
        db.session.remove()
        db.engine.dispose()


def test_every_month_of_a_living_district_passes_the_gate_and_publishes(living):
    months, _series, _app = living
    for month in months:
        assert month.gate == [], (month.reference_date, month.gate[:5])
        assert month.drafted, month.reference_date
    # The population changes every month (births, deaths, moves): its table always publishes.
    assert all("penduduk-dan-keluarga" in m.drafted for m in months)


def test_most_changed_tables_publish_a_new_version_and_kept_ones_say_why(living):
    months, _series, _app = living
    for month in months[1:]:
        # A table kept at its previous version is named in the report with the reason; the
        # rest of the release publishes (the hold-back never freezes the whole district).
        changed = set(month.drafted) | set(month.kept)
        assert len(month.drafted) > len(changed) / 2, (month.reference_date, sorted(month.kept))
        for table, notes in month.kept.items():
            assert table in month.unchanged
            assert any("terlalu kecil" in n for n in notes), (table, notes)


@pytest.fixture(scope="module")
def joint(living):
    """audit_series over every published version of every table at once (no groups)."""
    _months, held, _app = living
    return audit_series(held.versions, held.schemas, held.k_for, held.specific)


def test_no_series_reveals_a_hidden_cell_through_differences_between_months(living, joint):
    _months, held, _app = living
    assert len(held.versions) == MONTHS  # every version held is one of the monthly harvests
    assert joint.passed, [str(f) for f in joint.findings[:5]]
    assert joint.hidden_cells > 0 and joint.narrowest_interval >= min(held.k_for.values())


def test_the_series_command_attacks_the_published_months_group_by_group_and_passes(living, joint):
    _months, held, app = living
    result = app.test_cli_runner().invoke(args=["privacy", "audit-series", "--json"])
    assert result.exit_code == 0, result.output[-2000:]
    data = json.loads(result.output)
    assert data["passed"] and data["versions"] == held.count()
    assert len(data["reference_dates"]) == MONTHS
    assert {t["table"] for t in data["tables"]} == set(held.tables())
    # The groups share no equation: together they hide what the one joint attack hides, and
    # bound no hidden cell narrower than k.
    grouped = audit_held(held)
    assert sum(g.report.hidden_cells for g in grouped.groups) == joint.hidden_cells
    assert grouped.passed and all(g.report.narrowest_interval is None
                                  or g.report.narrowest_interval >= min(held.k_for.values())
                                  for g in grouped.groups)
    text = app.test_cli_runner().invoke(args=["privacy", "audit-series"])
    assert text.exit_code == 0 and "Hasil: LULUS" in text.output


def test_a_cell_hidden_one_month_and_shown_the_next_is_attacked():
    # The protector carries a hidden row forward, so it never shows it the next month; an
    # auditor holding both months must still catch a release that does (here: built without
    # the previous version), where the shown count and the change between months pin the
    # hidden one. 20 Buddhists (shown) next to 3 (hidden), then 4 of 23 next month.
    def desa(small: int, big: int) -> list[list[dict]]:
        return [people(150) + people(150, sex="2") + people(small, agama_id="5")
                + people(big, agama_id="1") + people(20, agama_id="2")]

    v1 = protect_release(make_tables(desa(3, 9), [families(60)]), 5, 10)
    v2 = protect_release(make_tables(desa(6, 6), [families(60)]), 5, 10)
    report = audit(v2, previous=v1)
    assert not report.passed
    assert {f.table for f in report.findings} == {"penduduk-menurut-agama"}


def test_a_count_moving_by_one_in_a_specific_table_is_not_a_disclosure():
    # Health insurance (specific data, k = 10). One woman moves from uninsured to BPJS PBI
    # between the months: both counts are published both months and move by one; three
    # people of "other insurance" stay hidden with a complement. The change of one is public
    # arithmetic between two published counts, not a small cell.
    def desa(moved: int) -> list[list[dict]]:
        counts = {"1": (40, 40 - moved), "2": (40, 40 + moved), "3": (20, 20), "4": (20, 20),
                  "99": (3, 3), "": (20, 20)}
        return [[r for code, (men, women) in counts.items()
                 for r in people(men, id_asuransi=code) + people(women, sex="2", id_asuransi=code)]]

    v1 = protect_release(make_tables(desa(0), [families(60)]), 5, 10)
    v2 = protect_release(make_tables(desa(1), [families(60)]), 5, 10,
                         previous={p.table.spec.name: _text(p) for p in v1})
    table = "penduduk-menurut-asuransi-kesehatan"
    before, after = (next(p for p in v if p.table.spec.name == table) for v in (v1, v2))
    moved = np.abs(after.frame["perempuan"].to_numpy(float, na_value=np.nan)
                   - before.frame["perempuan"].to_numpy(float, na_value=np.nan))
    assert np.nanmax(moved) == 1 and after.primary > 0 and not any(HELD in n for n in after.notes)
    report = audit(v2, previous=v1)
    assert report.passed, [str(f) for f in report.findings[:5]]
    assert table in report.narrowest_by_table


def _text(protected):
    """One table as the previous version is read (CSV text, hidden cells 'x')."""
    from tests.privacy.district import as_published

    return as_published([protected])[protected.table.spec.name]
