"""The gate remembers what it found in a resource or a schema field, and gives back exactly that.

A review checks the same table twice (its draft, then the package at approval) and every
table schema repeats the same fields. A remembered result must be the result a fresh check
gives, over real harvested packages, valid or not, and anything changed (a byte of a file,
a property of its descriptor) must be checked again.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from portal.datasets import files as release_files
from portal.datasets import geo, packaging, series, services, validation
from portal.datasets.files import storage
from portal.datasets.storage import sha256_bytes
from portal.extensions import db


def draft_package(release) -> dict[str, bytes]:
    """A draft's package as its draft step validated it: datapackage.json and each resource's file."""
    descriptor = storage().read_draft(release.id, "datapackage.json")
    package = {"datapackage.json": descriptor}
    for resource in json.loads(descriptor)["resources"]:
        package[resource["path"]] = storage().read_draft(release.id, resource["path"])
    return package


def published_package(release) -> dict[str, bytes]:
    """A published version's package as its gate validated it (table, geo extras, series)."""
    name = release.dataset.name
    by_name = {f.name: release_files.published_bytes(release, f.name) for f in release.files}
    descriptor = json.loads(by_name["datapackage.json"])
    package = {packaging.csv_path(name): by_name[f"{name}.csv"], "datapackage.json": by_name["datapackage.json"]}
    package.update(geo.extra_resources(descriptor, lambda rel: by_name.get(rel.rsplit("/", 1)[-1])))
    package.update(series.package_files(descriptor, by_name))
    return package


def plain_frictionless(files: dict[str, bytes]) -> list[dict]:
    """Errors of ``frictionless.validate`` run on the written package, nothing remembered."""
    from frictionless import validate

    with tempfile.TemporaryDirectory() as tmp:
        for rel, content in files.items():
            (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / rel).write_bytes(content)
        report = validate(str(Path(tmp) / "datapackage.json"))
    found = [*report.errors, *(e for task in report.tasks for e in task.errors)]
    return [validation._error("frictionless", e.type, e.note, getattr(e, "row_number", None),
                              getattr(e, "field_name", None)) for e in found]


def plain_profile(descriptor: dict) -> list[tuple]:
    """(path, message) of the v2 profile's errors from a plain Draft 7 validator."""
    profile = json.loads(validation.PROFILE.read_text(encoding="utf-8"))
    return [(tuple(e.absolute_path), e.message) for e in Draft7Validator(profile).iter_errors(descriptor)]


def with_table(files: dict[str, bytes], rel: str, content: bytes, declare: bool = True) -> dict[str, bytes]:
    """``files`` with ``rel`` replaced by ``content``; its declared size and hash follow unless not ``declare``."""
    descriptor = json.loads(files["datapackage.json"])
    if declare:
        for resource in descriptor["resources"]:
            if resource["path"] == rel:
                resource["bytes"], resource["hash"] = len(content), f"sha256:{sha256_bytes(content)}"
    return {**files, rel: content, "datapackage.json": json.dumps(descriptor).encode("utf-8")}


def spoil_a_count(content: bytes, width_kept: bool = True) -> tuple[bytes, int]:
    """``content`` with the first shown count of its ``jumlah`` column made unreadable (its
    first digit a letter, or the whole cell a word), and that row's number in the file."""
    lines = content.decode("utf-8").split("\n")
    column = lines[0].split(",").index("jumlah")
    number = next(n for n in range(1, len(lines)) if lines[n] and lines[n].split(",")[column].isdigit())
    cells = lines[number].split(",")
    cells[column] = "q" + cells[column][1:] if width_kept else "banyak"
    lines[number] = ",".join(cells)
    return "\n".join(lines).encode("utf-8"), number + 1


def twice(files: dict[str, bytes], before=None) -> tuple[dict, dict]:
    """The report of a check from nothing remembered, and that of the same check again."""
    validation.forget()
    fresh = validation.validate_files(files, before)
    return fresh, validation.validate_files(files, before)


def remembered(files: dict[str, bytes]) -> list[str]:
    """Paths of the package's resources whose frictionless result is remembered now."""
    descriptor = json.loads(files["datapackage.json"])
    return [r["path"] for r in descriptor["resources"]
            if (key := validation.resource_key(descriptor, r, files)) and validation.RESOURCE_MEMO.get(key) is not None]


@pytest.fixture(autouse=True)
def _nothing_remembered():
    """Each test starts and ends with nothing remembered (no result leaks between tests)."""
    validation.forget()
    yield
    validation.forget()


def test_every_harvested_draft_checked_again_gives_the_same_report_as_a_fresh_check(harvested):
    checked = 0
    for release in harvested.drafts:
        files = draft_package(release)
        fresh, again = twice(files)
        assert again == fresh == release.validation_report, release.dataset.name
        assert fresh["valid"], release.dataset.name
        assert remembered(files) == [r["path"] for r in json.loads(files["datapackage.json"])["resources"]]
        checked += 1
    assert checked == len(harvested.drafts)


def test_what_is_remembered_is_what_frictionless_and_the_profile_find_on_their_own(harvested):
    boundaries = next(r for r in harvested.drafts if r.dataset.name == geo.BOUNDARIES.name)
    for release in (harvested.drafts[0], boundaries):
        files = draft_package(release)
        validation.forget()
        validation.validate_files(files)
        assert validation.frictionless_errors(files) == plain_frictionless(files) == []
        descriptor = json.loads(files["datapackage.json"])
        assert validation.profile_errors(descriptor) == plain_profile(descriptor) == []


