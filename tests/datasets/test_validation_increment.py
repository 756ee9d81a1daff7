"""The gate reads only what is new in a series that starts with one it passed before.

A version's series is the previous version's file followed by the new reference date's rows.
The gate does not read the old rows again, yet every case below must be refused exactly as a
whole validation refuses it: a wrong type, a missing cell, a duplicate key (within the new
rows or across old and new), a changed old row, a wrong declared size or hash.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from portal.core.vocabularies import ReleaseStatus
from portal.datasets import packaging, series, validation
from portal.datasets.storage import sha256_bytes
from tests.support.catalog import HEADER, package_json

NAME = "agama"
CATEGORIES = [("1", "Islam"), ("2", "Kristen"), ("4", "Hindu"), ("5", "Buddha")]
DESA = 30  # 30 desa x 4 categories: 120 rows a month, so two months exceed the head


def month_rows(month: int) -> list[list[str]]:
    """A month's long-format rows: every desa x category, one cell hidden."""
    rows = []
    for d in range(1, DESA + 1):
        for code, label in CATEGORIES:
            men, women = 10 * d + month, 5 * d + int(code)
            rows.append([f"51.02.01.{2000 + d}", f"Desa {d}", "51.02.01", "Selemadeg", code, label,
                         str(men + women), str(men), str(women)])
    rows[5][6:9] = ["x", "x", "x"]
    return rows


