"""Indonesian text analysis for the catalog index and every query: words, stopwords, stems.

The stems come from PySastrawi, the Nazief–Adriani stemmer with its dictionary of
Indonesian root words (so "kependudukan" and "penduduk" both become "duduk",
"pengendalian" becomes "kendali" and "kepemilikan" "milik"). The same function runs at
index time and at query time, so a document and a query always agree on a word's stem.
Words that are not plain ASCII letters (numbers, codes such as "51.02") stay as they are.
"""
from __future__ import annotations

import functools
import re

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_TOKEN = re.compile(r"[^\W_]+")
_ALPHA = re.compile(r"[a-z]+")
STEM_CACHE_SIZE = 65536  # bounded: a flood of made-up words cannot grow memory
# Words too common to help a search; dropped from documents and queries alike.
STOPWORDS = frozenset({
    "dan", "di", "ke", "dari", "yang", "per", "untuk", "atau", "dengan", "pada", "dalam", "oleh",
    "the", "of", "and", "by", "in", "for", "or", "to", "a", "an", "on",
})
# Sastrawi's own CachedStemmer keeps every word it ever saw; its delegate has no cache.
_SASTRAWI = StemmerFactory().create_stemmer().delegatedStemmer


@functools.lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(word: str) -> str:
    """The stem of one lower-case word; words that are not plain letters stay as they are."""
    if len(word) <= 3 or not _ALPHA.fullmatch(word):
        return word
    return _SASTRAWI.stem(word) or word


def tokens(text: str) -> list[str]:
    """The words of ``text``, lower-cased, without punctuation."""
    return _TOKEN.findall((text or "").lower())


def analyse(text: str) -> list[str]:
    """The stems of ``text`` as the index and the queries use them (stopwords dropped)."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS]
