"""The privacy layer explained: the public method, each version's note, the admin policy page."""
from portal.privacy.policy import POLICY_VERSION


def test_the_public_method_page_states_the_rules_and_k(client, app):
    page = client.get("/privasi")
    assert page.status_code == 200
    assert f"k = {app.config['PRIVACY_K_GENERAL']}" in page.text
    assert f"k = {app.config['PRIVACY_K_SPECIFIC']}" in page.text
    assert POLICY_VERSION in page.text
    assert "Perlindungan data pribadi" in client.get("/").text  # linked from every page


def test_a_published_version_has_a_public_note_without_hidden_values(client, published):
    url = f"/dataset/{published.dataset.name}/version/{published.version}/privasi"
    page = client.get(url)
    assert page.status_code == 200
    assert POLICY_VERSION in page.text
    # The note gives rules, never the cells: no desa code of the table appears.
    assert "5102" not in page.text


def test_drafts_have_no_public_note(client, harvested):
    release = harvested.drafts[0]
    assert client.get(f"/dataset/{release.dataset.name}/version/{release.version}/privasi").status_code == 404


def test_the_policy_is_shown_to_signed_in_admins_only(client, auth, users):
    assert client.get("/admin/kebijakan-privasi").status_code == 302
    auth.login_as("produsen")
    page = client.get("/admin/kebijakan-privasi")
    assert page.status_code == 200
    assert "tanggallahir" in page.text and "nik" in page.text and POLICY_VERSION in page.text


def test_the_public_note_speaks_english_on_the_english_page(client, published):
    url = f"/dataset/{published.dataset.name}/version/{published.version}/privasi"
    indonesian, english = client.get(url).text, client.get(url + "?lang=en").text
    assert "penekanan sekunder bersama" in indonesian
    assert "penekanan sekunder" not in english and "secondary suppression" in english


def test_the_review_summary_speaks_the_readers_language(client, auth, harvested):
    auth.login_as("walidata")
    url = f"/admin/releases/{harvested.drafts[0].id}"
    assert "Auditor independen menyerang" in client.get(url).text
    english = client.get(url + "?lang=en").text
    assert "Auditor independen" not in english and "independent auditor" in english
