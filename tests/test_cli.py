"""``flask releases show`` speaks like the review page: summary lines and a hidden-cells table."""
from __future__ import annotations

import json

from portal.privacy.report import privacy_summary


def test_releases_show_prints_the_privacy_summary_and_hidden_cells_per_table(runner, harvested):
    release = harvested.drafts[0]
    report = release.privacy_report
    result = runner.invoke(args=["releases", "show", str(release.id)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "{'" not in out and '{"' not in out  # no raw Python or JSON structure
    assert f"Privasi: {'LULUS' if report['passed'] else 'TIDAK LULUS'}" in out
    for line in privacy_summary(report):
        assert f"  - {line}" in out
    lines = out.splitlines()
    header = lines.index("Sel yang disembunyikan per tabel:")
    assert lines[header + 1].split() == ["Tabel", "Kelas", "k", "Sel", "Primer", "Sekunder", "Rentang", "Temuan"]
    rows = {line.split()[0]: line.split() for line in lines[header + 3:header + 3 + len(report["tables"])]}
    for table in report["tables"]:
        row = rows[table["table"]]
        assert row[2:6] == [str(table["k"]), str(table["cells"]), str(table["suppressed_primary"]),
                            str(table["suppressed_secondary"])]


def test_releases_show_json_is_the_machine_form(runner, harvested):
    release = harvested.drafts[0]
    result = runner.invoke(args=["releases", "show", str(release.id), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["id"] == release.id and shown["status"] == "draft"
    assert shown["privacy_report"] == json.loads(json.dumps(release.privacy_report, default=str))
    assert {f["name"] for f in shown["files"]} == {f.name for f in release.files}


def test_releases_show_of_an_unknown_release_is_an_error(runner, users):
    for args in (["999999"], ["999999", "--json"]):
        result = runner.invoke(args=["releases", "show", *args])
        assert result.exit_code != 0 and "tidak ada" in result.output
    result = runner.invoke(args=["releases", "show", "satu"])
    assert result.exit_code != 0 and "not a valid integer" in result.output
