"""Structural accessibility of the main pages (WCAG 2.1 AA): language, one h1, labelled controls,
text alternatives, focusable scroll regions, unique ids, and the contrast of the palette."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.support.forms import csrf_token

CSS = Path(__file__).resolve().parents[2] / "portal/static/css/portal.css"
DESA, KECAMATAN = "51.02.01.2001", "51.02.01"
PUBLIC_PAGES = ("/", "/?lang=en", "/dataset", "/dataset?q=penduduk", "/dasbor", f"/desa/{DESA}",
                f"/kecamatan/{KECAMATAN}", "/api/docs", "/auth/login", "/privasi", "/topik", "/organisasi")
ADMIN_PAGES = ("/admin/", "/admin/releases", "/admin/releases?status=submitted", "/admin/datasets",
               "/admin/harvests", "/admin/audit", "/admin/users", "/admin/organizations",
               "/admin/organizations/new", "/admin/topics", "/admin/akun/sandi", "/admin/?lang=en")
CONTROLS = {"input", "select", "textarea"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Page(HTMLParser):
    """The facts about a page that the checks below need."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.h1 = 0
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict] = []
        self.images: list[dict] = []
        self.svgs: list[dict] = []
        self.regions: list[dict] = []
        self._label_depth = 0
        self._svg: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in CONTROLS:
            if not (tag == "input" and a.get("type", "text") in UNLABELLED_INPUT_TYPES):
                self.controls.append({**a, "_tag": tag, "_in_label": self._label_depth > 0})
        elif tag == "img":
            self.images.append(a)
        elif tag == "svg":
            self._svg = {**a, "_title": False}
            self.svgs.append(self._svg)
        elif tag == "title" and self._svg is not None:
            self._svg["_title"] = True
        if "table-scroll" in (a.get("class") or "").split():
            self.regions.append(a)

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth = max(0, self._label_depth - 1)
        elif tag == "svg":
            self._svg = None


def problems(html: str) -> list[str]:
    """Every structural accessibility problem found in ``html``."""
    page = Page()
    page.feed(html)
    found = []
    if page.lang not in ("id", "en"):
        found.append(f"html lang is {page.lang!r}")
    if page.h1 != 1:
        found.append(f"{page.h1} h1 elements")
    for c in page.controls:
        named = (c.get("id") in page.label_for or c["_in_label"] or c.get("aria-label")
                 or c.get("aria-labelledby") or c.get("title"))
        if not named:
            found.append(f"unlabelled <{c['_tag']} name={c.get('name')!r}>")
    found += [f"<img src={i.get('src')!r}> without alt" for i in page.images if "alt" not in i]
    for s in page.svgs:
        hidden = s.get("aria-hidden") == "true"
        if not hidden and not (s.get("role") == "img" and (s.get("aria-label") or s["_title"])):
            found.append("svg without role=img and a text alternative")
    for r in page.regions:
        labelled = r.get("aria-label") or (r.get("aria-labelledby") in page.ids)
        if r.get("tabindex") != "0" or r.get("role") != "region" or not labelled:
            found.append("scrolling table region not focusable or not labelled")
    duplicates = sorted({i for i in page.ids if page.ids.count(i) > 1})
    if duplicates:
        found.append(f"duplicate ids {duplicates}")
    return found


def test_the_checker_catches_what_it_should():
    bad = ('<html><body><h1>a</h1><h1>b</h1><input name="q"><img src="x.png">'
           '<svg><rect/></svg><div class="table-scroll"></div><p id="a"></p><p id="a"></p></body></html>')
    found = " | ".join(problems(bad))
    for expected in ("html lang", "2 h1", "unlabelled <input name='q'>", "without alt", "svg without",
                     "scrolling table region", "duplicate ids ['a']"):
        assert expected in found, expected
    good = ('<html lang="id"><body><h1>a</h1><label for="q">Cari</label><input id="q" name="q">'
            '<label>Nama <input name="n"></label><input type="hidden" name="csrf_token">'
            '<svg role="img" aria-label="Grafik"><title>Grafik</title></svg></body></html>')
    assert problems(good) == []


def _check_pages(client, urls) -> dict[str, list[str]]:
    report = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = problems(response.get_data(as_text=True))
        if found:
            report[url] = found
    return report


