"""Read the OpenSID tables from a database: a MySQL/MariaDB URL or a SQLite export file."""
from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from .tables import FILE_COLUMN, KNOWN_TABLES, ROW_COLUMN, TABLE_KEYS, SourceError

# Plain mysql:// would ask for mysqlclient, a C extension the portal does not install.
_DEFAULT_DRIVERS = {"mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}


def database_url(source: str) -> URL:
    """The SQLAlchemy URL of a source, with the portal's pure-Python MySQL driver by default."""
    try:
        url = make_url(source)
    except ArgumentError:
        raise SourceError("URL basis data tidak valid") from None
    if url.drivername in _DEFAULT_DRIVERS:
        url = url.set(drivername=_DEFAULT_DRIVERS[url.drivername])
    return url


def safe_label(url: URL) -> str:
    """The URL as it may be shown and stored: never with its password."""
    # The query string is dropped too: a driver option there could carry a secret.
    return url.set(query={}).render_as_string(hide_password=True)


def _text(value: object) -> str:
    """A database value as OpenSID's text export would write it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", "replace")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):  # MySQL TIME arrives as a timedelta
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return str(value)


def _column(values: tuple) -> list[str]:
    """A column of database values as text."""
    # Most OpenSID columns are all text or all NULL-or-text: skip the per-value dispatch then.
    if all(v is None or type(v) is str for v in values):
        return ["" if v is None else v for v in values]
    return [_text(v) for v in values]


def _row_numbers(ids: list[str]) -> np.ndarray:
    """``_baris`` of a database row: its id, or its position when ids are not all integers."""
    numbers = pd.to_numeric(pd.Series(ids, dtype="str"), errors="coerce")
    if len(ids) and numbers.notna().all() and (numbers % 1 == 0).all():
        return numbers.astype(np.int64).to_numpy()
    return np.arange(1, len(ids) + 1, dtype=np.int64)


def _frame(names: list[str], rows: list[tuple], where: str, key: str = "id") -> pd.DataFrame:
    """Rows of one table as the readers' text frame; ``_baris`` is the row's key (see _row_numbers)."""
    names = [str(n).strip().lower() for n in names]
    if len(set(names)) != len(names):
        raise SourceError(f"{where}: nama kolom ganda")
    cells = {n: _column(col) for n, col in zip(names, zip(*rows))} if rows else {n: [] for n in names}
    frame = pd.DataFrame({n: pd.Series(v, dtype="str") for n, v in cells.items()})
    frame[ROW_COLUMN] = _row_numbers(cells[key]) if key in cells else np.arange(
        1, len(frame) + 1, dtype=np.int64)
    frame[FILE_COLUMN] = pd.Series([where] * len(frame), dtype="str")
    return frame


def _read_table(conn: Connection, name: str, where: str) -> pd.DataFrame:
    """One table of a database, in id order."""
    quoted = conn.dialect.identifier_preparer.quote(name)
    columns = [str(c["name"]).lower() for c in inspect(conn).get_columns(name)]
    key = TABLE_KEYS.get(name.lower(), "id")  # a fixed column name, never from the source
    order = f" ORDER BY {key}" if key in columns else ""
    result = conn.execution_options(stream_results=True).execute(text(f"SELECT * FROM {quoted}{order}"))
    return _frame(list(result.keys()), result.fetchall(), where, key)


def read_tables(engine: Engine, prefix: str) -> dict[str, pd.DataFrame]:
    """The known OpenSID tables of a database, read in one transaction (one consistent snapshot)."""
    with engine.connect() as conn:
        present = {n.lower(): n for n in inspect(conn).get_table_names()}
        return {lower: _read_table(conn, name, f"{prefix}/{lower}")
                for lower, name in sorted(present.items()) if lower in KNOWN_TABLES}


def _failure(exc: Exception, label: str) -> SourceError:
    """The SourceError for a database failure: its class and numeric code, never the driver's text."""
    # Driver messages may echo SQL or data; keep only the error class and its numeric code.
    code = ""
    if isinstance(exc, DBAPIError) and exc.orig is not None and getattr(exc.orig, "args", None):
        first = exc.orig.args[0]
        code = f", kode {first}" if isinstance(first, int) else ""
    return SourceError(f"basis data {label} tidak dapat dibaca ({type(exc).__name__}{code})")


def read_database(source: str) -> tuple[str, str, dict[str, pd.DataFrame]]:
    """Kind, password-free label and tables of a database URL (e.g. mysql+pymysql://...)."""
    url = database_url(source)
    label = safe_label(url)
    if url.get_backend_name() == "sqlite":
        if not url.database or not Path(url.database).is_file():
            raise SourceError(f"basis data {label} tidak ditemukan")
        return "sqlite", label, read_sqlite_file(Path(url.database), Path(url.database).name)
    options: dict = {}
    if url.get_backend_name() in ("mysql", "mariadb"):
        # REPEATABLE READ: the four tables come from one snapshot even while OpenSID writes.
        options = {"isolation_level": "REPEATABLE READ", "connect_args": {
            "connect_timeout": 15, "charset": url.query.get("charset", "utf8mb4")}}
    try:
        engine = create_engine(url, poolclass=NullPool, **options)
    except (NoSuchModuleError, ImportError):
        raise SourceError(f"driver basis data untuk {url.drivername} tidak terpasang") from None
    except (ArgumentError, SQLAlchemyError, TypeError) as exc:
        raise _failure(exc, label) from None
    try:
        tables = read_tables(engine, url.database or url.get_backend_name())
    except SourceError:
        raise
    except (SQLAlchemyError, OSError, ValueError, TypeError) as exc:
        raise _failure(exc, label) from None
    finally:
        engine.dispose()
    return url.get_backend_name(), label, tables


def read_sqlite_file(path: Path, where: str) -> dict[str, pd.DataFrame]:
    """The known OpenSID tables of a SQLite export, opened read-only."""
    # Plain sqlite3, not an Engine: the app's connect hook would switch the file to WAL.
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        raise SourceError(f"{where}: basis data SQLite tidak dapat dibuka") from None
    try:
        conn.execute("BEGIN")  # one snapshot for every table
        present = {r[0].lower(): r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        tables = {}
        for lower, name in sorted(present.items()):
            if lower not in KNOWN_TABLES:
                continue
            quoted = '"' + name.replace('"', '""') + '"'
            columns = [str(r[1]).lower() for r in conn.execute(f"PRAGMA table_info({quoted})")]
            key = TABLE_KEYS.get(lower, "id")  # a fixed column name, never from the source
            order = f" ORDER BY {key}" if key in columns else ""
            cursor = conn.execute(f"SELECT * FROM {quoted}{order}")
            names = [d[0] for d in cursor.description]
            tables[lower] = _frame(names, cursor.fetchall(), f"{where}/{lower}", key)
        return tables
    except sqlite3.Error as exc:
        raise SourceError(f"{where}: basis data SQLite rusak ({type(exc).__name__})") from None
    finally:
        conn.close()
