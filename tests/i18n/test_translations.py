"""Indonesian by default, English on request, and every message translated."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "portal/translations/en/LC_MESSAGES/messages.po"


def test_every_message_in_the_code_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F",
                    "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True)
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with PO.open("rb") as handle:
        english = {m.id: m for m in read_po(handle) if m.id}
    missing = sorted(str(i) for i in wanted if i not in english or not english[i].string
                     or english[i].fuzzy)
    assert missing == [], "run `make extract-messages` and translate these"


def test_pages_are_indonesian_by_default(client):
    page = client.get("/")
    assert 'lang="id"' in page.text
    assert "Lompat ke isi" in page.text


def test_the_switch_remembers_english_and_returns_to_the_page(client):
    switched = client.get("/bahasa/en?next=/dataset%3Fq%3Dpenduduk%26lang%3Did")
    assert switched.status_code == 302
    # The stale ?lang= is dropped so it cannot outvote the choice just made.
    assert switched.headers["Location"] == "/dataset?q=penduduk"
    page = client.get("/")
    assert 'lang="en"' in page.text
    assert "Skip to content" in page.text
    client.get("/bahasa/id?next=/")
    assert 'lang="id"' in client.get("/").text


def test_a_shared_link_can_carry_its_language(client):
    assert "Skip to content" in client.get("/?lang=en").text


def test_the_switch_is_not_an_open_redirect(client):
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        response = client.get("/bahasa/en", query_string={"next": target})
        assert response.headers["Location"] == "/"
