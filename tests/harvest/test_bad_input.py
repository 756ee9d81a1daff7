"""Every case of the bad-input corpus fails with a clear message and changes nothing.

One district is harvested (one table published, the rest open drafts) once for the module;
each case then runs the real ``flask harvest`` against it and compares a fingerprint of the
whole database (every table's rows) and of the storage folder (names and sha256) before and
after. The only change allowed
is the record of the run itself (status "failed", or "ok" with nothing proposed for a harmless
case), which the admin pages show; its report must not carry a personal value either.
"""
from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from sqlalchemy import select

from portal.auth.services import create_user
from portal.datasets import services
from portal.datasets.models import Release
from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.harvest.service import harvest
from tests.harvest.bad_input import BOUNDARIES, CASES, Workspace
from tests.support.state import fingerprint
from tests.support.world import PASSWORDS, REFERENCE_DATE, fresh_app, join_catalogue_opds


@pytest.fixture(scope="module")
def district(tmp_path_factory, district_export):
    """An app whose district is harvested and published, made once per module."""
    app = fresh_app(tmp_path_factory.mktemp("bad-input-portal"))
    with app.app_context():
        produsen = create_user("produsen@example.go.id", PASSWORDS["produsen"], "produsen")
        walidata = create_user("walidata@example.go.id", PASSWORDS["walidata"], "walidata")
        db.session.commit()
        result = harvest(str(district_export), REFERENCE_DATE, produsen)
        join_catalogue_opds(produsen)  # the harvest made the OPDs; its produsen submits for them
        # One table published, the others open drafts: a bad harvest must touch neither.
        # (Publishing all 19 would cost ~40 s on a busy machine and check nothing more.)
        # The desa boundaries are published too: a case that draws one desa as a point drafts
        # a new version of them, and the next case's good boundaries are then unchanged again.
        for draft in [result.drafts[0], *(d for d in result.drafts if d.dataset.name in BOUNDARIES)]:
            services.submit(draft, produsen, "Rilis pertama.")
            db.session.commit()
            services.approve(draft, walidata, "Setuju.")
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def personal_values(district_export) -> list[str]:
    """Every NIK, No. KK and longer name of the export: none may show anywhere."""
    people = pd.read_csv(district_export / "tweb_penduduk.csv", dtype=str, keep_default_na=False)
    families = pd.read_csv(district_export / "tweb_keluarga.csv", dtype=str, keep_default_na=False)
    values = set(people["nik"]) | set(families["no_kk"]) | {n for n in people["nama"] if len(n) > 12}
    return sorted(values - {""})


def _needs(case) -> list:
    if case.needs_mariadb and not os.environ.get("TEST_MARIADB_URL"):
        return [pytest.mark.skip(reason="TEST_MARIADB_URL tidak diatur")]
    return []


def test_the_corpus_is_large_and_covers_the_issue():
    names = {c.name for c in CASES}
    assert len(names) == len(CASES) >= 30
    for needed in ("truncated_mid_row", "wrong_delimiter_colon", "neither_utf8_nor_windows1252",
                   "binary_junk_with_nul_bytes", "empty_file", "zip_bomb", "zip_path_traversal",
                   "line_of_100_mb", "formula_in_the_desa_name", "duplicated_header",
                   "required_column_missing", "core_table_missing", "xlsm_workbook",
                   "xlsx_with_external_link", "sqlite_gabungan_missing_a_table",
                   "mariadb_gabungan_missing_a_table", "sql_url_refusing_connections"):
        assert needed in names


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=_needs(c)) for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(case, district, district_export,
                                                         personal_values, tmp_path):
    ws = Workspace(export=district_export, tmp=tmp_path)
    try:
        source = case.build(ws)
        rows_before, files_before = fingerprint(district)
        last_run = db.session.scalar(select(HarvestRun.id).order_by(HarvestRun.id.desc()))
        result = district.test_cli_runner().invoke(
            args=["harvest", source, "--reference-date", REFERENCE_DATE.isoformat(),
                  "--as", "produsen@example.go.id"])
    finally:
        for cleanup in ws.cleanups:
            cleanup()
    output = result.output
    # A crash (a traceback instead of a message) is a bug in the reader, never a pass.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if case.harmless:
        assert result.exit_code == 0, output
        # A boundary case drafts the desa as a point; the next such case draws it the same way
        # (the open draft already holds it): the changed datasets are at most the case's.
        assert any(f"{n} tabel berubah" in output for n in range(len(case.changes) + 1)), output
    else:
        assert result.exit_code != 0, output
        assert "Traceback" not in output
        for fragment in case.expect:
            assert fragment in output, f"{fragment!r} not in:\n{output}"
    db.session.expire_all()
    run = db.session.scalars(select(HarvestRun).where(HarvestRun.id > (last_run or 0))).one()
    if case.changes:  # only the datasets the case rightly changes got a draft
        drafts = db.session.scalars(select(Release).where(Release.id.in_(run.report["drafts"]))).all()
        assert {d.dataset.name for d in drafts} <= set(case.changes)
        return _no_value_leaked(output, run, ws, personal_values)
    # The database and the storage are as they were, but for the record of this run.
    rows_after, files_after = fingerprint(district)
    assert files_after == files_before
    runs = HarvestRun.__tablename__
    for table, before in rows_before.items():
        assert before <= rows_after[table], f"rows of {table} changed or vanished"
        added = rows_after[table] - before
        assert len(added) == (1 if table == runs else 0), f"{table} got {len(added)} new rows"
    assert run.status == ("ok" if case.harmless else "failed")
    if case.harmless:
        assert run.report["drafts"] == []
    _no_value_leaked(output, run, ws, personal_values)


def _no_value_leaked(output: str, run, ws, personal_values) -> None:
    """Neither the message nor the kept report carries a personal or planted value."""
    kept = json.dumps(run.report, ensure_ascii=False) + run.source
    for value in [*ws.secrets, *personal_values]:
        assert value not in output, "a value reached the message"
        assert value not in kept, "a value reached the harvest record"
