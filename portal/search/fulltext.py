"""Free-text clauses against the full-text index: SQLite FTS5 or a PostgreSQL tsvector.

Each clause (a word or a phrase, as stems) is matched as a prefix of the indexed stems, so
"pendud" finds "penduduk" and "kependudukan" finds "penduduk". The ranking query scores
every dataset that matches any clause (BM25 on SQLite, ts_rank on PostgreSQL), with the
fields weighted as ``portal.search.index`` says (title over tags over description...).
"""
from __future__ import annotations

from sqlalchemy import text as sql

from portal.extensions import db
from portal.search.index import FTS_WEIGHTS, dialect
from portal.search.query import Text


def _fts5(clause: Text) -> str:
    """FTS5 syntax of a clause: ``"stem"*``, or a phrase whose last word is a prefix."""
    return '"' + " ".join(clause.stems) + '"*'


def _tsquery(clause: Text) -> str:
    """tsquery syntax of a clause: ``stem:*``, or ``a <-> b:*`` for a phrase."""
    return " <-> ".join(clause.stems[:-1] + (clause.stems[-1] + ":*",))


def matches(clauses: list[Text]) -> dict[Text, frozenset]:
    """The ids of the indexed datasets each clause matches."""
    found = {}
    for clause in dict.fromkeys(clauses):
        if dialect() == "sqlite":
            rows = db.session.execute(sql("SELECT dataset_id FROM search_fts WHERE search_fts MATCH :e"),
                                      {"e": _fts5(clause)})
        else:
            rows = db.session.execute(sql("SELECT dataset_id FROM search_entry WHERE document @@ "
                                          "to_tsquery('simple', :e)"), {"e": _tsquery(clause)})
        found[clause] = frozenset(rows.scalars().all())
    return found


def scores(clauses: list[Text]) -> dict[str, float]:
    """Relevance of every dataset matching any clause (higher is better)."""
    if not clauses:
        return {}
    unique = list(dict.fromkeys(clauses))
    if dialect() == "sqlite":
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        rows = db.session.execute(sql(f"SELECT dataset_id, -bm25(search_fts, 0.0, {weights}) "
                                      "FROM search_fts WHERE search_fts MATCH :e"),
                                  {"e": " OR ".join(_fts5(c) for c in unique)})
    else:
        rows = db.session.execute(sql("SELECT dataset_id, ts_rank(document, to_tsquery('simple', :e)) "
                                      "FROM search_entry WHERE document @@ to_tsquery('simple', :e)"),
                                  {"e": " | ".join(f"({_tsquery(c)})" for c in unique)})
    return {i: float(score) for i, score in rows.all()}