def test_main_pages_are_structurally_accessible(client, auth, users, published):
    # One published release (the harvest's other tables stay drafts): public pages, then the
    # walidata's and the produsen's admin pages. One test, so the slow harvest runs once.
    name = published.dataset.name
    report = _check_pages(client, (*PUBLIC_PAGES, f"/dataset/{name}", f"/dataset/{name}?lang=en",
                                   f"/dataset/{name}/version/{published.version}"))
    auth.login_as("walidata")
    report |= _check_pages(client, (*ADMIN_PAGES, f"/admin/releases/{published.id}",
                                    f"/admin/harvests/{published.harvest_id}",
                                    f"/admin/users/{users['produsen'].id}"))
    auth.logout()
    auth.login_as("produsen")
    report |= _check_pages(client, (f"/admin/releases/{published.id}/metadata", "/admin/akun/sandi"))
    assert report == {}


def test_form_errors_are_tied_to_their_fields(client, auth, users):
    auth.login_as("walidata")
    page = client.get("/admin/organizations/new").get_data(as_text=True)
    html = client.post("/admin/organizations/new", data={"name": "X!", "title": "",
                                                        "csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert re.search(r'aria-describedby="name-help name-error"', html)
    assert 'id="name-error"' in html and 'id="title-error"' in html and problems(html) == []


# ---- contrast (WCAG 2.1: 4.5:1 for text, 3:1 for focus rings and control borders) ----

def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two sRGB colours given as #rrggbb."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def palette() -> dict[str, str]:
    """The custom properties declared in :root of portal.css."""
    root = re.search(r":root\s*{([^}]*)}", CSS.read_text()).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", root))


TEXT_PAIRS = [  # (text, background) as used by the stylesheet and the templates
    ("ink", "bg"), ("ink", "soft"), ("muted", "bg"), ("muted", "soft"), ("link", "bg"), ("link", "soft"),
    ("warn", "bg"), ("error", "bg"), ("ok", "bg"), ("brand-ink", "brand"), ("brand-ink", "secondary"),
    ("brand-ink", "error"), ("warn", "warn-bg"), ("ok", "ok-bg"), ("error", "error-bg"), ("link", "info-bg"),
    ("ink", "neutral-bg"), ("muted", "neutral-bg"), ("link", "bg"),
]
NON_TEXT_PAIRS = [("focus", "bg"), ("focus", "soft"), ("focus-on-brand", "brand"), ("control", "bg")]


def test_the_palette_meets_wcag_aa_contrast():
    colours = palette()
    low = {f"{fg} on {bg}": round(contrast(colours[fg], colours[bg]), 2) for fg, bg in TEXT_PAIRS
           if contrast(colours[fg], colours[bg]) < 4.5}
    low |= {f"{fg} on {bg}": round(contrast(colours[fg], colours[bg]), 2) for fg, bg in NON_TEXT_PAIRS
            if contrast(colours[fg], colours[bg]) < 3}
    assert low == {}


def test_every_literal_text_colour_in_the_stylesheet_is_readable():
    # Any rule (from any section) that sets a literal colour: against its own background if it
    # sets one, else against the page's white.
    colours = palette()
    failing = []
    for selector, body in re.findall(r"([^{}]+){([^{}]*)}", CSS.read_text()):
        fg = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6}|var\(--([\w-]+)\))", body)
        if not fg:
            continue
        bg = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6}|var\(--([\w-]+)\))", body)
        fg_hex = colours.get(fg.group(2)) if fg.group(2) else fg.group(1)
        page = colours["brand"] if ".site-header" in selector else colours["bg"]
        bg_hex = (colours.get(bg.group(2)) if bg.group(2) else bg.group(1)) if bg else page
        if fg_hex and bg_hex and contrast(fg_hex, bg_hex) < 4.5:
            failing.append(f"{selector.strip()}: {contrast(fg_hex, bg_hex):.2f}")
    assert failing == []


def test_chart_colours_stand_out_from_the_page():
    # Bars and pyramid halves are non-text graphics: 3:1 against white (WCAG 1.4.11).
    charts = (Path(__file__).resolve().parents[2] / "templates/catalog/_charts.html").read_text()
    fills = set(re.findall(r'fill="(#[0-9a-fA-F]{6})"', charts))
    assert fills and all(contrast(f, "#ffffff") >= 3 for f in fills), fills
