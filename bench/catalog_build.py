"""A large public catalogue for the load benchmarks: one real harvest, then cheap clones.

The first datasets come from a real harvest of a small generated district taken through
submit and approval (the portal's own path, files and all). The rest are clones of those
tables under other names, titles, topics, OPDs, tags and licences: each clone gets its own
datapackage.json, JSON, zip and XLSX built by the portal's packaging code, its files stored
as content-addressed blobs and its published release, release files and audit events
written through the models. Building a clone's files is the slow part, so the blobs live
in ``bench/out/catalog-store`` (git-ignored) with a manifest of what each clone's inputs
produced; later runs only link a fresh database to them. Each run has its own storage
folder (drafts are numbered by release id) whose ``blobs`` is a link to that shared store.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SHARED = OUT / "catalog-store"
MANIFEST = SHARED / "clones.json"
BUILD_URL = "http://127.0.0.1:8000"  # the homepage written into descriptors (stable, so cacheable)
REFERENCE_DATE = date(2026, 11, 1)
SEED = 2026
KECAMATAN = ("Selemadeg", "Kerambitan", "Tabanan", "Kediri", "Marga", "Baturiti", "Penebel",
             "Pupuan", "Selemadeg Barat", "Selemadeg Timur")
YEARS = tuple(range(2019, 2027))
EXTRA_OPDS = {
    "bappeda": "Badan Perencanaan Pembangunan Daerah",
    "dpmd": "Dinas Pemberdayaan Masyarakat dan Desa",
    "diskominfo": "Dinas Komunikasi dan Informatika",
    "dinas-pertanian": "Dinas Pertanian",
    "dinas-pariwisata": "Dinas Pariwisata",
}
EXTRA_TAGS = ("desa", "kecamatan", "statistik", "satu data", "sdgs", "idm", "tahunan", "rekap",
              "indikator", "gender", "anak", "lansia", "perdesaan", "bali")
LICENCE_MIX = ("CC-BY-4.0",) * 6 + ("CC0-1.0", "ODC-BY-1.0")
MEDIA = {"csv": "text/csv", "json": "application/json", "zip": "application/zip",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Entry:
    """One public dataset of the built catalogue, as the benches need to address it."""

    name: str
    version: str
    rows: int
    files: list[str]
    topic: str
    organization: str
    tags: list[str]
    licence: str
    title: str
    source: str = ""  # the harvested dataset a clone copies; empty for a harvested one


@dataclass
class Catalog:
    """The built catalogue: where it lives and what is in it."""

    folder: Path
    database_url: str
    storage_dir: Path
    instance: Path
    entries: list[Entry] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    held: list[int] = field(default_factory=list)  # submitted releases left for a walidata to approve


def make_app(folder: Path):
    """The portal app on the bench's own database and storage (blobs shared between runs)."""
    sys.path.insert(0, str(ROOT))
    from portal import create_app

    (SHARED / "blobs").mkdir(parents=True, exist_ok=True)
    (folder / "storage").mkdir(parents=True, exist_ok=True)
    if not (folder / "storage" / "blobs").exists():
        (folder / "storage" / "blobs").symlink_to(SHARED / "blobs", target_is_directory=True)
    return create_app({"INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.sqlite3'}",
                       "STORAGE_DIR": str(folder / "storage"), "PORTAL_URL": BUILD_URL})


def district_export(residents: int, seed: int) -> Path:
    """A generated OpenSID export (CSV), made once and kept under bench/out/."""
    from flask import current_app

    from portal.demogen.generator import generate_district
    from portal.sources.wilayah import load_district

    out = OUT / f"catalog-district-{residents}-seed{seed}"
    if not (out / "tweb_penduduk.csv").exists():
        staging = OUT / f".{out.name}.tmp-{uuid.uuid4().hex}"
        generate_district(staging, residents=residents, seed=seed, fmt="csv",
                          district=load_district(current_app.config["DISTRICT_CODE"]))
        if out.exists():
            shutil.rmtree(staging)  # another run made it meanwhile
        else:
            os.replace(staging, out)
    return out


def publish_harvest(source: Path, produsen, walidata, hold: int = 0) -> tuple[list, list]:
    """Harvest ``source``, submit every draft and approve all but the last ``hold``; (published, held)."""
    from portal.datasets import services as releases
    from portal.extensions import db
    from portal.harvest.service import harvest

    result = harvest(str(source), REFERENCE_DATE, produsen)
    published, held = [], []
    for n, draft in enumerate(result.drafts):
        releases.submit(draft, produsen, "Rilis hasil panen (bench).")
        db.session.commit()
        if n >= len(result.drafts) - hold:
            held.append(draft)
        else:
            published.append(releases.approve(draft, walidata, "Disetujui (bench)."))
    return published, held