def part(month: int, rows: list[list[str]] | None = None) -> series.Part:
    """One published month as the series reads it (a cell with a comma is quoted)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *(rows if rows is not None else month_rows(month))])
    content = buffer.getvalue().encode("utf-8")
    version = f"1.{month - 1}.0"
    return series.Part(version, date(2026, month, 1), None, sha256_bytes(content), content,
                       package_json(NAME, "Agama", version, content))


def package(content: bytes, resource: dict) -> dict[str, bytes]:
    """A package of the series alone, its declared size and hash those of ``content``."""
    declared = dict(resource, bytes=len(content), hash=f"sha256:{sha256_bytes(content)}")
    descriptor = {"$schema": packaging.DATAPACKAGE_SCHEMA, "name": "uji", "resources": [declared]}
    return {resource["path"]: content, "datapackage.json": json.dumps(descriptor).encode()}


@pytest.fixture
def grown():
    """Three months: the series of months 1-2 (passed before) and that of months 1-3."""
    parts = tuple(part(m) for m in (1, 2, 3))
    old = series.series_csv(parts[:2])
    old_resource = series.resource(parts[:2], NAME, "Agama", old)
    new = series.series_csv(parts)
    resource = series.resource(parts, NAME, "Agama", new)
    before = {resource["path"]: validation.Validated(len(old), sha256_bytes(old), old_resource)}
    return parts, old, new, resource, before


def errors_of(report: dict) -> list[tuple]:
    """(type, row, field) of each error."""
    return [(e["type"], e["rowNumber"], e["fieldName"]) for e in report["errors"]]


def line_of(content: bytes, needle: bytes) -> int:
    """The 1-based line number of the first line containing ``needle``."""
    return content[:content.index(needle)].count(b"\n") + 1


def test_a_grown_series_is_checked_from_its_new_rows_and_passes_like_the_whole(grown):
    _parts, old, new, resource, before = grown
    report = validation.validate_files(package(new, resource), before)
    assert report["valid"], report["errors"]
    assert report["reused"][resource["path"]]["rows"] == old.count(b"\n") - 1
    whole = validation.validate_files(package(new, resource))
    assert whole["valid"] and "reused" not in whole and whole["checks"] == report["checks"]


def test_a_wrong_type_in_a_new_row_is_refused_at_its_row_in_the_whole_file(grown):
    _parts, old, new, resource, before = grown
    at = len(old) + new[len(old):].index(b",Kristen,") + len(b",Kristen,")
    broken = new[:at] + b"banyak" + new[new.index(b",", at):]
    report = validation.validate_files(package(broken, resource), before)
    assert "reused" in report and not report["valid"]
    row = broken[:at].count(b"\n") + 1
    assert ("type-error", row, "jumlah") in errors_of(report)
    assert errors_of(validation.validate_files(package(broken, resource))) == errors_of(report)


def test_a_new_row_missing_a_cell_is_refused(grown):
    _parts, old, new, resource, before = grown
    last = new.rstrip(b"\n").rsplit(b"\n", 1)
    broken = last[0] + b"\n" + last[1].rsplit(b",", 1)[0] + b"\n"
    report = validation.validate_files(package(broken, resource), before)
    assert "reused" in report
    assert ("missing-cell", broken.count(b"\n"), "perempuan") in errors_of(report)


def test_a_key_repeated_within_the_new_rows_is_refused(grown):
    _parts, old, new, resource, before = grown
    first_new = new[len(old):].split(b"\n", 1)[0]
    broken = new + first_new + b"\n"
    report = validation.validate_files(package(broken, resource), before)
    assert "reused" in report
    assert ("primary-key", broken.count(b"\n"), None) in errors_of(report)


def test_a_new_row_repeating_the_key_of_an_old_one_far_from_the_head_is_refused(grown):
    _parts, old, new, resource, before = grown
    # The last old row (month 2, outside the head that is read again) written once more.
    repeated = old.rstrip(b"\n").rsplit(b"\n", 1)[1]
    broken = new + repeated + b"\n"
    assert line_of(old, repeated) > validation.HEAD_LINES
    report = validation.validate_files(package(broken, resource), before)
    assert not report["valid"]
    assert ("primary-key", broken.count(b"\n"), None) in errors_of(report)


def test_new_rows_dated_as_an_old_month_in_another_spelling_are_refused(grown):
    parts, old, new, resource, before = grown
    # 2026-2-1 is 2026-02-01 to frictionless: the keys repeat month 2's.
    broken = old + new[len(old):].replace(b"2026-03-01,", b"2026-2-1,")
    report = validation.validate_files(package(broken, resource), before)
    assert not report["valid"]
    assert {e[0] for e in errors_of(report)} == {"primary-key"}


def test_a_changed_old_row_beyond_the_head_is_read_again_and_refused(grown):
    _parts, old, new, resource, before = grown
    at = old.index(b"2026-02-01,1.1.0,51.02.01.2025,")
    assert old[:at].count(b"\n") + 1 > validation.HEAD_LINES
    end = old.index(b"\n", at)
    row = old[at:end].split(b",")
    row[10] = b"n" * len(row[10])  # not an integer, and the file keeps its size
    broken = old[:at] + b",".join(row) + new[end:]
    report = validation.validate_files(package(broken, resource), before)
    assert "reused" not in report and not report["valid"]
    assert [(t, f) for t, _r, f in errors_of(report)] == [("type-error", "perempuan")]


def test_a_changed_old_row_that_is_still_valid_is_read_whole(grown):
    _parts, old, new, resource, before = grown
    changed = new.replace(b"2026-02-01,1.1.0,51.02.01.2025,Desa 25,51.02.01,Selemadeg,1,Islam,3",
                          b"2026-02-01,1.1.0,51.02.01.2025,Desa 25,51.02.01,Selemadeg,1,Islam,4", 1)
    assert changed != new
    report = validation.validate_files(package(changed, resource), before)
    assert "reused" not in report


def test_a_header_without_a_column_is_refused(grown):
    _parts, old, new, resource, before = grown
    header, body = new.split(b"\n", 1)
    broken = header.replace(b",laki_laki", b"") + b"\n" + body
    report = validation.validate_files(package(broken, resource), before)
    assert "reused" not in report and not report["valid"]
    assert "missing-label" in {e[0] for e in errors_of(report)} or "incorrect-label" in {
        e[0] for e in errors_of(report)}


def test_a_declared_size_or_hash_unlike_the_whole_file_is_refused(grown):
    _parts, old, new, resource, before = grown
    files = package(new, resource)
    descriptor = json.loads(files["datapackage.json"])
    for key, value, kind in (("bytes", len(new) + 1, "byte-count"), ("hash", "sha256:" + "0" * 64, "hash-count")):
        wrong = {**descriptor, "resources": [dict(descriptor["resources"][0], **{key: value})]}
        report = validation.validate_files({**files, "datapackage.json": json.dumps(wrong).encode()}, before)
        assert "reused" in report and kind in {e[0] for e in errors_of(report)}, key


def test_a_series_validated_under_another_schema_or_with_quotes_is_read_whole(grown):
    parts, old, new, resource, before = grown
    path = resource["path"]
    other = dict(before[path].resource, schema={**resource["schema"], "missingValues": ["x", ""]})
    report = validation.validate_files(package(new, resource), {path: validation.Validated(
        before[path].size, before[path].sha256, other)})
    assert report["valid"] and "reused" not in report
    quoted_parts = (part(1, [[*r[:5], f"{r[5]}, lainnya", *r[6:]] for r in month_rows(1)]), *parts[1:])
    quoted_old, quoted_new = series.series_csv(quoted_parts[:2]), series.series_csv(quoted_parts)
    quoted = series.resource(quoted_parts, NAME, "Agama", quoted_new)
    assert b'"' in quoted_old
    report = validation.validate_files(package(quoted_new, quoted), {path: validation.Validated(
        len(quoted_old), sha256_bytes(quoted_old), series.resource(quoted_parts[:2], NAME, "Agama", quoted_old))})
    assert report["valid"] and "reused" not in report


def test_the_head_read_again_covers_what_frictionless_sniffs_a_csv_from():
    from frictionless import settings
    from frictionless.formats.csv import parser

    assert parser.SAMPLE_SIZE <= validation.HEAD_LINES
    assert settings.DEFAULT_SAMPLE_SIZE <= validation.HEAD_LINES


def _publish_month(factory, users, ds, month: int):
    """A submitted release of ``month`` published through publish(); the release."""
    from datetime import datetime

    from portal.core.vocabularies import DEFAULT_LICENCE
    from portal.datasets import publish
    from portal.extensions import db
    from tests.support.series import month_csv

    draft = factory.release(ds, f"1.{month - 1}.0", ReleaseStatus.SUBMITTED)
    draft.reference_date, draft.submitted_by = date(2026, month, 1), users["produsen"]
    content = month_csv(month_rows(month))
    directory = factory.storage.draft_dir(draft.id)
    (directory / f"data/{NAME}.csv").write_bytes(content)
    schema = json.loads((directory / "datapackage.json").read_text())["resources"][0]["schema"]
    meta = packaging.PackageMeta(id=ds.id, name=NAME, title=ds.title, description="Uji.", version="draf",
                                 created=datetime(2026, month, 2), licence_id=DEFAULT_LICENCE,
                                 keywords=["agama"], homepage=f"http://localhost/dataset/{NAME}")
    (directory / "datapackage.json").write_bytes(packaging.to_json_bytes(packaging.datapackage(meta, schema, content)))
    db.session.commit()
    return publish.publish(draft, users["walidata"], "Setuju.")


def test_publishing_month_after_month_reads_only_the_new_rows_of_the_series(app, users):
    from tests.support.catalog import CatalogFactory
    from tests.support.series import monthly

    factory = CatalogFactory(app)
    ds = monthly(factory, NAME, 1, lambda month: month_rows(month))
    second = _publish_month(factory, users, ds, 2)
    assert second.validation_report["valid"] and "reused" not in second.validation_report  # month 1: no series file
    third = _publish_month(factory, users, ds, 3)
    assert third.status == ReleaseStatus.PUBLISHED and third.validation_report["valid"], \
        third.validation_report["errors"]
    reused = third.validation_report["reused"][f"data/{NAME}-seri.csv"]
    assert reused["sha256"] == second.file(f"{NAME}-seri.csv").sha256
    assert reused["rows"] == 2 * len(month_rows(1))
    # Only a version whose gate passed vouches for its series.
    path = f"data/{NAME}-seri.csv"
    stored = {path: _stored(third, f"{NAME}-seri.csv")}
    assert series.validated_before(third, stored)[path].sha256 == reused["sha256"]
    second.validation_report = {**second.validation_report, "valid": False}
    assert series.validated_before(third, stored) == {}


def _stored(release, name: str) -> bytes:
    """A published file of ``release``."""
    from portal.datasets import files

    return files.published_bytes(release, name)
