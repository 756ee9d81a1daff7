"""Public pages and downloads: published versions only, correct files and HTTP caching."""
import hashlib

import pytest

NAME = "penduduk-dan-keluarga"
PUBLIC_URLS = [
    "/", "/dataset", "/dataset?q=penduduk",
]


def test_drafts_are_invisible_everywhere(client, harvested):
    version = harvested.drafts[0].version
    for url in PUBLIC_URLS:
        page = client.get(url).get_data(as_text=True)
        assert NAME not in page and "Penduduk dan Keluarga per Desa" not in page
    for url in (f"/dataset/{NAME}", f"/dataset/{NAME}/version/{version}",
                f"/dataset/{NAME}/version/{version}/download/{NAME}.csv",
                f"/dataset/{NAME}/version/{version}/download/datapackage.json",
                f"/dataset/{NAME}/download/{NAME}.csv"):
        assert client.get(url).status_code == 404, url


def test_submitted_release_is_still_invisible(client, harvested, users):
    from portal.datasets import services
    from portal.extensions import db
    services.submit(harvested.drafts[0], users["produsen"], "x")
    db.session.commit()
    assert client.get(f"/dataset/{NAME}").status_code == 404
    assert NAME not in client.get("/dataset").get_data(as_text=True)


def test_published_dataset_page(client, published):
    page = client.get(f"/dataset/{NAME}").get_data(as_text=True)
    assert "Jumlah Penduduk dan Keluarga per Desa" in page
    assert "1.0.0" in page and "Creative Commons Attribution 4.0" in page
    assert "51.02.01.2001" in page  # first desa in the preview
    assert f"/dataset/{NAME}/version/1.0.0/download/{NAME}.csv" in page
    assert NAME in client.get("/dataset").get_data(as_text=True)
    assert NAME in client.get("/dataset?q=kelamin").get_data(as_text=True)
    assert NAME not in client.get("/dataset?q=zzzz").get_data(as_text=True)


def test_home_shows_headline_numbers_and_latest_release(client, published):
    page = client.get("/").get_data(as_text=True)
    assert "Angka utama" in page and "133" in page and "Rilis terbaru" in page


def test_preview_pages_through_all_desa(client, published):
    last = client.get(f"/dataset/{NAME}?page=11").get_data(as_text=True)
    assert "Halaman 11 dari 11" in last and "51.02.10.2014" in last


def test_csv_download_is_the_published_file(client, published, app):
    response = client.get(f"/dataset/{NAME}/version/1.0.0/download/{NAME}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f'filename={NAME}-1.0.0.csv' in response.headers["Content-Disposition"]
    body = response.get_data()
    assert not body.startswith(b"\xef\xbb\xbf")
    assert body.startswith(b"kode_desa,nama_desa,kode_kecamatan,nama_kecamatan,kode,kategori,"
                           b"jumlah,laki_laki,perempuan\n")
    assert hashlib.sha256(body).hexdigest() == published.file(f"{NAME}.csv").sha256
    assert body.count(b"\n") == 1 + 133 * 2


def test_latest_download_redirects_to_the_permanent_url(client, published):
    response = client.get(f"/dataset/{NAME}/download/{NAME}.csv")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dataset/{NAME}/version/1.0.0/download/{NAME}.csv")


def test_conditional_get_and_range(client, published):
    url = f"/dataset/{NAME}/version/1.0.0/download/{NAME}.csv"
    first = client.get(url)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    part = client.get(url, headers={"Range": "bytes=0-8"})
    assert part.status_code == 206 and part.get_data() == b"kode_desa"


@pytest.mark.parametrize("url", [
    f"/dataset/{NAME}/version/9.9.9",
    f"/dataset/{NAME}/version/1.0.0/download/../../secret_key",
    f"/dataset/{NAME}/version/1.0.0/download/unknown.csv",
    "/dataset/tidak-ada",
])
def test_unknown_versions_and_files_are_404(client, published, url):
    assert client.get(url).status_code == 404


DOWNLOADS = {
    f"{NAME}.csv": ("text/csv; charset=utf-8", f"{NAME}-1.0.0.csv"),
    f"{NAME}.xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{NAME}-1.0.0.xlsx"),
    f"{NAME}.json": ("application/json; charset=utf-8", f"{NAME}-1.0.0.json"),
    f"{NAME}.zip": ("application/zip", f"{NAME}-1.0.0.zip"),
    "datapackage.json": ("application/json; charset=utf-8", f"{NAME}-1.0.0-datapackage.json"),
}


@pytest.mark.parametrize("filename", sorted(DOWNLOADS))
def test_every_download_has_its_type_name_hash_and_caching(client, published, filename):
    content_type, download_name = DOWNLOADS[filename]
    url = f"/dataset/{NAME}/version/1.0.0/download/{filename}"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == content_type
    assert first.headers["Content-Disposition"] == f"attachment; filename={download_name}"
    body = first.get_data()
    entry = published.file(filename)
    assert hashlib.sha256(body).hexdigest() == entry.sha256 and len(body) == entry.bytes
    assert first.headers["ETag"] == f'"{entry.sha256}"'
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    part = client.get(url, headers={"Range": "bytes=2-5"})
    assert part.status_code == 206 and part.get_data() == body[2:6]
    assert part.headers["Content-Range"] == f"bytes 2-5/{len(body)}"


def test_the_page_lists_every_download_with_size_and_sha256(client, published):
    page = client.get(f"/dataset/{NAME}").get_data(as_text=True)
    for filename in DOWNLOADS:
        assert f"/dataset/{NAME}/version/1.0.0/download/{filename}" in page
        assert published.file(filename).sha256 in page


def test_xlsx_download_opens_with_numbers_as_numbers(client, published):
    import io

    from openpyxl import load_workbook
    body = client.get(f"/dataset/{NAME}/version/1.0.0/download/{NAME}.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(body))["data"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["kode_desa", "nama_desa"]
    row = [c.value for c in sheet[2]]
    assert row[0] == "51.02.01.2001" and isinstance(row[4], int)
    assert all(isinstance(v, int) or v == "x" for v in row[6:9])


def test_atom_feed_lists_published_versions_only(client, harvested, published):
    import xml.etree.ElementTree as ET
    response = client.get("/feeds/releases.atom")
    assert response.mimetype == "application/atom+xml"
    entries = ET.fromstring(response.get_data()).findall("{http://www.w3.org/2005/Atom}entry")
    links = [e.find("{http://www.w3.org/2005/Atom}link").get("href") for e in entries]
    assert links == [f"http://localhost/dataset/{NAME}/version/1.0.0"]
