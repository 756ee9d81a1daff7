"""Catalog search: full text ranked by relevance, facets with counts, sort and paging.

The search itself is ``portal.search.engine``, the same one package_search calls: this
module reads the URL, asks the engine, and dresses the ids as hits with snippets and
facet counts. The engine only returns datasets with a published release, so a draft or
a withdrawn-only dataset can never be found even if the index were stale. The whole
query lives in the URL.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from flask import has_request_context, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.core.vocabularies import LICENCES, ReleaseStatus
from portal.datasets.fingerprint import per_catalog
from portal.datasets.models import Organization, Release
from portal.datasets.topics import topic_label
from portal.extensions import db
from portal.i18n import current_language
from portal.search import engine
from portal.search.analysis import STOPWORDS, analyse, stem, tokens
from portal.search.engine import DEFAULT_SORT, FACET_FIELDS
from portal.search.errors import QueryError
from portal.search.index import SearchEntry
from portal.search.query import Query, any_of, compile_query

PAGE_SIZE = 20
MAX_QUERY = 200
MAX_TERMS = 12
MAX_FILTER_VALUES = 10
SNIPPET_LENGTH = 220
E = SearchEntry.__table__
_WORD = re.compile(r"[^\W_]+")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
QUERY_SAFE = "!$'()*,/:;?@"  # werkzeug's, so these links read exactly as url_for's


@dataclass(frozen=True)
class Facet:
    """A facet: its index field, its URL parameter and its heading."""

    field: str
    param: str
    label: str


FACETS = (Facet("topic", "topic", _l("Topik")), Facet("organization", "org", _l("Organisasi")),
          Facet("tags", "tag", _l("Tag")), Facet("format", "format", _l("Format")),
          Facet("licence", "licence", _l("Lisensi")), Facet("privacy", "privacy", _l("Kelas UU PDP")))
SORTS = {"relevance": _l("Relevansi"), "name": _l("Nama (A–Z)"), "updated": _l("Pembaruan terakhir")}
PRIVACY_LABELS = {"umum": _l("Data pribadi umum (agregat)"),
                  "spesifik": _l("Data pribadi spesifik, Pasal 4(2) (agregat)")}
LOWER_CASE = {"tags", "format"}


@dataclass
class SearchParams:
    """A search as its URL states it: text, facet filters, sort and page."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> SearchParams:
        """Read the query string; unknown sorts and junk values fall back to defaults."""
        filters = {}
        for facet in FACETS:
            values = [v.strip()[:200] for v in args.getlist(facet.param) if v.strip()]
            values = [v.lower() if facet.field in LOWER_CASE else v for v in values]
            if values:
                filters[facet.field] = list(dict.fromkeys(values))[:MAX_FILTER_VALUES]
        sort = args.get("sort", "")
        page = args.get("page", 1, type=int) or 1
        return cls(args.get("q", "")[:MAX_QUERY].strip(), filters, sort if sort in SORTS else "",
                   max(1, page))

    @property
    def terms(self) -> list[str]:
        """The stemmed words of the text query."""
        return list(dict.fromkeys(analyse(self.q)))[:MAX_TERMS]

    @property
    def effective_sort(self) -> str:
        """Relevance when there is text to rank by, else the newest update first."""
        if self.sort == "relevance" or not self.sort:
            return "relevance" if self.terms else "updated"
        return self.sort

    def hidden_fields(self) -> list[tuple[str, str]]:
        """(name, value) of the filters and sort, kept when the search form is sent again."""
        fields = [(f.param, v) for f in FACETS for v in self.filters.get(f.field, [])]
        return fields + ([("sort", self.sort)] if self.sort else [])

    def url_args(self, toggle: tuple[str, str] | None = None, sort: str | None = None,
                 page: int = 1) -> dict:
        """Query-string arguments for url_for; a facet toggled on or off, page reset unless given."""
        filters = {k: list(v) for k, v in self.filters.items()}
        if toggle is not None:
            values = filters.setdefault(toggle[0], [])
            if toggle[1] in values:
                values.remove(toggle[1])
            else:
                values.append(toggle[1])
        args: dict = {"q": self.q} if self.q else {}
        args.update({f.param: filters[f.field] for f in FACETS if filters.get(f.field)})
        chosen = self.sort if sort is None else sort
        if chosen:
            args["sort"] = chosen
        if page > 1:
            args["page"] = page
        return args


@dataclass
class Hit:
    """One dataset in a result list."""

    name: str
    title: str
    snippet: Markup
    organization: str
    organization_title: str
    topic: str
    topic_title: str
    version: str
    updated_at: datetime
    formats: list[str]


@dataclass
class FacetValue:
    """A value of a facet with the number of matching datasets."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetGroup:
    """A facet's values, most frequent first."""

    facet: Facet
    values: list[FacetValue]


