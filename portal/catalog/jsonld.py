"""schema.org Dataset JSON-LD for a dataset page, safe to embed in a <script> element."""
from __future__ import annotations

import json

from markupsafe import Markup

from portal.catalog.cite import permanent_url
from portal.core.site import base_url, district_name, walidata_title
from portal.core.vocabularies import licence

# Inside <script>, "</script>" or "<!--" would end or confuse the element; JSON allows
# these characters as \u escapes, so they never appear literally.
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def dumps(data: dict) -> Markup:
    """JSON text that can sit inside <script type="application/ld+json"> without escaping out."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup("".join(_ESCAPES.get(c, c) for c in text))


def _iso(value) -> str:
    return value.replace(microsecond=0).isoformat() + ("Z" if value.tzinfo is None else "")


def dataset(*, found, release, meta: dict, organization: str, columns: list[str],
            district_code: str, portal_title: str, files: list[tuple[object, str]]) -> dict:
    """The schema.org Dataset of one published version.

    ``files`` pairs each release file with its download URL.
    """
    ds = found.dataset
    url = permanent_url(ds.name, release.version)
    first = min(r.published_at for r in found.versions)
    lic = licence(meta.get("licence_id", ds.licence_id))
    code = district_code
    place = district_name()
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": url,
        "name": meta.get("title") or ds.title,
        "description": meta.get("description") or ds.title,
        "url": url,
        "sameAs": f"{base_url()}/dataset/{ds.name}",
        "identifier": [f"urn:uuid:{ds.id}", url],
        "version": release.version,
        "inLanguage": "id",
        "license": lic.url or lic.title,
        "isAccessibleForFree": True,
        "creator": {"@type": "GovernmentOrganization", "name": organization},
        "publisher": {"@type": "GovernmentOrganization", "name": walidata_title()},
        "keywords": [*meta.get("tags", []), ds.topic],
        "temporalCoverage": release.reference_date.isoformat(),
        "spatialCoverage": {"@type": "Place", "name": place,
                            "identifier": f"Kode wilayah Kemendagri {code}",
                            "address": {"@type": "PostalAddress", "addressRegion": place,
                                        "addressCountry": "ID"}},
        "datePublished": _iso(first),
        "dateModified": _iso(release.published_at),
        "variableMeasured": columns,
        "distribution": [{"@type": "DataDownload", "name": f.name,
                          "encodingFormat": f.media_type, "contentUrl": href,
                          "contentSize": f"{f.bytes} B", "sha256": f.sha256}
                         for f, href in files],
        "includedInDataCatalog": {"@type": "DataCatalog", "name": portal_title,
                                  "url": f"{base_url()}/"},
    }
