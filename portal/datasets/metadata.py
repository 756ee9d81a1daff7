"""Satu Data Indonesia metadata of a dataset: the field list as data, and its completeness check.

Perpres 39/2019 Pasal 3 asks every dataset for Standar Data (konsep, definisi, klasifikasi,
ukuran, satuan: Pasal 4) and metadata; ../shared/reference/satu-data.md §8 lists what a
dataset page shows. Each field says where its value comes from:

- ``meta``: the release's metadata (a produsen edits it through a draft; the harvest fills
  its tables' from the table catalogue), kept on the dataset once published;
- ``organization``: the OPD publishing the dataset (its title, its role address);
- ``setting``: the portal's configuration (the walidata, one per pemda);
- ``release``: the version itself (its reference date, when no period is written).

The walidata's review lists what is missing in words a walidata understands, and approval is
refused until nothing is (portal.datasets.workflow).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.site import walidata_title
from portal.core.vocabularies import Frequency, licence, source_text
from portal.datasets.models import Dataset, Organization
from portal.extensions import db

META, ORGANIZATION, SETTING, RELEASE = "meta", "organization", "setting", "release"

# The levels a table can be presented at (BPS: level estimasi / tingkat penyajian).
PRESENTATION_LEVELS: dict[str, LazyString] = {
    "desa": _l("Desa/kelurahan"), "kecamatan": _l("Kecamatan"), "kabupaten": _l("Kabupaten"),
}
# Free mail providers: an address there belongs to a person, never to an OPD.
PERSONAL_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.id", "ymail.com", "rocketmail.com",
    "hotmail.com", "outlook.com", "live.com", "msn.com", "icloud.com", "me.com", "aol.com",
    "proton.me", "protonmail.com", "gmx.com", "mail.com", "zoho.com", "yandex.com",
})
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class SdiField:
    """One Satu Data Indonesia metadata field of a dataset."""

    name: str             # key in extras, in the datapackage's ``satudata`` block
    label: LazyString     # Indonesian label (English in messages.po)
    label_en: str         # English label for machine outputs that carry both
    required: bool
    source: str           # META, ORGANIZATION, SETTING or RELEASE
    where: LazyString     # where a produsen or walidata fills it in, for the missing list
    meta_key: str = ""    # the release metadata key (META fields)
    max_length: int = 0   # the column's length (META fields a produsen types)

    @property
    def label_id(self) -> str:
        """The Indonesian label (stable: extras keys and published files use it)."""
        return source_text(self.label)


_FORM = _l("formulir metadata dataset")
_OPD = _l("halaman OPD (walidata)")

SDI_FIELDS: tuple[SdiField, ...] = (
    SdiField("judul", _l("Judul"), "Title", True, META, _FORM, "title", 200),
    SdiField("deskripsi", _l("Deskripsi"), "Description", True, META, _FORM, "description", 5000),
    SdiField("produsen_data", _l("Produsen data (OPD)"), "Data producer (agency)", True,
             ORGANIZATION, _FORM),
    SdiField("walidata", _l("Walidata"), "Data custodian (walidata)", True, SETTING,
             _l("pengaturan WALIDATA_TITLE")),
    SdiField("konsep", _l("Konsep"), "Concept", True, META, _FORM, "konsep", 200),
    SdiField("definisi", _l("Definisi"), "Definition", True, META, _FORM, "definisi", 2000),
    SdiField("klasifikasi", _l("Klasifikasi"), "Classification", True, META, _FORM,
             "klasifikasi", 500),
    SdiField("ukuran", _l("Ukuran"), "Measure", True, META, _FORM, "ukuran", 100),
    SdiField("satuan", _l("Satuan"), "Unit of measure", True, META, _FORM, "satuan", 100),
    SdiField("frekuensi_penerbitan", _l("Frekuensi penerbitan"), "Update frequency", True, META,
             _FORM, "frequency"),
    SdiField("periode_data", _l("Periode/tahun data"), "Data period", True, RELEASE, _FORM,
             "periode_data", 100),
    SdiField("tingkat_penyajian", _l("Tingkat penyajian"), "Presentation level", True, META,
             _FORM, "tingkat_penyajian", 20),
    SdiField("cakupan_wilayah", _l("Cakupan wilayah"), "Geographic coverage", True, META, _FORM,
             "cakupan_wilayah", 200),
    SdiField("sumber_data", _l("Sumber data"), "Data source", True, META, _FORM, "sumber_data", 500),
    SdiField("kode_referensi", _l("Kode referensi"), "Reference codes", True, META, _FORM,
             "kode_referensi", 200),
    SdiField("lisensi", _l("Lisensi"), "Licence", True, META, _FORM, "licence_id"),
    SdiField("kontak", _l("Kontak (alamat email peran OPD)"), "Contact (agency role address)",
             True, ORGANIZATION, _OPD),
)
# The release metadata keys this module adds to the catalog's (title, description, ...).
SDI_META_KEYS: tuple[str, ...] = tuple(
    f.meta_key for f in SDI_FIELDS if f.meta_key and hasattr(Dataset, f.meta_key)
    and f.meta_key not in ("title", "description", "frequency", "licence_id"))
FIELDS_BY_NAME = {f.name: f for f in SDI_FIELDS}


def dataset_values(dataset: Dataset) -> dict[str, str]:
    """The SDI metadata columns of a dataset (its published values), by release metadata key."""
    return {key: getattr(dataset, key) or "" for key in SDI_META_KEYS}


def apply_values(dataset: Dataset, meta: dict) -> None:
    """Copy the SDI keys present in ``meta`` onto the dataset (on publication)."""
    for key in SDI_META_KEYS:
        if key in meta:
            setattr(dataset, key, meta[key] or "")


def fill_missing(dataset: Dataset, values: dict[str, str]) -> None:
    """Fill the dataset's empty SDI columns from ``values`` (the table catalogue's); a value a
    produsen already gave is never overwritten."""
    for key in SDI_META_KEYS:
        if not getattr(dataset, key) and values.get(key):
            setattr(dataset, key, values[key])


def is_role_address(email: str) -> bool:
    """Whether ``email`` can be an OPD's role address: a well-formed address that is not at a
    free mail provider (those belong to people)."""
    email = (email or "").strip()
    if not EMAIL_RE.match(email) or len(email) > 200:
        return False
    return email.rsplit("@", 1)[1].lower() not in PERSONAL_MAIL_DOMAINS


def clean_email(email: str) -> str:
    """An OPD role address as stored ("" allowed: not yet set); ValueError otherwise."""
    email = (email or "").strip().lower()
    if email and not is_role_address(email):
        raise ValueError(_("Kontak harus alamat email peran OPD (mis. dinas@tabanankab.go.id), "
                           "bukan alamat pribadi atau penyedia email gratis."))
    return email


def clean_values(meta: dict) -> dict:
    """``meta`` with its SDI keys trimmed and checked; ValueError with a message citing the
    field (never its value)."""
    cleaned = dict(meta)
    for field in SDI_FIELDS:
        key = field.meta_key
        if key not in SDI_META_KEYS:
            continue
        value = cleaned.get(key, "")
        if not isinstance(value, str):
            raise ValueError(_("%(field)s harus berupa teks", field=field.label))
        value = " ".join(value.split()) if key != "definisi" else value.strip()
        if len(value) > field.max_length:
            raise ValueError(_("%(field)s paling banyak %(n)s karakter", field=field.label,
                               n=field.max_length))
        cleaned[key] = value
    level = cleaned.get("tingkat_penyajian", "")
    if level and level not in PRESENTATION_LEVELS:
        raise ValueError(_("Tingkat penyajian harus salah satu dari: desa, kecamatan, kabupaten"))
    return cleaned


MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")


def reference_text(value: date) -> str:
    """A version's reference date as its period, in words (published in Indonesian)."""
    return f"tanggal referensi {value.day} {MONTHS[value.month - 1]} {value.year}"


