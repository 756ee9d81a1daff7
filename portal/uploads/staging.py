"""An uploaded file between the web page's two steps (upload, then mapping): kept, then gone.

The bytes wait in the instance folder under a random id (the id is the only way back to
them) with a small JSON of what the produsen chose: file name, dataset, OPD, sheet and the
schema so far. Nothing of the file goes into the session or a log. The folder is removed
when the draft is saved, and any staged upload older than ``STAGED_SECONDS`` is removed on
the next visit to the upload pages (and answers 404 from then on).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

STAGED_SECONDS = 2 * 3600  # how long an uploaded file waits for its mapping to be saved
FOLDER = "unggahan"  # under the instance folder
CONTENT, META = "berkas", "meta.json"
UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass
class Staged:
    """One staged upload: its id, its bytes and the produsen's choices so far."""

    id: str
    content: bytes
    meta: dict


def root() -> Path:
    """The folder of staged uploads (created on first use, readable by the portal only)."""
    folder = Path(current_app.instance_path) / FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def purge(now: float | None = None) -> int:
    """Remove every staged upload older than STAGED_SECONDS; how many were removed."""
    now = time.time() if now is None else now
    removed = 0
    for folder in root().iterdir():
        content = folder / CONTENT
        try:
            expired = not content.is_file() or now - content.stat().st_mtime > STAGED_SECONDS
        except OSError:
            expired = True
        if expired:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def stage(content: bytes, meta: dict) -> str:
    """Keep ``content`` with ``meta`` under a new random id; the id."""
    purge()
    upload_id = secrets.token_urlsafe(24)
    folder = root() / upload_id
    folder.mkdir(mode=0o700)
    _write(folder / CONTENT, content)
    _write(folder / META, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    return upload_id


def _write(path: Path, data: bytes) -> None:
    """Write a file only the portal's own account may read."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _folder(upload_id: str) -> Path | None:
    """The folder of a well-formed id (never a path a caller can steer elsewhere)."""
    if not isinstance(upload_id, str) or not UPLOAD_ID.fullmatch(upload_id):
        return None
    return root() / upload_id


def load(upload_id: str) -> Staged | None:
    """The staged upload, or None when the id is unknown, malformed or expired."""
    purge()
    folder = _folder(upload_id)
    if folder is None or not (folder / CONTENT).is_file():
        return None
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        return Staged(upload_id, (folder / CONTENT).read_bytes(), meta)
    except (OSError, ValueError):
        discard(upload_id)
        return None


def save_meta(upload_id: str, meta: dict) -> None:
    """Replace the produsen's choices of a staged upload."""
    folder = _folder(upload_id)
    if folder is not None and folder.is_dir():
        _write(folder / META, json.dumps(meta, ensure_ascii=False).encode("utf-8"))


def discard(upload_id: str) -> None:
    """Remove a staged upload (after its draft is saved, or when it is refused)."""
    folder = _folder(upload_id)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
