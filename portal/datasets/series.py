"""A dataset's statistic across its published versions, in long format (issue 13).

The series is made only of what each version published: its CSV rows as they are, hidden
cells still written as the missing-value marker, with the version's reference date and
number in front. Nothing is recomputed and nothing unpublished is read. A withdrawn
version is never part of it; of several public versions with the same reference date the
newest published one stands for that date (a correction replaces what it corrects), so a
row is one reference date x desa x category.

Pure functions work on ``Part`` (a version's number, date and published bytes); the
lookup of published files is ``parts_of``. A series is keyed by the digest of its parts,
so anything built from it can be kept for as long as that set of versions stands.
"""
from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass
from datetime import date, datetime

from portal.core.cells import SUPPRESSED
from portal.core.ids import stable_id
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import files, packaging, validation, xlsx
from portal.datasets.models import Release
from portal.datasets.storage import sha256_bytes

LEAD = ("tanggal_referensi", "versi")
SERIES_SUFFIX = "-seri"
VERSION_PATTERN = r"^\d+\.\d+\.\d+$"
FORMULA_START = xlsx.FORMULA_START
NOT_IN_VERSION = {"value": "", "label": "Kolom ini tidak ada pada versi tersebut"}


@dataclass(frozen=True)
class Part:
    """One version in a series: number, reference date, publication time and published bytes."""

    version: str
    reference_date: date
    published_at: datetime | None
    csv_sha256: str
    csv: bytes
    descriptor: bytes

    @property
    def schema(self) -> dict:
        """The Table Schema this version published with its table."""
        try:
            return packaging.table_schema_of(json.loads(self.descriptor))
        except (ValueError, KeyError, IndexError, TypeError):
            return {}


def series_name(dataset_name: str) -> str:
    """The file name (without extension) of a dataset's series."""
    return f"{dataset_name}{SERIES_SUFFIX}"


def resource_id(dataset_id: str, dataset_name: str) -> str:
    """The stable resource id of a dataset's series (what datastore_search takes)."""
    return stable_id("resource", dataset_id, f"{series_name(dataset_name)}.csv")


def chosen(releases) -> list[Release]:
    """The published versions that make up a series: one per reference date, oldest first.

    Withdrawn (and never public) releases are left out; of several public versions with the
    same reference date the newest published one is kept.
    """
    by_date: dict[date, Release] = {}
    for release in releases:
        if release.status not in (ReleaseStatus.PUBLISHED, ReleaseStatus.PUBLISHING):
            continue
        held = by_date.get(release.reference_date)
        order = (release.published_at or datetime.max, release.id or 0)
        if held is None or order > (held.published_at or datetime.max, held.id or 0):
            by_date[release.reference_date] = release
    return [by_date[d] for d in sorted(by_date)]


def _published(release: Release, name: str) -> bytes | None:
    """A file of a published version, or of the version being published (its draft)."""
    if release.status == ReleaseStatus.PUBLISHING:
        return files.draft_bytes(release, name)
    return files.published_bytes(release, name)


def parts_of(releases) -> tuple[Part, ...]:
    """The parts of a series from releases (``chosen`` decides which); unreadable ones skipped."""
    out = []
    for release in chosen(releases):
        name = f"{release.dataset.name}.csv"
        entry = release.file(name)
        content = _published(release, name)
        descriptor = _published(release, "datapackage.json")
        if content is None or descriptor is None:
            continue
        sha = entry.sha256 if entry is not None else sha256_bytes(content)
        out.append(Part(release.version, release.reference_date, release.published_at, sha,
                        content, descriptor))
    return tuple(out)


def key(parts: tuple[Part, ...]) -> str:
    """A digest of what the series is made of (its ETag; changes with any version in or out)."""
    text = ";".join(f"{p.reference_date.isoformat()}={p.version}:{p.csv_sha256}" for p in parts)
    return sha256_bytes(text.encode("utf-8"))


def signature(releases) -> str:
    """``key`` of the series these releases make, from their recorded hashes (no file read)."""
    text = ";".join(f"{r.reference_date.isoformat()}={r.version}:{entry.sha256}"
                    for r in chosen(releases)
                    if (entry := r.file(f"{r.dataset.name}.csv")) is not None)
    return sha256_bytes(text.encode("utf-8"))


def _merged(first: list, second: list) -> list:
    """``first`` followed by the items of ``second`` it lacks (order kept)."""
    seen = [json.dumps(v, sort_keys=True) for v in first]
    out = list(first)
    for value in second:
        text = json.dumps(value, sort_keys=True)
        if text not in seen:
            seen.append(text)
            out.append(value)
    return out


def _columns(parts: tuple[Part, ...]) -> list[str]:
    """The table's columns as the newest version publishes them."""
    return next(csv.reader(io.StringIO(parts[-1].csv.decode("utf-8"))), [])


