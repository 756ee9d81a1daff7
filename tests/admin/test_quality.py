"""The walidata's data-quality ranking: lowest score first, what to fix as counts, a CSV for villages."""
import csv
import io
from datetime import date

from portal.extensions import db
from portal.harvest.models import HarvestRun
from portal.privacy.scan import PATTERNS


def test_walidata_sees_desa_ranked_from_the_lowest_score_with_what_to_fix(client, auth, users, harvested):
    auth.login_as("walidata")
    page = client.get("/admin/kualitas-data").get_data(as_text=True)
    assert 'href="/admin/kualitas-data"' in page and "Unduh CSV untuk dikirim ke desa" in page
    run = db.session.get(HarvestRun, harvested.run.id)
    scored = sorted(d["skor"] for d in run.report["quality"] if d["skor"] is not None)
    worst = next(d for d in run.report["quality"] if d["skor"] == scored[0])
    assert page.index(worst["kode_desa"]) < page.index("</tbody>")
    first_row = page.split("<tbody>")[1].split("</tr>")[0]
    assert "<td>1</td>" in first_row and f"{scored[0]:.1f}" in first_row
    assert "PENDUDUK TANPA NIK VALID" in page or "BELUM MENGISI" in page


def test_the_csv_lists_every_desa_with_counts_only(client, auth, users, harvested):
    auth.login_as("walidata")
    response = client.get("/admin/kualitas-data.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 133 and [int(r["peringkat"]) for r in rows] == list(range(1, 134))
    assert all(v.isdigit() for r in rows for k, v in r.items()
               if k not in ("kode_desa", "nama_desa", "nama_kecamatan", "skor", "perubahan_terakhir"))
    scores = [float(r["skor"]) for r in rows if r["skor"]]
    assert scores == sorted(scores)
    for name in ("nik_or_kk", "phone", "email", "date"):
        assert not PATTERNS[name].search(text), name


def test_a_run_without_quality_counts_is_passed_over(client, auth, users):
    db.session.add(HarvestRun(source="lama", source_kind="csv", reference_date=date(2026, 1, 1),
                              status="ok", report={"errors": 0, "warnings": 0, "problems": []}))
    db.session.add(HarvestRun(source="gagal", source_kind="?", reference_date=date(2026, 2, 1),
                              status="failed", report={"message": "x", "quality": "bukan daftar"}))
    db.session.commit()
    auth.login_as("walidata")
    page = client.get("/admin/kualitas-data").get_data(as_text=True)
    assert "Belum ada panen yang menghitung kualitas data." in page
    csv_text = client.get("/admin/kualitas-data.csv").get_data(as_text=True)
    assert csv_text.count("\n") == 1  # the header only


def test_produsen_may_not_open_it(client, auth, users):
    auth.login_as("produsen")
    assert client.get("/admin/kualitas-data").status_code == 403
    assert client.get("/admin/kualitas-data.csv").status_code == 403
    assert 'href="/admin/kualitas-data"' not in client.get("/admin/").get_data(as_text=True)
