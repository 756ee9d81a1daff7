"""Writing the audit log (the record of processing activities of UU PDP Pasal 31) and its CSV export.

Accounts, the release workflow and the registers append here; nothing here imports them.
"""
from __future__ import annotations

import csv
import io
import json

from portal.audit.models import AuditEvent
from portal.extensions import db

CSV_COLUMNS = ["id", "waktu_utc", "pengguna", "peran", "tindakan", "rilis", "dataset", "versi",
               "berkas_sha256", "catatan", "rincian"]


def record(action: str, actor=None, release=None, **detail) -> AuditEvent:
    """Append an event (who, when, which release and its file hashes); the caller commits.

    ``actor`` is an account and ``release`` a release, or None; both are read by attribute so
    that the log depends on neither package.
    """
    if release is not None:
        detail.setdefault("dataset", release.dataset.name)
        detail.setdefault("version", release.version)
        if "files" not in detail and release.files:
            detail["files"] = {f.name: f.sha256 for f in release.files}
    event = AuditEvent(action=action, actor=actor, release=release, detail=detail)
    db.session.add(event)
    return event


def _note(detail: dict) -> str:
    return next((str(detail[k]) for k in ("reason", "comment", "note", "error") if detail.get(k)), "")


def _safe(value):
    # Reasons and comments are typed by people; a spreadsheet must not run them as formulas.
    text = str(value)
    return f"'{text}" if text.startswith(("=", "+", "-", "@")) else value


def to_csv(found: list[AuditEvent]) -> str:
    """The events as CSV (UTF-8, one row per event), for the walidata's export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in found:
        detail = e.detail or {}
        files = detail.get("files") or {}
        writer.writerow([_safe(v) for v in [
            e.id, e.at.strftime("%Y-%m-%dT%H:%M:%SZ"), e.actor.email if e.actor else "sistem",
            e.actor.role.value if e.actor else "", e.action, e.release_id or "",
            detail.get("dataset", ""), detail.get("version", ""),
            ";".join(f"{name}={sha}" for name, sha in sorted(files.items())), _note(detail),
            json.dumps(detail, ensure_ascii=False, sort_keys=True)]])
    return buffer.getvalue()
