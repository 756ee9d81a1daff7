"""What a search can refuse: a q or fq that cannot be run over the index."""
from __future__ import annotations


class QueryError(Exception):
    """A q or fq that does not parse, names an unknown field or exceeds a bound.

    CKAN answers these (Solr's errors) with 409 ``Search Error``; the search page reads
    the text as plain words instead.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