@dataclass
class SearchResult:
    """A page of hits, the total, and the facets of everything that matched."""

    params: SearchParams
    hits: list[Hit]
    total: int
    page: int
    pages: int
    sort: str
    facets: list[FacetGroup]
    offset: int = 0

    @property
    def active(self) -> list[tuple[FacetGroup, FacetValue]]:
        """The facet values the search is filtered by."""
        return [(group, value) for group in self.facets for value in group.values if value.selected]


def _english() -> bool:
    """Whether the page speaks English (never outside a request)."""
    # Outside a request (CLI, services) the catalog speaks Indonesian.
    return has_request_context() and current_language() == "en"


def topic_title(slug: str) -> str:
    """A topic's title in the page's language."""
    return topic_label(slug)  # the register, read once per request; an unknown slug as it is


SORT_KEYS = {"relevance": DEFAULT_SORT, "name": (("title_string", False),),
             "updated": (("metadata_modified", True),)}


def compiled(params: SearchParams) -> list[Query]:
    """The text and the facet filters as the engine's queries (the same q language as the API).

    Text the query language refuses (an unbalanced bracket, an unknown field) is searched
    as plain words: a reader gets results, not an error.
    """
    try:
        text = compile_query(params.q)
    except QueryError:
        text = compile_query(" ".join(tokens(params.q)[:MAX_TERMS]))
    # Every chosen value narrows the search (tag=desa&tag=sehat: both tags), as fq does.
    return [text, *(any_of(FACET_FIELDS[name], [value])
                    for name, values in params.filters.items() for value in values)]


