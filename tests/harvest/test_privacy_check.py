"""The harvest's privacy step (portal/harvest/privacy_check.py) on the generated district:
the data-quality table passes the independent auditor like every table."""
from portal.privacy.gate import gate_errors
from portal.statistics.quality import QUALITY_NAME


def test_the_quality_table_is_attacked_by_the_auditor_and_passes(harvested):
    quality = next(d for d in harvested.drafts if d.dataset.name == QUALITY_NAME)
    report = quality.privacy_report
    assert report["quality_audit"] == {"passed": True, "findings": []}
    assert gate_errors(report) == []
    # The other drafts carry the release's report, without the quality table's attack.
    table = next(d for d in harvested.drafts if d.dataset.name != QUALITY_NAME and d.privacy_report.get("tables"))
    assert "quality_audit" not in table.privacy_report

