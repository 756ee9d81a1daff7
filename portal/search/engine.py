"""The one search behind the /dataset page and package_search: match, filter, sort.

``run`` takes compiled queries (``portal.search.query``: the q and every filter), asks the
full-text index for their free-text clauses, evaluates the rest on each published
dataset's indexed fields, and returns every matching id in the requested order. The faces
page the ids and dress them (search hits with snippets, CKAN package dicts).

The published ids and each dataset's indexed fields are read from the index once per
catalog state (``fingerprint.per_catalog``, rebuilt on every publication or withdrawal,
on ``catalog_changed`` and after ``STATE_SECONDS``), so a search costs the full-text
queries and a pass over a few thousand small dicts.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select

from portal.core.vocabularies import ReleaseStatus
from portal.datasets.fingerprint import forget, per_catalog
from portal.datasets.models import Release
from portal.datasets.signals import catalog_changed
from portal.extensions import db
from portal.search import fulltext
from portal.search.index import SearchEntry, SearchFacet
from portal.search.query import Doc, Query

STATE_SECONDS = 60
# The index's facet fields under the names CKAN's Solr schema gives them.
FACET_FIELDS = {"topic": "groups", "organization": "organization", "tags": "tags",
                "format": "res_format", "licence": "license_id", "privacy": "extras_klasifikasi_uu_pdp"}
INDEXED = {"id", "name", "title", "title_string", "notes", "metadata_modified", *FACET_FIELDS.values()}
# Relevance, then the newest change: CKAN's default sort, and the page's.
DEFAULT_SORT = (("score", True), ("metadata_modified", True))
E, F = SearchEntry.__table__, SearchFacet.__table__


@dataclass(frozen=True)
class CatalogState:
    """The published ids, every indexed dataset's facet values and its searchable fields."""

    published: frozenset
    facets: dict  # {dataset_id: [(index field, value), ...]}
    docs: dict  # {dataset_id: Doc} of the published and indexed datasets
    # sort keys -> ids (queries without text or filter); "merged" -> docs with the API's fields
    orders: dict = field(default_factory=dict)


def _doc(row, facets: list[tuple[str, str]]) -> Doc:
    """A dataset's indexed fields under CKAN's names."""
    doc: Doc = {"id": [row.dataset_id], "name": [row.name], "title": [row.title],
                "title_string": [row.title], "notes": [row.description],
                "metadata_modified": [row.updated_at], "state": ["active"], "capacity": ["public"],
                "dataset_type": ["dataset"], "type": ["dataset"]}
    for name, value in facets:
        doc.setdefault(FACET_FIELDS[name], []).append(value)
    return doc


def _build() -> CatalogState:
    """Read the published ids and the index into memory."""
    published = frozenset(db.session.scalars(
        select(Release.dataset_id).where(Release.status == ReleaseStatus.PUBLISHED)))
    facets: dict = {}
    for dataset_id, name, value in db.session.execute(select(F.c.dataset_id, F.c.field, F.c.value)):
        facets.setdefault(dataset_id, []).append((name, value))
    docs = {row.dataset_id: _doc(row, facets.get(row.dataset_id, []))
            for row in db.session.execute(select(E.c.dataset_id, E.c.name, E.c.title, E.c.description,
                                                 E.c.updated_at))
            if row.dataset_id in published}
    return CatalogState(published, facets, docs)


def _index_signature() -> tuple:
    """(rows, newest change) of the index: moves when ``flask search reindex`` rebuilds it."""
    return tuple(db.session.execute(select(func.count(), func.max(E.c.updated_at)).select_from(E)).one())


def catalog_state() -> CatalogState:
    """The published ids and the indexed fields, kept per worker for one catalog and index state."""
    return per_catalog("search_state", _build, extra=_index_signature(), seconds=STATE_SECONDS)


@catalog_changed.connect
def _forget_state(_dataset, **_extra) -> None:
    """A publication, withdrawal or metadata edit in this worker: read the index again."""
    forget("search_state")