def _rows(part: Part, columns: list[str]):
    """A version's rows in the series' column order; a column it lacks is empty."""
    reader = csv.reader(io.StringIO(part.csv.decode("utf-8")))
    header = next(reader, [])
    at = [header.index(c) if c in header else None for c in columns]
    lead = [part.reference_date.isoformat(), part.version]
    for raw in reader:
        if raw:
            yield lead + [raw[i] if i is not None and i < len(raw) else "" for i in at]


def _gaps(parts: tuple[Part, ...], columns: list[str]) -> bool:
    """True when an older version lacks one of the newest version's columns."""
    for part in parts:
        header = next(csv.reader(io.StringIO(part.csv.decode("utf-8"))), [])
        if set(columns) - set(header):
            return True
    return False


def schema(parts: tuple[Part, ...]) -> dict:
    """The series' Table Schema: date and version first, then the newest version's fields.

    The code lists (``categories``) are those of every version together, so a category that
    a later version dropped still validates in the rows of the versions that had it.
    """
    if not parts:
        return {"fields": []}
    newest = parts[-1].schema
    fields = [dict(f) for f in newest.get("fields", [])]
    for part in parts[:-1]:
        older = {f.get("name"): f for f in part.schema.get("fields", [])}
        for f in fields:
            if "categories" in f and "categories" in older.get(f["name"], {}):
                f["categories"] = _merged(f["categories"], older[f["name"]]["categories"])
    lead = [
        {"name": "tanggal_referensi", "title": "Tanggal referensi", "type": "date",
         "description": "Keadaan data pada tanggal ini (tanggal referensi versi)",
         "constraints": {"required": True}},
        {"name": "versi", "title": "Versi", "type": "string",
         "description": "Versi terbit yang memuat baris ini",
         "constraints": {"required": True, "pattern": VERSION_PATTERN}},
    ]
    names = {f["name"] for f in fields}
    out = {"fields": lead + fields,
           "missingValues": list(newest.get("missingValues", [SUPPRESSED]))}
    if _gaps(parts, _columns(parts)):
        out["missingValues"].append(NOT_IN_VERSION)
    keyed = [c for c in ("kode_desa", "kode") if c in names]
    if keyed:
        out["primaryKey"] = ["tanggal_referensi", *keyed]
    return out


def _safe(cell: str, text_field: bool) -> str:
    """A text cell a spreadsheet must not run as a formula gets a leading quote."""
    return f"'{cell}" if text_field and cell.startswith(FORMULA_START) else cell


@functools.lru_cache(maxsize=16)
def _csv_for(digest: str, parts: tuple[Part, ...]) -> bytes:
    """The series CSV (cached per set of versions; ``digest`` is the key, ``parts`` the data)."""
    columns = _columns(parts)
    kinds = {f["name"]: f.get("type", "string") for f in schema(parts)["fields"]}
    text = [kinds.get(c, "string") in ("string", "any") for c in (*LEAD, *columns)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*LEAD, *columns])
    for part in parts:
        for row in _rows(part, columns):
            writer.writerow([_safe(cell, t) for cell, t in zip(row, text)])
    return buffer.getvalue().encode("utf-8")


def series_csv(parts: tuple[Part, ...]) -> bytes:
    """The whole series as UTF-8 CSV (hidden cells as published, formulas defused)."""
    return _csv_for(key(parts), parts) if parts else b""


def descriptor(parts: tuple[Part, ...], dataset_name: str, title: str) -> dict:
    """A small descriptor of the series alone (what its XLSX explains in its second sheet)."""
    newest = json.loads(parts[-1].descriptor) if parts else {}
    return {"name": series_name(dataset_name), "title": f"{title} (seri waktu)",
            "version": parts[-1].version if parts else "",
            "licenses": newest.get("licenses") or [{"name": "", "title": ""}],
            "homepage": newest.get("homepage", ""),
            "resources": [{"schema": schema(parts)}]}


def series_xlsx(parts: tuple[Part, ...], dataset_name: str, title: str) -> bytes:
    """The whole series as a deterministic XLSX (numbers as numbers, text never a formula)."""
    return xlsx.workbook(descriptor(parts, dataset_name, title), series_csv(parts))


def resource(parts: tuple[Part, ...], dataset_name: str, title: str, csv_bytes: bytes) -> dict:
    """The series as a Data Package resource (for the datapackage.json of a version)."""
    return {
        "name": series_name(dataset_name), "type": "table",
        "path": packaging.csv_path(series_name(dataset_name)),
        "title": f"{title} (seri waktu)",
        "description": ("Semua versi terbit hingga versi ini dalam format panjang: satu baris per "
                        "tanggal referensi, desa dan kategori. Sel 'x' tetap disembunyikan seperti "
                        "saat diterbitkan."),
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "bytes": len(csv_bytes), "hash": f"sha256:{sha256_bytes(csv_bytes)}",
        "schema": schema(parts),
    }


