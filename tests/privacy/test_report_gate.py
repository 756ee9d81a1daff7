"""The privacy report, its templates, and the gate that blocks a failing release."""
from pathlib import Path

import jinja2

from portal.privacy.gate import gate_errors
from portal.privacy.policy import POLICY_VERSION, policy_document
from portal.privacy.protect import protect_release
from portal.privacy.report import for_table, privacy_report, privacy_summary, public_summary
from portal.privacy.scan import Finding
from portal.privacy.suppress import Steps
from tests.privacy.district import audit, desa_code, families, make_tables, people

TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parents[2] / "templates"),
                               autoescape=True, undefined=jinja2.StrictUndefined,
                               extensions=["jinja2.ext.i18n"])
TEMPLATES.install_null_translations(newstyle=True)  # the templates' _() as in the app, untranslated
TEMPLATES.globals["privacy_summary"] = privacy_summary


def _report(steps=Steps(), scan=()):
    men = people(198) + people(2, agama_id="1")
    protected = protect_release(make_tables([men + people(200, sex="2")], [families(100)]), 5, 10, None, steps)
    return privacy_report(protected, audit(protected), list(scan), 5, 10, scanned_files=57)


def test_a_clean_release_passes_the_gate_and_its_report_says_so_in_indonesian():
    report = _report()
    assert report["passed"] and gate_errors(report) == []
    assert report["policy_version"] == POLICY_VERSION
    agama = next(t for t in report["tables"] if t["table"] == "penduduk-menurut-agama")
    assert agama["k"] == 5 and agama["suppressed_primary"] == 2 and agama["suppressed_secondary"] >= 4
    text = " ".join(report["summary"])
    assert "boleh diajukan" in text and "program linear" in text


def test_the_gate_names_rule_table_and_cell_of_every_failure():
    errors = gate_errors(_report(Steps(secondary=False)))
    line = next(e for e in errors if "penduduk-menurut-agama" in e)
    assert "terkunci" in line and desa_code(0) in line and "ISLAM" in line and "kolom" in line


def test_the_gate_blocks_scanner_hits_missing_reports_and_old_policies():
    report = _report(scan=[Finding("data/t.csv", 2, "nik")])
    assert any("data/t.csv baris 2: pola nik" in e for e in gate_errors(report))
    assert gate_errors({}) and gate_errors(None) and gate_errors({"k": 5})
    assert any("kebijakan versi" in e for e in gate_errors({**_report(), "policy_version": "0.1"}))


def test_one_table_view_keeps_the_verdict_of_the_whole_release():
    report = _report(Steps(secondary=False))
    view = for_table(report, "penduduk-menurut-agama")
    assert view["table"] == "penduduk-menurut-agama" and not view["release_passed"]
    assert {f["table"] for f in view["audit"]["findings"]} == {"penduduk-menurut-agama"}
    assert gate_errors(view)


def test_templates_render_the_report_the_public_part_and_the_policy():
    report = _report()
    html = TEMPLATES.get_template("privacy/_report.html").render(privacy=for_table(report, "penduduk-menurut-agama"))
    assert "Laporan privasi" in html and "Lulus" in html and POLICY_VERSION in html
    assert "boleh diajukan" in html and f"memuat {len(report['tables'])} tabel" in html  # the release's summary
    public = public_summary(report)
    page = TEMPLATES.get_template("privacy/_public.html").render(privacy_public=public)
    assert "Perlindungan data pribadi" in page and "ISLAM" not in page and desa_code(0) not in page
    policy = TEMPLATES.get_template("privacy/_policy.html").render(policy=policy_document())
    assert "nik" in policy and "tanggallahir" in policy


def test_the_report_names_the_identities_between_tables_it_assumed():
    report = _report()
    used = {i["name"] for i in report["identities"]["used"]}
    assert {"kepala-keluarga-sama-dengan-keluarga", "kelompok-umur-dan-kategori-umur",
            "wajib-ktp-paling-sedikit-dewasa"} <= used
    assert any("margin:" in name for name in used)
    assert any("kepala-keluarga-sama-dengan-keluarga" in line for line in report["summary"])
