"""A catalogue made directly in the database and storage (no harvest), and an API call helper."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.auth.models import Membership, User
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Dataset, Organization, Release, ReleaseFile
from portal.datasets.storage import Storage, sha256_bytes
from portal.extensions import db
from portal.search.index import reindex

# Long format, as the statistics tables are about to be: one row per desa and category.
HEADER = ["kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan", "kode", "kategori",
          "jumlah", "laki_laki", "perempuan"]
TYPES = ["string", "string", "string", "string", "string", "string", "integer", "integer", "integer"]
ROWS = [
    ["51.02.01.2001", "Desa Satu", "51.02.01", "Selemadeg", "1", "Islam", "120", "60", "60"],
    ["51.02.01.2001", "Desa Satu", "51.02.01", "Selemadeg", "4", "Hindu", "x", "x", "x"],
    ["51.02.01.2002", "Desa Dua", "51.02.01", "Selemadeg", "1", "Islam", "35", "20", "15"],
    ["51.02.02.2001", "Desa Tiga", "51.02.02", "Kerambitan", "4", "Hindu", "940", "470", "470"],
]
T0 = datetime(2026, 1, 5, 8, 0, 0, 123456)


def table_csv(version: str) -> bytes:
    """A small long-format table; the version changes one count so versions differ."""
    rows = [r[:] for r in ROWS]
    rows[0][6] = str(120 + int(version.split(".")[1]))
    return ("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n").encode()


def package_json(name: str, title: str, version: str, csv_bytes: bytes) -> bytes:
    """A Data Package descriptor with the table's schema, as the portal publishes it."""
    fields = [{"name": n, "type": t, "title": n.replace("_", " ").title()} for n, t in zip(HEADER, TYPES)]
    return json.dumps({"name": name, "title": title, "version": version, "resources": [{
        "name": name, "path": f"data/{name}.csv", "format": "csv", "mediatype": "text/csv",
        "bytes": len(csv_bytes), "hash": f"sha256:{sha256_bytes(csv_bytes)}",
        "schema": {"fields": fields, "missingValues": [{"value": "x", "label": "Disembunyikan"}]},
    }]}, indent=2).encode()


# The produsen of the test world (tests/conftest.py ``users``).
PRODUSEN_EMAIL = "produsen@example.go.id"


class CatalogFactory:
    """Makes organisations, datasets and releases (with their files) directly."""

    def __init__(self, app):
        self.app = app
        self.storage = Storage(app.config["STORAGE_DIR"])
        self.orgs: dict[str, Organization] = {}
        self.clock = T0

    def org(self, name: str = "dukcapil", title: str = "Dinas Kependudukan dan Pencatatan Sipil") -> Organization:
        """An organisation, made on first use; the test world's produsen (PRODUSEN_EMAIL, when
        that account exists) is a member of it, as the harvest's produsen is of the catalogue's."""
        if name not in self.orgs:
            self.orgs[name] = Organization(name=name, title=title, description=f"OPD {title}")
            db.session.add(self.orgs[name])
            db.session.flush()
            produsen = db.session.scalar(select(User).where(User.email == PRODUSEN_EMAIL))
            if produsen is not None:
                produsen.memberships.append(Membership(user_id=produsen.id, organization_id=self.orgs[name].id))
        return self.orgs[name]

    def dataset(self, name: str, versions: list[tuple[str, ReleaseStatus]] | None = None,
                org: str = "dukcapil", topic: str = "kependudukan", tags=("penduduk",),
                title: str | None = None, commit: bool = True) -> Dataset:
        """A dataset with releases in the given statuses; published ones get their files."""
        ds = Dataset(name=name, title=title or f"Jumlah Penduduk {name}", topic=topic,
                     description=f"Statistik {name} per desa.", tags=list(tags),
                     organization=self.org(org))
        db.session.add(ds)
        for version, status in versions or [("1.0.0", ReleaseStatus.PUBLISHED)]:
            self.release(ds, version, status)
        if commit:
            db.session.commit()
        return ds

    def release(self, ds: Dataset, version: str, status: ReleaseStatus) -> Release:
        """One release; files go where a release in that status keeps them."""
        self.clock += timedelta(minutes=7)
        csv_bytes = table_csv(version)
        files = {f"data/{ds.name}.csv": csv_bytes,
                 "datapackage.json": package_json(ds.name, ds.title, version, csv_bytes)}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for rel, content in files.items():
                archive.writestr(rel, content)
        files[f"{ds.name}.zip"] = buffer.getvalue()
        was_public = status in (ReleaseStatus.PUBLISHED, ReleaseStatus.WITHDRAWN)
        release = Release(dataset=ds, version=version, status=status, reference_date=date(2026, 1, 1),
                          change_note=f"Perubahan {version}.", schema_hash="s" * 64,
                          data_hash=sha256_bytes(csv_bytes),
                          published_at=self.clock if was_public else None)
        media = {"csv": "text/csv", "json": "application/json", "zip": "application/zip"}
        for rel, content in files.items():
            fname = rel.rsplit("/", 1)[-1]
            fmt = fname.rsplit(".", 1)[-1]
            release.files.append(ReleaseFile(name=fname, format=fmt, media_type=media[fmt],
                                             bytes=len(content), sha256=sha256_bytes(content)))
        db.session.add(release)
        db.session.flush()
        directory = (self.storage.published_dir(ds.name, version) if was_public
                     else self.storage.draft_dir(release.id))
        for rel, content in files.items():
            (directory / rel).parent.mkdir(parents=True, exist_ok=True)
            (directory / rel).write_bytes(content)
        if was_public:
            reindex(ds)  # as publishing does: pages and package_search read the index
        return release


def action(client, action_name: str, method: str = "get", **params):
    """Call an action through the test client; returns (status, decoded body)."""
    if method == "get":
        response = client.get(f"/api/3/action/{action_name}", query_string=params)
    else:
        response = client.post(f"/api/action/{action_name}", json=params)
    return response.status_code, response.get_json()


def datastore_result(client, method: str = "get", **params) -> dict:
    """A datastore_search that must succeed; its result."""
    status, body = action(client, "datastore_search", method=method, **params)
    assert status == 200, body
    return body["result"]
