"""`backup` and `restore`: the database and every stored file, with a manifest of sha256 sums."""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, make_url, text

from portal.extensions import db

FORMAT = "portal-backup/1"


class BackupError(Exception):
    """A backup or restore that cannot go on; nothing was changed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_url(url) -> str:
    """A libpq URL (pg_dump does not know SQLAlchemy's driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _dump_database(workdir: Path) -> str:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        target = workdir / "database.sqlite3"
        # The online backup API copies a consistent snapshot while the portal keeps serving.
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        target = workdir / "database.pgdump"
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                        f"--file={target}", _pg_url(url)], check=True, capture_output=True)
        return "postgresql"
    raise BackupError(f"database {url.get_backend_name()} is not supported")


def make_backup(out: Path) -> dict:
    """Write a tar.gz of the database snapshot and the storage; return its manifest."""
    storage = Path(current_app.config["STORAGE_DIR"])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        kind = _dump_database(work)
        dump = next(work.iterdir())
        files = {f"database/{dump.name}": _sha256(dump)}
        stored = sorted(p for p in storage.rglob("*") if p.is_file()
                        and not any(part.startswith(".") for part in p.relative_to(storage).parts))
        for path in stored:
            files[f"storage/{path.relative_to(storage).as_posix()}"] = _sha256(path)
        manifest = {"format": FORMAT, "database": kind, "files": files,
                    "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        partial = out.with_name(out.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=f"database/{dump.name}")
            for path in stored:
                archive.add(path, arcname=f"storage/{path.relative_to(storage).as_posix()}")
        os.replace(partial, out)
    return manifest


def _instance_is_empty() -> bool:
    tables = set(inspect(db.engine).get_table_names())
    if "release" in tables and db.session.execute(text("SELECT COUNT(*) FROM release")).scalar():
        return False
    storage = Path(current_app.config["STORAGE_DIR"])
    return not any(p.is_file() for p in storage.rglob("*")) if storage.exists() else True


def _safe_members(archive: tarfile.TarFile, manifest: dict) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = member.name
        if name == "manifest.json":
            continue
        if name not in manifest["files"] or not member.isfile() or ".." in Path(name).parts:
            raise BackupError(f"unexpected entry in backup: {name}")
        members.append(member)
    return members


def restore_backup(source: Path) -> dict:
    """Bring a backup back into this (empty) instance after checking every sha256."""
    if not _instance_is_empty():
        raise BackupError("instance is not empty: restore needs a fresh database and storage")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as archive:
        work = Path(tmp)
        manifest = json.load(archive.extractfile("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BackupError("not a portal backup")
        members = _safe_members(archive, manifest)
        archive.extractall(work, members=members, filter="data")
        for name, digest in manifest["files"].items():
            if _sha256(work / name) != digest:
                raise BackupError(f"checksum mismatch: {name}")
        _restore_database(work, manifest["database"])
        storage = Path(current_app.config["STORAGE_DIR"])
        for name in manifest["files"]:
            if name.startswith("storage/"):
                target = storage / name[len("storage/"):]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(work / name, target)
    return manifest


def _restore_database(work: Path, kind: str) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if kind != url.get_backend_name():
        raise BackupError(f"backup holds a {kind} database, this instance uses {url.get_backend_name()}")
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        for suffix in ("-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
        shutil.copy2(work / "database" / "database.sqlite3", url.database)
        return
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.engine.dispose()
    subprocess.run(["pg_restore", "--no-owner", "--no-privileges", f"--dbname={_pg_url(url)}",
                    str(work / "database" / "database.pgdump")], check=True, capture_output=True)


@click.command("backup")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
def backup_command(out: Path) -> None:
    """Back up the database and every stored file into OUT.tar.gz."""
    try:
        manifest = make_backup(out)
    except (BackupError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(f"backup gagal: {exc}") from None
    click.echo(f"{out}: {len(manifest['files'])} berkas, basis data {manifest['database']}.")


@click.command("restore")
@click.argument("source", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@with_appcontext
def restore_command(source: Path) -> None:
    """Restore a backup into an empty instance."""
    try:
        manifest = restore_backup(source)
    except (BackupError, subprocess.CalledProcessError, tarfile.TarError, KeyError) as exc:
        raise click.ClickException(f"pemulihan gagal: {exc}") from None
    click.echo(f"Dipulihkan: {len(manifest['files'])} berkas dari cadangan {manifest['created']}.")
