"""Village-level parts of the demo district: desa sizes, the config table and dusun/RW/RT rows."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portal.sources.wilayah import District, undotted

from .boundaries import desa_paths

MIN_PER_DESA = 10

# Common banjar dinas names in Tabanan; a desa draws distinct ones so (rt, rw, dusun) stays unique.
BANJAR_NAMES = (
    "Kaja", "Kelod", "Kangin", "Kauh", "Tengah", "Anyar", "Pasek", "Dauh Pangkung", "Kawan",
    "Gede", "Pondok", "Bukit", "Sari", "Delod Rurung", "Dangin Carik", "Dauh Carik", "Tegal",
    "Munduk", "Babakan", "Batu", "Carik", "Dalem", "Pempatan", "Puseh", "Soka", "Tibu",
    "Juwuk", "Belong", "Bengkel", "Tampak Siring",
)


@dataclass(frozen=True)
class Region:
    """Village structure shared by the household and attribute steps."""

    sizes: np.ndarray  # residents per desa
    config: pd.DataFrame
    clusters: pd.DataFrame
    rt_id: np.ndarray  # tweb_wil_clusterdesa.id of every RT row
    rt_desa: np.ndarray  # desa index (0-based) of every RT row
    rt_alamat: np.ndarray  # "Banjar Dinas X, Desa Y" of every RT row


def desa_sizes(rng: np.random.Generator, n_desa: int, residents: int) -> np.ndarray:
    """Split ``residents`` over the desa: a skewed spread (about 800-9,000 at 470,000), min 10 each."""
    # Clipped log-normal weights put the smallest desa near 0.23x and the largest near 2.4x the mean.
    weights = np.clip(rng.lognormal(0.0, 0.55, n_desa), 0.26, 2.7)
    rest = residents - MIN_PER_DESA * n_desa
    share = weights / weights.sum() * rest
    sizes = np.floor(share).astype(np.int64)
    leftover = int(rest - sizes.sum())
    sizes[np.argsort(-(share - sizes), kind="stable")[:leftover]] += 1
    return sizes + MIN_PER_DESA


def _slug(name: str) -> str:
    """A name as lower-case letters and digits only."""
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def build_config(rng: np.random.Generator, district: District, seed: int) -> pd.DataFrame:
    """One OpenSID config row per desa, with undotted codes as OpenSID stores them and a boundary."""
    desa = district.desa
    n = len(desa)
    kec_index = {k.kode: i for i, k in enumerate(district.kecamatan)}
    kec_names = {k.kode: k.nama for k in district.kecamatan}
    # OpenSID keeps the kabupaten name without its "Kabupaten" prefix.
    nama_kab = re.sub(r"^Kabupaten\s+", "", district.nama)
    kec_i = np.array([kec_index[d.kode_kecamatan] for d in desa])
    desa_no = np.array([int(d.kode[-4:]) for d in desa])
    # Postal codes: the province's 2-digit zone (Bali is 80-82) plus a kecamatan/desa offset.
    # Outside Bali the zone is only a stand-in; the demo district is Tabanan.
    zone = {"51": 821}.get(district.kode_provinsi, 100 + int(district.kode_provinsi) * 8)
    kode_pos = [f"{zone * 100 + ((i + 1) * 10 + no % 10) % 100:05d}" for i, no in zip(kec_i, desa_no)]
    # Scatter villages around a per-kecamatan centre inside a Tabanan-sized box.
    kec_lat = rng.uniform(-8.55, -8.30, len(district.kecamatan))
    kec_lng = rng.uniform(114.95, 115.22, len(district.kecamatan))
    lat = np.round(kec_lat[kec_i] + rng.normal(0, 0.02, n), 6)
    lng = np.round(kec_lng[kec_i] + rng.normal(0, 0.02, n), 6)
    phone = rng.integers(800000, 830000, n)
    rows = []
    for i, d in enumerate(desa):
        slug = _slug(d.nama)
        key = hashlib.sha256(f"opensid-demo:{seed}:{d.kode}".encode()).hexdigest()[:32]
        rows.append({
            "id": i + 1,
            "app_key": key,
            "nama_desa": d.nama,
            "kode_desa": undotted(d.kode),
            "kode_pos": kode_pos[i],
            "nama_kecamatan": kec_names[d.kode_kecamatan],
            "kode_kecamatan": undotted(d.kode_kecamatan),
            "nama_kabupaten": nama_kab,
            "kode_kabupaten": undotted(district.kode),
            "nama_propinsi": district.nama_provinsi,
            "kode_propinsi": district.kode_provinsi,
            "alamat_kantor": f"Jalan Raya {d.nama} No. {int(desa_no[i])}",
            "email_desa": f"pemdes.{slug}@example.org",
            "telepon": f"0361-{int(phone[i])}",
            "website": f"https://{slug}.desa.example.org",
            "lat": float(lat[i]),
            "lng": float(lng[i]),
        })
    config = pd.DataFrame(rows)
    # The desa's boundary as OpenSID keeps it; drawn from the positions, it takes no random draw.
    config["path"] = desa_paths(lat, lng)
    return config


def build_region(rng: np.random.Generator, district: District, residents: int, seed: int) -> Region:
    """Draw desa sizes, the config table and the dusun/RW/RT hierarchy of every desa."""
    sizes = desa_sizes(rng, len(district.desa), residents)
    config = build_config(rng, district, seed)
    rows: list[tuple] = []
    rt_id: list[int] = []
    rt_desa: list[int] = []
    rt_alamat: list[str] = []
    next_id = 1
    for i, desa in enumerate(district.desa):
        n_dusun = int(np.clip(round(sizes[i] / 650), 2, 12))
        names = [BANJAR_NAMES[j] for j in rng.permutation(len(BANJAR_NAMES))[:n_dusun]]
        per_dusun = sizes[i] / n_dusun
        lat0, lng0 = config.at[i, "lat"], config.at[i, "lng"]
        for name in names:
            n_rt = int(np.clip(round(per_dusun / 170), 1, 8))
            # Most Balinese banjar dinas have no RW; OpenSID then writes rw='-'.
            n_rw = int(rng.integers(1, 4)) if rng.random() < 0.4 else 0
            lat = round(float(lat0 + rng.normal(0, 0.005)), 6)
            lng = round(float(lng0 + rng.normal(0, 0.005)), 6)
            rows.append((next_id, i + 1, "0", "0", name, lat, lng))
            next_id += 1
            rw_labels = [f"{r + 1:03d}" for r in range(n_rw)] or ["-"]
            rts_per_rw = np.array_split(np.arange(max(n_rt, len(rw_labels))), len(rw_labels))
            for rw, rts in zip(rw_labels, rts_per_rw):
                rows.append((next_id, i + 1, "0", rw, name, None, None))
                next_id += 1
                for k in range(len(rts)):
                    rows.append((next_id, i + 1, f"{k + 1:03d}", rw, name, None, None))
                    rt_id.append(next_id)
                    rt_desa.append(i)
                    rt_alamat.append(f"Banjar Dinas {name}, Desa {desa.nama}")
                    next_id += 1
    clusters = pd.DataFrame(rows, columns=["id", "config_id", "rt", "rw", "dusun", "lat", "lng"])
    clusters.insert(5, "id_kepala", pd.array([None] * len(clusters), dtype="Int64"))
    return Region(
        sizes=sizes,
        config=config,
        clusters=clusters,
        rt_id=np.array(rt_id, dtype=np.int64),
        rt_desa=np.array(rt_desa, dtype=np.int64),
        rt_alamat=np.array(rt_alamat, dtype=object),
    )
