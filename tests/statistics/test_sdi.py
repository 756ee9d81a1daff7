"""The Satu Data Indonesia metadata of every harvested table, declared beside the catalogue."""
from portal.datasets import metadata, services
from portal.statistics.catalogue import CATALOGUE
from portal.statistics.quality import QUALITY_SPEC
from portal.statistics.sdi import TABLES, district_domain, opd_email, table_metadata


def test_every_catalogue_table_has_its_own_concept_and_unit(app):
    for spec in CATALOGUE:
        found = table_metadata(spec)
        assert all(found.values()), spec.name
        assert spec.name in TABLES, f"{spec.name}: declare its concept in statistics.sdi.TABLES"
    families = next(s for s in CATALOGUE if s.name == "keluarga-menurut-kelas-sosial")
    assert table_metadata(families)["satuan"] == "Keluarga"


def test_the_quality_table_and_unknown_tables_still_get_complete_metadata(app):
    assert table_metadata(QUALITY_SPEC)["satuan"] == "Persen; orang; keluarga"
    unknown = CATALOGUE[0].__class__(name="tabel-baru", title="Tabel Baru per Desa", title_en="",
                                     description="", description_en="", dimension="code")
    found = table_metadata(unknown)
    assert all(found.values()) and found["konsep"] == "Tabel Baru"


def test_the_district_domain_follows_the_pemda_convention(app):
    assert district_domain() == "tabanankab.go.id"
    app.config["DISTRICT_CODE"] = "52.01"  # a district the bundled list does not name
    assert district_domain().endswith("kab.go.id")


def test_a_catalogue_opd_gets_its_role_address(app):
    assert opd_email("dinas-sosial") == "dinas-sosial@tabanankab.go.id"
    app.config["WALIDATA_TITLE"] = ""
    org = services.ensure_organization("dinas-sosial", "Dinas Sosial")
    assert org.email == "dinas-sosial@tabanankab.go.id" and metadata.is_role_address(org.email)