def _value_key(field_: str) -> Callable[[Doc], object]:
    """The key of one stored sort field: a title without case, or the field's first value."""
    if field_ in ("title", "title_string"):
        return lambda d: str(d[field_][0]).lower()
    return lambda d: d[field_][0] if d.get(field_) else ""


def _ranks(state: CatalogState, docs: Mapping[str, Doc], field_: str, merged: bool) -> dict[str, int]:
    """Each dataset's position in ascending ``field_`` order (equal values share one), per state."""
    cache_key = ("rank", field_, merged)
    if cache_key not in state.orders:
        key = _value_key(field_) if field_ != "tie" else (
            lambda d: (str(d["title"][0]).lower(), d["id"][0]))
        ranks, previous, position = {}, object(), -1
        for doc in sorted(docs.values(), key=key):
            value = key(doc)
            if value != previous:
                position, previous = position + 1, value
            ranks[doc["id"][0]] = position
        state.orders[cache_key] = ranks
    return state.orders[cache_key]


def order(state: CatalogState, ids: list[str], keys: tuple[tuple[str, bool], ...],
          scores: Mapping[str, float], docs: Mapping[str, Doc], merged: bool = False) -> list[str]:
    """``ids`` sorted by ``keys``; ties end in lower-case title then id order, so pages never overlap.

    Every field's order is ranked once per catalog state, so a sort is one pass over
    integer tuples however many keys it has.
    """
    columns = []
    for name, descending in keys:
        sign = -1 if descending else 1
        if name == "score":
            columns.append(lambda i, s=sign: s * scores.get(i, 0.0))
        else:
            ranks = _ranks(state, docs, name, merged)
            columns.append(lambda i, r=ranks, s=sign: s * r.get(i, -1))
    tie = _ranks(state, docs, "tie", merged)
    return sorted(ids, key=lambda i: (*(c(i) for c in columns), tie.get(i, -1)))


def run(queries: list[Query], sort: tuple[tuple[str, bool], ...] = DEFAULT_SORT,
        extra: Mapping[str, Doc] | None = None) -> tuple[list[str], dict[str, float]]:
    """Every published dataset matching all ``queries``, in ``sort`` order, and the text scores.

    ``extra`` adds fields the index does not keep (the API's package fields, such as
    ``res_name`` or ``metadata_created``); the index's own fields win where both have one.
    """
    state = catalog_state()
    texts = list(dict.fromkeys(t for q in queries for t in q.texts))
    scores = fulltext.scores(texts)
    # One clause: the ranking query already says which datasets it matches.
    matched = {texts[0]: frozenset(scores)} if len(texts) == 1 else fulltext.matches(texts)
    predicates = [q.predicate for q in queries if q.predicate is not None]
    if not predicates and all(name in INDEXED for name, _ in sort):
        # No filter and no text: the same few orders come back (harvesters page by id asc).
        if sort not in state.orders:
            state.orders[sort] = order(state, list(state.docs), sort, {}, state.docs)
        return list(state.orders[sort]), scores
    docs = _merged(state, extra)
    bounded = [q for q in queries if q.within_texts]
    if bounded:  # only what the index found can match: skip the rest of the catalog
        ids = set.intersection(*(set().union(*(matched[t] for t in q.texts)) for q in bounded))
        docs = {i: docs[i] for i in ids if i in docs}
    if len(predicates) == 1:
        found = [d for d in docs.values() if predicates[0](d, matched)]
    else:
        found = [d for d in docs.values() if all(p(d, matched) for p in predicates)]
    return order(state, [d["id"][0] for d in found], sort, scores, _merged(state, extra),
                 extra is not None), scores


def _merged(state: CatalogState, extra: Mapping[str, Doc] | None) -> Mapping[str, Doc]:
    """The index's docs, each completed by ``extra``'s fields; built once per state and ``extra``."""
    if extra is None:
        return state.docs
    kept = state.orders.get("merged")
    if kept is None or kept[0] is not extra:
        kept = (extra, {i: {**extra.get(i, {}), **d} for i, d in state.docs.items()})
        state.orders["merged"] = kept
    return kept[1]
