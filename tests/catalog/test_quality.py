"""The public data-quality page (/kualitas-data): the published scores, hidden cells shown as hidden."""
import re
from pathlib import Path

import pandas as pd

from portal.datasets import services
from portal.extensions import db
from portal.statistics.quality import QUALITY_NAME, SCORE


def _publish_quality(harvested, users):
    release = next(r for r in harvested.drafts if r.dataset.name == QUALITY_NAME)
    services.submit(release, users["produsen"], "Laporan kualitas data.")
    db.session.commit()
    services.approve(release, users["walidata"], "Setuju.")
    db.session.commit()
    return release


def _csv(app, release) -> pd.DataFrame:
    path = Path(app.config["STORAGE_DIR"]) / "releases" / str(release.id) / "data" / f"{QUALITY_NAME}.csv"
    if not path.exists():
        path = next((Path(app.config["STORAGE_DIR"])).rglob(f"{QUALITY_NAME}.csv"))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_page_says_when_nothing_is_published_yet(client):
    response = client.get("/kualitas-data")
    assert response.status_code == 200
    assert "Laporan kualitas data belum terbit." in response.get_data(as_text=True)


def test_the_page_shows_every_desa_score_as_published(app, client, users, harvested):
    release = _publish_quality(harvested, users)
    table = _csv(app, release)
    page = client.get("/kualitas-data").get_data(as_text=True)
    rows = re.findall(r'<tr><th scope="row"><a href="/desa/([0-9.]+)">', page)
    assert len(rows) == 133 and len(set(rows)) == 133
    scores = table[table["kode"] == str(SCORE)].set_index("kode_desa")["persen"]
    shown = [s for s in scores if s not in ("", "x")]
    assert shown, "the district has desa with a score"
    best = max(shown, key=float)
    assert rows[0] in set(scores[scores == best].index)  # ranked from the best score
    assert f"<td>{best}</td>" in page
    assert f'href="/dataset/{QUALITY_NAME}"' in page and "Rumus skor kelengkapan" in page
    assert "skor = 100 × (1 − rata-rata pangsa" in page
    # Hidden cells are said to be hidden, never shown as a number or a zero.
    if (table["persen"] == "x").any():
        assert '<abbr title="Disembunyikan untuk melindungi data pribadi">x</abbr>' in page
    english = client.get("/kualitas-data?lang=en").get_data(as_text=True)
    assert "score = 100 × (1 − mean share" in english


def test_the_dashboard_and_the_dataset_page_lead_to_it(app, client, users, harvested):
    _publish_quality(harvested, users)
    assert 'href="/kualitas-data"' in client.get("/dasbor").get_data(as_text=True)
    page = client.get(f"/dataset/{QUALITY_NAME}")
    assert page.status_code == 200 and "Kualitas Data Desa" in page.get_data(as_text=True)
