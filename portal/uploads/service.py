"""One upload, left to right: read, scan, infer, refuse persons, check, protect, audit, draft.

Everything that can refuse an upload runs before the first write; the draft is then made by
the same code as a harvest's (datasets.draft_table: versions, supersession, the output scan,
validation, the audit log) and committed, or rolled back with its files removed. An upload
never publishes: the draft goes through submission and the four-eyes review.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from flask import current_app
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.permissions import NotAuthorized, refusal
from portal.core.vocabularies import PrivacyClass
from portal.datasets import services as releases
from portal.datasets.models import Dataset, Organization, Release
from portal.extensions import db
from portal.privacy.policy import POLICY_VERSION
from portal.privacy.report import summary
from portal.privacy.scan import PersonalDataFound, scan_release
from portal.sources.wilayah import load_district
from portal.uploads import crosscheck, persons, sensitivity
from portal.uploads.audit import audit_published
from portal.uploads.errors import UploadError
from portal.uploads.protect import protect
from portal.uploads.read import read_upload
from portal.uploads.roles import Column, apply_schema, describe, infer
from portal.uploads.table import Prepared, prepare, published_csv, table_schema

DATASET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{1,99}")


@dataclass
class UploadResult:
    """The draft an upload made, and what the produsen is told about it."""

    release: Release
    schema: dict
    report: dict
    notes: list[str] = field(default_factory=list)


def inspect_upload(file_bytes: bytes, filename: str, schema: dict | None = None,
                   sheet: str | None = None) -> dict:
    """The inferred (or corrected) schema of a file, for the produsen to confirm; stores nothing."""
    upload = read_upload(file_bytes, filename, sheet)
    columns = infer(upload)
    if schema:
        columns = apply_schema(columns, schema, upload.where)
    return {**describe(columns), "privacy_class": (schema or {}).get("privacy_class", "umum"),
            "rows_are_not_people": bool((schema or {}).get("rows_are_not_people", False))}


def _organization(slug: str) -> Organization:
    found = db.session.scalar(select(Organization).where(Organization.name == slug))
    if found is None:
        raise UploadError(f"OPD {slug!r} tidak dikenal")
    return found


def _target(name: str, org: Organization) -> Dataset | None:
    """The existing dataset ``name`` (of this OPD, not the harvest's), or None for a new one."""
    if not DATASET_NAME.fullmatch(name):
        raise UploadError("nama dataset hanya huruf kecil, angka, '-' dan '_' (2-100 karakter)")
    dataset = db.session.scalar(select(Dataset).where(Dataset.name == name))
    if dataset is None:
        return None
    if dataset.organization_id != org.id:
        raise UploadError(f"dataset {name} milik OPD lain")
    if any(r.harvest_id is not None for r in dataset.releases):
        raise UploadError(f"dataset {name} diisi panen OpenSID; unggahan tidak dapat menggantinya")
    return dataset


def _allowed(user: User, target) -> None:
    why = refusal(user, "upload_table", target)
    if why is not None:
        raise NotAuthorized(why)


def _reference_date(schema: dict) -> date:
    raw = schema.get("reference_date")
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise UploadError("skema: reference_date harus tanggal ISO (2026-12-31)") from None


def _report(name: str, prepared: Prepared, columns: list[Column], protected, audit: dict, k: int,
            chosen: str, klass: str, reasons: list[str], dropped: list[str]) -> dict:
    """The privacy report, shaped as a harvest's (the review page and the gate read it)."""
    k_general = current_app.config["PRIVACY_K_GENERAL"]
    k_specific = current_app.config["PRIVACY_K_SPECIFIC"]
    table = {"table": name, "k": k, "privacy_class": klass, "cells": int(prepared.counts.size),
             "suppressed_primary": protected.primary, "suppressed_secondary": protected.secondary,
             "notes": protected.notes, "narrowest_interval": audit["narrowest_interval"],
             "findings": len(audit["findings"])}
    report = {"format": 1, "policy_version": POLICY_VERSION, "k": {"umum": k_general, "spesifik": k_specific},
              "tables": [table], "audit": audit, "scan": {"passed": False, "files": 0, "findings": []},
              "minimisation": {}, "identities": {"used": [], "contradicted": [], "broken": []},
              "totals": {"tables": 1, "cells": table["cells"], "primary": protected.primary,
                         "secondary": protected.secondary},
              "upload": {"privacy_class_chosen": chosen, "privacy_class": klass, "raised_because": reasons,
                         "dropped": dropped, "rows": len(prepared.frame), "sums": len(prepared.lines),
                         "measures": {c.name: c.measure for c in columns if c.peran == "ukuran"}}}
    return report


def upload_to_draft(file_bytes: bytes, filename: str, dataset: str, organization: str, user: User,
                    schema: dict | None = None, sheet: str | None = None) -> UploadResult:
    """A draft release of ``dataset`` (of ``organization``) from an uploaded table; all or nothing.

    UploadError (file, row, column; never a value) or NotAuthorized when refused; nothing is
    then stored.
    """
    schema = dict(schema or {})
    org = _organization(organization)
    existing = _target(dataset, org)
    _allowed(user, existing or SimpleNamespace(organization_id=org.id, organization=org))
    upload = read_upload(file_bytes, filename, sheet)
    columns = infer(upload)
    if schema:
        columns = apply_schema(columns, schema, upload.where)
    persons.check_columns(upload.frame, columns, upload.where, upload.names)
    persons.check_rows(upload.frame, columns, upload.where, bool(schema.get("rows_are_not_people")))
    prepared = prepare(upload, columns, load_district(current_app.config["DISTRICT_CODE"]))
    title = str(schema.get("title") or (existing.title if existing else dataset.replace("-", " ").title()))
    chosen = str(schema.get("privacy_class") or (existing.privacy_class.value if existing else "umum"))
    klass, reasons = sensitivity.classify(chosen, title, prepared.columns, prepared.frame)
    specific = klass == PrivacyClass.SPECIFIC.value
    k = max(3, current_app.config["PRIVACY_K_SPECIFIC" if specific else "PRIVACY_K_GENERAL"])
    flat = prepared.counts.ravel()
    harvest, checked = crosscheck.for_upload(prepared, _reference_date(schema))
    protected = protect(np.concatenate([flat, prepared.known]), prepared.lines + prepared.margins, k,
                        specific, real=len(flat), forced=checked.forced, pinned=checked.pinned)
    protected.notes += checked.notes
    if len(prepared.margins):
        protected.notes.append(f"{len(prepared.margins)} jumlah per wilayah dan kategori yang tidak ada di "
                               "tabel ini dianggap diketahui penyerang (misalnya jumlah penduduk desa dari "
                               "tabel panen portal); sel dilindungi terhadapnya juga")
    if prepared.counts.size and protected.hidden.all():
        raise UploadError(f"{upload.where}: semua angka orang/keluarga di bawah ambang k={k} atau harus "
                          "disembunyikan; tidak ada yang dapat diterbitkan (gabungkan kategori atau wilayah)")
    csv_bytes, table = published_csv(prepared, protected.hidden), table_schema(prepared)
    audit = audit_published(dataset, csv_bytes, table, k, specific, prepared.known)
    crosscheck.add_findings(audit, dataset, csv_bytes, table, harvest, k, specific, prepared.known)
    report = _report(dataset, prepared, prepared.columns, protected, audit, k, chosen, klass, reasons,
                     upload.dropped)
    report["upload"]["harvest_matches"] = checked.matches
    return _store(dataset, existing, org, user, title, schema, klass, table, csv_bytes, report)


def _store(name: str, existing: Dataset | None, org: Organization, user: User, title: str, schema: dict,
           klass: str, table: dict, csv_bytes: bytes, report: dict) -> UploadResult:
    """Write the dataset (when new) and its draft, scan the draft's files, commit; or undo all."""
    draft = None
    try:
        dataset = existing or Dataset(name=name, title=title[:200],
                                      description=str(schema.get("description", ""))[:5000],
                                      topic=str(schema.get("topic", "lainnya"))[:60],
                                      privacy_class=PrivacyClass(klass), organization=org,
                                      tags=[str(t) for t in schema.get("tags", [])][:20] or ["unggahan-opd"])
        if existing is None:
            db.session.add(dataset)
            db.session.flush()
        elif klass == PrivacyClass.SPECIFIC.value:
            dataset.privacy_class = PrivacyClass.SPECIFIC
        draft = releases.draft_table(dataset, table, csv_bytes, dict(report), _reference_date(schema), None, user,
                                     [{"title": f"Unggahan produsen data {org.title}"}])
        if draft is None:
            raise UploadError(f"dataset {name}: isi dan skema sama dengan versi terakhir; tidak ada draf baru")
        # draft_table scanned every file it wrote (PersonalDataFound otherwise); the names too.
        directory = Path(releases.storage().draft_dir(draft.id))
        files = [p.relative_to(directory).as_posix() for p in sorted(directory.rglob("*")) if p.is_file()]
        findings = scan_release({f"{name}/{f}": b"" for f in files}, set())
        if findings:
            raise PersonalDataFound(findings)
        report["scan"] = {"passed": True, "files": len(files), "findings": []}
        report["passed"] = bool(report["audit"]["passed"])
        report["summary"] = summary(report)
        draft.privacy_report = dict(report)
        db.session.commit()
        return UploadResult(draft, table, report)
    except PersonalDataFound as exc:
        _undo(draft)
        first = exc.findings[0]
        raise UploadError(f"berkas yang akan terbit ({first.file} {first.where or f'baris {first.line}'}) "
                          f"memuat pola data pribadi ({first.pattern}); unggahan ditolak") from None
    except BaseException:
        _undo(draft)
        raise


def _undo(draft: Release | None) -> None:
    """Roll the session back and remove a draft's files."""
    draft_id = draft.id if draft is not None else None
    db.session.rollback()
    if draft_id is not None:
        releases.storage().discard_draft(draft_id)