def _organization(meta: dict) -> Organization | None:
    name = meta.get("organization")
    return db.session.scalar(select(Organization).where(Organization.name == name)) if name else None


def values(meta: dict, reference_date: date | None = None,
           organization: Organization | None = None) -> dict[str, str]:
    """Every SDI field's value as published (Indonesian), "" where it is missing.

    ``meta`` is a release's metadata (drafts.release_meta); its OPD is looked up by slug
    unless given.
    """
    org = organization or _organization(meta)
    frequency = meta.get("frequency")
    frequency_label = Frequency(frequency).label_id if frequency in {f.value for f in Frequency} else ""
    lic_id = meta.get("licence_id") or ""
    period = meta.get("periode_data") or ""
    if not period and reference_date is not None:
        period = reference_text(reference_date)
    found = {
        "judul": meta.get("title") or "", "deskripsi": meta.get("description") or "",
        "produsen_data": org.title if org else "", "walidata": walidata_title(),
        "frekuensi_penerbitan": frequency_label, "periode_data": period,
        "lisensi": licence(lic_id).title if lic_id else "",
        "kontak": org.email if org and org.email else "",
    }
    for key in SDI_META_KEYS:
        if key != "periode_data":
            found[key] = str(meta.get(key) or "")
    level = found.get("tingkat_penyajian", "")
    if level in PRESENTATION_LEVELS:
        found["tingkat_penyajian"] = source_text(PRESENTATION_LEVELS[level])
    return {f.name: found.get(f.name, "").strip() for f in SDI_FIELDS}


