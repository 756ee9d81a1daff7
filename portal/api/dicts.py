"""CKAN dicts (package, resource, organization, group, tag, license) built from the snapshot."""
from __future__ import annotations

from datetime import datetime

from portal.api.index import Entry, OrgInfo, Snapshot, VersionInfo
from portal.core.ids import stable_id
from portal.core.site import base_url, district_code, district_name, walidata_title
from portal.core.vocabularies import LICENCES, Licence, licence
from portal.datasets.topics import get_topic

REFERENCE_CODES = "Kode wilayah Kemendagri (Kepmendagri No 300.2.2-2138 Tahun 2025)"
REGION_CODE_COLUMNS = ("kode_provinsi", "kode_kabupaten", "kode_kecamatan", "kode_desa")
EU_FREQUENCY = {
    "bulanan": "MONTHLY", "triwulanan": "QUARTERLY", "semesteran": "BIANNUAL", "tahunan": "ANNUAL",
}
FILE_DESCRIPTIONS = {
    "csv": "Tabel data (CSV, UTF-8). Sel 'x' disembunyikan untuk pelindungan data pribadi.",
    "json": "Metadata Frictionless Data Package (datapackage.json) dengan Table Schema.",
    "zip": "Paket data lengkap (CSV dan datapackage.json) dalam satu arsip zip.",
}


def ckan_time(value: datetime | None) -> str | None:
    """CKAN's timestamp: naive UTC ISO 8601 with microseconds, compared as text by harvesters."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def file_url(entry: Entry, version: VersionInfo, filename: str) -> str:
    """The permanent download URL of a version's file."""
    return f"{base_url()}/dataset/{entry.name}/version/{version.version}/download/{filename}"


def license_dict(lic: Licence) -> dict:
    """license_list's item for one licence."""
    return {"id": lic.id, "title": lic.title, "url": lic.url, "family": "", "status": "active",
            "maintainer": "", "is_generic": False, "od_conformance": "approved",
            "osd_conformance": "not reviewed", "domain_content": True, "domain_data": True,
            "domain_software": False, "is_okd_compliant": True, "is_osi_compliant": False}


def resource_dict(entry: Entry, version: VersionInfo, position: int) -> dict:
    """One file of a version as a CKAN resource; the id is stable across versions."""
    f = version.files[position]
    return {
        "id": stable_id("resource", entry.id, f.name), "package_id": entry.id,
        "url": file_url(entry, version, f.name), "format": f.format.upper(),
        "description": FILE_DESCRIPTIONS.get(f.format, ""), "hash": f.sha256,
        "name": f.name, "resource_type": "file", "mimetype": f.media_type, "mimetype_inner": None,
        "size": f.bytes, "created": ckan_time(version.published_at),
        "last_modified": ckan_time(version.published_at),
        "metadata_modified": ckan_time(version.published_at), "cache_url": None,
        "cache_last_updated": None, "url_type": None, "state": "active", "position": position,
        # Every published table can be queried with datastore_search.
        "datastore_active": f.format == "csv", "version": version.version,
    }


def tag_dict(name: str) -> dict:
    """A free tag as CKAN returns it inside a package."""
    return {"id": stable_id("tag", name), "name": name, "display_name": name,
            "state": "active", "vocabulary_id": None}


def group_core(topic: str) -> dict:
    """The short group dict found inside a package (topics are CKAN groups), from the register.

    Titles and descriptions are the register's Indonesian ones (the API speaks one language);
    a slug the register lacks still gets a readable title.
    """
    found = get_topic(topic)
    title = found.title if found else topic.replace("-", " ").title()
    description = (found.description if found else "") or f"Topik {title}"
    return {"id": stable_id("group", topic), "name": topic, "title": title, "display_name": title,
            "description": description, "image_url": "", "image_display_url": ""}


def organization_core(org: OrgInfo) -> dict:
    """The organization dict found inside a package."""
    return {"id": stable_id("organization", str(org.id)), "name": org.name, "title": org.title,
            "type": "organization", "description": org.description, "image_url": "",
            "created": None, "is_organization": True, "approval_status": "approved",
            "state": "active"}


