"""A citizen's tour of the catalog in headless Chromium, saving screenshots of the main pages.

Search with a facet, open a dataset, page, filter and sort its preview, download a file,
switch language, open a village profile; on a desktop and on a phone-sized screen.
"""
import csv

from tests.support.browser import require_chromium, screenshot

require_chromium()

TITLE = "Jumlah Penduduk dan Keluarga per Desa"


def test_a_citizen_finds_filters_and_downloads_a_dataset(live_server, page, published):
    page.goto(live_server)
    screenshot(page, "home")
    page.get_by_role("search").get_by_role("searchbox").fill("kependudukan")
    page.get_by_role("search").get_by_role("searchbox").press("Enter")
    page.wait_for_url("**/dataset?q=kependudukan*")
    assert page.get_by_role("link", name=TITLE).is_visible()  # "kependudukan" finds "penduduk"

    facet = page.locator("aside.facets a").first
    facet_label = facet.inner_text().strip()
    facet.click()
    page.wait_for_load_state()
    assert "q=kependudukan" in page.url and "&" in page.url  # the facet joined the shared query
    assert facet_label in page.locator("ul.chips").inner_text()
    screenshot(page, "search")

    page.get_by_role("link", name=TITLE).click()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    screenshot(page, "dataset")

    preview = page.locator("#pratinjau")
    first_page = preview.locator("tbody tr").first.inner_text()
    preview.get_by_role("link", name="Berikutnya").click()
    page.wait_for_url("**page=2*")
    assert page.locator("#pratinjau tbody tr").first.inner_text() != first_page

    kecamatan = page.locator("#f-kecamatan option").nth(1)
    kode, name = kecamatan.get_attribute("value"), kecamatan.inner_text().strip()
    page.select_option("#f-kecamatan", kode)
    page.locator("#pratinjau").get_by_role("button").click()
    page.wait_for_url(f"**kecamatan={kode}*")
    column = _column_index(page, "nama_kecamatan")
    cells = page.locator(f"#pratinjau tbody tr td:nth-child({column + 1})").all_inner_texts()
    assert cells and {c.strip() for c in cells} == {name}

    page.locator("#pratinjau thead").get_by_role("link", name="jumlah").click()
    page.wait_for_url("**sort=jumlah*")
    assert page.locator("#pratinjau th[aria-sort='ascending']").count() == 1

    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh CSV").first.click()
    with open(info.value.path(), encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:2] == ["kode_desa", "nama_desa"]


def test_a_reader_switches_to_english_and_back(live_server, page, published):
    page.goto(f"{live_server}/dataset/{published.dataset.name}")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to content").count() == 1
    assert page.url.endswith(f"/dataset/{published.dataset.name}")  # back on the same page
    screenshot(page, "dataset-en")
    page.goto(f"{live_server}/dasbor")
    assert page.locator("html").get_attribute("lang") == "en"  # the choice is remembered
    page.get_by_role("link", name="Bahasa Indonesia").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "id"


def test_village_and_kecamatan_profiles_and_the_dashboard(live_server, page, published):
    page.goto(f"{live_server}/dasbor")
    assert page.locator("svg").count() >= 1
    screenshot(page, "dashboard")
    page.goto(f"{live_server}/dataset/{published.dataset.name}")
    page.locator("details:has(a[href^='/desa/']) > summary").first.click()  # the villages list
    page.locator("a[href^='/desa/']").first.click()
    page.wait_for_url("**/desa/*")
    assert page.get_by_role("heading", level=1).is_visible()
    # Every number links to the dataset version behind it.
    assert page.locator(f"a[href*='/dataset/{published.dataset.name}/version/']").count() >= 1
    screenshot(page, "desa")
    page.locator("a[href^='/kecamatan/']").first.click()
    page.wait_for_url("**/kecamatan/*")
    screenshot(page, "kecamatan")


def test_pages_fit_a_phone_screen(live_server, browser, published):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    for name, path in (("phone-home", "/"), ("phone-dataset", f"/dataset/{published.dataset.name}"),
                       ("phone-search", "/dataset?q=penduduk")):
        phone.goto(f"{live_server}{path}")
        # Nothing wider than the screen: wide tables scroll inside their own region.
        assert phone.evaluate(OVERFLOWING) == [], path
        assert phone.evaluate("document.documentElement.scrollWidth") <= 361, path
        screenshot(phone, name)
    context.close()


# Elements reaching past the right edge, outside any scrolling region.
OVERFLOWING = """() => {
  const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; }
    return false; };
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e))
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
}"""


def _column_index(page, name: str) -> int:
    headers = [h.strip().rstrip("▲▼↕ ").strip()
               for h in page.locator("#pratinjau thead th").all_inner_texts()]
    return headers.index(name)
