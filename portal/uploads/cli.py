"""``flask datasets upload``: an OPD's table to a draft release, as the web page and the API do."""
from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.permissions import NotAuthorized
from portal.extensions import db
from portal.uploads.errors import UploadError
from portal.uploads.read import MAX_UPLOAD_BYTES
from portal.uploads.service import inspect_upload, upload_to_draft


@click.group("datasets")
def datasets_group() -> None:
    """Datasets of the OPDs: upload a table as a draft release."""


def _read(path: Path) -> bytes:
    """The file's bytes, refused over the upload bound before it is read."""
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        raise click.ClickException(f"{path.name}: berkas lebih dari {MAX_UPLOAD_BYTES // 1024**2} MB")
    return path.read_bytes()


def _schema(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise click.ClickException(f"{path.name}: skema bukan JSON yang sah") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path.name}: skema harus objek JSON")
    return data


@datasets_group.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", "dataset", required=True, help="Nama dataset (baru atau milik OPD ini).")
@click.option("--organization", "organization", required=True, help="Slug OPD pemilik dataset.")
@click.option("--as", "as_user", required=True, help="E-mail produsen data yang mengunggah.")
@click.option("--schema", "schema_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Skema JSON: peran kolom, jenis ukuran, MS-Var, kelas UU PDP.")
@click.option("--sheet", default=None, help="Lembar XLSX yang dibaca (bawaan: lembar pertama yang tampak).")
@click.option("--infer", "infer_only", is_flag=True,
              help="Cetak skema hasil tebakan (JSON) untuk dikoreksi; tidak menyimpan apa pun.")
def datasets_upload(file: Path, dataset: str, organization: str, as_user: str, schema_path: Path | None,
                    sheet: str | None, infer_only: bool) -> None:
    """Upload FILE (CSV, XLSX, or a data package zip) as a draft release; never publishes."""
    content, schema = _read(file), _schema(schema_path)
    try:
        if infer_only:
            click.echo(json.dumps(inspect_upload(content, file.name, schema, sheet), indent=2,
                                  ensure_ascii=False))
            return
        user = db.session.scalar(select(User).where(User.email == as_user.strip().lower()))
        if user is None:
            raise click.ClickException(f"akun {as_user} tidak ada")
        result = upload_to_draft(content, file.name, dataset, organization, user, schema, sheet)
    except (UploadError, NotAuthorized) as exc:
        raise click.ClickException(str(exc)) from None
    release, report = result.release, result.report
    click.echo(f"Draf rilis #{release.id} dataset {release.dataset.name} versi {release.version} "
               f"(status {release.status.value}); ajukan dengan: flask releases submit {release.id}")
    upload = report["upload"]
    if upload["raised_because"]:
        click.echo(f"Kelas UU PDP dinaikkan ke {upload['privacy_class']}: " + "; ".join(upload["raised_because"]))
    for line in report["summary"]:
        click.echo(f"  {line}")