def is_statistic(header: list[str]) -> bool:
    """A table of counts by category (a series makes sense for it; a boundary list has none)."""
    return {"kode", "jumlah"} <= set(header)


def attach(descriptor: dict, release: Release) -> dict[str, bytes]:
    """Put the series up to and including ``release`` (being published) into its package.

    The resource is appended to ``descriptor``; the returned {path in package: bytes} joins
    the package, its zip and the version's files. Published once with the version, the file
    never changes: it holds the versions that were public when this one was published.
    """
    parts = parts_of(release.dataset.releases)
    if not any(p.version == release.version for p in parts) or not is_statistic(_columns(parts)):
        return {}
    name = release.dataset.name
    content = series_csv(parts)
    descriptor["resources"].append(resource(parts, name, descriptor.get("title", name), content))
    return {packaging.csv_path(series_name(name)): content}


def package_files(descriptor: dict, files_by_name: dict[str, bytes]) -> dict[str, bytes]:
    """The series file of a package (by its path), from a version's files by name; {} if none."""
    out = {}
    for item in descriptor.get("resources", [])[1:]:
        path = item.get("path")
        if isinstance(path, str) and item.get("name", "").endswith(SERIES_SUFFIX):
            found = files_by_name.get(path.rsplit("/", 1)[-1])
            if found is None:
                raise FileNotFoundError(path)
            out[path] = found
    return out


def _passed(release: Release) -> bool:
    """A version whose package passed the whole publish gate (published, or withdrawn since)."""
    report = release.validation_report if isinstance(release.validation_report, dict) else {}
    return (release.status in (ReleaseStatus.PUBLISHED, ReleaseStatus.WITHDRAWN)
            and report.get("valid") is True)


def validated_before(release: Release, package: dict[str, bytes]) -> dict[str, validation.Validated]:
    """The series file of an earlier version that this package's series starts with, by path.

    A version's series is the previous one's followed by the new reference date's rows. Of
    this dataset's versions that passed the gate, the longest series whose recorded size and
    SHA-256 match the start of the new file is named, with the resource it was validated as
    (from its stored datapackage.json), so ``validation.validate_files`` reads only what is
    new. {} when none matches: the series is then validated whole.
    """
    name = series_name(release.dataset.name)
    path = packaging.csv_path(name)
    content = package.get(path)
    if content is None:
        return {}
    found = [(entry, r) for r in release.dataset.releases
             if r is not release and _passed(r)
             and (entry := r.file(f"{name}.csv")) is not None and entry.bytes <= len(content)]
    for entry, earlier in sorted(found, key=lambda pair: -pair[0].bytes):
        if sha256_bytes(content[:entry.bytes]) != entry.sha256:
            continue
        descriptor, recorded = files.published_bytes(earlier, "datapackage.json"), earlier.file("datapackage.json")
        if descriptor is None or recorded is None or sha256_bytes(descriptor) != recorded.sha256:
            continue  # the resource it passed as must be the one recorded at its publication
        try:
            resources = json.loads(descriptor)["resources"]
        except (ValueError, KeyError, TypeError):
            continue
        resource = next((r for r in resources if isinstance(r, dict) and r.get("path") == path), None)
        if resource is not None:
            return {path: validation.Validated(entry.bytes, entry.sha256, resource)}
    return {}


def scannable(content: bytes) -> bytes:
    """The series as the personal-data scan should see it: without its reference-date column.

    Every other cell was published (and scanned) with its version; the date in front is made
    by the portal from the version's reference date, and left in, every row looks like a
    birth date to the scan. The date is always the first field and never quoted.
    """
    lines = content.decode("utf-8").split("\n")
    return "\n".join(line.split(",", 1)[1] if "," in line else line for line in lines).encode("utf-8")


def withdrawn_inside(release: Release) -> list[Release]:
    """Versions withdrawn since ``release`` was published that its stored series may hold.

    A version's series file (and the zip that carries it) holds what was public when it was
    published; once one of those versions is withdrawn, the file must not be served any more
    (the live series, which leaves it out, takes its place). Fails closed: every withdrawn
    version published before ``release`` and withdrawn after it counts, chosen or not.
    """
    if release.file(f"{series_name(release.dataset.name)}.csv") is None or release.published_at is None:
        return []
    return [r for r in release.dataset.releases
            if r.status == ReleaseStatus.WITHDRAWN and r is not release and r.published_at is not None
            and r.published_at <= release.published_at
            and (r.withdrawn_at is None or r.withdrawn_at >= release.published_at)]