def test_a_broken_table_gives_the_same_errors_remembered_as_fresh_with_whole_file_rows(harvested):
    release = harvested.drafts[0]
    files = draft_package(release)
    rel = packaging.csv_path(release.dataset.name)
    content, row = spoil_a_count(files[rel], width_kept=False)
    broken = with_table(files, rel, content, declare=False)
    fresh, again = twice(broken)
    assert again == fresh and not fresh["valid"]
    kinds = {(e["type"], e["rowNumber"]) for e in fresh["errors"] if e["check"] == "frictionless"}
    assert ("type-error", row) in kinds and ("hash-count", None) in kinds
    assert validation.frictionless_errors(broken) == plain_frictionless(broken)
    assert remembered(broken) == [rel]


def test_a_broken_field_in_a_schema_gives_the_profile_errors_of_a_plain_validator_again_and_again(harvested):
    files = draft_package(harvested.drafts[0])
    descriptor = json.loads(files["datapackage.json"])
    descriptor["resources"][0]["schema"]["fields"][1]["type"] = "bilangan"
    descriptor["resources"][0]["schema"]["fields"][2]["name"] = 5
    broken = {**files, "datapackage.json": json.dumps(descriptor).encode("utf-8")}
    fresh, again = twice(broken)
    assert again == fresh and not fresh["valid"] and fresh["checks"]["profile"] > 0
    plain = plain_profile(descriptor)
    notes = [e["note"] for e in validation.profile_errors(descriptor)]
    assert notes == [f"{'/'.join(map(str, path)) or '/'}: {message[:300]}" for path, message in plain]
    assert {path[:5] for path, _message in plain} >= {("resources", 0, "schema", "fields", 1),
                                                      ("resources", 0, "schema", "fields", 2)}


def test_a_changed_byte_of_a_checked_table_is_read_again(harvested):
    release = harvested.drafts[0]
    files = draft_package(release)
    rel = packaging.csv_path(release.dataset.name)
    assert validation.validate_files(files)["valid"]
    content, row = spoil_a_count(files[rel])
    assert len(content) == len(files[rel])
    changed = with_table(files, rel, content)
    report = validation.validate_files(changed)
    assert not report["valid"]
    found = [(e["type"], e["rowNumber"]) for e in report["errors"] if e["check"] == "frictionless"]
    assert found == [("type-error", row)]
    assert report == twice(changed)[0]


def test_a_changed_descriptor_with_the_same_bytes_is_read_again(harvested):
    release = harvested.drafts[0]
    files = draft_package(release)
    assert validation.validate_files(files)["valid"]
    descriptor = json.loads(files["datapackage.json"])
    field = next(f for f in descriptor["resources"][0]["schema"]["fields"] if f.get("type") == "integer")
    field["constraints"] = {**field.get("constraints", {}), "maximum": 0}
    tightened = {**files, "datapackage.json": json.dumps(descriptor).encode("utf-8")}
    report = validation.validate_files(tightened)
    assert not report["valid"] and {e["type"] for e in report["errors"]} == {"constraint-error"}
    assert report == twice(tightened)[0]


def test_the_package_around_a_remembered_resource_is_still_checked(harvested):
    files = draft_package(harvested.drafts[0])
    validation.validate_files(files)
    descriptor = json.loads(files["datapackage.json"])
    descriptor["resources"].append(dict(descriptor["resources"][0]))  # the same name twice
    report = validation.validate_files({**files, "datapackage.json": json.dumps(descriptor).encode("utf-8")})
    assert not report["valid"] and "package-error" in {e["type"] for e in report["errors"]}


def test_a_resource_reading_more_than_its_own_file_is_never_remembered(harvested):
    files = draft_package(harvested.drafts[0])
    descriptor = json.loads(files["datapackage.json"])
    resource = descriptor["resources"][0]
    assert validation.resource_key(descriptor, resource, files) is not None
    cases = [{**resource, "schema": "data/schema.json"}, {**resource, "data": [["a"]]},
             {**resource, "extrapaths": ["data/lain.csv"]}, {**resource, "path": "data/tidak-ada.csv"},
             {**resource, "$schema": "https://example.org/profil.json"},
             {**resource, "schema": {**resource["schema"], "foreignKeys": [
                 {"fields": ["kode_desa"], "reference": {"resource": "desa", "fields": ["kode"]}}]}},
             {**resource, "schema": {**resource["schema"], "profile": "profil/lokal.json"}}]
    assert [validation.resource_key(descriptor, case, files) for case in cases] == [None] * len(cases)
    assert validation.resource_key({**descriptor, "$schema": "https://example.org/lain.json"}, resource, files) \
        != validation.resource_key(descriptor, resource, files)


def test_the_memo_is_bounded_and_keeps_no_large_error_lists():
    memo = validation.Memo(2)
    for key in "abc":
        memo.put(key, ((key,),))
    assert memo.get("a") is None and memo.get("c") == (("c",),)
    memo.put("d", tuple(("e",) for _ in range(validation.MEMO_MAX_ERRORS + 1)))
    assert memo.get("d") is None


def test_approving_a_draft_gives_the_report_a_fresh_check_of_the_published_package_gives(harvested, users):
    releases = harvested.drafts[:3]
    for release in releases:
        validation.validate_files(draft_package(release))  # as the draft step did
        services.submit(release, users["produsen"], "Rilis pertama.")
        db.session.commit()
        services.approve(release, users["walidata"], "Setuju.")
    for release in releases:
        package = published_package(release)
        validation.forget()
        fresh = validation.validate_files(package, series.validated_before(release, package))
        assert release.validation_report == {**fresh, "checks": {**fresh["checks"], "zip": 0}}
        assert release.validation_report["valid"]
