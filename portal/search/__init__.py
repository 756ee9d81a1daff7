"""The one read path of the catalog: the index, the text analysis and the search itself.

The public search page (``portal.catalog.search``) and the CKAN API's package_search
(``portal.api.search``) both call ``portal.search.engine.run``: the same ``q`` is parsed
by the same query language (``query``), matched by the same stemmed full-text index
(``index``, ``fulltext``; SQLite FTS5 or PostgreSQL tsvector) and filtered, sorted and
paged by the same rules. This package sits below both faces and imports neither.
"""
