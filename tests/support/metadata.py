"""Satu Data Indonesia metadata for tests whose datasets are not harvested (uploads, factory
rows): a walidata approves a release only when its metadata is complete."""
from __future__ import annotations

from portal.datasets import services
from portal.datasets.models import Dataset

# Every SDI field a produsen fills (portal.datasets.metadata.SDI_META_KEYS), for a table of
# counts per desa.
COMPLETE_SDI = {
    "konsep": "Penduduk", "definisi": "Orang yang tercatat sebagai penduduk desa.",
    "klasifikasi": "1. Wilayah (desa/kelurahan); 2. Jenis kelamin", "ukuran": "Jumlah",
    "satuan": "Orang", "tingkat_penyajian": "desa", "cakupan_wilayah": "Kabupaten Tabanan",
    "periode_data": "2026", "sumber_data": "Registrasi OPD", "kode_referensi": "Kode wilayah Kemendagri",
}


def describe(dataset: Dataset, email: str | None = None) -> Dataset:
    """Give ``dataset`` complete SDI metadata and its OPD a role address (when it has none)."""
    for key, value in COMPLETE_SDI.items():
        setattr(dataset, key, value)
    if not dataset.organization.email:
        dataset.organization.email = email or f"{dataset.organization.name}@tabanankab.go.id"
    return dataset


def complete_draft(release, produsen):
    """Fill the SDI metadata of a dataset's open draft as its produsen would (the metadata
    form or package_patch), and give its OPD a role address; the caller commits."""
    describe(release.dataset)
    changes = dict(COMPLETE_SDI)
    if not release.dataset.description:
        changes["description"] = "Jumlah per desa dari data OPD."
    return services.edit_metadata(release.dataset, produsen, changes)
