"""Backup and restore: every published file byte-identical, every public answer the same."""
import hashlib
import tarfile
from pathlib import Path

import pytest

from portal import create_app
from portal.extensions import db
from portal.ops.backup import BackupError, make_backup, restore_backup

PAGES = ["/", "/dataset", "/dataset/penduduk-dan-keluarga",
         "/dataset/penduduk-dan-keluarga/version/1.0.0/download/penduduk-dan-keluarga.csv",
         "/dataset/penduduk-dan-keluarga/version/1.0.0/download/datapackage.json",
         "/api/3/action/package_list", "/api/3/action/package_show?id=penduduk-dan-keluarga"]


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}


def _answers(client) -> dict[str, bytes]:
    return {url: client.get(url).get_data() for url in PAGES}


def test_round_trip_restores_files_and_answers(app, published, tmp_path):
    before_files = _files(Path(app.config["STORAGE_DIR"]))
    before = _answers(app.test_client())
    archive = tmp_path / "backup.tar.gz"
    manifest = make_backup(archive)
    assert any(name.endswith("penduduk-dan-keluarga.csv") for name in manifest["files"])
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL round trip restores into the same database below")
    fresh = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "other"),
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}",
                        "STORAGE_DIR": str(tmp_path / "other-storage"), "SECRET_KEY": "x"})
    with fresh.app_context():
        restore_backup(archive)
        assert _files(Path(fresh.config["STORAGE_DIR"])) == before_files
        assert _answers(fresh.test_client()) == before


def test_restore_refuses_a_non_empty_instance(app, published, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    make_backup(archive)
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(archive)


def test_restore_refuses_a_tampered_backup(app, published, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    make_backup(archive)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if member.name.endswith(".csv"):
                data = data.replace(b",", b";", 1)
                member.size = len(data)
            dst.addfile(member, __import__("io").BytesIO(data) if data is not None else None)
    fresh = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "other"),
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}",
                        "STORAGE_DIR": str(tmp_path / "other-storage"), "SECRET_KEY": "x"})
    with fresh.app_context():
        with pytest.raises(BackupError, match="checksum"):
            restore_backup(tampered)


def test_backup_command(runner, published, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "b.tar.gz")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.tar.gz").exists() and not (tmp_path / "b.tar.gz.part").exists()
