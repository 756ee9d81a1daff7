"""``flask privacy audit-series`` over what the catalogue published (issue 13, point 3).

A tiny district built in code (tests/privacy/district.py), protected, audited as a harvest
audits it, and published through the services month by month. The honest second month is
protected against the first, and the series passes; a second month protected without
looking at the first shows a cell the first month hid, with a change small enough to pin
it, and the series attack names the table and exits 1, while that month alone passed the
gate. (The twelve-month harvested district is tests/privacy/test_living_district.py.)
"""
from __future__ import annotations

import json
from datetime import date

from portal.datasets import files, queries, services
from portal.datasets.models import Release
from portal.datasets.series_privacy import held_series, table_groups
from portal.extensions import db
from portal.harvest.privacy_check import check_release
from portal.privacy.protect import protect_release
from portal.statistics.catalogue import CATALOGUE
from portal.statistics.identities import UNIT_TABLE
from tests.privacy.district import as_published, families, make_tables, people
from tests.support.world import join_catalogue_opds

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)
RELIGION = "penduduk-menurut-agama"
PUBLISHED = (UNIT_TABLE, RELIGION)  # the religion table and the row it adds up to


def _district(small: int, big: int, christians: int = 20):
    """One desa: 300 residents by sex, ``small`` Buddhists beside ``big`` Muslims and some Christians."""
    desa = (people(150) + people(150, sex="2") + people(small, agama_id="5")
            + people(big, agama_id="1") + people(christians, agama_id="2"))
    return [t for t in make_tables([desa], [families(60)]) if t.spec.name in PUBLISHED]


def _publish(users, protected, day: date, previous: dict[str, bytes]) -> list[Release]:
    """Draft every changed table, audit them as a harvest does against ``previous``, publish."""
    drafts = []
    for p in protected:
        spec = p.table.spec
        dataset = services.ensure_dataset(spec, services.ensure_organization(spec.organization, spec.organization))
        draft = services.create_draft(dataset, p, day, None, users["produsen"], [{"title": "uji"}])
        if draft is not None:
            drafts.append(draft)
    report = check_release(protected, drafts, previous, set(), 5, 10, {}, day)
    assert report["passed"], report["audit"]["findings"][:3]  # the month alone passes the gate
    join_catalogue_opds(users["produsen"])
    db.session.commit()
    for draft in drafts:
        services.submit(draft, users["produsen"], "Pembaruan bulanan.")
        db.session.commit()
        services.approve(draft, users["walidata"], "Setuju.")
        db.session.commit()
    return drafts


def _csv(protected) -> dict[str, bytes]:
    from portal.datasets.packaging import table_csv

    return {p.table.spec.name: table_csv(p) for p in protected}


def _two_months(users, honest: bool) -> list[Release]:
    """October: 3 Buddhists (hidden) beside 9 Muslims. Honest November: one Christian more,
    protected against October (a count that moves by one, the small row still hidden).
    Careless November: 6 and 6, protected without looking at October, so both are shown and
    October's hidden pair is pinned by the difference."""
    october = protect_release(_district(3, 9), 5, 10)
    _publish(users, october, OCTOBER, {})
    if honest:
        november = protect_release(_district(3, 9, christians=21), 5, 10, as_published(october))
        return _publish(users, november, NOVEMBER, _csv(october))
    return _publish(users, protect_release(_district(6, 6), 5, 10), NOVEMBER, {})


def _invoke(runner, *args):
    return runner.invoke(args=["privacy", "audit-series", *args])


def test_an_honest_series_passes(app, users, runner):
    _two_months(users, honest=True)
    result = _invoke(runner)
    assert result.exit_code == 0, result.output
    assert "Hasil: LULUS" in result.output
    data = json.loads(_invoke(runner, "--json").output)
    assert data["passed"] and data["findings"] == []
    assert data["reference_dates"] == [OCTOBER.isoformat(), NOVEMBER.isoformat()]
    assert {t["table"] for t in data["tables"]} == set(PUBLISHED)
    religion = next(t for t in data["tables"] if t["table"] == RELIGION)
    assert religion["hidden_cells"] > 0 and religion["narrowest_interval"] >= religion["k"]


def test_a_cell_hidden_in_october_and_pinned_by_november_fails_and_names_the_table(app, users, runner):
    _two_months(users, honest=False)
    result = _invoke(runner)
    assert result.exit_code == 1, result.output
    assert "Hasil: TIDAK LULUS" in result.output
    data = json.loads(_invoke(runner, "--json").output)
    assert not data["passed"]
    assert {f["table"] for f in data["findings"]} == {RELIGION}
    # The finding says where in the produsen's words (title, desa, category, date), not a count.
    first = data["findings"][0]
    title = next(s.title for s in CATALOGUE if s.name == RELIGION)
    assert title in first["message"] and first["kode_desa"] in first["message"]
    assert first["version"][:10] in (OCTOBER.isoformat(), NOVEMBER.isoformat())
    assert f"! [{first['rule']}] {title}" in result.output