def clone_uuid(name: str) -> str:
    """A stable dataset id for a clone that the output scan does not mistake for a NIK."""
    from portal.privacy.scan import PATTERNS

    salt = 0
    while True:
        candidate = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench:{name}:{salt}"))
        if not any(p.search(f'"urn:uuid:{candidate}"') for p in PATTERNS.values()):
            return candidate
        salt += 1


def clone_files(name: str, descriptor: dict, csv_bytes: bytes) -> dict[str, list]:
    """Build and store a clone's five files (runs in a worker process); name -> [sha, bytes]."""
    from portal.datasets import packaging, xlsx
    from portal.datasets.storage import LocalStorage

    descriptor_bytes = packaging.to_json_bytes(descriptor)
    files = {f"{name}.csv": csv_bytes, "datapackage.json": descriptor_bytes,
             f"{name}.json": packaging.data_json(descriptor, csv_bytes),
             f"{name}.zip": packaging.zip_bytes({packaging.csv_path(name): csv_bytes,
                                                 "datapackage.json": descriptor_bytes}),
             f"{name}.xlsx": xlsx.workbook(descriptor, csv_bytes)}
    store = LocalStorage(SHARED)
    return {fname: [store.put(content, fname)[0], len(content)] for fname, content in files.items()}


def _clone_plan(sources: list, count: int, rng: random.Random) -> list[dict]:
    """Names and metadata of ``count`` clones spread over the real datasets."""
    from portal.core.vocabularies import Frequency
    from portal.datasets.topics import all_topics

    variants = [(k, y) for y in YEARS for k in KECAMATAN]
    plan = []
    for i in range(count):
        src = sources[i % len(sources)]
        kec, year = variants[i // len(sources)]
        ds = src.dataset
        slug = kec.lower().replace(" ", "-")
        topic = ds.topic if rng.random() < 0.8 else rng.choice(sorted(all_topics()))
        org = ds.organization.name if rng.random() < 0.6 else rng.choice(sorted(EXTRA_OPDS))
        tags = list(dict.fromkeys([*ds.tags, slug, str(year), *rng.sample(EXTRA_TAGS, 2)]))
        plan.append({"source": src, "name": f"{ds.name}-{slug}-{year}",
                     "title": f"{ds.title} Kecamatan {kec} {year}",
                     "title_en": f"{ds.title_en} — {kec} sub-district {year}" if ds.title_en else "",
                     "description": f"{ds.description} Rekap untuk Kecamatan {kec}, tahun {year}.",
                     "topic": topic, "organization": org, "tags": tags,
                     "licence": rng.choice(LICENCE_MIX), "frequency": rng.choice(list(Frequency)).value,
                     "published_at": datetime(2025, 1, 1) + timedelta(hours=7 * i)})
    return plan


def _clone_descriptor(base: dict, spec: dict, ds_id: str, version: str, org_title: str) -> dict:
    from portal.core.vocabularies import LICENCES
    from portal.datasets.packaging import csv_path

    licence = LICENCES[spec["licence"]]
    name = spec["name"]
    resource = {**base["resources"][0], "name": name, "path": csv_path(name), "title": spec["title"]}
    return {**base, "name": name, "id": f"urn:uuid:{ds_id}", "title": spec["title"],
            "description": spec["description"], "version": version, "created": "2026-11-02T00:00:00Z",
            "licenses": [{"name": licence.id, "title": licence.title, "path": licence.url}],
            "keywords": spec["tags"], "homepage": f"{BUILD_URL}/dataset/{name}",
            "contributors": [
                {"title": org_title, "roles": ["publisher"], "organization": org_title},
                {"title": f"Produsen Data, {org_title}", "roles": ["produsen", "contributor"],
                 "organization": org_title},
                {"title": "Walidata Kabupaten", "roles": ["walidata", "approver"], "organization": org_title}],
            "resources": [resource]}


def add_clones(sources: list, count: int, produsen, walidata, workers: int = 2) -> tuple[int, list[Entry]]:
    """Publish ``count`` clones of ``sources``; (clones whose files had to be built, the clones)."""
    from portal.audit.log import record
    from portal.core.vocabularies import Frequency, ReleaseStatus
    from portal.datasets import files as release_files
    from portal.datasets.drafts import ensure_organization
    from portal.datasets.models import Dataset, Release, ReleaseFile
    from portal.datasets.signals import catalog_changed
    from portal.datasets.storage import LocalStorage, sha256_bytes
    from portal.extensions import db
    from portal.statistics.catalogue import ORGANIZATIONS

    orgs = {n: ensure_organization(n, t) for n, t in {**ORGANIZATIONS, **EXTRA_OPDS}.items()}
    plan = _clone_plan(sources, count, random.Random(SEED))
    src_files = {}
    for src in {s.dataset.name: s for s in sources}.values():
        name = src.dataset.name
        src_files[name] = (release_files.published_bytes(src, f"{name}.csv"),
                           json.loads(release_files.published_bytes(src, "datapackage.json")))
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    store, jobs, keys = LocalStorage(SHARED), {}, []
    for spec in plan:
        src = spec["source"]
        csv_bytes, base = src_files[src.dataset.name]
        spec["id"] = clone_uuid(spec["name"])
        spec["descriptor"] = _clone_descriptor(base, spec, spec["id"], src.version,
                                               orgs[spec["organization"]].title)
        key = hashlib.sha256(json.dumps(spec["descriptor"], sort_keys=True).encode()
                             + sha256_bytes(csv_bytes).encode()).hexdigest()
        keys.append(key)
        cached = manifest.get(key)
        if not cached or not all(store.has(sha, f) for f, (sha, _) in cached.items()):
            jobs[key] = (spec["name"], spec["descriptor"], csv_bytes)
    if jobs:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {k: pool.submit(clone_files, *args) for k, args in jobs.items()}
            for key, future in futures.items():
                manifest[key] = future.result()
        tmp = MANIFEST.with_name(f".clones.{uuid.uuid4().hex}.json")
        tmp.write_text(json.dumps(manifest))
        os.replace(tmp, MANIFEST)
    for spec, key in zip(plan, keys):
        src = spec["source"]
        meta = {"title": spec["title"], "description": spec["description"], "tags": spec["tags"],
                "organization": spec["organization"], "licence_id": spec["licence"],
                "frequency": spec["frequency"]}
        ds = Dataset(id=spec["id"], name=spec["name"], title=spec["title"], title_en=spec["title_en"],
                     description=spec["description"], topic=spec["topic"], tags=spec["tags"],
                     licence_id=spec["licence"], frequency=Frequency(spec["frequency"]),
                     privacy_class=src.dataset.privacy_class, organization=orgs[spec["organization"]])
        release = Release(dataset=ds, version=src.version, status=ReleaseStatus.PUBLISHED,
                          reference_date=src.reference_date, change_note=src.change_note,
                          schema_hash=src.schema_hash, data_hash=src.data_hash,
                          privacy_report=dict(src.privacy_report),
                          validation_report=dict(src.validation_report), meta=meta,
                          submitted_by=produsen, submitted_at=spec["published_at"] - timedelta(hours=2),
                          reviewed_by=walidata, reviewed_at=spec["published_at"],
                          review_comment="Disetujui (bench).", published_at=spec["published_at"])
        for fname, (sha, size) in manifest[key].items():
            fmt = fname.rsplit(".", 1)[-1]
            release.files.append(ReleaseFile(name=fname, format=fmt, media_type=MEDIA[fmt],
                                             bytes=size, sha256=sha))
        db.session.add(ds)
        record("approve", walidata, release, comment="Disetujui (bench).")
        record("publish", walidata, release)
        # What publish sends: the search index (and any cache) learns of the clone.
        catalog_changed.send(ds)
    db.session.commit()
    return len(jobs), [Entry(spec["name"], spec["source"].version, 0, list(manifest[key]), spec["topic"],
                             spec["organization"], spec["tags"], spec["licence"], spec["title"],
                             spec["source"].dataset.name) for spec, key in zip(plan, keys)]


def build(folder: Path, datasets: int, residents: int = 2000, hold: int = 0) -> Catalog:
    """Migrate a fresh database in ``folder`` and publish ``datasets`` datasets into it.

    ``hold`` harvested releases are submitted but left unapproved (``Catalog.held``), so a
    bench can publish them later; the clones copy the published ones.
    """
    import time

    app = make_app(folder)
    catalog = Catalog(folder, f"sqlite:///{folder / 'portal.sqlite3'}", folder / "storage",
                      folder / "instance")
    from flask_migrate import upgrade

    from portal.auth.models import Role
    from portal.datasets import queries
    from portal.demo import ensure_demo_users

    with app.app_context(), app.test_request_context():
        started = time.perf_counter()
        upgrade()
        users = ensure_demo_users()
        source = district_export(residents, SEED)
        real, held = publish_harvest(source, users[Role.PRODUSEN], users[Role.WALIDATA], hold)
        catalog.held = [r.id for r in held]
        catalog.seconds["harvest+publish"] = time.perf_counter() - started
        started = time.perf_counter()
        built, clones = add_clones(real, max(0, datasets - len(real) - len(held)), users[Role.PRODUSEN],
                                   users[Role.WALIDATA])
        catalog.seconds["clones"] = time.perf_counter() - started
        catalog.seconds["clone files built"] = built
        # Data rows of each harvested table (a clone has its source's), for paging the preview.
        rows = {r.dataset.name: queries.public_file(r, f"{r.dataset.name}.csv").read_bytes().count(b"\n") - 1
                for r in real}
        catalog.entries = [Entry(r.dataset.name, r.version, rows[r.dataset.name], [f.name for f in r.files],
                                 r.dataset.topic, r.dataset.organization.name, list(r.dataset.tags),
                                 r.dataset.licence_id, r.dataset.title) for r in real]
        for clone in clones:
            clone.rows = rows[clone.source]
        catalog.entries += clones
    return catalog
