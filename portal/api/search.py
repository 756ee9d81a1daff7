"""package_search over package dicts: indexed fields, sort and facets.

The catalog is small enough (hundreds to a few thousand datasets) to filter in memory,
so q and fq are compiled into predicates (``portal.api.query``) instead of needing a
search server.
"""
from __future__ import annotations

from collections.abc import Callable

from portal.api.errors import SearchQueryError
from portal.api.query import SORTABLE, Doc, parse_time


def search_doc(pkg: dict) -> Doc:
    """The indexed fields of a package dict, as Solr's schema names them."""
    res = pkg["resources"]
    doc: Doc = {
        "id": [pkg["id"]], "name": [pkg["name"]], "title": [pkg["title"]],
        "title_string": [pkg["title"]], "notes": [pkg["notes"] or ""],
        "version": [pkg["version"]], "url": [pkg["url"]], "author": [pkg["author"] or ""],
        "maintainer": [pkg["maintainer"] or ""], "license_id": [pkg["license_id"]],
        "state": ["active"], "capacity": ["public"], "dataset_type": ["dataset"], "type": ["dataset"],
        "organization": [pkg["organization"]["name"]], "owner_org": [pkg["owner_org"]],
        "groups": [g["name"] for g in pkg["groups"]], "tags": [t["name"] for t in pkg["tags"]],
        "res_format": [r["format"] for r in res], "res_name": [r["name"] for r in res],
        "res_url": [r["url"] for r in res], "res_description": [r["description"] for r in res],
        "metadata_created": [parse_time(pkg["metadata_created"])],
        "metadata_modified": [parse_time(pkg["metadata_modified"])],
        "num_resources": [pkg["num_resources"]], "num_tags": [pkg["num_tags"]],
    }
    for extra in pkg["extras"]:
        doc[f"extras_{extra['key']}"] = [extra["value"]]
    blob = [pkg["title"], pkg["notes"] or "", pkg["name"], pkg["organization"]["title"],
            *doc["tags"], *(g["title"] for g in pkg["groups"]), *(e["value"] for e in pkg["extras"])]
    doc["text"] = [" ".join(blob)]
    return doc


def parse_sort(sort: str) -> list[tuple[str, bool]]:
    """``"name asc, metadata_modified desc"`` as [(field, descending)], validated."""
    keys = []
    for part in filter(None, (p.strip() for p in sort.split(","))):
        bits = part.split()
        field, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if field not in SORTABLE or direction not in ("asc", "desc") or len(bits) > 2:
            raise SearchQueryError(f"can not sort on '{part}'")
        keys.append((field, direction == "desc"))
    return keys


def sort_docs(items: list, doc_of: Callable, keys: list[tuple[str, bool]]) -> list:
    """Stable multi-key sort; ties end in id order so pages never overlap or skip."""
    ordered = sorted(items, key=lambda it: doc_of(it)["id"][0])
    for field, descending in reversed(keys):
        if field == "score":
            continue
        if field in ("title", "title_string"):
            key = lambda it, f=field: str(doc_of(it)[f][0]).lower()  # noqa: E731
        else:
            key = lambda it, f=field: doc_of(it)[f][0]  # noqa: E731
        ordered.sort(key=key, reverse=descending)
    return ordered


def facet_counts(docs: list[Doc], fields: list[str], limit: int, mincount: int) -> dict:
    """{field: {value: count}} over the matched docs, the top ``limit`` by count."""
    result = {}
    for field in fields:
        counts: dict[str, int] = {}
        for doc in docs:
            for value in set(map(str, doc.get(field, ()))):
                counts[value] = counts.get(value, 0) + 1
        ranked = sorted(((v, c) for v, c in counts.items() if c >= mincount),
                        key=lambda item: (-item[1], item[0]))
        result[field] = dict(ranked if limit < 0 else ranked[:limit])
    return result