def search(params: SearchParams, with_facets: bool = True, page_size: int = PAGE_SIZE) -> SearchResult:
    """Run a search: one page of hits, the total and (optionally) the facet counts."""
    sort = params.effective_sort
    ids, _scores = engine.run(compiled(params), SORT_KEYS[sort])
    total = len(ids)
    pages = max(1, -(-total // page_size))
    page = min(params.page, pages)
    shown = ids[(page - 1) * page_size:page * page_size]
    rows = {r.dataset_id: r for r in db.session.execute(select(*E.c).where(E.c.dataset_id.in_(shown)))}
    terms = params.terms
    hits = [_hit(rows[i], terms) for i in shown if i in rows]
    facets = _facets(params, ids, engine.catalog_state().facets) if with_facets else []
    return SearchResult(params, hits, total, page, pages, sort, facets, (page - 1) * page_size)


def _facets(params: SearchParams, ids, index: dict) -> list[FacetGroup]:
    """Each facet's values over the matched ids, chosen ones first, then by count and label."""
    tally = Counter(pair for i in ids for pair in index.get(i, ()))
    counts: dict[str, dict[str, int]] = {}
    for (name, value), count in tally.items():
        counts.setdefault(name, {})[value] = count
    orgs = organization_titles()
    groups = []
    for facet in FACETS:
        found = counts.get(facet.field, {})
        selected = params.filters.get(facet.field, [])
        values = [FacetValue(v, facet_label(facet.field, v, orgs), found.get(v, 0), v in selected)
                  for v in dict.fromkeys([*selected, *found])]
        values.sort(key=lambda fv: (not fv.selected, -fv.count, fv.label.lower()))
        groups.append(FacetGroup(facet, values))
    return groups


def organization_titles() -> dict[str, str]:
    """Every organisation's title by its name."""
    return dict(db.session.execute(select(Organization.name, Organization.title)).all())


def facet_label(name: str, value: str, orgs: dict[str, str] | None = None) -> str:
    """How a facet value reads on the page (titles, not slugs)."""
    if name == "topic":
        return topic_title(value)
    if name == "organization":
        return (orgs if orgs is not None else organization_titles()).get(value, value)
    if name == "licence":
        return LICENCES[value].title if value in LICENCES else value
    if name == "privacy":
        return str(PRIVACY_LABELS.get(value, value))
    if name == "format":
        return value.upper()
    return value


def _hit(row, terms: list[str]) -> Hit:
    """One result as the page lists it, in the reader's language, with its snippet."""
    english = _english()
    title = row.title_en if english and row.title_en else row.title
    description = row.description_en if english and row.description_en else row.description
    return Hit(row.name, title, snippet(description, terms), row.organization,
               row.organization_title, row.topic, topic_title(row.topic), row.version,
               row.updated_at, [f.upper() for f in row.formats.split()])


def _is_hit(word: str, terms: list[str]) -> bool:
    """Whether a word of a description matches a term of the query (its stem begins with it)."""
    word = word.lower()
    return word not in STOPWORDS and any(stem(word).startswith(t) for t in terms)  # stem() is memoised


def snippet(text: str, terms: list[str], length: int = SNIPPET_LENGTH) -> Markup:
    """A window of ``text`` around the first matching word, matches in <mark>, HTML-escaped."""
    text = " ".join((text or "").split())
    hits = [m for m in _WORD.finditer(text) if terms and _is_hit(m.group(0), terms)]
    start = 0
    if hits and hits[0].end() > length:
        start = text.rfind(" ", 0, max(0, hits[0].start() - length // 3)) + 1
    end = start + length
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    out, pos = [Markup("…") if start else Markup("")], start
    for m in hits:
        if m.start() < start or m.end() > end:
            continue
        out += [escape(text[pos:m.start()]), Markup("<mark>"), escape(m.group(0)), Markup("</mark>")]
        pos = m.end()
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


def facet_totals(name: str) -> dict[str, int]:
    """Public datasets per value of one facet (topic, organization...) over the whole catalog."""
    state = engine.catalog_state()
    return dict(Counter(value for i in state.published for field_, value in state.facets.get(i, ())
                        if field_ == name))


def latest_releases(limit: int = 6) -> list[Release]:
    """The most recently published versions, newest first."""
    # Ordering by published_at reads every release row whole on SQLite (~350 ms at 1,000
    # releases), so the ids are kept until the catalog fingerprint changes.
    ids = per_catalog("latest_releases", lambda: list(db.session.scalars(
        select(Release.id).where(Release.status == ReleaseStatus.PUBLISHED)
        .order_by(Release.published_at.desc(), Release.id.desc()).limit(limit))), extra=limit)
    found = {r.id: r for r in db.session.scalars(
        select(Release).where(Release.id.in_(ids), Release.status == ReleaseStatus.PUBLISHED)
        .options(joinedload(Release.dataset)))}
    return [found[i] for i in ids if i in found]


class Links:
    """URLs of a result page: facet toggles, sorts and pages, for any list endpoint."""

    def __init__(self, params: SearchParams, endpoint: str = "catalog.search", **view_args):
        self.params, self.endpoint, self.view_args = params, endpoint, view_args
        self._base: str | None = None

    def _url(self, args: dict) -> str:
        # A page has ~150 of these links: build the path once and append the query string
        # encoded as url_for encodes it (werkzeug: multi-items, the same safe characters).
        if self._base is None:
            self._base = url_for(self.endpoint, **self.view_args)
        items = [(k, v) for k, values in args.items()
                 for v in (values if isinstance(values, (list, tuple)) else [values]) if v is not None]
        return f"{self._base}?{urlencode(items, safe=QUERY_SAFE)}" if items else self._base

    def toggle(self, name: str, value: str) -> str:
        """The same search with a facet value added or removed."""
        return self._url(self.params.url_args(toggle=(name, value)))

    def sort(self, sort: str) -> str:
        """The same search in another order."""
        return self._url(self.params.url_args(sort=sort))

    def page(self, page: int) -> str:
        """Another page of the same search."""
        return self._url(self.params.url_args(page=page))

    def facet_items(self, group: FacetGroup, values: list[FacetValue]) -> Markup:
        """The facet list's <li> items (built here: ~60 per page through a macro cost ~5 ms)."""
        from portal.catalog.helpers import number

        note = Markup('<span class="visually-hidden"> {}</span>').format(
            Markup(gettext("(dipilih; klik untuk menghapus)"))) if any(v.selected for v in values) else ""
        out = []
        for v in values:
            href = escape(self.toggle(group.facet.field, v.value))
            if v.selected:
                out.append(f'<li><a href="{href}" rel="nofollow" aria-current="true" class="selected">'
                           f'<span aria-hidden="true">✓ </span>{escape(v.label)}</a> '
                           f'<span class="count">{number(v.count)}</span>{note}</li>')
            else:
                out.append(f'<li><a href="{href}" rel="nofollow">{escape(v.label)}</a> '
                           f'<span class="count">{number(v.count)}</span></li>')
        return Markup("".join(out))

    def dataset(self, name: str) -> str:
        """A result's dataset page."""
        return self._prefixed("catalog.dataset", "name", name)

    def organization(self, name: str) -> str:
        """A result's organisation page."""
        return self._prefixed("browse.organization", "name", name)

    def topic(self, slug: str) -> str:
        """A result's topic page."""
        return self._prefixed("browse.topic", "slug", slug)

    def _prefixed(self, endpoint: str, arg: str, value: str) -> str:
        # url_for once per endpoint with a placeholder; a slug ([a-z0-9-]) needs no quoting.
        prefixes = self.__dict__.setdefault("_prefixes", {})
        if endpoint not in prefixes:
            url = url_for(endpoint, **{arg: "0"})
            prefixes[endpoint] = (url[:-1], url) if url.endswith("0") else None
        found = prefixes[endpoint]
        if found is None or not _SLUG.fullmatch(value):
            return url_for(endpoint, **{arg: value})
        return found[0] + value
