"""A catalogue for search tests: datasets made directly (as tests/api does), then indexed."""
from __future__ import annotations

import re

import pytest

from portal.core.vocabularies import PrivacyClass, ReleaseStatus
from portal.extensions import db
from portal.search.index import reindex
from tests.support.catalog import CatalogFactory

ORGS = {"bappeda": "Badan Perencanaan Pembangunan Daerah", "disdik": "Dinas Pendidikan",
        "dinkes": "Dinas Kesehatan"}
RESULT_LINK = re.compile(r'<h2><a href="/dataset/([^"/]+)">')


class SearchCatalog:
    """Makes published (or not) datasets with chosen metadata and indexes them as publishing does."""

    def __init__(self, app):
        self.factory = CatalogFactory(app)
        for name, title in ORGS.items():
            self.factory.org(name, title)

    def add(self, name: str, title: str, description: str = "", org: str = "bappeda",
            topic: str = "kependudukan", tags=("umum",), licence: str = "CC-BY-4.0",
            privacy: PrivacyClass = PrivacyClass.GENERAL, statuses=(ReleaseStatus.PUBLISHED,),
            drop_formats=()):
        """A dataset with one release per status (1.0.0, 1.1.0, ...), indexed."""
        versions = [(f"1.{i}.0", s) for i, s in enumerate(statuses)]
        ds = self.factory.dataset(name, versions, org=org, topic=topic, tags=tags, title=title,
                                  commit=False)
        ds.description, ds.licence_id, ds.privacy_class = description, licence, privacy
        for release in ds.releases:
            release.files[:] = [f for f in release.files if f.format not in drop_formats]
        reindex(ds)
        db.session.commit()
        return ds


@pytest.fixture
def catalog(app) -> SearchCatalog:
    """An empty catalogue to fill."""
    return SearchCatalog(app)


def result_names(page: str) -> list[str]:
    """Dataset names in a result list, in order."""
    return RESULT_LINK.findall(page)
