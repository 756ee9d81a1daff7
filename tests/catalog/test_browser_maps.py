"""Maps, trends and data quality in headless Chromium, on a desktop and on a phone-sized screen.

A reader sees the dashboard's choropleth with its legend, reaches a desa with the keyboard and
switches the indicator with the plain GET form; on a per-desa dataset page sees the map and the
trend chart with its table, and maps another category; reads the data-quality scores; nothing
wider than a phone's screen. Screenshots of each page go to build/screenshots.
"""
from datetime import timedelta

import pytest

from portal.datasets import services
from portal.extensions import db
from tests.support.browser import require_chromium, screenshot
from tests.support.releases import audit_as_harvest, bump_first_count, protected_from
from tests.support.snapshot import releases_once
from tests.support.world import REFERENCE_DATE, snapshot_dir

require_chromium()

NEXT_MONTH = REFERENCE_DATE + timedelta(days=31)
SCREENS = {"": {"width": 1280, "height": 900}, "-phone": {"width": 360, "height": 740}}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"
FOCUSED_MAP_LINK = """() => { const e = document.activeElement;
  return e && e.closest('svg.choropleth') && e.tagName.toLowerCase() === 'a'
    ? e.getAttribute('aria-label') : null; }"""


@pytest.fixture
def world(app, users, harvested, published, tmp_path_factory):
    """The harvested district with every draft published (boundaries and data quality among
    them) and the first table's next month, so its trend has two points."""
    def publish_rest() -> list:
        rest = [r for r in harvested.drafts if r.id != published.id]
        for release in rest:
            services.submit(release, users["produsen"], "Rilis pertama.")
            db.session.commit()
            services.approve(release, users["walidata"], "Setuju.")
        db.session.commit()
        return [_next_month(published, users), *rest]

    return releases_once("publish the rest and a second version", app,
                         snapshot_dir(tmp_path_factory), publish_rest)[0]


def _next_month(release, users):
    """The release's table a month later with ten more residents, published by four eyes."""
    protected = protected_from(release, bump_first_count)
    draft = services.create_draft(release.dataset, protected, NEXT_MONTH, release.harvest_id,
                                  users["produsen"], [{"title": "uji"}])
    audit_as_harvest(protected, draft, release)
    db.session.commit()
    services.submit(draft, users["produsen"], "Pembaruan bulanan.")
    db.session.commit()
    services.approve(draft, users["walidata"], "Setuju.")
    db.session.commit()
    return draft


@pytest.mark.parametrize("suffix", list(SCREENS), ids=["desktop", "phone"])
def test_maps_trends_and_quality_at_desktop_and_phone_width(live_server, browser, world, suffix):
    context = browser.new_context(viewport=SCREENS[suffix], is_mobile=bool(suffix))
    page = context.new_page()
    try:
        _dashboard_map(page, live_server, suffix)
        _dataset_trend_and_map(page, live_server, world.dataset.name, suffix)
        _data_quality(page, live_server, suffix)
    finally:
        context.close()


def _dashboard_map(page, server: str, suffix: str) -> None:
    """The choropleth with its legend, a desa reached by Tab, another indicator chosen."""
    page.goto(f"{server}/dasbor")
    figure = page.locator("figure#peta-dasbor")
    choropleth = figure.locator("svg.choropleth")
    assert choropleth.is_visible()
    assert choropleth.locator("a path, a circle").count() >= 2  # desa drawn from their boundaries
    legend = choropleth.locator(":scope > rect")
    assert legend.count() >= 2 and legend.first.is_visible()  # the legend's colour swatches
    assert page.evaluate(NO_OVERFLOW), f"dashboard{suffix} wider than the screen"
    screenshot(page, f"dashboard-map{suffix}")

    page.locator("#peta-dasbor-ukuran").focus()
    page.keyboard.press("Tab")  # the form's button
    page.keyboard.press("Tab")  # the map's first desa
    focused = page.evaluate(FOCUSED_MAP_LINK)
    assert focused and ": " in focused  # "Desa: value", what a screen reader says

    before = choropleth.locator(":scope > title").text_content()
    page.select_option("#peta-dasbor-ukuran", "kepadatan")
    figure.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url("**peta=kepadatan*")
    after = page.locator("figure#peta-dasbor svg.choropleth")
    assert after.is_visible()
    assert after.locator(":scope > title").text_content() != before
    assert "km²" in after.locator(":scope > title").text_content()
    assert page.evaluate(NO_OVERFLOW), f"dashboard{suffix} (density) wider than the screen"


def _dataset_trend_and_map(page, server: str, name: str, suffix: str) -> None:
    """The trend chart and its table, the map of a per-desa table, another category as a share."""
    page.goto(f"{server}/dataset/{name}")
    trend = page.locator("#tren svg[role='img']")
    assert trend.is_visible()
    assert trend.locator("a[aria-label]").count() >= 2  # a point per published version
    page.locator("#tren details.chart-data > summary").click()
    table = page.locator("#tren details.chart-data table")
    assert table.is_visible() and table.locator("tbody tr").count() >= 2

    choropleth = page.locator("figure#peta-dataset svg.choropleth")
    assert choropleth.is_visible()
    before = choropleth.locator(":scope > title").text_content()
    options = page.locator("#peta-dataset-kategori option")
    assert options.count() >= 2
    other = options.nth(1).get_attribute("value")
    page.select_option("#peta-dataset-kategori", other)
    page.locator("figure#peta-dataset input[value='persen']").check()
    page.locator("figure#peta-dataset").get_by_role("button", name="Tampilkan").click()
    page.wait_for_url(f"**peta_kategori={other}*")
    changed = page.locator("figure#peta-dataset svg.choropleth")
    assert changed.is_visible()
    assert changed.locator(":scope > title").text_content() != before
    assert page.locator("#peta-dataset-kategori").input_value() == other
    assert page.locator("#tren svg[role='img']").is_visible()
    assert page.evaluate(NO_OVERFLOW), f"dataset page{suffix} wider than the screen"
    screenshot(page, f"dataset-trend-map{suffix}")


def _data_quality(page, server: str, suffix: str) -> None:
    """The public scores, one row per desa, in a table that scrolls in its own region."""
    page.goto(f"{server}/kualitas-data")
    scores = page.get_by_role("region", name="Skor kelengkapan per desa")
    assert scores.is_visible()
    assert scores.locator("tbody tr").count() >= 2
    assert scores.locator("tbody tr").first.is_visible()
    assert page.evaluate(NO_OVERFLOW), f"data quality{suffix} wider than the screen"
    screenshot(page, f"data-quality{suffix}")