def test_a_withdrawn_version_is_still_attacked_unless_left_out(app, users, runner):
    leaking = next(d for d in _two_months(users, honest=False) if d.dataset.name == RELIGION)
    services.withdraw(leaking, users["walidata"], "Sel tersembunyi dapat dihitung.")
    db.session.commit()
    # Downloaded before it was withdrawn: an attacker may hold it, so the series still fails.
    held = _invoke(runner, "--json")
    assert held.exit_code == 1 and json.loads(held.output)["tables"][1]["withdrawn_versions"] == [leaking.version]
    public = _invoke(runner, "--without-withdrawn")
    assert public.exit_code == 0, public.output


def test_only_the_named_datasets_group_is_attacked(app, users, runner):
    _two_months(users, honest=False)
    result = _invoke(runner, "--dataset", RELIGION, "--json")
    assert result.exit_code == 1
    group = next(g for g in table_groups() if RELIGION in g)
    data = json.loads(result.output)
    assert [g["tables"] for g in data["groups"]] == [[n for n in group if n in PUBLISHED]]


def test_a_name_outside_the_catalogue_is_refused(app, runner):
    result = _invoke(runner, "--dataset", "bukan-tabel")
    assert result.exit_code == 2 and "bukan-tabel" in result.output


def test_nothing_published_passes_with_nothing_to_attack(app, runner):
    result = _invoke(runner)
    assert result.exit_code == 0 and "Belum ada versi terbit" in result.output


def test_a_published_version_whose_file_is_gone_fails_closed(app, users, runner):
    _two_months(users, honest=True)
    release = next(r for r in held_releases(RELIGION) if r.reference_date == OCTOBER)
    files.published_path(release, f"{RELIGION}.csv").unlink()
    result = _invoke(runner)
    assert result.exit_code == 1
    assert f"[format] {next(s.title for s in CATALOGUE if s.name == RELIGION)}" in result.output
    assert "tidak ada di penyimpanan" in result.output


def held_releases(name: str) -> list[Release]:
    """The dataset's releases (test helper)."""
    return list(queries.dataset_by_name(name).releases)


def test_table_groups_cover_the_catalogue_once_and_keep_declared_identities_whole():
    from portal.statistics.identities import IDENTITIES, margin_of

    groups = table_groups()
    names = [n for g in groups for n in g]
    assert sorted(names) == sorted(spec.name for spec in CATALOGUE)
    where = {n: i for i, g in enumerate(groups) for n in g}
    for identity in IDENTITIES:
        assert len({where[t] for t in identity.tables if t in where}) <= 1, identity.name  # a withheld table aside
    for spec in CATALOGUE:
        margin = margin_of(spec)
        if margin and margin[0]:
            assert where[spec.name] == where[margin[0]], spec.name


def test_held_series_labels_dates_oldest_first_and_a_same_date_correction_before_its_date(app, users):
    _two_months(users, honest=True)
    held = held_series()
    assert list(held.versions) == [OCTOBER.isoformat(), NOVEMBER.isoformat()]
    assert held.k_for[RELIGION] == 5 and RELIGION not in held.specific
    # November corrected (two more Christians), published for the same reference date: the
    # attacker holds both; the correction stands for the date, the first is kept beside it.
    november = held.versions[NOVEMBER.isoformat()]
    corrected = protect_release(_corrected(), 5, 10,
                                {n: queries.table_from_bytes(c) for n, c in november.items()})
    drafts = _publish(users, corrected, NOVEMBER, november)
    labels = list(held_series().versions)
    assert labels[0] == OCTOBER.isoformat() and labels[-1] == NOVEMBER.isoformat()
    assert labels[1:-1] == [f"{NOVEMBER.isoformat()} rilis #{r.id}" for r in _first_november(drafts)]


def _corrected():
    return _district(3, 9, christians=23)


def _first_november(corrections: list[Release]) -> list[Release]:
    """The first November versions of the tables a correction replaced, one per table."""
    out = []
    for spec in CATALOGUE:
        if any(d.dataset.name == spec.name for d in corrections):
            out += [r for r in held_releases(spec.name) if r.reference_date == NOVEMBER and r not in corrections]
    return out


def test_a_version_whose_report_names_no_k_counts_with_the_policys_k(app, users):
    # A report without the table's row (an old or damaged report): k is not guessed low, the
    # policy's k for the table's class stands beside the k of the other versions.
    _two_months(users, honest=True)
    release = next(r for r in held_releases(RELIGION) if r.reference_date == OCTOBER)
    release.privacy_report = {**release.privacy_report, "tables": []}
    db.session.commit()
    app.config["PRIVACY_K_GENERAL"] = 7
    assert held_series().k_for[RELIGION] == 7
    app.config["PRIVACY_K_GENERAL"] = 3
    assert held_series().k_for[RELIGION] == 5  # November's own k=5 is the larger