def missing(meta: dict, reference_date: date | None = None,
            organization: Organization | None = None) -> list[str]:
    """What keeps this metadata from meeting Satu Data Indonesia, one sentence per field, in
    the reader's language; empty when complete. Never quotes a value."""
    org = organization or _organization(meta)
    found = values(meta, reference_date, org)
    problems = []
    for field in SDI_FIELDS:
        if field.required and not found[field.name]:
            problems.append(_("%(field)s belum diisi (isi di %(where)s)",
                              field=field.label, where=field.where))
    level = meta.get("tingkat_penyajian") or ""
    if level and level not in PRESENTATION_LEVELS:
        problems.append(_("Tingkat penyajian harus desa, kecamatan atau kabupaten"))
    if found["kontak"] and not is_role_address(found["kontak"]):
        problems.append(_("Kontak OPD bukan alamat email peran OPD (isi di %(where)s)",
                          where=_OPD))
    return problems


def satudata_block(meta: dict, reference_date: date | None = None,
                   organization: Organization | None = None) -> dict:
    """The ``satudata`` block of datapackage.json: every field present, by its key, with the
    tingkat penyajian's code beside its label."""
    found = values(meta, reference_date, organization)
    block = {name: value for name, value in found.items() if value and name not in ("judul", "deskripsi")}
    if meta.get("tingkat_penyajian") in PRESENTATION_LEVELS:
        block["tingkat_penyajian_kode"] = meta["tingkat_penyajian"]
    if meta.get("frequency"):
        block["frekuensi_penerbitan_kode"] = meta["frequency"]
    if meta.get("licence_id"):
        block["lisensi_kode"] = meta["licence_id"]
    block["standar"] = "Perpres 39/2019 (Satu Data Indonesia)"
    return block


def rows(meta: dict, reference_date: date | None = None,
         organization: Organization | None = None) -> list[tuple[LazyString, str]]:
    """Every SDI field as (label in the reader's language, value), for a page."""
    found = values(meta, reference_date, organization)
    return [(f.label, found[f.name]) for f in SDI_FIELDS]


# Per-column Satu Data variable metadata (MS-Var) a field of a Table Schema may carry.
VARIABLE_KEYS = ("konsep", "definisi", "klasifikasi", "ukuran", "satuan", "aturan_validasi")
TYPE_LABELS: dict[str, LazyString] = {
    "string": _l("teks"), "integer": _l("bilangan bulat"), "number": _l("bilangan"),
    "date": _l("tanggal"), "boolean": _l("ya/tidak"), "geojson": _l("geometri"),
}


def column_dictionary(schema: dict) -> list[dict]:
    """The column dictionary of a Table Schema: per field its name, title, type, description,
    the number of its categories, and any Satu Data variable metadata it carries."""
    out = []
    for f in schema.get("fields", []):
        variable = {**{k: f[k] for k in VARIABLE_KEYS if isinstance(f.get(k), str) and f[k]},
                    **{k: v for k, v in (f.get("satudata") or {}).items()
                       if k in VARIABLE_KEYS and isinstance(v, str) and v}}
        out.append({"name": f.get("name", ""), "title": f.get("title", ""),
                    "type": str(TYPE_LABELS.get(f.get("type", ""), f.get("type", ""))),
                    "description": f.get("description", ""),
                    "categories": len(f.get("categories") or ()), "variable": variable})
    return out