def _extras(entry: Entry, version: VersionInfo) -> list[dict]:
    """Satu Data Indonesia metadata as CKAN extras, so portals that harvest ours keep it: the
    dataset's own values, else what the portal knows (codes in the table, the district)."""
    codes = [c for c in REGION_CODE_COLUMNS if c in entry.columns]
    code = district_code()
    sdi = {k: v for k, v in entry.sdi.items() if v}
    extras = {
        "produsen_data": entry.org.title,
        "walidata": walidata_title(),
        "kode_referensi": f"{', '.join(codes) or 'kode wilayah'}: {REFERENCE_CODES}",
        "frekuensi_penerbitan": entry.frequency,
        "frequency": "http://publications.europa.eu/resource/authority/frequency/"
                     + EU_FREQUENCY.get(entry.frequency, "UNKNOWN"),
        "klasifikasi_uu_pdp": entry.privacy_class,
        "klasifikasi_uu_pdp_label": entry.privacy_label,
        "tanggal_referensi": version.reference_date.isoformat(),
        "cakupan_wilayah": f"{code} {district_name()}",
        "version_notes": version.change_note,
        **sdi,
        **({"kontak": entry.org.email} if entry.org.email else {}),
    }
    return [{"key": k, "value": v} for k, v in sorted(extras.items())]


def package_dict(entry: Entry, version: VersionInfo | None = None) -> dict:
    """package_show's dict of a dataset as of ``version`` (default: the latest)."""
    version = version or entry.latest
    lic = licence(entry.licence_id)
    resources = [resource_dict(entry, version, i) for i in range(len(version.files))]
    is_latest = version is entry.latest
    return {
        "id": entry.id, "name": entry.name, "title": entry.title, "version": version.version,
        "url": f"{base_url()}/dataset/{entry.name}", "author": entry.org.title,
        "author_email": entry.org.email or None,
        "maintainer": walidata_title(), "maintainer_email": None, "notes": entry.description,
        "license_id": lic.id, "license_title": lic.title, **({"license_url": lic.url} if lic.url else {}),
        "isopen": entry.licence_id in LICENCES, "type": "dataset",
        "owner_org": stable_id("organization", str(entry.org.id)), "creator_user_id": None,
        "metadata_created": ckan_time(entry.created),
        "metadata_modified": ckan_time(entry.modified if is_latest else version.published_at),
        "private": False, "state": "active", "num_resources": len(resources),
        "num_tags": len(entry.tags), "tags": [tag_dict(t) for t in entry.tags],
        "groups": [group_core(entry.topic)], "organization": organization_core(entry.org),
        "extras": _extras(entry, version), "resources": resources,
        "relationships_as_subject": [], "relationships_as_object": [],
    }


def latest_package(snap: Snapshot, entry: Entry) -> dict:
    """The latest package dict of ``entry``, built once per snapshot."""
    cache = snap.memo.setdefault("packages", {})
    if entry.id not in cache:
        cache[entry.id] = package_dict(entry)
    return cache[entry.id]


def organization_dict(snap: Snapshot, org: OrgInfo) -> dict:
    """organization_show's dict (without datasets)."""
    entries = [e for e in snap.entries if e.org.id == org.id]
    created = min((e.created for e in entries), default=None)
    return {**organization_core(org), "display_name": org.title, "created": ckan_time(created),
            "package_count": len(entries), "num_followers": 0, "image_display_url": "",
            "extras": [], "tags": [], "groups": [], "users": []}


def group_dict(snap: Snapshot, topic: str) -> dict:
    """group_show's dict of a topic (without datasets)."""
    entries = [e for e in snap.entries if e.topic == topic]
    created = min((e.created for e in entries), default=None)
    return {**group_core(topic), "created": ckan_time(created), "type": "group",
            "state": "active", "is_organization": False, "approval_status": "approved",
            "package_count": len(entries), "num_followers": 0, "extras": [], "tags": [],
            "groups": [], "users": []}
