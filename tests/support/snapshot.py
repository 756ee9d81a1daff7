"""Harvest the test district once per session, then hand later tests a copy of that world.

A real harvest of the test district (checks, statistics, joint suppression, the LP audit)
costs 10-30 s and most tests of the suite start from the same harvested district. The first
harvest of a session runs for real and its database and storage are kept; a later test
whose database is in the same state before its harvest (same tables and row counts, same
accounts, same configuration, same export) gets a copy of them instead: the rows and
files the real harvest would have written, with the same ids. Any other test harvests for
real, so a test that prepares something first never gets a world that ignores it.
"""
from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import MetaData, func, inspect, select, text

from portal.auth.models import User
from portal.datasets.models import Release
from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.harvest.service import HarvestResult, harvest

# Configuration that differs per test only by where its files live.
_PER_TEST_KEYS = {"INSTANCE_PATH", "STORAGE_DIR", "SQLALCHEMY_DATABASE_URI"}
T = TypeVar("T")


@dataclass
class _Snapshot:
    """One built world: database copy, storage copy, and the ids of what the build returned."""

    database: object  # SQLite: path of a backup file; PostgreSQL: rows per table
    storage: Path
    ids: object


_SNAPSHOTS: dict[tuple, _Snapshot] = {}
_REFLECTED: dict[str, MetaData] = {}


def _state(app, name: str) -> tuple:
    """What decides a build's outcome: the database before it and the configuration."""
    names = sorted(inspect(db.engine).get_table_names())
    quote = db.engine.dialect.identifier_preparer.quote
    counts = tuple((table, db.session.execute(text(f"SELECT count(*) FROM {quote(table)}")).scalar())
                   for table in names)
    accounts = tuple(db.session.execute(select(User.id, User.email, User.role).order_by(User.id)).all())
    config = tuple(sorted((key, repr(value)) for key, value in app.config.items()
                          if key not in _PER_TEST_KEYS
                          and isinstance(value, (str, int, float, bool, type(None)))))
    return name, db.engine.dialect.name, counts, accounts, config


def once(name: str, app, keep: Path, build: Callable[[], T], to_ids: Callable[[T], object],
         revive: Callable[[object], T]) -> T:
    """``build()`` for real the first time from this state; later, restore its rows and files."""
    key = _state(app, name)
    snapshot = _SNAPSHOTS.get(key)
    storage = Path(app.config["STORAGE_DIR"])
    if snapshot is not None:
        _restore(snapshot, storage)
        return revive(snapshot.ids)
    result = build()
    db.session.commit()
    keep.mkdir(parents=True, exist_ok=True)
    _SNAPSHOTS[key] = _Snapshot(database=_copy_database(keep), storage=_copy_storage(storage, keep),
                                ids=to_ids(result))
    return result


def harvest_once(app, export: Path, reference_date, produsen, keep: Path) -> HarvestResult:
    """Harvest ``export`` as ``produsen``: for real the first time, from the copy afterwards."""
    def revive(ids) -> HarvestResult:
        run_id, draft_ids, report, unchanged = ids
        return HarvestResult(run=db.session.get(HarvestRun, run_id), report=report,
                             drafts=[db.session.get(Release, i) for i in draft_ids],
                             unchanged=list(unchanged))

    return once(f"harvest {export} {reference_date}", app, keep,
                lambda: harvest(str(export), reference_date, produsen),
                lambda r: (r.run.id, [d.id for d in r.drafts], r.report, list(r.unchanged)), revive)


def releases_once(name: str, app, keep: Path, build: Callable[[], list[Release]]) -> list[Release]:
    """Publish (or otherwise change) releases once; later tests get the copy and the same releases."""
    return once(name, app, keep, build, lambda rs: [r.id for r in rs],
                lambda ids: [db.session.get(Release, i) for i in ids])


def _copy_storage(storage: Path, keep: Path) -> Path:
    target = keep / "storage"
    if storage.exists():
        shutil.copytree(storage, target)
    else:
        target.mkdir()
    return target


def _copy_database(keep: Path) -> object:
    if db.engine.dialect.name == "sqlite":
        target = keep / "harvested.sqlite3"
        raw = db.engine.raw_connection()
        try:
            with sqlite3.connect(target) as copy:
                raw.driver_connection.backup(copy)
        finally:
            raw.close()
        return target
    metadata = _metadata()
    with db.engine.connect() as conn:
        return {table.name: [row._asdict() for row in conn.execute(select(table))]
                for table in metadata.sorted_tables}


def _restore(snapshot: _Snapshot, storage: Path) -> None:
    db.session.commit()  # end the session's transaction; its objects reload from the copy
    if db.engine.dialect.name == "sqlite":
        raw = db.engine.raw_connection()
        try:
            with sqlite3.connect(snapshot.database) as copy:
                copy.backup(raw.driver_connection)
        finally:
            raw.close()
    else:
        _restore_rows(snapshot.database)
    db.session.expire_all()
    if storage.exists():
        shutil.rmtree(storage)
    shutil.copytree(snapshot.storage, storage)


def _metadata() -> MetaData:
    """Every table of the database (search index included), reflected once per session."""
    url = str(db.engine.url)
    if url not in _REFLECTED:
        metadata = MetaData()
        metadata.reflect(db.engine)
        metadata.remove(metadata.tables["alembic_version"])
        _REFLECTED[url] = metadata
    return _REFLECTED[url]


def _restore_rows(rows: dict[str, list[dict]]) -> None:
    metadata = _metadata()
    tables = metadata.sorted_tables
    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        for table in tables:
            if rows.get(table.name):
                conn.execute(table.insert(), rows[table.name])
        # Serial ids continue after the copied rows, as they would after the real harvest.
        for table in tables:
            for column in table.primary_key.columns:
                sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                        {"t": table.name, "c": column.name}).scalar()
                if sequence:
                    top = conn.execute(select(func.max(column))).scalar()
                    conn.execute(text("SELECT setval(:s, :v, :called)"),
                                 {"s": sequence, "v": top or 1, "called": top is not None})
