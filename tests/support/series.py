"""A dataset with monthly versions (reference dates one month apart), made directly: the series' fixture."""
from __future__ import annotations

from datetime import date

from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Dataset
from portal.datasets.storage import sha256_bytes
from portal.extensions import db
from tests.support.catalog import HEADER, ROWS, CatalogFactory, package_json


def month_csv(rows: list[list[str]]) -> bytes:
    """A long-format table of ``rows`` under the catalogue's header."""
    return ("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n").encode()


def grown(month: int) -> list[list[str]]:
    """The factory's rows with Desa Satu's first count growing by 10 a month (120, 130, ...)."""
    rows = [r[:] for r in ROWS]
    rows[0][6] = str(110 + 10 * month)
    return rows


def monthly(factory: CatalogFactory, name: str, months: int, rows_of=grown,
            statuses: dict[int, ReleaseStatus] | None = None) -> Dataset:
    """A dataset with one version per month (1.0.0, 1.1.0, ...; reference date the 1st of
    month 1, 2, ... of 2026), each publishing ``rows_of(month)``; ``statuses`` overrides
    the status of some months (withdrawn, say)."""
    statuses = statuses or {}
    versions = [(f"1.{m - 1}.0", statuses.get(m, ReleaseStatus.PUBLISHED)) for m in range(1, months + 1)]
    ds = factory.dataset(name, versions, commit=False)
    for month, release in enumerate(ds.releases, start=1):
        release.reference_date = date(2026, month, 1)
        content = month_csv(rows_of(month))
        descriptor = package_json(name, ds.title, release.version, content)
        directory = factory.storage.published_dir(name, release.version)
        for rel, data, fname in ((f"data/{name}.csv", content, f"{name}.csv"),
                                 ("datapackage.json", descriptor, "datapackage.json")):
            path = directory / rel
            if path.parent.is_dir():
                path.write_bytes(data)
            entry = release.file(fname)
            entry.bytes, entry.sha256 = len(data), sha256_bytes(data)
        release.data_hash = sha256_bytes(content)
    db.session.commit()
    return ds
